"""Events of one article: what happened (type), when (date), where (place), who (actors), and why we think so.

Steps, each explained in the event's ``reasons``:

1. Triggers (:mod:`geo.triggers`): taxonomy words, with negated/future/hypothetical ones kept as
   ``happened=False``.
2. One event per sentence and place: happened triggers of a sentence that share a place (or name none) are one
   event, typed by the most specific trigger ("killed in an airstrike" is an airstrike).
3. Place (:mod:`geo.event_place`): the mention the linker attaches to the trigger (the learned scorer over the
   sentence's grammar, the same one :mod:`geo.event_eval` scores). A place the gazetteer does not know (a
   village) is stood in for by the most probable resolved place of the same sentence that is not an actor, an
   origin or a reporting place (usually the province or country named beside it: the gazetteer cannot check
   containment of an unknown name), at that place's precision and with lower confidence. A definite reference
   in a later sentence ("The operation, which took place in the province of Esmeraldas") refines a
   vaguer place of the event it refers to when the finer place lies inside it. Without any, the article's focus
   (its most mentioned place) is used, with lower confidence.
4. Date: the date mention closest to the trigger in its sentence; otherwise the publication date
   (``date_source='published'``); otherwise none.
5. Merge within the article: later reports of the same event (same family, compatible date and place, e.g. the
   closing "The U.S. military's strike ... on Friday") are folded into the first one.

Precision comes from the place kind (landmark -> point, city, admin2, admin1, country, region/continent ->
region). Confidence combines how the place was found, how certain the resolver was, and where the date came from.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Sequence

from geo.actors import find_actors
from geo.event_place import (
    PlaceLink, choose_event_place, link_event_place, rank_event_places, score_links,
)
from geo.errors import ModelError
from geo.model import Article, Candidate, DateMention, Event, Place, Span, Toponym
from geo.triggers import Trigger, assess_modality, find_triggers, load_taxonomy

if TYPE_CHECKING:  # pragma: no cover
    from spacy.tokens import Doc, Span as SpacySpan

__all__ = ["extract_events", "precision_for", "event_id", "link_event_place"]

_PRECISION_BY_KIND = {"landmark": "point", "city": "city", "admin2": "admin2", "admin1": "admin1",
                      "country": "country", "region": "region", "continent": "region"}
_SPECIFICITY = {"region": 0, "country": 1, "admin1": 2, "admin2": 3, "city": 4, "point": 5}
_DEFINITE = {"the", "this", "that", "these", "those", "its", "their", "his", "her", "our", "friday's", "'s"}
_ADMIN_WORDS = {"province", "state", "region", "governorate", "department", "oblast", "prefecture", "county",
                "district"}


def precision_for(place: Place | None) -> str | None:
    """Spatial precision of an event at ``place`` (see :data:`geo.model.PRECISIONS`)."""
    if place is None:
        return None
    return _PRECISION_BY_KIND.get(place.kind, "city")


def event_id(article_id: str, start: int, end: int) -> str:
    """Stable id: a hash of the article id and the trigger's character offsets."""
    return hashlib.sha1(f"{article_id}:{start}:{end}".encode()).hexdigest()[:16]


@dataclass
class _Draft:
    """A mutable event under construction."""

    triggers: list[Trigger]
    main: Trigger
    sent: "SpacySpan"
    happened: bool
    modality: str | None
    link: PlaceLink | None = None
    runner_ups: list[PlaceLink] = field(default_factory=list)
    place: Place | None = None
    place_span: Span | None = None
    place_score: float = 0.0
    place_how: str = "none"  # sentence | container | reference | focus | none
    date: DateMention | None = None
    reasons: list[str] = field(default_factory=list)
    merged: int = 0
    ranked: list[PlaceLink] = field(default_factory=list)


def _contains(outer: Place, inner: Place) -> bool:
    """Whether ``inner`` lies inside ``outer`` (same country, and same admin1 when ``outer`` is an admin1)."""
    if outer.geonameid == inner.geonameid:
        return True
    if outer.kind in ("region", "continent"):
        return True  # regions are loose; a finer place is accepted as a refinement
    if not outer.country_code or outer.country_code != inner.country_code:
        return False
    if outer.kind == "country":
        return inner.kind != "country"
    if outer.kind == "admin1":
        return bool(outer.admin1_code) and outer.admin1_code == inner.admin1_code and inner.kind not in (
            "country", "admin1")
    return False


def _spec(place: Place | None) -> int:
    p = precision_for(place)
    return -1 if p is None else _SPECIFICITY[p]


