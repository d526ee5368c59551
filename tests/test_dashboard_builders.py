"""The dashboard's pure builders, tested without a browser or a Streamlit server."""

from __future__ import annotations

import datetime as dt
import json
import re

import numpy as np
import pandas as pd
import pytest

from dashboard import article_view, assets, filters, map_view, timeline_view
from dashboard.data import safe_suffix
from geo.model import Article, Candidate, DateMention, Event, Place, Span, Toponym

CDN_HOSTS = ("cdn.jsdelivr.net", "code.jquery.com", "cdnjs.cloudflare.com", "netdna.bootstrapcdn.com",
             "unpkg.com", "tile.openstreetmap.org")


def _events(n: int, *, precision: str = "city", seed: int = 0, **cols) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    df = pd.DataFrame({
        "id": [f"e{i}" for i in range(n)],
        "article_id": [f"a{i // 3}" for i in range(n)],
        "type": rng.choice(["airstrike", "protest", "armed_clash"], n),
        "lat": rng.uniform(-40, 60, n),
        "lon": rng.uniform(-120, 140, n),
        "precision": precision,
        "country_code": "EC",
        "admin1_code": "EC-E",
        "place_name": "Esmeraldas",
        "title": "A title",
        "date": [dt.date(2026, 3, 1) + dt.timedelta(days=int(d)) for d in rng.integers(0, 20, n)],
        "confidence": 0.8,
    })
    for k, v in cols.items():
        df[k] = v
    return df


# ------------------------------------------------------------------------------------------------ map


def test_map_html_uses_only_local_assets():
    colors = map_view.type_colors(["airstrike", "protest"])
    m = map_view.build_base_map(basemap={"type": "FeatureCollection", "features": []}, colors=colors)
    groups = map_view.build_event_groups(_events(50), zoom=3, bbox=None, colors=colors)
    html = map_view.render_html(m, groups)
    for url in ("/app/static/vendor/leaflet/leaflet.js", "/app/static/vendor/leaflet/leaflet.css"):
        assert url in html
    assert "jquery" not in html.lower() and "bootstrap" not in html.lower()  # nothing the map does not use
    assert not [h for h in CDN_HOSTS if h in html], "a CDN URL is still referenced"
    assert not re.findall(r"""(?:src|href)=["']https?://""", html)
    assert '"maxZoom": 16' in html or "maxZoom: 16" in html or '"maxZoom":16' in html
    assert "L.Icon.Default.imagePath" in html and "/app/static/vendor/leaflet/images/" in html


def test_online_tiles_only_when_switched_on():
    colors = map_view.type_colors(["x"])
    off = map_view.render_html(map_view.build_base_map(basemap=None, colors=colors))
    on = map_view.render_html(map_view.build_base_map(basemap=None, colors=colors, online_tiles=True))
    assert "tile.openstreetmap.org" not in off
    assert "tile.openstreetmap.org" in on


def test_streamlit_folium_receives_local_links_only():
    """streamlit-folium collects JS/CSS links from every element; none may point at a CDN."""
    colors = map_view.type_colors(["x"])
    m = map_view.build_base_map(basemap=None, colors=colors)
    links = [src for _, src in m.default_js] + [href for _, href in m.default_css]
    assert links and all(u.startswith(assets.VENDOR_URL) for u in links)
    for group in map_view.build_event_groups(_events(5), zoom=2, bbox=None, colors=colors):
        for child in group._children.values():
            assert not getattr(child, "default_js", []), child


def test_vendor_copy_is_real_files(tmp_path):
    written = assets.ensure_vendor(tmp_path)
    for _, url in assets.JS + assets.CSS:
        path = tmp_path / url.removeprefix(assets.VENDOR_URL + "/")
        assert path.is_file() and not path.is_symlink() and path.stat().st_size > 1000
    assert (tmp_path / "leaflet/images/marker-icon.png").is_file()
    assert written and assets.ensure_vendor(tmp_path) == []  # idempotent


