"""The SQLite event store: articles, place and date mentions, events.

One file (``data/events.sqlite`` by default), WAL mode so the dashboard reads while an ingest writes, a versioned
schema migrated in a transaction, and idempotent writes: saving an article again replaces its rows, in one
transaction per batch, so an interrupted ingest never leaves half an article behind.

Examples
--------
>>> import tempfile, pathlib
>>> with EventStore(pathlib.Path(tempfile.mkdtemp()) / "e.sqlite") as store:
...     store.stats()["articles"]
0
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import sqlite3
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable, Iterator, Sequence

from geo import PIPELINE_VERSION
from geo.errors import StoreError
from geo.model import Article, DateMention, Event, ParseResult, Toponym

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

PROJECT_ROOT = Path(__file__).resolve().parent.parent

#: Columns of :meth:`EventStore.query_events`, in order.
EVENT_COLUMNS = (
    "id", "article_id", "type", "family", "date", "date_precision", "date_source", "lat", "lon", "geonameid",
    "place_name", "place_kind", "precision", "country_code", "admin1_code", "confidence", "happened",
    "cluster_id", "sentence", "trigger_text", "place_text", "title", "published", "source", "url",
)

#: Precisions counted as "vague" by :meth:`EventStore.quality`.
VAGUE_PRECISIONS = ("country", "region")
#: Confidence under which an event counts as low-confidence.
LOW_CONFIDENCE = 0.5

_SCHEMA_V1 = """
CREATE TABLE articles (
    id TEXT PRIMARY KEY,
    title TEXT NOT NULL DEFAULT '',
    text TEXT NOT NULL DEFAULT '',
    published TEXT,
    source TEXT,
    url TEXT,
    path TEXT,
    metadata TEXT NOT NULL DEFAULT '{}',
    pipeline_version TEXT NOT NULL,
    ingested_at TEXT NOT NULL
);
CREATE TABLE toponyms (
    article_id TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    start INTEGER NOT NULL,
    "end" INTEGER NOT NULL,
    text TEXT NOT NULL,
    geonameid INTEGER,
    name TEXT,
    kind TEXT,
    lat REAL,
    lon REAL,
    country_code TEXT,
    admin1_code TEXT,
    score REAL,
    data TEXT NOT NULL,
    PRIMARY KEY (article_id, start, "end")
);
CREATE TABLE date_mentions (
    article_id TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    start INTEGER NOT NULL,
    "end" INTEGER NOT NULL,
    text TEXT NOT NULL,
    date TEXT,
    precision TEXT,
    data TEXT NOT NULL,
    PRIMARY KEY (article_id, start, "end")
);
CREATE TABLE events (
    id TEXT PRIMARY KEY,
    article_id TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    type TEXT NOT NULL,
    family TEXT NOT NULL,
    date TEXT,
    date_precision TEXT,
    date_source TEXT,
    lat REAL,
    lon REAL,
    geonameid INTEGER,
    place_name TEXT,
    place_kind TEXT,
    precision TEXT,
    country_code TEXT,
    admin1_code TEXT,
    confidence REAL NOT NULL DEFAULT 0,
    happened INTEGER NOT NULL DEFAULT 1,
    cluster_id TEXT,
    sentence TEXT,
    trigger_text TEXT,
    place_text TEXT,
    data TEXT NOT NULL
);
CREATE INDEX events_date ON events(date);
CREATE INDEX events_type ON events(type);
CREATE INDEX events_country ON events(country_code);
CREATE INDEX events_article ON events(article_id);
CREATE INDEX events_lonlat ON events(lon, lat);
CREATE INDEX events_cluster ON events(cluster_id);
CREATE VIRTUAL TABLE article_fts USING fts5(article_id UNINDEXED, title, text);
"""

# Version 2: the full-text row of an article is found through ``articles.fts_rowid`` instead of a scan of the
# (unindexed) ``article_fts.article_id`` column, which made every re-save cost a full pass over the index and a
# large ingest quadratic. A stored column, not the articles' implicit rowid, which VACUUM may renumber.
_SCHEMA_V2 = """
ALTER TABLE articles ADD COLUMN fts_rowid INTEGER;
DELETE FROM article_fts;
INSERT INTO article_fts (rowid, article_id, title, text) SELECT rowid, id, title, text FROM articles;
UPDATE articles SET fts_rowid = rowid;
"""

# Version 3: a covering index for the map's aggregation scans (filter columns + coordinates), so a scan over
# 100,000 events never reads the large ``data`` JSON column.
_SCHEMA_V3 = """
CREATE INDEX events_map ON events(happened, date, type, family, precision, country_code, admin1_code, confidence,
    lat, lon, place_name, article_id, id);