def _prefer_admin(top: Toponym, text: str) -> tuple[Place | None, float]:
    """"the province of X" / "X province": prefer an admin1/admin2 reading of ``X`` over a same-named city."""
    place = top.place
    if place is None or place.kind not in ("city", "admin2"):
        return place, top.score
    before = text[max(0, top.start - 30):top.start].lower().split()
    after = text[top.end:top.end + 20].lower().split()
    admin_context = (len(before) >= 2 and before[-1] == "of" and before[-2].strip(",") in _ADMIN_WORDS) or (
        bool(after) and after[0].strip(",.") in _ADMIN_WORDS)
    if not admin_context:
        return place, top.score
    for cand in top.alternatives:
        if cand.place.kind in ("admin1", "admin2") and cand.place.country_code == place.country_code:
            return cand.place, cand.score
    return place, top.score


def _focus(toponyms: Sequence[Toponym], title_end: int) -> tuple[Toponym | None, int]:
    """The article's most mentioned resolved place (title mentions count double) and its mention count."""
    weight: dict[int, float] = {}
    count: dict[int, int] = {}
    first: dict[int, Toponym] = {}
    for t in toponyms:
        if t.place is None:
            continue
        g = t.place.geonameid
        weight[g] = weight.get(g, 0.0) + (2.0 if t.start < title_end else 1.0) + 0.1 * _spec(t.place)
        count[g] = count.get(g, 0) + 1
        first.setdefault(g, t)
    if not weight:
        return None, 0
    best = max(weight, key=lambda g: (weight[g], -first[g].start))
    return first[best], count[best]


def _nearest_date(doc: "Doc", sent: "SpacySpan", trig: Trigger, dates: Sequence[DateMention]
                  ) -> DateMention | None:
    t0, t1 = trig.char_span(doc)
    inside = [d for d in dates if sent.start_char <= d.start and d.end <= sent.end_char and d.date is not None]
    if not inside:
        return None
    return min(inside, key=lambda d: min(abs(d.start - t1), abs(t0 - d.end)))


def _anaphors(doc: "Doc", taxonomy_anaphors: frozenset[str]) -> list[int]:
    """Token indices of definite references to an event ("the operation", "this attack", "the U.S. strike")."""
    out = []
    for tok in doc:
        if tok.pos_ != "NOUN" or tok.lemma_.lower() not in taxonomy_anaphors:
            continue
        dets = [c for c in tok.children if c.dep_ in ("det", "poss")]
        if any(c.lower_ in _DEFINITE or c.dep_ == "poss" for c in dets):
            out.append(tok.i)
    return out


def _confidence(d: _Draft, date_source: str) -> float:
    """Weighted evidence in [0, 1]: how the place was found (and its link probability, else cost), the resolver's
    score, where the date came from, and how specific and repeated the trigger is; not-happened events are scaled
    down."""
    place_f = {"sentence": 0.9, "reference": 0.85, "container": 0.6, "focus": 0.5, "none": 0.2}[d.place_how]
    if d.link is not None:
        scored = score_links([d.link])  # the learned scorer's probability when it is installed
        place_f *= (0.6 + 0.4 * scored[0][1]) if scored else math.exp(-0.25 * d.link.cost)
    resolve_f = min(1.0, max(0.3, d.place_score)) if d.place is not None else 0.5
    date_f = {"text": 1.0, "published": 0.7}.get(date_source, 0.5)
    trig_f = min(1.0, 0.5 + 0.06 * d.main.type.rank + 0.05 * len(d.triggers) + 0.05 * d.merged)
    conf = 0.35 * place_f + 0.15 * resolve_f + 0.2 * date_f + 0.3 * trig_f
    if not d.happened:
        conf *= 0.6
    return round(max(0.0, min(1.0, conf)), 3)


_NOT_CONTAINER = ("subject (actor)", "origin", "reporting clause", "verb of saying")


def _container(links: Sequence[PlaceLink], inner: PlaceLink) -> PlaceLink | None:
    """A resolved place of the sentence that can stand for an unresolved event place ("the village of X in Daraa
    province", "X, near Aleppo"): the most probable (else cheapest) one that is not an actor, an origin or a
    reporting place. The event then takes that place's precision (admin1, country...)."""
    pool = [lk for lk in links if lk is not inner and lk.toponym.place is not None
            and not any(b in lk.reason for b in _NOT_CONTAINER)]
    scored = score_links(pool)
    if scored:
        return scored[0][0]
    return min(pool, key=lambda lk: lk.cost, default=None)


def _place_key(link: PlaceLink | None) -> object:
    if link is None:
        return None
    place = link.toponym.place
    return place.geonameid if place is not None else link.toponym.text.lower()


