"""The pipeline as a library: parse() on a text, batches in order, limits on what it accepts."""

from __future__ import annotations

import datetime as dt

import pytest

from geo.articles import make_article
from geo.errors import ArticleTooLongError, InputError


def test_process_keeps_input_order(pipeline):
    texts = ["Police arrested two men in Nairobi on Monday.", "A flood hit Dhaka.", "Nothing happened here."]
    articles = [make_article(text=t, published=dt.date(2026, 3, 6)) for t in texts]
    results = list(pipeline.process(articles))
    assert [r.article.id for r in results] == [a.id for a in articles]
    assert any(t.place and t.place.country_code == "KE" for t in results[0].toponyms)
    assert any(t.place and t.place.country_code == "BD" for t in results[1].toponyms)


def test_spans_point_into_the_text(pipeline):
    article = make_article(text="Rockets hit Kharkiv on Friday, officials in Kyiv said.", published=dt.date(2026, 3, 6))
    result = pipeline.process_one(article)
    for t in result.toponyms:
        assert article.text[t.start:t.end] == t.text
    for d in result.dates:
        assert article.text[d.start:d.end] == d.text
    for e in result.events:
        assert article.text[e.trigger.start:e.trigger.end] == e.trigger.text
        assert article.text[e.sentence.start:e.sentence.end] == e.sentence.text


def test_too_long_article_is_a_clear_error_before_any_work(pipeline):
    long_article = make_article(text="word " * (pipeline.max_chars // 5 + 10), path="dump.txt")
    with pytest.raises(ArticleTooLongError, match=r"dump\.txt.*too long.*limit") as info:
        list(pipeline.process([make_article(text="A flood hit Dhaka."), long_article]))
    assert isinstance(info.value, InputError)


def test_parse_one_text(pipeline, monkeypatch):
    import geo.pipeline as gp

    monkeypatch.setattr(gp, "_DEFAULT", pipeline)  # reuse the session's loaded pipeline
    result = gp.parse("Troops shelled Donetsk on Monday.", published="2026-03-06")
    assert result.article.published == dt.date(2026, 3, 6)
    assert any(t.text == "Donetsk" for t in result.toponyms)
