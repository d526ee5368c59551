"""``geo ingest``: read articles, extract events on one or many processes (or a Dask cluster), store them.

The flow is a stream, so a dump of millions of articles never sits in memory:

1. :func:`geo.articles.read_articles` reads files lazily; bad records are collected, not fatal.
2. Articles are cut into batches; ids already in the store are skipped (and ids repeated in the input), so
   ingesting the same files twice stores them once and an interrupted ingest resumes where it stopped.
3. An engine runs :class:`geo.pipeline.Pipeline` on each batch: ``local`` (a process pool; each worker loads spaCy
   and the gazetteer once; one worker runs in-process) or ``dask`` (a ``LocalCluster``, or an existing scheduler).
   At most a few batches per worker are in flight, so memory stays flat.
4. Each finished batch is saved in one store transaction (:meth:`geo.store.EventStore.save_results`), so a kill
   loses at most the batches in flight, which the next run redoes.
5. Events are clustered across articles (when :mod:`geo.clustering` is installed) and, with ``output``, the stored
   events are written as a GeoParquet dataset partitioned by month.

``reprocess=True`` re-runs extraction on stored articles whose results come from another pipeline version
(:data:`geo.PIPELINE_VERSION`); running it again after an interruption resumes too.

Worker processes are started with the ``spawn`` method: a script that calls :func:`ingest` with more than one
worker must guard its entry point with ``if __name__ == "__main__":`` (the ``geo`` command does).
"""

from __future__ import annotations

import argparse
import concurrent.futures as cf
import importlib
import itertools
import logging
import multiprocessing
import os
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterable, Iterator, Sequence

from geo.errors import EngineError, InputError

if TYPE_CHECKING:  # pragma: no cover
    from geo.model import Article, ParseResult
    from geo.store import EventStore

log = logging.getLogger("geo.ingest")

ENGINES = ("local", "dask")

#: The pipeline class each worker instantiates (``module:attribute``; no arguments).
DEFAULT_PIPELINE = "geo.pipeline:Pipeline"

#: Articles per task sent to a worker (and per store transaction).
DEFAULT_BATCH_SIZE = 32


# ------------------------------------------------------------------------------------------------ results


@dataclass(frozen=True)
class Failure:
    """One article or record that could not be ingested, and why."""

    where: str
    reason: str

    def __str__(self) -> str:
        return f"{self.where}: {self.reason}"


@dataclass
class IngestSummary:
    """What an ingest did. ``read`` counts articles read; each is then stored, skipped or failed."""

    read: int = 0
    processed: int = 0
    skipped: int = 0
    duplicates: int = 0
    stale: int = 0
    failed: list[Failure] = field(default_factory=list)
    events: int = 0
    clusters: int | None = None
    seconds: float = 0.0
    engine: str = "local"
    workers: int = 1
    store_path: str | None = None
    output: str | None = None
    worker_peak_rss_mb: dict[str, float] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    @property
    def articles_per_second(self) -> float:
        """Articles run through the pipeline per second of wall time (0 when nothing ran)."""
        return self.processed / self.seconds if self.seconds > 0 and self.processed else 0.0

    def format(self, max_failures: int = 20) -> str:
        """A short human report (the end of ``geo ingest``)."""
        lines = [
            f"read {self.read} article(s): {self.processed} processed, {self.skipped} already stored, "
            f"{self.duplicates} duplicate(s) in the input, {len(self.failed)} failed",
            f"events stored: {self.events}"
            + (f" ({self.clusters} cluster(s) across articles)" if self.clusters is not None else ""),
            f"{self.seconds:.1f} s, {self.articles_per_second:.1f} articles/s, engine {self.engine} "
            f"x{self.workers}" + (f", store {self.store_path}" if self.store_path else ""),
        ]
        if self.worker_peak_rss_mb:
            peak = max(self.worker_peak_rss_mb.values())
            lines.append(f"peak memory per worker: {peak:.0f} MB (max of {len(self.worker_peak_rss_mb)})")
        if self.output:
            lines.append(f"GeoParquet dataset: {self.output}")
        if self.stale:
            lines.append(f"{self.stale} stored article(s) come from another pipeline version: "
                         "run again with --reprocess to update them")
        for failure in self.failed[:max_failures]:
            lines.append(f"  failed: {failure}")
        if len(self.failed) > max_failures:
            lines.append(f"  ... and {len(self.failed) - max_failures} more failure(s)")
        lines.extend(self.notes)
        return "\n".join(lines)


