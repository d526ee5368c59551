"""The news-event atlas dashboard: ``streamlit run dashboard/app.py`` (or ``geo dashboard``).

Page layout only. Data access and caching live in :mod:`dashboard.data`; the map, timeline and article panel are
built by the pure builders in :mod:`dashboard.map_view`, :mod:`dashboard.timeline_view` and
:mod:`dashboard.article_view`; filters and their URL mirror in :mod:`dashboard.filters`.
"""

from __future__ import annotations

import datetime as dt
import os
import time
from typing import Any

import pandas as pd
import streamlit as st

from dashboard import article_view, data, filters, map_view, timeline_view
from dashboard.filters import FilterState

#: Less empty space above the title, so the map starts higher on the screen.
PAGE_CSS = "<style>[data-testid='stMainBlockContainer'] { padding-top: 2.5rem; }</style>"
PLAY_INTERVAL_S = 1.5
#: ``GEO_DASHBOARD_PROGRESSIVE=0`` renders the whole page in every run (scripted clients, tests). By default a new
#: session's first run draws the filters and the map only; the timeline and tables follow once the map has
#: reported that it is drawn (or after :data:`REST_FALLBACK_S`), so they do not compete with it for the browser.
PROGRESSIVE_ENV = "GEO_DASHBOARD_PROGRESSIVE"
REST_FALLBACK_S = 4.0
MAP_HEIGHT = 560
#: Rows the events table shows (newest first); exports always hold every filtered event.
TABLE_ROWS = 5000
TABLE_COLUMNS = ["date", "type", "place_name", "precision", "country_code", "admin1_code", "confidence", "title",
                 "source", "id"]
CREDITS = (
    "Places from [GeoNames](https://www.geonames.org/) (CC-BY 4.0); country outlines from Natural Earth (public "
    "domain); demo stories from Voice of America ([voanews.com](https://www.voanews.com)). Everything is served "
    "locally: no tiles or scripts are fetched from the internet unless online tiles are switched on."
)


# ----------------------------------------------------------------------------------------------- state helpers


def _init_from_url(fac: dict[str, Any]) -> None:
    """On a session's first run, seed the widgets from the URL's query parameters."""
    if st.session_state.get("_init"):
        return
    st.session_state["_init"] = True
    params = {k: st.query_params.get_all(k) for k in st.query_params}
    state, problems = filters.from_params(params)
    st.session_state["_url_problems"] = problems
    lo, hi = fac.get("date_min"), fac.get("date_max")
    if lo and hi:
        all_dates = st.query_params.get(filters.DATES_PARAM) == "all"
        d_lo, d_hi = (lo, hi) if all_dates else fac["dense"]
        start = min(max(state.start or d_lo, lo), hi)
        end = max(min(state.end or d_hi, hi), start)
        st.session_state["f_dates"] = (start, end)
    for key, values, options in (
        ("f_types", state.types, fac.get("types", [])),
        ("f_countries", state.countries, fac.get("countries", [])),
        ("f_admin1", state.admin1, fac.get("admin1", [])),
        ("f_precisions", state.precisions, fac.get("precisions", [])),
        ("f_sources", state.sources, fac.get("sources", [])),
    ):
        st.session_state[key] = [v for v in values if v in options]
    st.session_state["f_place"] = state.place_text or ""
    st.session_state["f_keyword"] = state.keyword or ""
    st.session_state["f_conf"] = float(state.min_confidence)
    st.session_state["v_heat"] = st.query_params.get(filters.HEAT_PARAM) == "1"
    event = st.query_params.get(filters.EVENT_PARAM)
    if event:
        st.session_state["selected_event"] = event


def _clamp(rng: tuple[dt.date, dt.date], fac: dict[str, Any]) -> tuple[dt.date, dt.date]:
    lo, hi = fac["date_min"], fac["date_max"]
    start = min(max(rng[0], lo), hi)
    return start, max(min(rng[1], hi), start)


def _advance_play(fac: dict[str, Any]) -> None:
    """While playing, step the date window one period forward (before the date widget is drawn).

    Play steps through the date range selected when it started (the whole range by default) and stops on its last
    period.
    """
    if not st.session_state.get("playing"):
        return
    now = time.monotonic()
    if now - st.session_state.get("_play_t", 0.0) < PLAY_INTERVAL_S * 0.8:
        return
    st.session_state["_play_t"] = now
    lo, hi = st.session_state.get("_play_range") or fac["dense"]
    frames = timeline_view.play_frames(lo, hi, st.session_state.get("_period", "day"))
    i = st.session_state.get("_play_i", -1) + 1
    if i >= len(frames):
        st.session_state["playing"] = False
        st.session_state["_play_i"] = -1
        return
    st.session_state["_play_i"] = i
    st.session_state["f_dates"] = frames[i]


