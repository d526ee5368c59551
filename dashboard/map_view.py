"""The event map: pure builders from event rows to an offline folium map and its event layers.

Nothing here talks to Streamlit or the store, so tests render the map to HTML and assert on it directly.

Why it stays fast at 100,000 events: the browser never receives one object per event, and the server never
loads one row per event. Events are grouped by (kind, cell or area, type) -- :func:`aggregate_events` here, the
same groups computed by SQLite in one scan in :func:`dashboard.data.aggregate_sql` -- into a grid whose cell size
follows the zoom (about 60 screen pixels); zoomed in, only the viewport plus a margin is scanned. A cell holding one
event is drawn as that event, a cell holding many as a single cluster badge with its count; area events are grouped
per country / province. The payload is therefore bounded by the screen, not by the number of events.

Precision is drawn honestly: ``country`` events shade the country outline, ``admin1`` events the province's
footprint (derived from its populated places when no boundary is at hand), ``region`` events a hollow circle, and
city/point events a marker.
"""

from __future__ import annotations

import hashlib
import html
import json
import math
from typing import Any, Iterable, Mapping, Sequence

import folium
import numpy as np
import pandas as pd
from branca.element import Element, MacroElement
from jinja2 import Template

from dashboard import assets

#: Precisions drawn as an area rather than a marker.
AREA_PRECISIONS = ("country", "admin1")
#: Precisions drawn as markers (point-like places).
POINT_PRECISIONS = ("admin2", "city", "point")
#: Screen size of an aggregation cell, in pixels (256-pixel tiles).
CELL_PX = 60
#: Highest zoom; also passed to Leaflet because there is no tile layer to define it.
MAX_ZOOM = 16

#: Colour-blind-friendly categorical palette (Tableau 10 without its grey, which reads as "unknown", and extensions).
PALETTE = (
    "#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7", "#9c755f",
    "#499894", "#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#8c564b", "#e377c2", "#17becf", "#bcbd22",
)
#: Colour ramp of the density (heatmap) view, low to high.
HEAT_RAMP = ("#ffffb2", "#fed976", "#feb24c", "#fd8d3c", "#f03b20", "#bd0026")

ONLINE_TILES_URL = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
ONLINE_TILES_ATTR = '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors'

_CSS = """
<style>
.ev-cluster { background: rgba(255,255,255,0.55); border-radius: 50%; }
.ev-cluster div { border-radius: 50%; color: #fff; font: 600 12px/1 system-ui, sans-serif; display: flex;
  align-items: center; justify-content: center; box-shadow: 0 0 0 2px rgba(255,255,255,.8); }
.ev-legend { background: rgba(255,255,255,.94); padding: 4px 8px; border-radius: 4px; font: 12px system-ui,
  sans-serif; line-height: 1.5; box-shadow: 0 1px 4px rgba(0,0,0,.3); max-width: 240px; }
.ev-legend summary { cursor: pointer; font-weight: 600; }
.ev-legend-body { max-height: 220px; overflow-y: auto; padding-top: 2px; }
.ev-legend i, .ev-popup i { display: inline-block; width: 10px; height: 10px; border-radius: 50%; margin-right: 5px;
  vertical-align: -1px; }
.ev-legend .ev-area { border-radius: 2px; opacity: .6; }
.ev-legend .ev-badge { width: auto; height: auto; min-width: 14px; padding: 0 2px; font: 600 9px/14px system-ui;
  font-style: normal; text-align: center; color: #fff; background: #888; }
.ev-popup table { border-collapse: collapse; font-size: 12px; }
.ev-popup th { text-align: left; padding-right: 6px; color: #555; font-weight: 600; vertical-align: top; }
.ev-popup h4 { font-size: 13px; margin: 0 0 4px 0; }
.ev-popup ul { padding-left: 0; margin: 2px 0 4px 0; list-style: none; font-size: 12px; }
.ev-popup ul.ev-list { padding-left: 14px; list-style: disc; }
</style>
"""


# ---------------------------------------------------------------------------------------------------------------
# colours
# ---------------------------------------------------------------------------------------------------------------


def type_colors(types: Iterable[str]) -> dict[str, str]:
    """A stable colour per event type: sorted types take the palette in order, then a hash picks one.

    Stable for a given set of types, so the legend does not reshuffle when a filter hides some of them.
    """
    out: dict[str, str] = {}
    for i, t in enumerate(sorted({str(t) for t in types})):
        if i < len(PALETTE):
            out[t] = PALETTE[i]
        else:
            out[t] = PALETTE[int(hashlib.sha1(t.encode()).hexdigest(), 16) % len(PALETTE)]
    return out


def _color(colors: Mapping[str, str], t: Any) -> str:
    return colors.get(str(t), "#666666")


