"""Saved HTML pages: the main text, title, date and canonical URL, extracted with trafilatura.

Boilerplate (navigation, footers, comments) is dropped. The date is the page's own publication date (meta tags,
structured data, URL); trafilatura's clock-based fallbacks are switched off so an undated page stays undated.
"""

from __future__ import annotations

import re
import warnings
from typing import Any, Iterator

from geo.articles.core import Source, html_to_text, make_article, normalize_text
from geo.errors import ArticleFormatError
from geo.model import Article


def parse_html(html: bytes | str, path: str = "<html>", url: str | None = None) -> Article:
    """One article from an HTML page.

    Raises
    ------
    ArticleFormatError
        If the page has no extractable main text.
    """
    try:
        import trafilatura
    except ImportError as exc:  # lxml_html_clean missing is the usual cause
        raise ArticleFormatError(f"HTML support unavailable ({exc}); install trafilatura and lxml_html_clean",
                                 path) from None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        doc = trafilatura.bare_extraction(
            html,
            url=url,
            with_metadata=True,
            include_comments=False,
            include_tables=False,
            date_extraction_params={"extensive_search": False, "original_date": True},
        )
    text = normalize_text(getattr(doc, "text", None) or "") if doc is not None else ""
    if not text:
        # trafilatura gives up on some pages (very deep nesting, no recognisable main block): fall back to all the
        # visible text, which a streaming parser reads at any depth.
        return _visible_text_article(html, path, url)
    title = normalize_text(doc.title or "")
    first, _, rest = text.partition("\n")
    if title and first.strip() == title and rest.strip():
        text = rest  # trafilatura repeats the headline as the first line
    metadata = {k: v for k, v in (("author", doc.author), ("description", doc.description)) if v}
    return make_article(
        text=text,
        title=title,
        published=doc.date or None,
        source=doc.sitename or None,
        url=doc.url or url,
        path=path,
        metadata=metadata,
    )


def _visible_text_article(html: bytes | str, path: str, url: str | None) -> Article:
    """The page's visible text as one article, for pages the main-text extractor cannot handle."""
    if isinstance(html, bytes):
        html = html.decode("utf-8", errors="replace")
    title_match = re.search(r"<title[^>]*>(.*?)</title\s*>", html, flags=re.IGNORECASE | re.DOTALL)
    title = html_to_text(title_match.group(1)) if title_match else ""
    body = re.sub(r"<title[^>]*>.*?</title\s*>", " ", html, count=1, flags=re.IGNORECASE | re.DOTALL)
    text = html_to_text(body)
    if not text:
        raise ArticleFormatError("no article text found in the HTML page", path)
    return make_article(text=text, title=title, url=url, path=path, metadata={"extraction": "visible-text"})


def read_html(source: Source, **_: Any) -> Iterator[Article]:
    """Read a saved HTML page (one article)."""
    yield parse_html(source.read_bytes(), str(source.path))
