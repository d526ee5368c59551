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

The costs are not the decision. Each (trigger, mention) link also carries features (:func:`link_features`: path
shape and length, preposition, token distance, same clause, kind and fineness of the place, actor/origin/person/
reporting flags, whether the mention qualifies a group or person ("SDF fighters", "a driver from Abidjan") or reads
as an organisation, an acronym, a dateline, an adjective or a titled person's name, candidate count, the cost
itself; sparse word features: the trigger's lemma and tag, the preposition heading the mention, the word it hangs
off, the dependency path as a string; whether another candidate lies between mention and trigger...). A learned
scorer over them gives each mention the probability of being the event's place; the most probable one above the
model's threshold is linked. The shipped scorer (``geo/data/event_link_model.json``, loaded once) is a set of
gradient-boosted trees (:class:`TreeLinkModel`, evaluated with numpy); a logistic regression (:class:`LinkModel`)
reads the same file format with coefficients. Both were fitted by ``tests/bench/train_event_linker.py`` on Andrew
Halterman's ``event_location.jsonl`` corpus (MIT licence), leaving out every sentence of its gold standard, which
is the test set. When the scorer knows the ``proper_noun`` feature, proper names in a place slot that neither the
gazetteer nor the entity recogniser offer are candidates too
(:func:`proper_noun_mentions`: the small English model tags many villages as persons or organisations).
Without the file, the hand-set rule decides: the cheapest mention under :data:`MAX_COST` (with the finer-place
and sole-place exceptions of :func:`link_event_place`), never a weak proper-noun candidate.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Mapping, Sequence

from geo.model import Toponym

if TYPE_CHECKING:  # pragma: no cover
    from spacy.tokens import Doc, Span, Token

__all__ = [
    "PlaceLink", "LinkModel", "TreeLinkModel", "proper_noun_mentions", "PROPER_NOUN", "load_link_model",
    "link_features", "score_links", "choose_event_place", "coordinated_places", "full_name", "rank_event_places",
    "link_event_place", "link_event_places", "FINER_MARGIN", "SOLE_MAX_COST", "MAX_COST", "PLACE_NOUNS",
    "unresolved_mentions",
]

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
_COMPASS = frozenset({"north", "south", "east", "west", "northeast", "northwest", "southeast", "southwest"})
#: Cost of a place named as a reference point ("north of X").
COMPASS_COST = 0.6
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

#: People and armed groups a place can qualify ("SDF fighters", "a cab driver from Abidjan", "Hezbollah members"):
#: a place on such a noun says who, rather than where (the ``qualifies_group`` feature; the costs keep
#: :data:`_PERSON_NOUNS`).
_GROUP_NOUNS = _PERSON_NOUNS | frozenset({
    "fighter", "fighters", "member", "members", "militant", "militants", "rebel", "rebels", "gunman", "gunmen",
    "insurgent", "insurgents", "militia", "militias", "militiaman", "militiamen", "guard", "guards", "bodyguard",
    "driver", "man", "men", "woman", "women", "boy", "girl", "child", "children", "student", "students",
    "worker", "workers", "reporter", "correspondent", "journalist", "journalists", "activist", "activists",
    "prisoner", "prisoners", "detainee", "detainees", "unit", "brigade", "battalion", "group", "faction",
    "factions", "party", "movement", "officer", "officers", "policeman", "policemen", "fisherman", "fishermen",
    "pilgrim", "pilgrims", "tourist", "tourists", "businessman", "farmer", "farmers", "volunteer", "volunteers",
})
#: Titles before a person's name.
_TITLES = frozenset({"mr", "mr.", "mrs", "mrs.", "ms", "ms.", "dr", "dr.", "sheikh", "general", "gen.", "colonel",
                     "col.", "captain", "capt.", "lt.", "sgt.", "president", "senator", "sen.", "rep.", "imam",
                     "emir", "prince", "coordinator", "deputy", "named"})
#: Words beside a person's name: a title or a role (the ``titled`` feature).
_NAME_NEIGHBOURS = _GROUP_NOUNS | _TITLES
#: Words of an organisation's name ("YPG Media Center", "Team Columbia", "Islamic State").
_ORG_WORDS = frozenset({
    "media", "center", "centre", "council", "party", "army", "front", "forces", "state", "team", "ministry",
    "committee", "brigade", "brigades", "movement", "union", "organization", "organisation", "agency", "group",
    "corp", "company", "bank", "network", "association", "federation", "alliance", "coalition", "league",
})


@dataclass(frozen=True)
class PlaceLink:
    """One place mention's link to an event: lower cost is a stronger link; ``reason`` explains it."""

    toponym: Toponym
    cost: float
    reason: str
    #: Link features for the learned scorer (:func:`link_features`); empty when built by hand.
    features: Mapping[str, float] = field(default_factory=dict, compare=False, repr=False)


#: spaCy entity labels that never name a place, even in a locative slot.
_NOT_PLACE_LABELS = frozenset({"DATE", "TIME", "PERCENT", "MONEY", "QUANTITY", "ORDINAL", "CARDINAL", "NORP",
                               "LANGUAGE", "LAW", "EVENT", "WORK_OF_ART"})
