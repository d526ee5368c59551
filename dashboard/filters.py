"""Filter state and its mirror in the URL query string, so a copied link reopens the same view.

Pure functions: :func:`to_params` writes a :class:`FilterState` as short query parameters (defaults omitted),
:func:`from_params` reads them back leniently (a malformed value is dropped and reported, never fatal: links are
user input), :func:`to_event_filter` turns the state into the store's ``EventFilter``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Mapping

if TYPE_CHECKING:  # pragma: no cover
    from geo.store import EventFilter

#: Query parameter names (short, stable: they appear in shared links).
PARAMS = {
    "start": "from",
    "end": "to",
    "types": "type",
    "countries": "country",
    "admin1": "admin1",
    "place_text": "place",
    "keyword": "q",
    "min_confidence": "conf",
    "precisions": "precision",
    "sources": "source",
}
#: Other view parameters kept in the URL: selected event, density view, all dates.
EVENT_PARAM = "event"
HEAT_PARAM = "heat"
#: ``dates=all``: every date was chosen on purpose (the default is the dense part of the dates).
DATES_PARAM = "dates"

_LISTS = ("types", "countries", "admin1", "precisions", "sources")
_MAX_TEXT = 200


@dataclass(frozen=True)
class FilterState:
    """Everything the sidebar filters choose. Empty tuples and ``None`` mean "any"."""

    start: dt.date | None = None
    end: dt.date | None = None
    types: tuple[str, ...] = ()
    countries: tuple[str, ...] = ()
    admin1: tuple[str, ...] = ()
    place_text: str | None = None
    keyword: str | None = None
    min_confidence: float = 0.0
    precisions: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()

    def replace(self, **changes: Any) -> "FilterState":
        """A copy with some fields changed."""
        return dataclasses.replace(self, **changes)


def _split(value: str | list[str]) -> tuple[str, ...]:
    items = value if isinstance(value, list) else [value]
    out: list[str] = []
    for item in items:
        out.extend(p.strip() for p in str(item).split(",") if p.strip())
    return tuple(dict.fromkeys(out))


def _first(value: str | list[str]) -> str:
    if isinstance(value, list):
        return str(value[-1]) if value else ""
    return str(value)


def to_params(state: FilterState) -> dict[str, str]:
    """Query parameters for ``state``; fields at their default are left out so links stay short.

    >>> to_params(FilterState(start=dt.date(2026, 3, 1), types=("airstrike", "protest")))
    {'from': '2026-03-01', 'type': 'airstrike,protest'}
    """
    out: dict[str, str] = {}
    for field, name in PARAMS.items():
        value = getattr(state, field)
        if field in _LISTS:
            if value:
                out[name] = ",".join(value)
        elif field in ("start", "end"):
            if value is not None:
                out[name] = value.isoformat()
        elif field == "min_confidence":
            if value and value > 0:
                out[name] = f"{value:g}"
        elif value:
            out[name] = str(value)
    return out


def from_params(params: Mapping[str, str | list[str]]) -> tuple[FilterState, list[str]]:
    """Read a :class:`FilterState` from query parameters; returns it with a list of problems found.

    >>> from_params({"from": "2026-03-01", "conf": "abc"})
    (FilterState(start=datetime.date(2026, 3, 1), end=None, types=(), countries=(), admin1=(), place_text=None, keyword=None, min_confidence=0.0, precisions=(), sources=()), ["ignored conf='abc': not a number between 0 and 1"])
    """
    values: dict[str, Any] = {}
    problems: list[str] = []
    for field, name in PARAMS.items():
        if name not in params:
            continue
        raw = params[name]
        if field in _LISTS:
            values[field] = _split(raw)
        elif field in ("start", "end"):
            text = _first(raw)
            try:
                values[field] = dt.date.fromisoformat(text[:10])
            except ValueError:
                problems.append(f"ignored {name}={text!r}: not a date (YYYY-MM-DD)")
        elif field == "min_confidence":
            text = _first(raw)
            try:
                conf = float(text)
                if not 0.0 <= conf <= 1.0:
                    raise ValueError
                values[field] = conf
            except ValueError:
                problems.append(f"ignored {name}={text!r}: not a number between 0 and 1")
        else:
            text = _first(raw).strip()[:_MAX_TEXT]
            values[field] = text or None
    state = FilterState(**values)
    if state.start and state.end and state.start > state.end:
        problems.append(f"swapped from/to: {state.start} is after {state.end}")
        state = state.replace(start=state.end, end=state.start)
    return state, problems


def to_event_filter(state: FilterState, **overrides: Any) -> "EventFilter":
    """The store query for ``state`` (``overrides`` set extra ``EventFilter`` fields such as ``bbox``)."""
    from geo.store import EventFilter

    fields = {f.name: getattr(state, f.name) for f in dataclasses.fields(FilterState)}
    fields.update(overrides)
    return EventFilter(**fields)


def without_dates(state: FilterState) -> FilterState:
    """The same filters over all dates (what the timeline shows, so the user can pick another span)."""
    return state.replace(start=None, end=None)
