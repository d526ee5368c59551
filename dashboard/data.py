"""Everything the app reads or writes, and the only module that uses Streamlit's caches.

The page never loads a whole view into pandas: the map reads one aggregating SQL scan per filter and zoom
(:func:`aggregate_sql`), the timeline and the counts are ``GROUP BY`` queries, the table reads the newest rows
only; whole views are read for exports, which are generated on click above :data:`EAGER_EXPORT_MAX` events.
``st.cache_resource`` holds shared heavy objects (the store connection, the gazetteer, the basemap, the built map
layers: callers must treat them as read-only); ``st.cache_data`` holds the small query results. Every cached query
takes the store's :func:`store_token` as an argument, so an ingest (from the app or the CLI) makes fresh results
appear without a restart. SQL filters come from the store's own WHERE builder, so they mean exactly what
``geo export`` means.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Sequence

import pandas as pd
import streamlit as st

from dashboard.filters import FilterState, to_event_filter, to_params, from_params

#: Above this many events, export files are generated when their button is clicked, not with every page run.
EAGER_EXPORT_MAX = 20_000
#: Upload limits for in-app ingest.
MAX_UPLOAD_MB = 50
ALLOWED_SUFFIXES = (".txt", ".json", ".jsonl", ".ndjson", ".csv", ".html", ".htm", ".xml", ".rss", ".atom", ".gz")


def store_path() -> Path:
    """The store the app shows: ``$GEO_STORE`` (set by ``geo dashboard --store``) or the default one."""
    from geo.store import default_store_path

    return Path(default_store_path())


def store_token(path: Path | None = None) -> str:
    """A value that changes whenever the store file (or its WAL) is written; part of every cache key."""
    path = Path(path or store_path())
    parts = []
    for p in (path, path.with_name(path.name + "-wal")):
        try:
            s = p.stat()
            parts.append(f"{s.st_mtime_ns}:{s.st_size}")
        except FileNotFoundError:
            parts.append("-")
    return "|".join(parts)


@st.cache_resource(show_spinner=False)
def _open_store(path: str) -> Any:
    from geo.store import EventStore

    return EventStore(path, readonly=True)


def open_store(path: Path | None = None) -> Any:
    """The shared read-only store connection (one per process and path)."""
    path = Path(path or store_path())
    if not path.exists():
        from geo.errors import StoreError

        raise StoreError(f"no event store at {path}: ingest articles first (`geo ingest seeds/`)")
    return _open_store(str(path))


def _key(state: FilterState) -> tuple[tuple[str, str], ...]:
    return tuple(sorted(to_params(state).items()))


def _state(key: tuple[tuple[str, str], ...]) -> FilterState:
    return from_params(dict(key))[0]


def _sql_where(store: Any, f: Any) -> tuple[str, list[Any], str]:
    """The store's WHERE clause for ``f``, its parameters, and the FROM clause it needs.

    The filter semantics (dates, types, keyword search...) stay the store's; the articles table is joined only
    when a condition reads it (alias ``a``), which keeps the map's scans to the events table.
    """
    where, params = store.filter_sql(f)
    joined = "events e JOIN articles a ON a.id = e.article_id" if "a." in where else "events e"
    return where, list(params), joined


#: How an event row is drawn, in SQL (see :func:`dashboard.map_view.event_kind`).
_KIND_SQL = ("CASE WHEN e.lat IS NULL OR e.lon IS NULL THEN 'none' "
             "WHEN e.precision IN ('country', 'admin1', 'region') THEN e.precision ELSE 'point' END")
_HEAT_KIND_SQL = "CASE WHEN e.lat IS NULL OR e.lon IS NULL THEN 'none' ELSE 'heat' END"


def aggregate_sql(store: Any, f: Any, *, cell_deg: float, bbox: Sequence[float] | None = None,
                  heatmap: bool = False) -> pd.DataFrame:
    """The map's aggregate frame (:data:`dashboard.map_view.AGG_COLUMNS`) computed by SQLite in one scan.

    Same groups as :func:`dashboard.map_view.aggregate_events` on the same events: point-like events keyed by
    their grid cell (``CAST`` truncation equals ``floor`` here, the shifted coordinates being non-negative) and
    kept inside ``bbox`` when given, areas by country / province code, unplaced events only counted.
    """
    from dashboard.map_view import AGG_COLUMNS, MAX_GROUP_IDS, bbox_sql

    where, params, joined = _sql_where(store, f)
    kind = _HEAT_KIND_SQL if heatmap else _KIND_SQL
    inner = (f"SELECT {kind} AS kind, e.id AS id, e.type AS type, e.lat AS lat, e.lon AS lon, e.date AS date,"
             f" e.country_code AS country_code, e.admin1_code AS admin1_code, e.place_name AS place_name"
             f" FROM {joined}{where}")
    outer_where, outer_params = "", []
    if bbox is not None:
        cond, outer_params = bbox_sql(bbox, lat="lat", lon="lon")
        outer_where = f" WHERE kind NOT IN ('point', 'region', 'heat') OR {cond}"
    sql = (
        "SELECT kind, CASE WHEN kind IN ('point', 'region', 'heat') THEN"
        " CAST(CAST((lat + 90.0) / ? AS INTEGER) AS TEXT) || ',' || CAST(CAST((lon + 180.0) / ? AS INTEGER) AS TEXT)"
        " WHEN kind = 'country' THEN coalesce(country_code, '') WHEN kind = 'admin1' THEN coalesce(admin1_code, '')"
        " ELSE '' END AS key, type, count(*), total(lat), total(lon), min(date), max(date),"
        " CASE WHEN count(*) <= ? THEN group_concat(id, char(31)) END, max(place_name)"
        f" FROM ({inner}){outer_where} GROUP BY 1, 2, 3 ORDER BY 1, 2, 3"
    )
    rows = store.read(sql, [cell_deg, cell_deg, MAX_GROUP_IDS, *params, *outer_params])
    return pd.DataFrame([tuple(r) for r in rows], columns=list(AGG_COLUMNS))


def details_sql(store: Any, ids: Sequence[str]) -> dict[str, dict[str, Any]]:
    """Popup fields (title, date, type, place, precision, confidence, position) of the given events."""
    if not ids:
        return {}
    rows = store.read(
        "SELECT e.id, e.type, e.date, e.lat, e.lon, e.place_name, e.precision, e.confidence, a.title"
        " FROM events e JOIN articles a ON a.id = e.article_id WHERE e.id IN (SELECT value FROM json_each(?))",
        [json.dumps(list(ids))])
    return {r["id"]: dict(r) for r in rows}


def _events_frame(path: str, key: tuple[tuple[str, str], ...], limit: int | None = None) -> pd.DataFrame:
    return _open_store(path).query_events(to_event_filter(_state(key), limit=limit))


@st.cache_data(show_spinner=False, max_entries=16)
def _table(path: str, token: str, key: tuple[tuple[str, str], ...], limit: int) -> pd.DataFrame:
    return _events_frame(path, key, limit)


def table_rows(state: FilterState, limit: int = 5000) -> pd.DataFrame:
    """The newest ``limit`` events matching ``state``, all columns (what the events table shows)."""
    path = store_path()
    open_store(path)
    return _table(str(path), store_token(path), _key(state), int(limit))


def events(state: FilterState) -> pd.DataFrame:
    """Every event matching ``state`` (not cached: whole views are only loaded for exports and tests)."""
    path = store_path()
    open_store(path)
    return _events_frame(str(path), _key(state))


#: Columns :func:`counts_by` may group on.
COUNT_COLUMNS = ("type", "precision")


@st.cache_data(show_spinner=False, max_entries=32)
def _counts_by(path: str, token: str, key: tuple[tuple[str, str], ...], column: str) -> dict[str, int]:
    if column not in COUNT_COLUMNS:
        raise ValueError(f"cannot count by {column!r}")
    store = _open_store(path)
    where, params, joined = _sql_where(store, to_event_filter(_state(key)))
    rows = store.read(f"SELECT coalesce(e.{column}, 'none'), count(*) FROM {joined}{where}"
                       " GROUP BY 1 ORDER BY 2 DESC, 1", params)
    return {str(r[0]): int(r[1]) for r in rows}


def counts_by(state: FilterState, column: str) -> dict[str, int]:
    """How many events matching ``state`` have each value of ``column`` (``type`` or ``precision``), largest
    first."""
    path = store_path()
    open_store(path)
    return _counts_by(str(path), store_token(path), _key(state), column)


def type_counts(state: FilterState) -> dict[str, int]:
    """How many events of each type match ``state`` (largest first)."""
    return counts_by(state, "type")


_PERIOD_SQL = {
    "day": "e.date",
    "week": "date(e.date, 'weekday 0', '-6 days')",
    "month": "substr(e.date, 1, 7) || '-01'",
}


@st.cache_data(show_spinner=False, max_entries=32)
def _timeline(path: str, token: str, key: tuple[tuple[str, str], ...], period: str) -> pd.DataFrame:
    store = _open_store(path)
    where, params, joined = _sql_where(store, to_event_filter(_state(key)))
    where = (where + " AND " if where else " WHERE ") + "e.date IS NOT NULL"
    rows = store.read(f"SELECT {_PERIOD_SQL[period]} AS period, e.type, count(*) FROM {joined}{where}"
                       " GROUP BY 1, 2 ORDER BY 1, 2", params)
    df = pd.DataFrame([tuple(r) for r in rows], columns=["period", "type", "n"])
    df["period"] = pd.to_datetime(df["period"], errors="coerce")
    df["n"] = df["n"].astype("int64")
    return df[df["period"].notna()].reset_index(drop=True)


def timeline_counts(state: FilterState, period: str) -> pd.DataFrame:
    """Dated events matching ``state`` counted per period (day, week, month) and type, like
    :func:`dashboard.timeline_view.counts_frame` but computed by SQLite."""
    path = store_path()
    open_store(path)
    return _timeline(str(path), store_token(path), _key(state), period)


@st.cache_data(show_spinner=False, max_entries=8)
def _date_profile(path: str, token: str) -> pd.DataFrame:
    rows = _open_store(path).read(
        "SELECT date, count(*) FROM events WHERE happened = 1 AND date IS NOT NULL GROUP BY 1 ORDER BY 1")
    return pd.DataFrame({"date": [dt.date.fromisoformat(r[0][:10]) for r in rows],
                         "n": [int(r[1]) for r in rows]})


def date_profile() -> pd.DataFrame:
    """Events per day over the whole store (columns ``date``, ``n``): where the dates are dense."""
    path = store_path()
    open_store(path)
    return _date_profile(str(path), store_token(path))


@st.cache_data(show_spinner=False, max_entries=8)
def _facets(path: str, token: str) -> dict[str, Any]:
    return _open_store(path).facets()


def facets() -> dict[str, Any]:
    """Distinct filter values and the date range of the whole store."""
    path = store_path()
    open_store(path)
    return _facets(str(path), store_token(path))


@st.cache_data(show_spinner=False, max_entries=16)
def _quality(path: str, token: str, key: tuple[tuple[str, str], ...]) -> dict[str, int]:
    return _open_store(path).quality(to_event_filter(_state(key)))


def quality(state: FilterState) -> dict[str, int]:
    """Quality counts (vague, undated, low confidence, unresolved mentions) of the filtered events."""
    path = store_path()
    return _quality(str(path), store_token(path), _key(state))


@dataclass(frozen=True)
class ArticleBundle:
    """What the article panel shows for one event."""

    event: Any
    article: Any
    toponyms: tuple = ()
    dates: tuple = ()
    events: tuple = ()
    cluster: pd.DataFrame | None = field(default=None, compare=False)


@st.cache_data(show_spinner=False, max_entries=64)
def _bundle(path: str, token: str, event_id: str) -> ArticleBundle | None:
    store = _open_store(path)
    event = store.get_event(event_id)
    if event is None:
        return None
    article = store.get_article(event.article_id)
    if article is None:
        return None
    cluster = store.cluster_members(event.cluster_id) if event.cluster_id else None
    return ArticleBundle(
        event=event,
        article=article,
        toponyms=tuple(store.article_toponyms(article.id)),
        dates=tuple(store.article_dates(article.id)),
        events=tuple(store.article_events(article.id)),
        cluster=cluster,
    )


def article_bundle(event_id: str) -> ArticleBundle | None:
    """The event, its article, mentions, sibling events and cluster members; ``None`` if the id is unknown."""
    path = store_path()
    return _bundle(str(path), store_token(path), str(event_id))


# ------------------------------------------------------------------------------------------------ map inputs


@st.cache_resource(show_spinner=False)
def _basemap_raw() -> dict[str, Any] | None:
    from geo.errors import GazetteerMissingError
    from geo.gazetteer import basemap_path

    try:
        return json.loads(Path(basemap_path()).read_text(encoding="utf-8"))
    except GazetteerMissingError:
        return None


@st.cache_resource(show_spinner=False)
def basemap() -> dict[str, Any] | None:
    """The offline country outlines, simplified for the browser; ``None`` before ``geo gazetteer build``."""
    from dashboard.map_view import simplify_basemap

    raw = _basemap_raw()
    return simplify_basemap(raw) if raw else None


@st.cache_resource(show_spinner=False)
def country_shapes() -> dict[str, dict[str, Any]]:
    """ISO alpha-2 country code -> outline geometry."""
    from dashboard.map_view import country_shapes_from_basemap, simplify_basemap

    raw = _basemap_raw()
    return country_shapes_from_basemap(simplify_basemap(raw, ndigits=3) if raw else None, {}) if raw else {}


@st.cache_resource(show_spinner=False)
def gazetteer() -> Any | None:
    """The offline gazetteer, or ``None`` if it has not been built (footprints then fall back to circles)."""
    from geo.errors import GazetteerError
    from geo.gazetteer import load_gazetteer

    try:
        return load_gazetteer()
    except GazetteerError:
        return None


@st.cache_resource(show_spinner=False, max_entries=4096)
def _footprint(code: str) -> dict[str, Any] | None:
    from dashboard.map_view import footprint_geometry

    gaz = gazetteer()
    if gaz is None:
        return None
    places = gaz.places_in_admin1(code)
    return footprint_geometry([(p.lat, p.lon) for p in places[:400]])


def footprints(codes: Sequence[str]) -> dict[str, dict[str, Any]]:
    """Province (ISO 3166-2) code -> footprint geometry derived from its populated places."""
    out = {}
    for c in codes:
        if c:
            g = _footprint(str(c))
            if g is not None:
                out[str(c)] = g
    return out


@st.cache_resource(show_spinner=False, max_entries=64)
def _map_features(path: str, token: str, key: tuple[tuple[str, str], ...], zoom: int,
                  bbox: tuple[float, float, float, float] | None, heatmap: bool,
                  types: tuple[str, ...]) -> MapLayers:
    from dashboard import map_view

    store = _open_store(path)
    size = map_view.heat_cell_deg(zoom) if heatmap else map_view.cell_size_deg(zoom)
    agg = aggregate_sql(store, to_event_filter(_state(key)), cell_deg=size, bbox=bbox, heatmap=heatmap)
    details = details_sql(store, map_view.detail_ids(agg))
    codes = sorted(agg.loc[agg["kind"] == "admin1", "key"].dropna().unique().tolist())
    areas, marks = map_view.features_from_aggregates(
        agg, details, zoom=zoom, colors=map_view.type_colors(types),
        country_shapes=country_shapes() if (agg["kind"] == "country").any() else {},
        footprints=footprints(codes),
    )
    counts = None
    if bbox is None:  # the scan saw every matching event: the totals come for free
        totals = agg.groupby("type")["n"].sum().sort_values(ascending=False, kind="stable")
        counts = {str(t): int(n) for t, n in totals.items()}
    return MapLayers(areas=areas, marks=marks, type_counts=counts)


@dataclass(frozen=True)
class MapLayers:
    """What the map draws for one filter, zoom and viewport (shared cached object: do not modify)."""

    areas: list[dict[str, Any]]
    marks: list[dict[str, Any]]
    #: Events per type over the whole filtered view, when the aggregation saw all of it (no viewport limit).
    type_counts: dict[str, int] | None = None


#: Below this zoom the whole world is aggregated at once (few cells), so panning never needs a new query.
WORLD_ZOOM = 4


def map_features(state: FilterState, *, zoom: int, bbox: Sequence[float] | None, heatmap: bool,
                 types: Sequence[str]) -> MapLayers:
    """The map's area and marker features for the filtered events at a zoom and viewport (cached).

    One SQL scan aggregates the matching events into zoom-sized cells (and country / province areas); at zoom
    :data:`WORLD_ZOOM` or more only the viewport grown by half its size on each side is scanned.
    """
    from dashboard.map_view import padded_bbox

    path = store_path()
    open_store(path)
    box = None
    if bbox is not None and int(zoom) >= WORLD_ZOOM:
        box = tuple(round(float(v), 3) for v in padded_bbox(bbox))  # type: ignore[union-attr]
    return _map_features(str(path), store_token(path), _key(state), int(zoom), box, bool(heatmap), tuple(types))


# ------------------------------------------------------------------------------------------------ exports


@st.cache_data(show_spinner=False, max_entries=8)
def _export(path: str, token: str, key: tuple[tuple[str, str], ...], fmt: str) -> bytes:
    from geo import export

    df = _events_frame(path, key)
    if fmt == "geojson":
        return json.dumps(export.events_to_geojson(df), ensure_ascii=False).encode("utf-8")
    if fmt == "csv":
        return export.events_to_csv(df).encode("utf-8")
    if fmt == "geoparquet":
        with tempfile.TemporaryDirectory() as tmp:
            dest = Path(tmp) / "events.parquet"
            export.events_to_geoparquet(df, dest)
            return dest.read_bytes()
    raise ValueError(f"unknown export format {fmt!r}")


def export_bytes(state: FilterState, fmt: str) -> bytes:
    """The filtered events in ``fmt`` (``geojson``, ``csv`` or ``geoparquet``), exactly what the view shows."""
    path = store_path()
    return _export(str(path), store_token(path), _key(state), fmt)


# ------------------------------------------------------------------------------------------------ ingest


@st.cache_resource(show_spinner="Loading the language model and gazetteer...")
def pipeline() -> Any:
    """The extraction pipeline (spaCy + gazetteer), loaded once per server process."""
    from geo.pipeline import Pipeline

    return Pipeline()


@dataclass
class IngestReport:
    """What an in-app ingest did: per-file article/event counts and the problems found."""

    files: list[dict[str, Any]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    @property
    def articles(self) -> int:
        return sum(f.get("articles", 0) for f in self.files)

    @property
    def events(self) -> int:
        return sum(f.get("events", 0) for f in self.files)


def safe_suffix(name: str) -> str | None:
    """The allowed suffix of an uploaded file's name (``.jsonl.gz`` kept whole), else ``None``.

    Only the suffix is used: the name itself never becomes a path.
    """
    lower = name.lower().strip()
    suffixes = Path(lower).suffixes[-2:]
    if not suffixes or suffixes[-1] not in ALLOWED_SUFFIXES:
        return None
    if suffixes[-1] == ".gz":
        if len(suffixes) < 2 or suffixes[0] not in ALLOWED_SUFFIXES or suffixes[0] == ".gz":
            return None
        return "".join(suffixes)
    return suffixes[-1]


def ingest_uploads(
    uploads: Sequence[tuple[str, bytes]],
    *,
    progress: Callable[[float, str], None] | None = None,
) -> IngestReport:
    """Read, extract and store uploaded files; a bad file or record is reported and the rest still ingested.

    ``uploads`` are (original name, content) pairs. Content goes to a private temporary folder under a generated
    name that keeps only an allowed suffix.
    """
    from geo.articles import read_articles
    from geo.articles.core import ErrorCollector
    from geo.errors import GeoError

    report = IngestReport()
    with tempfile.TemporaryDirectory(prefix="geo-upload-") as tmp:
        for i, (name, content) in enumerate(uploads):
            label = os.path.basename(name)[:120]
            if progress:
                progress(i / max(len(uploads), 1), f"{label} ({i + 1}/{len(uploads)})")
            suffix = safe_suffix(name)
            if suffix is None:
                report.errors.append(f"{label}: unsupported file type (allowed: {', '.join(ALLOWED_SUFFIXES)})")
                continue
            if len(content) > MAX_UPLOAD_MB * 1024 * 1024:
                report.errors.append(f"{label}: larger than {MAX_UPLOAD_MB} MB")
                continue
            dest = Path(tmp) / f"upload_{i:04d}{suffix}"
            dest.write_bytes(content)
            collector = ErrorCollector()
            try:
                articles = list(read_articles(dest, on_error=collector))
                summary = save_articles(articles, on_error=collector)
                report.files.append({"file": label, "articles": summary.articles, "events": summary.events})
            except GeoError as exc:
                report.errors.append(f"{label}: {exc}".replace(str(dest), label))
            report.errors.extend(m.replace(str(dest), label) for m in collector.messages())
    if progress:
        progress(1.0, "done")
    return report


def ingest_text(text: str, *, title: str = "", published: Any = None, source: str | None = None) -> IngestReport:
    """Extract and store one pasted article."""
    from geo.articles import parse_text

    article = parse_text(text, title=title, published=published, source=source or "pasted")
    summary = save_articles([article])
    return IngestReport(files=[{"file": "pasted text", "articles": summary.articles, "events": summary.events}])


def save_articles(articles: Sequence[Any], on_error: Callable[[Exception], None] | None = None) -> Any:
    """Run the pipeline on ``articles`` and save the results in the app's store (one transaction).

    An article the pipeline refuses (too long) goes to ``on_error`` and the others are still saved; without
    ``on_error`` the error is raised.
    """
    from geo.errors import GeoError
    from geo.store import EventStore

    loaded = pipeline()
    accepted = []
    for article in articles:
        try:
            loaded.check(article)
            accepted.append(article)
        except GeoError as exc:
            if on_error is None:
                raise
            on_error(exc)
    results = list(loaded.process(accepted)) if accepted else []
    with EventStore(store_path()) as store:
        return store.save_results(results)


def clear_caches() -> None:
    """Drop cached query results (the token changes on write anyway; this frees memory at once)."""
    _table.clear()
    _counts_by.clear()
    _timeline.clear()
    _date_profile.clear()
    _map_features.clear()
    _facets.clear()
    _quality.clear()
    _bundle.clear()
    _export.clear()


def state_key(state: FilterState) -> str:
    """A short stable text key of a filter state (for widget keys)."""
    return json.dumps(dataclasses.asdict(state), default=str, sort_keys=True)


@st.cache_resource(show_spinner=False)
def prepare_static() -> str | None:
    """Copy the vendored libraries and the simplified basemap into ``static/vendor`` once per server process.

    Returns the basemap's URL, or ``None`` when the gazetteer (and so the basemap) has not been built.
    """
    from dashboard.assets import VENDOR_DIR, VENDOR_URL, ensure_vendor

    ensure_vendor()
    geojson = basemap()
    if geojson is None:
        return None
    text = json.dumps(geojson, separators=(",", ":"))
    dest = VENDOR_DIR / "basemap-110m.json"
    if not dest.exists() or dest.read_text(encoding="utf-8") != text:
        tmp = dest.with_suffix(".tmp")
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(dest)
    return f"{VENDOR_URL}/basemap-110m.json"