def heat_color(n: int, n_max: int) -> str:
    """The density colour of a cell holding ``n`` of at most ``n_max`` events (log scale)."""
    if n_max <= 1:
        return HEAT_RAMP[-1] if n else HEAT_RAMP[0]
    x = math.log1p(n) / math.log1p(n_max)
    return HEAT_RAMP[min(len(HEAT_RAMP) - 1, int(x * len(HEAT_RAMP)))]


# ---------------------------------------------------------------------------------------------------------------
# popups (escaped: titles and places come from untrusted articles)
# ---------------------------------------------------------------------------------------------------------------


def _fmt(value: Any) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    try:
        if pd.isna(value):
            return "-"
    except (TypeError, ValueError):
        pass
    if isinstance(value, float):
        return f"{value:.2f}"
    return str(value)


def event_popup_html(row: Mapping[str, Any]) -> str:
    """HTML popup of one event: title, date, type, place, precision, confidence; every value escaped."""
    e = html.escape
    rows = [
        ("Date", _fmt(row.get("date"))),
        ("Type", _fmt(row.get("type")).replace("_", " ")),
        ("Place", _fmt(row.get("place_name"))),
        ("Precision", _fmt(row.get("precision"))),
        ("Confidence", _fmt(row.get("confidence"))),
    ]
    body = "".join(f"<tr><th>{e(k)}</th><td>{e(v)}</td></tr>" for k, v in rows)
    return (f'<div class="ev-popup"><h4>{e(_fmt(row.get("title")))}</h4><table>{body}</table>'
            "<small>Its article opens beside the map.</small></div>")


def group_popup_html(
    title: str,
    type_counts: Mapping[str, int],
    *,
    colors: Mapping[str, str],
    dates: tuple[Any, Any] = (None, None),
    rows: Sequence[Mapping[str, Any]] = (),
    n: int = 0,
    selectable: bool = True,
) -> str:
    """HTML popup of several events (a cluster or an area): counts per type, date span, the newest events; escaped.

    ``rows`` are the events listed (at most a few); ``n`` is how many the group holds; ``selectable`` says whether
    a click selects them (small groups) or the user has to zoom in or filter first.
    """
    e = html.escape
    kinds = "".join(
        f'<li><i style="background:{e(_color(colors, t))}"></i>{e(str(t).replace("_", " "))}: {int(k):,}</li>'
        for t, k in sorted(type_counts.items(), key=lambda kv: (-kv[1], kv[0]))[:8]
    )
    lo, hi = (_fmt(d) for d in dates)
    span = "" if lo == "-" else f"<div>{e(lo)}{'' if hi in ('-', lo) else ' to ' + e(hi)}</div>"
    listed = "".join(
        f"<li>{e(_fmt(r.get('date')))} &middot; {e(_fmt(r.get('type')).replace('_', ' '))} &middot; "
        f"{e(_fmt(r.get('title')))}</li>"
        for r in rows
    )
    more = f"<li>&hellip; and {n - len(rows):,} more</li>" if listed and n > len(rows) else ""
    events = f'<ul class="ev-list">{listed}{more}</ul>' if listed else ""
    hint = ("Click selects these events; zoom in to separate them." if selectable
            else "Zoom in or narrow the filters to pick single events.")
    return (f'<div class="ev-popup"><h4>{e(title)}</h4>{span}<ul class="ev-types">{kinds}</ul>{events}'
            f"<small>{hint}</small></div>")


# ---------------------------------------------------------------------------------------------------------------
# aggregation: events -> groups per (kind, cell or area, type) -> map features
# ---------------------------------------------------------------------------------------------------------------

#: Columns of an aggregate frame (see :func:`aggregate_events`; the dashboard computes the same in SQL).
AGG_COLUMNS = ("kind", "key", "type", "n", "lat_sum", "lon_sum", "date_min", "date_max", "ids", "name")
#: A group lists its event ids (so a click can select them) only up to this many events.
MAX_GROUP_IDS = 50
#: Separator of the event ids of a group in the ``ids`` column.
ID_SEP = "\x1f"
#: How many events a group popup lists.
POPUP_LIST = 8


def cell_size_deg(zoom: float) -> float:
    """Aggregation cell size in degrees at a zoom level (about :data:`CELL_PX` screen pixels)."""
    z = max(0.0, min(float(zoom), MAX_ZOOM))
    return 360.0 / (2.0**z) * CELL_PX / 256.0


def heat_cell_deg(zoom: float) -> float:
    """Density-view cell size: half an aggregation cell, so the density reads finer than the clusters."""
    return cell_size_deg(zoom) / 2.0


