"""Stored events -> GeoJSON (RFC 7946), CSV, GeoParquet, KML; and the ``geo export`` command.

Every function takes the DataFrame :meth:`geo.store.EventStore.query_events` returns (one row per event with
``lat``/``lon``). This is the only module that turns ``(lat, lon)`` into GeoJSON's ``[lon, lat]``; coordinates
are checked to be finite and in range first, so a bad row fails loudly (:class:`~geo.errors.ExportError`) rather
than landing in the wrong ocean. Events without a place are kept with a null geometry (GeoJSON, GeoParquet) or
empty coordinates (CSV); KML, which has no such notion, leaves them out.

Article text is untrusted: KML is built with an XML serializer (escaped), and CSV cells that a spreadsheet would
run as a formula are prefixed with a quote.

Examples
--------
>>> import pandas as pd
>>> df = pd.DataFrame([{"id": "e1", "lat": 0.89, "lon": -79.56, "type": "airstrike", "date": None}])
>>> events_to_geojson(df)["features"][0]["geometry"]
{'type': 'Point', 'coordinates': [-79.56, 0.89]}
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import json
import math
import shutil
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable, Iterator

from geo.errors import ExportError, InputError

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from geo.store import EventFilter, EventStore

FORMATS = ("geojson", "csv", "geoparquet", "kml")

#: Event columns -> GeoJSON property names, in output order.
PROPERTIES: tuple[tuple[str, str], ...] = (
    ("id", "id"),
    ("date", "date"),
    ("date_precision", "date_precision"),
    ("type", "type"),
    ("family", "family"),
    ("place_name", "place_name"),
    ("geonameid", "geonameid"),
    ("precision", "precision"),
    ("place_kind", "place_kind"),
    ("country_code", "country_code"),
    ("admin1_code", "admin1_code"),
    ("confidence", "confidence"),
    ("happened", "happened"),
    ("cluster_id", "cluster_id"),
    ("article_id", "article_id"),
    ("title", "title"),
    ("published", "published"),
    ("url", "url"),
    ("source", "source"),
    ("sentence", "evidence"),
    ("trigger_text", "trigger_text"),
    ("place_text", "place_text"),
    ("date_source", "date_source"),
)

#: CSV columns, in order (coordinates as separate lat/lon columns).
CSV_COLUMNS = (
    "id", "date", "date_precision", "type", "family", "lat", "lon", "place_name", "geonameid", "precision",
    "place_kind", "country_code", "admin1_code", "confidence", "happened", "cluster_id", "article_id", "title",
    "published", "source", "url", "sentence", "trigger_text", "place_text", "date_source",
)

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_COORD_DECIMALS = 6  # about 0.1 m: RFC 7946 section 11.2 advises not to pretend more


# ------------------------------------------------------------------------------------------------ values


def _missing(value: Any) -> bool:
    if value is None:
        return True
    try:
        import pandas as pd

        return bool(pd.isna(value)) if not isinstance(value, (list, tuple, dict)) else False
    except (TypeError, ValueError):
        return False


def _plain(value: Any) -> Any:
    """A JSON-safe Python value: dates as ISO strings, numpy scalars unwrapped, NaN/NA as None."""
    if _missing(value):
        return None
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if hasattr(value, "isoformat"):  # pandas Timestamp
        return value.isoformat()
    if hasattr(value, "item"):  # numpy scalar
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def coordinates(row: Any) -> tuple[float, float] | None:
    """``(lat, lon)`` of an event row, checked; ``None`` when the event has no place.

    Raises
    ------
    ExportError
        If only one of the two is set, or a value is not finite or out of range.
    """
    lat, lon = row.get("lat"), row.get("lon")
    if _missing(lat) and _missing(lon):
        return None
    event = row.get("id")
    try:
        lat_f, lon_f = float(lat), float(lon)
    except (TypeError, ValueError):
        raise ExportError(f"event {event}: coordinates ({lat!r}, {lon!r}) are not numbers") from None
    if not (math.isfinite(lat_f) and math.isfinite(lon_f)):
        raise ExportError(f"event {event}: coordinates ({lat!r}, {lon!r}) are not finite")
    if not -90.0 <= lat_f <= 90.0:
        raise ExportError(f"event {event}: latitude {lat_f} outside [-90, 90]")
    if not -180.0 <= lon_f <= 180.0:
        raise ExportError(f"event {event}: longitude {lon_f} outside [-180, 180]")
    return lat_f, lon_f


def _records(df: "pd.DataFrame") -> Iterator[dict[str, Any]]:
    for record in df.to_dict(orient="records"):
        yield record


# ------------------------------------------------------------------------------------------------ GeoJSON


def event_feature(row: dict[str, Any]) -> dict[str, Any]:
    """One event row as an RFC 7946 Feature (``[lon, lat]``; null geometry without a place)."""
    point = coordinates(row)
    geometry = None
    if point is not None:
        lat, lon = point
        geometry = {"type": "Point", "coordinates": [round(lon, _COORD_DECIMALS), round(lat, _COORD_DECIMALS)]}
    properties = {name: _plain(row.get(column)) for column, name in PROPERTIES if column in row}
    feature: dict[str, Any] = {"type": "Feature", "geometry": geometry, "properties": properties}
    if not _missing(row.get("id")):
        feature["id"] = str(row["id"])
    return feature


def events_to_geojson(df: "pd.DataFrame") -> dict[str, Any]:
    """A GeoJSON FeatureCollection (RFC 7946: WGS 84, ``[lon, lat]``) of event rows, with its ``bbox``.

    Properties: date, date precision, type, family, place name, GeoNames id, precision, confidence, article id,
    title, URL, source and the evidence sentence (``evidence``), among others (see :data:`PROPERTIES`).
    """
    features = [event_feature(row) for row in _records(df)]
    collection: dict[str, Any] = {"type": "FeatureCollection", "features": features}
    points = [f["geometry"]["coordinates"] for f in features if f["geometry"]]
    if points:
        lons, lats = [p[0] for p in points], [p[1] for p in points]
        collection["bbox"] = [min(lons), min(lats), max(lons), max(lats)]
    return collection


def dumps_geojson(df: "pd.DataFrame") -> str:
    """:func:`events_to_geojson` as UTF-8 JSON text."""
    return json.dumps(events_to_geojson(df), ensure_ascii=False, allow_nan=False)


# ------------------------------------------------------------------------------------------------ CSV


def _safe_cell(value: Any) -> Any:
    """Neutralise spreadsheet formulas in text cells (``=HYPERLINK(...)`` in a headline stays text)."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def events_to_csv(df: "pd.DataFrame") -> str:
    """CSV text, one row per event with ``lat`` and ``lon`` columns (checked); formula-like text neutralised."""
    import pandas as pd

    rows = []
    for row in _records(df):
        point = coordinates(row)
        out = {c: _plain(row.get(c)) for c in CSV_COLUMNS}
        out["lat"], out["lon"] = point if point is not None else (None, None)
        rows.append({c: (v if c in ("lat", "lon", "confidence", "geonameid") else _safe_cell(v))
                     for c, v in out.items()})
    frame = pd.DataFrame(rows, columns=list(CSV_COLUMNS))
    if "geonameid" in frame:
        frame["geonameid"] = frame["geonameid"].astype("Int64")
    buffer = io.StringIO()
    frame.to_csv(buffer, index=False, lineterminator="\n")
    return buffer.getvalue()