#: Prepositions whose proper-noun object is read as a place even when the entity recogniser says otherwise.
_SLOT_PREPS = frozenset({"in", "at", "near", "outside", "inside", "around", "throughout", "within", "across"})


def _sentence(tok: "Token") -> "Span":
    """The sentence of ``tok``, found by scanning its own sentence only (``Token.sent`` scans the whole doc)."""
    doc = tok.doc
    a = tok.i
    while a > 0 and not doc[a].is_sent_start:
        a -= 1
    b = tok.i + 1
    while b < len(doc) and not doc[b].is_sent_start:
        b += 1
    return doc[a:b]


def _entity_bounds(tok: "Token") -> tuple[int, int]:
    """Token bounds of the entity ``tok`` belongs to (``tok`` must carry an entity type)."""
    doc = tok.doc
    a = tok.i
    while a > 0 and doc[a].ent_iob_ == "I":
        a -= 1
    b = tok.i + 1
    while b < len(doc) and doc[b].ent_iob_ == "I":
        b += 1
    return a, b


def _sent_ents(sent: "Span") -> list[tuple[int, int, str]]:
    """(start, end, label) of the entities inside ``sent``, read from the tokens' IOB tags."""
    out: list[tuple[int, int, str]] = []
    for tok in sent:
        if tok.ent_iob_ == "B" or (tok.ent_iob_ == "I" and tok.i == sent.start):
            a, b = _entity_bounds(tok)
            out.append((max(a, sent.start), min(b, sent.end), tok.ent_type_))
    return out


def _proper_span(tok: "Token", slot_noun: bool = False, sent_start: int = 0) -> tuple[int, int] | None:
    """Token bounds of the name ``tok`` heads: its entity, else its run of proper-noun compounds.

    With ``slot_noun`` (the name qualifies a small-place noun: "the al-Bayaa district"), a proper noun the
    recogniser took for a nationality or group (NORP) is read as a name too."""
    if tok.ent_type_:
        if tok.ent_type_ in _NOT_PLACE_LABELS and not (slot_noun and tok.ent_type_ == "NORP" and tok.pos_ == "PROPN"):
            return None
        if tok.ent_iob_ in ("B", "I"):
            a, b = _entity_bounds(tok)
            start = a + (tok.doc[a].lower_ == "the")
            return (start, b) if start < b else None
    if tok.pos_ != "PROPN":
        return None
    start = tok.i
    while start > sent_start and tok.doc[start - 1].pos_ == "PROPN" and tok.doc[start - 1].head.i in range(
            start, tok.i + 1):
        start -= 1
    return start, tok.i + 1


#: Nouns of named sites, besides :data:`PLACE_NOUNS`, whose name is a place candidate ("the Palmasola prison").
_SITE_NOUNS = frozenset({"wharf", "prison", "jail", "bridge", "axis", "roundabout", "gorge", "fields", "field",
                         "heartland", "stronghold", "checkpoint", "crossing", "dam", "refinery", "hill", "mountain",
                         "river", "mosque", "hospital", "bastion", "plain", "plateau", "junction", "front"})


def _locative_slot(tok: "Token") -> bool:
    """Whether ``tok`` stands where a place name stands: "in X", "the village of X", "X province", "the X
    prison", and a proper noun without an entity type as the object of a verb ("stormed Mar'e")."""
    head = tok.head
    if tok.dep_ == "pobj":
        if head.lower_ in _SLOT_PREPS:
            return True
        return head.lower_ == "of" and (head.head.lower_ in PLACE_NOUNS or head.head.lower_ in _SITE_NOUNS) \
            and head.head.lower_ not in ("part", "parts", "north", "south", "east", "west", "heart", "centre",
                                         "center")
    if tok.dep_ == "compound" and (head.lower_ in PLACE_NOUNS or head.lower_ in _SITE_NOUNS) and head.lower_ not in (
            "market", "base", "part"):
        return True
    if tok.dep_ == "dobj" and tok.pos_ == "PROPN" and not tok.ent_type_ and head.pos_ == "VERB":
        return True
    return tok.dep_ == "appos" and head.lower_ in PLACE_NOUNS


def unresolved_mentions(sent: "Span", toponyms: Sequence[Toponym]) -> list[Toponym]:
    """Place names in ``sent`` that are not among ``toponyms``, as toponyms without a place.

    Two sources: spaCy's own place entities (GPE, LOC, FAC) and proper nouns in a locative slot ("in X", "the
    village of X", "X province"), which the small English model often tags as a person or an organisation.
    """
    doc = sent.doc
    taken = [(t.start, t.end) for t in toponyms]
    out: list[Toponym] = []

    def add(a: int, b: int) -> None:
        if a >= b or not (doc[a].is_title or doc[a].is_upper) or "." in doc[a].text or len(doc[a:b].text) < 3 \
                or not doc[b - 1].text[-1].isalnum():
            return
        s, e = doc[a].idx, doc[b - 1].idx + len(doc[b - 1])
        if any(s < y and x < e for x, y in taken):
            return
        taken.append((s, e))
        out.append(Toponym(s, e, doc[a:b].text, reasons=("not in the gazetteer",)))

    for a, b, label in _sent_ents(sent):
        if label in ("GPE", "LOC", "FAC"):
            add(a + (doc[a].lower_ == "the"), b)
    for tok in sent:
        if _locative_slot(tok):
            slot_noun = tok.dep_ == "compound" or (tok.dep_ == "pobj" and tok.head.lower_ == "of")
            for name in (tok, *(c for c in tok.conjuncts if c.pos_ == "PROPN")):  # "in Gagrian and Sawjian"
                bounds = _proper_span(name, slot_noun, sent.start)
                if bounds is not None:
                    add(*bounds)
    return out


