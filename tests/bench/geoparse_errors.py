"""Error list of the resolver on a gold corpus: every gold toponym resolved 161 km or more from gold, grouped.

Run: ``.venv/bin/python tests/bench/geoparse_errors.py geovirus [--e2e] [--limit N] [-o errors.jsonl]``.

With gold spans (the default) every gold toponym is resolved; with ``--e2e`` only the gold toponyms whose span
the recogniser found (strictly) are listed. Prints the counts by kind of the chosen place (``None`` =
unresolved) and the most frequent names of each group; ``-o`` writes one JSON line per error (name, context,
gold and predicted points, kind) for a closer look. Not part of the default test run.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BENCH = ROOT.parent / "shared" / "bench"


def errors(corpus: Path, gold_spans: bool, limit: int | None, workers: int | None) -> list[dict]:
    """The gold toponyms resolved 161 km or more from gold (unresolved: ``pred`` is ``None``)."""
    from geo.evaluate import ACC_KM, MAX_KM
    from geo.gazetteer.store import haversine_km
    from geo.geoparse import parse_records, read_records

    records = read_records(corpus, limit)
    out = []
    for rec, row in zip(records, parse_records(records, gold_spans=gold_spans, workers=workers)):
        preds = {(p["start"], p["end"]): p for p in row["toponyms"]}
        for g in rec.get("toponyms") or ():
            if g.get("lat") is None or g.get("lon") is None:
                continue
            p = preds.get((g["start"], g["end"]))
            if p is None and not gold_spans:
                continue
            km = MAX_KM if p is None or p["lat"] is None else haversine_km(p["lat"], p["lon"], g["lat"], g["lon"])
            if km < ACC_KM:
                continue
            text = rec["text"]
            out.append({"doc": rec["id"], "name": g["name"], "km": round(km), "gold": [g["lat"], g["lon"]],
                        "pred": None if p is None or p["lat"] is None else [p["lat"], p["lon"]],
                        "kind": None if p is None else p["kind"], "geonameid": None if p is None else p["geonameid"],
                        "context": text[max(0, g["start"] - 60) : g["end"] + 40].replace("\n", " ")})
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", help="corpus name in ../shared/bench (lgl, geovirus, wiktor) or a JSONL path")
    parser.add_argument("--e2e", action="store_true", help="recognised spans only (default: gold spans)")
    parser.add_argument("--limit", type=int, default=None, help="first N documents")
    parser.add_argument("--workers", type=int, default=None, help="worker processes (default: CPU count)")
    parser.add_argument("-o", "--output", type=Path, default=None, help="write the errors as JSON lines")
    args = parser.parse_args(argv)
    path = Path(args.corpus) if args.corpus.endswith(".jsonl") else BENCH / f"{args.corpus}.jsonl"
    if not path.exists():
        print(f"{path} not found", file=sys.stderr)
        return 1
    sys.path.insert(0, str(ROOT))
    errs = errors(path, not args.e2e, args.limit, args.workers)
    groups: dict[str, Counter] = defaultdict(Counter)
    for e in errs:
        groups[str(e["kind"])][e["name"]] += 1
    print(f"{len(errs)} errors ({'recognised spans' if args.e2e else 'gold spans'}) in {path.name}")
    for kind, names in sorted(groups.items(), key=lambda kv: -sum(kv[1].values())):
        top = ", ".join(f"{n} {c}" for n, c in names.most_common(15))
        print(f"  {kind:10s} {sum(names.values()):5d}  {top}")
    if args.output:
        with args.output.open("w", encoding="utf-8") as fh:
            for e in errs:
                fh.write(json.dumps(e, ensure_ascii=False) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
