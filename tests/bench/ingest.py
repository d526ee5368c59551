"""Ingest throughput: 1 process, the local engine with 2 processes, Dask LocalCluster with 2 workers.

The demo corpus (seeds/voa_stories.jsonl) is repeated until it holds at least ``--articles`` articles; each copy
gets a distinct title and publication date, so every article has its own content id and is really processed.
Each configuration ingests the whole corpus into a fresh store; the figure is articles per second of wall time,
worker start-up (loading spaCy and the gazetteer) included, as a user would see it. Peak memory is each worker's
maximum resident set size. CPU time per article (this process plus its worker processes, user + system) is
printed too: unlike wall time it hardly moves when other work shares the machine, so it shows an engine's own
overhead.

Targets: 2 local processes >= 1.7x one process; Dask within 15% of the local engine with the same workers.

Usage::

    .venv/bin/python tests/bench/ingest.py                      # 5,040 articles, all three configurations
    .venv/bin/python tests/bench/ingest.py --articles 700 --configs local1,local2

On a machine shared with other work, run it more than once and compare the ratios, not the absolute rates.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from geo.ingest import DEFAULT_PIPELINE, ingest  # noqa: E402

CONFIGS = {
    "local1": {"engine": "local", "workers": 1},
    "local2": {"engine": "local", "workers": 2},
    "dask2": {"engine": "dask", "workers": 2},
}


def build_corpus(dest: Path, n: int, source: Path = ROOT / "seeds" / "voa_stories.jsonl") -> int:
    """Write ``n`` articles: the demo stories repeated, each copy with its own title and date (distinct ids)."""
    stories = [json.loads(line) for line in source.read_text(encoding="utf-8").splitlines() if line.strip()]
    with dest.open("w", encoding="utf-8") as out:
        for i in range(n):
            copy, story = divmod(i, len(stories))
            record = dict(stories[i % len(stories)])
            if copy:
                record["title"] = f"{record['title']} [copy {copy}]"
                published = dt.date.fromisoformat(record["published"][:10]) + dt.timedelta(days=copy)
                record["published"] = published.isoformat()
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
    return n


def _cpu_seconds() -> tuple[float, float]:
    """CPU time (user + system) of this process and of its finished child processes (the workers)."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime, children.ru_utime + children.ru_stime


def run(name: str, corpus: Path, workdir: Path, batch_size: int, pipeline: str) -> dict:
    store = workdir / f"{name}.sqlite"
    cpu_before = _cpu_seconds()
    started = time.perf_counter()
    summary = ingest(corpus, store, progress=False, batch_size=batch_size, cluster=False, pipeline=pipeline,
                     **CONFIGS[name])
    wall = time.perf_counter() - started
    cpu_after = _cpu_seconds()  # the engine has closed, so its workers are reaped and counted
    main_cpu, worker_cpu = (after - before for after, before in zip(cpu_after, cpu_before))
    if summary.failed:
        print(f"  {name}: {len(summary.failed)} failure(s), first: {summary.failed[0]}", file=sys.stderr)
    return {
        "config": name,
        "articles": summary.processed,
        "events": summary.events,
        "seconds": round(wall, 2),
        "articles_per_s": round(summary.processed / wall, 2) if wall else 0.0,
        "workers": summary.workers,
        "cpu_s_main": round(main_cpu, 1),
        "cpu_s_workers": round(worker_cpu, 1),
        "cpu_ms_per_article": round(1000 * (main_cpu + worker_cpu) / summary.processed, 1) if summary.processed else 0,
        "peak_rss_mb_per_worker": {k.split(":")[-1]: round(v) for k, v in summary.worker_peak_rss_mb.items()},
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=5040, help="corpus size (default 5040 = 72 x 70 stories)")
    parser.add_argument("--configs", default="local1,local2,dask2", help="comma-separated: " + ", ".join(CONFIGS))
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--pipeline", default=DEFAULT_PIPELINE, help="module:factory of the pipeline")
    parser.add_argument("--json", metavar="FILE", help="also write the figures as JSON")
    args = parser.parse_args()
    names = [c.strip() for c in args.configs.split(",") if c.strip()]
    unknown = set(names) - set(CONFIGS)
    if unknown:
        parser.error(f"unknown config(s): {', '.join(sorted(unknown))}")

    with tempfile.TemporaryDirectory(prefix="geo-bench-") as tmp:
        workdir = Path(tmp)
        corpus = workdir / "corpus.jsonl"
        n = build_corpus(corpus, args.articles)
        print(f"corpus: {n} articles ({corpus.stat().st_size / 1e6:.1f} MB), cpus available: "
              f"{len(os.sched_getaffinity(0))}, load average: {os.getloadavg()[0]:.2f}")
        results = []
        for name in names:
            result = run(name, corpus, workdir, args.batch_size, args.pipeline)
            results.append(result)
            peak = max(result["peak_rss_mb_per_worker"].values(), default=0)
            print(f"{name:7s} workers={result['workers']}  {result['articles']} articles  {result['events']} events  "
                  f"{result['seconds']:8.1f} s  {result['articles_per_s']:7.2f} articles/s  "
                  f"peak RSS per worker {peak} MB  CPU {result['cpu_ms_per_article']} ms/article (main "
                  f"{result['cpu_s_main']} s, workers {result['cpu_s_workers']} s)  "
                  f"(load average now {os.getloadavg()[0]:.2f})", flush=True)
    rates = {r["config"]: r["articles_per_s"] for r in results}
    summary: dict[str, float] = {}
    if rates.get("local1") and rates.get("local2"):
        summary["speedup_local2_vs_1"] = round(rates["local2"] / rates["local1"], 2)
        print(f"local 2 processes / 1 process: {summary['speedup_local2_vs_1']:.2f}x (target >= 1.7x)")
    if rates.get("local2") and rates.get("dask2"):
        summary["dask2_vs_local2"] = round(rates["dask2"] / rates["local2"], 3)
        print(f"Dask 2 workers / local 2 processes: {summary['dask2_vs_local2']:.3f} (target >= 0.85)")
    if args.json:
        Path(args.json).write_text(json.dumps({"results": results, "summary": summary}, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