def padded_bbox(bbox: Sequence[float] | None, pad: float = 0.5) -> tuple[float, float, float, float] | None:
    """Grow a (west, south, east, north) box by ``pad`` of its size on each side, so small pans need no redraw."""
    if bbox is None:
        return None
    w, s, e, n = (float(v) for v in bbox)
    dx, dy = (e - w) * pad, (n - s) * pad
    if e - w + 2 * dx >= 360:
        w, e = -180.0, 180.0
    else:
        w, e = w - dx, e + dx
    return (w, max(-90.0, s - dy), e, min(90.0, n + dy))


def _lon_mask(lon: np.ndarray, w: float, e: float) -> np.ndarray:
    if e - w >= 360:
        return np.ones(len(lon), dtype=bool)
    # also accept longitudes shifted by a whole turn (a view across the antimeridian)
    lon_w = ((lon - w) % 360.0) + w
    return (lon_w >= w) & (lon_w <= e)


def _in_bbox(df: pd.DataFrame, bbox: Sequence[float] | None) -> pd.DataFrame:
    if bbox is None or df.empty:
        return df
    w, s, e, n = bbox
    lat = df["lat"].to_numpy(dtype=float)
    lon = df["lon"].to_numpy(dtype=float)
    return df[(lat >= s) & (lat <= n) & _lon_mask(lon, w, e)]


def bbox_sql(bbox: Sequence[float], lat: str = "e.lat", lon: str = "e.lon") -> tuple[str, list[float]]:
    """An SQL condition (and its parameters) true for points inside ``bbox``: the same test as the pandas path.

    Leaflet reports views across the antimeridian with ``east > 180`` or ``west < -180``; such a box is normalised
    and split into two longitude ranges (stored longitudes lie in [-180, 180]).
    """
    w, s, e, n = (float(v) for v in bbox)
    if e - w >= 360:
        return f"({lat} BETWEEN ? AND ?)", [s, n]
    w0 = ((w + 180.0) % 360.0) - 180.0
    e0 = w0 + (e - w)
    if e0 <= 180.0:
        return f"({lat} BETWEEN ? AND ? AND {lon} BETWEEN ? AND ?)", [s, n, w0, e0]
    return f"({lat} BETWEEN ? AND ? AND ({lon} >= ? OR {lon} <= ?))", [s, n, w0, e0 - 360.0]


def event_kind(precision: pd.Series, located: np.ndarray) -> np.ndarray:
    """How each event is drawn: ``point``, ``region``, ``country``, ``admin1``, or ``none`` when it has no place."""
    prec = precision.fillna("point").astype(str).to_numpy()
    kind = np.where(np.isin(prec, ("country", "admin1", "region")), prec, "point")
    return np.where(located, kind, "none")


def aggregate_events(
    df: pd.DataFrame, *, zoom: float, bbox: Sequence[float] | None = None, heatmap: bool = False
) -> pd.DataFrame:
    """Group event rows by (kind, cell or area code, type): the map's whole input, with :data:`AGG_COLUMNS`.

    Point-like events (``point``, ``region``; every located event in the density view, kind ``heat``) are keyed
    by their zoom-sized grid cell ``"row,col"`` and, when ``bbox`` is given, kept only inside it; areas by their
    country or province code; unplaced events (kind ``none``) are only counted. This is the reference for the
    SQL aggregation the dashboard runs on the store (:func:`dashboard.data.map_aggregates`).
    """
    if df.empty:
        return pd.DataFrame({c: pd.Series([], dtype=object) for c in AGG_COLUMNS})
    lat = pd.to_numeric(df["lat"], errors="coerce").to_numpy(dtype=float)
    lon = pd.to_numeric(df["lon"], errors="coerce").to_numpy(dtype=float)
    located = ~(np.isnan(lat) | np.isnan(lon))
    kind = event_kind(df["precision"], located)
    if heatmap:
        kind = np.where(located, "heat", "none")
    pointlike = np.isin(kind, ("point", "region", "heat"))
    if bbox is not None:
        w, s, e, n = bbox
        inside = (lat >= s) & (lat <= n) & _lon_mask(np.nan_to_num(lon), w, e)
        keep = ~pointlike | inside
        df, lat, lon, kind, pointlike = df[keep], lat[keep], lon[keep], kind[keep], pointlike[keep]
    size = heat_cell_deg(zoom) if heatmap else cell_size_deg(zoom)
    gy = np.floor((np.nan_to_num(lat) + 90.0) / size).astype(np.int64)
    gx = np.floor((np.nan_to_num(lon) + 180.0) / size).astype(np.int64)
    cells = pd.Series(gy.astype(str), dtype=object) + "," + pd.Series(gx.astype(str), dtype=object)
    country = df["country_code"].fillna("").astype(str).to_numpy() if "country_code" in df else ""
    admin1 = df["admin1_code"].fillna("").astype(str).to_numpy() if "admin1_code" in df else ""
    key = np.where(pointlike, cells.to_numpy(), np.where(kind == "country", country,
                                                          np.where(kind == "admin1", admin1, "")))
    dates = df["date"].map(lambda d: None if d is None or (isinstance(d, float) and math.isnan(d))
                           else str(d)[:10]) if "date" in df else pd.Series([None] * len(df))
    frame = pd.DataFrame({
        "kind": kind, "key": key, "type": df["type"].astype(str).to_numpy(),
        "lat": np.nan_to_num(lat), "lon": np.nan_to_num(lon), "date": dates.to_numpy(),
        "id": df["id"].astype(str).to_numpy(),
        "name": df["place_name"].to_numpy() if "place_name" in df else None,
    })

    def ids(s: pd.Series) -> str | None:
        return ID_SEP.join(s) if len(s) <= MAX_GROUP_IDS else None

    out = frame.groupby(["kind", "key", "type"], sort=True).agg(
        n=("id", "size"), lat_sum=("lat", "sum"), lon_sum=("lon", "sum"),
        date_min=("date", lambda s: min((d for d in s if d), default=None)),
        date_max=("date", lambda s: max((d for d in s if d), default=None)),
        ids=("id", ids), name=("name", lambda s: max((str(v) for v in s if isinstance(v, str)), default=None)),
    ).reset_index()
    return out[list(AGG_COLUMNS)]