def test_aggregation_is_bounded_by_the_screen_not_the_data():
    colors = map_view.type_colors(["airstrike", "protest", "armed_clash"])
    df = _events(100_000, seed=1)
    feats = map_view.point_features(df, zoom=2, bbox=(-180, -85, 180, 85), colors=colors)
    assert sum(f["properties"]["n"] for f in feats) == len(df)  # every event is counted once
    assert len(feats) < 600
    assert {f["properties"]["kind"] for f in feats} <= {"cluster", "event"}
    # zooming in on a viewport sends only what is inside it (plus a margin)
    view = (-10.0, 0.0, 10.0, 10.0)
    zoomed = map_view.point_features(df, zoom=8, bbox=map_view.padded_bbox(view), colors=colors)
    total = sum(f["properties"]["n"] for f in zoomed)
    inside = ((df.lat.between(-5, 15)) & (df.lon.between(-20, 20))).sum()
    assert total == inside


def test_single_event_cell_is_the_event_with_its_id():
    colors = map_view.type_colors(["airstrike"])
    df = _events(1, type="airstrike")
    (feat,) = map_view.point_features(df, zoom=5, bbox=None, colors=colors)
    assert feat["properties"]["kind"] == "event"
    assert feat["properties"]["event_ids"] == ["e0"]
    assert feat["geometry"]["coordinates"] == [pytest.approx(df.lon[0]), pytest.approx(df.lat[0])]
    assert feat["properties"]["color"] == colors["airstrike"]


def test_precision_is_drawn_honestly():
    colors = map_view.type_colors(["airstrike"])
    ec = {"type": "Polygon", "coordinates": [[[-80, -5], [-75, -5], [-75, 1], [-80, 1], [-80, -5]]]}
    df = pd.concat([
        _events(2, precision="country", type="airstrike").assign(id=["c1", "c2"]),
        _events(1, precision="admin1", type="airstrike").assign(id=["p1"], admin1_code="EC-E"),
        _events(1, precision="city", type="airstrike").assign(id=["t1"]),
        _events(1, precision="region", type="airstrike").assign(id=["r1"]),
    ], ignore_index=True)
    footprint = map_view.footprint_geometry([(0.96, -79.65), (0.5, -79.2), (1.2, -78.8), (0.3, -79.9)])
    groups = map_view.build_event_groups(df, zoom=6, bbox=None, colors=colors, country_shapes={"EC": ec},
                                         footprints={"EC-E": footprint})
    feats = map_view.layer_features(groups)
    by_kind = {f["properties"]["kind"]: f for f in feats}
    assert by_kind["country"]["geometry"] == ec and by_kind["country"]["properties"]["n"] == 2
    assert by_kind["admin1"]["geometry"]["type"] == "Polygon"
    assert "approximate" not in by_kind["admin1"]["properties"]
    assert by_kind["event"]["geometry"]["type"] == "Point"
    assert by_kind["region"]["geometry"]["type"] == "Point"
    # a province without footprint data falls back to an approximate circle, flagged as such
    groups = map_view.build_event_groups(df, zoom=6, bbox=None, colors=colors)
    admin = [f for f in map_view.layer_features(groups) if f["properties"]["kind"] == "admin1"][0]
    assert admin["properties"]["approximate"] is True


def test_footprint_contains_its_places():
    from shapely.geometry import Point, shape

    pts = [(0.96, -79.65), (0.5, -79.2), (1.2, -78.8), (0.3, -79.9), (0.8, -79.5)]
    geom = shape(map_view.footprint_geometry(pts))
    assert all(geom.contains(Point(lon, lat)) for lat, lon in pts)
    assert map_view.footprint_geometry([]) is None
    assert shape(map_view.footprint_geometry([(0.9, -79.6)])).contains(Point(-79.6, 0.9))


def test_popups_escape_untrusted_text():
    row = {"title": "<script>alert(1)</script>", "place_name": '<img src=x onerror="alert(2)">', "type": "a<b",
           "date": dt.date(2026, 3, 6), "precision": "city", "confidence": 0.5}
    popup = map_view.event_popup_html(row)
    assert "<script>" not in popup and "<img" not in popup
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in popup
    colors = map_view.type_colors(["a<b"])
    m = map_view.build_base_map(basemap=None, colors=colors)
    df = _events(1).assign(title=row["title"], place_name=row["place_name"])
    html = map_view.render_html(m, map_view.build_event_groups(df, zoom=3, bbox=None, colors=colors))
    assert "<script>alert(1)" not in html and "<img src=x" not in html


