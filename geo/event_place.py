"""Event place: which of a sentence's place mentions says where an event happened.

A sentence often names several places ("Police in Kabul said a bomb exploded in a market in Jalalabad"); the
event place is the one attached to the event by the grammar of the sentence. For every place mention in the
trigger's sentence, :func:`rank_event_places` walks the dependency tree from the mention to the lowest node it
shares with the trigger and adds up a *cost* for each step:

- cheap: the object of a locative preposition ("in", "at", "near", "outside"...) attached to the trigger or to
  the verb that governs it; the ``Y`` of "the province/city/town of Y"; a place naming the trigger noun
  ("the Kabul bombing"); the object of a verb trigger ("shelled Donetsk");
- costly: the origin ("troops from Chad"), the subject of the trigger (an actor: "Russia attacked"), a place that
  qualifies a person or organisation ("a Kabul police spokesman", "the president of Ecuador"), a place inside a
  reporting clause ("officials in Kabul said..."), appositions ("Quito, Ecuador": the first, finer place wins),
  each extra step between the trigger and the shared node, and distance in words as a tie-breaker.

The cheapest mention under :data:`MAX_COST` is the event place; the others are runner-ups. Costs and threshold
were set on ``event_location.jsonl`` (see :mod:`geo.event_eval`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Sequence

from geo.model import Toponym

if TYPE_CHECKING:  # pragma: no cover
    from spacy.tokens import Doc, Token

__all__ = ["PlaceLink", "rank_event_places", "link_event_place", "MAX_COST", "PLACE_NOUNS"]

#: A mention costing more than this is not linked to the event.
MAX_COST = 2.6
#: Added to a mention whose link to the event runs through another mention (it contains that place).
CONTAINER_COST = 1.0

LOCATIVE_PREPS = frozenset({
    "in", "at", "near", "inside", "outside", "across", "throughout", "around", "on", "into", "within", "along",
    "off", "over", "between", "outside", "beyond", "nearby", "toward", "towards", "through", "onto", "amid",
    "north", "south", "east", "west", "northeast", "northwest", "southeast", "southwest", "close", "above", "below",
    "beneath", "behind", "down", "up", "past", "alongside", "beside", "opposite", "underneath", "atop", "across",
})
PLACE_NOUNS = frozenset({
    "province", "city", "town", "village", "district", "region", "state", "county", "capital", "area", "outskirts",
    "suburb", "suburbs", "neighborhood", "neighbourhood", "governorate", "municipality", "border", "camp",
    "countryside", "part", "parts", "north", "south", "east", "west", "centre", "center", "heart", "street",
    "streets", "island", "islands", "port", "coast", "prefecture", "territory", "zone", "valley", "enclave",
    "strip", "corridor", "highway", "road", "township", "hamlet", "locality", "quarter", "country", "nation",
    "republic", "kingdom", "emirate", "oblast", "department", "division", "subdistrict", "commune", "parish",
    "borough", "metropolis", "square", "market", "base", "airport", "sector", "areas", "mountains", "desert",
    "provinces", "cities", "towns", "villages", "districts", "regions", "states", "countries", "hills", "plains",
})
_ORIGIN_PREPS = frozenset({"from", "of", "by", "with", "for", "against", "about", "to", "like", "than", "as",
                           "under", "after", "before", "since", "despite"})
_SAY_VERBS = frozenset({"say", "tell", "report", "announce", "state", "confirm", "add", "claim", "quote", "accuse",
                        "deny", "warn", "note", "insist", "according", "allege", "describe", "write"})
_PERSONISH = frozenset({"PERSON", "ORG", "NORP"})
_PERSON_NOUNS = frozenset({
    "official", "officials", "spokesman", "spokeswoman", "spokesperson", "minister", "president", "governor",
    "chief", "police", "army", "government", "authorities", "authority", "ambassador", "embassy", "leader",
    "mayor", "commander", "forces", "troops", "military", "residents", "resident", "source", "sources", "media",
    "agency", "ministry", "counterpart", "envoy", "delegation", "people", "citizens", "citizen", "national",
    "nationals", "native", "diplomat", "diplomats", "prime", "king", "representative", "office", "court",
    "judge", "prosecutor", "refugee", "refugees", "migrant", "migrants", "soldier", "soldiers", "team", "club",
    "company", "firm", "newspaper", "television", "tv", "station", "broadcaster", "university", "school",
})


@dataclass(frozen=True)
class PlaceLink:
    """One place mention's link to an event: lower cost is a stronger link; ``reason`` explains it."""

    toponym: Toponym
    cost: float
    reason: str


