"""Date mentions: which day (or week, month, year) a phrase of an article names.

Candidates are spaCy ``DATE``/``TIME`` entities (a ``TIME`` right after a ``DATE`` is merged, so "Tuesday" +
"night" is one mention) plus numeric dates that spaCy tags as numbers (``3/3/2026``, ``2026-03-03``). Each
candidate is resolved on its own by :func:`resolve_date_phrase`: first by the rules below for relative phrases,
then by ``dateparser`` for explicit dates (never ``search_dates`` over a whole text, which finds dates in words
such as "may" or "second").

Rules (``base`` is the article's publication date):

- ``today``, ``tonight``, ``this morning``: ``base``; ``yesterday``, ``last night``: ``base - 1``;
  ``the day before yesterday``: ``base - 2``; ``tomorrow``: ``base + 1``.
- A weekday ("Friday", "on Tuesday night", "early Monday") names the most recent such day up to and *including*
  ``base``: news reports past events, and an article dated Friday that says "on Friday" means that day.
  ``last Friday`` is the most recent Friday strictly before ``base``; ``next Friday`` the first one after it.
- ``N days/weeks/months/years ago``: counted back from ``base``, at that unit's precision.
- ``last/this/next week|month|year`` (also with ``earlier``, ``early``, ``late``): the first day of that period,
  at week (weeks start on Monday), month or year precision; ``last weekend``/``this weekend``: its Saturday.
- Explicit dates go to ``dateparser`` (``RELATIVE_BASE`` = ``base``, ``PREFER_DATES_FROM='current_period'``,
  ``languages=['en']``); a day and month without a year that lands more than half a year after ``base`` is
  taken from the year before ("December 28" in an article of 5 January).
- Durations ("three years", "recent months", "decades") name no date and are dropped.

Without an article date, relative phrases stay unresolved (``date=None``): the clock is never used.

Examples
--------
>>> import datetime as dt
>>> resolve_date_phrase("on Friday", dt.date(2026, 3, 6))
(datetime.date(2026, 3, 6), 'day')
>>> resolve_date_phrase("two days ago", dt.date(2026, 3, 6))
(datetime.date(2026, 3, 4), 'day')
>>> resolve_date_phrase("last week", dt.date(2026, 3, 6))
(datetime.date(2026, 2, 23), 'week')
>>> resolve_date_phrase("Friday", None) is None
True
"""

from __future__ import annotations

import datetime as dt
import re
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from geo.errors import DateError, InputError
from geo.model import DateMention

if TYPE_CHECKING:  # pragma: no cover
    from spacy.tokens import Doc

__all__ = ["find_dates", "resolve_date_phrase", "is_relative_phrase", "as_date"]

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_WEEKDAY_ABBR = {"mon": 0, "tue": 1, "tues": 1, "wed": 2, "thu": 3, "thur": 3, "thurs": 3, "fri": 4, "sat": 5,
                 "sun": 6}
_NUMBERS = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "a couple of": 2, "couple of": 2, "a few": 3, "few": 3,
    "several": 3, "fifteen": 15, "twenty": 20, "thirty": 30,
}
_MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
           "november", "december")
_MONTH_RE = re.compile(
    r"\b(jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)(uary|ruary|ch|il|e|y|ust|tember|ober|ember)?\b\.?",
    re.I,
)
_YEAR_RE = re.compile(r"\b(1[89]\d\d|20\d\d)\b")
_NUMERIC_DATE_RE = re.compile(r"\b(\d{4}-\d{1,2}-\d{1,2}|\d{1,2}/\d{1,2}/\d{2,4}|\d{1,2}\.\d{1,2}\.\d{4})\b")

# Parts of day and fillers that do not change which day is meant.
_DAYPART = r"(?:morning|afternoon|evening|night|overnight|noon|midday|dawn|dusk)"
_FILLER_PREFIX = re.compile(
    r"^(?:on|at|by|since|from|until|till|in|during|of|the|early|late|earlier|later|around|about|before|after|"
    r"mid|until|as of)\s+", re.I)
_NUMBER_WORDS = "|".join(sorted((re.escape(k) for k in _NUMBERS), key=len, reverse=True))
_AGO_RE = re.compile(rf"^(\d+|{_NUMBER_WORDS})\s+(day|week|month|year)s?\s+(?:ago|earlier|before)$")
_PERIOD_RE = re.compile(r"^(?:(?:the\s+)?(?:early|late|earlier|later|mid|end of|start of|beginning of)\s+)?"
                        r"(last|this|next|past|previous|current|coming)\s+(week|month|year|weekend)$")
