"""The SQLite store: schema, idempotent writes, queries, WAL, read-only access."""

from __future__ import annotations

import datetime as dt
import sqlite3

import pytest

from geo.errors import GeoError, StoreError
from geo.model import Article, DateMention, Event, ParseResult, Place, Span, Toponym
from geo.store import SCHEMA_VERSION, EventFilter, EventStore

ESMERALDAS = Place(3657986, "Esmeraldas", "admin1", 0.89, -79.56, "EC", "EC-E", 500_000)
KYIV = Place(703448, "Kyiv", "city", 50.45, 30.52, "UA", "UA-30", 2_800_000)


def _result(article_id: str, text: str, place: Place, date: dt.date | None, etype: str = "airstrike",
            family: str = "explosions_remote_violence", confidence: float = 0.9, source: str = "wire",
            happened: bool = True) -> ParseResult:
    i = text.index(place.name)
    place_span = Span(i, i + len(place.name), place.name)
    trig = text.split()[1]
    t0 = text.index(trig)
    article = Article(article_id, f"Title {article_id}", text, published=date, source=source)
    event = Event(
        id=f"{article_id}-e0", article_id=article_id, type=etype, family=family,
        trigger=Span(t0, t0 + len(trig), trig), sentence=Span(0, len(text), text), place=place,
        place_span=place_span, precision="admin1" if place.kind == "admin1" else "city", date=date,
        date_precision="day" if date else None, date_source="text" if date else "none", confidence=confidence,
        happened=happened,
    )
    toponym = Toponym(place_span.start, place_span.end, place.name, place, 0.8)
    dates = (DateMention(0, 3, "Fri", date, "day", True),) if date else ()
    return ParseResult(article, (toponym,), dates, (event,))


@pytest.fixture()
def store(store_path):
    with EventStore(store_path) as s:
        s.save_results([
            _result("a1", "Jets struck Esmeraldas overnight.", ESMERALDAS, dt.date(2026, 3, 6)),
            _result("a2", "Protesters marched in Kyiv about bread prices.", KYIV, dt.date(2026, 3, 1),
                    etype="protest", family="protests", confidence=0.4, source="local"),
            _result("a3", "Officials warned Kyiv may strike back.", KYIV, None, happened=False),
        ])
        yield s


def test_schema_is_versioned_and_wal(store, store_path):
    assert store.schema_version == SCHEMA_VERSION
    conn = sqlite3.connect(store_path)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION


def test_saving_twice_stores_once(store):
    before = store.stats()
    store.save_results([_result("a1", "Jets struck Esmeraldas overnight.", ESMERALDAS, dt.date(2026, 3, 6))])
    assert store.stats() == before
    assert before["articles"] == 3 and before["events"] == 3


def test_round_trip_of_article_and_evidence(store):
    article = store.get_article("a1")
    assert article is not None and article.published == dt.date(2026, 3, 6) and article.source == "wire"
    (event,) = store.article_events("a1")
    assert event.place == ESMERALDAS
    assert article.text[event.trigger.start:event.trigger.end] == event.trigger.text == "struck"
    (top,) = store.article_toponyms("a1")
    assert article.text[top.start:top.end] == "Esmeraldas"
    assert store.article_dates("a1")[0].date == dt.date(2026, 3, 6)
    assert store.get_event("a1-e0") == event
    assert store.get_event("missing") is None and store.get_article("missing") is None


def test_filters(store):
    assert set(store.query_events()["id"]) == {"a1-e0", "a2-e0"}  # the not-happened one is left out
    assert set(store.query_events(EventFilter(happened_only=False))["id"]) == {"a1-e0", "a2-e0", "a3-e0"}
    assert list(store.query_events(EventFilter(start=dt.date(2026, 3, 5)))["id"]) == ["a1-e0"]
    assert list(store.query_events(EventFilter(end=dt.date(2026, 3, 5)))["id"]) == ["a2-e0"]
    assert list(store.query_events(EventFilter(types=("protest",)))["id"]) == ["a2-e0"]
    assert list(store.query_events(EventFilter(countries=("EC",)))["id"]) == ["a1-e0"]
    assert list(store.query_events(EventFilter(admin1=("EC-E",)))["id"]) == ["a1-e0"]
    assert list(store.query_events(EventFilter(min_confidence=0.5))["id"]) == ["a1-e0"]
    assert list(store.query_events(EventFilter(sources=("local",)))["id"]) == ["a2-e0"]
    assert list(store.query_events(EventFilter(place_text="esmer"))["id"]) == ["a1-e0"]
    assert list(store.query_events(EventFilter(keyword="bread"))["id"]) == ["a2-e0"]
    assert list(store.query_events(EventFilter(bbox=(-80, 0, -79, 1)))["id"]) == ["a1-e0"]
    assert store.count_events(EventFilter(precisions=("city",))) == 1


