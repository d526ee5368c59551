"""Immutable value types passed between the pipeline stages.

Every type is a frozen dataclass with ``to_dict``/``from_dict`` (JSON-safe, dates as ISO strings) so stages,
the store, workers and exports exchange the same contract. Coordinates are always ``(lat, lon)`` here; only
:mod:`geo.export` turns them into GeoJSON's ``[lon, lat]``.

Examples
--------
>>> p = Place(geonameid=3657986, name="Esmeraldas", kind="admin1", lat=0.89, lon=-79.56, country_code="EC",
...           admin1_code="EC-E")
>>> p.__geo_interface__["coordinates"]
(-79.56, 0.89)
>>> Place.from_dict(p.to_dict()) == p
True
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
from dataclasses import dataclass, field
from typing import Any, Mapping

#: Kinds of place, from the broadest to the most precise.
PLACE_KINDS = ("continent", "region", "country", "admin1", "admin2", "city", "landmark")

#: Spatial precision of an event, broadest first. ``point`` is a landmark or exact location.
PRECISIONS = ("region", "country", "admin1", "admin2", "city", "point")

#: Precision of a date.
DATE_PRECISIONS = ("day", "week", "month", "year")


def _date_to_str(value: _dt.date | None) -> str | None:
    return value.isoformat() if value is not None else None


def _date_from_str(value: Any) -> _dt.date | None:
    if value is None or value == "":
        return None
    if isinstance(value, _dt.datetime):
        return value.date()
    if isinstance(value, _dt.date):
        return value
    return _dt.date.fromisoformat(str(value)[:10])


@dataclass(frozen=True)
class Span:
    """A character span of an article's text, end exclusive (``text == article.text[start:end]``)."""

    start: int
    end: int
    text: str
    label: str = ""

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> "Span":
        return cls(int(d["start"]), int(d["end"]), str(d.get("text", "")), str(d.get("label", "")))


@dataclass(frozen=True)
class Article:
    """A normalised news article.

    ``id`` is a stable hash of the content (see :func:`geo.articles.article_id`), so the same article read
    twice gets the same id. ``published`` is the publication date, ``None`` when unknown.
    """

    id: str
    title: str
    text: str
    published: _dt.date | None = None
    source: str | None = None
    url: str | None = None
    path: str | None = None
    metadata: Mapping[str, Any] = field(default_factory=dict, compare=False, hash=False)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "text": self.text,
            "published": _date_to_str(self.published),
            "source": self.source,
            "url": self.url,
            "path": self.path,
            "metadata": dict(self.metadata),
        }

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> "Article":
        return cls(
            id=str(d["id"]),
            title=str(d.get("title") or ""),
            text=str(d.get("text") or ""),
            published=_date_from_str(d.get("published")),
            source=d.get("source"),
            url=d.get("url"),
            path=d.get("path"),
            metadata=dict(d.get("metadata") or {}),
        )


@dataclass(frozen=True)
class Place:
    """A gazetteer entry.

    ``kind`` is one of :data:`PLACE_KINDS`. ``admin1_code`` is the ISO 3166-2 code where known (``EC-E``),
    ``country_code`` the ISO 3166-1 alpha-2 code. ``lat``/``lon`` are a representative point (for countries and
    provinces, derived from their populated places).
    """

    geonameid: int
    name: str
    kind: str
    lat: float
    lon: float
    country_code: str | None = None
    admin1_code: str | None = None
    population: int = 0
    feature_code: str | None = None
    admin1_name: str | None = None
    country_name: str | None = None

    @property
    def __geo_interface__(self) -> dict[str, Any]:
        return {"type": "Point", "coordinates": (self.lon, self.lat)}

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> "Place":
        names = {f.name for f in dataclasses.fields(cls)}
        kw = {k: v for k, v in d.items() if k in names}
        kw["geonameid"] = int(kw["geonameid"])
        kw["lat"] = float(kw["lat"])
        kw["lon"] = float(kw["lon"])
        kw["population"] = int(kw.get("population") or 0)
        return cls(**kw)


@dataclass(frozen=True)
class Candidate:
    """One ranked gazetteer candidate for a mention, with the reasons behind its score."""

    place: Place
    score: float
    reasons: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {"place": self.place.to_dict(), "score": self.score, "reasons": list(self.reasons)}

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> "Candidate":
        return cls(Place.from_dict(d["place"]), float(d["score"]), tuple(d.get("reasons") or ()))


@dataclass(frozen=True)
class Toponym:
    """A place mention: its span in the text, the chosen place (``None`` if unresolved) and runner-ups."""

    start: int
    end: int
    text: str
    place: Place | None = None
    score: float = 0.0
    alternatives: tuple[Candidate, ...] = ()
    reasons: tuple[str, ...] = ()

    @property
    def __geo_interface__(self) -> dict[str, Any] | None:
        return self.place.__geo_interface__ if self.place else None

    def to_dict(self) -> dict[str, Any]:
        return {
            "start": self.start,
            "end": self.end,
            "text": self.text,
            "place": self.place.to_dict() if self.place else None,
            "score": self.score,
            "alternatives": [c.to_dict() for c in self.alternatives],
            "reasons": list(self.reasons),
        }

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> "Toponym":
        return cls(
            start=int(d["start"]),
            end=int(d["end"]),
            text=str(d.get("text", "")),
            place=Place.from_dict(d["place"]) if d.get("place") else None,
            score=float(d.get("score") or 0.0),
            alternatives=tuple(Candidate.from_dict(c) for c in d.get("alternatives") or ()),
            reasons=tuple(d.get("reasons") or ()),
        )


