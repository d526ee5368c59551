"""`geo ingest` with the real pipeline: idempotence, resuming after SIGKILL, reprocessing, engines, output."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

import geo
from geo.articles import read_articles
from geo.cli import main
from geo.errors import GeoError, InputError
from geo.ingest import DEFAULT_PIPELINE, IngestSummary, ingest, register_pipeline
from geo.store import EventFilter, EventStore

ROOT = Path(__file__).resolve().parent.parent
VOA = ROOT / "seeds" / "voa_stories.jsonl"

#: Articles in the test corpus: enough that a kill after the first stored batch is mid-way, few enough to be quick.
CORPUS_SIZE = 12


@pytest.fixture(scope="module")
def corpus(tmp_path_factory, sample_article_path) -> Path:
    """A folder: the sample article and the first VOA stories (shortened so the suite stays fast)."""
    folder = tmp_path_factory.mktemp("corpus")
    with VOA.open(encoding="utf-8") as fh, (folder / "voa.jsonl").open("w", encoding="utf-8") as out:
        for line in list(fh)[: CORPUS_SIZE - 1]:
            record = json.loads(line)
            record["text"] = record["text"][:1500]
            out.write(json.dumps(record) + "\n")
    (folder / "sample.txt").write_bytes(sample_article_path.read_bytes())
    (folder / "README.md").write_text("not an article", encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def corpus_ids(corpus) -> set[str]:
    ids = {a.id for a in read_articles(corpus)}
    assert len(ids) == CORPUS_SIZE
    return ids


@pytest.fixture(scope="module")
def in_process(pipeline):
    """In-process ingests (workers=1) reuse the session's loaded pipeline."""
    register_pipeline(pipeline, DEFAULT_PIPELINE)
    return pipeline


@pytest.fixture(scope="module")
def reference(tmp_path_factory, corpus, in_process) -> tuple[Path, IngestSummary]:
    """The corpus ingested once, in this process: the result every other engine must reproduce."""
    path = tmp_path_factory.mktemp("reference") / "events.sqlite"
    summary = ingest(corpus, path, workers=1, progress=False, batch_size=4)
    return path, summary


def _events(path: Path) -> set[tuple]:
    with EventStore(path, readonly=True) as store:
        df = store.query_events(EventFilter(happened_only=False))
    return {
        (r.id, r.article_id, r.type, r.date, None if r.geonameid is None or str(r.geonameid) == "<NA>"
         else int(r.geonameid), r.sentence)
        for r in df.itertuples()
    }


def _stats(path: Path) -> dict[str, int]:
    with EventStore(path, readonly=True) as store:
        return store.stats()


def test_reference_ingest_summary(reference, corpus_ids):
    path, summary = reference
    assert summary.read == summary.processed == CORPUS_SIZE
    assert summary.skipped == summary.duplicates == 0 and summary.failed == []
    stats = _stats(path)
    assert stats["articles"] == CORPUS_SIZE and stats["events"] == summary.events > 0
    with EventStore(path, readonly=True) as store:
        assert store.known_article_ids(corpus_ids, pipeline_version=geo.PIPELINE_VERSION) == corpus_ids
    text = summary.format()
    assert f"read {CORPUS_SIZE} article(s)" in text and f"events stored: {summary.events}" in text


def test_ingest_twice_stores_once(tmp_path, corpus, reference, in_process):
    path = tmp_path / "events.sqlite"
    first = ingest(corpus, path, workers=1, progress=False, batch_size=5)
    before = _events(path)
    second = ingest([corpus, corpus / "voa.jsonl"], path, workers=1, progress=False)
    assert first.processed == CORPUS_SIZE
    assert second.processed == 0 and second.events == 0
    assert second.skipped == CORPUS_SIZE and second.duplicates == CORPUS_SIZE - 1  # voa.jsonl named twice
    assert _stats(path) == _stats(reference[0])
    assert _events(path) == before == _events(reference[0])


def test_killed_ingest_resumes_with_every_article_once(tmp_path, corpus, corpus_ids, reference, in_process):
    path = tmp_path / "events.sqlite"
    cmd = [sys.executable, "-m", "geo.cli", "ingest", str(corpus), "--store", str(path), "--workers", "2",
           "--batch-size", "1", "--no-progress", "--no-cluster"]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True,
                            cwd=ROOT)
    stored = 0
    deadline = time.monotonic() + 300
    try:
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                stored = _stats(path)["articles"]
            except GeoError:
                stored = 0  # the store is being created
            if stored >= 1:
                break
            time.sleep(0.02)
    finally:
        os.killpg(proc.pid, signal.SIGKILL)  # the ingest and its worker processes, mid-way
        _, err = proc.communicate(timeout=60)
    assert proc.returncode == -signal.SIGKILL, err.decode(errors="replace")
    partial = _stats(path)["articles"]
    assert 1 <= partial < CORPUS_SIZE, "the ingest was not interrupted mid-way"
    with EventStore(path, readonly=True) as store:
        assert store.integrity_check() == "ok"

    resumed = ingest(corpus, path, workers=1, progress=False)
    assert resumed.skipped == partial and resumed.processed == CORPUS_SIZE - partial
    with EventStore(path, readonly=True) as store:
        assert store.known_article_ids(corpus_ids) == corpus_ids
        assert store.stats()["articles"] == CORPUS_SIZE  # none lost, none twice
    assert _events(path) == _events(reference[0])


