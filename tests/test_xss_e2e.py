"""HTML safety end to end: hostile titles, texts, sources, URLs and place names go through the store and a real
Streamlit server into headless Chromium; no script runs (no dialog, no ``window.__pwned`` in any frame) and the
markup shows as text."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from geo.model import Article, Event, ParseResult, Place, Span, Toponym
from geo.store import EventStore

pytestmark = [pytest.mark.browser, pytest.mark.slow]

#: Each payload, if it ever ran, would set window.__pwned and/or open a dialog.
TITLE = "Title <script>window.__pwned='title';alert('title')</script> \"double\" 'single' & <b>bold</b>"
PLACE_NAME = "Port<img src=x onerror=\"window.__pwned='place';alert('place')\">"
SOURCE = "\"'><svg onload=\"window.__pwned='source';alert('source')\">"
URL = "javascript:window.__pwned='url';alert('url')"
TEXT_PAYLOADS = (
    "<script>window.__pwned='text';alert('text')</script>",
    "<img src=x onerror=\"window.__pwned='img';alert('img')\">",
    "<a href=\"javascript:window.__pwned='link'\">click me</a>",
    "<iframe src=\"javascript:parent.__pwned='iframe'\"></iframe>",
    "\" onmouseover=\"window.__pwned='attr'\" x=\"",
)


def _hostile_results() -> list[ParseResult]:
    results = []
    for k in range(3):
        aid = f"xss{k:013d}"
        text = (f"Troops shelled {PLACE_NAME} on Friday. " + " ".join(TEXT_PAYLOADS)
                + f" Witness {k} said 'it was loud' & \"dark\".")
        p0 = text.index(PLACE_NAME)
        t0 = text.index("shelled")
        end = text.index(". ") + 1
        place = Place(1000 + k, PLACE_NAME, "city", 0.9 + k, -79.6 + k, "EC", "EC-E")
        event = Event(
            id=f"{aid}-e0", article_id=aid, type="shelling", family="explosions_remote_violence",
            trigger=Span(t0, t0 + 7, "shelled"), sentence=Span(0, end, text[:end]), place=place,
            place_span=Span(p0, p0 + len(PLACE_NAME), PLACE_NAME), precision="city", date=dt.date(2026, 3, 6 + k),
            date_precision="day", date_source="text", confidence=0.9,
        )
        article = Article(aid, TITLE, text, published=dt.date(2026, 3, 6 + k), source=SOURCE, url=URL)
        results.append(ParseResult(article, (Toponym(p0, p0 + len(PLACE_NAME), PLACE_NAME, place, 0.9),), (),
                                   (event,)))
    return results


@pytest.fixture(scope="module")
def hostile_store(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("xss") / "events.sqlite"
    with EventStore(path) as store:
        store.save_results(_hostile_results())
    return path


def _pwned(page) -> list[tuple[str, object]]:  # noqa: ANN001
    hits = []
    for frame in page.frames:
        try:
            value = frame.evaluate("() => window.__pwned || (window.parent && window.parent.__pwned) || null")
        except Exception:  # noqa: BLE001 - a frame that navigated away
            continue
        if value:
            hits.append((frame.url, value))
    return hits


def test_hostile_article_never_runs_script_in_the_browser(hostile_store, tmp_path):
    testing = pytest.importorskip("dashboard.testing")
    pytest.importorskip("playwright")
    if not testing.chromium_available():
        pytest.skip("no Chromium at /usr/bin/chromium")
    dialogs: list[str] = []
    event_id = _hostile_results()[0].events[0].id
    with testing.streamlit_server(hostile_store, log_path=tmp_path / "streamlit.log") as url, \
            testing.browser() as chromium:
        page = chromium.new_page()
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        page.goto(f"{url}/?event={event_id}", wait_until="domcontentloaded")
        # The article panel: the title and every payload must appear as visible text.
        page.get_by_text("window.__pwned='text'", exact=False).first.wait_for(timeout=90_000)
        body = page.inner_text("body")
        assert "<script>window.__pwned='text';alert('text')</script>" in body
        assert "onerror=\"window.__pwned='img'" in body
        assert "Witness 0 said 'it was loud' & \"dark\"." in body

        # The map: open a popup and hover a tooltip so their HTML is built in the frame.
        frame = testing.map_frame(page)
        features = testing.wait_features(frame, lambda fs: len(fs) > 0)
        page.wait_for_timeout(500)
        testing.click_feature(page, frame, features[0])
        page.wait_for_timeout(1500)
        box = frame.frame_element().bounding_box()
        for f in testing.drawn_features(frame):
            if f.get("pt"):
                page.mouse.move(box["x"] + f["pt"][0], box["y"] + f["pt"][1])
                page.wait_for_timeout(300)
        # Scripts injected into the map's DOM would have run by now.
        page.wait_for_timeout(1500)
        assert _pwned(page) == []
        assert dialogs == []
        # No element anywhere carries an event-handler attribute or javascript: link from the payloads.
        for fr in page.frames:
            try:
                injected = fr.evaluate("""() => Array.from(document.querySelectorAll('*')).filter(el =>
                    Array.from(el.attributes).some(a => (a.name.startsWith('on') && a.value.includes('__pwned'))
                        || (/^(href|src)$/.test(a.name) && a.value.includes('__pwned')))).map(el => el.outerHTML)""")
            except Exception:  # noqa: BLE001
                continue
            assert injected == [], (fr.url, injected[:3])
