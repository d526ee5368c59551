"""Benchmark: `geo evaluate` on every corpus in ../shared/bench, beside the published figures, and throughput.

Run: ``.venv/bin/python tests/bench/geoparse.py [--limit N] [--wiktor-limit N] [--workers N] [--skip-throughput]``.

Prints the gazetteer's load time and memory, one table of end-to-end and gold-span figures, then the
throughput of ``geo parse`` on LGL as a whole process (start-up included) beside a reference measured in the
same run: plain spaCy (the same English model, entity recogniser only, the same number of processes) on the same
texts, also as a whole process. On a shared, loaded machine absolute rates are pessimistic; the ratio between
the two is what the geoparser itself costs. Not part of the default test run.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BENCH = ROOT.parent / "shared" / "bench"
PYTHON = sys.executable

#: Best published figures from ../shared/bench/README.md (end-to-end F1, Acc@161, F1@161; gold-span Acc@161).
PUBLISHED = {
    "lgl": {"match": "strict", "f1": 0.713, "acc161": 0.817, "f1_161": 0.469, "gold_acc161": 0.827},
    "geovirus": {"match": "overlap", "f1": 0.928, "acc161": 0.793, "f1_161": 0.673, "gold_acc161": None},
    "wiktor": {"match": "strict", "f1": None, "acc161": 0.589, "f1_161": 0.206, "gold_acc161": None},
}

_LOAD_PROBE = """
import json, resource, sys, time, tracemalloc
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
tracemalloc.start()
t0 = time.perf_counter()
from geo.gazetteer import load_gazetteer
gaz = load_gazetteer()
seconds = time.perf_counter() - t0
_, peak = tracemalloc.get_traced_memory()
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"seconds": seconds, "traced_mb": peak / 2**20, "rss_mb": (after - before) / 1024,
                  "places": len(gaz)}))
"""

_SPACY_REFERENCE = """
import json, sys, time
t0 = time.perf_counter()
import spacy
from geo.nlp import MODEL_NAMES
texts = [json.loads(l)["text"] for l in open(sys.argv[1], encoding="utf-8") if l.strip()]
for name in MODEL_NAMES:
    try:
        nlp = spacy.load(name, exclude=["tok2vec", "tagger", "parser", "senter", "attribute_ruler", "lemmatizer"])
        break
    except OSError:
        continue
workers = int(sys.argv[2])
n = sum(1 for _ in nlp.pipe(texts, batch_size=64, n_process=workers))
print(json.dumps({"docs": n, "seconds": time.perf_counter() - t0}))
"""


def gazetteer_load_stats() -> dict:
    """Seconds and memory to load the gazetteer, measured in a fresh interpreter."""
    out = subprocess.run([PYTHON, "-c", _LOAD_PROBE], capture_output=True, text=True, check=True, cwd=ROOT)
    return json.loads(out.stdout.strip().splitlines()[-1])


def throughput(path: Path, workers: int, limit: int | None) -> dict:
    """Whole-process docs/s of ``geo parse`` and of plain spaCy NER on the same texts, run back to back."""
    with tempfile.TemporaryDirectory() as tmp:
        src = path
        if limit:
            src = Path(tmp) / "input.jsonl"
            with path.open(encoding="utf-8") as fh, src.open("w", encoding="utf-8") as out:
                for i, line in enumerate(fh):
                    if i >= limit:
                        break
                    out.write(line)
        n = sum(1 for line in src.open(encoding="utf-8") if line.strip())
        t0 = time.perf_counter()
        subprocess.run([PYTHON, "-m", "geo.cli", "parse", str(src), "-o", os.devnull, "--no-progress",
                        "--workers", str(workers)], check=True, cwd=ROOT)
        ours = time.perf_counter() - t0
        t0 = time.perf_counter()
        subprocess.run([PYTHON, "-c", _SPACY_REFERENCE, str(src), str(workers)], check=True, cwd=ROOT,
                       capture_output=True)
        ref = time.perf_counter() - t0
    return {"docs": n, "ours_s": ours, "spacy_s": ref, "ours_docs_s": n / ours, "spacy_docs_s": n / ref,
            "ratio": ref / ours}


def _fmt(x: float | None) -> str:
    return "  -  " if x is None else f"{x:.3f}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, default=None, help="first N documents of each corpus")
    parser.add_argument("--wiktor-limit", type=int, default=1000,
                        help="first N documents of WikToR (default 1000 of 5,000; 0 for all)")
    parser.add_argument("--workers", type=int, default=None, help="worker processes (default: CPU count)")
    parser.add_argument("--skip-throughput", action="store_true")
    args = parser.parse_args(argv)
    if not (BENCH / "lgl.jsonl").exists():
        print(f"shared corpora not found at {BENCH}: nothing to benchmark", file=sys.stderr)
        return 1
    sys.path.insert(0, str(ROOT))
    from geo.evaluate import evaluate_file

    workers = args.workers or os.cpu_count() or 1
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    g = gazetteer_load_stats()
    print(f"gazetteer: {g['places']:,} places, load {g['seconds']:.2f} s, {g['traced_mb']:.0f} MB traced "
          f"allocations, +{g['rss_mb']:.0f} MB resident")
    header = (f"{'corpus':9s} {'docs':>5s} {'match':7s} | {'F1':>5s} {'pub':>5s} | {'Acc161':>6s} {'pub':>5s} | "
              f"{'F1@161':>6s} {'pub':>5s} | {'gold Acc161':>11s} {'pub':>5s}")
    print(header)
    print("-" * len(header))
    for name, pub in PUBLISHED.items():
        path = BENCH / f"{name}.jsonl"
        if not path.exists():
            continue
        limit = args.limit
        if name == "wiktor" and args.wiktor_limit:
            limit = min(limit or args.wiktor_limit, args.wiktor_limit)
        e2e = evaluate_file(path, limit=limit, workers=workers)
        gold = evaluate_file(path, gold_spans=True, limit=limit, workers=workers)
        m = e2e[pub["match"]]
        print(f"{name:9s} {e2e['docs']:5d} {pub['match']:7s} | {m['f1']:.3f} {_fmt(pub['f1'])} | {m['acc161']:.3f}  "
              f"{_fmt(pub['acc161'])} | {m['f1_161']:.3f}  {_fmt(pub['f1_161'])} | {gold['acc161']:.3f}       "
              f"{_fmt(pub['gold_acc161'])}", flush=True)
    if not args.skip_throughput:
        t = throughput(BENCH / "lgl.jsonl", workers, args.limit)
        print(f"throughput on LGL ({t['docs']} docs, {workers} processes, whole process incl. start-up, "
              f"load average {os.getloadavg()[0]:.1f}):")
        print(f"  geo parse        {t['ours_docs_s']:6.1f} docs/s ({t['ours_s']:.1f} s)")
        print(f"  spaCy NER alone  {t['spacy_docs_s']:6.1f} docs/s ({t['spacy_s']:.1f} s)")
        print(f"  ratio geo parse / spaCy: {t['ratio']:.2f}")
    print(f"benchmark process max RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