def _on_brush() -> None:
    """Timeline selection callback: a dragged span becomes the date filter."""
    fac = st.session_state.get("_facets") or {}
    rng = timeline_view.selection_range(st.session_state.get("timeline"), st.session_state.get("_period", "day"))
    if rng and fac.get("date_min"):
        st.session_state["f_dates"] = _clamp(rng, fac)
        st.session_state["playing"] = False


def _reset_dates() -> None:
    fac = st.session_state.get("_facets") or {}
    if fac.get("date_min"):
        st.session_state["f_dates"] = (fac["date_min"], fac["date_max"])
    st.session_state["playing"] = False


def _toggle_play() -> None:
    playing = not st.session_state.get("playing", False)
    st.session_state["playing"] = playing
    st.session_state["_play_t"] = 0.0
    if playing:
        dates = st.session_state.get("f_dates")
        st.session_state["_play_range"] = tuple(dates) if isinstance(dates, (list, tuple)) and len(dates) == 2 \
            else None
        st.session_state["_play_i"] = -1


def _select(event_id: str | None, candidates: list[str] | None = None) -> None:
    st.session_state["selected_event"] = event_id
    st.session_state["candidates"] = candidates or ([event_id] if event_id else [])


# ----------------------------------------------------------------------------------------------- sidebar


def current_filters(fac: dict[str, Any]) -> FilterState:
    """The filters chosen in the sidebar, read from the session before its widgets are drawn.

    Widget values live in the session state under their keys, so the map can be built (and sent to the browser)
    ahead of the sidebar's widgets, which take longer to load in the browser than the map needs.
    """
    ss = st.session_state
    start = end = None
    lo, hi = fac.get("date_min"), fac.get("date_max")
    if lo and hi:
        value = ss.setdefault("f_dates", fac["dense"])
        if isinstance(value, (list, tuple)) and len(value) == 2:
            start, end = value
        elif isinstance(value, (list, tuple)) and len(value) == 1:
            start = value[0]
        if start == lo and end == hi:
            start = end = None  # the whole range: keep undated events too

    def chosen(key: str, options: list[str]) -> tuple[str, ...]:
        return tuple(v for v in ss.get(key) or () if v in options)

    return FilterState(
        start=start, end=end, types=chosen("f_types", fac.get("types", [])),
        countries=chosen("f_countries", fac.get("countries", [])), admin1=chosen("f_admin1", fac.get("admin1", [])),
        place_text=(ss.get("f_place") or "").strip() or None, keyword=(ss.get("f_keyword") or "").strip() or None,
        min_confidence=float(ss.get("f_conf") or 0.0), precisions=chosen("f_precisions", fac.get("precisions", [])),
        sources=chosen("f_sources", fac.get("sources", [])),
    )


def sidebar(fac: dict[str, Any]) -> None:
    """The filter controls (their values are read by :func:`current_filters`)."""
    sb = st.sidebar
    sb.header("Filters")
    lo, hi = fac.get("date_min"), fac.get("date_max")
    if lo and hi:
        sb.date_input("Date range", min_value=lo, max_value=hi, key="f_dates", format="YYYY-MM-DD",
                      help=f"Events are dated from {lo} to {hi}. The default range leaves out far-off dates; "
                           "'All dates' under the timeline selects everything, undated events included.")
    pretty = lambda v: str(v).replace("_", " ")  # noqa: E731
    sb.multiselect("Event type", fac.get("types", []), key="f_types", format_func=pretty)
    sb.multiselect("Country", fac.get("countries", []), key="f_countries")
    sb.multiselect("Province (admin1)", fac.get("admin1", []), key="f_admin1")
    sb.text_input("Place name contains", key="f_place", max_chars=200)
    sb.text_input("Keyword in the article", key="f_keyword", max_chars=200)
    sb.slider("Minimum confidence", 0.0, 1.0, step=0.05, key="f_conf")
    sb.multiselect("Precision", fac.get("precisions", []), key="f_precisions")
    sb.multiselect("Source", fac.get("sources", []), key="f_sources")
    sb.header("View")
    sb.toggle("Density (heatmap)", key="v_heat")
    sb.toggle("Online map tiles (OpenStreetMap)", key="v_online",
              help="Off by default: the offline basemap needs no network.")