@dataclass(frozen=True)
class DateMention:
    """A date phrase resolved against the article's publication date.

    ``date`` is the first day of the period the phrase names; ``precision`` is one of :data:`DATE_PRECISIONS`.
    ``date`` is ``None`` when the phrase cannot be resolved (for example a weekday with no article date).
    """

    start: int
    end: int
    text: str
    date: _dt.date | None
    precision: str = "day"
    relative: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {
            "start": self.start,
            "end": self.end,
            "text": self.text,
            "date": _date_to_str(self.date),
            "precision": self.precision,
            "relative": self.relative,
        }

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> "DateMention":
        return cls(
            int(d["start"]),
            int(d["end"]),
            str(d.get("text", "")),
            _date_from_str(d.get("date")),
            str(d.get("precision") or "day"),
            bool(d.get("relative", False)),
        )


@dataclass(frozen=True)
class Event:
    """Something that happened, when and where, with the evidence for each part.

    ``type`` is a taxonomy key (``airstrike``), ``family`` its ACLED-like family (``explosions_remote_violence``).
    ``precision`` is the spatial precision (:data:`PRECISIONS`) taken from the place. ``date_source`` says where
    the date came from: ``text`` (a date phrase), ``published`` (only the publication date) or ``none``.
    ``happened`` is False for negated, future or hypothetical mentions.
    """

    id: str
    article_id: str
    type: str
    family: str
    trigger: Span
    sentence: Span
    place: Place | None = None
    place_span: Span | None = None
    precision: str | None = None
    date: _dt.date | None = None
    date_precision: str | None = None
    date_span: Span | None = None
    date_source: str = "none"
    confidence: float = 0.0
    happened: bool = True
    actors: tuple[Span, ...] = ()
    alternatives: tuple[Candidate, ...] = ()
    reasons: tuple[str, ...] = ()
    cluster_id: str | None = None

    @property
    def __geo_interface__(self) -> dict[str, Any] | None:
        return self.place.__geo_interface__ if self.place else None

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "article_id": self.article_id,
            "type": self.type,
            "family": self.family,
            "trigger": self.trigger.to_dict(),
            "sentence": self.sentence.to_dict(),
            "place": self.place.to_dict() if self.place else None,
            "place_span": self.place_span.to_dict() if self.place_span else None,
            "precision": self.precision,
            "date": _date_to_str(self.date),
            "date_precision": self.date_precision,
            "date_span": self.date_span.to_dict() if self.date_span else None,
            "date_source": self.date_source,
            "confidence": self.confidence,
            "happened": self.happened,
            "actors": [a.to_dict() for a in self.actors],
            "alternatives": [c.to_dict() for c in self.alternatives],
            "reasons": list(self.reasons),
            "cluster_id": self.cluster_id,
        }

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> "Event":
        return cls(
            id=str(d["id"]),
            article_id=str(d["article_id"]),
            type=str(d["type"]),
            family=str(d["family"]),
            trigger=Span.from_dict(d["trigger"]),
            sentence=Span.from_dict(d["sentence"]),
            place=Place.from_dict(d["place"]) if d.get("place") else None,
            place_span=Span.from_dict(d["place_span"]) if d.get("place_span") else None,
            precision=d.get("precision"),
            date=_date_from_str(d.get("date")),
            date_precision=d.get("date_precision"),
            date_span=Span.from_dict(d["date_span"]) if d.get("date_span") else None,
            date_source=str(d.get("date_source") or "none"),
            confidence=float(d.get("confidence") or 0.0),
            happened=bool(d.get("happened", True)),
            actors=tuple(Span.from_dict(a) for a in d.get("actors") or ()),
            alternatives=tuple(Candidate.from_dict(c) for c in d.get("alternatives") or ()),
            reasons=tuple(d.get("reasons") or ()),
            cluster_id=d.get("cluster_id"),
        )


@dataclass(frozen=True)
class ParseResult:
    """Everything the pipeline found in one article."""

    article: Article
    toponyms: tuple[Toponym, ...] = ()
    dates: tuple[DateMention, ...] = ()
    events: tuple[Event, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "article": self.article.to_dict(),
            "toponyms": [t.to_dict() for t in self.toponyms],
            "dates": [d.to_dict() for d in self.dates],
            "events": [e.to_dict() for e in self.events],
        }

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> "ParseResult":
        return cls(
            Article.from_dict(d["article"]),
            tuple(Toponym.from_dict(t) for t in d.get("toponyms") or ()),
            tuple(DateMention.from_dict(x) for x in d.get("dates") or ()),
            tuple(Event.from_dict(e) for e in d.get("events") or ()),
        )