def _split_ids(value: Any) -> list[str]:
    return [i for i in str(value).split(ID_SEP) if i] if isinstance(value, str) and value else []


def _merge(rows: pd.DataFrame) -> dict[str, Any]:
    """One group's totals across its per-type rows."""
    n = int(rows["n"].sum())
    by_type = rows.groupby("type")["n"].sum().astype(int).to_dict()
    ids: list[str] | None = None
    if n <= MAX_GROUP_IDS and rows["ids"].notna().all():
        ids = sorted(i for v in rows["ids"] for i in _split_ids(v))
    dmin = [d for d in rows["date_min"] if isinstance(d, str) and d]
    dmax = [d for d in rows["date_max"] if isinstance(d, str) and d]
    names = [str(v) for v in rows["name"] if isinstance(v, str) and v]
    return {
        "n": n, "by_type": by_type, "type": max(sorted(by_type), key=lambda t: by_type[t]) if by_type else "",
        "lat": float(rows["lat_sum"].sum()) / max(n, 1), "lon": float(rows["lon_sum"].sum()) / max(n, 1),
        "ids": ids, "dates": (min(dmin) if dmin else None, max(dmax) if dmax else None),
        "name": max(names) if names else None,
    }


def detail_ids(agg: pd.DataFrame) -> list[str]:
    """The event ids whose details (title, date...) the popups need: single events and a few per small group."""
    out: list[str] = []
    if agg.empty:
        return out
    for _, rows in agg[agg["kind"] != "heat"].groupby(["kind", "key"], sort=False):
        if int(rows["n"].sum()) > MAX_GROUP_IDS:
            continue
        ids = sorted(i for v in rows["ids"] for i in _split_ids(v))
        out.extend(ids[:POPUP_LIST])
    return out


def _event_props(row: Mapping[str, Any], colors: Mapping[str, str], kind: str) -> dict[str, Any]:
    return {
        "kind": kind,
        "n": 1,
        "event_ids": [str(row["id"])],
        "type": _fmt(row.get("type")),
        "color": _color(colors, row.get("type")),
        "popup": event_popup_html(row),
        "tip": html.escape(f"{_fmt(row.get('type')).replace('_', ' ')} · {_fmt(row.get('place_name'))} · "
                           f"{_fmt(row.get('date'))}"),
    }


def _group_props(g: Mapping[str, Any], details: Mapping[str, Mapping[str, Any]], colors: Mapping[str, str],
                 kind: str, title: str) -> dict[str, Any]:
    ids = g["ids"] or []
    listed = sorted((details[i] for i in ids if i in details), key=lambda r: (str(r.get("date") or ""),
                                                                               str(r.get("id"))), reverse=True)
    return {
        "kind": kind,
        "n": g["n"],
        "event_ids": ids,
        "type": g["type"],
        "color": _color(colors, g["type"]),
        "popup": group_popup_html(title, g["by_type"], colors=colors, dates=g["dates"], rows=listed[:POPUP_LIST],
                                  n=g["n"], selectable=bool(ids)),
        "tip": html.escape(title),
    }


def _single(g: Mapping[str, Any], details: Mapping[str, Mapping[str, Any]]) -> Mapping[str, Any] | None:
    ids = g["ids"] or []
    return details.get(ids[0]) if g["n"] == 1 and ids else None