@pytest.mark.slow
def test_dask_local_cluster_gives_the_same_events(tmp_path, corpus, reference):
    path = tmp_path / "events.sqlite"
    summary = ingest(corpus, path, engine="dask", workers=2, progress=False, batch_size=3)
    assert summary.engine == "dask" and summary.workers == 2
    assert summary.processed == CORPUS_SIZE and summary.failed == []
    assert len(summary.worker_peak_rss_mb) == 2 and min(summary.worker_peak_rss_mb.values()) > 50
    assert _events(path) == _events(reference[0])


@pytest.mark.slow
def test_dask_workers_keep_mallocs_adaptive_threshold(monkeypatch):
    """Dask's nanny would export MALLOC_TRIM_THRESHOLD_, which makes spaCy's large buffers mmap on every call."""
    from geo.ingest import DaskEngine

    monkeypatch.delenv("MALLOC_TRIM_THRESHOLD_", raising=False)
    with DaskEngine(1) as engine:
        seen = engine.client.run(os.environ.get, "MALLOC_TRIM_THRESHOLD_")
        threads = engine.client.run(os.environ.get, "OMP_NUM_THREADS")
    assert len(seen) == 1 and set(seen.values()) == {None}
    assert set(threads.values()) == {"1"}  # the nanny's other settings still apply


def test_reprocess_after_a_pipeline_change(tmp_path, corpus, corpus_ids, in_process, monkeypatch):
    path = tmp_path / "events.sqlite"
    ingest(corpus / "voa.jsonl", path, workers=1, progress=False)
    n = CORPUS_SIZE - 1
    monkeypatch.setattr(geo, "PIPELINE_VERSION", "test-next")
    stale = ingest(corpus / "voa.jsonl", path, workers=1, progress=False)
    assert stale.processed == 0 and stale.skipped == n and stale.stale == n
    assert "--reprocess" in stale.format()
    redone = ingest(corpus / "voa.jsonl", path, workers=1, progress=False, reprocess=True)
    assert redone.processed == n and redone.skipped == 0
    again = ingest(corpus / "voa.jsonl", path, workers=1, progress=False, reprocess=True)
    assert again.processed == 0 and again.skipped == n  # a finished (or interrupted) reprocess resumes
    with EventStore(path, readonly=True) as store:
        assert len(store.known_article_ids(corpus_ids, pipeline_version="test-next")) == n
        assert store.stats()["articles"] == n


def test_bad_records_are_reported_and_good_ones_stored(tmp_path, in_process):
    data = tmp_path / "mixed.jsonl"
    data.write_text(
        '{"title": "Protest in Nairobi", "date": "2024-06-25", "text": "Thousands of protesters marched in '
        'Nairobi on Tuesday."}\n{"title": "broken"\n{"title": "empty", "text": ""}\n',
        encoding="utf-8",
    )
    path = tmp_path / "events.sqlite"
    summary = ingest(data, path, workers=1, progress=False)
    assert summary.read == summary.processed == 1
    assert [f.where for f in summary.failed] == [f"{data}:2", f"{data}:3"]
    assert "invalid JSON" in summary.failed[0].reason and "no text" in summary.failed[1].reason
    assert _stats(path)["articles"] == 1


def test_output_writes_a_geoparquet_dataset(tmp_path, corpus, reference, in_process):
    import duckdb

    path = tmp_path / "events.sqlite"
    out = tmp_path / "dataset"
    summary = ingest(corpus, path, workers=1, progress=False, output=out)
    assert summary.output == str(out)
    total = _stats(path)["events"]
    count = duckdb.connect().execute(
        f"SELECT count(*) FROM read_parquet('{out}/**/*.parquet', hive_partitioning=true)").fetchone()[0]
    assert count == total > 0
    assert all(p.name.startswith("month=") for p in out.iterdir())


def test_cli_ingest(tmp_path, corpus, in_process, capsys):
    path = tmp_path / "events.sqlite"
    assert main(["ingest", str(corpus / "sample.txt"), "--store", str(path), "--workers", "1",
                 "--no-progress"]) == 0
    err = capsys.readouterr().err
    assert "read 1 article(s): 1 processed" in err and "events stored:" in err
    bad = tmp_path / "bad.jsonl"
    bad.write_text("{oops\n", encoding="utf-8")
    assert main(["ingest", str(bad), "--store", str(path), "--workers", "1", "--no-progress"]) == 0
    assert main(["ingest", str(bad), "--store", str(path), "--workers", "1", "--no-progress", "--strict"]) == 1
    assert f"{bad}:1" in capsys.readouterr().err
    assert main(["ingest", str(tmp_path / "missing"), "--store", str(path), "--workers", "1"]) == 2
    assert "no such file" in capsys.readouterr().err


def test_option_errors(tmp_path):
    with pytest.raises(InputError, match="engine"):
        ingest(tmp_path, tmp_path / "e.sqlite", engine="spark", progress=False)
    with pytest.raises(InputError, match="scheduler"):
        ingest(tmp_path, tmp_path / "e.sqlite", scheduler="tcp://x:1", progress=False)
    with pytest.raises(InputError, match="workers"):
        ingest(tmp_path, tmp_path / "e.sqlite", workers=0, progress=False)
    assert main(["ingest", str(tmp_path), "--store", str(tmp_path / "e.sqlite"), "--column", "text"]) == 2
