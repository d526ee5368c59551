"""JSON Lines and JSON files of articles.

Fields ``id``, ``title``, ``published`` (or ``date``), ``text``, ``url``, ``source`` (usual alternatives and a
``columns`` mapping accepted, see :data:`geo.articles.core.FIELD_ALIASES`); every other field is kept in the
article's ``metadata``. JSONL is streamed line by line, so a dump of millions of articles never sits in memory.
A ``.json`` file holds one article object, a list of them, or an object with the list under ``articles``,
``items``, ``data``, ``records`` or ``documents``.
"""

from __future__ import annotations

import json
from typing import Any, Iterator, Mapping

from geo.articles.core import ErrorHandler, Source, decode, record_to_article
from geo.errors import ArticleFormatError, InputError
from geo.model import Article

_LIST_KEYS = ("articles", "items", "data", "records", "documents", "results")


def read_jsonl(
    source: Source,
    *,
    on_error: ErrorHandler,
    columns: Mapping[str, str] | None = None,
    defaults: Mapping[str, Any] | None = None,
    use_source_ids: bool = False,
    **_: Any,
) -> Iterator[Article]:
    """Read one article per line; blank lines are skipped, a bad line is reported and the next one read."""
    path = str(source.path)
    for number, line in source.lines():
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            on_error(ArticleFormatError(f"invalid JSON ({exc.msg})", path, number))
            continue
        try:
            yield record_to_article(
                record, path=path, line=number, columns=columns, defaults=defaults, use_source_ids=use_source_ids
            )
        except InputError as exc:
            if not isinstance(exc, ArticleFormatError):
                raise  # a bad option, not a bad record
            on_error(exc)


def _records(document: Any, path: str) -> list[Any]:
    if isinstance(document, list):
        return document
    if isinstance(document, dict):
        for key in _LIST_KEYS:
            if isinstance(document.get(key), list):
                return document[key]
        return [document]
    raise ArticleFormatError(f"expected an object or a list of objects, got {type(document).__name__}", path)


def read_json(
    source: Source,
    *,
    on_error: ErrorHandler,
    columns: Mapping[str, str] | None = None,
    defaults: Mapping[str, Any] | None = None,
    use_source_ids: bool = False,
    **_: Any,
) -> Iterator[Article]:
    """Read a JSON document of articles; a bad record is reported (by its position) and the others read."""
    path = str(source.path)
    text = decode(source.read_bytes(), path, source.encoding)
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ArticleFormatError(f"invalid JSON ({exc.msg} at column {exc.colno})", path, exc.lineno) from None
    for index, record in enumerate(_records(document, path), start=1):
        try:
            article = record_to_article(
                record, path=path, columns=columns, defaults=defaults, use_source_ids=use_source_ids
            )
        except ArticleFormatError as exc:
            on_error(ArticleFormatError(f"record {index}: {exc.reason}", path))
            continue
        yield article
