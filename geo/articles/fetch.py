"""Fetch articles from the web: pages and RSS/Atom feeds by URL (opt-in; everything else in the project is offline).

``geo ingest --online URL ...`` uses this. A feed URL gives one article per entry; with ``follow_links`` each
entry's own page is fetched too and its main text (trafilatura) replaces the feed's summary when it is longer.
A page URL gives one article. The fetcher is polite and bounded:

- ``robots.txt`` of each host is read once and obeyed (a host without one allows everything);
- requests to the same host are spaced by ``delay`` seconds;
- a response larger than ``max_bytes`` or slower than ``timeout`` is refused, never half-read;
- it identifies itself with a ``User-Agent`` naming the project.

A URL that fails (network error, HTTP error, disallowed, not a page or feed) is reported to ``on_error`` as an
:class:`~geo.errors.ArticleFormatError` naming the URL; the other URLs go on.
"""

from __future__ import annotations

import time
import urllib.error
import urllib.parse
import urllib.request
import urllib.robotparser
from dataclasses import dataclass, field
from typing import Callable, Iterable, Iterator

from geo.articles.core import ErrorHandler, log_error
from geo.errors import ArticleFormatError, InputError
from geo.model import Article

#: Sent with every request, so site owners can tell who is fetching.
USER_AGENT = "geo-atlas/{version} (news-event atlas; fetches only the URLs its user gives)"

#: Responses larger than this are refused (bytes).
DEFAULT_MAX_BYTES = 10 * 2**20


def is_url(value: object) -> bool:
    """Whether a command-line input is an http(s) URL rather than a path."""
    return isinstance(value, str) and value.lower().startswith(("http://", "https://"))


@dataclass
class Fetcher:
    """Polite HTTP GET with per-host spacing and ``robots.txt``; ``opener`` is swappable for other transports."""

    timeout: float = 20.0
    delay: float = 1.0
    max_bytes: int = DEFAULT_MAX_BYTES
    user_agent: str = ""
    clock: Callable[[], float] = time.monotonic
    sleep: Callable[[float], None] = time.sleep
    _last: dict[str, float] = field(default_factory=dict)
    _robots: dict[str, urllib.robotparser.RobotFileParser | None] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.user_agent:
            from geo import __version__

            self.user_agent = USER_AGENT.format(version=__version__)

    def _wait_turn(self, host: str) -> None:
        last = self._last.get(host)
        if last is not None:
            remaining = self.delay - (self.clock() - last)
            if remaining > 0:
                self.sleep(remaining)
        self._last[host] = self.clock()

    def _raw_get(self, url: str) -> tuple[bytes, str]:
        request = urllib.request.Request(url, headers={"User-Agent": self.user_agent, "Accept-Encoding": "identity"})
        with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310 - http(s) only
            length = response.headers.get("Content-Length")
            if length and length.isdigit() and int(length) > self.max_bytes:
                raise ArticleFormatError(f"response of {int(length):,} bytes is over the {self.max_bytes:,}-byte "
                                         "limit", url)
            data = response.read(self.max_bytes + 1)
            if len(data) > self.max_bytes:
                raise ArticleFormatError(f"response is over the {self.max_bytes:,}-byte limit", url)
            return data, response.headers.get_content_charset() or "utf-8"

    def allowed(self, url: str) -> bool:
        """Whether the host's ``robots.txt`` lets this fetcher read ``url`` (read once per host)."""
        parts = urllib.parse.urlsplit(url)
        host = f"{parts.scheme}://{parts.netloc}"
        if host not in self._robots:
            parser: urllib.robotparser.RobotFileParser | None = urllib.robotparser.RobotFileParser()
            try:
                self._wait_turn(parts.netloc)
                data, charset = self._raw_get(f"{host}/robots.txt")
                parser.parse(data.decode(charset, errors="replace").splitlines())  # type: ignore[union-attr]
            except (urllib.error.URLError, OSError, ValueError, ArticleFormatError):
                parser = None  # no robots.txt (or unreadable): nothing is disallowed
            self._robots[host] = parser
        parser = self._robots[host]
        return parser is None or parser.can_fetch(self.user_agent, url)

    def get(self, url: str) -> bytes:
        """The body of ``url``; an :class:`ArticleFormatError` naming the URL when it cannot be had."""
        if not is_url(url):
            raise InputError("only http:// and https:// URLs can be fetched", url)
        if not self.allowed(url):
            raise ArticleFormatError("robots.txt of the site disallows fetching this URL", url)
        self._wait_turn(urllib.parse.urlsplit(url).netloc)
        try:
            data, _ = self._raw_get(url)
        except urllib.error.HTTPError as exc:
            raise ArticleFormatError(f"HTTP {exc.code} {exc.reason}", url) from None
        except urllib.error.URLError as exc:
            raise ArticleFormatError(f"cannot fetch: {exc.reason}", url) from None
        except (TimeoutError, OSError) as exc:
            raise ArticleFormatError(f"cannot fetch: {exc}", url) from None
        return data


def _kind(data: bytes) -> str | None:
    from geo.articles import detect_format

    return detect_format("", data[:4096])


def _page_article(fetcher: Fetcher, url: str, data: bytes | None = None) -> Article:
    from geo.articles.htmlpage import parse_html

    return parse_html(data if data is not None else fetcher.get(url), path=url, url=url)


def _feed_articles(fetcher: Fetcher, url: str, data: bytes, follow_links: bool,
                   on_error: ErrorHandler) -> Iterator[Article]:
    from geo.articles.core import make_article
    from geo.articles.feed import parse_feed

    for entry in parse_feed(data, url, on_error=on_error):
        if not (follow_links and entry.url and is_url(entry.url)):
            yield entry
            continue
        try:
            page = _page_article(fetcher, entry.url)
        except ArticleFormatError as exc:
            on_error(ArticleFormatError(f"{exc.reason}; the feed's summary is used instead", entry.url))
            yield entry
            continue
        if len(page.text) <= len(entry.text):
            yield entry
            continue
        yield make_article(
            text=page.text,
            title=entry.title or page.title,
            published=entry.published or page.published,
            source=entry.source or page.source,
            url=entry.url,
            path=url,
            metadata={**entry.metadata, "fetched_from": "page"},
        )


def fetch_articles(
    urls: Iterable[str],
    *,
    on_error: ErrorHandler | None = None,
    follow_links: bool = True,
    fetcher: Fetcher | None = None,
) -> Iterator[Article]:
    """Articles from page and feed URLs, lazily, in the order given; bad URLs are reported, not fatal."""
    report = on_error if on_error is not None else log_error
    fetcher = fetcher or Fetcher()
    for url in urls:
        try:
            data = fetcher.get(url)
            kind = _kind(data)
            if kind == "feed":
                yield from _feed_articles(fetcher, url, data, follow_links, report)
            elif kind == "html":
                yield _page_article(fetcher, url, data)
            else:
                text = data[:60].decode("utf-8", errors="replace").strip()
                raise ArticleFormatError(f"neither an HTML page nor an RSS/Atom feed (starts {text!r})", url)
        except InputError as exc:
            report(exc)