def mirror_url(state: FilterState) -> None:
    """Write the filters (and the selected event, density view) into the URL, so a copied link reopens them."""
    wanted = filters.to_params(state)
    if st.session_state.get("selected_event"):
        wanted[filters.EVENT_PARAM] = str(st.session_state["selected_event"])
    if st.session_state.get("v_heat"):
        wanted[filters.HEAT_PARAM] = "1"
    fac = st.session_state.get("_facets") or {}
    if state.start is None and state.end is None and fac.get("dense") and \
            tuple(fac["dense"]) != (fac.get("date_min"), fac.get("date_max")):
        wanted[filters.DATES_PARAM] = "all"  # else the link would reopen on the default (dense) dates
    current = {k: st.query_params.get(k) for k in st.query_params}
    if current != wanted:
        st.query_params.from_dict(wanted)


# ----------------------------------------------------------------------------------------------- sections


def timeline_section(state: FilterState, fac: dict[str, Any], colors: dict[str, str]) -> None:
    """Counts per period stacked by type; drag to select a span; play steps through time.

    The axis spans the dense part of the dates (plus the selected dates), so a few far-off dates do not squash it;
    how many dated events lie beyond the axis is said below it, and "All dates" brings them in.
    """
    dense_lo, dense_hi = fac["dense"]
    lo = min(dense_lo, state.start or dense_lo)
    hi = max(dense_hi, state.end or dense_hi)
    period = timeline_view.choose_period(lo, hi)
    st.session_state["_period"] = period
    counts = data.timeline_counts(filters.without_dates(state), period)
    selected = (state.start or fac["date_min"], state.end or fac["date_max"]) if (state.start or state.end) else None
    c1, c2, c3 = st.columns([6, 1, 1])
    c1.caption(f"Events per {period}, stacked by type. Drag across the bars to filter the dates; Play steps "
               f"through the selected dates one {period} at a time.")
    c2.button("⏸ Pause" if st.session_state.get("playing") else "▶ Play", on_click=_toggle_play, key="play",
              width="stretch")
    c3.button("All dates", on_click=_reset_dates, key="all_dates", width="stretch",
              help="Select every date, including far-off ones and undated events.")
    if counts.empty:
        st.info("No dated events match the other filters, so the timeline is empty.")
        return
    chart = timeline_view.timeline_chart(counts, period=period, colors=colors, selected=selected, domain=(lo, hi))
    st.altair_chart(chart, width="stretch", key="timeline", on_select=_on_brush,
                    selection_mode=timeline_view.SELECTION)
    if len(counts):
        start = timeline_view.period_start(pd.Series([lo]), period).iloc[0]
        end = pd.Timestamp(timeline_view.period_end(hi, period))
        before = int(counts.loc[counts["period"] < start, "n"].sum())
        after = int(counts.loc[counts["period"] > end, "n"].sum())
        if before or after:
            parts = [f"{before:,} before {lo}" if before else "", f"{after:,} after {hi}" if after else ""]
            st.caption("Not on this axis: " + " and ".join(p for p in parts if p)
                       + " (outlying dates). Use **All dates** or the date range to include them.")


@st.fragment
def map_section(state: FilterState, fac: dict[str, Any], colors: dict[str, str]) -> None:
    """The map: offline basemap, areas and aggregated markers for the current viewport; clicks select events.

    A fragment: panning and zooming rerun only this function. Its view (zoom, viewport) is read from the map's
    last report before the layers are built, so a view change redraws in the same run.
    """
    from streamlit_folium import st_folium

    view = _current_view()
    heat = bool(st.session_state.get("v_heat"))
    layers = data.map_features(state, zoom=view["zoom"], bbox=view["bbox"], heatmap=heat,
                               types=fac.get("types", []))
    groups = map_view.groups_from_features(layers.areas, layers.marks)
    m = map_view.build_base_map(
        basemap=st.session_state.get("_basemap_url") or data.basemap(),
        colors={t: colors[t] for t in fac.get("types", []) if t in colors},
        online_tiles=bool(st.session_state.get("v_online")),
    )
    out = st_folium(
        m,
        key="map",
        height=MAP_HEIGHT,
        use_container_width=True,
        returned_objects=["last_active_drawing", "bounds", "zoom"],
        feature_group_to_add=groups,
    ) or {}
    counts = layers.type_counts if layers.type_counts is not None else data.type_counts(state)
    total = sum(counts.values())
    shown = ", ".join(f"{t.replace('_', ' ')} {n:,}" for t, n in list(counts.items())[:6])
    hint = " Density view: darker squares hold more events." if heat else ""
    st.caption(f"{total:,} {'event matches' if total == 1 else 'events match'}" + (f"; {shown}." if shown else ".")
               + hint)
    if total == 0:
        st.info("No events match these filters. Widen the dates (**All dates**) or clear some filters.")
    _handle_map_click(out)
    if st.session_state.get("map") and not st.session_state.get("_rest_shown"):
        # the map has drawn and reported its view: now the rest of the page
        st.session_state["_rest_shown"] = True
        st.rerun()


