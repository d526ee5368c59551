"""One incident reported by several articles in different words, dates a day apart: one cluster; other incidents
stay apart; disagreements between sources are listed."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from geo.clustering import cluster_disagreements, cluster_events, haversine_km
from geo.errors import InputError

D = dt.date

REPORTS = [
    # same incident, three outlets, different words and a one-day difference in the date
    ("An airstrike hit a market in Idlib on Monday, killing nine people.", D(2026, 3, 3)),
    ("Warplanes bombed a crowded market in Idlib yesterday, residents said.", D(2026, 3, 4)),
    ("Nine civilians died when an air strike struck the main market of Idlib on Tuesday.", D(2026, 3, 4)),
    # a different incident: far away
    ("A car bomb exploded in Kabul on Monday, killing four people.", D(2026, 3, 3)),
    # same place, different family: a protest is not the airstrike
    ("Hundreds of people protested in Idlib on Monday against the siege.", D(2026, 3, 3)),
]


@pytest.fixture(scope="module")
def report_events(pipeline):
    from geo.articles import make_article

    out = []
    for text, published in REPORTS:
        res = pipeline.process_one(make_article(text=text, title="", published=published))
        happened = [e for e in res.events if e.happened]
        assert len(happened) == 1, (text, [(e.type, e.trigger.text) for e in res.events])
        out.append(happened[0])
    return out


def test_one_incident_in_different_words_is_one_cluster(report_events):
    a, b, c, kabul, protest = report_events
    assert {a.family, b.family, c.family} == {"explosions_remote_violence"}
    assert {a.date, b.date, c.date} == {D(2026, 3, 2), D(2026, 3, 3)}  # one day apart
    clusters = cluster_events(report_events, window_days=2, max_km=100)
    assert clusters[a.id] == clusters[b.id] == clusters[c.id]
    assert clusters[kabul.id] != clusters[a.id]
    assert clusters[protest.id] != clusters[a.id]
    assert set(clusters) == {e.id for e in report_events}


def test_window_and_distance_are_respected(report_events):
    a, b, c, _, _ = report_events
    strict = cluster_events(report_events, window_days=0, max_km=100)
    assert strict[a.id] != strict[b.id]  # a day apart
    assert strict[b.id] == strict[c.id]  # same day


def test_cluster_ids_are_stable(report_events):
    assert cluster_events(report_events) == cluster_events(list(reversed(report_events)))


def test_disagreements_list_the_differing_dates(report_events):
    a, b, c, _, _ = report_events
    clusters = cluster_events(report_events)
    dis = cluster_disagreements(report_events, clusters)
    dates = [d for d in dis if d.field == "date" and d.cluster_id == clusters[a.id]]
    assert len(dates) == 1
    assert dates[0].values == {"2026-03-02": (a.id,), "2026-03-03": tuple(sorted((b.id, c.id)))} or \
        set(dates[0].values) == {"2026-03-02", "2026-03-03"}


def test_dataframe_input_matches_event_input(report_events):
    rows = [{"id": e.id, "article_id": e.article_id, "family": e.family, "date": e.date, "happened": e.happened,
             "lat": e.place.lat, "lon": e.place.lon, "geonameid": e.place.geonameid, "place_name": e.place.name}
            for e in report_events]
    assert cluster_events(pd.DataFrame(rows)) == cluster_events(report_events)
    with pytest.raises(InputError):
        cluster_events(pd.DataFrame([{"id": "x"}]))


def test_undated_or_unplaced_events_stay_alone():
    df = pd.DataFrame([
        {"id": "a", "article_id": "1", "family": "protests", "date": D(2026, 1, 1), "lat": 1.0, "lon": 1.0},
        {"id": "b", "article_id": "2", "family": "protests", "date": None, "lat": 1.0, "lon": 1.0},
        {"id": "c", "article_id": "3", "family": "protests", "date": D(2026, 1, 1), "lat": None, "lon": None},
        {"id": "d", "article_id": "4", "family": "protests", "date": D(2026, 1, 2), "lat": 1.1, "lon": 1.0},
    ])
    m = cluster_events(df, window_days=1, max_km=50)
    assert m["a"] == m["d"]
    assert len({m["a"], m["b"], m["c"]}) == 3


def test_haversine():
    assert haversine_km(0, 0, 0, 1) == pytest.approx(111.2, abs=0.5)
    assert haversine_km(10, 10, 10, 10) == 0.0


def test_clusters_from_the_store_table(pipeline, store_path):
    """The ingest path: stored events -> query_events() -> cluster_events -> set_clusters -> cluster_members."""
    from geo.articles import make_article
    from geo.store import EventStore

    results = [pipeline.process_one(make_article(text=t, title="", published=p)) for t, p in REPORTS]
    with EventStore(store_path) as store:
        store.save_results(results)
        table = store.query_events()
        mapping = cluster_events(table)
        store.set_clusters(mapping)
        idlib = [next(e.id for e in r.events if e.happened) for r in results[:3]]
        assert len({mapping[i] for i in idlib}) == 1
        members = store.cluster_members(mapping[idlib[0]])
        assert set(members["id"]) == set(idlib)
        assert cluster_disagreements(table, mapping)
