"""``geo evaluate FILE.jsonl``: score the geoparser on a gold corpus with the field's metrics.

Definitions (``../shared/bench/README.md``): gold = the toponyms that have coordinates (``lat``/``lon``). A
prediction matches a gold toponym when the spans are equal (strict) or overlap (one-to-one, first unmatched
overlapping gold span).

- recognition: precision, recall, F1 of matched spans;
- resolution over matched spans: Acc@161 (share of errors under 161 km), mean and median km, AUC (area under
  the sorted ln(error + 1) curve divided by ln(20039) * (n - 1), lower is better);
- end-to-end F1@161: a prediction counts only when its span matches and its point is under 161 km from gold;
- ``--gold-spans``: the resolver gets the gold spans; Acc@161, mean km, AUC over all gold spans, an unresolved
  span counting as wrong (error = half the Earth's circumference, 20,039 km);
- throughput: articles per second for the whole run (loading included).

A file whose rows carry ``events`` (the event-location corpus) is scored by
``geo.event_eval.evaluate_events``.
"""

from __future__ import annotations

import argparse
import json
import math
import statistics
import time
from pathlib import Path
from typing import Any, Sequence

from geo.errors import InputError
from geo.event_eval import SUBSETS
from geo.gazetteer.store import haversine_km

MAX_KM = 20039.0
ACC_KM = 161.0


def _gold(rec: dict[str, Any]) -> list[dict[str, Any]]:
    return [t for t in rec.get("toponyms") or () if t.get("lat") is not None and t.get("lon") is not None]


def auc(errors_km: Sequence[float]) -> float:
    """Area under the sorted ln(error + 1) curve, normalised by ln(20039) * (n - 1); 0 is perfect."""
    n = len(errors_km)
    if n == 0:
        return float("nan")
    if n == 1:
        return math.log(errors_km[0] + 1) / math.log(MAX_KM)
    ys = sorted(math.log(min(e, MAX_KM) + 1) for e in errors_km)
    area = sum((ys[i] + ys[i + 1]) / 2 for i in range(n - 1))
    return area / (math.log(MAX_KM) * (n - 1))


def _error(pred: dict[str, Any], gold: dict[str, Any]) -> float:
    if pred.get("lat") is None or pred.get("lon") is None:
        return MAX_KM
    return haversine_km(float(pred["lat"]), float(pred["lon"]), float(gold["lat"]), float(gold["lon"]))


def _match(preds: list[dict[str, Any]], golds: list[dict[str, Any]], overlap: bool) -> list[tuple[dict, dict]]:
    pairs = []
    used: set[int] = set()
    if not overlap:
        by_span: dict[tuple[int, int], list[int]] = {}
        for i, g in enumerate(golds):
            by_span.setdefault((g["start"], g["end"]), []).append(i)
        for p in preds:
            for i in by_span.get((p["start"], p["end"]), ()):
                if i not in used:
                    used.add(i)
                    pairs.append((p, golds[i]))
                    break
        return pairs
    for p in preds:
        for i, g in enumerate(golds):
            if i not in used and p["start"] < g["end"] and g["start"] < p["end"]:
                used.add(i)
                pairs.append((p, g))
                break
    return pairs


def _resolution(errors: list[float]) -> dict[str, float]:
    if not errors:
        return {"acc161": float("nan"), "mean_km": float("nan"), "median_km": float("nan"), "auc": float("nan")}
    return {
        "acc161": sum(e < ACC_KM for e in errors) / len(errors),
        "mean_km": statistics.fmean(errors),
        "median_km": statistics.median(errors),
        "auc": auc(errors),
    }


def _prf(correct: int, predicted: int, gold: int) -> dict[str, float]:
    p = correct / predicted if predicted else 0.0
    r = correct / gold if gold else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"precision": p, "recall": r, "f1": f}


