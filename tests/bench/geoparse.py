"""Benchmark: `geo evaluate` on every corpus in ../shared/bench, beside the published figures.

Run: ``.venv/bin/python tests/bench/geoparse.py [--limit N] [--workers N]``. Prints the gazetteer's load time and
memory, then one table (end-to-end and gold-span figures). Not part of the default test run.
"""

from __future__ import annotations

import argparse
import gc
import resource
import sys
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BENCH = ROOT.parent / "shared" / "bench"

#: Best published figures from ../shared/bench/README.md (end-to-end F1, Acc@161, F1@161; gold-span Acc@161).
PUBLISHED = {
    "lgl": {"match": "strict", "f1": 0.713, "acc161": 0.817, "f1_161": 0.469, "gold_acc161": 0.827},
    "geovirus": {"match": "overlap", "f1": 0.928, "acc161": 0.793, "f1_161": 0.673, "gold_acc161": None},
    "wiktor": {"match": "strict", "f1": None, "acc161": 0.589, "f1_161": 0.206, "gold_acc161": None},
}


def gazetteer_load_stats() -> tuple[float, float]:
    """Seconds and MB (traced Python allocations) to load the gazetteer in a fresh cache."""
    from geo.gazetteer.store import _load, default_gazetteer_dir

    _load.cache_clear()
    gc.collect()
    tracemalloc.start()
    t0 = time.perf_counter()
    _load((default_gazetteer_dir() / "gazetteer.pkl").resolve())
    seconds = time.perf_counter() - t0
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return seconds, peak / 2**20


def _fmt(x: float | None) -> str:
    return "  -  " if x is None else f"{x:.3f}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, default=None, help="first N documents of each corpus")
    parser.add_argument("--workers", type=int, default=None)
    args = parser.parse_args(argv)
    if not (BENCH / "lgl.jsonl").exists():
        print(f"shared corpora not found at {BENCH}", file=sys.stderr)
        return 1
    from geo.evaluate import evaluate_file

    seconds, mb = gazetteer_load_stats()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"gazetteer load: {seconds:.2f} s, {mb:.0f} MB traced allocations (process max RSS {rss:.0f} MB)")
    header = (f"{'corpus':9s} {'match':7s} | {'F1':>5s} {'pub':>5s} | {'Acc161':>6s} {'pub':>5s} | "
              f"{'F1@161':>6s} {'pub':>5s} | {'gold Acc161':>11s} {'pub':>5s} | {'docs/s':>6s}")
    print(header)
    print("-" * len(header))
    for name, pub in PUBLISHED.items():
        path = BENCH / f"{name}.jsonl"
        if not path.exists():
            continue
        e2e = evaluate_file(path, limit=args.limit, workers=args.workers)
        gold = evaluate_file(path, gold_spans=True, limit=args.limit, workers=args.workers)
        m = e2e[pub["match"]]
        print(f"{name:9s} {pub['match']:7s} | {m['f1']:.3f} {_fmt(pub['f1'])} | {m['acc161']:.3f}  "
              f"{_fmt(pub['acc161'])} | {m['f1_161']:.3f}  {_fmt(pub['f1_161'])} | {gold['acc161']:.3f}       "
              f"{_fmt(pub['gold_acc161'])} | {e2e['docs_per_s']:6.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