def _sentence_drafts(doc: "Doc", triggers: list[Trigger], toponyms: Sequence[Toponym]) -> list[_Draft]:
    """Group a sentence's triggers into events (one per distinct linked place).

    The place is chosen by the same linker the corpus evaluation scores (:func:`choose_event_place`), over
    resolved and unresolved mentions alike; an unresolved one is kept as the draft's ``unresolved`` mention and
    stood in for by a resolved container named in the sentence when there is one (see :func:`extract_events`).
    """
    drafts: list[_Draft] = []
    by_sent: dict[int, list[tuple[Trigger, bool, str | None, list[PlaceLink], PlaceLink | None]]] = {}
    for trig in triggers:
        happened, why = assess_modality(doc, trig.head)
        s, e = trig.char_span(doc)
        ranked = rank_event_places(doc, s, e, toponyms)
        best = choose_event_place(doc, ranked)
        by_sent.setdefault(doc[trig.head].sent.start, []).append((trig, happened, why, ranked, best))
    for sent_start, items in by_sent.items():
        sent = doc[sent_start].sent
        groups: list[_Draft] = []
        for trig, happened, why, ranked, best in items:
            runner_ups = [lk for lk in ranked if lk is not best and lk.toponym.place is not None]
            target = None
            for g in groups:
                if g.happened != happened or not happened:
                    continue
                if best is None or g.link is None or _place_key(best) == _place_key(g.link):
                    target = g
                    break
            if target is None:
                groups.append(_Draft([trig], trig, sent, happened, why, best, runner_ups, ranked=ranked))
                continue
            target.triggers.append(trig)
            if trig.type.rank > target.main.type.rank:
                target.main = trig
            if target.link is None or (best is not None and best.cost < target.link.cost):
                target.link = best
                target.runner_ups = runner_ups
                target.ranked = ranked
        drafts.extend(groups)
    return drafts


def _merge_compatible(a: _Draft, b: _Draft) -> bool:
    if not (a.happened and b.happened) or a.main.type.family != b.main.type.family:
        return False
    if a.date is not None and b.date is not None and a.date.date != b.date.date:
        return False
    if a.place is None or b.place is None:
        return (a.place is None and b.place is None) or a.main.type.key == b.main.type.key
    return _contains(a.place, b.place) or _contains(b.place, a.place)


