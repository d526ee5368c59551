"""The Streamlit app through ``streamlit.testing.v1.AppTest``: every control, against real SQLite stores."""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path

import pytest

from dashboard import timeline_view
from dashboard.synthetic import hostile_result, synthetic_results

pytest.importorskip("streamlit.testing.v1")
from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage  # noqa: E402
from streamlit.testing.v1 import AppTest  # noqa: E402

APP = str(Path(__file__).resolve().parent.parent / "dashboard" / "app.py")
TIMEOUT = 180


@pytest.fixture(scope="module")
def synthetic_store(tmp_path_factory) -> Path:
    """300 synthetic events over two years plus one article carrying HTML/JS payloads."""
    from geo.store import EventStore

    path = tmp_path_factory.mktemp("dash") / "events.sqlite"
    with EventStore(path) as store:
        store.save_results([*synthetic_results(300, seed=11), hostile_result()])
    return path


@pytest.fixture()
def use_store(monkeypatch):
    def _use(path: Path, *, progressive: bool = False) -> None:
        monkeypatch.setenv("GEO_STORE", str(path))
        # AppTest has no browser to report the map drawn: render whole pages unless the test is about that
        monkeypatch.setenv("GEO_DASHBOARD_PROGRESSIVE", "1" if progressive else "0")

    return _use


@pytest.fixture()
def downloads(monkeypatch):
    """Record what download buttons hand to Streamlit's media storage: file id -> (bytes, mimetype, name)."""
    seen: dict[str, tuple[bytes, str, str | None]] = {}
    original = MemoryMediaFileStorage.load_and_get_id

    def spy(self, path_or_data, mimetype, kind, filename=None):  # noqa: ANN001
        file_id = original(self, path_or_data, mimetype, kind, filename)
        data = path_or_data if isinstance(path_or_data, bytes) else Path(path_or_data).read_bytes()
        seen[file_id] = (data, mimetype, filename)
        return file_id

    monkeypatch.setattr(MemoryMediaFileStorage, "load_and_get_id", spy)
    return seen


def _download(at: AppTest, seen: dict, key: str) -> bytes:
    (button,) = [b for b in at.get("download_button") if key in b.proto.id]
    file_id = button.proto.url.rsplit("/", 1)[-1].split(".")[0]
    return seen[file_id][0]