def test_heat_features_count_every_event():
    df = _events(5000, seed=3)
    feats = map_view.heat_features(df, zoom=3, bbox=None)
    assert sum(f["properties"]["n"] for f in feats) == 5000
    assert {f["properties"]["color"] for f in feats} <= set(map_view.HEAT_RAMP)


def test_country_shapes_match_iso2_and_natural_earth_quirks():
    basemap = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"name": "Ecuador", "iso_a2": "EC"}, "geometry": {"type": "Point",
                                                                                         "coordinates": [0, 0]}},
        {"type": "Feature", "properties": {"name": "France", "iso_a3": "-99"}, "geometry": {"type": "Point",
                                                                                        "coordinates": [1, 1]}},
    ]}
    shapes = map_view.country_shapes_from_basemap(basemap, {}, {"France": "FR"})
    assert set(shapes) == {"EC", "FR"}
    assert map_view.simplify_basemap(basemap)["features"][0]["properties"]["iso_a2"] == "EC"


def test_type_colours_are_stable():
    a = map_view.type_colors(["protest", "airstrike"])
    b = map_view.type_colors(["airstrike", "protest"])
    assert a == b and a["airstrike"] != a["protest"]


# ------------------------------------------------------------------------------------------------ timeline


def test_counts_frame_and_period_choice():
    df = _events(300, seed=4)
    counts = timeline_view.counts_frame(df, "day")
    assert counts["n"].sum() == 300
    assert set(counts["type"]) == set(df["type"])
    weekly = timeline_view.counts_frame(df, "week")
    assert weekly["n"].sum() == 300 and (weekly["period"].dt.weekday == 0).all()
    assert timeline_view.choose_period(dt.date(2026, 1, 1), dt.date(2026, 2, 1)) == "day"
    assert timeline_view.choose_period(dt.date(2024, 1, 1), dt.date(2026, 1, 1)) == "week"
    assert timeline_view.choose_period(dt.date(2010, 1, 1), dt.date(2026, 1, 1)) == "month"


def test_timeline_chart_spec_has_interval_selection_and_stacked_types():
    df = _events(100, seed=5)
    colors = map_view.type_colors(df["type"].unique())
    chart = timeline_view.timeline_chart(timeline_view.counts_frame(df), colors=colors,
                                         selected=(dt.date(2026, 3, 2), dt.date(2026, 3, 5)))
    spec = chart.to_dict()
    text = json.dumps(spec)
    assert f'"name": "{timeline_view.SELECTION}"' in text
    assert '"interval"' in text and '"encodings": ["x"]' in text
    assert '"field": "type"' in text and "sum" in text
    for t, c in colors.items():
        assert c in text


def test_selection_range_reads_streamlit_state():
    start_ms = pd.Timestamp("2026-03-03").value // 10**6
    end_ms = pd.Timestamp("2026-03-10").value // 10**6
    state = {"selection": {"span": {"period": [start_ms, end_ms]}}}
    assert timeline_view.selection_range(state, "day") == (dt.date(2026, 3, 3), dt.date(2026, 3, 10))
    # weeks widen to whole weeks (Monday..Sunday)
    assert timeline_view.selection_range(state, "week") == (dt.date(2026, 3, 2), dt.date(2026, 3, 15))
    assert timeline_view.selection_range({"selection": {"span": {}}}) is None
    assert timeline_view.selection_range(None) is None


def test_play_frames_cover_the_range():
    frames = timeline_view.play_frames(dt.date(2026, 1, 10), dt.date(2026, 3, 5), "month")
    assert frames[0] == (dt.date(2026, 1, 10), dt.date(2026, 1, 31))
    assert frames[-1] == (dt.date(2026, 3, 1), dt.date(2026, 3, 5))
    assert len(frames) == 3


# ------------------------------------------------------------------------------------------------ article


