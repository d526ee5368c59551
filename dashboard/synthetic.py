"""Synthetic articles and events for load tests and demos of the dashboard at scale.

The events are plausible in shape (types, families, dates, places of every precision, confidences) but carry no
meaning; each synthetic article says so in its text. Deterministic for a given seed.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import random
from typing import Iterator

from geo.model import Article, Event, ParseResult, Place, Span, Toponym

TYPES = (
    ("airstrike", "explosions_remote_violence"),
    ("shelling", "explosions_remote_violence"),
    ("armed_clash", "battles"),
    ("attack", "violence_against_civilians"),
    ("protest", "protests"),
    ("riot", "riots"),
    ("arrest", "strategic_developments"),
)

#: (name, kind, lat, lon, country, admin1) places to scatter events around.
PLACES = (
    ("Esmeraldas", "admin1", 0.89, -79.56, "EC", "EC-E"),
    ("Quito", "city", -0.2298, -78.525, "EC", "EC-P"),
    ("Kyiv", "city", 50.4501, 30.5234, "UA", "UA-30"),
    ("Donetsk", "city", 48.0159, 37.8028, "UA", "UA-14"),
    ("Gaza", "city", 31.5017, 34.4668, "PS", None),
    ("Khartoum", "city", 15.5518, 32.5324, "SD", "SD-KH"),
    ("Syria", "country", 35.0, 38.5, "SY", None),
    ("Lagos", "city", 6.4541, 3.3947, "NG", "NG-LA"),
    ("Caracas", "city", 10.4806, -66.9036, "VE", "VE-A"),
    ("Manila", "city", 14.5995, 120.9842, "PH", None),
    ("Sahel", "region", 15.0, 2.0, "ML", None),
    ("Mexico", "country", 23.6, -102.5, "MX", None),
)


def synthetic_results(n_events: int, *, seed: int = 7, events_per_article: int = 5,
                      start: dt.date = dt.date(2024, 1, 1), days: int = 730) -> Iterator[ParseResult]:
    """Yield parse results holding ``n_events`` synthetic events in total."""
    rng = random.Random(seed)
    made = 0
    a = 0
    while made < n_events:
        k = min(events_per_article, n_events - made)
        published = start + dt.timedelta(days=rng.randrange(days))
        title = f"Synthetic report {a}"
        lines = []
        events = []
        toponyms = []
        offset = 0
        aid = hashlib.sha1(f"{seed}:{a}".encode()).hexdigest()[:16]
        for j in range(k):
            etype, family = TYPES[rng.randrange(len(TYPES))]
            name, kind, lat, lon, cc, adm = PLACES[rng.randrange(len(PLACES))]
            if kind == "city":
                lat += rng.gauss(0, 1.5)
                lon += rng.gauss(0, 1.5)
                precision = "city"
            else:
                precision = kind
            sentence = f"A synthetic {etype.replace('_', ' ')} was reported in {name}."
            s0 = offset
            trig0 = s0 + sentence.index("synthetic") + len("synthetic ")
            trig1 = trig0 + len(etype.replace("_", " "))
            p0 = s0 + sentence.index(name)
            place = Place(geonameid=1_000_000 + rng.randrange(10**6), name=name, kind=kind, lat=round(lat, 4),
                          lon=round(lon, 4), country_code=cc, admin1_code=adm)
            pspan = Span(p0, p0 + len(name), name, "place")
            events.append(Event(
                id=f"{aid}-{j}", article_id=aid, type=etype, family=family,
                trigger=Span(trig0, trig1, etype.replace("_", " "), "trigger"),
                sentence=Span(s0, s0 + len(sentence), sentence, "sentence"),
                place=place, place_span=pspan, precision=precision,
                date=published - dt.timedelta(days=rng.randrange(3)), date_precision="day", date_source="text",
                confidence=round(rng.uniform(0.3, 1.0), 2), happened=True,
            ))
            toponyms.append(Toponym(pspan.start, pspan.end, name, place, 0.9))
            lines.append(sentence)
            offset += len(sentence) + 1
            made += 1
        text = " ".join(lines)
        article = Article(id=aid, title=title, text=text, published=published, source="synthetic",
                          url=f"https://example.invalid/{aid}")
        yield ParseResult(article, tuple(toponyms), (), tuple(events))
        a += 1


def hostile_result() -> ParseResult:
    """One article whose title and text carry HTML/JS payloads, with an event, to prove they stay text."""
    title = 'Alert <script>window.__xss_title = 1</script> and <img src=x onerror="window.__xss_img = 1">'
    text = ('Troops shelled Quito <script>window.__xss_text = 1</script> on Friday. '
            'A caption read <img src=x onerror="window.__xss_img2 = 1"> near the square.')
    aid = "hostile0000000001"
    t0 = text.index("shelled")
    p0 = text.index("Quito")
    sent_end = text.index(". ") + 1
    place = Place(3652462, "Quito", "city", -0.22985, -78.52495, "EC", "EC-P")
    event = Event(
        id=f"{aid}-0", article_id=aid, type="shelling", family="explosions_remote_violence",
        trigger=Span(t0, t0 + 7, "shelled", "trigger"), sentence=Span(0, sent_end, text[:sent_end], "sentence"),
        place=place, place_span=Span(p0, p0 + 5, "Quito", "place"), precision="city",
        date=dt.date(2026, 3, 6), date_precision="day", date_source="text", confidence=0.9,
    )
    article = Article(id=aid, title=title, text=text, published=dt.date(2026, 3, 7), source="hostile.test",
                      url="javascript:alert(1)")
    return ParseResult(article, (Toponym(p0, p0 + 5, "Quito", place, 0.9),), (), (event,))