def features_from_aggregates(
    agg: pd.DataFrame,
    details: Mapping[str, Mapping[str, Any]],
    *,
    zoom: float,
    colors: Mapping[str, str],
    country_shapes: Mapping[str, Mapping[str, Any]] | None = None,
    footprints: Mapping[str, Mapping[str, Any]] | None = None,
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The (area, marker) GeoJSON features of an aggregate frame (:func:`aggregate_events`).

    ``details`` maps event ids to their rows (title, date, type, place_name, precision, confidence) for the
    popups. A point cell with one event becomes that event (``kind='event'``, or ``'region'``), a cell with several
    a cluster badge at their mean position; a country / province group becomes its outline or footprint (a dashed
    circle flagged ``approximate`` when no shape is at hand); density cells (``heat``) become coloured squares.
    """
    areas: list[dict[str, Any]] = []
    marks: list[dict[str, Any]] = []
    if agg.empty:
        return areas, marks
    country_shapes = country_shapes or {}
    footprints = footprints or {}
    heat = agg[agg["kind"] == "heat"]
    if len(heat):
        size = heat_cell_deg(zoom)
        cells = heat.groupby("key", sort=True)["n"].sum()
        n_max = int(cells.max())
        for key, n in cells.items():
            y, x = (int(v) for v in str(key).split(","))
            s, w = y * size - 90.0, x * size - 180.0
            ring = [[w, s], [w + size, s], [w + size, s + size], [w, s + size], [w, s]]
            marks.append({"type": "Feature", "geometry": {"type": "Polygon", "coordinates": [ring]},
                          "properties": {"kind": "heat", "n": int(n), "color": heat_color(int(n), n_max),
                                         "tip": f"{int(n):,} events"}})
    for kind, shapes, radius in (("country", country_shapes, 2.0), ("admin1", footprints, 0.5)):
        part = agg[agg["kind"] == kind]
        for key, rows in part.groupby("key", sort=True):
            g = _merge(rows)
            name = g["name"] or str(key) or "unknown"
            one = _single(g, details)
            props = (_event_props(one, colors, kind) if one is not None
                     else _group_props(g, details, colors, kind, f"{name}: {g['n']:,} events"))
            props["kind"] = kind
            props["area"] = name
            geom = shapes.get(str(key)) if key else None
            if geom is None:
                geom = circle_polygon(g["lat"], g["lon"], radius)
                props["approximate"] = True
            areas.append({"type": "Feature", "geometry": dict(geom), "properties": props})
    for kind, single_kind in (("point", "event"), ("region", "region")):
        part = agg[agg["kind"] == kind]
        for _, rows in part.groupby("key", sort=True):
            g = _merge(rows)
            one = _single(g, details)
            if one is not None:
                props = _event_props(one, colors, single_kind)
                coords = [float(one["lon"]), float(one["lat"])] if "lat" in one else [g["lon"], g["lat"]]
            else:
                props = _group_props(g, details, colors, "cluster", f"{g['n']:,} events")
                coords = [g["lon"], g["lat"]]
            marks.append({"type": "Feature", "geometry": {"type": "Point", "coordinates": coords},
                          "properties": props})
    return areas, marks


def _details_from_frame(df: pd.DataFrame, ids: Sequence[str]) -> dict[str, dict[str, Any]]:
    if not ids or df.empty:
        return {}
    sub = df[df["id"].astype(str).isin(set(ids))]
    return {str(r["id"]): r for r in sub.to_dict("records")}


def point_features(df: pd.DataFrame, *, zoom: float, bbox: Sequence[float] | None,
                   colors: Mapping[str, str]) -> list[dict[str, Any]]:
    """Marker features of ``df``'s point and region events, aggregated into zoom-sized cells inside ``bbox``."""
    agg = aggregate_events(df, zoom=zoom, bbox=bbox)
    agg = agg[agg["kind"].isin(("point", "region"))]
    return features_from_aggregates(agg, _details_from_frame(df, detail_ids(agg)), zoom=zoom, colors=colors)[1]


def heat_features(df: pd.DataFrame, *, zoom: float, bbox: Sequence[float] | None) -> list[dict[str, Any]]:
    """Density view: one square per non-empty cell inside ``bbox``, coloured by its event count (all precisions)."""
    agg = aggregate_events(df, zoom=zoom, bbox=bbox, heatmap=True)
    return features_from_aggregates(agg, {}, zoom=zoom, colors={})[1]


# ---------------------------------------------------------------------------------------------------------------
# geometry helpers (GeoJSON order: [lon, lat])
# ---------------------------------------------------------------------------------------------------------------


def circle_polygon(lat: float, lon: float, radius_deg: float, n: int = 24) -> dict[str, Any]:
    """A polygon approximating a circle of ``radius_deg`` degrees (longitude corrected for latitude)."""
    k = max(math.cos(math.radians(lat)), 0.2)
    ring = [
        [round(lon + radius_deg / k * math.cos(2 * math.pi * i / n), 5),
         round(lat + radius_deg * math.sin(2 * math.pi * i / n), 5)]
        for i in range(n)
    ]
    ring.append(ring[0])
    return {"type": "Polygon", "coordinates": [ring]}


def footprint_geometry(points: Sequence[tuple[float, float]], *, buffer_deg: float = 0.15) -> dict[str, Any] | None:
    """An approximate province area from its populated places: their convex hull, buffered.

    ``points`` are (lat, lon). One or two places give a buffered point or segment; none gives ``None``.
    """
    from shapely.geometry import MultiPoint, mapping

    pts = [(float(lon), float(lat)) for lat, lon in points if lat is not None and lon is not None]
    if not pts:
        return None
    hull = MultiPoint(pts).convex_hull
    geom = hull.buffer(buffer_deg if len(pts) > 2 else max(buffer_deg, 0.3), quad_segs=4).simplify(0.01)
    return _round_geometry(mapping(geom))


def _round_geometry(geom: Mapping[str, Any], ndigits: int = 3) -> dict[str, Any]:
    def r(c: Any) -> Any:
        if isinstance(c, (list, tuple)) and c and isinstance(c[0], (int, float)):
            return [round(float(v), ndigits) for v in c]
        return [r(x) for x in c]

    return {"type": geom["type"], "coordinates": r(geom["coordinates"])}


def country_shapes_from_basemap(
    basemap: Mapping[str, Any] | None, iso3_to_iso2: Mapping[str, str], name_to_iso2: Mapping[str, str] | None = None
) -> dict[str, dict[str, Any]]:
    """Map ISO alpha-2 country codes to outline geometries of a Natural Earth style FeatureCollection.

    Natural Earth marks a few countries (France, Norway...) with ``iso_a3 = -99``; those are matched by name.
    """
    out: dict[str, dict[str, Any]] = {}
    if not basemap:
        return out
    names = {k.casefold(): v for k, v in (name_to_iso2 or {}).items()}
    for feat in basemap.get("features", []):
        props = feat.get("properties") or {}
        iso2 = props.get("iso_a2") or props.get("ISO_A2")
        if not iso2 or iso2 == "-99":
            iso2 = iso3_to_iso2.get(str(props.get("iso_a3") or props.get("ISO_A3") or ""))
        if not iso2:
            iso2 = names.get(str(props.get("name") or props.get("NAME") or "").casefold())
        if iso2 and feat.get("geometry"):
            out[str(iso2)] = feat["geometry"]
    return out


def simplify_basemap(basemap: Mapping[str, Any], ndigits: int = 2) -> dict[str, Any]:
    """The basemap with rounded coordinates and only name/ISO properties, to keep the page small."""
    feats = []
    for f in basemap.get("features", []):
        if not f.get("geometry"):
            continue
        props = f.get("properties") or {}
        keep = {k: props[k] for k in ("name", "iso_a2", "iso_a3") if k in props}
        feats.append({"type": "Feature", "properties": keep, "geometry": _round_geometry(f["geometry"], ndigits)})
    return {"type": "FeatureCollection", "features": feats}


# ---------------------------------------------------------------------------------------------------------------
# folium elements
# ---------------------------------------------------------------------------------------------------------------


class EventLayer(MacroElement):
    """A Leaflet GeoJSON layer of event features (points, clusters, areas, density cells).

    Styles and popups come from each feature's properties (``color``, ``n``, ``popup``, ``tip``), so one small
    script draws any number of features; circles are drawn on a canvas, cluster badges as light DOM icons.
    Popup/tooltip strings are escaped on the server; the data is embedded with ``tojson`` (which escapes ``<``).
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = L.geoJSON({{ this.data|tojson }}, {
            pointToLayer: function (f, latlng) {
                var p = f.properties;
                if (p.kind === "cluster") {
                    var size = Math.round(22 + 10 * Math.log10(p.n));
                    return L.marker(latlng, {icon: L.divIcon({
                        className: "ev-cluster", iconSize: [size + 6, size + 6],
                        html: '<div style="width:' + size + 'px;height:' + size + 'px;margin:3px;background:'
                              + p.color + '">' + p.n + '</div>'})});
                }
                if (p.kind === "region") {
                    return L.circleMarker(latlng, {radius: 14, color: p.color, weight: 2, dashArray: "4 3",
                                                   fillOpacity: 0.05});
                }
                return L.circleMarker(latlng, {radius: 7, color: "#ffffff", weight: 1.5, fillColor: p.color,
                                               fillOpacity: 0.9});
            },
            style: function (f) {
                var p = f.properties;
                if (p.kind === "heat") {
                    return {stroke: false, fillColor: p.color, fillOpacity: 0.55};
                }
                return {color: p.color, weight: p.approximate ? 1 : 2, dashArray: p.approximate ? "4 3" : null,
                        fillColor: p.color, fillOpacity: Math.min(0.25 + 0.08 * Math.log2(p.n || 1), 0.6)};
            },
            onEachFeature: function (f, layer) {
                var p = f.properties;
                if (p.popup) { layer.bindPopup(p.popup, {maxWidth: 320}); }
                if (p.tip) { layer.bindTooltip(p.tip, {sticky: true}); }
                // the popup says more than the tooltip: do not show both on top of each other
                layer.on("popupopen", function () { layer.closeTooltip(); layer.unbindTooltip(); });
                layer.on("popupclose", function () { if (p.tip) { layer.bindTooltip(p.tip, {sticky: true}); } });
                if (p.kind === "cluster") {
                    layer.on("click", function (ev) {
                        var m = layer._map;
                        if (m && m.getZoom() < {{ this.max_zoom }}) {
                            m.setView(ev.latlng, Math.min(m.getZoom() + 2, {{ this.max_zoom }}));
                        }
                    });
                }
            }
        }).addTo({{ this._parent.get_name() }});
        {% endmacro %}
        """
    )

    def __init__(self, features: list[dict[str, Any]], name: str = "events") -> None:
        super().__init__()
        self._name = "EventLayer"
        self.layer_name = name
        self.data = {"type": "FeatureCollection", "features": features}
        self.max_zoom = MAX_ZOOM


