"""Text files: the seed format (a ``date YYYY-MM-DD Headline: <title>`` first line, then the body) and plain text.

The seed header may start with blank space (the sample article does); CRLF line ends and a UTF-8 BOM are fine.
A plain text file has no date; its first non-blank line is the title and the whole file is the text.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any, Iterator

from geo.articles.core import Source, make_article
from geo.errors import ArticleFormatError
from geo.model import Article

#: ``date 2026-03-06 Headline: US Military Targets ...`` (case-insensitive keywords, any blank space between).
SEED_HEADER = re.compile(r"^\s*date\s+(?P<date>\S+)\s+headline\s*:\s*(?P<title>.*?)\s*$", re.IGNORECASE)

_TITLE_MAX = 300


def is_seed_text(text: str) -> bool:
    """Whether a text starts with the seed header line."""
    first = text.lstrip("\ufeff").split("\n", 1)[0].rstrip("\r")
    return SEED_HEADER.match(first) is not None


def parse_seed(text: str, path: str = "<text>") -> Article:
    """One article from seed-format text.

    Raises
    ------
    ArticleFormatError
        If the first line is not a seed header, its date is not ``YYYY-MM-DD``, or there is no body.
    """
    text = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    first, _, body = text.partition("\n")
    m = SEED_HEADER.match(first)
    if m is None:
        raise ArticleFormatError("first line is not 'date YYYY-MM-DD Headline: <title>'", path, 1)
    try:
        published = dt.date.fromisoformat(m.group("date"))
    except ValueError:
        raise ArticleFormatError(f"bad date {m.group('date')!r} in header (expected YYYY-MM-DD)", path, 1) from None
    if not body.strip():
        raise ArticleFormatError("no article text after the header line", path, 2)
    return make_article(text=body, title=m.group("title"), published=published, path=path)


def parse_plain(text: str, path: str = "<text>") -> Article:
    """One article from plain text: no date, the first non-blank line is the title, the whole text is the body."""
    body = text.lstrip("\ufeff")
    if not body.strip():
        raise ArticleFormatError("empty file", path)
    first = next(line.strip() for line in body.splitlines() if line.strip())
    title = first if len(first) <= _TITLE_MAX else first[:_TITLE_MAX].rsplit(" ", 1)[0] + "…"
    return make_article(text=body, title=title, path=path)


def read_seed(source: Source, **_: Any) -> Iterator[Article]:
    """Read a seed-format file (one article)."""
    yield parse_seed(source.read_text(), str(source.path))


def read_text(source: Source, **_: Any) -> Iterator[Article]:
    """Read a ``.txt`` file: seed format when it has the header line, plain text otherwise."""
    text = source.read_text()
    if is_seed_text(text):
        yield parse_seed(text, str(source.path))
    else:
        yield parse_plain(text, str(source.path))
