"""End to end: the real Streamlit server (as ``geo dashboard`` starts it) in headless system Chromium.

One server for the module, on a free port, over a store holding the sample article's results, a hostile article
(HTML/JS payloads in title and text) and 150 synthetic events spread over two years. Every test records the
browser's requests and asserts that none left localhost.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import sqlite3
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest

from dashboard import testing
from dashboard.synthetic import hostile_result, synthetic_results

pytestmark = [pytest.mark.browser, pytest.mark.slow]
pytest.importorskip("playwright")

WAIT_MS = 90_000
HOSTILE_ID = "hostile0000000001-0"


@pytest.fixture(scope="module")
def e2e_store(tmp_path_factory, seeded_store_path) -> Path:
    from geo.store import EventStore

    path = tmp_path_factory.mktemp("e2e") / "events.sqlite"
    src = sqlite3.connect(seeded_store_path)
    dst = sqlite3.connect(path)
    src.backup(dst)
    src.close()
    dst.close()
    with EventStore(path) as store:
        store.save_results([*synthetic_results(150, seed=5), hostile_result()])
    return path


@pytest.fixture(scope="module")
def sample_event(e2e_store) -> dict:
    """The sample article's event (the strike in Esmeraldas province)."""
    from geo.store import EventFilter, EventStore

    with EventStore(e2e_store, readonly=True) as store:
        df = store.query_events(EventFilter(admin1=("EC-E",), precisions=("admin1",)))
    df = df[df["source"] != "synthetic"]
    assert len(df) == 1, df[["id", "title", "source"]]
    return df.iloc[0].to_dict()


@pytest.fixture(scope="module")
def server(e2e_store, tmp_path_factory):
    if not testing.chromium_available():
        pytest.skip(f"no Chromium at {testing.CHROMIUM}")
    log = tmp_path_factory.mktemp("e2e-log") / "streamlit.log"
    with testing.streamlit_server(e2e_store, log_path=log) as url:
        yield url


@pytest.fixture(scope="module")
def chromium():
    with testing.browser() as b:
        yield b


@pytest.fixture()
def page(chromium, tmp_path):
    context = chromium.new_context(viewport={"width": 1500, "height": 1150}, accept_downloads=True)
    pg = context.new_page()
    requests = testing.RequestLog()
    pg.on("request", requests)
    dialogs: list[str] = []
    pg.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    pg.requests = requests
    pg.dialogs = dialogs
    yield pg
    try:
        pg.screenshot(path=str(tmp_path / "final.png"), full_page=True)
    finally:
        context.close()
    assert requests.external() == [], f"requests left localhost: {requests.external()[:5]}"
    assert dialogs == []


def _match_count(page) -> int:  # noqa: ANN001
    loc = page.get_by_text(re.compile(r"^[\d,]+ events? match"))
    loc.first.wait_for(timeout=WAIT_MS)
    return int(loc.first.inner_text().split(" ")[0].replace(",", ""))


def _wait_count(page, predicate, timeout_ms: int = WAIT_MS) -> int:  # noqa: ANN001
    deadline = timeout_ms / 250
    n = -1
    for _ in range(int(deadline)):
        try:
            n = _match_count(page)
        except Exception:  # noqa: BLE001 - rerunning
            n = -1
        if n >= 0 and predicate(n):
            return n
        page.wait_for_timeout(250)
    raise AssertionError(f"match count never satisfied the condition (last {n})")


def _store_count(e2e_store: Path, **kw) -> int:
    from geo.store import EventFilter, EventStore

    with EventStore(e2e_store, readonly=True) as store:
        return store.count_events(EventFilter(**kw))


def test_map_draws_the_sample_event_offline(server, page, sample_event, tmp_path):
    page.goto(server)
    frame = testing.map_frame(page, timeout_s=WAIT_MS / 1000)
    feats = testing.wait_features(frame, lambda fs: any(sample_event["id"] in f["ids"] for f in fs))
    mine = [f for f in feats if sample_event["id"] in f["ids"]]
    assert mine[0]["kind"] == "admin1"  # drawn as the province's area, not a pin on the city
    # the locally served Leaflet really is JavaScript (static serving on), not the app's HTML page
    body = page.request.get(f"{server}/app/static/vendor/leaflet/leaflet.js").text()
    assert "Leaflet" in body[:400] and "<html" not in body[:400].lower()
    assert frame.evaluate("() => typeof L !== 'undefined'")
    page.wait_for_timeout(1000)
    shot = tmp_path / "map.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 20_000