#: Entity labels of the proper nouns offered as weak candidates (:func:`proper_noun_mentions`): the small English
#: model often tags a village or a district it does not know as a person or an organisation.
_WEAK_LABELS = frozenset({"", "PERSON", "ORG", "PRODUCT", "WORK_OF_ART", "EVENT", "FAC", "GPE", "LOC"})
_WEAK_DEPS = frozenset({"pobj", "dobj", "conj", "compound", "nmod", "appos", "poss"})


def proper_noun_mentions(sent: "Span", toponyms: Sequence[Toponym]) -> list[Toponym]:
    """Proper names in ``sent`` that overlap none of ``toponyms``, as weak candidates without a place.

    Only names in a slot where a place can stand (object of a preposition or a verb, conjunct, compound,
    apposition) are offered; the learned scorer, which sees their entity label and slot, decides ("Tamil rebels
    captured Mullaittivu", "withdrew from Kafr Nabuda"). Names reading as a person's title ("Mr.", "President")
    are skipped."""
    doc = sent.doc
    taken = [(t.start, t.end) for t in toponyms]
    out: list[Toponym] = []
    for tok in sent:
        if tok.pos_ != "PROPN" or tok.dep_ not in _WEAK_DEPS or tok.ent_type_ not in _WEAK_LABELS:
            continue
        if tok.dep_ == "compound" and tok.head.pos_ == "PROPN":
            continue  # inside a longer name: its head offers the whole name
        bounds = _proper_span(tok, sent_start=sent.start)
        if bounds is None:
            continue
        a, b = bounds
        if not (doc[a].is_title or doc[a].is_upper) or len(doc[a:b].text) < 3 or "." in doc[a].text:
            continue
        st, en = doc[a].idx, doc[b - 1].idx + len(doc[b - 1])
        if any(st < y and x < en for x, y in taken):
            continue
        taken.append((st, en))
        out.append(Toponym(st, en, doc[a:b].text, reasons=(PROPER_NOUN,)))  # Doc.text rebuilds the whole text
    return out


#: The ``reasons`` entry of a weak candidate (:func:`proper_noun_mentions`).
PROPER_NOUN = "proper noun in a place slot"


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
        if hlow == "of" and head.head.lower_ in _COMPASS and head.head.dep_ != "pobj":
            # "north of Baghdad", "35 km south of X": a reference point near the event, not its place
            return COMPASS_COST, f"'{head.head.text} of {child.text}' (reference point)"
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


def rank_event_places(doc: "Doc", trigger_start: int, trigger_end: int, toponyms: Sequence[Toponym],
                      *, unresolved: bool = True, proper_nouns: bool | None = None) -> list[PlaceLink]:
    """Every place mention in the trigger's sentence with its link cost, cheapest first.

    ``trigger_start``/``trigger_end`` are character offsets of the trigger in ``doc.text``; toponyms outside the
    trigger's sentence are ignored. With ``unresolved``, the sentence's places the gazetteer could not resolve
    (see :func:`unresolved_mentions`) are candidates too, as toponyms without a place: a village need not be in
    the gazetteer to be where the event happened.
    """
    trig = _token_at(doc, trigger_start, trigger_end)
    if trig is None:
        return []
    sent = _sentence(trig)
    trig_anc = _ancestors(trig)
    trig_pos = {t.i: k for k, t in enumerate(trig_anc)}
    links: list[PlaceLink] = []
    paths: list[tuple[int, set[int], set[int]]] = []
    if unresolved:
        toponyms = [*toponyms, *unresolved_mentions(sent, toponyms)]
        if proper_nouns is None:
            model = load_link_model()
            proper_nouns = model is not None and "proper_noun" in model.features
        if proper_nouns:
            toponyms = [*toponyms, *proper_noun_mentions(sent, toponyms)]
    for top in toponyms:
        if top.start < sent.start_char or top.end > sent.end_char:
            continue
        if top.start < trigger_end and trigger_start < top.end:
            continue  # the place word is the trigger itself
        tok = _token_at(doc, top.start, top.end)
        if tok is None or (tok.ent_type_ == "PERSON" and top.place is not None and not _locative_slot(tok)):
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
        reason = "; ".join(dict.fromkeys(why)) or "same sentence"
        links.append(PlaceLink(top, round(cost, 3), reason, _path_features(tok, trig, lca, steps, trig_pos[lca.i],
                                                                         top, trigger_start, sent)))
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
            links[k] = PlaceLink(lk.toponym, round(lk.cost + CONTAINER_COST, 3), lk.reason + "; contains a finer place",
                                 {**lk.features, "contains_finer": 1.0})
    links.sort(key=lambda link: (link.cost, link.toponym.start))
    return _with_set_features(doc, links, trig, sent)