def _token_at(doc: "Doc", start: int, end: int) -> "Token | None":
    span = doc.char_span(start, end, alignment_mode="expand")
    if span is None or len(span) == 0:
        return None
    return span.root


def _ancestors(tok: "Token") -> list["Token"]:
    chain = [tok]
    seen = {tok.i}
    while chain[-1].head.i != chain[-1].i and chain[-1].head.i not in seen:
        chain.append(chain[-1].head)
        seen.add(chain[-1].i)
    return chain


def _edge_cost(child: "Token", trigger: "Token", lca: "Token", is_first: bool) -> tuple[float, str | None]:
    """Cost of going from ``child`` to its head on the path from a place mention to the shared node."""
    head = child.head
    dep = child.dep_
    hlow = head.lower_
    if dep == "pobj":
        if hlow in LOCATIVE_PREPS:
            return 0.0, f"'{head.text} {child.text}'"
        if hlow == "of" and head.head.lower_ in PLACE_NOUNS:
            return 0.1, f"'{head.head.text} of {child.text}'"
        if hlow in ("from",):
            return 2.5, "origin ('from')"
        return 0.9, None
    if dep == "prep":
        if child.lower_ in LOCATIVE_PREPS or (child.lower_ == "of" and hlow in PLACE_NOUNS):
            if head.lower_ in _PERSON_NOUNS or head.ent_type_ in _PERSONISH:
                return 0.9, "qualifies a person or organisation"
            return 0.3, None
        return 0.5, None
    if dep in ("compound", "amod", "nmod", "npadvmod"):
        if head.i == trigger.i:
            return 0.5, f"names the event ('{child.text} {head.text}')"
        if head.lower_ in PLACE_NOUNS:
            # "the West Bank city of Nablus": with an "of" object, the noun's name is that object
            has_of = any(c.dep_ == "prep" and c.lower_ == "of" for c in head.children)
            return (0.8 if has_of else 0.2), None
        if head.lower_ in _PERSON_NOUNS or head.ent_type_ in _PERSONISH:
            return 2.5, "qualifies a person or organisation"
        return 1.2, None
    if dep == "poss":
        return (0.3, None) if head.lower_ in PLACE_NOUNS else (1.4, None)
    if dep == "appos":
        return 1.0, None
    if dep == "conj":
        return 0.3, None
    if dep in ("dobj", "attr", "oprd"):
        return (0.7, "object of the event verb") if head.i == trigger.i else (1.2, None)
    if dep == "nsubjpass":
        return 1.8, "passive subject (often the victim: 'Zeevi was shot')"
    if dep in ("nsubj", "csubj", "agent"):
        if is_first:
            return 2.6, "subject (actor)"
        return 0.9, None  # "factions in Syria are attacking": the place of the actor
    if dep in ("relcl", "acl"):
        return 0.8, None
    if dep in ("advcl", "xcomp", "ccomp", "parataxis"):
        return 1.5, None
    return 1.0, None


def _anchors(tok: "Token") -> set[int]:
    """The mention's token and the place noun it names: "the city of X", "the X district"."""
    out = {tok.i}
    head = tok.head
    if tok.dep_ == "pobj" and head.lower_ == "of" and head.head.lower_ in PLACE_NOUNS:
        out.add(head.head.i)
    elif tok.dep_ == "compound" and head.lower_ in PLACE_NOUNS:
        out.add(head.i)
    return out


_KIND_RANK = {"continent": 0, "region": 1, "country": 2, "admin1": 3, "admin2": 4, "city": 5, "landmark": 6}


def _finer(a: Toponym, b: Toponym) -> bool:
    """Whether the gazetteer says ``a`` is a finer kind of place than ``b`` (False when unknown)."""
    if a.place is None or b.place is None:
        return False
    return _KIND_RANK.get(a.place.kind, 5) > _KIND_RANK.get(b.place.kind, 5)


