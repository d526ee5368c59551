"""Date phrases resolved against the article date: a pinned table, weekday rules for every day of the week,
spans found in parsed text, and no guessing without an article date."""

from __future__ import annotations

import datetime as dt

import pytest

from geo.dates import find_dates, resolve_date_phrase
from geo.errors import DateError, InputError

D = dt.date
FRI = D(2026, 3, 6)  # the sample article's date, a Friday

# (phrase, article date, expected (date, precision) or None)
TABLE = [
    ("on Friday", FRI, (D(2026, 3, 6), "day")),
    ("Friday", FRI, (D(2026, 3, 6), "day")),
    ("Thursday", FRI, (D(2026, 3, 5), "day")),
    ("Saturday", FRI, (D(2026, 2, 28), "day")),
    ("last Friday", FRI, (D(2026, 2, 27), "day")),
    ("next Friday", FRI, (D(2026, 3, 13), "day")),
    ("Tuesday night", FRI, (D(2026, 3, 3), "day")),
    ("early Monday", FRI, (D(2026, 3, 2), "day")),
    ("on Wednesday morning", FRI, (D(2026, 3, 4), "day")),
    ("Fri.", FRI, (D(2026, 3, 6), "day")),
    ("yesterday", FRI, (D(2026, 3, 5), "day")),
    ("yesterday morning", FRI, (D(2026, 3, 5), "day")),
    ("last night", FRI, (D(2026, 3, 5), "day")),
    ("today", FRI, (D(2026, 3, 6), "day")),
    ("this morning", FRI, (D(2026, 3, 6), "day")),
    ("tonight", FRI, (D(2026, 3, 6), "day")),
    ("tomorrow", FRI, (D(2026, 3, 7), "day")),
    ("the day before yesterday", FRI, (D(2026, 3, 4), "day")),
    ("two days ago", FRI, (D(2026, 3, 4), "day")),
    ("3 days ago", FRI, (D(2026, 3, 3), "day")),
    ("a week ago", FRI, (D(2026, 2, 23), "week")),
    ("two weeks ago", FRI, (D(2026, 2, 16), "week")),
    ("a month ago", FRI, (D(2026, 2, 1), "month")),
    ("last week", FRI, (D(2026, 2, 23), "week")),
    ("this week", FRI, (D(2026, 3, 2), "week")),
    ("earlier this week", FRI, (D(2026, 3, 2), "week")),
    ("last weekend", FRI, (D(2026, 2, 28), "week")),
    ("last month", FRI, (D(2026, 2, 1), "month")),
    ("earlier this month", FRI, (D(2026, 3, 1), "month")),
    ("late last month", FRI, (D(2026, 2, 1), "month")),
    ("last year", FRI, (D(2025, 1, 1), "year")),
    ("this year", FRI, (D(2026, 1, 1), "year")),
    ("March 3", FRI, (D(2026, 3, 3), "day")),
    ("March 3, 2026", FRI, (D(2026, 3, 3), "day")),
    ("on March 3, 2026", None, (D(2026, 3, 3), "day")),
    ("3/3/2026", FRI, (D(2026, 3, 3), "day")),
    ("2026-03-03", None, (D(2026, 3, 3), "day")),
    ("Jan. 2", FRI, (D(2026, 1, 2), "day")),
    ("5 November 2025", FRI, (D(2025, 11, 5), "day")),
    ("Monday, March 2", FRI, (D(2026, 3, 2), "day")),
    ("December 28", D(2026, 1, 5), (D(2025, 12, 28), "day")),  # no year, half a year ahead: the year before
    ("in March", FRI, (D(2026, 3, 1), "month")),
    ("March 2025", None, (D(2025, 3, 1), "month")),
    ("early March", FRI, (D(2026, 3, 1), "month")),
    ("in 2019", None, (D(2019, 1, 1), "year")),
    ("2019", FRI, (D(2019, 1, 1), "year")),
    # names no date
    ("the 1990s", FRI, None),
    ("three years", FRI, None),
    ("recent months", FRI, None),
    ("decades", FRI, None),
    ("the past decade", FRI, None),
    ("Feb 30, 2026", FRI, None),
    # relative without an article date: unresolved, never the clock
    ("on Friday", None, None),
    ("yesterday", None, None),
    ("two days ago", None, None),
    ("last week", None, None),
    ("March 3", None, None),
]


@pytest.mark.parametrize(("phrase", "published", "expected"), TABLE, ids=[f"{p}@{d}" for p, d, _ in TABLE])
def test_date_phrase_table(phrase, published, expected):
    assert resolve_date_phrase(phrase, published) == expected


def test_table_is_large_enough():
    assert len(TABLE) >= 30


# A week of article dates, Monday 2026-03-02 .. Sunday 2026-03-08.
WEEK = [D(2026, 3, 2) + dt.timedelta(days=k) for k in range(7)]
NAMES = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]


@pytest.mark.parametrize("published", WEEK, ids=[d.strftime("%A") for d in WEEK])
@pytest.mark.parametrize("weekday", range(7), ids=NAMES)
def test_weekday_is_most_recent_up_to_and_including_the_article_date(published, weekday):
    day, precision = resolve_date_phrase(f"on {NAMES[weekday]}", published)
    assert precision == "day"
    assert day.weekday() == weekday
    assert 0 <= (published - day).days <= 6
    if weekday == published.weekday():
        assert day == published


@pytest.mark.parametrize("published", WEEK, ids=[d.strftime("%A") for d in WEEK])
@pytest.mark.parametrize("weekday", range(7), ids=NAMES)
def test_last_weekday_is_strictly_before_the_article_date(published, weekday):
    day, _ = resolve_date_phrase(f"last {NAMES[weekday]}", published)
    assert day.weekday() == weekday
    assert 1 <= (published - day).days <= 7


def test_datetime_and_iso_string_article_dates_are_accepted():
    assert resolve_date_phrase("yesterday", dt.datetime(2026, 3, 6, 23, 59)) == (D(2026, 3, 5), "day")
    assert resolve_date_phrase("yesterday", "2026-03-06") == (D(2026, 3, 5), "day")


def test_bad_inputs_raise_project_errors():
    with pytest.raises(DateError):
        resolve_date_phrase("Friday", "not a date")
    with pytest.raises(InputError):
        resolve_date_phrase(42, FRI)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def nlp(pipeline):
    return pipeline.nlp


def test_find_dates_spans_match_the_text(nlp):
    text = ("Rebels attacked the town on Tuesday night, two days after a bombing on 3/3/2026. "
            "The conflict has lasted three years.")
    doc = nlp(text)
    found = find_dates(doc, FRI)
    for m in found:
        assert text[m.start:m.end] == m.text
    by_text = {m.text: m for m in found}
    tuesday = next(m for m in found if m.text.startswith("Tuesday"))
    assert tuesday.text == "Tuesday night" and tuesday.date == D(2026, 3, 3) and tuesday.relative
    assert by_text["3/3/2026"].date == D(2026, 3, 3) and not by_text["3/3/2026"].relative
    assert not any("three years" in m.text for m in found)


def test_find_dates_without_article_date_keeps_relative_mentions_unresolved(nlp):
    doc = nlp("Police arrested two men on Friday in Quito.")
    (m,) = [m for m in find_dates(doc, None) if "Friday" in m.text]
    assert m.date is None and m.relative