@dataclass
class BatchResult:
    """A worker's answer for one batch: the results, the articles that failed, and the worker's memory peak."""

    results: list["ParseResult"]
    failures: list[Failure]
    worker: str
    peak_rss_mb: float


# ------------------------------------------------------------------------------------------------ workers

_PIPELINES: dict[str, Any] = {}


def _load_factory(spec: str) -> Callable[[], Any]:
    module_name, _, attr = spec.partition(":")
    try:
        factory = getattr(importlib.import_module(module_name), attr or "Pipeline")
    except (ImportError, AttributeError) as exc:
        raise EngineError(f"cannot load pipeline {spec!r}: {exc}") from exc
    return factory


def worker_pipeline(spec: str = DEFAULT_PIPELINE) -> Any:
    """This process's pipeline, built on first use and then reused for every batch."""
    pipeline = _PIPELINES.get(spec)
    if pipeline is None:
        pipeline = _PIPELINES[spec] = _load_factory(spec)()
    return pipeline


def register_pipeline(pipeline: Any, spec: str = DEFAULT_PIPELINE) -> None:
    """Use an already loaded pipeline for in-process ingests (one worker), instead of loading another.

    For hosts that hold a pipeline anyway (the dashboard's cached one, a test session); worker processes
    still build their own.
    """
    _PIPELINES[spec] = pipeline


def _peak_rss_mb() -> float:
    try:
        import resource

        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0  # kB on Linux
    except (ImportError, OSError):  # pragma: no cover - not POSIX
        return 0.0


def _where(article: "Article") -> str:
    return f"{article.path or '<input>'} [{article.id}{': ' + article.title[:60] if article.title else ''}]"


def process_batch(articles: list["Article"], spec: str = DEFAULT_PIPELINE) -> BatchResult:
    """Run the pipeline on a batch; an article that makes it fail is retried alone and reported, not fatal."""
    pipeline = worker_pipeline(spec)
    failures: list[Failure] = []
    try:
        results = list(pipeline.process(articles))
    except Exception:  # noqa: BLE001 - isolate the bad article below
        results = []
        for article in articles:
            try:
                results.append(pipeline.process_one(article))
            except Exception as exc:  # noqa: BLE001 - one bad article must not stop the others
                failures.append(Failure(_where(article), f"extraction failed: {type(exc).__name__}: {exc}"))
    return BatchResult(results, failures, f"{os.uname().nodename}:{os.getpid()}", _peak_rss_mb())


def _init_local_worker(spec: str) -> None:
    """Pool initializer: load the pipeline before the first batch arrives."""
    worker_pipeline(spec)


# ------------------------------------------------------------------------------------------------ engines