def _trigger_side_cost(trigger: "Token", lca: "Token") -> float:
    cost = 0.0
    node = trigger
    while node.i != lca.i and node.head.i != node.i:
        if node.dep_ in ("ccomp", "parataxis") and node.head.lemma_.lower() in _SAY_VERBS:
            cost += 2.5
        elif node.dep_ in ("nsubj", "nsubjpass", "dobj", "pobj", "prep", "xcomp", "conj", "compound", "amod",
                           "acl", "relcl", "advcl", "npadvmod", "appos"):
            cost += 0.35
        else:
            cost += 0.8
        node = node.head
    return cost


def rank_event_places(doc: "Doc", trigger_start: int, trigger_end: int, toponyms: Sequence[Toponym]
                      ) -> list[PlaceLink]:
    """Every place mention in the trigger's sentence with its link cost, cheapest first.

    ``trigger_start``/``trigger_end`` are character offsets of the trigger in ``doc.text``; toponyms outside the
    trigger's sentence are ignored.
    """
    trig = _token_at(doc, trigger_start, trigger_end)
    if trig is None:
        return []
    sent = trig.sent
    trig_anc = _ancestors(trig)
    trig_pos = {t.i: k for k, t in enumerate(trig_anc)}
    links: list[PlaceLink] = []
    paths: list[tuple[int, set[int], set[int]]] = []
    for top in toponyms:
        if top.start < sent.start_char or top.end > sent.end_char:
            continue
        if top.start < trigger_end and trigger_start < top.end:
            continue  # the place word is the trigger itself
        tok = _token_at(doc, top.start, top.end)
        if tok is None or tok.ent_type_ == "PERSON":
            continue  # a person's name the gazetteer also knows ("Zubaydah", "Hadiya")
        cost = 0.0
        why: list[str] = []
        node = tok
        lca = None
        steps = 0
        path: list[int] = []
        while True:
            if node.i in trig_pos:
                lca = node
                break
            path.append(node.i)
            if node.head.i == node.i or steps > 12:
                break
            c, r = _edge_cost(node, trig, lca or node, steps == 0)
            cost += c
            if r:
                why.append(r)
            # A place hanging off a verb of saying belongs to the report, not the event.
            if node.head.lemma_.lower() in _SAY_VERBS and node.head.i not in trig_pos and node.dep_ in (
                    "nsubj", "prep", "npadvmod", "dobj", "dative"):
                cost += 2.0
                why.append("in a reporting clause")
            node = node.head
            steps += 1
        if lca is None:
            continue
        if lca.lemma_.lower() in _SAY_VERBS and lca.i != trig.i:
            cost += 2.0
            why.append("attached to a verb of saying")
        cost += _trigger_side_cost(trig, lca)
        cost += 0.01 * abs(tok.i - trig.i)
        if top.start < trigger_start:
            cost += 0.05  # places after the trigger slightly preferred at equal cost
        links.append(PlaceLink(top, round(cost, 3), "; ".join(dict.fromkeys(why)) or "same sentence"))
        paths.append((tok.i, _anchors(tok), set(path[1:])))
    # A mention whose path to the event runs through another mention contains it ("the city of Irbil in
    # northern Iraq"): the inner, finer place says where the event happened.
    # When the grammar is ambiguous ("the West Bank city of Nablus" / "the Washash district of Baghdad": both
    # mentions hang off one place noun), the gazetteer's kinds decide which one is the container.
    for k, (_, own, through) in enumerate(paths):
        contains = False
        for j, (_, anchors, _) in enumerate(paths):
            if j == k:
                continue
            if (anchors - own) & through and not _finer(links[k].toponym, links[j].toponym):
                contains = True
            elif anchors & own - {paths[k][0], paths[j][0]} and _finer(links[j].toponym, links[k].toponym):
                contains = True
        if contains:
            lk = links[k]
            links[k] = PlaceLink(lk.toponym, round(lk.cost + CONTAINER_COST, 3), lk.reason + "; contains a finer place")
    links.sort(key=lambda link: (link.cost, link.toponym.start))
    return links


def link_event_place(doc: "Doc", trigger_start: int, trigger_end: int, toponyms: Sequence[Toponym],
                     *, max_cost: float = MAX_COST) -> Toponym | None:
    """The place mention saying where the event at ``[trigger_start, trigger_end)`` happened, or ``None``.

    Works on a single sentence or on a whole article (only the trigger's sentence is searched).
    """
    ranked = rank_event_places(doc, trigger_start, trigger_end, toponyms)
    if ranked and ranked[0].cost <= max_cost:
        return ranked[0].toponym
    return None