_DEP_GROUPS = {"pobj": "pobj", "compound": "compound", "nsubj": "subj", "nsubjpass": "subj", "agent": "subj",
               "csubj": "subj", "dobj": "obj", "attr": "obj", "oprd": "obj", "appos": "appos", "conj": "conj",
               "poss": "mod", "amod": "mod", "nmod": "mod", "npadvmod": "mod"}
_KIND_NAMES = ("country", "admin1", "admin2", "city", "landmark", "region")


def _path_features(tok: "Token", trig: "Token", lca: "Token", steps: int, trigger_steps: int, top: Toponym,
                   trigger_start: int, sent: "Span") -> dict[str, float]:
    """Features of one mention's dependency path to the trigger (see :func:`link_features`)."""
    f: dict[str, float] = {
        "mention_steps": float(steps), "trigger_steps": float(trigger_steps),
        "lca_is_trigger": float(lca.i == trig.i), "distance": math.log1p(abs(tok.i - trig.i)),
        "before_trigger": float(top.start < trigger_start), "unresolved": float(top.place is None),
        "trigger_verb": float(trig.pos_ in ("VERB", "AUX")), "proper_noun": float(PROPER_NOUN in top.reasons),
        "length": float(len(top.text.split())),
    }
    # verbs and clause boundaries crossed between the mention and the shared node ("same clause")
    node, verbs, clauses = tok, 0, 0
    while node.i != lca.i and node.head.i != node.i:
        node = node.head
        if node.i != lca.i and node.pos_ in ("VERB", "AUX"):
            verbs += 1
        if node.dep_ in ("relcl", "acl", "advcl", "ccomp", "xcomp", "parataxis"):
            clauses += 1
    f["verbs_on_path"] = float(verbs)
    f["same_clause"] = float(clauses == 0 and verbs == 0)
    # the mention names a place noun of its own or is followed by one ("Daraa province", "the Dhaka jail")
    nxt = tok.doc[tok.i + 1] if tok.i + 1 < len(tok.doc) else None
    f["followed_by_place_noun"] = float(nxt is not None and nxt.lower_ in PLACE_NOUNS)
    f["dep_" + _DEP_GROUPS.get(tok.dep_, "other")] = 1.0
    head = tok.head
    if tok.dep_ == "pobj":
        prep = head.lower_
        if prep == "of":
            f["prep_of_place_noun" if head.head.lower_ in PLACE_NOUNS else "prep_of"] = 1.0
        elif prep in ("in", "at", "near", "from", "on"):
            f["prep_" + prep] = 1.0
        elif prep in LOCATIVE_PREPS:
            f["prep_locative"] = 1.0
        else:
            f["prep_other"] = 1.0
        f["prep_attached_to_trigger"] = float(head.head.i == trig.i)
    f["ent_" + (tok.ent_type_.lower() if tok.ent_type_ in ("GPE", "LOC", "FAC", "PERSON", "ORG", "NORP")
                else "none")] = 1.0
    if top.place is not None:
        f["kind_" + (top.place.kind if top.place.kind in _KIND_NAMES else "region")] = 1.0
    if head.lower_ in PLACE_NOUNS or (tok.dep_ == "pobj" and head.lower_ == "of"
                                      and head.head.lower_ in PLACE_NOUNS):
        f["place_noun"] = 1.0
    # the mention qualifies a person or a group ("SDF fighters", "a driver from Abidjan"), or reads as an
    # organisation's name ("SDF", "YPG Media Center")
    qualified = head if tok.dep_ in ("compound", "amod", "nmod", "poss") else (
        head.head if tok.dep_ == "pobj" and head.dep_ == "prep" else None)
    f["qualifies_group"] = float(qualified is not None and qualified.i != trig.i
                                 and qualified.lower_ in _GROUP_NOUNS)
    words = top.text.split()
    caps = top.text.isupper()
    f["acronym"] = float(len(words) == 1 and caps and top.text.isalpha() and len(top.text) <= 5)
    f["org_word"] = float(any(w.lower() in _ORG_WORDS for w in words))
    # all in capitals: a dateline ("MEXICO CITY --") or an acronym
    f["all_caps"] = float(caps)
    # a person's name: a title or role next to it ("prominent commander Abu Layla", "Abu Zubaydah, al-Qaida's
    # top coordinator", "Mr. Arad")
    near = [c for c in tok.children if c.dep_ in ("appos", "compound", "amod")]
    if tok.dep_ == "appos":
        near.append(head)
    first = tok
    while first.i > sent.start and first.idx > top.start:
        first = tok.doc[first.i - 1]
    if first.i > sent.start:
        near.append(tok.doc[first.i - 1])
    f["titled"] = float(any(t.lower_ in _NAME_NEIGHBOURS for t in near))
    # an adjective or a nationality rather than a name ("a Slovak mountain hut", "Chechen towns", "Croatian Serbs")
    f["adjective"] = float(tok.pos_ == "ADJ" or tok.ent_type_ == "NORP" or tok.tag_ in ("JJ", "NNPS"))
    f.update(_lexical_features(tok, trig, lca, sent))
    return f


