"""Read news articles from files, folders and globs in any supported format, as normalised :class:`Article` s.

Formats (chosen by file name, then by content when the name says nothing):

==========================  =====================================================================================
``seed``   (``.txt``)       first line ``date YYYY-MM-DD Headline: <title>`` (leading space allowed), then the body
``text``   (``.txt``)       plain text: no date, the first line is the title (a ``.txt`` with the seed header is
                            read as ``seed``)
``jsonl``  (``.jsonl``)     one JSON object per line: ``id``, ``title``, ``published``/``date``, ``text``, ``url``,
                            ``source``; other fields kept in ``metadata``
``json``   (``.json``)      one object, a list of objects, or ``{"articles": [...]}``
``csv``    (``.csv .tsv``)  a header row and one article per row; ``columns=`` maps fields to column names
``html``   (``.html .htm``) a saved page; main text, title and date extracted with trafilatura
``feed``   (``.rss .atom .xml``) RSS/Atom: one article per entry, HTML in summaries stripped
==========================  =====================================================================================

Any of them may be gzip-compressed (``.gz``). A folder is read recursively in name order; inside folders, files of
other types, hidden files and project files such as ``README.md`` are skipped. CRLF line ends and a UTF-8 BOM are
accepted everywhere.

A bad record never stops the good ones: each reader yields the good records and passes every problem (an
:class:`~geo.errors.ArticleFormatError` naming the file and line) to ``on_error``; by default problems are logged.
Use :class:`ErrorCollector` to keep them, or ``strict=True`` to stop at the first.

Examples
--------
>>> errors = ErrorCollector()
>>> articles = list(read_articles("seeds/", on_error=errors))  # doctest: +SKIP
>>> articles[0].published  # doctest: +SKIP
datetime.date(2026, 3, 6)
"""

from __future__ import annotations

import dataclasses
import glob
import json
import os
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, Mapping

from geo.articles.core import (
    FIELD_ALIASES,
    GZIP_MAGIC,
    ErrorCollector,
    ErrorHandler,
    Source,
    article_id,
    html_to_text,
    log_error,
    make_article,
    normalize_text,
    parse_published,
    raise_error,
    record_to_article,
)
from geo.articles.csvfile import read_csv
from geo.articles.feed import read_feed
from geo.articles.htmlpage import parse_html, read_html
from geo.articles.jsonl import read_json, read_jsonl
from geo.articles.text import is_seed_text, parse_plain, parse_seed, read_seed, read_text
from geo.errors import InputError, UnsupportedFormatError
from geo.model import Article

__all__ = [
    "FIELD_ALIASES",
    "FORMATS",
    "Article",
    "ErrorCollector",
    "ErrorHandler",
    "article_id",
    "detect_format",
    "html_to_text",
    "iter_files",
    "make_article",
    "normalize_text",
    "parse_html",
    "parse_plain",
    "parse_published",
    "parse_seed",
    "parse_text",
    "read_articles",
    "record_to_article",
]

Reader = Callable[..., Iterator[Article]]

#: format name -> reader
FORMATS: dict[str, Reader] = {
    "seed": read_seed,
    "text": read_text,
    "jsonl": read_jsonl,
    "json": read_json,
    "csv": read_csv,
    "html": read_html,
    "feed": read_feed,
}

#: file suffix -> format
SUFFIXES: dict[str, str] = {
    ".txt": "text",
    ".text": "text",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".jsonlines": "jsonl",
    ".json": "json",
    ".csv": "csv",
    ".tsv": "csv",
    ".html": "html",
    ".htm": "html",
    ".xhtml": "html",
    ".rss": "feed",
    ".atom": "feed",
    ".xml": "feed",
}

#: File names (without suffix, case-insensitive) that are project files, not articles, when met inside a folder.
NOT_ARTICLES = frozenset(("readme", "license", "licence", "changelog", "notice", "copying", "authors", "contributing"))

_GLOB_CHARS = frozenset("*?[")