# ------------------------------------------------------------------------------------------------ GeoParquet


def events_to_geodataframe(df: "pd.DataFrame") -> Any:
    """A geopandas GeoDataFrame (EPSG:4326 points; null geometry without a place), dates as ``date32``."""
    import geopandas as gpd
    import pandas as pd
    from shapely.geometry import Point

    records = list(_records(df))
    geometry = []
    for row in records:
        point = coordinates(row)
        geometry.append(Point(point[1], point[0]) if point is not None else None)
    columns = [c for c in CSV_COLUMNS if c in df.columns or c in ("lat", "lon")]
    frame = pd.DataFrame({c: [_plain_typed(r.get(c)) for r in records] for c in columns}, columns=columns)
    for col in ("lat", "lon", "confidence"):
        if col in frame:
            frame[col] = pd.to_numeric(frame[col], errors="coerce").astype("float64")
    if "geonameid" in frame:
        frame["geonameid"] = pd.array(frame["geonameid"], dtype="Int64")
    if "happened" in frame:
        frame["happened"] = frame["happened"].astype("boolean")
    return gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries(geometry, crs="EPSG:4326"), crs="EPSG:4326")


def _plain_typed(value: Any) -> Any:
    """Like :func:`_plain` but keeps dates as ``datetime.date`` (stored as Parquet date32)."""
    if _missing(value):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if hasattr(value, "item"):
        return value.item()
    return value


def events_to_geoparquet(df: "pd.DataFrame", dest: str | Path | io.IOBase) -> None:
    """Write event rows as one GeoParquet file (geometry column ``geometry``, WGS 84)."""
    gdf = events_to_geodataframe(df)
    try:
        gdf.to_parquet(dest, index=False)
    except (OSError, ValueError) as exc:
        raise ExportError(f"cannot write GeoParquet to {dest}: {exc}") from exc


