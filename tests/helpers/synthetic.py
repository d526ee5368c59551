"""Deterministic synthetic pipeline results for store reliability tests (no spaCy, no gazetteer needed).

Every article ``i`` gets the same shape: 2 events, 2 place mentions and 1 date mention, so a reader can check
that what it sees is whole (an article is never visible with only part of its rows).
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from pathlib import Path

from geo.model import Article, DateMention, Event, ParseResult, Place, Span, Toponym

EVENTS_PER_ARTICLE = 2
TOPONYMS_PER_ARTICLE = 2
DATES_PER_ARTICLE = 1

_PLACES = (
    Place(3657986, "Esmeraldas", "admin1", 0.89, -79.56, "EC", "EC-E", 500_000),
    Place(703448, "Kyiv", "city", 50.45, 30.52, "UA", "UA-30", 2_800_000),
    Place(2643743, "London", "city", 51.51, -0.13, "GB", "GB-ENG", 8_900_000),
    Place(1850147, "Tokyo", "city", 35.69, 139.69, "JP", "JP-13", 9_700_000),
)


def article_id(i: int) -> str:
    return f"art-{i:07d}"


def make_result(i: int, *, filler_words: int = 150) -> ParseResult:
    """The synthetic result for article number ``i`` (same ``i`` -> equal result)."""
    a, b = _PLACES[i % len(_PLACES)], _PLACES[(i + 1) % len(_PLACES)]
    published = dt.date(2026, 1, 1) + dt.timedelta(days=i % 90)
    head = f"Jets struck {a.name} on Friday. Crowds protested in {b.name}. Report {i} word{i % 97}. "
    text = head + " ".join(f"filler{j % 13}" for j in range(filler_words))
    aid = article_id(i)
    spans = []
    for place in (a, b):
        s = text.index(place.name)
        spans.append(Span(s, s + len(place.name), place.name))
    sentences = [Span(0, text.index(".") + 1, text[: text.index(".") + 1])]
    s2 = text.index("Crowds")
    sentences.append(Span(s2, text.index(".", s2) + 1, text[s2: text.index(".", s2) + 1]))
    d0 = text.index("on Friday")
    date_span = Span(d0, d0 + len("on Friday"), "on Friday")
    events = []
    for k, (etype, family, trig, place, span, sent) in enumerate((
        ("airstrike", "explosions_remote_violence", "struck", a, spans[0], sentences[0]),
        ("protest", "protests", "protested", b, spans[1], sentences[1]),
    )):
        t0 = text.index(trig)
        events.append(Event(
            id=f"{aid}-e{k}", article_id=aid, type=etype, family=family, trigger=Span(t0, t0 + len(trig), trig),
            sentence=sent, place=place, place_span=span, precision="admin1" if place.kind == "admin1" else "city",
            date=published, date_precision="day", date_span=date_span, date_source="text",
            confidence=0.5 + (i % 5) / 10, happened=True,
        ))
    toponyms = tuple(Toponym(sp.start, sp.end, sp.text, pl, 0.9) for sp, pl in zip(spans, (a, b)))
    dates = (DateMention(date_span.start, date_span.end, date_span.text, published, "day", True),)
    article = Article(aid, f"Report {i}", text, published=published, source=f"wire{i % 3}",
                      url=f"https://example.org/{i}")
    return ParseResult(article, toponyms, dates, tuple(events))


def make_v1_store(path: Path, n: int) -> None:
    """A store at schema version 1 (as the first release wrote it) holding ``n`` synthetic articles."""
    from geo.store import _SCHEMA_V1, EventStore

    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("BEGIN")
    for statement in _SCHEMA_V1.split(";\n"):
        if statement.strip():
            conn.execute(statement)
    for i in range(n):
        r = make_result(i)
        a = r.article
        conn.execute(
            "INSERT INTO articles (id, title, text, published, source, url, path, metadata, pipeline_version,"
            " ingested_at) VALUES (?,?,?,?,?,?,?,?,?,?)",
            (a.id, a.title, a.text, a.published.isoformat(), a.source, a.url, a.path, json.dumps({}), "v1",
             "2026-01-01T00:00:00+00:00"))
        conn.execute("INSERT INTO article_fts (article_id, title, text) VALUES (?,?,?)", (a.id, a.title, a.text))
        conn.executemany('INSERT INTO toponyms (article_id, start, "end", text, geonameid, name, kind, lat, lon,'
                         " country_code, admin1_code, score, data) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
                         [EventStore._toponym_row(a.id, t) for t in r.toponyms])
        conn.executemany('INSERT INTO date_mentions (article_id, start, "end", text, date, precision, data)'
                         " VALUES (?,?,?,?,?,?,?)",
                         [(a.id, d.start, d.end, d.text, d.date.isoformat(), d.precision, json.dumps(d.to_dict()))
                          for d in r.dates])
        conn.executemany("INSERT INTO events (id, article_id, type, family, date, date_precision, date_source,"
                         " lat, lon, geonameid, place_name, place_kind, precision, country_code, admin1_code,"
                         " confidence, happened, cluster_id, sentence, trigger_text, place_text, data)"
                         " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                         [EventStore._event_row(e) for e in r.events])
    conn.execute("PRAGMA user_version = 1")
    conn.execute("COMMIT")
    conn.close()
