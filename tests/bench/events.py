"""Benchmark: article-to-events throughput of the full pipeline, and the event-place linker's P/R/F1.

Run: ``.venv/bin/python tests/bench/events.py [--articles N] [--limit N] [--repeats N] [--half gold-standard]
[--hand-set]``.

Throughput: the articles of the shared corpora (VOA seed stories, LGL, GeoVirus news texts) go through
:class:`geo.pipeline.Pipeline` (spaCy with parser, geoparsing, dates, events) in batches; the figure is the median
articles/s over batches, after a warm-up batch, so a busy machine shows up as spread rather than as a wrong mean.
Then the same articles on every CPU (``--workers``), through the local engine ``geo ingest`` uses by default.
Event location: :func:`geo.event_eval.evaluate_events` on ``event_location.jsonl`` (items marked ``reject``
excluded; strict and overlap matching, see that module). Not part of the default test run.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

from geo.event_eval import SUBSETS

ROOT = Path(__file__).resolve().parents[2]
SHARED = ROOT.parent / "shared"
BENCH = SHARED / "bench"
SEEDS = SHARED / "seeds"

#: Halterman (2019) reports precision and recall above this on this kind of data.
PUBLISHED_PR = 0.83


def _articles(n: int) -> list:
    from geo.articles import make_article

    texts: list[tuple[str, str | None]] = []
    voa = SEEDS / "voa_stories.jsonl"
    if voa.exists():
        for line in voa.open(encoding="utf-8"):
            r = json.loads(line)
            texts.append((r["text"], (r.get("published") or "")[:10] or None))
    for name in ("lgl.jsonl", "geovirus.jsonl"):
        p = BENCH / name
        if p.exists():
            for line in p.open(encoding="utf-8"):
                r = json.loads(line)
                texts.append((r["text"], None))
    out = []
    for text, pub in texts[:n]:
        if text.strip():
            out.append(make_article(text=text, title="", published=pub))
    return out


def throughput(n: int, batch: int, repeats: int) -> dict:
    from geo.pipeline import Pipeline

    t0 = time.perf_counter()
    pipe = Pipeline()
    load_s = time.perf_counter() - t0
    articles = _articles(n)
    list(pipe.process(articles[:batch]))  # warm-up: lazy tables, dateparser
    rates: list[float] = []
    n_events = n_happened = 0
    chars = 0
    for rep in range(repeats):
        for i in range(0, len(articles), batch):
            chunk = articles[i:i + batch]
            t = time.perf_counter()
            results = list(pipe.process(chunk))
            dt = time.perf_counter() - t
            rates.append(len(chunk) / dt)
            if rep == 0:
                n_events += sum(len(r.events) for r in results)
                n_happened += sum(e.happened for r in results for e in r.events)
                chars += sum(len(a.text) for a in chunk)
    return {"articles": len(articles), "batch": batch, "pipeline_load_s": round(load_s, 2),
            "median_articles_per_s": round(statistics.median(rates), 2),
            "p10_articles_per_s": round(sorted(rates)[len(rates) // 10], 2),
            "mean_chars": round(chars / max(1, len(articles))), "events": n_events, "happened": n_happened}


def parallel_throughput(n: int, batch: int, workers: int, repeats: int) -> dict:
    """Articles/s of the full pipeline on ``workers`` processes, as ``geo ingest`` runs it (its local engine,
    without the store): wall time over all ``n`` articles after every worker has warmed up; median of
    ``repeats`` runs."""
    from geo.ingest import make_engine

    articles = _articles(n)
    rates: list[float] = []
    events = 0
    with make_engine("local", workers) as engine:
        warm = [articles[i:i + 4] for i in range(0, 8 * workers, 4)]
        for _ in engine.map(warm):  # each worker loads the pipeline and its lazy tables
            pass
        for rep in range(repeats):
            t = time.perf_counter()
            done = 0
            for res in engine.map(articles[i:i + batch] for i in range(0, len(articles), batch)):
                done += len(res.results)
                if rep == 0:
                    events += sum(len(r.events) for r in res.results)
            rates.append(done / (time.perf_counter() - t))
    return {"articles": len(articles), "workers": workers, "runs": [round(r, 2) for r in rates],
            "median_articles_per_s": round(statistics.median(rates), 2), "events": events}


def stage_times(n: int, batch: int) -> dict:
    """Seconds per article of each stage (spaCy, geoparse, dates, events) on the first ``n`` articles."""
    from geo.dates import find_dates
    from geo.events import extract_events
    from geo.nlp import pipe
    from geo.pipeline import Pipeline
    from geo.resolve import geoparse

    p = Pipeline()
    articles = _articles(n)
    list(p.process(articles[:batch]))
    t = time.perf_counter()
    docs = list(pipe(p.nlp, (a.text for a in articles), batch))
    spacy_s = time.perf_counter() - t
    geo_s = dates_s = events_s = 0.0
    for a, doc in zip(articles, docs):
        t = time.perf_counter()
        tops = geoparse(doc, p.gazetteer, published=a.published)
        geo_s += time.perf_counter() - t
        t = time.perf_counter()
        dates = find_dates(doc, a.published)
        dates_s += time.perf_counter() - t
        t = time.perf_counter()
        extract_events(doc, a, tops, dates, p.gazetteer)
        events_s += time.perf_counter() - t
    k = 1000 / max(1, len(articles))
    return {"spacy_ms": round(spacy_s * k, 1), "geoparse_ms": round(geo_s * k, 1), "dates_ms": round(dates_s * k, 1),
            "events_ms": round(events_s * k, 1)}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--articles", type=int, default=600, help="articles for the throughput run")
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--repeats", type=int, default=1)
    ap.add_argument("--limit", type=int, default=None, help="first N event_location items (default: all)")
    ap.add_argument("--toponyms", default=None, help="geoparse | ner | geoparse+ner (default: geoparse)")
    ap.add_argument("--half", choices=SUBSETS, default=None,
                    help="score one half of event_location.jsonl (rows with an even or odd index), or its "
                         "gold-standard rows (source RELABEL, never fitted on)")
    ap.add_argument("--hand-set", action="store_true", help="score the hand-set linker, not the learned one")
    ap.add_argument("--workers", type=int, default=None,
                    help="processes for the parallel throughput run (default: every CPU, as geo ingest uses; "
                         "1 skips it)")
    ap.add_argument("--skip-throughput", action="store_true")
    ap.add_argument("--skip-location", action="store_true")
    args = ap.parse_args(argv)
    if not (BENCH / "event_location.jsonl").exists():
        print(f"shared corpora not found at {BENCH}", file=sys.stderr)
        return 1
    if not args.skip_throughput:
        tp = throughput(args.articles, args.batch, args.repeats)
        print(f"throughput: {tp['median_articles_per_s']} articles/s median over batches of {tp['batch']} "
              f"(p10 {tp['p10_articles_per_s']}; {tp['articles']} articles, mean {tp['mean_chars']} chars; "
              f"{tp['events']} events, {tp['happened']} happened; pipeline load {tp['pipeline_load_s']} s)")
        workers = args.workers or len(os.sched_getaffinity(0))
        if workers > 1:
            pt = parallel_throughput(args.articles, args.batch, workers, max(3, args.repeats))
            print(f"throughput on {workers} processes (geo ingest's local engine, no store): "
                  f"{pt['median_articles_per_s']} articles/s median of runs {pt['runs']} "
                  f"({pt['articles']} articles, {pt['events']} events)")
        st = stage_times(min(args.articles, 200), args.batch)
        print(f"per article: spaCy {st['spacy_ms']} ms, geoparse {st['geoparse_ms']} ms, dates {st['dates_ms']} ms, "
              f"events {st['events_ms']} ms")
    if not args.skip_location:
        from geo.event_eval import evaluate_events

        t = time.perf_counter()
        r = evaluate_events(BENCH / "event_location.jsonl", limit=args.limit, toponyms=args.toponyms,
                            half=args.half, learned=not args.hand_set)
        secs = time.perf_counter() - t
        print(f"event_location, {r['half']} rows ({r['toponyms']} mentions, {r['events']} events, "
              f"{r['gold']} with gold, {r['reachable']} reachable, {r['predicted']} predicted; {secs:.0f} s)")
        for kind in ("strict", "overlap"):
            s = r[f"{kind}_scores"]
            print(f"  {kind:8s} P {s['precision']:.3f}  R {s['recall']:.3f}  F1 {s['f1']:.3f}   "
                  f"(published: P, R > {PUBLISHED_PR})")
        tok = r["per_token"]
        print(f"  per token P {tok['precision']:.3f}  R {tok['recall']:.3f}  F1 {tok['f1']:.3f}   "
              f"(Halterman's measure)")
        print("  by source (overlap):")
        for src, v in r["by_source"].items():
            print(f"    {src:14s} gold {v['gold']:5d} pred {v['predicted']:5d}  P {v['precision']:.3f}  "
                  f"R {v['recall']:.3f}  F1 {v['f1']:.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