def _article_and_event():
    text = "Hi <b>there</b>. US forces struck a camp in Esmeraldas on Friday, near Colombia."
    t0 = text.index("struck")
    p0 = text.index("Esmeraldas")
    d0 = text.index("Friday")
    c0 = text.index("Colombia")
    us = text.index("US")
    place = Place(3657986, "Esmeraldas", "admin1", 0.89, -79.56, "EC", "EC-E")
    alt_place = Place(3657990, "Esmeraldas", "city", 0.96, -79.65, "EC", "EC-E")
    event = Event(
        id="ev1", article_id="a1", type="airstrike", family="explosions_remote_violence",
        trigger=Span(t0, t0 + 6, "struck"), sentence=Span(16, len(text), text[16:]), place=place,
        place_span=Span(p0, p0 + 10, "Esmeraldas"), precision="admin1", date=dt.date(2026, 3, 6),
        date_span=Span(d0, d0 + 6, "Friday"), actors=(Span(us, us + 2, "US", "actor"),),
        alternatives=(Candidate(alt_place, 0.41, ("population",)),), reasons=("province named",),
    )
    article = Article("a1", "<script>alert('t')</script> Strike", text, dt.date(2026, 3, 6), "voa",
                      "https://www.voanews.com/a/1")
    tops = (Toponym(p0, p0 + 10, "Esmeraldas", place, 0.9), Toponym(c0, c0 + 8, "Colombia", None, 0.0))
    dates = (DateMention(d0, d0 + 6, "Friday", dt.date(2026, 3, 6)),)
    return article, event, tops, dates


def test_article_html_escapes_and_highlights_each_kind():
    article, event, tops, dates = _article_and_event()
    out = article_view.article_html(article, event, tops, dates)
    assert "<script>" not in out and "&lt;script&gt;alert(&#x27;t&#x27;)&lt;/script&gt;" in out
    assert "<b>there</b>" not in out and "&lt;b&gt;there&lt;/b&gt;" in out
    assert re.search(r'<mark class="ev-trigger"[^>]*>struck</mark>', out)
    assert re.search(r'<mark class="ev-place"[^>]*>Esmeraldas</mark>', out)
    assert re.search(r'<mark class="ev-date"[^>]*>Friday</mark>', out)
    assert re.search(r'<mark class="ev-actor"[^>]*>US</mark>', out)
    assert re.search(r'<mark class="ev-mention"[^>]*title="other place mention: unresolved">Colombia</mark>', out)
    # the event's place wins over the plain mention of the same span, and the date over the other-date span
    assert out.count(">Esmeraldas</mark>") == 1 and out.count(">Friday</mark>") == 1
    assert 'href="https://www.voanews.com/a/1"' in out


def test_hostile_markup_is_text_everywhere():
    payload = '<img src=x onerror="alert(1)"><script>alert(2)</script>'
    text = f"Shelling hit {payload} Kyiv."
    k0 = text.index("Kyiv")
    out = article_view.highlight_html(text, [article_view.Highlight(k0, k0 + 4, "place", payload)])
    assert "<img" not in out and "<script" not in out
    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in out
    article = Article("h", payload, text, url="javascript:alert(3)")
    panel = article_view.article_html(article)
    assert "javascript:" not in panel and "<img" not in panel


def test_overlapping_and_out_of_range_spans():
    hl = article_view.Highlight
    out = article_view.highlight_html("abcdef", [hl(0, 4, "mention"), hl(2, 5, "place"), hl(4, 99, "date")])
    assert out == '<p>ab<mark class="ev-place" style="background:#b9dcff" title="event place">cde</mark>f</p>'


def test_why_here_and_cluster_disagreements():
    _, event, _, _ = _article_and_event()
    frame = article_view.why_here_frame(event)
    assert frame["chosen"].tolist() == [True, False]
    assert frame.loc[1, "score"] == pytest.approx(0.41)
    members = pd.DataFrame({"type": ["airstrike", "airstrike"], "date": [dt.date(2026, 3, 6), dt.date(2026, 3, 5)],
                            "place_name": ["Esmeraldas", "Esmeraldas"], "precision": ["admin1", "admin1"],
                            "country_code": ["EC", "EC"]})
    assert article_view.cluster_disagreements(members) == {"date": ["2026-03-05", "2026-03-06"]}


# ------------------------------------------------------------------------------------------------ filters


def test_filters_round_trip_through_the_url():
    state = filters.FilterState(start=dt.date(2026, 3, 1), end=dt.date(2026, 3, 31), types=("airstrike", "protest"),
                                countries=("EC",), admin1=("EC-E",), place_text="Esmer", keyword="cartel",
                                min_confidence=0.55, precisions=("admin1",), sources=("voanews.com",))
    params = filters.to_params(state)
    assert filters.from_params(params) == (state, [])
    assert filters.to_params(filters.FilterState()) == {}