def _lexical_features(tok: "Token", trig: "Token", lca: "Token", sent: "Span") -> dict[str, float]:
    """Sparse word and path features of one link, named ``kind=value``; the learned scorer reads only the
    names it was fitted with, so unseen words cost nothing.

    - ``pw=``: the preposition heading the mention ("in", "near", "outside", "from"...);
    - ``hw=``: the word the mention (or its preposition) hangs off ("city", "spokesman", "killed"...);
    - ``path=``: the dependency labels from the mention up to the shared node, then from the trigger;
    - ``sent_initial``: the mention opens the sentence ("In Kabul, ..."), a scene-setting place.
    """
    f: dict[str, float] = {}
    head = tok.head
    if tok.dep_ == "pobj":
        f["pw=" + head.lower_] = 1.0
        gov = head.head
        f["hw=" + (gov.lemma_.lower() if gov.i != trig.i else "TRIGGER")] = 1.0
    elif head.i != tok.i:
        f["hw=" + (head.lemma_.lower() if head.i != trig.i else "TRIGGER")] = 1.0
    up, down = _deps_up_to(tok, lca), _deps_up_to(trig, lca)
    f["path=" + ">".join(up[:4]) + "|" + ">".join(down[:3])] = 1.0
    f["upath=" + ">".join(up[:3])] = 1.0
    first = sent[0]
    f["sent_initial"] = float(tok.i - sent.start <= 3 and first.dep_ == "prep" and tok.i > first.i)
    return f


def _deps_up_to(node: "Token", lca: "Token", limit: int = 6) -> list[str]:
    """Dependency labels from ``node`` up to (not including) ``lca``, at most ``limit``."""
    out: list[str] = []
    while node.i != lca.i and node.head.i != node.i and len(out) < limit:
        out.append(node.dep_)
        node = node.head
    return out


def _event_features(trig: "Token", sent: "Span") -> dict[str, float]:
    """Features of the event itself, shared by all its links: they let the scorer learn which events a sentence
    places at all (a trigger in a reporting clause, a noun trigger, a negated or modal verb...)."""
    f = {"tlem=" + trig.lemma_.lower(): 1.0, "ttag=" + trig.tag_: 1.0, "tdep=" + trig.dep_: 1.0,
         "sent_len": math.log(len(sent)), "trig_pos": (trig.i - sent.start) / max(1, len(sent)),
         "trig_neg": float(any(c.dep_ == "neg" for c in trig.children)),
         "trig_aux": float(any(c.dep_ == "aux" and c.lower_ in ("will", "would", "may", "might", "could", "should",
                                                                "must", "can", "to") for c in trig.children)),
         "trig_in_quote": float(sum(t.text in ('"', "“", "”") for t in sent[:trig.i - sent.start]) % 2 == 1)}
    node, say = trig, 0.0
    while node.head.i != node.i:
        node = node.head
        if node.lemma_.lower() in _SAY_VERBS:
            say = 1.0
    f["trig_under_say"] = say
    return f


#: Reason fragments (set by :func:`_edge_cost` and the ranking) turned into features.
_REASON_FLAGS = {"subject (actor)": "r_actor", "origin": "r_origin", "qualifies a person": "r_person",
                 "reporting clause": "r_report", "verb of saying": "r_report", "names the event": "r_names_event",
                 "object of the event verb": "r_object", "passive subject": "r_passive",
                 "reference point": "r_reference_point"}


def _with_set_features(doc: "Doc", links: list[PlaceLink], trig: "Token", sent: "Span") -> list[PlaceLink]:
    """Add the features that compare a mention with the sentence's other candidates."""
    if not links:
        return links
    best = links[0].cost
    specs = [_specificity(doc, lk.toponym) for lk in links]
    top_spec = max(specs)
    toks = [_token_at(doc, lk.toponym.start, lk.toponym.end) for lk in links]
    event = _event_features(trig, sent)
    where = [t.i if t is not None else -1 for t in toks]
    out = []
    for k, lk in enumerate(links):
        f = dict(lk.features)
        f.update(event)
        if where[k] >= 0:
            # another candidate between the mention and the trigger; the nearest candidate to the trigger
            lo, hi = sorted((where[k], trig.i))
            f["n_between"] = float(sum(lo < w < hi for j, w in enumerate(where) if j != k))
            dist = abs(where[k] - trig.i)
            f["nearest"] = float(all(dist <= abs(w - trig.i) for w in where if w >= 0))
            f["nearest_after"] = float(where[k] > trig.i and not any(trig.i < w < where[k] for w in where))
        f.update({"cost": lk.cost, "delta_cost": lk.cost - best, "rank": float(min(k, 3)),
                  "cheapest": float(k == 0), "n_candidates": math.log(len(links)), "sole": float(len(links) == 1),
                  "specificity": specs[k] / 6.0, "finest": float(specs[k] == top_spec),
                  "n_finer": float(sum(s > specs[k] for s in specs)),
                  "cost_capped": min(lk.cost, 5.0), "sole_cost": min(lk.cost, 5.0) * (len(links) == 1),
                  "unresolved_cost": min(lk.cost, 5.0) * f.get("unresolved", 0.0)})
        tok = toks[k]
        if tok is not None:
            conj = {t.i for t in tok.conjuncts}
            f["coordinated"] = float(any(o is not None and o.i in conj for o in toks))
        for frag, name in _REASON_FLAGS.items():
            if frag in lk.reason:
                f[name] = 1.0
        # the hand-set penalties do not simply add up: a sole place qualifying a person is often the event's
        # place, one that also sits in a reporting clause rarely is
        f["person_and_report"] = f.get("r_person", 0.0) * f.get("r_report", 0.0)
        for flag in ("r_person", "r_report", "r_actor", "r_passive"):
            f["sole_" + flag[2:]] = f["sole"] * f.get(flag, 0.0)
        out.append(replace(lk, features=f))
    return out


