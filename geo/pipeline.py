"""Article -> events: the one place where the stages are chained.

``parse(text, published=None)`` handles one text; :class:`Pipeline` holds the heavy objects (gazetteer, spaCy)
loaded once and processes many articles in batches. Engines (local processes, Dask) create one ``Pipeline`` per
worker and call :meth:`Pipeline.process`.

Stage contracts (each a plain function in its own module):

- ``geo.gazetteer.load_gazetteer(path=None) -> Gazetteer``
- ``geo.nlp.load_nlp(gazetteer, parser=True) -> spacy.Language``
- ``geo.resolve.geoparse(doc, gazetteer, published=None) -> list[Toponym]`` (recognition + resolution)
- ``geo.dates.find_dates(doc, published) -> list[DateMention]``
- ``geo.events.extract_events(doc, article, toponyms, dates, gazetteer) -> list[Event]``
"""

from __future__ import annotations

import datetime as dt
import os
from typing import TYPE_CHECKING, Iterable, Iterator

from geo.errors import ArticleTooLongError
from geo.model import Article, ParseResult

#: Longest article text processed, in characters. The longest news features run to about 60,000 characters; far
#: longer texts are dumps or concatenations that take minutes and gigabytes in spaCy. ``GEO_MAX_ARTICLE_CHARS``
#: overrides it.
DEFAULT_MAX_CHARS = 200_000


def max_article_chars() -> int:
    """The length limit in force (``$GEO_MAX_ARTICLE_CHARS`` or :data:`DEFAULT_MAX_CHARS`)."""
    try:
        return int(os.environ.get("GEO_MAX_ARTICLE_CHARS", DEFAULT_MAX_CHARS))
    except ValueError:
        return DEFAULT_MAX_CHARS

if TYPE_CHECKING:  # pragma: no cover
    from geo.gazetteer import Gazetteer


class Pipeline:
    """The loaded pipeline: gazetteer + spaCy, created once per process.

    Parameters
    ----------
    gazetteer:
        A loaded gazetteer; loaded from the default location when omitted.
    batch_size:
        Texts per spaCy batch in :meth:`process`.
    """

    def __init__(self, gazetteer: "Gazetteer | None" = None, *, batch_size: int = 32,
                 max_chars: int | None = None) -> None:
        from geo.gazetteer import load_gazetteer
        from geo.nlp import load_nlp

        self.gazetteer = gazetteer if gazetteer is not None else load_gazetteer()
        self.nlp = load_nlp(self.gazetteer, parser=True)
        self.batch_size = batch_size
        self.max_chars = max_chars if max_chars is not None else max_article_chars()
        self.nlp.max_length = max(self.nlp.max_length, self.max_chars + 1)

    def check(self, article: Article) -> None:
        """Refuse an article the pipeline cannot process sensibly, before any work is done on its batch."""
        if len(article.text) > self.max_chars:
            raise ArticleTooLongError(
                f"article {article.id} is too long ({len(article.text):,} characters; the limit is "
                f"{self.max_chars:,}): split it, or raise GEO_MAX_ARTICLE_CHARS", path=article.path)

    def _result(self, doc, article: Article) -> ParseResult:  # noqa: ANN001 - spaCy Doc
        from geo.dates import find_dates
        from geo.events import extract_events
        from geo.resolve import geoparse

        toponyms = geoparse(doc, self.gazetteer, published=article.published)
        dates = find_dates(doc, article.published)
        events = extract_events(doc, article, toponyms, dates, self.gazetteer)
        return ParseResult(article, tuple(toponyms), tuple(dates), tuple(events))

    def process(self, articles: Iterable[Article]) -> Iterator[ParseResult]:
        """Run every stage on each article, in input order, batching the spaCy work.

        Raises :class:`~geo.errors.ArticleTooLongError` before any work if an article exceeds the length limit.
        """
        from geo.nlp import pipe

        articles = list(articles)
        for article in articles:
            self.check(article)
        docs = pipe(self.nlp, (a.text for a in articles), batch_size=self.batch_size)
        for article, doc in zip(articles, docs):
            yield self._result(doc, article)

    def process_one(self, article: Article) -> ParseResult:
        """Run every stage on a single article."""
        return next(self.process([article]))


_DEFAULT: Pipeline | None = None


def default_pipeline() -> Pipeline:
    """The process-wide pipeline, loaded on first use."""
    global _DEFAULT
    if _DEFAULT is None:
        _DEFAULT = Pipeline()
    return _DEFAULT


def parse(text: str, published: dt.date | str | None = None, *, title: str = "") -> ParseResult:
    """Find the places, dates and events of one text.

    Parameters
    ----------
    text:
        The article body.
    published:
        The publication date (``date`` or ISO string); relative dates resolve against it. Without it,
        relative dates stay unresolved rather than being guessed from the clock.

    Examples
    --------
    >>> r = parse("Troops shelled Donetsk on Monday.", published="2026-03-06")  # doctest: +SKIP
    >>> r.events[0].place.name  # doctest: +SKIP
    'Donetsk'
    """
    from geo.articles import make_article

    if isinstance(published, str):
        published = dt.date.fromisoformat(published[:10])
    article = make_article(text=text, title=title, published=published)
    return default_pipeline().process_one(article)