_WEEKDAY_RE = re.compile(
    r"^(?:(last|this|next|past|previous|coming)\s+)?(?:(early|late)\s+)?"
    r"(monday|tuesday|wednesday|thursday|friday|saturday|sunday|mon|tues?|wed|thu(?:rs?)?|fri|sat|sun)\.?"
    rf"(?:'s)?(?:\s+(?:{_DAYPART}|morning's|night's))?$"
)
_FIXED = {
    "today": 0, "tonight": 0, "this morning": 0, "this afternoon": 0, "this evening": 0, "earlier today": 0,
    "later today": 0, "today's": 0, "overnight": 0, "this week's": None,
    "yesterday": -1, "last night": -1, "yesterday's": -1, "the previous day": -1, "the day before": -1,
    "the day before yesterday": -2, "tomorrow": 1, "the day after tomorrow": 2, "tomorrow's": 1,
}
_DURATION_RE = re.compile(
    rf"^(?:the\s+)?(?:past|last|next|previous|recent|coming|first|\d+|{_NUMBER_WORDS}|many|some|)\s*"
    r"(?:\d+|a few|several|two|three|four|five|six|seven|eight|nine|ten)?\s*[- ]?"
    r"(?:day|week|month|year|decade|century|hour|minute)s?(?:-long|\s+long|\s+old)?$"
)


def as_date(value: Any, what: str = "published") -> dt.date | None:
    """Coerce a ``date``, ``datetime`` or ISO string to a ``date``; ``None`` stays ``None``.

    Raises
    ------
    DateError
        When the value is not a date.
    """
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip()[:10])
        except ValueError as exc:
            raise DateError(f"{what}: not an ISO date: {value!r}") from exc
    raise DateError(f"{what}: expected a date, got {type(value).__name__}")


def _normalise(text: str) -> str:
    s = text.strip().lower().replace("\u2019", "'").replace("\u2014", " ").replace("\u2013", " ")
    s = re.sub(r"[,;:!?()\"]+", " ", s)
    s = re.sub(r"\s+", " ", s).strip(" .")
    # Drop leading prepositions/articles/hedges repeatedly: "on early Friday" -> "friday".
    prev = None
    while prev != s:
        prev = s
        m = _FILLER_PREFIX.match(s)
        if m and not _PERIOD_RE.match(s) and s not in _FIXED:
            s = s[m.end():]
    return s


def _weekday_index(word: str) -> int:
    word = word.rstrip(".")
    if word in WEEKDAYS:
        return WEEKDAYS.index(word)
    return _WEEKDAY_ABBR[word]


def _monday(d: dt.date) -> dt.date:
    return d - dt.timedelta(days=d.weekday())


def _add_months(d: dt.date, months: int) -> dt.date:
    y, m = divmod(d.year * 12 + (d.month - 1) + months, 12)
    return dt.date(y, m + 1, 1)


def _relative(s: str, base: dt.date) -> tuple[dt.date, str] | None:
    """Rules for relative phrases; ``s`` is normalised."""
    if s in ("weekend", "the weekend"):
        s = "this weekend"
    if s in _FIXED:
        off = _FIXED[s]
        return (base + dt.timedelta(days=off), "day") if off is not None else (_monday(base), "week")
    m = re.match(rf"^(yesterday|today|tomorrow)(?:'s)?\s+{_DAYPART}$", s)
    if m:
        return base + dt.timedelta(days=_FIXED[m.group(1)]), "day"
    m = re.match(rf"^(?:this|last|late|early)\s+{_DAYPART}$", s)
    if m:
        # "last night" is the night before the article date; "this morning" is the article date.
        return (base - dt.timedelta(days=1) if s.startswith("last") else base), "day"
    m = _WEEKDAY_RE.match(s)
    if m:
        which, _, name = m.groups()
        target = _weekday_index(name)
        back = (base.weekday() - target) % 7
        if which in ("last", "past", "previous"):
            back = back or 7
            return base - dt.timedelta(days=back), "day"
        if which in ("next", "coming"):
            fwd = (target - base.weekday()) % 7 or 7
            return base + dt.timedelta(days=fwd), "day"
        return base - dt.timedelta(days=back), "day"
    m = _AGO_RE.match(s)
    if m:
        raw, unit = m.groups()
        n = int(raw) if raw.isdigit() else _NUMBERS[raw]
        if unit == "day":
            return base - dt.timedelta(days=n), "day"
        if unit == "week":
            return _monday(base - dt.timedelta(weeks=n)), "week"
        if unit == "month":
            return _add_months(base, -n), "month"
        return dt.date(base.year - n, 1, 1), "year"
    m = _PERIOD_RE.match(s)
    if m:
        which, unit = m.groups()
        step = {"last": -1, "past": -1, "previous": -1, "this": 0, "current": 0, "next": 1, "coming": 1}[which]
        if unit == "week":
            return _monday(base) + dt.timedelta(weeks=step), "week"
        if unit == "weekend":
            # The most recent Saturday up to the article date ("this weekend" on a Sunday is yesterday).
            sat = base - dt.timedelta(days=(base.weekday() - 5) % 7)
            if step > 0 or (step == 0 and base.weekday() < 5 and which == "coming"):
                sat += dt.timedelta(days=7)
            return sat, "week"
        if unit == "month":
            return _add_months(base, step), "month"
        return dt.date(base.year + step, 1, 1), "year"
    return None


def is_relative_phrase(text: str) -> bool:
    """True when the phrase needs an article date to be resolved ("Friday", "last week", "two days ago")."""
    return _relative(_normalise(text), dt.date(2000, 1, 3)) is not None