def test_click_on_the_event_opens_its_article(server, page, sample_event):
    page.goto(f"{server}/?from=2026-01-01&precision=admin1")
    frame = testing.map_frame(page, timeout_s=WAIT_MS / 1000)
    feats = testing.wait_features(frame, lambda fs: any(sample_event["id"] in f["ids"] for f in fs))
    target = next(f for f in feats if sample_event["id"] in f["ids"])
    page.get_by_text("Click an event on the map").wait_for(timeout=WAIT_MS)
    testing.click_feature(page, frame, target)
    panel = page.locator(".ev-article")
    panel.wait_for(timeout=WAIT_MS)
    assert sample_event["title"][:40] in panel.inner_text()
    assert panel.locator("mark.ev-place").first.inner_text() == "Esmeraldas"
    assert panel.locator("mark.ev-trigger").count() >= 1
    page.wait_for_url(re.compile(r"event=" + re.escape(sample_event["id"])), timeout=WAIT_MS)


def test_dragging_the_timeline_filters_the_view(server, page, e2e_store):
    page.goto(server)
    total = _wait_count(page, lambda n: n > 100)
    assert total == _store_count(e2e_store)
    testing.wait_features(testing.map_frame(page, timeout_s=WAIT_MS / 1000), lambda fs: len(fs) > 0)
    page.wait_for_timeout(1500)  # let the map's first report (its viewport) finish its rerun
    chart = page.locator("[data-testid='stVegaLiteChart'] svg.marks, [data-testid='stVegaLiteChart'] canvas").first
    for attempt in range(3):  # a rerun landing mid-drag redraws the chart; drag again then
        chart.wait_for(timeout=WAIT_MS)
        chart.scroll_into_view_if_needed()
        box = chart.bounding_box()
        y = box["y"] + box["height"] * 0.45
        x0, x1 = box["x"] + box["width"] * 0.25, box["x"] + box["width"] * 0.45
        page.mouse.move(x0, y)
        page.mouse.down()
        page.mouse.move(x1, y, steps=12)
        page.mouse.up()
        try:
            page.wait_for_url(re.compile(r"from=\d{4}-\d\d-\d\d.*to=\d{4}-\d\d-\d\d"), timeout=20_000)
            break
        except Exception:  # noqa: BLE001 - retried below
            if attempt == 2:
                raise
    n = _wait_count(page, lambda n: 0 < n < total)
    q = parse_qs(urlparse(page.url).query)
    start, end = dt.date.fromisoformat(q["from"][0]), dt.date.fromisoformat(q["to"][0])
    assert n == _store_count(e2e_store, start=start, end=end)


def test_query_parameters_restore_filters(server, page, e2e_store):
    page.goto(f"{server}/?type=protest,riot&conf=0.5")
    expected = _store_count(e2e_store, types=("protest", "riot"), min_confidence=0.5)
    assert 0 < expected < _store_count(e2e_store)
    assert _wait_count(page, lambda n: n == expected) == expected
    sidebar = page.locator("[data-testid='stSidebar']")
    chosen = sidebar.locator("[data-testid='stMultiSelect'] [data-tag]")
    chosen.first.wait_for(timeout=WAIT_MS)
    names = {c.get_attribute("aria-label") for c in chosen.all()}
    assert {"protest", "riot"} <= names, names
    assert sidebar.locator("[data-testid='stSliderThumbValue']").first.inner_text().strip() == "0.50"


def test_export_of_a_filtered_view(server, page, e2e_store, tmp_path):
    page.goto(f"{server}/?type=riot")
    expected = _store_count(e2e_store, types=("riot",))
    _wait_count(page, lambda n: n == expected)
    button = page.get_by_role("button", name=re.compile("GeoJSON"))
    button.wait_for(timeout=WAIT_MS)
    with page.expect_download(timeout=WAIT_MS) as info:
        button.click()
    dest = tmp_path / "events.geojson"
    info.value.save_as(dest)
    doc = json.loads(dest.read_text(encoding="utf-8"))
    assert doc["type"] == "FeatureCollection"
    assert len(doc["features"]) == expected > 0
    assert {f["properties"]["type"] for f in doc["features"]} == {"riot"}