def test_keyword_with_fts_syntax_is_plain_text(store):
    for hostile in ['"', 'AND OR NOT', 'bread*', 'x" OR "1', "NEAR(", "'; DROP TABLE events; --"]:
        store.query_events(EventFilter(keyword=hostile))  # must not raise
    assert store.stats()["events"] == 3


def test_dataframe_columns_and_types(store):
    df = store.query_events()
    row = df[df["id"] == "a1-e0"].iloc[0]
    assert row["date"] == dt.date(2026, 3, 6)
    assert row["geonameid"] == 3657986 and row["place_kind"] == "admin1"
    assert row["lat"] == pytest.approx(0.89) and row["lon"] == pytest.approx(-79.56)
    assert row["title"] == "Title a1" and row["sentence"].startswith("Jets")


def test_counts_by_period_and_facets(store):
    days = store.counts_by_period(None, "day")
    assert list(days["n"]) == [1, 1]
    months = store.counts_by_period(None, "month")
    assert set(months["period"]) == {dt.date(2026, 3, 1)}
    weeks = store.counts_by_period(None, "week")
    assert all(p.weekday() == 0 for p in weeks["period"])
    facets = store.facets()
    assert facets["date_min"] == dt.date(2026, 3, 1) and facets["date_max"] == dt.date(2026, 3, 6)
    assert set(facets["countries"]) == {"EC", "UA"}
    with pytest.raises(StoreError):
        store.counts_by_period(None, "fortnight")


def test_clusters_and_quality(store):
    store.set_clusters({"a1-e0": "c1", "a2-e0": "c1"})
    assert set(store.cluster_members("c1")["id"]) == {"a1-e0", "a2-e0"}
    assert store.get_event("a1-e0").cluster_id == "c1"
    q = store.quality()
    assert q["total"] == 2 and q["low_confidence"] == 1 and q["undated"] == 0


def test_known_ids_and_versions(store):
    assert store.known_article_ids(["a1", "zz"]) == {"a1"}
    assert store.known_article_ids(["a1"], pipeline_version="0") == set()


def test_readonly_store(store_path, store):
    with EventStore(store_path, readonly=True) as ro:
        assert ro.stats()["articles"] == 3
        with pytest.raises(StoreError):
            ro.save_results([_result("a9", "Jets struck Esmeraldas.", ESMERALDAS, None)])


def test_not_a_database_is_a_clear_error(tmp_path):
    bad = tmp_path / "junk.sqlite"
    bad.write_bytes(b"this is not sqlite at all" * 100)
    with pytest.raises(GeoError, match="junk.sqlite"):
        EventStore(bad)
    with pytest.raises(StoreError, match="no event store"):
        EventStore(tmp_path / "absent.sqlite", readonly=True)


def test_newer_schema_is_refused(store_path):
    EventStore(store_path).close()
    conn = sqlite3.connect(store_path)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.close()
    with pytest.raises(StoreError, match="newer"):
        EventStore(store_path)


def test_failed_save_keeps_what_was_stored(store):
    before = store.stats()
    good = _result("a4", "Jets struck Esmeraldas.", ESMERALDAS, None)
    # an event pointing at an article that does not exist breaks a constraint: the whole batch is refused
    clash = ParseResult(good.article, good.toponyms, good.dates,
                        (Event.from_dict({**good.events[0].to_dict(), "article_id": "nope"}),))
    with pytest.raises(StoreError):
        store.save_results([good, clash])
    assert store.stats() == before