class Basemap(MacroElement):
    """The offline basemap: country outlines drawn on a canvas, not clickable (clicks go to the events).

    Given a URL (a locally served GeoJSON file) the browser fetches it once and caches it, which keeps the map
    script small on every rerun; given a GeoJSON mapping it is embedded in the page.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function (map) {
            map.getContainer().style.background = "#c9dbe8";
            var style = {color: "#8a8f98", weight: 0.7, fillColor: "#eef0e8", fillOpacity: 1};
            function draw(data) {
                var layer = L.geoJSON(data, {interactive: false, style: style}).addTo(map);
                layer.bringToBack();
            }
            {% if this.url %}
            fetch({{ this.url|tojson }}).then(function (r) { return r.json(); }).then(draw);
            {% else %}
            draw({{ this.data|tojson }});
            {% endif %}
        })({{ this._parent.get_name() }});
        {% endmacro %}
        """
    )

    def __init__(self, geojson: Mapping[str, Any] | str) -> None:
        super().__init__()
        self._name = "Basemap"
        self.url = geojson if isinstance(geojson, str) else None
        self.data = None if isinstance(geojson, str) else dict(geojson)


class ImagePath(MacroElement):
    """Sets ``L.Icon.Default.imagePath`` to the locally served Leaflet images (else marker icons 404)."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        L.Icon.Default.imagePath = {{ this.url|tojson }};
        {% endmacro %}
        """
    )

    def __init__(self, url: str) -> None:
        super().__init__()
        self._name = "ImagePath"
        self.url = url


