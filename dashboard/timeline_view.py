"""The timeline: event counts per day, week or month, stacked by type, with a draggable span selection.

Pure builders: :func:`counts_frame` turns event rows into counts, :func:`timeline_chart` returns an Altair chart
whose interval parameter (:data:`SELECTION`) Streamlit reports back when the user drags across the bars, and
:func:`selection_range` turns that report into a date range.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Mapping, Sequence

import altair as alt
import numpy as np
import pandas as pd

#: Name of the interval selection parameter (the key in Streamlit's selection state).
SELECTION = "span"
#: Periods the timeline can bin by.
PERIODS = ("day", "week", "month")


def choose_period(start: dt.date | None, end: dt.date | None) -> str:
    """Day bins up to four months, week bins up to three years, month bins beyond."""
    if start is None or end is None:
        return "day"
    days = (end - start).days
    if days <= 120:
        return "day"
    if days <= 3 * 366:
        return "week"
    return "month"


def dense_range(
    dates: Sequence[dt.date], counts: Sequence[int] | None = None, *, k: float = 1.5, min_spread_days: int = 7
) -> tuple[dt.date, dt.date] | None:
    """The span where the dates are, ignoring far outliers (a 2009 story among 2026 news).

    Tukey's (inner) fences on the day numbers, weighted by ``counts``: dates more than ``k`` interquartile ranges (at
    least ``min_spread_days``) below the first or above the third quartile are outliers. Returns the first and
    last date inside the fences, or ``None`` without dates. Uniformly spread dates keep their whole range.
    """
    if len(dates) == 0:
        return None
    days = np.array([d.toordinal() for d in dates], dtype=np.int64)
    weights = np.ones(len(days), dtype=np.int64) if counts is None else np.asarray(counts, dtype=np.int64)
    order = np.argsort(days, kind="stable")
    days, weights = days[order], weights[order]
    cum = np.cumsum(weights)
    total = int(cum[-1])

    def quantile(q: float) -> int:
        return int(days[min(int(np.searchsorted(cum, q * total, side="left")), len(days) - 1)])

    q1, q3 = quantile(0.25), quantile(0.75)
    spread = max(q3 - q1, min_spread_days)
    inside = days[(days >= q1 - k * spread) & (days <= q3 + k * spread)]
    return dt.date.fromordinal(int(inside.min())), dt.date.fromordinal(int(inside.max()))


def period_start(dates: pd.Series, period: str) -> pd.Series:
    """First day of the day/week (Monday)/month containing each date."""
    d = pd.to_datetime(dates, errors="coerce")
    if period == "week":
        return (d - pd.to_timedelta(d.dt.weekday, unit="D")).dt.normalize()
    if period == "month":
        return d.dt.to_period("M").dt.to_timestamp()
    return d.dt.normalize()


def period_end(start: dt.date, period: str) -> dt.date:
    """Last day of the period that begins on ``start``."""
    if period == "week":
        return start + dt.timedelta(days=6)
    if period == "month":
        nxt = (start.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
        return nxt - dt.timedelta(days=1)
    return start


def counts_frame(df: pd.DataFrame, period: str = "day", by: str = "type") -> pd.DataFrame:
    """Counts of dated events per period and ``by`` value: columns ``period`` (datetime64), ``by``, ``n``."""
    if period not in PERIODS:
        raise ValueError(f"unknown period {period!r}; use one of {', '.join(PERIODS)}")
    if df.empty or "date" not in df.columns:
        return pd.DataFrame({"period": pd.Series([], dtype="datetime64[ns]"), by: pd.Series([], dtype=object),
                             "n": pd.Series([], dtype="int64")})
    dated = df[df["date"].notna()]
    frame = pd.DataFrame({"period": period_start(dated["date"], period), by: dated[by].astype(str).to_numpy()})
    out = frame.groupby(["period", by], sort=True).size().reset_index(name="n")
    return out


def timeline_chart(
    counts: pd.DataFrame,
    *,
    period: str = "day",
    by: str = "type",
    colors: Mapping[str, str] | None = None,
    selected: tuple[dt.date, dt.date] | None = None,
    domain: tuple[dt.date, dt.date] | None = None,
    height: int = 190,
) -> alt.Chart:
    """Stacked bars of ``counts`` with an x-interval selection named :data:`SELECTION`.

    ``selected`` (the active date filter) is drawn as a shaded band so the user sees what the map shows;
    ``domain`` fixes the time axis (bars outside it are left out, so outliers do not squash the dense part).
    """
    kinds = sorted(counts[by].unique().tolist()) if len(counts) else []
    scale = (
        alt.Scale(domain=kinds, range=[colors.get(t, "#888888") for t in kinds])
        if colors and kinds
        else alt.Undefined
    )
    brush = alt.selection_interval(name=SELECTION, encodings=["x"])
    fmt = {"day": "%Y-%m-%d", "week": "week of %Y-%m-%d", "month": "%B %Y"}[period]
    x_scale: Any = alt.Undefined
    if domain is not None:
        lo = period_start(pd.Series([domain[0]]), period).iloc[0]
        hi = pd.Timestamp(period_end(domain[1], period)) + pd.Timedelta(days=1)
        counts = counts[(counts["period"] >= lo) & (counts["period"] < hi)] if len(counts) else counts
        x_scale = alt.Scale(domain=[lo.isoformat(), hi.isoformat()])
    counts = counts.assign(period_end=_next_period(counts["period"], period)) if len(counts) else \
        counts.assign(period_end=counts["period"])
    bars = (
        alt.Chart(counts)
        .mark_bar()
        .encode(
            # each bar spans its whole day / week / month, so bars stay visible on long ranges
            x=alt.X("period:T", title=None, scale=x_scale),
            x2=alt.X2("period_end:T"),
            y=alt.Y("sum(n):Q", title=f"events per {period}"),
            color=alt.Color(f"{by}:N", scale=scale, legend=alt.Legend(orient="right", title=None,
                                                                  labelExpr="replace(datum.label, /_/g, ' ')")),
            tooltip=[alt.Tooltip("period:T", title=period, format=fmt), alt.Tooltip(f"{by}:N"),
                     alt.Tooltip("n:Q", title="events")],
        )
        .add_params(brush)
    )
    layers: list[alt.Chart] = [bars]
    if selected is not None:
        band = pd.DataFrame({"start": [pd.Timestamp(selected[0])],
                             "end": [pd.Timestamp(selected[1]) + pd.Timedelta(days=1)]})
        layers.insert(0, alt.Chart(band).mark_rect(opacity=0.12, color="#1f77b4").encode(x="start:T", x2="end:T"))
    chart = alt.layer(*layers) if len(layers) > 1 else bars
    return chart.properties(height=height)


def _next_period(starts: pd.Series, period: str) -> pd.Series:
    """The first day after each period (bar ends), minus a sliver so neighbouring bars stay apart."""
    s = pd.to_datetime(starts)
    if period == "month":
        nxt = s + pd.offsets.MonthBegin(1)
    elif period == "week":
        nxt = s + pd.Timedelta(days=7)
    else:
        nxt = s + pd.Timedelta(days=1)
    return nxt - (nxt - s) * 0.12


def _to_date(value: Any) -> dt.date | None:
    if value is None:
        return None
    if isinstance(value, (int, float)):
        return pd.Timestamp(value, unit="ms").date()
    try:
        return pd.Timestamp(value).date()
    except (ValueError, TypeError):
        return None


def selection_range(state: Any, period: str = "day") -> tuple[dt.date, dt.date] | None:
    """The date range a user dragged on the timeline, from Streamlit's chart selection state.

    Accepts the object returned by ``st.altair_chart(on_select=...)`` (or its ``selection`` mapping); returns
    ``None`` when nothing is selected. The range is widened to whole periods.
    """
    if state is None:
        return None
    selection = state.get("selection", state) if isinstance(state, Mapping) else getattr(state, "selection", None)
    if not selection:
        return None
    span = selection.get(SELECTION) if isinstance(selection, Mapping) else None
    if not span:
        return None
    values = None
    for key, val in span.items():
        if "period" in str(key) and val:
            values = val
            break
    if not values or len(values) < 2:
        return None
    lo, hi = _to_date(min(values)), _to_date(max(values))
    if lo is None or hi is None:
        return None
    lo_start = period_start(pd.Series([lo]), period).iloc[0].date()
    hi_start = period_start(pd.Series([hi]), period).iloc[0].date()
    return lo_start, period_end(hi_start, period)


def play_frames(start: dt.date, end: dt.date, period: str) -> list[tuple[dt.date, dt.date]]:
    """The consecutive windows a "play" animation steps through, one period each, covering start..end."""
    frames: list[tuple[dt.date, dt.date]] = []
    cur = period_start(pd.Series([start]), period).iloc[0].date()
    while cur <= end and len(frames) < 10_000:
        stop = period_end(cur, period)
        frames.append((max(cur, start), min(stop, end)))
        cur = stop + dt.timedelta(days=1)
    return frames