def test_bad_url_values_are_dropped_not_fatal():
    state, problems = filters.from_params({"from": "yesterday", "conf": "7", "to": "2026-01-01",
                                           "place": "x" * 1000, "type": ["a,b", "c"]})
    assert state.start is None and state.min_confidence == 0.0 and state.end == dt.date(2026, 1, 1)
    assert len(state.place_text) == 200 and state.types == ("a", "b", "c")
    assert len(problems) == 2


def test_filter_state_to_store_filter():
    from geo.store import EventFilter

    f = filters.to_event_filter(filters.FilterState(types=("airstrike",)), bbox=(0, 0, 1, 1))
    assert isinstance(f, EventFilter) and f.types == ("airstrike",) and f.bbox == (0, 0, 1, 1)


@pytest.mark.parametrize("name,suffix", [
    ("story.txt", ".txt"), ("A.JSONL", ".jsonl"), ("dump.jsonl.gz", ".jsonl.gz"), ("../../etc/passwd", None),
    ("x.exe", None), ("evil.gz", None), ("x.gz.gz", None), ("feed.rss", ".rss"),
])
def test_upload_names_never_become_paths(name, suffix):
    assert safe_suffix(name) == suffix


# ------------------------------------------------------------------------------------------------ SQL aggregation


@pytest.fixture(scope="module")
def agg_store(tmp_path_factory):
    """A store of synthetic events of every precision (and one unplaced event)."""
    from dashboard.synthetic import synthetic_results
    from geo.store import EventStore

    path = tmp_path_factory.mktemp("agg") / "events.sqlite"
    with EventStore(path) as store:
        store.save_results(list(synthetic_results(1500, seed=21)))
        store._rows("UPDATE events SET lat = NULL, lon = NULL WHERE id = (SELECT min(id) FROM events)")
    return path


def _canon(agg: pd.DataFrame) -> list[tuple]:
    out = []
    for r in agg.to_dict("records"):
        ids = tuple(sorted(map_view._split_ids(r["ids"]))) if isinstance(r["ids"], str) else None
        out.append((r["kind"], r["key"], r["type"], int(r["n"]), round(float(r["lat_sum"]), 6),
                    round(float(r["lon_sum"]), 6), r["date_min"], r["date_max"], ids, r["name"]))
    return sorted(out)


@pytest.mark.parametrize("zoom,bbox,heat", [
    (2, None, False), (6, (-90.0, -10.0, -60.0, 10.0), False), (5, None, True),
    (4, (170.0, -20.0, 200.0, 60.0), False),  # a view across the antimeridian
])
def test_sql_aggregation_equals_the_reference(agg_store, zoom, bbox, heat):
    """The store's one-scan GROUP BY yields exactly the groups the pandas reference computes from the rows."""
    from dashboard import data
    from geo.store import EventFilter, EventStore

    with EventStore(agg_store, readonly=True) as store:
        df = store.query_events()
        size = map_view.heat_cell_deg(zoom) if heat else map_view.cell_size_deg(zoom)
        sql = data.aggregate_sql(store, EventFilter(), cell_deg=size, bbox=bbox, heatmap=heat)
        ref = map_view.aggregate_events(df, zoom=zoom, bbox=bbox, heatmap=heat)
        assert _canon(sql) == _canon(ref)
        assert int(sql["n"].sum()) <= len(df) and (bbox is not None or int(sql["n"].sum()) == len(df))
        assert ("none" in set(sql["kind"])) and set(sql["kind"]) <= {"none", "point", "region", "country",
                                                                     "admin1", "heat"}
        # a filter narrows the scan the same way it narrows the rows
        f = EventFilter(types=("protest",), min_confidence=0.5, sources=("synthetic",))
        sql = data.aggregate_sql(store, f, cell_deg=size, bbox=bbox, heatmap=heat)
        ref = map_view.aggregate_events(store.query_events(f), zoom=zoom, bbox=bbox, heatmap=heat)
        assert _canon(sql) == _canon(ref) and len(sql) > 0


