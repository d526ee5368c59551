"""Building blocks shared by every reader: article ids, text and date normalisation, record mapping, error reports.

An article's id is a hash of its normalised content (title, text, publication date), so the same story read from a
JSONL dump, a saved page or a re-wrapped text file gets the same id, and ingesting it twice stores it once.
"""

from __future__ import annotations

import codecs

import datetime as dt
import email.utils
import gzip
import hashlib
import io
import logging
import re
import unicodedata
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any, Callable, Iterator, Mapping
from urllib.parse import urlsplit

from geo.errors import ArticleFormatError, InputError
from geo.model import Article

log = logging.getLogger("geo.articles")

#: Called with each bad record or file; the reader then goes on with the next one.
ErrorHandler = Callable[[InputError], None]

#: Article fields a record can map to, and the record keys tried for each (case-insensitive), first match wins.
FIELD_ALIASES: dict[str, tuple[str, ...]] = {
    "id": ("id", "article_id", "doc_id", "guid"),
    "title": ("title", "headline", "heading"),
    "text": ("text", "body", "content", "article", "story", "full_text", "maintext"),
    "published": ("published", "date", "published_at", "publish_date", "pubdate", "datetime", "timestamp",
                  "date_publish", "seendate"),
    "url": ("url", "link", "source_url", "permalink"),
    "source": ("source", "outlet", "publisher", "source_name", "sitename", "domain"),
}

_WS = re.compile(r"\s+")
_ISO_DATE = re.compile(r"^\s*(\d{4})-(\d{2})-(\d{2})(?:$|[T\s_])")
_COMPACT_DATE = re.compile(r"^\s*(\d{4})(\d{2})(\d{2})(?:\d{6})?\s*$")  # GDELT-style 20250314 / 20250314203000


# --------------------------------------------------------------------------------------------------- errors


@dataclass
class ErrorCollector:
    """An ``on_error`` handler that keeps every reported problem (ingest uses it for its summary).

    Examples
    --------
    >>> errors = ErrorCollector()
    >>> errors(ArticleFormatError("no text", "a.jsonl", 3))
    >>> [str(e) for e in errors.errors]
    ['a.jsonl:3: no text']
    """

    errors: list[InputError] = field(default_factory=list)

    def __call__(self, error: InputError) -> None:
        self.errors.append(error)

    def messages(self) -> list[str]:
        """Each problem as ``file:line: reason``."""
        return [str(e) for e in self.errors]


def log_error(error: InputError) -> None:
    """The default ``on_error``: log the problem as a warning and go on."""
    log.warning("skipped: %s", error)


def raise_error(error: InputError) -> None:
    """The ``strict=True`` handler: stop at the first problem."""
    raise error


# --------------------------------------------------------------------------------------------------- text


def normalize_text(text: str) -> str:
    """Unicode NFC, no BOM, ``\\n`` line ends, no leading/trailing blank space (the text spans refer to)."""
    text = text.replace("\ufeff", "").replace("\r\n", "\n").replace("\r", "\n")
    return unicodedata.normalize("NFC", text).strip()


def _fingerprint(text: str) -> str:
    """Whitespace-insensitive form of a text, so re-wrapped copies hash alike."""
    return _WS.sub(" ", normalize_text(text)).strip()


def article_id(title: str, text: str, published: dt.date | None = None) -> str:
    """A stable 16-hex-digit id from an article's content: same content -> same id.

    Whitespace, line ends, BOM and Unicode normalisation do not change the id; the title, the text and the
    publication date do.

    Examples
    --------
    >>> article_id("T", "Body  text.\\r\\n") == article_id("T", "Body text.")
    True
    >>> article_id("T", "Body", dt.date(2026, 3, 6)) == article_id("T", "Body")
    False
    """
    day = published.isoformat() if published is not None else ""
    payload = "\x1f".join((_fingerprint(title), _fingerprint(text), day))
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()[:16]


class _TextExtractor(HTMLParser):
    """Collects the visible text of an HTML fragment, with line breaks at block elements."""

    _BLOCKS = frozenset(
        "address article aside blockquote br dd div dl dt figcaption footer h1 h2 h3 h4 h5 h6 header hr li main "
        "nav ol p pre section table td th tr ul".split()
    )
    _SKIP = frozenset(("script", "style", "noscript", "template", "head"))

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self._SKIP:
            self._skip += 1
        elif tag in self._BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in self._SKIP:
            self._skip = max(0, self._skip - 1)
        elif tag in self._BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def html_to_text(fragment: str) -> str:
    """Visible text of an HTML fragment (feed summaries): tags dropped, entities decoded, blocks as paragraphs.

    Examples
    --------
    >>> html_to_text("<p>Shelling in <b>Kharkiv</b> &amp; Izium.</p><script>x()</script><p>Two dead.</p>")
    'Shelling in Kharkiv & Izium.\\n\\nTwo dead.'
    """
    if "<" not in fragment and "&" not in fragment:
        return normalize_text(fragment)
    parser = _TextExtractor()
    parser.feed(fragment)
    parser.close()
    lines = [_WS.sub(" ", line).strip() for line in "".join(parser.parts).split("\n")]
    paragraphs: list[str] = []
    for line in lines:
        if line:
            paragraphs.append(line)
    return normalize_text("\n\n".join(paragraphs))