"""

#: Ordered migrations; entry ``i`` brings the schema from version ``i`` to ``i + 1``.
MIGRATIONS: tuple[str, ...] = (_SCHEMA_V1, _SCHEMA_V2, _SCHEMA_V3)
SCHEMA_VERSION = len(MIGRATIONS)

#: Test-only hook: when this variable names a file, each migration step creates that file after running its
#: statements and then waits (inside the still-open transaction) so a test can kill the process mid-migration.
MIGRATION_PAUSE_ENV = "GEO_STORE_TEST_MIGRATION_PAUSE"

_SURROGATES = re.compile("[\ud800-\udfff]")


def _sql_text(value: str | None) -> str | None:
    """``value`` as SQLite can bind it: lone surrogates (from undecodable bytes) become U+FFFD.

    The replacement keeps the string's length, so character spans into the text stay valid.
    """
    if value is None:
        return None
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return _SURROGATES.sub("\ufffd", value)
    return value


def _json(value: Any) -> str:
    return _sql_text(json.dumps(value, default=str, ensure_ascii=False))  # type: ignore[return-value]


def default_store_path() -> Path:
    """The store used when none is given: ``$GEO_STORE`` or ``data/events.sqlite`` under the project root."""
    env = os.environ.get("GEO_STORE")
    return Path(env) if env else PROJECT_ROOT / "data" / "events.sqlite"


@dataclass(frozen=True)
class EventFilter:
    """What the dashboard and ``geo export`` ask for; every field narrows the result, empty means "any".

    ``bbox`` is ``(west, south, east, north)`` in degrees (west > east crosses the antimeridian).
    ``keyword`` is a full-text search in the article's title and text.
    """

    start: dt.date | None = None
    end: dt.date | None = None
    types: tuple[str, ...] = ()
    families: tuple[str, ...] = ()
    countries: tuple[str, ...] = ()
    admin1: tuple[str, ...] = ()
    place_text: str | None = None
    keyword: str | None = None
    min_confidence: float = 0.0
    precisions: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    bbox: tuple[float, float, float, float] | None = None
    happened_only: bool = True
    limit: int | None = None


@dataclass(frozen=True)
class SaveSummary:
    """What one :meth:`EventStore.save_results` call wrote."""

    articles: int = 0
    events: int = 0
    toponyms: int = 0
    article_ids: tuple[str, ...] = field(default=(), repr=False)


def _fts_query(keyword: str) -> str:
    """Quote every word so user text is never parsed as FTS5 syntax (NUL, which ends FTS5's string, dropped)."""
    words = [w.replace('"', '""') for w in keyword.replace("\x00", " ").split() if w.strip()]
    return " ".join(f'"{w}"' for w in words)


def _iso(value: dt.date | None) -> str | None:
    return value.isoformat() if value is not None else None


class EventStore:
    """The SQLite event store.

    Parameters
    ----------
    path:
        The database file; :func:`default_store_path` when omitted. Parent folders are created.
    readonly:
        Open without write access (the file must exist).

    The object is safe to share between threads (the dashboard does): every call takes an internal lock.
    """

    def __init__(self, path: str | Path | None = None, *, readonly: bool = False) -> None:
        self.path = Path(path) if path is not None else default_store_path()
        self.readonly = readonly
        self._lock = threading.RLock()
        try:
            if readonly:
                if not self.path.exists():
                    raise StoreError(f"{self.path}: no event store here yet (run `geo ingest` first)")
                uri = self.path.resolve().as_uri() + "?mode=ro"  # percent-encoded: '?' or '#' in a path is safe
                self._conn = sqlite3.connect(uri, uri=True, check_same_thread=False, isolation_level=None)
            else:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                self._conn = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None,
                                             timeout=60)
            self._conn.row_factory = sqlite3.Row
            self._conn.execute("PRAGMA busy_timeout = 60000")
            self._conn.execute("PRAGMA foreign_keys = ON")
            if not readonly:
                mode = self._conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
                if str(mode).lower() != "wal":  # pragma: no cover - only on filesystems without shared memory
                    raise StoreError(f"{self.path}: cannot switch the store to WAL mode (got {mode})")
                self._conn.execute("PRAGMA synchronous = NORMAL")
                self._migrate()
            else:
                self._check_version()
        except sqlite3.DatabaseError as exc:
            self._close_quietly()
            raise StoreError(f"{self.path}: not a usable event store ({exc})") from exc
        except OSError as exc:
            self._close_quietly()
            raise StoreError(f"{self.path}: cannot open the event store ({exc})") from exc

    def _close_quietly(self) -> None:
        conn = getattr(self, "_conn", None)
        if conn is not None:
            try:
                conn.close()
            except sqlite3.Error:  # pragma: no cover
                pass

    # -- lifecycle -----------------------------------------------------------------------------------------
    def close(self) -> None:
        """Close the connection (idempotent)."""
        with self._lock:
            try:
                self._conn.close()
            except sqlite3.Error:  # pragma: no cover
                pass

    def __enter__(self) -> "EventStore":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- schema --------------------------------------------------------------------------------------------
    @property
    def schema_version(self) -> int:
        with self._lock:
            return int(self._conn.execute("PRAGMA user_version").fetchone()[0])

    def _check_version(self) -> None:
        version = self.schema_version
        if version > SCHEMA_VERSION:
            raise StoreError(f"{self.path}: store schema version {version} is newer than this program's "
                             f"({SCHEMA_VERSION}); upgrade geo")
        if version < SCHEMA_VERSION:
            raise StoreError(f"{self.path}: store schema version {version} needs migrating; open it for writing once")

    def _migrate(self) -> None:
        """Apply pending migrations, each with its version bump, in one transaction."""
        with self._lock:
            version = self.schema_version
            if version > SCHEMA_VERSION:
                self._check_version()
            if version == SCHEMA_VERSION:
                return
            with self._write():
                version = self.schema_version  # re-read under the write lock: another process may have migrated
                for step in range(version, SCHEMA_VERSION):
                    for statement in MIGRATIONS[step].split(";\n"):
                        if statement.strip():
                            self._conn.execute(statement)
                    self._pause_for_tests()
                    self._conn.execute(f"PRAGMA user_version = {step + 1}")

    @staticmethod
    def _pause_for_tests() -> None:
        marker = os.environ.get(MIGRATION_PAUSE_ENV)
        if marker:
            Path(marker).touch()
            time.sleep(600)

    class _Tx:
        def __init__(self, store: "EventStore") -> None:
            self.store = store

        def __enter__(self) -> sqlite3.Connection:
            self.store._lock.acquire()
            try:
                self.store._conn.execute("BEGIN IMMEDIATE")
            except BaseException:
                self.store._lock.release()
                raise
            return self.store._conn

        def __exit__(self, exc_type: object, *rest: object) -> None:
            conn = self.store._conn
            try:
                if exc_type is None:
                    try:
                        conn.execute("COMMIT")
                    except BaseException:
                        # A failed COMMIT (disk full, I/O error) can leave the transaction open; end it so the
                        # connection stays usable and nothing half-written is ever committed later.
                        if conn.in_transaction:
                            conn.execute("ROLLBACK")
                        raise
                elif conn.in_transaction:
                    conn.execute("ROLLBACK")
            finally:
                self.store._lock.release()

    def _write(self) -> "_Tx":
        if self.readonly:
            raise StoreError(f"{self.path}: the store was opened read-only")
        return EventStore._Tx(self)

    # -- writing -------------------------------------------------------------------------------------------
    def save_results(self, results: Iterable[ParseResult], *, pipeline_version: str = PIPELINE_VERSION) -> SaveSummary:
        """Store articles with their mentions and events, in one transaction.

        Saving an article that is already stored replaces its mentions and events, so repeating a save (or
        re-processing after the pipeline changed) never duplicates anything.
        """
        results = list(results)
        if not results:
            return SaveSummary()
        now = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
        n_events = n_toponyms = 0
        try:
            with self._write() as conn:
                for r in results:
                    a = r.article
                    self._delete_article(conn, a.id)
                    title, text = _sql_text(a.title), _sql_text(a.text)
                    fts_rowid = conn.execute("INSERT INTO article_fts (article_id, title, text) VALUES (?,?,?)",
                                             (a.id, title, text)).lastrowid
                    conn.execute(
                        "INSERT INTO articles (id, title, text, published, source, url, path, metadata,"
                        " pipeline_version, ingested_at, fts_rowid) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                        (a.id, title, text, _iso(a.published), _sql_text(a.source), _sql_text(a.url),
                         _sql_text(a.path), _json(dict(a.metadata)), pipeline_version, now, fts_rowid),
                    )
                    conn.executemany(
                        'INSERT OR REPLACE INTO toponyms (article_id, start, "end", text, geonameid, name, kind,'
                        " lat, lon, country_code, admin1_code, score, data) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
                        [self._toponym_row(a.id, t) for t in r.toponyms],
                    )
                    conn.executemany(
                        'INSERT OR REPLACE INTO date_mentions (article_id, start, "end", text, date, precision,'
                        " data) VALUES (?,?,?,?,?,?,?)",
                        [(a.id, d.start, d.end, _sql_text(d.text), _iso(d.date), d.precision, _json(d.to_dict()))
                         for d in r.dates],
                    )
                    conn.executemany(
                        "INSERT OR REPLACE INTO events (id, article_id, type, family, date, date_precision,"
                        " date_source, lat, lon, geonameid, place_name, place_kind, precision, country_code,"
                        " admin1_code, confidence, happened, cluster_id, sentence, trigger_text, place_text, data)"
                        " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                        [self._event_row(e) for e in r.events],
                    )
                    n_events += len(r.events)
                    n_toponyms += len(r.toponyms)
        except sqlite3.Error as exc:
            raise StoreError(f"{self.path}: could not save {len(results)} article(s): {exc}") from exc
        return SaveSummary(len(results), n_events, n_toponyms, tuple(r.article.id for r in results))

    @staticmethod
    def _toponym_row(article_id: str, t: Toponym) -> tuple:
        p = t.place
        return (article_id, t.start, t.end, _sql_text(t.text), p.geonameid if p else None,
                _sql_text(p.name) if p else None, p.kind if p else None, p.lat if p else None,
                p.lon if p else None, p.country_code if p else None, p.admin1_code if p else None, t.score,
                _json(t.to_dict()))

    @staticmethod
    def _event_row(e: Event) -> tuple:
        p = e.place
        return (e.id, e.article_id, e.type, e.family, _iso(e.date), e.date_precision, e.date_source,
                p.lat if p else None, p.lon if p else None, p.geonameid if p else None,
                _sql_text(p.name) if p else None, p.kind if p else None, e.precision,
                p.country_code if p else None, p.admin1_code if p else None, float(e.confidence),
                int(bool(e.happened)), e.cluster_id, _sql_text(e.sentence.text), _sql_text(e.trigger.text),
                _sql_text(e.place_span.text) if e.place_span else None, _json(e.to_dict()))

    @staticmethod
    def _delete_article(conn: sqlite3.Connection, article_id: str) -> bool:
        """Delete one article, its full-text row and (by cascade) its mentions and events; True if it existed."""
        row = conn.execute("SELECT fts_rowid FROM articles WHERE id = ?", (article_id,)).fetchone()
        if row is None:
            return False
        if row[0] is not None:
            conn.execute("DELETE FROM article_fts WHERE rowid = ?", (row[0],))
        conn.execute("DELETE FROM articles WHERE id = ?", (article_id,))
        return True

    def set_clusters(self, mapping: dict[str, str]) -> None:
        """Record which cluster (same incident across articles) each event belongs to."""
        if not mapping:
            return
        try:
            with self._write() as conn:
                conn.executemany("UPDATE events SET cluster_id = ? WHERE id = ?",
                                 [(cid, eid) for eid, cid in mapping.items()])
                rows = conn.execute("SELECT id, data FROM events WHERE id IN (SELECT value FROM json_each(?))",
                                    (json.dumps(list(mapping)),)).fetchall()
                for row in rows:
                    data = json.loads(row["data"])
                    data["cluster_id"] = mapping[row["id"]]
                    conn.execute("UPDATE events SET data = ? WHERE id = ?", (_json(data), row["id"]))
        except sqlite3.Error as exc:
            raise StoreError(f"{self.path}: could not record clusters: {exc}") from exc

    def delete_article(self, article_id: str) -> bool:
        """Remove one article and everything extracted from it; True if it was stored."""
        try:
            with self._write() as conn:
                return self._delete_article(conn, article_id)
        except sqlite3.Error as exc:
            raise StoreError(f"{self.path}: could not delete article {article_id!r}: {exc}") from exc

    # -- reading -------------------------------------------------------------------------------------------
    def read(self, sql: str, params: Sequence[Any] = ()) -> list[sqlite3.Row]:
        """Run a read-only query (for views that aggregate in SQL, such as the dashboard's map layers).

        Combine it with :meth:`filter_sql` so a view's filters mean exactly what ``geo export``'s mean.
        """
        return self._rows(sql, params)

    def filter_sql(self, f: EventFilter | None) -> tuple[str, list[Any]]:
        """The ``WHERE`` clause (over ``events e JOIN articles a``) and its parameters for a filter."""
        return self._where(f)

    def _rows(self, sql: str, params: Sequence[Any] = ()) -> list[sqlite3.Row]:
        with self._lock:
            try:
                return self._conn.execute(sql, params).fetchall()
            except sqlite3.Error as exc:
                raise StoreError(f"{self.path}: query failed: {exc}") from exc

    def known_article_ids(self, ids: Iterable[str], *, pipeline_version: str | None = None) -> set[str]:
        """Which of ``ids`` are stored (and, if ``pipeline_version`` is given, were processed by that version)."""
        ids = list(ids)
        found: set[str] = set()
        for i in range(0, len(ids), 500):
            chunk = ids[i:i + 500]
            sql = "SELECT id FROM articles WHERE id IN (SELECT value FROM json_each(?))"
            params: list[Any] = [json.dumps(chunk)]
            if pipeline_version is not None:
                sql += " AND pipeline_version = ?"
                params.append(pipeline_version)
            found.update(r["id"] for r in self._rows(sql, params))
        return found

    def _where(self, f: EventFilter | None) -> tuple[str, list[Any]]:
        f = f or EventFilter()
        clauses: list[str] = []
        params: list[Any] = []

        def any_of(column: str, values: Sequence[str]) -> None:
            if values:
                clauses.append(f"{column} IN (SELECT value FROM json_each(?))")
                params.append(json.dumps(list(values)))

        if f.happened_only:
            clauses.append("e.happened = 1")
        if f.start is not None:
            clauses.append("e.date >= ?")
            params.append(f.start.isoformat())
        if f.end is not None:
            clauses.append("e.date <= ?")
            params.append(f.end.isoformat())
        any_of("e.type", f.types)
        any_of("e.family", f.families)
        any_of("e.country_code", f.countries)
        any_of("e.admin1_code", f.admin1)
        any_of("e.precision", f.precisions)
        any_of("a.source", f.sources)
        if f.min_confidence > 0:
            clauses.append("e.confidence >= ?")
            params.append(float(f.min_confidence))
        if f.place_text:
            clauses.append("(e.place_name LIKE ? ESCAPE '\\' OR e.place_text LIKE ? ESCAPE '\\')")
            like = "%" + f.place_text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
            params += [like, like]
        if f.keyword and _fts_query(f.keyword):
            clauses.append("e.article_id IN (SELECT article_id FROM article_fts WHERE article_fts MATCH ?)")
            params.append(_fts_query(f.keyword))
        if f.bbox is not None:
            west, south, east, north = f.bbox
            clauses.append("e.lat BETWEEN ? AND ?")
            params += [south, north]
            if west <= east:
                clauses.append("e.lon BETWEEN ? AND ?")
                params += [west, east]
            else:
                clauses.append("(e.lon >= ? OR e.lon <= ?)")
                params += [west, east]
        where = " WHERE " + " AND ".join(clauses) if clauses else ""
        return where, params

    _SELECT = (
        "SELECT e.id, e.article_id, e.type, e.family, e.date, e.date_precision, e.date_source, e.lat, e.lon,"
        " e.geonameid, e.place_name, e.place_kind, e.precision, e.country_code, e.admin1_code, e.confidence,"
        " e.happened, e.cluster_id, e.sentence, e.trigger_text, e.place_text, a.title, a.published, a.source, a.url"
        " FROM events e JOIN articles a ON a.id = e.article_id"
    )

    def _frame(self, rows: list[sqlite3.Row]) -> "pd.DataFrame":
        import pandas as pd

        records = [tuple(r) for r in rows]
        df = pd.DataFrame(records, columns=list(EVENT_COLUMNS), dtype=object)
        for col in ("date", "published"):
            i = EVENT_COLUMNS.index(col)
            df[col] = pd.Series([dt.date.fromisoformat(r[i]) if r[i] else None for r in records], dtype=object)
        for col in ("lat", "lon", "confidence"):
            df[col] = pd.to_numeric(df[col], errors="coerce").astype(float)
        df["geonameid"] = df["geonameid"].astype("Int64")
        df["happened"] = df["happened"].astype(bool)
        return df

    def query_events(self, f: EventFilter | None = None) -> "pd.DataFrame":
        """Events matching ``f`` (newest first), one row per event with :data:`EVENT_COLUMNS`."""
        where, params = self._where(f)
        sql = f"{self._SELECT}{where} ORDER BY e.date DESC, e.id"
        if f is not None and f.limit is not None:
            sql += " LIMIT ?"
            params.append(int(f.limit))
        return self._frame(self._rows(sql, params))

    def iter_events(self, f: EventFilter | None = None, *, chunk_size: int = 10_000) -> Iterator["pd.DataFrame"]:
        """The same rows as :meth:`query_events`, in chunks, for exports of very large stores."""
        where, params = self._where(f)
        with self._lock:
            cursor = self._conn.execute(f"{self._SELECT}{where} ORDER BY e.date DESC, e.id", params)
            rows = cursor.fetchmany(chunk_size)
        while rows:
            yield self._frame(rows)
            with self._lock:
                rows = cursor.fetchmany(chunk_size)

    def count_events(self, f: EventFilter | None = None) -> int:
        """How many events match ``f``."""
        where, params = self._where(f)
        return int(self._rows(f"SELECT count(*) FROM events e JOIN articles a ON a.id = e.article_id{where}",
                              params)[0][0])

    _PERIODS = {
        "day": "e.date",
        "week": "date(e.date, 'weekday 0', '-6 days')",
        "month": "substr(e.date, 1, 7) || '-01'",
        "year": "substr(e.date, 1, 4) || '-01-01'",
    }

    def counts_by_period(self, f: EventFilter | None = None, period: str = "day") -> "pd.DataFrame":
        """Event counts per period (first day of the day/week/month/year) and family; undated events left out."""
        import pandas as pd

        if period not in self._PERIODS:
            raise StoreError(f"unknown period {period!r}; use one of {', '.join(self._PERIODS)}")
        where, params = self._where(f)
        where = (where + " AND " if where else " WHERE ") + "e.date IS NOT NULL"
        rows = self._rows(
            f"SELECT {self._PERIODS[period]} AS period, e.family, count(*) AS n FROM events e"
            f" JOIN articles a ON a.id = e.article_id{where} GROUP BY 1, 2 ORDER BY 1, 2", params)
        df = pd.DataFrame([tuple(r) for r in rows], columns=["period", "family", "n"])
        df["period"] = [dt.date.fromisoformat(v) for v in df["period"]]
        return df

    def facets(self) -> dict[str, Any]:
        """Distinct values for the dashboard's filters, and the date range."""
        def distinct(sql: str) -> list[Any]:
            return [r[0] for r in self._rows(sql) if r[0] not in (None, "")]

        lo, hi = self._rows("SELECT min(date), max(date) FROM events")[0]
        return {
            "types": distinct("SELECT DISTINCT type FROM events ORDER BY 1"),
            "families": distinct("SELECT DISTINCT family FROM events ORDER BY 1"),
            "countries": distinct("SELECT DISTINCT country_code FROM events ORDER BY 1"),
            "admin1": distinct("SELECT DISTINCT admin1_code FROM events ORDER BY 1"),
            "precisions": distinct("SELECT DISTINCT precision FROM events ORDER BY 1"),
            "sources": distinct("SELECT DISTINCT source FROM articles ORDER BY 1"),
            "date_min": dt.date.fromisoformat(lo) if lo else None,
            "date_max": dt.date.fromisoformat(hi) if hi else None,
        }

    def get_article(self, article_id: str) -> Article | None:
        """The stored article, or ``None``."""
        rows = self._rows("SELECT * FROM articles WHERE id = ?", (article_id,))
        if not rows:
            return None
        r = rows[0]
        return Article(id=r["id"], title=r["title"], text=r["text"],
                       published=dt.date.fromisoformat(r["published"]) if r["published"] else None,
                       source=r["source"], url=r["url"], path=r["path"], metadata=json.loads(r["metadata"]))

    def article_toponyms(self, article_id: str) -> list[Toponym]:
        """The article's place mentions, in text order."""
        rows = self._rows("SELECT data FROM toponyms WHERE article_id = ? ORDER BY start", (article_id,))
        return [Toponym.from_dict(json.loads(r["data"])) for r in rows]

    def article_dates(self, article_id: str) -> list[DateMention]:
        """The article's date mentions, in text order."""
        rows = self._rows("SELECT data FROM date_mentions WHERE article_id = ? ORDER BY start", (article_id,))
        return [DateMention.from_dict(json.loads(r["data"])) for r in rows]

    def article_events(self, article_id: str, *, happened_only: bool = False) -> list[Event]:
        """The article's events, in text order."""
        sql = "SELECT data FROM events WHERE article_id = ?" + (" AND happened = 1" if happened_only else "")
        events = [Event.from_dict(json.loads(r["data"])) for r in self._rows(sql, (article_id,))]
        return sorted(events, key=lambda e: e.trigger.start)

    def get_event(self, event_id: str) -> Event | None:
        """One event with all its evidence, or ``None``."""
        rows = self._rows("SELECT data FROM events WHERE id = ?", (event_id,))
        return Event.from_dict(json.loads(rows[0]["data"])) if rows else None

    def all_events(self, *, happened_only: bool = True) -> list[Event]:
        """Every stored event as a full :class:`Event` (for clustering)."""
        sql = "SELECT data FROM events" + (" WHERE happened = 1" if happened_only else "")
        return [Event.from_dict(json.loads(r["data"])) for r in self._rows(sql)]

    def cluster_members(self, cluster_id: str) -> "pd.DataFrame":
        """Every event (from every source) in one cluster."""
        rows = self._rows(f"{self._SELECT} WHERE e.cluster_id = ? ORDER BY a.published, e.id", (cluster_id,))
        return self._frame(rows)

    def quality(self, f: EventFilter | None = None) -> dict[str, int]:
        """How many of the matching events are vague, undated or low-confidence, and unresolved mentions."""
        where, params = self._where(f)
        r = self._rows(
            "SELECT count(*), "
            " sum(CASE WHEN e.precision IN ('country', 'region') OR e.precision IS NULL THEN 1 ELSE 0 END),"
            " sum(CASE WHEN e.date IS NULL THEN 1 ELSE 0 END),"
            " sum(CASE WHEN e.date_source = 'published' THEN 1 ELSE 0 END),"
            " sum(CASE WHEN e.confidence < ? THEN 1 ELSE 0 END),"
            " sum(CASE WHEN e.lat IS NULL THEN 1 ELSE 0 END)"
            f" FROM events e JOIN articles a ON a.id = e.article_id{where}", [LOW_CONFIDENCE, *params])[0]
        unresolved = self._rows(
            "SELECT count(*) FROM toponyms WHERE geonameid IS NULL AND article_id IN"
            f" (SELECT e.article_id FROM events e JOIN articles a ON a.id = e.article_id{where})", params)[0][0]
        return {
            "total": int(r[0] or 0),
            "vague": int(r[1] or 0),
            "undated": int(r[2] or 0),
            "publication_dated": int(r[3] or 0),
            "low_confidence": int(r[4] or 0),
            "unplaced": int(r[5] or 0),
            "unresolved_mentions": int(unresolved or 0),
        }

    def stats(self) -> dict[str, int]:
        """Row counts of the main tables."""
        def count(table: str) -> int:
            return int(self._rows(f"SELECT count(*) FROM {table}")[0][0])

        return {"articles": count("articles"), "events": count("events"), "toponyms": count("toponyms"),
                "dates": count("date_mentions")}

    def integrity_check(self) -> str:
        """SQLite's own integrity check (``ok`` when the file is sound)."""
        return str(self._rows("PRAGMA integrity_check")[0][0])