#: Within this much of the cheapest link, a finer place wins ("in the town of Cinar in southeast Turkey").
FINER_MARGIN = 0.8
#: A sentence's only plausible place is linked up to this cost, unless it is an actor, an origin or qualifies
#: a person: annotators (and readers) take the one place a sentence names as where its event happened.
SOLE_MAX_COST = 4.0
_FINE_NOUNS = frozenset({"village", "town", "city", "district", "neighborhood", "neighbourhood", "locality",
                         "suburb", "township", "hamlet", "quarter", "camp", "municipality", "settlement",
                         "settlements", "villages", "towns", "districts", "commune", "subdistrict"})
_BLOCKING = ("subject (actor)", "origin", "qualifies a person", "reporting clause", "verb of saying")


def _specificity(doc: "Doc", top: Toponym) -> float:
    """How fine a place the mention names: gazetteer kind, a small-place noun ("the village of X"), or unknown.

    A name the gazetteer does not know is most often a small place (village, district, landmark).
    """
    tok = _token_at(doc, top.start, top.end)
    if tok is not None:
        head = tok.head
        noun = head.head if tok.dep_ == "pobj" and head.lower_ == "of" else head if tok.dep_ in (
            "compound", "appos") else None
        if noun is not None and noun.lower_ in _FINE_NOUNS:
            # "the Ranage district of Narathiwat" / "the West Bank city of Nablus": one noun, two names, and
            # only the gazetteer can tell which is the container
            named = any(c.dep_ == "compound" and c.pos_ == "PROPN" for c in noun.children)
            has_of = any(c.dep_ == "prep" and c.lower_ == "of" for c in noun.children)
            if not (named and has_of):
                return 6.0
    if top.place is None:
        return 5.5
    return float(_KIND_RANK.get(top.place.kind, 5))


def _choose_by_cost(doc: "Doc", ranked: Sequence[PlaceLink], max_cost: float) -> PlaceLink | None:
    ranked = [lk for lk in ranked if PROPER_NOUN not in lk.toponym.reasons]
    if not ranked:
        return None
    best = ranked[0]
    if best.cost > max_cost:
        # the sentence's one plausible place, at a distance from the trigger
        if best.cost <= SOLE_MAX_COST and not any(b in best.reason for b in _BLOCKING) and (
                len(ranked) == 1 or ranked[1].cost - best.cost >= 1.0):
            return best
        return None
    close = [lk for lk in ranked if lk.cost <= min(max_cost, best.cost + FINER_MARGIN)
             and not any(b in lk.reason for b in _BLOCKING)]
    if not close:
        return best
    spec = {id(lk): _specificity(doc, lk.toponym) for lk in close}
    top = max(spec.values())
    return next(lk for lk in close if spec[id(lk)] == top) if spec.get(id(best), 0) < top else best


#: The learned link scorer's coefficients (fitted by ``tests/bench/train_event_linker.py``).
MODEL_PATH = Path(__file__).resolve().parent / "data" / "event_link_model.json"


@dataclass(frozen=True)
class LinkModel:
    """Logistic regression over :func:`link_features`: the probability that a mention is the event's place.

    ``threshold`` is the lowest probability at which the best mention is linked, ``extra_threshold`` the one at
    which a further mention of the sentence is linked too (both chosen on the training half).
    """

    features: tuple[str, ...]
    coef: tuple[float, ...]
    intercept: float
    mean: tuple[float, ...]
    scale: tuple[float, ...]
    threshold: float
    extra_threshold: float = 1.0

    def probability(self, link: PlaceLink) -> float:
        """Probability that ``link``'s mention is where the event happened."""
        z = self.intercept
        for name, w, m, sd in zip(self.features, self.coef, self.mean, self.scale):
            z += w * (link.features.get(name, 0.0) - m) / sd
        return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> "LinkModel":
        """Build from the JSON object written by the training script."""
        names = tuple(str(n) for n in data["features"])
        arrays = [tuple(float(x) for x in data[k]) for k in ("coef", "mean", "scale")]
        if any(len(a) != len(names) for a in arrays):
            raise ValueError("coef, mean and scale must have one value per feature")
        return cls(names, arrays[0], float(data["intercept"]), arrays[1],
                   tuple(x or 1.0 for x in arrays[2]), float(data["threshold"]),
                   float(data.get("extra_threshold", 1.0)))


