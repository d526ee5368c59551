"""The event map: pure builders from event rows to an offline folium map and its event layers.

Nothing here talks to Streamlit or the store, so tests render the map to HTML and assert on it directly.

Why it stays fast at 100,000 events: the browser never receives one object per event. Point events are
aggregated on the server into a grid whose cell size follows the zoom (about 60 screen pixels), only cells in the
visible viewport (plus a margin) are sent, a cell holding one event is drawn as that event, a cell holding many as a
single cluster badge with its count. Area events are aggregated per country / province. The payload is therefore
bounded by the screen, not by the number of events.

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

#: Colour-blind-friendly categorical palette (Tableau 10 and extensions).
PALETTE = (
    "#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7", "#9c755f",
    "#bab0ac", "#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#8c564b", "#e377c2", "#17becf", "#bcbd22",
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
.ev-legend { background: rgba(255,255,255,.92); padding: 6px 8px; border-radius: 4px; font: 12px system-ui,
  sans-serif; line-height: 1.5; max-height: 260px; overflow-y: auto; box-shadow: 0 1px 4px rgba(0,0,0,.3); }
.ev-legend i { display: inline-block; width: 10px; height: 10px; border-radius: 50%; margin-right: 5px; }
.ev-legend .ev-area { border-radius: 2px; opacity: .6; }
.ev-popup table { border-collapse: collapse; font-size: 12px; }
.ev-popup th { text-align: left; padding-right: 6px; color: #555; font-weight: 600; vertical-align: top; }
.ev-popup h4 { font-size: 13px; margin: 0 0 4px 0; }
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
        ("Type", _fmt(row.get("type"))),
        ("Place", _fmt(row.get("place_name"))),
        ("Precision", _fmt(row.get("precision"))),
        ("Confidence", _fmt(row.get("confidence"))),
    ]
    body = "".join(f"<tr><th>{e(k)}</th><td>{e(v)}</td></tr>" for k, v in rows)
    return f'<div class="ev-popup"><h4>{e(_fmt(row.get("title")))}</h4><table>{body}</table></div>'


def group_popup_html(title: str, rows: pd.DataFrame, *, limit: int = 8) -> str:
    """HTML popup of several events (a cluster or an area): a heading and the first titles, escaped."""
    e = html.escape
    items = "".join(
        f"<li>{e(_fmt(r.get('date')))} &middot; {e(_fmt(r.get('type')))} &middot; {e(_fmt(r.get('title')))}</li>"
        for r in rows.head(limit).to_dict("records")
    )
    more = f"<li>&hellip; and {len(rows) - limit} more</li>" if len(rows) > limit else ""
    return (
        f'<div class="ev-popup"><h4>{e(title)}</h4><ul style="padding-left:16px;margin:0">{items}{more}</ul>'
        "<small>Click selects these events; zoom in to separate them.</small></div>"
    )


# ---------------------------------------------------------------------------------------------------------------
# aggregation
# ---------------------------------------------------------------------------------------------------------------


def cell_size_deg(zoom: float) -> float:
    """Aggregation cell size in degrees at a zoom level (about :data:`CELL_PX` screen pixels)."""
    z = max(0.0, min(float(zoom), MAX_ZOOM))
    return 360.0 / (2.0**z) * CELL_PX / 256.0


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


def _in_bbox(df: pd.DataFrame, bbox: Sequence[float] | None) -> pd.DataFrame:
    if bbox is None or df.empty:
        return df
    w, s, e, n = bbox
    lat = df["lat"].to_numpy(dtype=float)
    lon = df["lon"].to_numpy(dtype=float)
    if e - w >= 360:
        mask_lon = np.ones(len(df), dtype=bool)
    else:
        # also accept longitudes shifted by a whole turn (a view across the antimeridian)
        lon_w = ((lon - w) % 360.0) + w
        mask_lon = (lon_w >= w) & (lon_w <= e)
    mask = (lat >= s) & (lat <= n) & mask_lon
    return df[mask]


def _located(df: pd.DataFrame) -> pd.DataFrame:
    if df.empty:
        return df
    return df[df["lat"].notna() & df["lon"].notna()]


def split_by_precision(df: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Split located events into (points, admin1 areas, country areas, regions)."""
    df = _located(df)
    prec = df["precision"].fillna("point").astype(str)
    return (
        df[~prec.isin(("admin1", "country", "region"))],
        df[prec == "admin1"],
        df[prec == "country"],
        df[prec == "region"],
    )


def _dominant(series: pd.Series) -> str:
    counts = series.astype(str).value_counts()
    return str(counts.index[0]) if len(counts) else ""


def _event_props(row: Mapping[str, Any], colors: Mapping[str, str], kind: str) -> dict[str, Any]:
    return {
        "kind": kind,
        "n": 1,
        "event_ids": [str(row["id"])],
        "type": _fmt(row.get("type")),
        "color": _color(colors, row.get("type")),
        "popup": event_popup_html(row),
        "tip": html.escape(f"{_fmt(row.get('type'))} · {_fmt(row.get('place_name'))} · {_fmt(row.get('date'))}"),
    }


def _group_props(
    rows: pd.DataFrame, colors: Mapping[str, str], kind: str, title: str, *, max_ids: int = 50
) -> dict[str, Any]:
    t = _dominant(rows["type"])
    return {
        "kind": kind,
        "n": int(len(rows)),
        "event_ids": [str(i) for i in rows["id"].head(max_ids)],
        "type": t,
        "color": _color(colors, t),
        "popup": group_popup_html(title, rows),
        "tip": html.escape(title),
    }


