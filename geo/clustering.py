"""The same incident reported by several articles: cluster events by family, date window and distance.

Two happened events are *linked* when they belong to the same family (an airstrike and a strike are one
incident told in different words), come from different articles, their dates are at most ``window_days`` apart
and their places at most ``max_km`` apart (great-circle distance between the representative points; the same
gazetteer place counts as 0 km). Clusters are the connected components of these links; a cluster's id is derived
from its earliest member, so re-running over the same events gives the same ids. Events without a date or a
place, and events that did not happen, stay alone.

Defaults: ``window_days=2`` because outlets date one incident differently by a day or so (time zones, "late
Friday" vs "Saturday", the publication date used when the text gives none); ``max_km=100`` because a
province-level report and a city-level report of the same incident are typically tens of kilometres apart (the
sample's Esmeraldas province point lies about 30 km from Esmeraldas city), while separate incidents in one
country are usually further apart than that.

:func:`cluster_disagreements` lists, per cluster, where the sources disagree on the date or the place, so the
dashboard can show "sources differ: 2026-03-05 (1 source) vs 2026-03-06 (2 sources)".

Examples
--------
>>> cluster_events([], window_days=2, max_km=100)
{}
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
from dataclasses import dataclass
from typing import Any, Iterable, Mapping, Sequence

from geo.errors import InputError
from geo.model import Event

__all__ = ["cluster_events", "cluster_disagreements", "Disagreement", "DEFAULT_WINDOW_DAYS", "DEFAULT_MAX_KM",
           "haversine_km"]

DEFAULT_WINDOW_DAYS = 2
DEFAULT_MAX_KM = 100.0


@dataclass(frozen=True)
class _Item:
    id: str
    article_id: str
    family: str
    date: dt.date
    lat: float
    lon: float
    geonameid: int | None
    place_name: str | None


@dataclass(frozen=True)
class Disagreement:
    """Sources of one cluster that disagree on ``field`` (``date`` or ``place``): value -> event ids."""

    cluster_id: str
    field: str
    values: Mapping[str, tuple[str, ...]]


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in kilometres."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0088 * math.asin(min(1.0, math.sqrt(a)))


def _as_date(v: Any) -> dt.date | None:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return None
    if isinstance(v, dt.datetime):
        return v.date()
    if isinstance(v, dt.date):
        return v
    if hasattr(v, "to_pydatetime"):  # pandas Timestamp
        try:
            return v.to_pydatetime().date()
        except ValueError:
            return None
    try:
        return dt.date.fromisoformat(str(v)[:10])
    except ValueError:
        return None


def _is_missing(v: Any) -> bool:
    return v is None or (isinstance(v, float) and math.isnan(v))


def _rows(events: Any) -> Iterable[Mapping[str, Any]]:
    """Uniform dict rows from Events or a DataFrame (``query_events`` columns)."""
    if hasattr(events, "to_dict") and hasattr(events, "columns"):
        need = {"id", "family", "date", "lat", "lon"}
        missing = need - set(events.columns)
        if missing:
            raise InputError(f"events table lacks columns: {', '.join(sorted(missing))}")
        yield from events.to_dict("records")
        return
    for e in events:
        if not isinstance(e, Event):
            raise InputError(f"expected geo.model.Event or a DataFrame, got {type(e).__name__}")
        yield {
            "id": e.id, "article_id": e.article_id, "family": e.family, "date": e.date, "happened": e.happened,
            "lat": e.place.lat if e.place else None, "lon": e.place.lon if e.place else None,
            "geonameid": e.place.geonameid if e.place else None, "place_name": e.place.name if e.place else None,
        }


def _items(events: Any) -> tuple[list[_Item], list[str]]:
    items: list[_Item] = []
    loners: list[str] = []
    for r in _rows(events):
        d = _as_date(r.get("date"))
        happened = r.get("happened", True)
        lat, lon = r.get("lat"), r.get("lon")
        if d is None or _is_missing(lat) or _is_missing(lon) or not bool(happened):
            loners.append(str(r["id"]))
            continue
        g = r.get("geonameid")
        items.append(_Item(str(r["id"]), str(r.get("article_id") or r["id"]), str(r["family"]), d, float(lat),
                           float(lon), None if _is_missing(g) else int(g), r.get("place_name")))
    return items, loners


def _cluster_id(member_ids: Sequence[str], first: _Item) -> str:
    seed = f"{first.date.isoformat()}:{min(member_ids)}"
    return "c" + hashlib.sha1(seed.encode()).hexdigest()[:15]


def cluster_events(events: Sequence[Event] | Any, *, window_days: int = DEFAULT_WINDOW_DAYS,
                   max_km: float = DEFAULT_MAX_KM) -> dict[str, str]:
    """Map every event id to a cluster id (singletons get their own cluster).

    Parameters
    ----------
    events:
        :class:`~geo.model.Event` objects, or a DataFrame with the columns of ``EventStore.query_events``
        (``id``, ``family``, ``date``, ``lat``, ``lon``; ``article_id``, ``happened``, ``geonameid`` used when
        present).
    window_days:
        Largest date difference, in days, between two reports of one incident.
    max_km:
        Largest distance between their places.
    """
    if window_days < 0 or max_km < 0:
        raise InputError("window_days and max_km must be >= 0")
    items, loners = _items(events)
    items.sort(key=lambda it: (it.date, it.id))
    parent = list(range(len(items)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    window = dt.timedelta(days=window_days)
    for i, a in enumerate(items):
        for j in range(i + 1, len(items)):
            b = items[j]
            if b.date - a.date > window:
                break
            if a.family != b.family or a.article_id == b.article_id:
                continue
            same_place = a.geonameid is not None and a.geonameid == b.geonameid
            if same_place or haversine_km(a.lat, a.lon, b.lat, b.lon) <= max_km:
                ra, rb = find(i), find(j)
                if ra != rb:
                    parent[max(ra, rb)] = min(ra, rb)
    groups: dict[int, list[int]] = {}
    for i in range(len(items)):
        groups.setdefault(find(i), []).append(i)
    out: dict[str, str] = {}
    for members in groups.values():
        ids = [items[m].id for m in members]
        cid = _cluster_id(ids, items[members[0]])
        for m in members:
            out[items[m].id] = cid
    for eid in loners:
        out[eid] = "c" + hashlib.sha1(f"single:{eid}".encode()).hexdigest()[:15]
    return out


def cluster_disagreements(events: Sequence[Event] | Any, clusters: Mapping[str, str]) -> list[Disagreement]:
    """Where the members of each multi-event cluster disagree on the date or the place."""
    by_cluster: dict[str, list[Mapping[str, Any]]] = {}
    for r in _rows(events):
        cid = clusters.get(str(r["id"]))
        if cid is not None:
            by_cluster.setdefault(cid, []).append(r)
    out: list[Disagreement] = []
    for cid, rows in sorted(by_cluster.items()):
        if len(rows) < 2:
            continue
        for field, key in (("date", lambda r: _as_date(r.get("date"))),
                           ("place", lambda r: r.get("place_name") or r.get("geonameid"))):
            values: dict[str, list[str]] = {}
            for r in rows:
                v = key(r)
                if v is None or (isinstance(v, float) and math.isnan(v)):
                    continue
                label = v.isoformat() if isinstance(v, dt.date) else str(v)
                values.setdefault(label, []).append(str(r["id"]))
            if len(values) > 1:
                out.append(Disagreement(cid, field, {k: tuple(v) for k, v in sorted(values.items())}))
    return out