def score(records: list[dict[str, Any]], predictions: list[dict[str, Any]], gold_spans: bool = False
          ) -> dict[str, Any]:
    """Metrics for predictions (``geo parse`` rows, same order as ``records``) against the gold."""
    n_gold = sum(len(_gold(r)) for r in records)
    if gold_spans:
        errors = []
        for rec, pred in zip(records, predictions):
            by_span = {(p["start"], p["end"]): p for p in pred["toponyms"]}
            for g in _gold(rec):
                p = by_span.get((g["start"], g["end"]))
                errors.append(_error(p, g) if p else MAX_KM)
        res = _resolution(errors)
        return {"mode": "gold_spans", "docs": len(records), "gold": n_gold, "acc161": res["acc161"],
                "mean_km": res["mean_km"], "median_km": res["median_km"], "auc": res["auc"]}
    out: dict[str, Any] = {"mode": "end_to_end", "docs": len(records), "gold": n_gold,
                           "predicted": sum(len(p["toponyms"]) for p in predictions)}
    for name, overlap in (("strict", False), ("overlap", True)):
        errors = []
        for rec, pred in zip(records, predictions):
            for p, g in _match(pred["toponyms"], _gold(rec), overlap):
                errors.append(_error(p, g))
        correct = sum(e < ACC_KM for e in errors)
        rec_m = _prf(len(errors), out["predicted"], n_gold)
        e2e = _prf(correct, out["predicted"], n_gold)
        out[name] = {**rec_m, **_resolution(errors), "matched": len(errors), "correct161": correct,
                     "f1_161": e2e["f1"], "p_161": e2e["precision"], "r_161": e2e["recall"]}
    return out


def evaluate_file(path: Path, *, gold_spans: bool = False, limit: int | None = None,
                  workers: int | None = None, progress: bool = False, focus: bool = True,
                  subset: str | None = None) -> dict[str, Any]:
    """Parse a gold JSONL corpus with ``geo parse``'s engine and score it (see module docs). ``subset`` selects
    rows of an event-location corpus (see :data:`geo.event_eval.SUBSETS`)."""
    from geo.geoparse import parse_records, read_records

    t0 = time.perf_counter()
    records = read_records(path, limit)
    if any("events" in r for r in records[:5]):
        from geo.event_eval import evaluate_events  # owned by the event-location stage

        return evaluate_events(path, limit=limit, half=subset)
    if subset is not None:
        raise InputError(f"--subset applies to an event-location corpus; {path} has no events", path)
    preds = list(parse_records(records, gold_spans=gold_spans, workers=workers, progress=progress, focus=focus))
    elapsed = time.perf_counter() - t0
    result = score(records, preds, gold_spans=gold_spans)
    result["file"] = str(path)
    result["seconds"] = round(elapsed, 2)
    result["docs_per_s"] = round(len(records) / elapsed, 1) if elapsed else None
    return result


def format_result(r: dict[str, Any]) -> str:
    """A short human-readable report."""
    if r.get("mode") == "gold_spans":
        return (f"{r['file']}: {r['docs']} docs, {r['gold']} gold toponyms (gold spans)\n"
                f"  Acc@161 {r['acc161']:.3f}  mean {r['mean_km']:.0f} km  median {r['median_km']:.0f} km  "
                f"AUC {r['auc']:.3f}\n  {r['docs_per_s']} docs/s")
    if r.get("mode") != "end_to_end":
        return json.dumps(r, indent=2, default=str)
    lines = [f"{r['file']}: {r['docs']} docs, {r['gold']} gold, {r['predicted']} predicted toponyms"]
    for name in ("strict", "overlap"):
        m = r[name]
        lines.append(
            f"  {name:7s} P {m['precision']:.3f} R {m['recall']:.3f} F1 {m['f1']:.3f} | Acc@161 {m['acc161']:.3f} "
            f"mean {m['mean_km']:.0f} km median {m['median_km']:.0f} km AUC {m['auc']:.3f} | "
            f"F1@161 {m['f1_161']:.3f}"
        )
    lines.append(f"  {r['docs_per_s']} docs/s ({r['seconds']} s)")
    return "\n".join(lines)


def configure_parser(p: argparse.ArgumentParser) -> None:
    """Options of ``geo evaluate``."""
    p.add_argument("file", type=Path, help="gold JSONL corpus (see ../shared/bench/README.md)")
    p.add_argument("--gold-spans", action="store_true", help="resolve the gold spans only (oracle recognition)")
    p.add_argument("--json", action="store_true", help="print the metrics as JSON")
    p.add_argument("--limit", type=int, default=None, help="only the first N documents")
    p.add_argument("--workers", type=int, default=None, help="worker processes (default: CPU count)")
    p.add_argument("--no-focus", action="store_true",
                   help="do not infer each publication's home area from its articles (as `geo parse --no-focus`)")
    p.add_argument("--subset", choices=SUBSETS, default=None,
                   help="event-location corpus only: the usable rows with an even or an odd index, or the "
                        "corpus's own gold standard, never fitted on (gold-standard)")


def run_cli(args: argparse.Namespace) -> int:
    """Run ``geo evaluate``."""
    result = evaluate_file(args.file, gold_spans=args.gold_spans, limit=args.limit, workers=args.workers,
                           progress=not args.json, focus=not args.no_focus, subset=args.subset)
    print(json.dumps(result, indent=2, default=str) if args.json else format_result(result))
    return 0