def point_features(
    df: pd.DataFrame,
    *,
    zoom: float,
    bbox: Sequence[float] | None,
    colors: Mapping[str, str],
    kind_single: str = "event",
) -> list[dict[str, Any]]:
    """GeoJSON features of point events aggregated into zoom-sized grid cells within ``bbox``.

    A cell with one event yields that event (``kind='event'``), a cell with several a cluster
    (``kind='cluster'``, ``n`` events, drawn at their mean position).
    """
    df = _in_bbox(_located(df), bbox)
    if df.empty:
        return []
    size = cell_size_deg(zoom)
    lat = df["lat"].to_numpy(dtype=float)
    lon = df["lon"].to_numpy(dtype=float)
    key = np.floor((lat + 90.0) / size).astype(np.int64) * 1_000_003 + np.floor((lon + 180.0) / size).astype(np.int64)
    order = np.argsort(key, kind="stable")
    keys_sorted = key[order]
    starts = np.flatnonzero(np.r_[True, keys_sorted[1:] != keys_sorted[:-1]])
    ends = np.r_[starts[1:], len(order)]
    features: list[dict[str, Any]] = []
    for a, b in zip(starts, ends):
        idx = order[a:b]
        if b - a == 1:
            row = df.iloc[int(idx[0])].to_dict()
            props = _event_props(row, colors, kind_single)
            coords = [float(row["lon"]), float(row["lat"])]
        else:
            rows = df.iloc[idx]
            props = _group_props(rows, colors, "cluster", f"{b - a} events")
            coords = [float(lon[idx].mean()), float(lat[idx].mean())]
        features.append({"type": "Feature", "geometry": {"type": "Point", "coordinates": coords}, "properties": props})
    return features


def area_features(
    admin1: pd.DataFrame,
    countries: pd.DataFrame,
    *,
    colors: Mapping[str, str],
    country_shapes: Mapping[str, Mapping[str, Any]],
    footprints: Mapping[str, Mapping[str, Any]],
) -> list[dict[str, Any]]:
    """One feature per country / province that has events, shaped by its outline or footprint.

    ``country_shapes`` maps ISO alpha-2 codes to GeoJSON geometries; ``footprints`` maps ISO 3166-2 admin1 codes
    to geometries. An area without a shape falls back to a circle-sized polygon around the events' point, marked
    ``approximate`` so the popup can say so.
    """
    features: list[dict[str, Any]] = []
    for frame, key_col, shapes, kind, radius in (
        (countries, "country_code", country_shapes, "country", 2.0),
        (admin1, "admin1_code", footprints, "admin1", 0.5),
    ):
        if frame.empty:
            continue
        keys = frame[key_col].fillna("").astype(str)
        for key, rows in frame.groupby(keys, sort=True):
            name = _fmt(rows["place_name"].iloc[0])
            if len(rows) == 1:
                props = _event_props(rows.iloc[0].to_dict(), colors, kind)
            else:
                props = _group_props(rows, colors, kind, f"{name}: {len(rows)} events")
            props["kind"] = kind
            props["area"] = name
            geom = shapes.get(key) if key else None
            if geom is None:
                geom = circle_polygon(float(rows["lat"].mean()), float(rows["lon"].mean()), radius)
                props["approximate"] = True
            features.append({"type": "Feature", "geometry": dict(geom), "properties": props})
    return features


def heat_features(df: pd.DataFrame, *, zoom: float, bbox: Sequence[float] | None) -> list[dict[str, Any]]:
    """Density view: one rectangle per non-empty grid cell, coloured by its event count (all precisions)."""
    df = _in_bbox(_located(df), bbox)
    if df.empty:
        return []
    size = cell_size_deg(zoom) / 2.0
    gy = np.floor((df["lat"].to_numpy(dtype=float) + 90.0) / size).astype(np.int64)
    gx = np.floor((df["lon"].to_numpy(dtype=float) + 180.0) / size).astype(np.int64)
    cells = pd.DataFrame({"gy": gy, "gx": gx}).value_counts()
    n_max = int(cells.max())
    features = []
    for (y, x), n in cells.items():
        s, w = y * size - 90.0, x * size - 180.0
        ring = [[w, s], [w + size, s], [w + size, s + size], [w, s + size], [w, s]]
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "Polygon", "coordinates": [ring]},
                "properties": {"kind": "heat", "n": int(n), "color": heat_color(int(n), n_max),
                               "tip": f"{int(n)} events"},
            }
        )
    return features


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


def legend_html(colors: Mapping[str, str], *, counts: Mapping[str, int] | None = None) -> str:
    """The legend: one coloured dot per event type, then the area and precision keys; escaped."""
    e = html.escape
    rows = []
    for t, c in colors.items():
        n = f" ({counts[t]})" if counts and t in counts else ""
        rows.append(f'<div><i style="background:{e(c)}"></i>{e(t.replace("_", " "))}{e(n)}</div>')
    rows.append('<hr style="margin:4px 0">')
    rows.append('<div><i class="ev-area" style="background:#888"></i>country / province area</div>')
    rows.append('<div><i style="border:2px dashed #888;background:none"></i>region or approximate</div>')
    return '<div class="ev-legend"><b>Event type</b>' + "".join(rows) + "</div>"


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
    view = padded_bbox(bbox)
    if heatmap:
        return [], heat_features(df, zoom=zoom, bbox=view)
    points, admin1, countries, regions = split_by_precision(df)
    areas = area_features(admin1, countries, colors=colors, country_shapes=country_shapes or {},
                          footprints=footprints or {})
    marks = point_features(points, zoom=zoom, bbox=view, colors=colors)
    marks += point_features(regions, zoom=zoom, bbox=view, colors=colors, kind_single="region")
    return areas, marks


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