def _month(value: Any) -> str:
    return value.strftime("%Y-%m") if isinstance(value, dt.date) else "unknown"


def write_geoparquet_dataset(
    events: "EventStore | pd.DataFrame | Iterable[pd.DataFrame]",
    dest: str | Path,
    f: "EventFilter | None" = None,
    *,
    chunk_size: int = 50_000,
) -> int:
    """Write events as a GeoParquet dataset partitioned by month: ``dest/month=YYYY-MM/part-N.parquet``.

    Hive-style partitions, readable by DuckDB (``read_parquet('dest/**/*.parquet', hive_partitioning=true)``),
    dask-geopandas and Apache Sedona; undated events go to ``month=unknown``. Earlier ``month=*`` partitions in
    ``dest`` are replaced, other files left alone. ``events`` is a store (read in chunks, every event including
    the ones that did not happen, unless ``f`` says otherwise), a DataFrame, or an iterable of DataFrames.
    Returns the number of events written.
    """
    import pandas as pd

    dest = Path(dest)
    if dest.exists() and not dest.is_dir():
        raise ExportError(f"{dest} exists and is not a folder")
    dest.mkdir(parents=True, exist_ok=True)
    for old in dest.glob("month=*"):
        if old.is_dir():
            shutil.rmtree(old)
    if isinstance(events, pd.DataFrame):
        chunks: Iterable[pd.DataFrame] = [events]
    elif hasattr(events, "iter_events"):
        from geo.store import EventFilter

        chunks = events.iter_events(f or EventFilter(happened_only=False), chunk_size=chunk_size)
    else:
        chunks = events
    written = 0
    parts: dict[str, int] = {}
    for chunk in chunks:
        if chunk.empty:
            continue
        months = chunk["date"].map(_month)
        for month, rows in chunk.groupby(months, sort=True):
            folder = dest / f"month={month}"
            folder.mkdir(exist_ok=True)
            n = parts.get(month, 0)
            parts[month] = n + 1
            events_to_geoparquet(rows, folder / f"part-{n:05d}.parquet")
            written += len(rows)
    return written


# ------------------------------------------------------------------------------------------------ KML


def events_to_kml(df: "pd.DataFrame", name: str = "geo events") -> str:
    """KML 2.2: one Placemark per placed event, with its date, type, place and evidence (XML-escaped)."""
    ns = "http://www.opengis.net/kml/2.2"
    ET.register_namespace("", ns)
    root = ET.Element(f"{{{ns}}}kml")
    document = ET.SubElement(root, f"{{{ns}}}Document")
    ET.SubElement(document, f"{{{ns}}}name").text = name
    for row in _records(df):
        point = coordinates(row)
        if point is None:
            continue
        lat, lon = point
        placemark = ET.SubElement(document, f"{{{ns}}}Placemark")
        if not _missing(row.get("id")):
            placemark.set("id", f"event-{row['id']}")
        label = " - ".join(str(_plain(row.get(k))) for k in ("type", "place_name") if not _missing(row.get(k)))
        ET.SubElement(placemark, f"{{{ns}}}name").text = label or str(row.get("id", ""))
        parts = [str(_plain(row.get("sentence")) or "")]
        if not _missing(row.get("title")):
            parts.append(f"Article: {row['title']}")
        if not _missing(row.get("url")):
            parts.append(str(row["url"]))
        ET.SubElement(placemark, f"{{{ns}}}description").text = "\n".join(p for p in parts if p)
        date = _plain(row.get("date"))
        if date:
            stamp = ET.SubElement(placemark, f"{{{ns}}}TimeStamp")
            ET.SubElement(stamp, f"{{{ns}}}when").text = str(date)[:10]
        extended = ET.SubElement(placemark, f"{{{ns}}}ExtendedData")
        for column, prop in PROPERTIES:
            value = _plain(row.get(column))
            if value is None or column in ("sentence",):
                continue
            data = ET.SubElement(extended, f"{{{ns}}}Data", name=prop)
            ET.SubElement(data, f"{{{ns}}}value").text = str(value)
        geometry = ET.SubElement(placemark, f"{{{ns}}}Point")
        ET.SubElement(geometry, f"{{{ns}}}coordinates").text = (
            f"{round(lon, _COORD_DECIMALS)},{round(lat, _COORD_DECIMALS)}"
        )
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


# ------------------------------------------------------------------------------------------------ CLI