def test_hostile_article_shows_as_text_and_runs_nothing(server, page):
    page.goto(f"{server}/?event={HOSTILE_ID}")
    panel = page.locator(".ev-article")
    panel.wait_for(timeout=WAIT_MS)
    text = panel.inner_text()
    assert "<script>window.__xss_title = 1</script>" in text
    assert "<script>window.__xss_text = 1</script>" in text
    assert '<img src=x onerror="window.__xss_img2 = 1">' in text
    assert panel.locator("script, img").count() == 0
    page.wait_for_timeout(1500)
    for frame in page.frames:
        try:
            ran = frame.evaluate("() => [window.__xss_title, window.__xss_text, window.__xss_img, window.__xss_img2]"
                                 ".filter(v => v !== undefined)")
        except Exception:  # noqa: BLE001 - a frame that navigated
            continue
        assert ran == [], frame.url


def test_server_log_is_clean(server, e2e_store, tmp_path_factory):
    """The server logged no traceback while the tests above drove it (runs last in this module)."""
    logs = list(Path(tmp_path_factory.getbasetemp()).glob("e2e-log*/streamlit.log"))
    assert logs
    text = logs[0].read_text(encoding="utf-8", errors="replace")
    assert "Traceback" not in text, text[-3000:]


# ------------------------------------------------------------------------------------------------ large exports

BIG = 20_500  # above the app's EAGER_EXPORT_MAX: export files are generated when their button is clicked


@pytest.fixture(scope="module")
def big_server(tmp_path_factory):
    """A server over a synthetic store of :data:`BIG` events."""
    from geo.store import EventStore

    if not testing.chromium_available():
        pytest.skip(f"no Chromium at {testing.CHROMIUM}")
    folder = tmp_path_factory.mktemp("e2e-big")
    path = folder / "events.sqlite"
    with EventStore(path) as store:
        batch = list(synthetic_results(BIG, seed=9))
        for i in range(0, len(batch), 2000):
            store.save_results(batch[i:i + 2000])
    with testing.streamlit_server(path, log_path=folder / "streamlit.log") as url:
        yield url, path, folder / "streamlit.log"


def test_large_export_is_generated_on_click(big_server, chromium, tmp_path):
    """Above 20,000 events the page carries no export bytes; a click generates the complete file."""
    from dashboard.data import EAGER_EXPORT_MAX
    from geo.store import EventStore

    url, path, log = big_server
    with EventStore(path, readonly=True) as store:
        ids = set(store.query_events()["id"])
    assert len(ids) == BIG > EAGER_EXPORT_MAX
    context = chromium.new_context(viewport={"width": 1500, "height": 1150}, accept_downloads=True)
    page = context.new_page()
    requests = testing.RequestLog()
    page.on("request", requests)
    try:
        page.goto(url)
        assert _wait_count(page, lambda n: n == BIG) == BIG
        page.get_by_text(f"Export the {BIG:,} filtered events").wait_for(timeout=WAIT_MS)
        before = set(requests.urls)
        for name, check in (("GeoJSON", "geojson"), ("CSV", "csv")):
            button = page.get_by_role("button", name=f"⬇ {name}", exact=True)
            button.wait_for(timeout=WAIT_MS)
            with page.expect_download(timeout=180_000) as info:
                button.click()
            dest = tmp_path / f"events.{check}"
            info.value.save_as(dest)
            if check == "geojson":
                doc = json.loads(dest.read_text(encoding="utf-8"))
                assert doc["type"] == "FeatureCollection"
                assert {f["properties"]["id"] for f in doc["features"]} == ids
            else:
                lines = dest.read_text(encoding="utf-8").strip().splitlines()
                assert len(lines) == BIG + 1 and "id" in lines[0].split(",")
        media = [u for u in set(requests.urls) - before if "/media/" in u]
        assert len(media) >= 2, "the files were not fetched when the buttons were clicked"
        assert requests.external() == []
    finally:
        context.close()
    text = log.read_text(encoding="utf-8", errors="replace")
    assert "Traceback" not in text, text[-3000:]