# --------------------------------------------------------------------------------------------------- dates


def parse_published(value: Any) -> dt.date | None:
    """The publication date of a record field: ``date``, ``datetime``, ISO 8601, RFC 2822, ``YYYYMMDD`` or a
    plain English date ("March 5, 2025"). Empty values give ``None``; anything else raises ``ValueError``.

    A datetime keeps the calendar date it was written with (``2025-03-14 20:28:39Z`` -> 2025-03-14).
    """
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        raise ValueError(f"numeric date {value!r} is ambiguous; give an ISO date")
    text = str(value).strip()
    if not text:
        return None
    m = _ISO_DATE.match(text) or _COMPACT_DATE.match(text)
    if m:
        return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    try:
        parsed = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        parsed = None
    if parsed is not None:
        return parsed.date()
    import dateparser  # slow import: only for the rare non-ISO date

    guess = dateparser.parse(  # absolute dates only: "yesterday" in a data file has no reference point
        text,
        languages=["en"],
        settings={"REQUIRE_PARTS": ["day", "month", "year"], "PARSERS": ["custom-formats", "absolute-time"]},
    )
    if guess is None:
        raise ValueError(f"unrecognised date {text!r}")
    return guess.date()


# --------------------------------------------------------------------------------------------------- articles


def source_from_url(url: str | None) -> str | None:
    """The site a URL belongs to (``https://www.voanews.com/a/x`` -> ``voanews.com``), or ``None``."""
    if not url:
        return None
    try:
        host = urlsplit(url).hostname or ""
    except ValueError:
        return None
    host = host.lower()
    return host[4:] if host.startswith("www.") else (host or None)


def make_article(
    text: str,
    title: str = "",
    published: dt.date | dt.datetime | str | None = None,
    source: str | None = None,
    url: str | None = None,
    path: str | Path | None = None,
    metadata: Mapping[str, Any] | None = None,
    id: str | None = None,  # noqa: A002 - the field's name in Article
) -> Article:
    """A normalised :class:`~geo.model.Article` with its content id.

    The text and title are normalised (:func:`normalize_text`); ``published`` may be a date, a datetime or a
    date string (see :func:`parse_published`); ``source`` defaults to the URL's site. ``id`` overrides the
    content hash (only for callers that manage their own ids).

    Raises
    ------
    ArticleFormatError
        If the text is empty or the date cannot be read.
    """
    body = normalize_text(text or "")
    if not body:
        raise ArticleFormatError("article has no text", path)
    try:
        day = parse_published(published)
    except ValueError as exc:
        raise ArticleFormatError(f"bad published date: {exc}", path) from None
    heading = _WS.sub(" ", normalize_text(title or "")).strip()
    url = (url or "").strip() or None
    source = (source or "").strip() or source_from_url(url)
    return Article(
        id=id or article_id(heading, body, day),
        title=heading,
        text=body,
        published=day,
        source=source,
        url=url,
        path=str(path) if path is not None else None,
        metadata=dict(metadata or {}),
    )


def _lookup(record: Mapping[str, Any], columns: Mapping[str, str]) -> tuple[dict[str, Any], set[str]]:
    """Pick the article fields out of a record: explicit ``columns`` first, then :data:`FIELD_ALIASES`."""
    lowered = {str(k).strip().lower(): k for k in record if k is not None}
    found: dict[str, Any] = {}
    used: set[str] = set()
    for name, aliases in FIELD_ALIASES.items():
        keys = (columns[name],) if name in columns else aliases
        for key in keys:
            original = key if key in record else lowered.get(str(key).lower())
            if original is not None and original in record:
                found[name] = record[original]
                used.add(original)
                break
        else:
            if name in columns:
                found[name] = None  # an explicit mapping to a column the record lacks
    return found, used