def test_features_from_aggregates_select_and_describe_groups(agg_store):
    from dashboard import data
    from dashboard.synthetic import TYPES
    from geo.store import EventFilter, EventStore

    colors = map_view.type_colors([t for t, _ in TYPES])
    with EventStore(agg_store, readonly=True) as store:
        agg = data.aggregate_sql(store, EventFilter(), cell_deg=map_view.cell_size_deg(9), bbox=None)
        details = data.details_sql(store, map_view.detail_ids(agg))
        total = store.count_events()
    areas, marks = map_view.features_from_aggregates(agg, details, zoom=9, colors=colors)
    located = sum(f["properties"]["n"] for f in areas + marks)
    assert located == total - 1  # every placed event drawn once; the unplaced one only counted
    singles = [f for f in marks if f["properties"]["kind"] == "event"]
    clusters = [f for f in marks if f["properties"]["kind"] == "cluster"]
    assert singles and clusters
    for f in singles:
        (eid,) = f["properties"]["event_ids"]
        assert f["geometry"]["coordinates"] == [pytest.approx(details[eid]["lon"]), pytest.approx(details[eid]["lat"])]
        assert html_escape_ok(f["properties"]["popup"])
    for f in clusters + areas:
        p = f["properties"]
        assert (len(p["event_ids"]) == p["n"]) if p["n"] <= map_view.MAX_GROUP_IDS else p["event_ids"] == []
        assert f"{p['n']:,} events" in p["popup"]
    big = max(areas, key=lambda f: f["properties"]["n"])
    assert "Zoom in or narrow the filters" in big["properties"]["popup"]


def html_escape_ok(popup: str) -> bool:
    return "<script" not in popup.lower() and popup.startswith('<div class="ev-popup">')


def test_bbox_sql_matches_the_pandas_test(agg_store):
    import sqlite3

    from geo.store import EventStore

    with EventStore(agg_store, readonly=True) as store:
        df = store.query_events()
    df = df[df["lat"].notna()]
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE TABLE e (id TEXT, lat REAL, lon REAL)")
    conn.executemany("INSERT INTO e VALUES (?, ?, ?)", df[["id", "lat", "lon"]].itertuples(index=False))
    for box in [(-90, -10, -60, 10), (170, -20, 200, 60), (-200, -60, -150, 60), (-180, -90, 180, 90),
                (-400, -90, 400, 90)]:
        cond, params = map_view.bbox_sql(box, lat="lat", lon="lon")
        got = {r[0] for r in conn.execute(f"SELECT id FROM e WHERE {cond}", params)}
        assert got == set(map_view._in_bbox(df, box)["id"]), box


def test_dense_range_ignores_far_outliers_only():
    d = dt.date
    news = [d(2026, 3, 1) + dt.timedelta(days=i) for i in range(40)]
    assert timeline_view.dense_range([d(2009, 5, 1), *news]) == (news[0], news[-1])
    assert timeline_view.dense_range([*news, d(2031, 1, 1)], [5] * 40 + [1]) == (news[0], news[-1])
    spread = [d(2024, 1, 1) + dt.timedelta(days=i * 7) for i in range(104)]
    assert timeline_view.dense_range(spread) == (spread[0], spread[-1])  # evenly spread: everything stays
    one_day = [d(2026, 3, 6)] * 50 + [d(2026, 3, 9)]
    assert timeline_view.dense_range(one_day) == (d(2026, 3, 6), d(2026, 3, 9))  # a few days off is not far
    assert timeline_view.dense_range([]) is None


def test_timeline_domain_leaves_out_bars_beyond_the_axis():
    counts = pd.DataFrame({"period": pd.to_datetime(["2009-05-01", "2026-03-02", "2026-03-03"]),
                           "type": ["protest"] * 3, "n": [1, 4, 2]})
    spec = timeline_view.timeline_chart(counts, domain=(dt.date(2026, 3, 1), dt.date(2026, 3, 31))).to_dict()
    text = json.dumps(spec)
    assert "2009-05-01" not in text and "2026-03-02" in text
    assert '"domain": ["2026-03-01T00:00:00", "2026-04-01T00:00:00"]' in text


def test_legend_is_collapsed_by_default_and_escaped():
    out = map_view.legend_html({"air<strike": "#123456", "protest": "#654321"}, counts={"protest": 1200})
    assert out.startswith('<details class="ev-legend">') and " open" not in out.split(">")[0]
    assert "air&lt;strike" in out and "protest (1,200)" in out and "<summary>Legend: 2 event types</summary>" in out
    assert map_view.legend_html({}, open_=True).startswith('<details class="ev-legend" open>')