def _source(path: Path, encoding: str) -> Source:
    compressed = path.name.lower().endswith(".gz")
    if not compressed:
        try:
            with open(path, "rb") as fh:
                compressed = fh.read(2) == GZIP_MAGIC
        except OSError as exc:
            raise InputError(f"cannot open: {exc.strerror}", path) from None
    return Source(path, compressed, encoding)


def _sniff(head: bytes) -> str | None:
    text = head.decode("utf-8", errors="replace").lstrip("\ufeff \t\r\n")
    lowered = text[:2048].lower()
    if text.startswith("{"):
        first = text.split("\n", 1)[0].strip()
        try:
            json.loads(first)
            return "jsonl"
        except json.JSONDecodeError:
            return "json"
    if text.startswith("["):
        return "json"
    if text.startswith("<"):
        if "<rss" in lowered or "<feed" in lowered or "<rdf:rdf" in lowered:
            return "feed"
        if "<html" in lowered or "<!doctype html" in lowered or "<body" in lowered or "<article" in lowered:
            return "html"
        return None
    if is_seed_text(text):
        return "seed"
    return None


def detect_format(path: str | Path, head: bytes | None = None) -> str | None:
    """The format of a file from its name (``.gz`` looked through), else from its first bytes; ``None`` if unknown.

    Examples
    --------
    >>> detect_format("dump/2025-03.jsonl.gz")
    'jsonl'
    >>> detect_format("page", b"<!DOCTYPE html><html>")
    'html'
    """
    name = Path(path).name.lower()
    if name.endswith(".gz"):
        name = name[:-3]
    fmt = SUFFIXES.get(Path(name).suffix)
    if fmt == "feed" and head is not None and _sniff(head) == "html":
        return "html"
    if fmt == "html" and head is not None and _sniff(head) == "feed":
        return "feed"
    if fmt is None and head is not None:
        fmt = _sniff(head)
    return fmt


def _is_candidate(path: Path) -> bool:
    """Whether a file met inside a folder looks like an article file (by name only)."""
    name = path.name
    if name.startswith(".") or name.startswith("~"):
        return False
    bare = name.lower()[:-3] if name.lower().endswith(".gz") else name.lower()
    if Path(bare).stem in NOT_ARTICLES:
        return False
    return Path(bare).suffix in SUFFIXES


def iter_files(paths: str | Path | Iterable[str | Path], *, recursive: bool = True) -> Iterator[tuple[Path, bool]]:
    """Expand paths, folders and globs into ``(file, explicit)`` pairs, in a stable order.

    ``explicit`` is True for a file named directly (it is read whatever its name); files found in folders or by
    globs are kept only when their name looks like an article file (see :data:`SUFFIXES`, :data:`NOT_ARTICLES`).

    Raises
    ------
    InputError
        If a path does not exist or a glob matches nothing.
    """
    if isinstance(paths, (str, Path)):
        paths = [paths]
    for item in paths:
        text = os.fspath(item)
        path = Path(text).expanduser()
        if path.is_dir():
            walker = path.rglob("*") if recursive else path.glob("*")
            for found in sorted(walker):
                rel = found.relative_to(path)
                if any(part.startswith(".") for part in rel.parts[:-1]):
                    continue
                if found.is_file() and _is_candidate(found):
                    yield found, False
        elif path.is_file():
            yield path, True
        elif _GLOB_CHARS & set(text):
            matches = sorted(glob.glob(os.path.expanduser(text), recursive=True))
            if not matches:
                raise InputError(f"no files match {text!r}")
            for match in matches:
                found = Path(match)
                if found.is_dir():
                    yield from iter_files(found, recursive=recursive)
                elif _is_candidate(found):
                    yield found, False
        else:
            raise InputError("no such file or directory", text)