class Engine:
    """Runs :func:`process_batch` over a stream of batches, yielding results as they finish (any order)."""

    name = "engine"
    workers = 1

    def __enter__(self) -> "Engine":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Release workers."""

    def map(self, batches: Iterable[list["Article"]]) -> Iterator[BatchResult]:  # pragma: no cover - abstract
        raise NotImplementedError


class SerialEngine(Engine):
    """One process: the pipeline runs in the calling process (the 1-process baseline, and small inputs)."""

    name = "local"

    def __init__(self, spec: str = DEFAULT_PIPELINE) -> None:
        self.spec = spec
        self.workers = 1

    def map(self, batches: Iterable[list["Article"]]) -> Iterator[BatchResult]:
        for batch in batches:
            yield process_batch(batch, self.spec)


class LocalEngine(Engine):
    """A pool of worker processes on this machine (spawned; each loads the pipeline once)."""

    name = "local"

    def __init__(self, workers: int, spec: str = DEFAULT_PIPELINE, *, in_flight: int = 2) -> None:
        self.workers = workers
        self.spec = spec
        self.in_flight = max(1, in_flight) * workers
        try:
            self.pool = cf.ProcessPoolExecutor(
                max_workers=workers,
                mp_context=multiprocessing.get_context("spawn"),
                initializer=_init_local_worker,
                initargs=(spec,),
            )
        except (OSError, ValueError) as exc:
            raise EngineError(f"cannot start {workers} worker process(es): {exc}") from exc

    def map(self, batches: Iterable[list["Article"]]) -> Iterator[BatchResult]:
        pending: set[cf.Future] = set()
        source = iter(batches)
        try:
            while True:
                for batch in itertools.islice(source, self.in_flight - len(pending)):
                    pending.add(self.pool.submit(process_batch, batch, self.spec))
                if not pending:
                    return
                done, pending = cf.wait(pending, return_when=cf.FIRST_COMPLETED)
                for future in done:
                    try:
                        yield future.result()
                    except cf.process.BrokenProcessPool as exc:
                        raise EngineError(f"a worker process died ({exc}); finished batches are stored, "
                                          "run the same command again to resume") from exc
        finally:
            for future in pending:
                future.cancel()

    def close(self) -> None:
        self.pool.shutdown(wait=True, cancel_futures=True)


class DaskEngine(Engine):
    """Dask: the batches run on the workers of an existing scheduler, or of a ``LocalCluster`` started here.

    Each worker process keeps one pipeline (module-level cache), so spaCy and the gazetteer load once per worker.
    """

    name = "dask"

    def __init__(self, workers: int | None, scheduler: str | None = None, spec: str = DEFAULT_PIPELINE,
                 *, in_flight: int = 2) -> None:
        try:
            from dask.distributed import Client, LocalCluster
        except ImportError as exc:  # pragma: no cover - dask is a dependency
            raise EngineError(f"the dask engine needs dask[distributed]: {exc}") from exc
        self.spec = spec
        self.cluster = None
        import dask

        # The worker's statistical profiler samples every thread's stack every 10 ms while holding the GIL: a
        # steady tax on pure-Python tasks like these, for a profile nobody reads here.
        dask.config.set({"distributed.worker.profile.enabled": False})
        # The nanny exports MALLOC_TRIM_THRESHOLD_=65536 to its workers by default. Setting any glibc threshold
        # turns off malloc's adaptive mmap threshold, so every buffer over 128 KiB in spaCy's forward pass is
        # mmapped, page-faulted and unmapped again: measured +25% CPU and 5x system time per article. The
        # variable is left out (None unsets it; a value the user exported still applies).
        dask.config.set({"distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_": None})
        try:
            if scheduler:
                self.client = Client(scheduler, timeout="30s")
            else:
                self.cluster = LocalCluster(
                    n_workers=workers or _cpu_count(),
                    threads_per_worker=1,
                    processes=True,
                    host="127.0.0.1",
                    dashboard_address=None,
                    # no dashboard; its health/metrics HTTP server on a free local port, not 8787
                    scheduler_kwargs={"dashboard_address": "127.0.0.1:0"},
                    silence_logs=logging.ERROR,
                )
                self.client = Client(self.cluster)
        except (OSError, TimeoutError) as exc:
            if self.cluster is not None:
                self.cluster.close()
            where = f"scheduler {scheduler}" if scheduler else "a LocalCluster"
            raise EngineError(f"cannot start or reach {where}: {exc}") from exc
        n = len(self.client.scheduler_info().get("workers", {})) or (workers or 1)
        self.workers = n
        self.in_flight = max(1, in_flight) * n

    def map(self, batches: Iterable[list["Article"]]) -> Iterator[BatchResult]:
        from dask.distributed import as_completed

        source = iter(batches)
        first = [self.client.submit(process_batch, b, self.spec, pure=False)
                 for b in itertools.islice(source, self.in_flight)]
        if not first:
            return
        queue = as_completed(first)
        try:
            for future in queue:
                try:
                    result = future.result()
                except Exception as exc:  # noqa: BLE001 - a worker died or the task could not run
                    raise EngineError(f"a Dask task failed ({type(exc).__name__}: {exc}); finished batches are "
                                      "stored, run the same command again to resume") from exc
                future.release()
                nxt = next(source, None)
                if nxt is not None:
                    queue.add(self.client.submit(process_batch, nxt, self.spec, pure=False))
                yield result
        finally:
            for future in list(getattr(queue, "futures", ())):
                future.cancel()

    def close(self) -> None:
        self.client.close()
        if self.cluster is not None:
            self.cluster.close()


def _cpu_count() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


def make_engine(engine: str = "local", workers: int | None = None, scheduler: str | None = None,
                spec: str = DEFAULT_PIPELINE) -> Engine:
    """The engine for a name: ``local`` with 1 worker runs in-process; ``dask`` starts or joins a cluster."""
    if engine not in ENGINES:
        raise InputError(f"unknown engine {engine!r}; choose from {', '.join(ENGINES)}")
    if workers is not None and workers < 1:
        raise InputError(f"--workers must be at least 1, got {workers}")
    if scheduler and engine != "dask":
        raise InputError("--scheduler needs --engine dask")
    if engine == "dask":
        return DaskEngine(workers, scheduler, spec)
    n = workers or _cpu_count()
    return SerialEngine(spec) if n == 1 else LocalEngine(n, spec)


# ------------------------------------------------------------------------------------------------ ingest


def _batches(articles: Iterable["Article"], size: int) -> Iterator[list["Article"]]:
    it = iter(articles)
    while batch := list(itertools.islice(it, size)):
        yield batch


def _progress(enabled: bool) -> Any:
    from tqdm import tqdm

    return tqdm(
        desc="ingest", unit=" art", file=sys.stderr, disable=not enabled, dynamic_ncols=True, smoothing=0.1,
        mininterval=0.5,
    )


def _cluster(store: "EventStore", summary: IngestSummary) -> None:
    """Group the same event reported by several articles (when the clustering module is available)."""
    try:
        from geo.clustering import cluster_events
    except ImportError:
        return
    try:
        mapping = cluster_events(store.query_events())  # happened events, the light tabular form
        mapping = dict(mapping)
        store.set_clusters(mapping)
        summary.clusters = len(set(mapping.values()))
    except Exception as exc:  # noqa: BLE001 - events are stored; clustering is a refinement
        log.warning("event clustering failed: %s", exc)
        summary.notes.append(f"event clustering failed ({type(exc).__name__}: {exc}); events are stored unclustered")


def ingest(
    paths: str | Path | Iterable[str | Path],
    store_path: str | Path | None = None,
    *,
    engine: str = "local",
    workers: int | None = None,
    scheduler: str | None = None,
    reprocess: bool = False,
    output: str | Path | None = None,
    progress: bool = True,
    batch_size: int = DEFAULT_BATCH_SIZE,
    read_options: dict[str, Any] | None = None,
    cluster: bool = True,
    pipeline: str = DEFAULT_PIPELINE,
    online: bool = False,
    follow_links: bool = True,
) -> IngestSummary:
    """Read articles from ``paths``, extract their events and store them; see the module docstring.

    Parameters
    ----------
    paths:
        Files, folders or globs (any format :func:`geo.articles.read_articles` reads), and with ``online`` also
        http(s) URLs of pages and RSS/Atom feeds.
    store_path:
        The SQLite store (default :func:`geo.store.default_store_path`).
    engine, workers, scheduler:
        ``local`` (default; ``workers`` processes, default the CPU count, 1 = in-process) or ``dask`` (a
        ``LocalCluster`` of ``workers`` processes, or the cluster at ``scheduler``, e.g. ``tcp://host:8786``).
    reprocess:
        Re-run extraction on stored articles processed by another pipeline version.
    output:
        Also write every stored event as a GeoParquet dataset partitioned by month into this folder.
    progress:
        Show a progress bar on stderr.
    batch_size:
        Articles per worker task and per store transaction.
    read_options:
        Passed to :func:`geo.articles.read_articles` (``format``, ``columns``, ``encoding``...).
    cluster:
        Cluster events across articles after storing.
    pipeline:
        ``module:factory`` each worker calls (no arguments) to build its pipeline.
    online, follow_links:
        Fetch the URLs among ``paths`` (:mod:`geo.articles.fetch`; off by default, so nothing leaves the machine
        unless asked), and for feeds also each entry's page.

    Raises
    ------
    InputError
        When a path does not exist or an option is invalid.
    EngineError
        When workers cannot start or die (everything finished before is stored; run again to resume).
    """
    from geo import PIPELINE_VERSION
    from geo.articles import ErrorCollector, read_articles
    from geo.store import EventStore, default_store_path

    from geo.articles.fetch import fetch_articles, is_url

    if batch_size < 1:
        raise InputError(f"batch size must be at least 1, got {batch_size}")
    inputs = [paths] if isinstance(paths, (str, Path)) else list(paths)
    urls = [p for p in inputs if is_url(p)]
    files = [p for p in inputs if not is_url(p)]
    if urls and not online:
        raise InputError("is a URL; fetching is off by default: add --online to fetch pages and feeds", urls[0])
    store_path = Path(store_path) if store_path is not None else default_store_path()
    store_path.parent.mkdir(parents=True, exist_ok=True)
    errors = ErrorCollector()
    summary = IngestSummary(engine=engine, store_path=str(store_path))
    seen: set[str] = set()
    started = time.perf_counter()

    with EventStore(store_path) as store:

        def todo(articles: Iterable["Article"]) -> Iterator[list["Article"]]:
            """Batches of articles that need extraction; counts the rest as skipped."""
            for batch in _batches(articles, batch_size):
                summary.read += len(batch)
                fresh: list["Article"] = []
                for article in batch:
                    if article.id in seen:
                        summary.duplicates += 1
                    else:
                        seen.add(article.id)
                        fresh.append(article)
                ids = [a.id for a in fresh]
                stored = store.known_article_ids(ids)
                current = store.known_article_ids(stored, pipeline_version=PIPELINE_VERSION) if stored else set()
                skip = current if reprocess else stored
                summary.stale += 0 if reprocess else len(stored - current)
                summary.skipped += len(skip)
                bar.update(len(batch) - len(fresh) + len(skip))
                fresh = [a for a in fresh if a.id not in skip]
                if fresh:
                    yield fresh

        with _progress(progress) as bar, make_engine(engine, workers, scheduler, pipeline) as runner:
            summary.workers = runner.workers
            articles: Iterable["Article"] = read_articles(files, on_error=errors, **(read_options or {})) \
                if files else ()
            if urls:
                articles = itertools.chain(articles, fetch_articles(urls, on_error=errors, follow_links=follow_links))
            for result in runner.map(todo(articles)):
                if result.results:
                    saved = store.save_results(result.results, pipeline_version=PIPELINE_VERSION)
                    summary.processed += saved.articles
                    summary.events += saved.events
                summary.failed.extend(result.failures)
                if result.worker:
                    summary.worker_peak_rss_mb[result.worker] = max(
                        result.peak_rss_mb, summary.worker_peak_rss_mb.get(result.worker, 0.0))
                bar.update(len(result.results) + len(result.failures))
                bar.set_postfix(events=summary.events, failed=len(summary.failed) + len(errors.errors),
                                refresh=False)
        summary.seconds = time.perf_counter() - started
        summary.failed[:0] = [Failure(f"{e.path}:{e.line}" if e.line else str(e.path), e.reason)
                              for e in errors.errors]
        if cluster and summary.processed:
            _cluster(store, summary)
        if output is not None:
            from geo.export import write_geoparquet_dataset

            write_geoparquet_dataset(store, output)
            summary.output = str(output)
    return summary


# ------------------------------------------------------------------------------------------------ CLI


def configure_parser(parser: argparse.ArgumentParser) -> None:
    """Options of ``geo ingest``."""
    parser.add_argument("paths", nargs="+", metavar="PATH", help="article files, folders or globs (.txt, .jsonl, "
                        ".json, .csv, .html, .rss/.atom/.xml, optionally .gz); with --online also page or feed URLs")
    parser.add_argument("--online", action="store_true", help="fetch the http(s) URLs among PATH (pages and "
                        "RSS/Atom feeds; robots.txt obeyed, one request per second per site); off by default")
    parser.add_argument("--no-follow", action="store_true", help="with --online: take feed entries as they are, "
                        "without fetching each entry's page")
    parser.add_argument("--store", metavar="FILE", help="SQLite event store (default: $GEO_STORE or "
                        "data/events.sqlite)")
    parser.add_argument("--engine", choices=ENGINES, default="local", help="local processes (default) or Dask")
    parser.add_argument("--workers", type=int, metavar="N", help="worker processes (default: CPU count; "
                        "1 runs in this process)")
    parser.add_argument("--scheduler", metavar="ADDRESS", help="Dask scheduler to join (e.g. tcp://host:8786); "
                        "without it --engine dask starts a LocalCluster")
    parser.add_argument("--reprocess", action="store_true", help="re-run extraction on articles stored by "
                        "another pipeline version")
    parser.add_argument("--output", metavar="DIR", help="also write all stored events as a GeoParquet dataset "
                        "partitioned by month")
    parser.add_argument("--batch-size", type=int, default=DEFAULT_BATCH_SIZE, metavar="N",
                        help=f"articles per task and per store transaction (default {DEFAULT_BATCH_SIZE})")
    parser.add_argument("--format", dest="input_format", metavar="FORMAT", help="force the input format: seed, "
                        "text, jsonl, json, csv, html, feed (default: detect per file)")
    parser.add_argument("--column", action="append", default=[], metavar="FIELD=NAME",
                        help="JSON/CSV column mapping, e.g. --column text=body --column published=pub_date")
    parser.add_argument("--encoding", default="utf-8", help="text encoding of the input files (default utf-8)")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")
    parser.add_argument("--no-cluster", action="store_true", help="do not cluster events across articles")
    parser.add_argument("--strict", action="store_true", help="exit with status 1 if any article failed")


def _columns(pairs: Sequence[str]) -> dict[str, str]:
    columns: dict[str, str] = {}
    for pair in pairs:
        name, sep, column = pair.partition("=")
        if not sep or not name.strip() or not column.strip():
            raise InputError(f"--column expects FIELD=NAME, got {pair!r}")
        columns[name.strip()] = column.strip()
    return columns


def run_cli(args: argparse.Namespace) -> int:
    """Run ``geo ingest``; prints the summary on stderr. Exit status 0, or 1 with ``--strict`` and failures."""
    read_options: dict[str, Any] = {"encoding": args.encoding}
    if args.input_format:
        read_options["format"] = args.input_format
    if args.column:
        read_options["columns"] = _columns(args.column)
    if not args.no_progress and not sys.stderr.isatty():
        args.no_progress = True  # a bar redrawn into a log file is noise
    summary = ingest(
        args.paths,
        args.store,
        engine=args.engine,
        workers=args.workers,
        scheduler=args.scheduler,
        reprocess=args.reprocess,
        output=args.output,
        progress=not args.no_progress,
        batch_size=args.batch_size,
        read_options=read_options,
        cluster=not args.no_cluster,
        online=args.online,
        follow_links=not args.no_follow,
    )
    print(summary.format(), file=sys.stderr)
    return 1 if args.strict and summary.failed else 0