@lru_cache(maxsize=256)
def _parser_for(base: dt.date) -> Any:
    from dateparser.date import DateDataParser

    return DateDataParser(
        languages=["en"],
        settings={
            "RELATIVE_BASE": dt.datetime(base.year, base.month, base.day),
            "PREFER_DATES_FROM": "current_period",
            "RETURN_TIME_AS_PERIOD": False,
            "STRICT_PARSING": False,
        },
    )


def _explicit(s: str, base: dt.date | None) -> tuple[dt.date, str] | None:
    """Explicit dates via dateparser; only called on phrases with a month name, a year or a numeric date."""
    has_month = bool(_MONTH_RE.search(s))
    has_year = bool(_YEAR_RE.search(s))
    numeric = _NUMERIC_DATE_RE.search(s)
    if not (has_month or has_year or numeric):
        return None
    if re.search(r"\d0s\b|\bdecade|\bcentur", s):
        return None  # "the 1990s": a span of years, not a date
    if numeric:
        s = numeric.group(1)
    elif has_year and not has_month:
        y = int(_YEAR_RE.search(s).group(1))  # type: ignore[union-attr]
        if re.fullmatch(r"(?:the\s+)?(?:year\s+)?(?:of\s+)?(?:early|late|mid|end of|start of)?\s*\d{4}", s):
            return dt.date(y, 1, 1), "year"
        return None
    s = re.sub(r"^(?:mid|early|late|the end of|the start of|the beginning of|end of|start of)[- ]", "", s)
    anchor = base or dt.date(2000, 1, 1)
    try:
        data = _parser_for(anchor).get_date_data(s)
    except Exception:  # dateparser raises assorted errors on odd input; an unparsable phrase is just no date
        return None
    if data is None or data.date_obj is None:
        return None
    d = data.date_obj.date()
    period = data.period if data.period in ("day", "week", "month", "year") else "day"
    if period == "month":
        d = d.replace(day=1)
    elif period == "year":
        d = dt.date(d.year, 1, 1)
    if not has_year and not numeric:
        if base is None:
            return None  # "March 3" without a year needs the article's year
        if (d - base).days > 183:
            try:
                d = d.replace(year=d.year - 1)
            except ValueError:  # 29 February
                d = d.replace(year=d.year - 1, day=28)
    return d, period


def resolve_date_phrase(text: str, published: dt.date | dt.datetime | str | None) -> tuple[dt.date, str] | None:
    """Resolve one date phrase against the article date.

    Parameters
    ----------
    text:
        A short phrase such as ``"on Friday"``, ``"March 3, 2026"`` or ``"two days ago"``.
    published:
        The article's publication date; ``None`` leaves relative phrases unresolved.

    Returns
    -------
    ``(date, precision)`` with precision in ``day``/``week``/``month``/``year`` (``date`` is the first day of the
    period), or ``None`` when the phrase names no date or needs an article date that is missing.

    Raises
    ------
    InputError
        ``text`` is not a string.
    DateError
        ``published`` is not a date.
    """
    if not isinstance(text, str):
        raise InputError(f"date phrase must be a string, got {type(text).__name__}")
    base = as_date(published)
    return _resolve_cached(text, base)


@lru_cache(maxsize=8192)
def _resolve_cached(text: str, base: dt.date | None) -> tuple[dt.date, str] | None:
    s = _normalise(text)
    if not s or len(s) > 80:
        return None
    if base is not None:
        rel = _relative(s, base)
        if rel is not None:
            return rel
    elif is_relative_phrase(s):
        return None
    if _DURATION_RE.match(s):
        return None
    return _explicit(s, base)


def _candidates(doc: "Doc") -> list[tuple[int, int]]:
    """Character spans of date candidates: DATE (+ following TIME) entities and numeric dates."""
    spans: list[tuple[int, int]] = []
    ents = [e for e in doc.ents if e.label_ in ("DATE", "TIME")]
    i = 0
    while i < len(ents):
        start, end = ents[i].start_char, ents[i].end_char
        while i + 1 < len(ents) and ents[i + 1].start == ents[i].end and ents[i + 1].label_ == "TIME":
            i += 1
            end = ents[i].end_char
        spans.append((start, end))
        i += 1
    taken = [(s, e) for s, e in spans]
    for m in _NUMERIC_DATE_RE.finditer(doc.text):
        if not any(s < m.end() and m.start() < e for s, e in taken):
            spans.append((m.start(), m.end()))
    spans.sort()
    return spans


def find_dates(doc: "Doc", published: dt.date | dt.datetime | str | None) -> list[DateMention]:
    """Date mentions of a parsed article, resolved against its publication date.

    Relative mentions without an article date are kept with ``date=None`` so the caller can say a date was
    mentioned but could not be placed in time; phrases that name no date (durations) are dropped.
    """
    base = as_date(published)
    text = doc.text
    out: list[DateMention] = []
    for start, end in _candidates(doc):
        phrase = text[start:end]
        relative = is_relative_phrase(phrase)
        resolved = _resolve_cached(phrase, base)
        if resolved is None and not (relative and base is None):
            continue
        date, precision = resolved if resolved is not None else (None, "day")
        out.append(DateMention(start, end, phrase, date, precision, relative))
    return out