class TreeLinkModel:
    """Gradient-boosted regression trees over :func:`link_features` (logistic loss): the probability that a
    mention is the event's place. Same contract as :class:`LinkModel`; trees capture the interactions a linear
    scorer cannot (a sole place qualifying a person is often the event's place, one also in a reporting clause
    rarely is) and read sparse word features (trigger lemma, preposition, path shape).

    The trees are held as flat arrays (all trees' nodes end to end; a leaf points to itself), so one event's
    links are scored together in a few vectorised steps.
    """

    def __init__(self, features: Sequence[str], base: float, trees: Sequence[Mapping[str, Sequence[float]]],
                 threshold: float, extra_threshold: float = 1.0) -> None:
        import numpy as np

        self.features = tuple(features)
        self.threshold = float(threshold)
        self.extra_threshold = float(extra_threshold)
        self.base = float(base)
        self._index = {n: j for j, n in enumerate(self.features)}
        feat: list[int] = []
        thr: list[float] = []
        left: list[int] = []
        right: list[int] = []
        value: list[float] = []
        roots: list[int] = []
        depth = 0
        for t in trees:
            off = len(feat)
            roots.append(off)
            n = len(t["feature"])
            if not n or any(len(t[k]) != n for k in ("threshold", "left", "right", "value")):
                raise ValueError("each tree needs feature, threshold, left, right and value of one length")
            for k in range(n):
                f = int(t["feature"][k])
                if f >= len(self.features):
                    raise ValueError(f"tree feature index {f} out of range")
                leaf = f < 0  # a leaf loops onto itself, so every row can take the same number of steps
                feat.append(0 if leaf else f)
                thr.append(math.inf if leaf else float(t["threshold"][k]))
                left.append(off + (k if leaf else int(t["left"][k])))
                right.append(off + (k if leaf else int(t["right"][k])))
                value.append(float(t["value"][k]))
            depth = max(depth, _tree_depth(t))
        self._feat, self._thr = np.array(feat, dtype=np.intp), np.array(thr)
        self._left, self._right = np.array(left, dtype=np.intp), np.array(right, dtype=np.intp)
        self._value, self._roots = np.array(value), np.array(roots, dtype=np.intp)
        self._depth = depth

    def probabilities(self, links: Sequence[PlaceLink]) -> list[float]:
        """Probability of each of ``links`` (one vectorised pass over all trees)."""
        import numpy as np

        if not links:
            return []
        x = np.zeros((len(links), len(self.features)))
        for r, lk in enumerate(links):
            for name, val in lk.features.items():
                j = self._index.get(name)
                if j is not None:
                    x[r, j] = val
        node = np.broadcast_to(self._roots, (len(links), len(self._roots)))
        rows = np.arange(len(links))[:, None]
        for _ in range(self._depth):
            go_left = x[rows, self._feat[node]] <= self._thr[node]
            node = np.where(go_left, self._left[node], self._right[node])
        z = np.clip(self.base + self._value[node].sum(axis=1), -30.0, 30.0)
        return [float(p) for p in 1.0 / (1.0 + np.exp(-z))]

    def probability(self, link: PlaceLink) -> float:
        """Probability that ``link``'s mention is where the event happened."""
        return self.probabilities([link])[0]

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> "TreeLinkModel":
        """Build from the JSON object written by the training script (``"kind": "gradient_boosted_trees"``)."""
        return cls([str(n) for n in data["features"]], float(data["base"]), list(data["trees"]),
                   float(data["threshold"]), float(data.get("extra_threshold", 1.0)))


def _tree_depth(tree: Mapping[str, Sequence[float]]) -> int:
    """Longest root-to-leaf path of one stored tree (in edges)."""
    depth, stack = 0, [(0, 0)]
    while stack:
        k, d = stack.pop()
        if d > 64:
            raise ValueError("tree deeper than 64 levels (or cyclic)")
        if int(tree["feature"][k]) < 0:
            depth = max(depth, d)
        else:
            stack += [(int(tree["left"][k]), d + 1), (int(tree["right"][k]), d + 1)]
    return depth


@lru_cache(maxsize=4)
def load_link_model(path: Path | None = None) -> "LinkModel | TreeLinkModel | None":
    """The learned link scorer, loaded once; ``None`` when the file is missing (the hand-set costs decide)."""
    from geo.errors import ModelError

    p = Path(path) if path is not None else MODEL_PATH
    if not p.exists():
        return None
    try:
        data = json.loads(p.read_text(encoding="utf-8"))
        if data.get("kind") == "gradient_boosted_trees":
            return TreeLinkModel.from_json(data)
        return LinkModel.from_json(data)
    except (OSError, ValueError, KeyError, TypeError, IndexError) as exc:
        raise ModelError(f"{p}: invalid event-link model: {exc}") from exc


def link_features(link: PlaceLink) -> Mapping[str, float]:
    """The features the learned scorer reads for one link (path shape, preposition, distance, kind, cost...)."""
    return link.features