def legend_html(colors: Mapping[str, str], *, counts: Mapping[str, int] | None = None, open_: bool = False) -> str:
    """The legend, collapsed to one line by default: a dot per event type, then the area and precision keys.

    A ``<details>`` element, so it opens and closes without any script; escaped.
    """
    e = html.escape
    rows = []
    for t, c in colors.items():
        n = f" ({counts[t]:,})" if counts and t in counts else ""
        rows.append(f'<div><i style="background:{e(c)}"></i>{e(t.replace("_", " "))}{e(n)}</div>')
    rows.append('<hr style="margin:4px 0">')
    rows.append('<div><i class="ev-dot" style="background:#888"></i>one event (city or place)</div>')
    rows.append('<div><i class="ev-badge">12</i>several events: click to zoom in</div>')
    rows.append('<div><i class="ev-area" style="background:#888"></i>country / province (shaded area)</div>')
    rows.append('<div><i style="border:2px dashed #888;background:none"></i>region or approximate area</div>')
    summary = f"Legend: {len(colors)} event types" if colors else "Legend"
    return (f'<details class="ev-legend"{" open" if open_ else ""}><summary>{e(summary)}</summary>'
            f'<div class="ev-legend-body">{"".join(rows)}</div></details>')


class Legend(MacroElement):
    """A Leaflet control in the bottom-right corner holding :func:`legend_html`."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = L.control({position: "bottomright"});
        {{ this.get_name() }}.onAdd = function () {
            var div = L.DomUtil.create("div", "");
            div.innerHTML = {{ this.html|tojson }};
            L.DomEvent.disableClickPropagation(div);
            L.DomEvent.disableScrollPropagation(div);
            return div;
        };
        {{ this.get_name() }}.addTo({{ this._parent.get_name() }});
        {% endmacro %}
        """
    )

    def __init__(self, html_text: str) -> None:
        super().__init__()
        self._name = "Legend"
        self.html = html_text


