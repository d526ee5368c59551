"""Crash safety and concurrency of the SQLite event store, with real processes.

- A writer killed with SIGKILL in the middle of batch writes leaves a sound store holding exactly the batches it
  committed (each batch all-or-nothing); the next run completes the work with no duplicate rows.
- A process killed in the middle of a schema migration leaves the store at its old version with all its data;
  the next open migrates it.
- One writer and several readers (processes and threads) run together for a few seconds without a single
  "database is locked" error or a torn read.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from geo.errors import StoreError
from geo.store import MIGRATION_PAUSE_ENV, SCHEMA_VERSION, EventFilter, EventStore
from tests.helpers.readers import read_for
from tests.helpers.synthetic import (
    DATES_PER_ARTICLE,
    EVENTS_PER_ARTICLE,
    TOPONYMS_PER_ARTICLE,
    article_id,
    make_result,
    make_v1_store,
)

WORKER = Path(__file__).resolve().parent / "helpers" / "store_worker.py"
ROOT = Path(__file__).resolve().parent.parent


def _spawn(*args: str, env: dict[str, str] | None = None) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, str(WORKER), *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, cwd=ROOT, env={**os.environ, **(env or {})})


def _raw_counts(path: Path) -> dict[str, int]:
    """Row counts read with plain sqlite3 (independent of the code under test)."""
    conn = sqlite3.connect(path)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
        return {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
                for t in ("articles", "events", "toponyms", "date_mentions", "article_fts")}
    finally:
        conn.close()


def _assert_whole(path: Path, n_articles: int) -> None:
    """Exactly ``n_articles`` articles, each with all of its rows, no duplicates anywhere."""
    counts = _raw_counts(path)
    assert counts == {"articles": n_articles, "events": n_articles * EVENTS_PER_ARTICLE,
                      "toponyms": n_articles * TOPONYMS_PER_ARTICLE, "date_mentions": n_articles * DATES_PER_ARTICLE,
                      "article_fts": n_articles}
    conn = sqlite3.connect(path)
    try:
        ids = [r[0] for r in conn.execute("SELECT id FROM articles ORDER BY id")]
        bad = conn.execute("SELECT article_id, count(*) FROM events GROUP BY article_id HAVING count(*) != ?",
                           (EVENTS_PER_ARTICLE,)).fetchall()
    finally:
        conn.close()
    assert ids == [article_id(i) for i in range(n_articles)]  # a prefix: batches are committed in order
    assert bad == []


def _kill_after(proc: subprocess.Popen, committed_batches: int, extra_delay: float) -> tuple[int, str]:
    """Read the worker's progress; SIGKILL it ``extra_delay`` s after it reports ``committed_batches`` batches.

    Returns the number of batches it reported committed before dying and its last line.
    """
    committed, last = 0, ""
    assert proc.stdout is not None
    for line in proc.stdout:
        last = line.strip()
        if last.startswith("committed"):
            committed += 1
            if committed == committed_batches:
                time.sleep(extra_delay)
                proc.send_signal(signal.SIGKILL)
                break
        if last == "done":
            break
    proc.wait(timeout=30)
    # Lines written before the kill but not read yet still count as committed.
    rest = proc.stdout.read()
    for line in rest.splitlines():
        last = line.strip() or last
        if line.startswith("committed"):
            committed += 1
    return committed, last


@pytest.mark.slow
def test_sigkill_during_batch_writes_loses_nothing_committed(tmp_path: Path) -> None:
    path = tmp_path / "events.sqlite"
    total, batch = 1200, 100
    kills = 0
    interrupted_mid_batch = 0
    # Kill the writer three times at different points, each run resuming where the last one stopped.
    for round_, (after, delay) in enumerate(((2, 0.0), (1, 0.05), (1, 0.15))):
        proc = _spawn("write", str(path), str(total), str(batch))
        committed_now, last = _kill_after(proc, after, delay)
        assert proc.returncode == -signal.SIGKILL, proc.stderr.read() if proc.stderr else ""
        kills += 1
        interrupted_mid_batch += last.startswith("begin")
        counts = _raw_counts(path)
        n = counts["articles"]
        # Complete up to the last committed batch, and every batch all or nothing.
        assert n % batch == 0, f"round {round_}: {n} articles is not a whole number of batches"
        _assert_whole(path, n)
        # Readable through the API, read-only first (as the dashboard opens it right after a crash).
        with EventStore(path, readonly=True) as ro:
            assert ro.integrity_check() == "ok"
            assert ro.count_events(EventFilter(happened_only=False)) == n * EVENTS_PER_ARTICLE
    assert kills == 3
    # The next run finishes the work with no duplicates.
    proc = _spawn("write", str(path), str(total), str(batch))
    out, err = proc.communicate(timeout=300)
    assert proc.returncode == 0, err
    assert out.strip().endswith("done")
    _assert_whole(path, total)
    with EventStore(path) as store:
        assert store.known_article_ids(article_id(i) for i in range(total)) == {article_id(i) for i in range(total)}
        assert len(store.query_events(EventFilter(keyword="word5", happened_only=False))) > 0
    # At least one kill should land inside a batch (the write dominates each batch's time); report, not flaky.
    print(f"kills={kills} mid_batch={interrupted_mid_batch}")


def _wait_for(marker: Path, proc: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not marker.exists():
        if proc.poll() is not None:
            raise AssertionError(f"process ended before the migration pause: {proc.stderr.read()}")
        if time.monotonic() > deadline:
            proc.kill()
            raise AssertionError("migration pause not reached")
        time.sleep(0.02)


def _open_in_subprocess(path: Path, marker: Path) -> subprocess.Popen:
    code = "import sys; from geo.store import EventStore; EventStore(sys.argv[1]).close()"
    return subprocess.Popen([sys.executable, "-c", code, str(path)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, cwd=ROOT,
                            env={**os.environ, MIGRATION_PAUSE_ENV: str(marker)})


@pytest.mark.slow
def test_sigkill_during_migration_keeps_old_version_and_data(tmp_path: Path) -> None:
    path = tmp_path / "events.sqlite"
    n = 400
    make_v1_store(path, n)
    marker = tmp_path / "migrating"
    proc = _open_in_subprocess(path, marker)
    _wait_for(marker, proc)  # the v1 -> v2 statements have run, uncommitted
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL

    conn = sqlite3.connect(path)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("PRAGMA user_version").fetchone()[0] == 1
        columns = {r[1] for r in conn.execute("PRAGMA table_info(articles)")}
        assert "fts_rowid" not in columns  # the half-done migration was rolled back as a whole
    finally:
        conn.close()
    counts = _raw_counts(path)
    assert counts["articles"] == n and counts["article_fts"] == n and counts["events"] == n * EVENTS_PER_ARTICLE
    with pytest.raises(StoreError, match="needs migrating"):
        EventStore(path, readonly=True)

    # The next open migrates; nothing lost, full-text search works, re-saving does not duplicate.
    with EventStore(path) as store:
        assert store.schema_version == SCHEMA_VERSION
        assert store.integrity_check() == "ok"
        hits = set(store.query_events(EventFilter(keyword="word7", happened_only=False))["article_id"])
        assert hits == {article_id(i) for i in range(n) if i % 97 == 7}
        store.save_results([make_result(i) for i in range(0, n, 3)])
        store.save_results([make_result(i) for i in range(n, n + 10)])
    _assert_whole(path, n + 10)


@pytest.mark.slow
def test_sigkill_while_creating_a_new_store(tmp_path: Path) -> None:
    path = tmp_path / "new.sqlite"
    marker = tmp_path / "migrating"
    proc = _open_in_subprocess(path, marker)
    _wait_for(marker, proc)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    with EventStore(path) as store:
        assert store.schema_version == SCHEMA_VERSION
        store.save_results([make_result(i) for i in range(5)])
    _assert_whole(path, 5)


@pytest.mark.slow
def test_writer_and_readers_in_parallel_without_locking_errors(tmp_path: Path) -> None:
    path = tmp_path / "events.sqlite"
    seconds = 4.0
    with EventStore(path) as store:  # the store exists before the dashboard opens it read-only
        store.save_results([make_result(i) for i in range(20)])
    writer = _spawn("write", str(path), "100000", "50")
    readers = [_spawn("read", str(path), str(seconds)) for _ in range(3)]
    # Threads sharing one read-only store object (as the dashboard's cached resource is shared by sessions),
    # and one thread with its own connection.
    shared = EventStore(path, readonly=True)
    thread_results: list[dict] = []
    threads = [threading.Thread(target=lambda s=s: thread_results.append(read_for(str(path), seconds, s)))
               for s in (shared, shared, None)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    shared.close()
    process_results = []
    for proc in readers:
        out, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err
        process_results.append(json.loads(out.strip().splitlines()[-1]))
    writer.send_signal(signal.SIGKILL)  # mid-run, on purpose: the store must stay sound
    out, _ = writer.communicate(timeout=30)
    committed = sum(1 for line in out.splitlines() if line.startswith("committed"))

    results = thread_results + process_results
    assert len(results) == 6
    for r in results:
        assert r["errors"] == [], r["errors"][:3]
        assert r["torn"] == [], r["torn"][:3]
        assert r["queries"] > 0
    assert committed >= 2, "the writer made no progress while readers were running"
    assert max(r["last_articles"] for r in results) > 20, "readers never saw the writer's new articles"
    n = _raw_counts(path)["articles"]
    assert n % 50 == 0  # the writer resumes from article 0 in batches of 50, skipping the 20 stored ones
    _assert_whole(path, n)
    print(f"writer batches={committed} reader queries={sum(r['queries'] for r in results)}")