def _current_view() -> dict[str, Any]:
    """The zoom and viewport to build layers for, from the map's last report.

    The viewport only changes when the user zooms or pans beyond the margin sent last time, so small pans keep
    the same layers (and the same cache entry).
    """
    view = st.session_state.get("map_view") or {"zoom": 2, "bbox": None}
    out = st.session_state.get("map") or {}
    bounds, zoom = out.get("bounds"), out.get("zoom")
    if bounds and zoom is not None and (bounds.get("_southWest") or {}).get("lat") is not None:
        sw, ne = bounds["_southWest"], bounds["_northEast"]
        bbox = (float(sw["lng"]), float(sw["lat"]), float(ne["lng"]), float(ne["lat"]))
        old = view.get("bbox")
        # the first layers cover the whole world (no viewport yet): only a zoom change needs new layers then
        padded = map_view.padded_bbox(old) if old else (-360.0, -90.0, 360.0, 90.0)
        inside = bbox[0] >= padded[0] and bbox[2] <= padded[2] and bbox[1] >= padded[1] and bbox[3] <= padded[3]
        if int(zoom) != int(view.get("zoom", -1)) or not inside:
            view = {"zoom": int(zoom), "bbox": bbox}
            st.session_state["map_view"] = view
    return view


def _handle_map_click(out: dict[str, Any]) -> None:
    drawing = out.get("last_active_drawing")
    if drawing:
        props = drawing.get("properties") or {}
        ids = [str(i) for i in props.get("event_ids") or []]
        sig = (tuple(ids), tuple((drawing.get("geometry") or {}).get("coordinates") or ())[:2].__repr__())
        if ids and st.session_state.get("_click_sig") != sig:
            st.session_state["_click_sig"] = sig
            _select(ids[0], ids)
            st.rerun()


def _rest_ready() -> bool:
    """Whether this run renders the page below the map (see :data:`PROGRESSIVE_ENV`)."""
    if not st.session_state.get("_rest_shown") and (
            os.environ.get(PROGRESSIVE_ENV, "1") == "0" or st.session_state.get("map")):
        st.session_state["_rest_shown"] = True
    return bool(st.session_state.get("_rest_shown"))


@st.fragment(run_every=REST_FALLBACK_S)
def _rest_fallback() -> None:
    """Shows the rest of the page even if the map never reports (a browser without the map component)."""
    ticks = st.session_state.get("_rest_ticks", 0) + 1
    st.session_state["_rest_ticks"] = ticks
    if ticks > 1 and not st.session_state.get("_rest_shown"):
        st.session_state["_rest_shown"] = True
        st.rerun()


