"""RSS and Atom feed files: one article per entry, read with feedparser.

The entry's full content is used when the feed carries it, else its summary; HTML in either is reduced to plain
text. The feed's title is each article's source unless the entry names one.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Iterator

from geo.articles.core import ErrorHandler, Source, html_to_text, make_article
from geo.errors import ArticleFormatError
from geo.model import Article


def _entry_date(entry: Any) -> dt.date | None:
    for key in ("published_parsed", "updated_parsed", "created_parsed"):
        value = entry.get(key)
        if value:
            return dt.date(value.tm_year, value.tm_mon, value.tm_mday)
    return None


def _entry_text(entry: Any) -> str:
    for content in entry.get("content") or ():
        value = content.get("value") or ""
        if value.strip():
            return html_to_text(value)
    return html_to_text(entry.get("summary") or entry.get("description") or "")


def read_feed(source: Source, *, on_error: ErrorHandler, **_: Any) -> Iterator[Article]:
    """Read every entry of an RSS/Atom file; an entry without text is reported and skipped."""
    yield from parse_feed(source.read_bytes(), str(source.path), on_error=on_error)


def parse_feed(data: bytes, path: str, *, on_error: ErrorHandler) -> Iterator[Article]:
    """Every entry of an RSS/Atom document (a file's or a fetched URL's bytes); ``path`` names it in errors."""
    import feedparser

    parsed = feedparser.parse(data)
    if not parsed.entries:
        reason = f" ({parsed.bozo_exception})" if parsed.get("bozo") else ""
        raise ArticleFormatError(f"no feed entries found{reason}", path)
    feed_title = html_to_text(parsed.feed.get("title") or "") or None
    for index, entry in enumerate(parsed.entries, start=1):
        text = _entry_text(entry)
        if not text:
            on_error(ArticleFormatError(f"entry {index} has no content or summary", path))
            continue
        entry_source = entry.get("source", {}).get("title") if isinstance(entry.get("source"), dict) else None
        metadata = {k: entry[k] for k in ("id", "author") if entry.get(k)}
        if entry.get("tags"):
            metadata["tags"] = [t.get("term") for t in entry["tags"] if t.get("term")]
        if "id" in metadata:
            metadata["source_id"] = metadata.pop("id")
        yield make_article(
            text=text,
            title=html_to_text(entry.get("title") or ""),
            published=_entry_date(entry),
            source=entry_source or feed_title,
            url=entry.get("link"),
            path=path,
            metadata=metadata,
        )
