"""Acceptance: the sample article through the real pipeline yields exactly one happened event, the US strike in
Esmeraldas province on Friday 2026-03-06, with consistent evidence spans."""

from __future__ import annotations

import datetime as dt
import re

from geo.clustering import haversine_km


def _happened(result):
    return [e for e in result.events if e.happened]


def test_exactly_one_happened_event(sample_result):
    assert len(_happened(sample_result)) == 1


def test_event_type_date_and_place(sample_result):
    (event,) = _happened(sample_result)
    assert event.type == "strike"
    assert event.family == "explosions_remote_violence"
    assert event.date == dt.date(2026, 3, 6)
    assert event.date_precision == "day" and event.date_source == "text"
    assert event.place is not None
    assert event.place.geonameid == 3657986
    assert event.place.kind == "admin1" and event.place.admin1_code == "EC-E"
    assert haversine_km(event.place.lat, event.place.lon, 0.9, -79.6) < 50
    assert event.precision == "admin1"
    assert 0.0 <= event.confidence <= 1.0


def test_actors_include_the_us_military(sample_result):
    (event,) = _happened(sample_result)
    texts = [a.text for a in event.actors]
    assert any(re.search(r"\b(U\.?S\.?|United States)\b.*\bmilitary\b", t, re.I) for t in texts), texts


def test_evidence_spans_are_consistent_with_the_text(sample_result):
    text = sample_result.article.text
    (event,) = _happened(sample_result)
    spans = [event.sentence, event.trigger, event.place_span, event.date_span, *event.actors]
    for span in spans:
        assert span is not None
        assert text[span.start:span.end] == span.text
    assert event.sentence.start <= event.trigger.start < event.trigger.end <= event.sentence.end
    assert "strike" in event.trigger.text.lower()
    assert event.date_span.text == "Friday"
    assert "Esmeraldas" in event.place_span.text
    assert event.reasons and any("place" in r for r in event.reasons) and any("date" in r for r in event.reasons)


def test_other_places_are_mentions_only(sample_result):
    (event,) = _happened(sample_result)
    mentioned = {t.place.name for t in sample_result.toponyms if t.place is not None}
    assert {"Mexico", "Colombia", "Peru"} <= mentioned
    event_places = {e.place.name for e in _happened(sample_result) if e.place}
    assert event_places == {event.place.name}


def test_event_round_trips_through_dict(sample_result):
    from geo.model import Event

    (event,) = _happened(sample_result)
    assert Event.from_dict(event.to_dict()) == event