def _run(query: dict[str, str] | None = None, *, tab: str | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    for k, v in (query or {}).items():
        at.query_params[k] = v
    if tab is not None:  # lazy tabs: only the open one runs
        at.session_state["tab"] = tab
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _param(at: AppTest, key: str) -> str:
    value = at.query_params[key]
    return value[-1] if isinstance(value, list) else value


def _events_table(at: AppTest):
    for d in at.dataframe:
        v = d.value
        if "title" in v.columns and "precision" in v.columns:
            return v
    raise AssertionError("events table not rendered")


def test_renders_with_synthetic_data(use_store, synthetic_store):
    use_store(synthetic_store)
    at = _run()
    table = _events_table(at)
    assert len(table) == 301
    assert at.title[0].value == "News-event atlas"
    assert any("GeoNames" in c.value and "Voice of America" in c.value for c in at.caption)
    labels = {b.label for b in at.get("download_button")}
    assert labels == {"⬇ GeoJSON", "⬇ CSV", "⬇ GeoParquet"}
    assert not at.error


def test_date_filter_changes_table_and_url(use_store, synthetic_store):
    use_store(synthetic_store)
    at = _run()
    before = _events_table(at)
    dates = sorted(d for d in before["date"] if d is not None)
    lo, hi = dates[len(dates) // 4], dates[len(dates) // 2]
    at.date_input(key="f_dates").set_value((lo, hi)).run()
    after = _events_table(at)
    assert 0 < len(after) < len(before)
    assert all(lo <= d <= hi for d in after["date"])
    assert _param(at, "from") == lo.isoformat() and _param(at, "to") == hi.isoformat()


@pytest.mark.parametrize("key,value,column,check", [
    ("f_types", ["protest"], "type", lambda s: set(s) == {"protest"}),
    ("f_countries", ["UA"], "country_code", lambda s: set(s) == {"UA"}),
    ("f_precisions", ["country"], "precision", lambda s: set(s) == {"country"}),
    ("f_admin1", ["EC-E"], "admin1_code", lambda s: set(s) == {"EC-E"}),
    ("f_sources", ["hostile.test"], "source", lambda s: set(s) == {"hostile.test"}),
])
def test_multiselect_filters(use_store, synthetic_store, key, value, column, check):
    use_store(synthetic_store)
    at = _run()
    at.multiselect(key=key).set_value(value).run()
    table = _events_table(at)
    assert len(table) > 0 and check(table[column])
    assert value[0] in ",".join(_param(at, k) for k in at.query_params)


def test_text_and_confidence_filters(use_store, synthetic_store):
    use_store(synthetic_store)
    at = _run()
    total = len(_events_table(at))
    at.text_input(key="f_place").set_value("Kyiv").run()
    assert set(_events_table(at)["place_name"]) == {"Kyiv"}
    at.text_input(key="f_place").set_value("").run()
    at.text_input(key="f_keyword").set_value("shelled").run()  # only the hostile article says "shelled"
    assert _events_table(at)["id"].tolist() == ["hostile0000000001-0"]
    at.text_input(key="f_keyword").set_value("").run()
    at.slider(key="f_conf").set_value(0.9).run()
    table = _events_table(at)
    assert 0 < len(table) < total and (table["confidence"] >= 0.9).all()
    assert _param(at, "conf") == "0.9"


def test_query_parameters_restore_filters(use_store, synthetic_store):
    use_store(synthetic_store)
    at = _run({"type": "protest,riot", "country": "UA", "conf": "0.5", "place": "Donetsk",
               "event": "hostile0000000001-0", "heat": "1"})
    assert at.multiselect(key="f_types").value == ["protest", "riot"]
    assert at.multiselect(key="f_countries").value == ["UA"]
    assert at.slider(key="f_conf").value == 0.5
    assert at.text_input(key="f_place").value == "Donetsk"
    assert at.toggle(key="v_heat").value is True
    table = _events_table(at)
    assert set(table["type"]) <= {"protest", "riot"} and set(table["place_name"]) == {"Donetsk"}
    # the selected event from the link opens its article panel
    assert any("Alert &lt;script&gt;" in h.proto.body for h in at.get("html"))


def test_bad_link_values_warn_and_do_not_crash(use_store, synthetic_store):
    use_store(synthetic_store)
    at = _run({"from": "yesterday", "conf": "3"})
    assert len(at.warning) >= 2
    assert len(_events_table(at)) == 301


def test_download_yields_valid_geojson_of_the_filtered_view(use_store, synthetic_store, downloads):
    use_store(synthetic_store)
    at = _run({"type": "riot"})
    n = len(_events_table(at))
    doc = json.loads(_download(at, downloads, "dl_geojson"))
    assert doc["type"] == "FeatureCollection" and len(doc["features"]) == n > 0
    for f in doc["features"]:
        assert f["properties"]["type"] == "riot"
        lon, lat = f["geometry"]["coordinates"][:2]
        assert -180 <= lon <= 180 and -90 <= lat <= 90
    csv = _download(at, downloads, "dl_csv").decode("utf-8")
    assert len(csv.strip().splitlines()) == n + 1
    parquet = _download(at, downloads, "dl_geoparquet")
    assert parquet[:4] == b"PAR1"


def test_article_panel_escapes_hostile_article(use_store, synthetic_store):
    use_store(synthetic_store)
    at = _run({"event": "hostile0000000001-0"})
    bodies = [h.proto.body for h in at.get("html")]
    panel = next(b for b in bodies if "ev-article" in b)
    assert "<script" not in panel.lower() and "<img" not in panel.lower()
    assert "&lt;script&gt;window.__xss_text = 1&lt;/script&gt;" in panel
    assert 'class="ev-trigger"' in panel and ">shelled</mark>" in panel
    assert "javascript:" not in panel
    assert any(e.label == "Why here" for e in at.expander)


def test_heatmap_and_online_toggles(use_store, synthetic_store):
    use_store(synthetic_store)
    at = _run()
    at.toggle(key="v_heat").set_value(True).run()
    assert _param(at, "heat") == "1"
    at.toggle(key="v_online").set_value(True).run()
    assert not at.exception
    assert len(_events_table(at)) == 301


def test_play_steps_through_the_selected_dates(use_store, synthetic_store):
    use_store(synthetic_store)
    at = _run()
    lo, hi = at.date_input(key="f_dates").value
    at.date_input(key="f_dates").set_value((lo, lo + dt.timedelta(days=20))).run()
    at.button(key="play").click().run()  # AppTest drives the play timer until the animation ends
    assert at.session_state["playing"] is False
    start, end = at.date_input(key="f_dates").value
    period = at.session_state["_period"]
    assert (start, end) == timeline_view.play_frames(lo, lo + dt.timedelta(days=20), period)[-1]
    assert set(_events_table(at)["date"]) <= {start + dt.timedelta(days=i) for i in range((end - start).days + 1)}
    at.button(key="all_dates").click().run()
    assert at.date_input(key="f_dates").value == (lo, hi)


def test_quality_view(use_store, synthetic_store):
    from geo.store import EventStore

    use_store(synthetic_store)
    assert not _run().metric  # a closed tab costs nothing
    at = _run(tab="Quality")
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["events"] == "301"
    vague = int(metrics["vague (country/region only)"].replace(",", ""))
    with EventStore(synthetic_store, readonly=True) as store:
        table = store.query_events()
    assert vague == int(table["precision"].isin(["country", "region"]).sum()) > 0
    assert not [d for d in at.dataframe if "title" in d.value.columns]  # the events tab is closed


def test_paste_ingest_adds_an_event(use_store, tmp_path, sample_article_path):
    """The paste form runs the real pipeline and the new event appears after the rerun."""
    from geo.store import EventStore

    path = tmp_path / "events.sqlite"
    with EventStore(path) as store:
        store.save_results([hostile_result()])
    use_store(path)
    at = _run(tab="Ingest")
    text = sample_article_path.read_text(encoding="utf-8")
    at.text_area(key="paste_text").set_value(text)
    at.date_input(key="paste_date").set_value(dt.date(2026, 3, 6))
    at.get("form_submit_button")[0].click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("Ingested 1 article" in s.value for s in at.success)
    at.session_state["tab"] = "Events"
    at.run()
    assert len(_events_table(at)) >= 2


def test_renders_the_sample_article(use_store, seeded_store_path):
    use_store(seeded_store_path)
    at = _run()
    table = _events_table(at)
    assert "EC-E" in set(table["admin1_code"])
    ev = table[table["admin1_code"] == "EC-E"].iloc[0]
    at2 = _run({"event": ev["id"]})
    panel = next(h.proto.body for h in at2.get("html") if "ev-article" in h.proto.body)
    assert 'class="ev-place"' in panel and ">Esmeraldas</mark>" in panel


def test_missing_store_shows_a_clear_error(use_store, tmp_path):
    use_store(tmp_path / "none.sqlite")
    at = _run()
    assert any("no event store" in e.value for e in at.error)
    assert os.environ["GEO_STORE"].endswith("none.sqlite")


def test_first_run_draws_the_map_before_the_rest(use_store, synthetic_store):
    """A new session first gets the filters and the map; the timeline and tables follow the map's first report."""
    use_store(synthetic_store, progressive=True)
    at = _run()
    assert at.get("component_instance") and any("events match" in c.value for c in at.caption)
    assert any("Loading the timeline" in c.value for c in at.caption)
    assert not at.get("vega_lite_chart") and not [d for d in at.dataframe if "title" in d.value.columns]
    # the browser's map reports its view (what streamlit-folium stores under the map's key)
    at.session_state["map"] = {"zoom": 2, "bounds": {"_southWest": {"lat": -60, "lng": -170},
                                                     "_northEast": {"lat": 75, "lng": 170}}}
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert len(_events_table(at)) == 301 and at.get("vega_lite_chart")
    assert not any("Loading the timeline" in c.value for c in at.caption)


def test_empty_view_explains_itself(use_store, synthetic_store):
    use_store(synthetic_store)
    at = _run({"place": "Atlantis"})
    assert any(c.value.startswith("0 events match") for c in at.caption)
    infos = " ".join(i.value for i in at.info)
    assert "No events match these filters" in infos and "timeline is empty" in infos
    assert not at.get("vega_lite_chart")
    assert len(_events_table(at)) == 0


def test_default_dates_leave_out_far_outliers(use_store, tmp_path):
    """A few far-off dates do not stretch the default range; 'dates=all' in a link brings them back."""
    import dataclasses

    from geo.store import EventStore

    path = tmp_path / "events.sqlite"
    results = list(synthetic_results(200, seed=3, days=60, start=dt.date(2026, 1, 1)))
    first = results[0]
    old = dataclasses.replace(first.events[0], id=first.events[0].id + "-old", date=dt.date(2009, 5, 1))
    results[0] = dataclasses.replace(first, events=(*first.events, old))
    with EventStore(path) as store:
        store.save_results(results)
    use_store(path)
    at = _run()
    start, end = at.date_input(key="f_dates").value
    assert dt.date(2025, 12, 1) <= start <= dt.date(2026, 1, 5) and end >= dt.date(2026, 2, 20)
    assert old.id not in set(_events_table(at)["id"])
    assert any("Not on this axis: 1 before" in c.value for c in at.caption)
    at = _run({"dates": "all"})
    assert at.date_input(key="f_dates").value[0] == dt.date(2009, 5, 1)
    assert old.id in set(_events_table(at)["id"])
    assert _param(at, "dates") == "all"