def configure_parser(parser: argparse.ArgumentParser) -> None:
    """Options of ``geo export`` (the dashboard's filters)."""
    parser.add_argument("--format", choices=FORMATS, default="geojson", help="output format (default geojson)")
    parser.add_argument("-o", "--output", required=True, metavar="FILE",
                        help="output file ('-' for stdout, except geoparquet); a folder with --partition-by-month")
    parser.add_argument("--store", metavar="FILE", help="SQLite event store (default: $GEO_STORE or "
                        "data/events.sqlite)")
    parser.add_argument("--start", type=_date, metavar="YYYY-MM-DD", help="events on or after this date")
    parser.add_argument("--end", type=_date, metavar="YYYY-MM-DD", help="events on or before this date")
    parser.add_argument("--type", action="append", default=[], metavar="TYPE", help="event type (repeatable)")
    parser.add_argument("--family", action="append", default=[], metavar="FAMILY", help="event family (repeatable)")
    parser.add_argument("--country", action="append", default=[], metavar="CC",
                        help="ISO 3166-1 alpha-2 country code (repeatable)")
    parser.add_argument("--admin1", action="append", default=[], metavar="CODE",
                        help="ISO 3166-2 province code, e.g. EC-E (repeatable)")
    parser.add_argument("--place", metavar="TEXT", help="place name contains TEXT")
    parser.add_argument("--keyword", metavar="WORDS", help="full-text search in the article")
    parser.add_argument("--min-confidence", type=float, default=0.0, metavar="X", help="confidence at least X")
    parser.add_argument("--precision", action="append", default=[], metavar="P",
                        help="spatial precision: region, country, admin1, admin2, city, point (repeatable)")
    parser.add_argument("--source", action="append", default=[], metavar="SOURCE", help="article source (repeatable)")
    parser.add_argument("--bbox", type=_bbox, metavar="W,S,E,N", help="bounding box in degrees")
    parser.add_argument("--all", dest="include_all", action="store_true",
                        help="include negated, future and hypothetical mentions (happened = false)")
    parser.add_argument("--limit", type=int, metavar="N", help="at most N events")
    parser.add_argument("--partition-by-month", action="store_true",
                        help="geoparquet only: write a dataset folder partitioned by month")


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected YYYY-MM-DD, got {text!r}") from None


def _bbox(text: str) -> tuple[float, float, float, float]:
    try:
        west, south, east, north = (float(x) for x in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected W,S,E,N in degrees, got {text!r}") from None
    if not (-180 <= west <= 180 and -180 <= east <= 180 and -90 <= south <= north <= 90):
        raise argparse.ArgumentTypeError(f"bbox {text!r} out of range")
    return west, south, east, north


def filter_from_args(args: argparse.Namespace) -> "EventFilter":
    """The :class:`~geo.store.EventFilter` the ``geo export`` options describe."""
    from geo.store import EventFilter

    if args.start and args.end and args.start > args.end:
        raise InputError(f"--start {args.start} is after --end {args.end}")
    return EventFilter(
        start=args.start,
        end=args.end,
        types=tuple(args.type),
        families=tuple(args.family),
        countries=tuple(c.upper() for c in args.country),
        admin1=tuple(a.upper() for a in args.admin1),
        place_text=args.place,
        keyword=args.keyword,
        min_confidence=args.min_confidence,
        precisions=tuple(args.precision),
        sources=tuple(args.source),
        bbox=args.bbox,
        happened_only=not args.include_all,
        limit=args.limit,
    )


def _write_text(text: str, output: str) -> None:
    if output == "-":
        sys.stdout.write(text)
        return
    try:
        Path(output).write_text(text, encoding="utf-8")
    except OSError as exc:
        raise ExportError(f"cannot write {output}: {exc.strerror}") from None


def run_cli(args: argparse.Namespace) -> int:
    """Run ``geo export``: query the store with the filters and write the chosen format."""
    from geo.store import EventStore, default_store_path

    store_path = Path(args.store) if args.store else default_store_path()
    if not store_path.exists():
        raise InputError("no event store here; run `geo ingest PATH...` first", store_path)
    f = filter_from_args(args)
    if args.partition_by_month and args.format != "geoparquet":
        raise InputError("--partition-by-month needs --format geoparquet")
    if args.format == "geoparquet" and args.output == "-":
        raise InputError("GeoParquet is binary: give a file name with -o")
    with EventStore(store_path, readonly=True) as store:
        if args.partition_by_month:
            n = write_geoparquet_dataset(store, args.output, f)
        else:
            df = store.query_events(f)
            n = len(df)
            if args.format == "geojson":
                _write_text(dumps_geojson(df), args.output)
            elif args.format == "csv":
                _write_text(events_to_csv(df), args.output)
            elif args.format == "kml":
                _write_text(events_to_kml(df), args.output)
            else:
                events_to_geoparquet(df, args.output)
    if args.output != "-":
        print(f"wrote {n} event(s) as {args.format} to {args.output}", file=sys.stderr)
    return 0
