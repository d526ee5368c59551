"""Property-based tests of the date resolver: any phrase, any article date -> a date with a known precision or
None; only the project's errors for bad arguments; the resolved dates obey the calendar."""

from __future__ import annotations

import calendar
import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from geo.dates import find_dates, resolve_date_phrase
from geo.errors import DateError
from geo.model import DATE_PRECISIONS

SETTINGS = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
article_dates = st.one_of(st.none(), st.dates(dt.date(1900, 1, 1), dt.date(2100, 12, 31)))
WORDS = ("on", "last", "next", "this", "Friday", "March", "2026", "3", "ago", "two", "days", "week", "month",
         "year", "early", "late", "mid", "the", "of", "13", "45", "2026-13-45", "31/02/2026", "yesterday", "today",
         "tomorrow", "1990s", "decade", ",", "-", "Feb", "29", "0000", "9999-99-99")
phrases = st.one_of(st.text(max_size=60), st.lists(st.sampled_from(WORDS), max_size=6).map(" ".join))


@SETTINGS
@given(phrases, article_dates)
def test_any_phrase_resolves_to_a_date_or_none(phrase, published):
    result = resolve_date_phrase(phrase, published)
    if result is not None:
        day, precision = result
        assert isinstance(day, dt.date) and precision in DATE_PRECISIONS
        if precision == "month":
            assert day.day == 1
        if precision == "year":
            assert (day.month, day.day) == (1, 1)


def _not_iso(value: str) -> bool:
    try:
        dt.date.fromisoformat(value.strip()[:10])
    except ValueError:
        return True
    return False


@SETTINGS
@given(st.one_of(st.integers(), st.floats(), st.lists(st.integers(), max_size=2), st.text(max_size=12).filter(_not_iso)))
def test_a_bad_article_date_is_a_date_error(published):
    with pytest.raises(DateError):
        resolve_date_phrase("on Friday", published)


@SETTINGS
@given(st.dates(dt.date(1950, 1, 1), dt.date(2100, 12, 31)), st.sampled_from(range(7)),
       st.sampled_from(["on {}", "{}", "last {}", "on {} night", "early {}"]))
def test_a_weekday_resolves_to_that_weekday_near_the_article_date(published, weekday, pattern):
    phrase = pattern.format(calendar.day_name[weekday])
    result = resolve_date_phrase(phrase, published)
    assert result is not None, phrase
    day, precision = result
    assert precision == "day" and day.weekday() == weekday
    assert abs((day - published).days) <= 7, (phrase, published, day)


@SETTINGS
@given(st.dates(dt.date(1950, 1, 1), dt.date(2099, 12, 31)), article_dates,
       st.sampled_from(["{month} {day}, {year}", "{day} {month} {year}", "on {month} {day}, {year}", "{iso}"]))
def test_a_full_explicit_date_is_exact_whatever_the_article_date(day, published, pattern):
    phrase = pattern.format(month=calendar.month_name[day.month], day=day.day, year=day.year, iso=day.isoformat())
    assert resolve_date_phrase(phrase, published) == (day, "day")


def test_a_phrase_with_no_article_date_never_guesses_from_the_clock():
    """Relative phrases need the article date; without it they stay unresolved instead of using today."""
    for phrase in ("yesterday", "last week", "two days ago", "on Friday", "this month", "next year"):
        assert resolve_date_phrase(phrase, None) is None, phrase


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                 HealthCheck.function_scoped_fixture])
@given(st.lists(st.one_of(st.sampled_from(["Troops shelled Kyiv on Friday.", "The talks began on March 3, 2026.",
                                           "Two days ago a storm hit Quito.", "In 2026-13-45 nothing happened.",
                                           "Last week, 31/02/2026, rebels struck.", "Since the 1990s,"]),
                          st.text(max_size=40)), max_size=5).map(" ".join), article_dates)
def test_find_dates_spans_match_the_text(pipeline, text, published):
    doc = pipeline.nlp(text)
    for mention in find_dates(doc, published):
        assert text[mention.start:mention.end] == mention.text
        assert mention.precision in DATE_PRECISIONS
        assert mention.date is None or isinstance(mention.date, dt.date)
        if mention.date is None:
            assert mention.relative and published is None