def extract_events(doc: "Doc", article: Article, toponyms: Sequence[Toponym], dates: Sequence[DateMention],
                   gazetteer: Any = None) -> list[Event]:
    """Events reported by one article, in text order (see the module doc for the steps).

    Parameters
    ----------
    doc:
        The article text parsed by :func:`geo.nlp.load_nlp`'s pipeline (needs sentences and the parser).
    article:
        The article (its id seeds the event ids; its date anchors the fallback date).
    toponyms:
        Resolved place mentions (:func:`geo.resolve.geoparse`).
    dates:
        Date mentions (:func:`geo.dates.find_dates`).
    gazetteer:
        Unused today; accepted so every stage has the same signature.
    """
    if len(doc) and not doc.has_annotation("DEP"):
        raise ModelError("event extraction needs the dependency parse: load the pipeline with parser=True")
    taxonomy = load_taxonomy()
    text = doc.text
    triggers = find_triggers(doc, taxonomy)
    if not triggers:
        return []
    drafts = _sentence_drafts(doc, triggers, toponyms)
    sent_index = {sent.start: k for k, sent in enumerate(doc.sents, 1)}
    title_end = len(article.title) if article.title and text.startswith(article.title) else 0
    focus, focus_n = _focus(toponyms, title_end)

    # Place and date of each draft from its own sentence.
    for d in drafts:
        if d.link is not None and d.link.toponym.place is None:
            # the sentence names a place the gazetteer does not know: stand in its container, coarser
            lost = d.link
            d.link = _container(d.ranked, lost)
            if d.link is None:
                d.reasons.append(f"place: '{lost.toponym.text}' is linked to '{doc[d.main.start:d.main.end].text}' "
                                 f"but is not in the gazetteer, and the sentence names no place containing it")
            else:
                d.place_how = "container"
                d.reasons.append(f"place: '{lost.toponym.text}' is linked to '{doc[d.main.start:d.main.end].text}' "
                                 f"but is not in the gazetteer; placed at '{d.link.toponym.text}', the area named "
                                 f"in the sentence, at that area's precision")
        if d.link is not None:
            top = d.link.toponym
            d.place, d.place_score = _prefer_admin(top, text)
            d.place_span = Span(top.start, top.end, top.text, d.place.kind if d.place else "")
            if d.place_how != "container":
                d.place_how = "sentence"
                d.reasons.append(f"place: '{top.text}' is linked to '{doc[d.main.start:d.main.end].text}' "
                                 f"in its sentence ({d.link.reason}; cost {d.link.cost:.2f})")
            if d.place is not top.place and d.place is not None:
                d.reasons.append(f"place: '{top.text}' read as the {d.place.kind} (named as a province/state)")
        for trig in sorted(d.triggers, key=lambda t: t is not d.main):
            d.date = _nearest_date(doc, d.sent, trig, dates)
            if d.date is not None:
                break

    # Definite references ("the operation ... took place in X") refine the event they refer to.
    for ai in _anaphors(doc, taxonomy.anaphors):
        tok = doc[ai]
        prior = [d for d in drafts if d.happened and d.sent.start <= tok.sent.start and d.main.head < ai]
        if not prior:
            continue
        target = max(prior, key=lambda d: d.main.head)
        if tok.sent.start - target.sent.end > 120:  # too far back to be the same reference
            continue
        found = choose_event_place(doc, rank_event_places(doc, tok.idx, tok.idx + len(tok), toponyms,
                                                          unresolved=False))
        if found is None:
            continue
        lk = found
        place, score = _prefer_admin(lk.toponym, text)
        if place is None:
            continue
        if target.place is None or (_spec(place) > _spec(target.place) and _contains(target.place, place)):
            old = target.place.name if target.place else "none"
            target.reasons.append(
                f"place: refined from {old} to {place.name} ({place.kind}) by the reference "
                f"'{tok.sent.text.strip()[:120]}'")
            target.place, target.place_score, target.link = place, score, lk
            target.place_span = Span(lk.toponym.start, lk.toponym.end, lk.toponym.text, place.kind)
            target.place_how = "reference"

    # Merge later reports of the same event into the first.
    kept: list[_Draft] = []
    for d in drafts:
        host = next((k for k in kept if _merge_compatible(k, d)), None)
        if host is None:
            kept.append(d)
            continue
        host.merged += 1
        host.reasons.append(f"same event also reported later: '{doc[d.main.start:d.main.end].text}' "
                            f"(sentence {sent_index[d.sent.start]})")
        if d.place is not None and (host.place is None or (_spec(d.place) > _spec(host.place)
                                                           and _contains(host.place, d.place))):
            host.place, host.place_span, host.place_score = d.place, d.place_span, d.place_score
            host.link, host.place_how = d.link, d.place_how
            host.reasons.append(f"place: {d.place.name} taken from the later report")
        if host.date is None and d.date is not None:
            host.date = d.date
        host.triggers.extend(d.triggers)

    events: list[Event] = []
    for d in kept:
        if d.place is None and focus is not None and focus.place is not None and d.happened:
            d.place, d.place_score = focus.place, focus.score
            d.place_span = Span(focus.start, focus.end, focus.text, focus.place.kind)
            d.place_how = "focus"
            d.reasons.append(f"place: no place in the sentence; the article's focus {focus.place.name} "
                             f"(mentioned {focus_n} times)")
        if d.date is not None:
            date, date_precision, date_source = d.date.date, d.date.precision, "text"
            date_span: Span | None = Span(d.date.start, d.date.end, d.date.text, "date")
            how = "relative to the article date" if d.date.relative else "explicit"
            d.reasons.append(f"date: '{d.date.text}' = {date.isoformat()} ({d.date.precision}, {how})")
        elif article.published is not None:
            date, date_precision, date_source, date_span = article.published, "day", "published", None
            d.reasons.append(f"date: none in the sentence; the article's publication date {date.isoformat()}")
        else:
            date, date_precision, date_source, date_span = None, None, "none", None
            d.reasons.append("date: none in the sentence and no publication date")
        if not d.happened and d.modality:
            d.reasons.append(f"not happened: {d.modality}")
        t0, t1 = d.main.char_span(doc)
        alternatives: list[Candidate] = []
        seen = {d.place.geonameid} if d.place else set()
        for lk in d.runner_ups:
            p = lk.toponym.place
            if p is not None and p.geonameid not in seen:
                seen.add(p.geonameid)
                alternatives.append(Candidate(p, round(math.exp(-lk.cost), 3), (f"'{lk.toponym.text}': {lk.reason}",)))
        if d.link is not None:
            for cand in d.link.toponym.alternatives:
                if cand.place.geonameid not in seen:
                    seen.add(cand.place.geonameid)
                    alternatives.append(cand)
        events.append(Event(
            id=event_id(article.id, t0, t1),
            article_id=article.id,
            type=d.main.type.key,
            family=d.main.type.family,
            trigger=Span(t0, t1, text[t0:t1], d.main.type.key),
            sentence=Span(d.sent.start_char, d.sent.end_char, d.sent.text, "sentence"),
            place=d.place,
            place_span=d.place_span,
            precision=precision_for(d.place),
            date=date,
            date_precision=date_precision,
            date_span=date_span,
            date_source=date_source,
            confidence=_confidence(d, date_source),
            happened=d.happened,
            actors=find_actors(doc, d.main.head),
            alternatives=tuple(alternatives[:5]),
            reasons=tuple(d.reasons),
        ))
    return events