def localize_assets(m: folium.Map) -> folium.Map:
    """Point the map's JS/CSS at the locally served copies and drop every CDN link (Bootstrap, fonts...)."""
    m.default_js = list(assets.JS)
    m.default_css = list(assets.CSS)
    return m


def build_base_map(
    *,
    basemap: Mapping[str, Any] | str | None,
    colors: Mapping[str, str],
    center: tuple[float, float] = (15.0, 10.0),
    zoom: int = 2,
    online_tiles: bool = False,
    type_counts: Mapping[str, int] | None = None,
) -> folium.Map:
    """The map without events: local Leaflet, the offline basemap, the legend and, if asked, online tiles.

    It depends only on slowly changing inputs (basemap, type colours), so Streamlit keeps the same map (and the
    user's view) while filters change; events come separately through :func:`build_event_groups`. ``basemap`` is
    a GeoJSON mapping (embedded) or the URL of a locally served GeoJSON file (fetched by the browser).
    """
    m = folium.Map(
        location=list(center),
        zoom_start=zoom,
        tiles=None,
        prefer_canvas=True,
        world_copy_jump=True,
        control_scale=True,
        # without a tile layer folium does not pass its zoom limits on; Leaflet needs maxZoom
        maxZoom=MAX_ZOOM,
        minZoom=1,
    )
    localize_assets(m)
    m.get_root().header.add_child(Element(_CSS), name="ev_css")
    m.add_child(ImagePath(assets.LEAFLET_IMAGES_URL))
    if online_tiles:
        folium.TileLayer(ONLINE_TILES_URL, attr=ONLINE_TILES_ATTR, name="OpenStreetMap", max_zoom=MAX_ZOOM).add_to(m)
    elif basemap:
        m.add_child(Basemap(basemap))
    m.add_child(Legend(legend_html(colors, counts=type_counts)))
    return m


def event_features(
    df: pd.DataFrame,
    *,
    zoom: float,
    bbox: Sequence[float] | None,
    colors: Mapping[str, str],
    country_shapes: Mapping[str, Mapping[str, Any]] | None = None,
    footprints: Mapping[str, Mapping[str, Any]] | None = None,
    heatmap: bool = False,
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The (area, marker) features for the current filters and viewport; markers are density cells in heat mode."""
    agg = aggregate_events(df, zoom=zoom, bbox=padded_bbox(bbox), heatmap=heatmap)
    return features_from_aggregates(agg, _details_from_frame(df, detail_ids(agg)), zoom=zoom, colors=colors,
                                    country_shapes=country_shapes, footprints=footprints)


def groups_from_features(areas: list[dict[str, Any]], marks: list[dict[str, Any]]) -> list[folium.FeatureGroup]:
    """Two feature groups (areas below, markers on top) carrying the given features."""
    area_group = folium.FeatureGroup(name="Areas")
    area_group.add_child(EventLayer(areas, name="areas"))
    mark_group = folium.FeatureGroup(name="Events")
    mark_group.add_child(EventLayer(marks, name="points"))
    return [area_group, mark_group]


def build_event_groups(
    df: pd.DataFrame,
    *,
    zoom: float,
    bbox: Sequence[float] | None,
    colors: Mapping[str, str],
    country_shapes: Mapping[str, Mapping[str, Any]] | None = None,
    footprints: Mapping[str, Mapping[str, Any]] | None = None,
    heatmap: bool = False,
) -> list[folium.FeatureGroup]:
    """The event layers for the current filters and viewport: areas below, markers or density on top."""
    return groups_from_features(*event_features(df, zoom=zoom, bbox=bbox, colors=colors,
                                                country_shapes=country_shapes, footprints=footprints,
                                                heatmap=heatmap))


def render_html(m: folium.Map, groups: Sequence[folium.FeatureGroup] = ()) -> str:
    """The full standalone HTML of a map with its event layers (used by tests and static export)."""
    for g in groups:
        g.add_to(m)
    return m.get_root().render()


def layer_features(groups: Sequence[folium.FeatureGroup]) -> list[dict[str, Any]]:
    """All features carried by the :class:`EventLayer` children of ``groups`` (for tests and counts)."""
    out: list[dict[str, Any]] = []
    for g in groups:
        for child in g._children.values():
            if isinstance(child, EventLayer):
                out.extend(child.data["features"])
    return out


def features_json_size(groups: Sequence[folium.FeatureGroup]) -> int:
    """Bytes of GeoJSON the layers send to the browser (a guard against unbounded payloads)."""
    return len(json.dumps(layer_features(groups), separators=(",", ":")))