def record_to_article(
    record: Mapping[str, Any],
    *,
    path: str | Path,
    line: int | None = None,
    columns: Mapping[str, str] | None = None,
    defaults: Mapping[str, Any] | None = None,
    use_source_ids: bool = False,
) -> Article:
    """An article from a JSON object or CSV row; keys that are not article fields are kept in ``metadata``.

    ``columns`` maps article fields (``text``, ``title``, ``published``, ``url``, ``source``, ``id``) to record
    keys, overriding the usual names. A record ``id`` is kept as ``metadata["source_id"]``; it becomes the
    article id only with ``use_source_ids=True`` (the default content hash is what makes ingest idempotent).

    Raises
    ------
    ArticleFormatError
        Naming ``path`` and ``line``, if the record has no text or an unreadable date.
    """
    if not isinstance(record, Mapping):
        raise ArticleFormatError(f"expected an object, got {type(record).__name__}", path, line)
    columns = dict(columns or {})
    unknown = set(columns) - set(FIELD_ALIASES)
    if unknown:
        raise InputError(f"unknown article field(s) in column mapping: {', '.join(sorted(unknown))}")
    found, used = _lookup(record, columns)
    for key, value in (defaults or {}).items():
        if found.get(key) in (None, ""):
            found[key] = value
    text = found.get("text")
    if text is None or not str(text).strip():
        wanted = columns.get("text") or "/".join(FIELD_ALIASES["text"][:3])
        raise ArticleFormatError(f"record has no text (field {wanted!r} missing or empty)", path, line)
    if not isinstance(text, str):
        raise ArticleFormatError(f"text must be a string, got {type(text).__name__}", path, line)
    metadata = {str(k): v for k, v in record.items() if k not in used and k is not None and v not in (None, "")}
    source_id = found.get("id")
    if source_id not in (None, ""):
        metadata["source_id"] = str(source_id)
    try:
        published = parse_published(found.get("published"))
    except ValueError as exc:
        raise ArticleFormatError(f"bad published date: {exc}", path, line) from None
    title = found.get("title")
    return make_article(
        text=text,
        title="" if title is None else str(title),
        published=published,
        source=None if found.get("source") is None else str(found["source"]),
        url=None if found.get("url") is None else str(found["url"]),
        path=path,
        metadata=metadata,
        id=str(source_id) if use_source_ids and source_id not in (None, "") else None,
    )


# --------------------------------------------------------------------------------------------------- files


GZIP_MAGIC = b"\x1f\x8b"


@dataclass(frozen=True)
class Source:
    """One input file, possibly gzip-compressed; ``name`` is the path without ``.gz`` (it decides the format)."""

    path: Path
    compressed: bool
    encoding: str = "utf-8"

    @property
    def name(self) -> str:
        return self.path.name[:-3] if self.compressed and self.path.name.lower().endswith(".gz") else self.path.name

    @property
    def suffix(self) -> str:
        return Path(self.name).suffix.lower()

    def _raw(self) -> io.BufferedIOBase:
        return gzip.open(self.path, "rb") if self.compressed else open(self.path, "rb")  # type: ignore[return-value]

    def read_bytes(self) -> bytes:
        """The whole (decompressed) content."""
        try:
            with self._raw() as fh:
                return fh.read()
        except (OSError, EOFError) as exc:  # gzip.BadGzipFile is an OSError
            raise ArticleFormatError(f"cannot read file: {exc}", self.path) from None

    def read_text(self) -> str:
        """The whole content as text (a UTF-8 BOM is dropped)."""
        data = self.read_bytes()
        return decode(data, self.path, self.encoding)

    def head(self, size: int = 4096) -> bytes:
        """The first bytes of the (decompressed) content, for format sniffing."""
        try:
            with self._raw() as fh:
                return fh.read(size)
        except (OSError, EOFError) as exc:
            raise ArticleFormatError(f"cannot read file: {exc}", self.path) from None

    def lines(self) -> Iterator[tuple[int, str]]:
        """``(line number, line)`` pairs, streamed (for large JSONL dumps); BOM dropped, line ends kept."""
        encoding = "utf-8-sig" if self.encoding.lower().replace("_", "-") in ("utf-8", "utf8") else self.encoding
        try:
            with self._raw() as raw, io.TextIOWrapper(raw, encoding=encoding, newline="") as fh:
                for number, line in enumerate(fh, start=1):
                    yield number, line
        except UnicodeDecodeError as exc:
            raise ArticleFormatError(f"not valid {self.encoding} text ({exc.reason}); if the file uses another "
                                     "encoding, name it with --encoding (e.g. --encoding latin-1)", self.path) from None
        except (OSError, EOFError) as exc:
            raise ArticleFormatError(f"cannot read file: {exc}", self.path) from None


_BOMS = ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"), (codecs.BOM_UTF8, "utf-8-sig"),
         (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))


def decode(data: bytes, path: str | Path, encoding: str = "utf-8") -> str:
    """Bytes -> text; a byte-order mark (UTF-8, UTF-16, UTF-32) picks the encoding and is dropped.

    A decoding error names the file and line and says how to read the file in another encoding.
    """
    user_encoding = encoding
    if encoding.lower().replace("_", "-") in ("utf-8", "utf8"):
        encoding = next((enc for bom, enc in _BOMS if data.startswith(bom)), "utf-8-sig")
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ArticleFormatError(
            f"not valid {user_encoding} text "
            f"({exc.reason} at byte {exc.start}); if the file uses another encoding, name it with --encoding "
            f"(e.g. --encoding latin-1)", path, line) from None
