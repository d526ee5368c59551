"""CSV and TSV files of articles, one row per article.

Columns are found by their usual names (``text``/``body``/``content``, ``title``/``headline``,
``published``/``date``, ``url``/``link``, ``source``, ``id``), case-insensitively; ``columns`` maps article
fields to other column names (``columns={"text": "maintext", "published": "pub_day"}``). Other columns are kept
in ``metadata``. Rows are streamed; a malformed row is reported with its line number and the next row read.
"""

from __future__ import annotations

import csv
from typing import Any, Iterator, Mapping

from geo.articles.core import ErrorHandler, Source, record_to_article
from geo.errors import ArticleFormatError
from geo.model import Article

csv.field_size_limit(2**31 - 1)  # article bodies exceed the 128 KiB default

_EXTRA = "\0extra"  # DictReader key for fields beyond the header


def _dialect(sample: str, suffix: str, delimiter: str | None) -> tuple[str, str]:
    if delimiter:
        return delimiter, '"'
    if suffix == ".tsv":
        return "\t", '"'
    try:
        sniffed = csv.Sniffer().sniff(sample.split("\n", 1)[0], delimiters=",;\t|")
        return sniffed.delimiter, '"'
    except csv.Error:
        return ",", '"'


def read_csv(
    source: Source,
    *,
    on_error: ErrorHandler,
    columns: Mapping[str, str] | None = None,
    defaults: Mapping[str, Any] | None = None,
    delimiter: str | None = None,
    use_source_ids: bool = False,
    **_: Any,
) -> Iterator[Article]:
    """Read one article per row of a CSV/TSV file with a header row."""
    path = str(source.path)
    head = source.head(8192).decode("utf-8", errors="replace").lstrip("\ufeff")
    sep, quote = _dialect(head, source.suffix, delimiter)
    lines = (line for _, line in source.lines())
    reader = csv.DictReader(lines, delimiter=sep, quotechar=quote, restkey=_EXTRA)
    try:
        header = reader.fieldnames
    except csv.Error as exc:
        raise ArticleFormatError(f"bad CSV header: {exc}", path, 1) from None
    if not header:
        raise ArticleFormatError("empty CSV file (no header row)", path, 1)
    if columns:
        present = {h.strip().lower() for h in header}
        missing = [c for f, c in columns.items() if c.strip().lower() not in present]
        if missing:
            raise ArticleFormatError(f"column(s) not in the header: {', '.join(missing)}", path, 1)
    start = 2
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            on_error(ArticleFormatError(f"malformed CSV row: {exc}", path, reader.line_num))
            start = reader.line_num + 1
            continue
        line = start
        start = reader.line_num + 1
        if _EXTRA in row:
            on_error(ArticleFormatError(
                f"row has {len(header) + len(row[_EXTRA])} fields, the header {len(header)}", path, line))
            continue
        if any(value is None for value in row.values()):
            on_error(ArticleFormatError(
                f"row has {sum(v is not None for v in row.values())} fields, the header {len(header)}", path, line))
            continue
        try:
            yield record_to_article(
                {k.strip(): v for k, v in row.items()},
                path=path,
                line=line,
                columns=columns,
                defaults=defaults,
                use_source_ids=use_source_ids,
            )
        except ArticleFormatError as exc:
            on_error(exc)