def article_section(*, full: bool = True) -> None:
    """The selected event's article with highlighted evidence, its other events, why here, and its cluster.

    ``full=False`` (while the map is still loading) leaves out the tables in the expanders.
    """
    st.subheader("Article")
    event_id = st.session_state.get("selected_event")
    candidates = st.session_state.get("candidates") or []
    if len(candidates) > 1:
        event_id = st.selectbox(
            f"{len(candidates)} events here", candidates, index=candidates.index(event_id) if event_id in candidates
            else 0, key="candidate_pick", format_func=_event_label)
        st.session_state["selected_event"] = event_id
    if not event_id:
        st.info("Click an event on the map or a row of the table to read its article and evidence.")
        return
    bundle = data.article_bundle(event_id)
    if bundle is None:
        st.warning("That event is not in the store (it may have been re-ingested).")
        return
    ev = bundle.event
    place = ev.place.name if ev.place else "unplaced"
    st.markdown(
        f"**{article_view.safe_text(ev.type.replace('_', ' '))}** · {article_view.safe_text(ev.date or 'undated')} · "
        f"{article_view.safe_text(place)} ({article_view.safe_text(ev.precision or '-')}) · "
        f"confidence {ev.confidence:.2f}"
    )
    st.html(article_view.article_html(bundle.article, ev, bundle.toponyms, bundle.dates))
    if not full:
        return
    with st.expander("Why here", expanded=False):
        st.dataframe(article_view.why_here_frame(ev), hide_index=True, width="stretch")
    others = article_view.other_events_frame(bundle.events, ev.id)
    if len(others):
        with st.expander(f"Other events in this article ({len(others)})"):
            st.dataframe(others, hide_index=True, width="stretch")
    if bundle.cluster is not None and len(bundle.cluster) > 1:
        with st.expander(f"Same event in {len(bundle.cluster)} reports", expanded=True):
            st.dataframe(bundle.cluster[["date", "type", "place_name", "precision", "title", "source"]],
                         hide_index=True, width="stretch")
            for fld, values in article_view.cluster_disagreements(bundle.cluster).items():
                st.markdown(f"Sources disagree on **{fld}**: " + ", ".join(article_view.safe_text(v) for v in values))
    st.caption("Story text: © its publisher; Voice of America stories are public domain (voanews.com).")


def _event_label(event_id: str) -> str:
    bundle = data.article_bundle(event_id)
    if bundle is None:
        return event_id
    ev = bundle.event
    return f"{ev.date or 'undated'} · {ev.type.replace('_', ' ')} · {ev.place.name if ev.place else '-'}"


def table_section(state: FilterState) -> None:
    """The newest filtered events (at most :data:`TABLE_ROWS`); selecting a row selects the event."""
    n = sum(data.type_counts(state).values())
    df = data.table_rows(state, TABLE_ROWS)
    shown = df[TABLE_COLUMNS] if len(df) else pd.DataFrame(columns=TABLE_COLUMNS)
    if n > len(shown):
        st.caption(f"Showing the newest {len(shown):,} of {n:,} events; exports contain all of them.")
    sel = st.dataframe(
        shown, hide_index=True, width="stretch", key="table", on_select="rerun",
        selection_mode="single-row", height=320,
        column_config={"confidence": st.column_config.NumberColumn(format="%.2f"),
                       "id": st.column_config.TextColumn("event id")},
    )
    rows = list(getattr(getattr(sel, "selection", None), "rows", []) or [])
    sig = tuple(rows)
    if rows and st.session_state.get("_table_sig") != sig and rows[0] < len(shown):
        st.session_state["_table_sig"] = sig
        _select(str(shown.iloc[rows[0]]["id"]))
        st.rerun()
    export_section(state, n=n)


def export_section(state: FilterState, n: int) -> None:
    """Download exactly the filtered events."""
    st.markdown(f"**Export the {n:,} filtered events**")
    c1, c2, c3 = st.columns(3)
    stamp = dt.date.today().isoformat()
    for col, fmt, label, mime, ext in (
        (c1, "geojson", "GeoJSON", "application/geo+json", "geojson"),
        (c2, "csv", "CSV", "text/csv", "csv"),
        (c3, "geoparquet", "GeoParquet", "application/vnd.apache.parquet", "parquet"),
    ):
        # small views are prepared with the page; large ones only when the button is clicked
        payload: Any = (lambda fmt=fmt: data.export_bytes(state, fmt)) if n > data.EAGER_EXPORT_MAX else None
        if payload is None:
            try:
                payload = data.export_bytes(state, fmt)
            except Exception as exc:  # noqa: BLE001 - an export failing must not take the page down
                col.warning(f"{label} export unavailable: {exc}")
                continue
        col.download_button(f"⬇ {label}", payload, file_name=f"events-{stamp}.{ext}", mime=mime,
                            key=f"dl_{fmt}", width="stretch", on_click="ignore")