def score_links(ranked: Sequence[PlaceLink],
                model: "LinkModel | TreeLinkModel | None" = None) -> list[tuple[PlaceLink, float]]:
    """Each link with the model's probability, most probable first (``[]`` without a model)."""
    model = model if model is not None else load_link_model()
    if model is None:
        return []
    if isinstance(model, TreeLinkModel):
        scored = list(zip(ranked, model.probabilities(ranked)))
    else:
        scored = [(lk, model.probability(lk)) for lk in ranked]
    scored.sort(key=lambda x: (-x[1], x[0].cost))
    return scored


def choose_event_place(doc: "Doc", ranked: Sequence[PlaceLink], max_cost: float = MAX_COST, *,
                       learned: bool = True) -> PlaceLink | None:
    """The event's place among ``ranked`` (:func:`rank_event_places`): the learned scorer's most probable mention
    above its threshold, else (no model file, or ``learned`` false) the hand-set costs."""
    model = load_link_model() if learned else None
    if model is None or not ranked:
        return _choose_by_cost(doc, ranked, max_cost)
    lk, p = score_links(ranked, model)[0]
    return lk if p >= model.threshold else None



def coordinated_places(doc: "Doc", first: Toponym, ranked: Sequence[PlaceLink]) -> list[Toponym]:
    """Mentions coordinated with ``first`` ("in X and Y", "X, Y and Z")."""
    tok = _token_at(doc, first.start, first.end)
    if tok is None:
        return []
    group = {t.i for t in tok.conjuncts}
    out = []
    for lk in ranked:
        other = _token_at(doc, lk.toponym.start, lk.toponym.end)
        if other is not None and other.i in group and lk.toponym is not first:
            out.append(lk.toponym)
    return out


def link_event_place(doc: "Doc", trigger_start: int, trigger_end: int, toponyms: Sequence[Toponym],
                     *, max_cost: float = MAX_COST, unresolved: bool = True,
                     learned: bool = True) -> Toponym | None:
    """The place mention saying where the event at ``[trigger_start, trigger_end)`` happened, or ``None``.

    Works on a single sentence or on a whole article (only the trigger's sentence is searched). With the learned
    scorer (:data:`MODEL_PATH`, unless ``learned`` is false) the most probable mention above its threshold wins.
    Without it, the cheapest link wins, except that a finer place within :data:`FINER_MARGIN` of it wins over a
    container, and a sentence's sole plausible place is linked up to :data:`SOLE_MAX_COST`.
    """
    ranked = rank_event_places(doc, trigger_start, trigger_end, toponyms, unresolved=unresolved)
    best = choose_event_place(doc, ranked, max_cost, learned=learned)
    return best.toponym if best is not None else None


def full_name(doc: "Doc", top: Toponym) -> Toponym:
    """``top`` widened to the whole name it begins, as written: "Deir Ezzor [Governorate]", "Biên Hòa [Air
    Base]", "Mazar[-e-Sharif]". The place is unchanged; only capitalised words the mention qualifies (the
    mention's last word is their compound) and pieces glued to it by hyphens are taken."""
    span = doc.char_span(top.start, top.end, alignment_mode="expand")
    if span is None or len(span) == 0:
        return top
    end = span.end
    while end < len(doc) and not doc[end].is_sent_start:
        nxt, last = doc[end], doc[end - 1]
        glued = not last.whitespace_ and (nxt.text == "-" or (last.text == "-" and nxt.text[:1].isalnum()))
        named = nxt.is_title and nxt.pos_ == "PROPN" and last.dep_ == "compound" and last.head.i >= end and \
            nxt.ent_type_ not in ("DATE", "TIME", "PERSON") and last.whitespace_
        if not (glued or named):
            break
        end += 1
    while end > span.end and doc[end - 1].text == "-":
        end -= 1
    if end == span.end:
        return top
    stop = doc[end - 1].idx + len(doc[end - 1])
    text = doc[span.start:end].text[top.start - doc[span.start].idx:]  # not Doc.text: it rebuilds the whole text
    return replace(top, end=stop, text=text)


def link_event_places(doc: "Doc", trigger_start: int, trigger_end: int, toponyms: Sequence[Toponym],
                      *, max_cost: float = MAX_COST, unresolved: bool = True,
                      learned: bool = True, full_names: bool = True) -> list[Toponym]:
    """Every place mention saying where the event happened, best first (empty when none does).

    Besides the best link (:func:`link_event_place`), the places coordinated with it ("in Chibok and Biu") and,
    with the learned scorer, the other mentions it finds probable enough (:attr:`LinkModel.extra_threshold`).
    With ``full_names`` each span covers the whole name as written (:func:`full_name`).
    """
    ranked = rank_event_places(doc, trigger_start, trigger_end, toponyms, unresolved=unresolved)
    best = choose_event_place(doc, ranked, max_cost, learned=learned)
    if best is None:
        return []
    out = [best.toponym, *coordinated_places(doc, best.toponym, ranked)]
    model = load_link_model() if learned else None
    if model is not None:
        floor = max(model.threshold, model.extra_threshold)
        out += [lk.toponym for lk, p in score_links(ranked, model) if p >= floor and lk.toponym not in out]
    return [full_name(doc, t) for t in out] if full_names else out
