"""Property-based tests of the GeoJSON writer and of the store -> GeoJSON path: every output is valid RFC 7946,
coordinates in range, one feature per event; bad coordinates raise ExportError, never anything else."""

from __future__ import annotations

import datetime as dt
import json
import math
import tempfile
from pathlib import Path

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from geo.errors import ExportError, GeoError
from geo.export import dumps_geojson, events_to_geojson
from geo.model import Article, Event, ParseResult, Place, Span
from geo.store import EVENT_COLUMNS, EventFilter, EventStore
from tests.helpers.geojson_check import check_rfc7946

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])

text = st.text(max_size=40)
valid_lat = st.floats(-90, 90, allow_nan=False)
valid_lon = st.floats(-180, 180, allow_nan=False)
any_float = st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.none())


def _row(i: int, lat: float | None, lon: float | None, words: str, day: dt.date | None) -> dict:
    return {
        "id": f"e{i}", "article_id": f"a{i}", "type": "airstrike", "family": "explosions_remote_violence",
        "date": day, "date_precision": "day" if day else None, "date_source": "text", "lat": lat, "lon": lon,
        "geonameid": 1 if lat is not None else None, "place_name": words, "place_kind": "city",
        "precision": "city", "country_code": "EC", "admin1_code": None, "confidence": 0.5, "happened": True,
        "cluster_id": None, "sentence": words, "trigger_text": words[:5], "place_text": words, "title": words,
        "published": day, "source": words, "url": "javascript:" + words,
    }


def _frame(rows: list[dict]) -> pd.DataFrame:
    df = pd.DataFrame(rows, columns=list(EVENT_COLUMNS))
    for col in ("lat", "lon"):
        df[col] = pd.to_numeric(df[col], errors="coerce").astype(float)
    return df


@SETTINGS
@given(st.lists(st.tuples(st.one_of(st.tuples(valid_lat, valid_lon), st.none()), text,
                          st.one_of(st.dates(), st.none())), max_size=12))
def test_valid_coordinates_always_give_valid_rfc7946(rows):
    df = _frame([_row(i, *(c if c else (None, None)), words, day) for i, (c, words, day) in enumerate(rows)])
    doc = events_to_geojson(df)
    assert check_rfc7946(doc) == []
    assert len(doc["features"]) == len(rows)  # nothing lost, placed or not
    for feature, (coords, words, _) in zip(doc["features"], rows):
        if coords is None:
            assert feature["geometry"] is None
        else:
            lon, lat = feature["geometry"]["coordinates"]
            assert math.isclose(lat, coords[0], abs_tol=1e-6) and math.isclose(lon, coords[1], abs_tol=1e-6)
        assert feature["properties"]["title"] == words
    assert json.loads(dumps_geojson(df)) == json.loads(json.dumps(doc))


@SETTINGS
@given(st.lists(st.tuples(any_float, any_float), min_size=1, max_size=6))
def test_any_coordinates_give_valid_output_or_export_error(pairs):
    df = _frame([_row(i, lat, lon, "x", None) for i, (lat, lon) in enumerate(pairs)])
    try:
        doc = events_to_geojson(df)
    except ExportError as exc:
        assert "event e" in str(exc)  # names the event
        return
    except Exception as exc:  # noqa: BLE001
        raise AssertionError(f"{type(exc).__name__} is not a project error: {exc}") from exc
    assert check_rfc7946(doc) == []


places = st.builds(Place, geonameid=st.integers(1, 10**8), name=text.filter(bool), kind=st.just("city"),
                   lat=valid_lat, lon=valid_lon, country_code=st.sampled_from(["EC", "UA", None]))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(text, st.one_of(places, st.none()), st.one_of(st.dates(), st.none())), min_size=1,
                max_size=8))
def test_store_then_geojson_keeps_every_event(items):
    """Articles with arbitrary text and places -> store -> query -> GeoJSON: every event once, valid output."""
    results = []
    for i, (words, place, day) in enumerate(items):
        body = f"Jets struck {words} today."
        article = Article(f"a{i}", words, body, published=day, source=words or None)
        event = Event(f"a{i}-e0", f"a{i}", "airstrike", "explosions_remote_violence", Span(5, 11, "struck"),
                      Span(0, len(body), body), place=place, date=day, confidence=0.7)
        results.append(ParseResult(article, (), (), (event,)))
    with tempfile.TemporaryDirectory() as tmp, EventStore(Path(tmp) / "e.sqlite") as store:
        store.save_results(results)
        df = store.query_events(EventFilter(happened_only=False))
        doc = events_to_geojson(df)
    assert check_rfc7946(doc) == []
    assert sorted(f["id"] for f in doc["features"]) == sorted(f"a{i}-e0" for i in range(len(items)))
    by_id = {f["id"]: f for f in doc["features"]}
    for i, (words, place, _) in enumerate(items):
        f = by_id[f"a{i}-e0"]
        assert f["properties"]["title"] == words
        if place is None:
            assert f["geometry"] is None
        else:
            assert math.isclose(f["geometry"]["coordinates"][1], place.lat, abs_tol=1e-6)


@settings(max_examples=80, deadline=None)
@given(keyword=text, place_text=st.one_of(st.none(), text), sources=st.lists(text, max_size=3),
       bbox=st.one_of(st.none(), st.tuples(valid_lon, valid_lat, valid_lon, valid_lat)))
def test_any_filter_text_is_a_query_not_syntax(tmp_path_factory, keyword, place_text, sources, bbox):
    """Search boxes take any text (FTS5 operators, quotes, NUL, LIKE wildcards) without an error."""
    path = _filter_store(tmp_path_factory)
    with EventStore(path, readonly=True) as store:
        try:
            df = store.query_events(EventFilter(keyword=keyword, place_text=place_text, sources=tuple(sources),
                                                bbox=bbox))
        except GeoError as exc:
            raise AssertionError(f"filter text raised {exc}") from exc
        assert set(df.columns) == set(EVENT_COLUMNS)


_FILTER_STORE: list[Path] = []


def _filter_store(factory) -> Path:
    if not _FILTER_STORE:
        path = factory.mktemp("filters") / "e.sqlite"
        body = 'Jets struck "Quito" AND NOT 100% of_the NEAR(x y) * ^col: today.'
        with EventStore(path) as store:
            store.save_results([ParseResult(Article("a", "t", body), (), (), (
                Event("a-e", "a", "airstrike", "f", Span(5, 11, "struck"), Span(0, len(body), body),
                      place=Place(1, "Quito", "city", -0.22, -78.5, "EC"), confidence=1.0),))])
        _FILTER_STORE.append(path)
    return _FILTER_STORE[0]
