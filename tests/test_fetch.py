"""The opt-in web fetcher, against a real HTTP server on localhost (never the internet)."""

from __future__ import annotations

import http.server
import threading
import time
from pathlib import Path

import pytest

from geo.articles import ErrorCollector
from geo.articles.fetch import Fetcher, fetch_articles, is_url
from geo.errors import InputError
from geo.ingest import DEFAULT_PIPELINE, ingest, register_pipeline
from geo.store import EventStore

STORY = ("<html><head><title>Flooding in Kenya</title></head><body><article><h1>Flooding in Kenya</h1>"
         "<p>Floods swept through the Kenyan city of Kisumu on Tuesday, killing at least twelve people and "
         "displacing thousands of residents, officials said.</p><p>Rescue teams were searching the banks of "
         "Lake Victoria for survivors on Wednesday while the Red Cross set up shelters in schools.</p>"
         "<p>The Kenya Meteorological Department warned that heavy rain would continue across western Kenya "
         "for the rest of the week.</p></article></body></html>")


def _feed(base: str) -> str:
    return f"""<?xml version="1.0"?>
<rss version="2.0"><channel><title>Local Wire</title>
<item><title>Flooding in Kenya</title><link>{base}/story1.html</link>
<pubDate>Wed, 06 May 2026 10:00:00 GMT</pubDate>
<description>&lt;p&gt;Floods hit &lt;b&gt;Kisumu&lt;/b&gt;.&lt;/p&gt;</description></item>
<item><title>Protest in Lima</title><link>{base}/gone.html</link>
<pubDate>Tue, 05 May 2026 10:00:00 GMT</pubDate>
<description>Thousands of protesters marched in Lima on Monday against the new mining law.</description></item>
</channel></rss>"""


class _Handler(http.server.BaseHTTPRequestHandler):
    pages: dict[str, tuple[str, bytes]] = {}
    log: list[tuple[float, str, str]] = []

    def do_GET(self) -> None:  # noqa: N802 - the http.server hook
        self.log.append((time.monotonic(), self.path, self.headers.get("User-Agent", "")))
        if self.path not in self.pages:
            self.send_error(404, "Not Found")
            return
        ctype, body = self.pages[self.path]
        self.send_response(200)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture()
def site():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    base = f"http://127.0.0.1:{server.server_address[1]}"
    _Handler.log = []
    _Handler.pages = {
        "/robots.txt": ("text/plain", b"User-agent: *\nDisallow: /private/\n"),
        "/feed.xml": ("application/rss+xml", _feed(base).encode()),
        "/story1.html": ("text/html; charset=utf-8", STORY.encode()),
        "/private/secret.html": ("text/html", STORY.encode()),
        "/notes.txt": ("text/plain", b"just some notes, not an article page"),
        "/huge.html": ("text/html", b"<html><body>" + b"x" * 5000 + b"</body></html>"),
    }
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield base
    finally:
        server.shutdown()
        server.server_close()


def test_is_url():
    assert is_url("https://example.org/feed.xml") and is_url("HTTP://x")
    assert not is_url("seeds/") and not is_url("ftp://x") and not is_url(Path("http.txt"))


def test_feed_entries_take_the_text_of_their_pages(site):
    errors = ErrorCollector()
    articles = list(fetch_articles([f"{site}/feed.xml"], on_error=errors, fetcher=Fetcher(delay=0)))
    assert [a.title for a in articles] == ["Flooding in Kenya", "Protest in Lima"]
    flood, protest = articles
    assert "Lake Victoria" in flood.text and flood.metadata["fetched_from"] == "page"
    assert flood.url == f"{site}/story1.html" and flood.published.isoformat() == "2026-05-06"
    assert protest.text.startswith("Thousands of protesters")  # its page is gone: the summary stands in
    assert [(e.path, "HTTP 404" in e.reason) for e in errors.errors] == [(f"{site}/gone.html", True)]
    assert all(ua.startswith("geo-atlas/") for _, _, ua in _Handler.log)


def test_no_follow_keeps_the_feed_summaries(site):
    articles = list(fetch_articles([f"{site}/feed.xml"], follow_links=False, fetcher=Fetcher(delay=0)))
    assert articles[0].text == "Floods hit Kisumu."  # HTML stripped from the summary
    assert [p for _, p, _ in _Handler.log] == ["/robots.txt", "/feed.xml"]


def test_robots_txt_is_obeyed_and_bad_urls_are_reported(site):
    errors = ErrorCollector()
    urls = [f"{site}/private/secret.html", f"{site}/notes.txt", f"{site}/huge.html", f"{site}/story1.html"]
    articles = list(fetch_articles(urls, on_error=errors, fetcher=Fetcher(delay=0, max_bytes=4000)))
    assert [a.title for a in articles] == ["Flooding in Kenya"]
    reasons = {e.path: e.reason for e in errors.errors}
    assert "robots.txt" in reasons[f"{site}/private/secret.html"]
    assert "neither an HTML page nor an RSS/Atom feed" in reasons[f"{site}/notes.txt"]
    assert "limit" in reasons[f"{site}/huge.html"]
    assert "/private/secret.html" not in [p for _, p, _ in _Handler.log]  # never requested


def test_requests_to_one_site_are_spaced(site):
    list(fetch_articles([f"{site}/story1.html", f"{site}/story1.html"], fetcher=Fetcher(delay=0.3)))
    times = [t for t, _, _ in _Handler.log]
    assert len(times) == 3  # robots.txt, then the page twice
    assert min(b - a for a, b in zip(times, times[1:])) >= 0.25


def test_unreachable_host_is_an_error_naming_the_url():
    errors = ErrorCollector()
    url = "http://127.0.0.1:9/nothing-listens-here"
    assert list(fetch_articles([url], on_error=errors, fetcher=Fetcher(delay=0, timeout=5))) == []
    assert errors.errors[0].path == url and "cannot fetch" in errors.errors[0].reason


def test_ingest_fetches_only_when_asked(site, tmp_path, pipeline):
    register_pipeline(pipeline, DEFAULT_PIPELINE)
    store = tmp_path / "events.sqlite"
    with pytest.raises(InputError, match="--online"):
        ingest([f"{site}/feed.xml"], store, workers=1, progress=False)
    assert _Handler.log == []  # nothing was requested
    summary = ingest([f"{site}/feed.xml"], store, workers=1, progress=False, online=True)
    assert summary.processed == 2 and [f.where for f in summary.failed] == [f"{site}/gone.html"]
    with EventStore(store, readonly=True) as db:
        assert db.stats()["articles"] == 2
    again = ingest([f"{site}/feed.xml"], store, workers=1, progress=False, online=True)
    assert again.processed == 0 and again.skipped == 2  # the same articles are not stored twice