def parse_text(text: str, *, title: str = "", published: Any = None, source: str | None = None,
               url: str | None = None) -> Article:
    """An article from pasted text: the seed format when it has the header line, else plain text.

    ``title`` and ``published`` given here override what the text says.
    """
    if is_seed_text(text):
        article = parse_seed(text)
        if title or published is not None:
            article = make_article(
                article.text, title or article.title, published if published is not None else article.published
            )
    elif title or published is not None:
        article = make_article(text, title=title, published=published)
    else:
        article = parse_plain(text)
    if source or url:
        article = dataclasses.replace(article, source=source or article.source, url=url or article.url)
    if article.source is None and article.url:
        article = make_article(article.text, article.title, article.published, url=article.url)
    return article


def read_articles(
    paths: str | Path | Iterable[str | Path],
    *,
    format: str | None = None,  # noqa: A002 - the natural name for the option
    on_error: ErrorHandler | None = None,
    strict: bool = False,
    encoding: str = "utf-8",
    columns: Mapping[str, str] | None = None,
    defaults: Mapping[str, Any] | None = None,
    delimiter: str | None = None,
    source: str | None = None,
    use_source_ids: bool = False,
    recursive: bool = True,
) -> Iterator[Article]:
    """Read articles from files, folders and globs, lazily (one file open at a time, JSONL/CSV streamed).

    Parameters
    ----------
    paths:
        A file, folder or glob (``"dumps/**/*.jsonl.gz"``), or several.
    format:
        Force a format (a key of :data:`FORMATS`) instead of detecting it per file.
    on_error:
        Called with each bad record or unreadable file (an :class:`~geo.errors.InputError` naming file and line);
        reading goes on. Default: log a warning. See :class:`ErrorCollector`.
    strict:
        Stop at the first problem by raising it.
    encoding:
        Text encoding of the files (a UTF-8 BOM is always accepted).
    columns:
        For JSON/CSV: article field -> record key, e.g. ``{"text": "body", "published": "pub_date"}``.
    defaults:
        For JSON/CSV: values for fields a record lacks, e.g. ``{"source": "Reuters"}``.
    delimiter:
        For CSV: the field separator (detected by default).
    source:
        The source (outlet) of articles that do not name one.
    use_source_ids:
        Use a record's own ``id`` as the article id instead of the content hash.
    recursive:
        Read folders recursively.

    Raises
    ------
    InputError
        When a path does not exist, a glob matches nothing, ``format`` or ``columns`` is unknown, or (with
        ``strict``) at the first bad record.
    """
    if format is not None and format not in FORMATS:
        raise InputError(f"unknown format {format!r}; choose from {', '.join(FORMATS)}")
    if columns:
        unknown = set(columns) - set(FIELD_ALIASES)
        if unknown:
            raise InputError(f"unknown article field(s) in column mapping: {', '.join(sorted(unknown))}")
    report: ErrorHandler = raise_error if strict else (on_error if on_error is not None else log_error)
    options = {
        "on_error": report,
        "columns": columns,
        "defaults": defaults,
        "delimiter": delimiter,
        "use_source_ids": use_source_ids,
    }
    for path, explicit in iter_files(paths, recursive=recursive):
        try:
            src = _source(path, encoding)
            fmt = format or detect_format(path, src.head())
            if fmt is None:
                if explicit:
                    raise UnsupportedFormatError(
                        f"unknown article format (expected one of {', '.join(sorted(set(SUFFIXES)))}, optionally "
                        ".gz)",
                        path,
                    )
                continue
            reader = FORMATS[fmt]
            if fmt == "json":
                reader = _json_or_jsonl(src)
            for article in reader(src, **options):
                if source and not article.source:
                    article = dataclasses.replace(article, source=source)
                yield article
        except InputError as exc:
            if strict:
                raise
            report(exc)


def _json_or_jsonl(src: Source) -> Reader:
    """A ``.json`` file that is really JSON Lines (several objects, one per line) is read as JSONL."""
    head = src.head(65536).decode("utf-8", errors="replace").lstrip("\ufeff \t\r\n")
    if head.startswith("{"):
        first = head.split("\n", 1)[0].strip()
        rest = head.split("\n", 1)[1].strip() if "\n" in head else ""
        try:
            json.loads(first)
        except json.JSONDecodeError:
            return read_json
        if rest.startswith("{"):
            return read_jsonl
    return read_json