def quality_section(state: FilterState) -> None:
    """How trustworthy the filtered view is: vague, undated, low-confidence, unresolved."""
    q = data.quality(state)
    total = max(q.get("total", 0), 1)
    cols = st.columns(5)
    for col, key, label in (
        (cols[0], "total", "events"),
        (cols[1], "vague", "vague (country/region only)"),
        (cols[2], "undated", "undated"),
        (cols[3], "low_confidence", "low confidence"),
        (cols[4], "unresolved_mentions", "unresolved place mentions"),
    ):
        v = int(q.get(key, 0))
        col.metric(label, f"{v:,}", None if key in ("total", "unresolved_mentions") else f"{v / total:.0%}",
                   delta_color="off")
    by_precision = data.counts_by(state, "precision")
    if by_precision:
        st.caption("Events per precision of their place")
        st.bar_chart(pd.Series(by_precision, name="events"), horizontal=True, height=180)


def ingest_section() -> None:
    """Add articles from the browser: upload files or paste one text with its date."""
    st.markdown(
        f"Upload article files ({', '.join(data.ALLOWED_SUFFIXES)}; up to {data.MAX_UPLOAD_MB} MB each) or paste "
        "one article. Bad files or records are listed; the rest is still ingested."
    )
    uploads = st.file_uploader("Article files", accept_multiple_files=True, key="uploads",
                               type=[s.lstrip(".") for s in data.ALLOWED_SUFFIXES])
    if st.button("Ingest uploaded files", key="ingest_files", disabled=not uploads):
        bar = st.progress(0.0, text="starting")
        report = data.ingest_uploads([(u.name, u.getvalue()) for u in uploads],
                                     progress=lambda x, text: bar.progress(min(max(x, 0.0), 1.0), text=text))
        _show_report(report)
    with st.form("paste", clear_on_submit=False):
        title = st.text_input("Title", key="paste_title", max_chars=300)
        published = st.date_input("Published", value=dt.date.today(), key="paste_date")
        text = st.text_area("Article text", key="paste_text", height=160, max_chars=200_000)
        if st.form_submit_button("Ingest text") and text.strip():
            with st.spinner("Extracting events..."):
                _show_report(data.ingest_text(text, title=title, published=published))


def _show_report(report: data.IngestReport) -> None:
    data.clear_caches()
    st.success(f"Ingested {report.articles} article(s), {report.events} event(s).")
    if report.files:
        st.dataframe(pd.DataFrame(report.files), hide_index=True)
    for err in report.errors:
        st.error(err)


# ----------------------------------------------------------------------------------------------- page


@st.fragment(run_every=PLAY_INTERVAL_S)
def _play_ticker() -> None:
    if st.session_state.get("playing"):
        st.rerun(scope="app")


def main() -> None:
    st.set_page_config(page_title="News-event atlas", page_icon="🗺️", layout="wide")
    st.html(PAGE_CSS)
    st.title("News-event atlas")
    from geo.errors import GeoError

    st.session_state["_basemap_url"] = data.prepare_static()

    try:
        fac = dict(data.facets())
    except GeoError as exc:
        st.error(str(exc))
        with st.expander("Ingest articles", expanded=True):
            ingest_section()
        st.caption(CREDITS)
        return
    if fac.get("date_min"):
        profile = data.date_profile()
        fac["dense"] = timeline_view.dense_range(profile["date"].tolist(), profile["n"].tolist()) \
            or (fac["date_min"], fac["date_max"])
    st.session_state["_facets"] = fac
    _init_from_url(fac)
    for problem in st.session_state.get("_url_problems", []):
        st.warning(f"Link: {problem}")
    _advance_play(fac)
    state = current_filters(fac)
    colors = map_view.type_colors(fac.get("types", []))
    rest = _rest_ready()
    left, right = st.columns([3, 2], gap="medium")
    with left:
        map_section(state, fac, colors)
    sidebar(fac)
    with right:
        article_section(full=rest)
    if not rest:
        st.caption("Loading the timeline and the events table…")
        _rest_fallback()
        mirror_url(state)
        return
    if fac.get("date_min"):
        timeline_section(state, fac, colors)
        if st.session_state.get("playing"):
            _play_ticker()
    # only the open tab runs: the others' work (and their browser widgets) wait until they are opened
    tabs = st.tabs(["Events", "Quality", "Ingest", "About"], key="tab", on_change="rerun")
    for tab, body in zip(tabs, (lambda: table_section(state), lambda: quality_section(state), ingest_section,
                                lambda: st.markdown(CREDITS))):
        with tab:
            if tab.open is not False:
                body()
    mirror_url(state)
    st.caption(CREDITS)


main()
