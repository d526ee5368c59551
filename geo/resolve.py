"""Toponym resolution: each place mention -> ranked gazetteer candidates -> the chosen :class:`~geo.model.Place`.

Candidates are scored with the evidence a careful reader uses, each feature adding to a log-linear score:

- **prior**: the kind of place (a bare country name is the country; a province beats a village of the same
  name) and its population (log scale); names found only among GeoNames' alternate names are penalised;
- **containment**: "Springfield, Illinois" / "Paris, Texas" patterns, where the next mention is a province or
  country that contains the candidate;
- **article context**: other mentions of the same country or first-level division in the article;
- **proximity**: distance to the places the other mentions resolve to;
- **one sense per name**: every mention of the same name in an article gets the same place;
- **lists**: a name in a list of provinces of one country is a province ("Alberta, Manitoba, Ontario and ..."),
  members of a list followed by "counties"/"provinces" are of that kind, and such a list is not "town, state";
- **named countries**: a country the article names outright supports its places, and a national capital beside
  other countries stands for its government ("Washington and Cairo");
- **spelling**: names an exact lookup misses are looked up spelling-tolerantly (transliterations, typos) and kept
  only where they fit the countries of the article's other places.

Context features are computed from a first pass over the article and refined twice. Every chosen place comes
with up to :data:`MAX_ALTERNATIVES` runner-ups and short human-readable reasons ("why here").
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Iterable, Sequence

from geo.gazetteer.store import haversine_km
from geo.gazetteer.text import fold
from geo.model import Candidate, Toponym
from geo.toponyms import Mention, demonym_targets, find_mentions, is_demonym

if TYPE_CHECKING:  # pragma: no cover
    import datetime as dt

    from spacy.tokens import Doc

    from geo.gazetteer import Gazetteer

MAX_ALTERNATIVES = 3
MAX_CANDIDATES = 40

#: Score added by kind (before population).
KIND_PRIOR = {"continent": 8.0, "region": 6.0, "country": 8.0, "admin1": 5.0, "admin2": 1.0, "city": 0.0,
              "landmark": 6.0}
#: Weight of log10(population) by kind (countries and provinces rely on their kind prior instead).
POP_WEIGHT = {"city": 0.9, "admin2": 0.5, "admin1": 0.3, "country": 0.0}
QUALITY_PENALTY = (0.0, 0.0, 2.5)  # primary name, curated alias, GeoNames alternate name
W_CONTAIN = 5.0  # "City, State"
W_COUNTRY = 1.6  # same country as other mentions (log-scaled count)
W_ADMIN1 = 2.0  # same first-level division as other mentions
W_NEAR = 1.5  # near other resolved places
NEAR_KM = 150.0
W_NAMED_COUNTRY = 1.0  # the article names the candidate's country outright (not inferred from ambiguous names)
W_CAPITAL_FOREIGN = 1.5  # ... and stand for their governments where other countries are named ("Washington and Cairo")
W_CAPITAL = 1.0  # national capitals are named in the news far more often than their population suggests
W_FOCUS_ADMIN1 = 5.0  # the publication's home province/state (see :class:`Focus`)
W_FOCUS_COUNTRY = 1.0  # the publication's home country
#: Kinds whose names denote them before any town namesake ("Mexico" is not Mexico, Missouri).
BIG_NAMES = frozenset({"country", "continent", "region"})
#: Kinds a protected name may still resolve to on context (a province of the same name).
BIG_KINDS = frozenset({"country", "continent", "region", "admin1"})

_ADMIN_BEFORE = re.compile(r"\b(?:province|state|region|department|governorate|oblast|prefecture|county|canton|"
                           r"district) of\s+(?:the\s+)?$", re.IGNORECASE)
_ADMIN_AFTER = re.compile(r"^\s+(?:province|state|region|department|governorate|oblast|prefecture|county)\b",
                          re.IGNORECASE)
W_ADMIN_CUE = 4.0  # "the province of Esmeraldas", "Esmeraldas province"
#: Spelling-tolerant lookup (for names an exact lookup misses): shortest folded name, least similarity, the
#: prior's cost per unit of dissimilarity, the least population of a town found that way.
MIN_SPELLING_LEN = 5
MIN_SPELLING_RATIO = 0.85
W_SPELLING = 10.0
MIN_SPELLING_POP = 1000
W_LIST = 3.0  # a province named in a list of provinces of one country ("Alberta, Manitoba, Ontario and ...")

#: "Butler, Clark and Warren counties", "the Nyanza and Western provinces": the plural names the members' kind.
_LIST_DESIGNATOR = re.compile(r"\s+(counties|districts|parishes|provinces|states|regions|governorates|oblasts|"
                              r"prefectures|departments)\b", re.IGNORECASE)

#: What separates the members of a list of places: a comma, "and", "or" (", and" / ", or").
_LIST_SEP = re.compile(r"^\s*(?:,\s*(?:and\s+|or\s+)?|and\s+|or\s+|&\s*)$")

_GENERIC_SUFFIX = re.compile(r"\s+(?:county|province|state|region|district|city|parish|department|oblast|"
                             r"governorate|prefecture|municipality|area)$", re.IGNORECASE)


@dataclass(frozen=True)
class Focus:
    """Where a publication is at home: shares of its articles that mention each province/state and country.

    Inferred from the publication's own articles (:func:`infer_focus`), never from a list: a local paper that
    keeps writing about places in Georgia (US) means Georgia's "Athens" when it writes "Athens".
    """

    admin1: dict[str, float] = field(default_factory=dict)
    country: dict[str, float] = field(default_factory=dict)


def infer_focus(articles: Iterable[Sequence[Toponym]], min_articles: int = 3, min_share: float = 0.25) -> Focus:
    """The home area of a publication from the resolved toponyms of its articles (one vote per article).

    Only confidently resolved cities, districts and provinces vote; an area needs ``min_share`` of at least
    ``min_articles`` articles.
    """
    a1_votes: dict[str, int] = defaultdict(int)
    cc_votes: dict[str, int] = defaultdict(int)
    n = 0
    for tops in articles:
        n += 1
        a1s, ccs = set(), set()
        for t in tops:
            p = t.place
            if p is None or t.score < 0.6 or p.kind not in ("city", "admin2", "admin1"):
                continue
            if p.admin1_code:
                a1s.add(p.admin1_code)
            if p.country_code:
                ccs.add(p.country_code)
        for a in a1s:
            a1_votes[a] += 1
        for c in ccs:
            cc_votes[c] += 1
    if n < min_articles:
        return Focus()
    return Focus({a: v / n for a, v in a1_votes.items() if v / n >= min_share},
                 {c: v / n for c, v in cc_votes.items() if v / n >= min_share})


@dataclass
class _Cand:
    row: int
    quality: int
    kind: str
    cc: str
    admin1: str
    lat: float
    lon: float
    pop: int
    prior: float
    score: float = 0.0
    reasons: list[str] = field(default_factory=list)
    city_of_province: bool = False
    admin2_row: int = -1
    capital: bool = False
    spelling: float = 0.0  # > 0: found by a spelling-tolerant lookup, with this similarity


@dataclass
class _Item:
    mention: Mention
    key: str
    cands: list[_Cand]
    contained_by: dict[int, str] = field(default_factory=dict)  # candidate row -> name of container mention
    contains: set[int] = field(default_factory=set)  # candidate rows that contain the previous mention's place
    chosen: _Cand | None = None
    admin_cue: bool = False
    big_name: bool = False  # the name of a country, continent or region (not as an alternate name)
    list_admin1: dict[str, int] = field(default_factory=dict)  # country -> provinces named beside it in a list
    designated: str = ""  # "admin1"/"admin2" when a plural designator follows its list ("... and Warren counties")


def _candidates(gazetteer: "Gazetteer", text: str, given_span: bool = False) -> list[_Cand]:
    """Ranked candidates of a name (by prior); ``given_span``: the caller vouches that the span is a place, so a
    nationality word stands for the area it is formed from (in running text it is never a place itself)."""
    # a given span that is a nationality word means its country, not a town spelt alike ("Canadian", Texas)
    entries = (_demonym_entries(gazetteer, text) if given_span else []) or gazetteer.entries(text)
    if not entries:
        stripped = _GENERIC_SUFFIX.sub("", text)
        if stripped != text and stripped:
            entries = gazetteer.entries(stripped)
    if not entries and text.lower().startswith("the "):
        entries = gazetteer.entries(text[4:])
    if not entries:
        entries = _demonym_entries(gazetteer, text)
        if not entries and given_span:
            entries = _derived_demonym_entries(gazetteer, text)
    spelling: dict[int, float] = {}
    if not entries and len(fold(text)) >= MIN_SPELLING_LEN:
        for row, quality, ratio in gazetteer.spelled_like(text, MIN_SPELLING_RATIO):
            spelling[row] = ratio
            entries.append((row, 2))
    out = []
    for row, quality in entries:
        place = gazetteer.place_at(row)
        kind = place.kind
        pop = place.population
        prior = KIND_PRIOR[kind] + POP_WEIGHT.get(kind, 0.0) * math.log10(pop + 1) - QUALITY_PENALTY[quality]
        if row in spelling:
            prior -= W_SPELLING * (1.0 - spelling[row])
        if kind in ("country", "admin1", "continent", "region", "landmark") and quality == 2:
            prior -= KIND_PRIOR[kind] * 0.5
        capital = place.feature_code == "PPLC"
        if capital:
            prior += W_CAPITAL
        out.append(_Cand(row, quality, kind, place.country_code or "", place.admin1_code or "", place.lat,
                         place.lon, pop, prior, admin2_row=gazetteer.admin2_row(row) if kind == "city" else -1,
                         capital=capital, spelling=spelling.get(row, 0.0)))
    out.sort(key=lambda c: -c.prior)
    return out[:MAX_CANDIDATES]


def _fits_article(cand: _Cand, countries: set[str], towns: bool) -> bool:
    """Whether a candidate found by spelling alone may stand: a country anywhere; a province or district only in
    a country the article's other places are in; a large enough town likewise, and only when ``towns`` (the
    caller vouches that the span is a place: recognised names spelt like a town are mostly people's names)."""
    if cand.kind in ("country", "continent"):
        return True
    if cand.cc not in countries:
        return False
    if cand.kind == "city":
        return towns and cand.pop >= MIN_SPELLING_POP and cand.spelling >= 0.9
    return True


def _keep_plausible_spellings(by_key: dict[str, list[_Cand]], towns: bool) -> None:
    """Drop spelling-tolerant candidates that do not fit the countries of the article's other names."""
    countries: set[str] = set()
    for cands in by_key.values():
        if cands and not cands[0].spelling and cands[0].cc:
            countries.add(cands[0].cc)
    for cands in by_key.values():
        if cands and cands[0].spelling:
            cands[:] = [c for c in cands if _fits_article(c, countries, towns)]  # in place: items share the list


#: How a nationality word is formed from a place name: (ending of the word, ending of the place).
_DEMONYM_ENDINGS = (("ian", "ia"), ("ian", "io"), ("ian", "o"), ("ian", "a"), ("ian", "y"), ("ian", ""), ("an", ""),
                    ("an", "a"), ("an", "as"), ("n", ""),
                    ("ese", ""), ("ese", "a"), ("i", ""), ("iot", "us"), ("ene", ""), ("", "ia"), ("", "stan"))


def _derived_demonym_entries(gazetteer: "Gazetteer", text: str) -> list[tuple[int, int]]:
    """A nationality word missing from the curated table, read as the area it is formed from: "South Ossetians"
    -> South Ossetia, "Ontarians" -> Ontario, "Cypriot" -> Cyprus, "Abkhaz" -> Abkhazia, "Latvian" -> Latvia.

    Only countries, provinces and regions named by their own name or a curated alias qualify (never a town that
    happens to be spelt like the stem).
    """
    words = text.strip().split(" ")
    last = words[-1]
    if len(last) < 4 or not last[:1].isupper():
        return []
    singular = [last[:-1], last] if last.endswith("s") else [last]
    for word in singular:
        for ending, replacement in _DEMONYM_ENDINGS:
            if ending and not word.endswith(ending):
                continue
            stem = word[: len(word) - len(ending)] + replacement
            if len(stem) < 4 or stem == last:
                continue
            name = " ".join([*words[:-1], stem])
            hits = [(r, 1) for r, q in gazetteer.entries(name)
                    if q < 2 and gazetteer.kind_of(r) in ("country", "admin1", "region")]
            if hits:
                return hits
    return []


def _demonym_entries(gazetteer: "Gazetteer", text: str) -> list[tuple[int, int]]:
    """A nationality word given as a place span ("Russians") stands for its country (alias quality)."""
    target = demonym_targets().get(text.strip())
    if not target:
        return []
    scheme, _, value = target.partition(":")
    if not value:
        row = gazetteer.country_row(scheme)
    elif scheme == "admin1":
        row = gazetteer.admin1_row(value)
    else:
        row = next((r for r, q in gazetteer.entries(value) if gazetteer.kind_of(r) in ("region", "continent")), None)
    return [(row, 1)] if row is not None else []


def _city_of_province(cands: list[_Cand]) -> None:
    """Mark cities that hold a large share of the same-named province ("Sao Paulo", "New York", "Kyiv")."""
    for a in cands:
        if a.kind != "admin1":
            continue
        for c in cands:
            if c.kind == "city" and c.admin1 == a.admin1 and c.pop >= 0.1 * max(a.pop, 1) and c.quality < 2:
                c.prior = max(c.prior, a.prior) + 0.01
                c.city_of_province = True


def _contains(container: _Cand, inner: _Cand) -> bool:
    if container.row == inner.row:
        return False
    if container.kind == "country":
        return inner.cc == container.cc and inner.kind != "country"
    if container.kind == "admin1":
        return inner.admin1 == container.admin1 and inner.kind in ("admin2", "city", "landmark")
    if container.kind == "admin2":
        return inner.admin2_row == container.row
    return False


#: "Virginia is a city in St. Louis County, Minnesota", "Dover, a town in Kent County": the places named after
#: "in" (up to the end of the clause) contain the place the clause describes.
_DESCRIBED_IN = re.compile(
    r"^(?:\s+(?:is|was)|\s*,)\s+(?:a|an|the)\s+(?:[\w.-]+\s+){0,5}?(?:city|town|village|hamlet|borough|township|"
    r"municipality|commune|community|settlement|suburb|neighbou?rhood|district|county|parish|province|state|region|"
    r"capital|seat|port|resort|place|locality)\s+(?:located\s+|situated\s+)?(?:in|of)\s", re.IGNORECASE)


_SENTENCE_END = re.compile(r"[a-z]{3}[.!?]\s")


def _admin1_names(item: _Item) -> set[str]:
    """Countries of which the mention names a first-level division (by name or curated alias)."""
    return {c.cc for c in item.cands if c.kind == "admin1" and c.quality < 2 and c.cc}


def _mark_lists(text: str, items: list[_Item]) -> dict[int, int]:
    """Find lists of three or more places ("Virginia, Washington, West Virginia and Wyoming").

    In a list whose other members name provinces of one country, each member's province of that country is
    favoured ("Ontario" among Canadian provinces is the province, not the city in California). Returns, for the
    items inside lists of provinces or countries, the number of their list: an "A, B" pair followed by a further
    member of the same list is not read as "town, state".
    """
    runs: list[list[int]] = []
    run = [0] if items else []
    for i in range(1, len(items)):
        between = text[items[i - 1].mention.end : items[i].mention.start]
        if len(between) <= 8 and _LIST_SEP.match(between):
            run.append(i)
        else:
            runs.append(run)
            run = [i]
    if run:
        runs.append(run)
    for run in runs:
        plural = _LIST_DESIGNATOR.match(text, items[run[-1]].mention.end)
        if plural and (len(run) > 1 or plural.group(1).lower() in ("counties", "provinces", "states")):
            kind = "admin2" if plural.group(1).lower() in ("counties", "districts", "parishes") else "admin1"
            for i in run:
                items[i].designated = kind
    in_lists: dict[int, int] = {}
    for n_run, run in enumerate(runs):
        if len(run) < 3:
            continue
        named = [_admin1_names(items[i]) for i in run]
        big = sum(1 for i, n in zip(run, named) if n or _names_country(items[i]))
        if big * 2 > len(run):
            in_lists.update((i, n_run) for i in run)
        for k, i in enumerate(run):
            votes: dict[str, int] = defaultdict(int)
            for j, n in enumerate(named):
                if j != k:
                    for cc in n:
                        votes[cc] += 1
            items[i].list_admin1 = {cc: v for cc, v in votes.items() if v >= 2}
    return in_lists


def _link_pairs(text: str, items: list[_Item]) -> None:
    """Mark containment patterns: "A, B" / "A in B" ("Springfield, Illinois", "Paris, Texas", "Quito, Ecuador")
    and "A is a town in B, C" / "A, a city in B" (each of B, C contains A)."""
    in_lists = _mark_lists(text, items)
    for i, (a, b) in enumerate(zip(items, items[1:])):
        between = text[a.mention.end : b.mention.start]
        if between.strip() in (",", "in", ", in") and len(between) <= 6:
            if between.strip() == "," and _names_country(a) and _names_country(b):
                continue  # a list of countries ("China, Japan and Korea"), not a town in a country
            if (between.strip() == "," and _admin1_names(a) and i in in_lists
                    and in_lists.get(i + 1) == in_lists[i] == in_lists.get(i + 2)):
                continue  # "Virginia, Washington, West Virginia": a list of states, not a town in a state
            _link(a, b)
            continue
        if len(between) > 80 or not _DESCRIBED_IN.match(between):
            continue
        clause_end = a.mention.end + len(between) + 60
        for c in items[i + 1 : i + 4]:
            if c.mention.start > clause_end or _SENTENCE_END.search(text, a.mention.end, c.mention.start):
                break
            _link(a, c, pooled=False)


def _names_country(item: _Item) -> bool:
    """True when the mention is a country's name or curated alias (not merely a GeoNames alternate name)."""
    return any(c.kind == "country" and c.quality < 2 for c in item.cands)


def _link(a: _Item, b: _Item, pooled: bool = True) -> None:
    """Record that some candidate of ``b`` (a country, province or county) contains some candidate of ``a``."""
    for cb in b.cands:
        if cb.kind not in ("country", "admin1", "admin2"):
            continue
        for ca in a.cands:
            if _contains(cb, ca):
                a.contained_by[ca.row] = b.mention.text
                if pooled:
                    b.contains.add(cb.row)


def _context(items: list[_Item], skip_key: str) -> tuple[dict[str, float], dict[str, float], list[_Cand], set[str]]:
    """Votes per country and per province, the resolved towns and landmarks, and the countries named as such."""
    countries: dict[str, float] = defaultdict(float)
    admin1s: dict[str, float] = defaultdict(float)
    chosen: list[_Cand] = []
    nations: set[str] = set()
    # a name's vote grows with the square root of its mentions: repetition shows salience, but two repeated
    # namesakes ("Queensland", "Innisfail" of Alberta, five times each) must not outvote the article's other places
    # and a place's names count once together ("U.S.", "US" and "United States" are one vote, not three)
    mentions: dict[int, int] = defaultdict(int)
    first: dict[int, _Cand] = {}
    for it in items:
        if it.chosen is None or it.key == skip_key:
            continue
        mentions[it.chosen.row] += 1
        first.setdefault(it.chosen.row, it.chosen)
    for row, c in first.items():
        vote = math.sqrt(mentions[row])
        if c.cc:
            countries[c.cc] += vote
        if c.admin1:
            admin1s[c.admin1] += vote
        if c.kind in ("city", "admin2", "landmark"):
            chosen.append(c)
        elif c.kind == "country" and c.cc:
            nations.add(c.cc)
    return countries, admin1s, chosen, nations


def _score(cand: _Cand, item: _Item, countries: dict[str, float], admin1s: dict[str, float],
           chosen: list[_Cand], explain: bool, focus: Focus | None = None, nations: set[str] = frozenset()) -> float:
    s = cand.prior
    reasons: list[str] = []
    # a town named like a country or region ("Mexico", Missouri; "Egypt", Pennsylvania) needs evidence about
    # the town itself (its province named nearby, places around it): that its country is mentioned is not enough
    protected = item.big_name and cand.kind not in BIG_KINDS and not cand.city_of_province
    if focus is not None and cand.kind != "country":
        share = focus.admin1.get(cand.admin1, 0.0) if cand.admin1 else 0.0
        if share:
            s += W_FOCUS_ADMIN1 * share
            if explain:
                reasons.append(f"the publication often writes about {cand.admin1}")
        elif cand.cc and focus.country.get(cand.cc) and not protected:
            s += W_FOCUS_COUNTRY * focus.country[cand.cc]
    if item.designated and cand.kind == item.designated:
        s += W_ADMIN_CUE
        if explain:
            reasons.append(f"named in a list of {'counties' if cand.kind == 'admin2' else 'provinces/states'}")
    elif item.admin_cue and cand.kind in ("admin1", "admin2"):
        s += W_ADMIN_CUE
        if explain:
            reasons.append("the text calls it a province/state")
    if cand.kind == "admin1" and item.list_admin1.get(cand.cc):
        s += W_LIST
        if explain:
            reasons.append("named in a list of provinces/states of the same country")
    if cand.kind != "country" and cand.cc in nations and not item.big_name:
        s += W_NAMED_COUNTRY
        if explain:
            reasons.append(f"the article names its country ({cand.cc})")
    if cand.capital and not protected and cand.quality < 2 and nations - {cand.cc}:
        s += W_CAPITAL_FOREIGN
        if explain:
            reasons.append("a national capital in an article about other countries")
    if cand.city_of_province and explain:
        reasons.append("the main city of the province of the same name")
    if cand.row in item.contained_by:
        s += W_CONTAIN
        if explain:
            reasons.append(f"written as '{item.mention.text}, {item.contained_by[cand.row]}'")
    if cand.row in item.contains:
        s += W_CONTAIN
    n_cc = countries.get(cand.cc, 0.0) if cand.cc and not protected else 0.0
    if n_cc:
        # a country is supported by the places in it as much as those places are by each other: otherwise
        # "Mexico" next to "Veracruz" would become the State of Mexico
        s += W_COUNTRY * math.log1p(n_cc)
        if explain:
            reasons.append(f"the article mentions other places in {cand.cc} ({round(n_cc)})")
    n_a1 = admin1s.get(cand.admin1, 0.0) if cand.admin1 else 0.0
    if n_a1 and cand.kind in ("city", "admin2", "landmark"):
        s += W_ADMIN1 * math.log1p(n_a1)
        if explain:
            reasons.append(f"the article mentions other places in {cand.admin1} ({round(n_a1)})")
    if chosen and cand.kind in ("city", "admin2", "landmark"):
        best = min(haversine_km(cand.lat, cand.lon, o.lat, o.lon) for o in chosen[:30])
        if best < NEAR_KM * 2:
            s += W_NEAR * max(0.0, 1.0 - best / (NEAR_KM * 2))
            if explain and best < NEAR_KM:
                reasons.append(f"{best:.0f} km from another place in the article")
    if explain:
        cand.reasons = reasons
    return s


def _prior_reason(gazetteer: "Gazetteer", cand: _Cand, n: int) -> str:
    place = gazetteer.place_at(cand.row)
    how = {0: "name", 1: "alias", 2: "alternate name"}[cand.quality]
    if cand.kind in ("country", "continent", "region", "landmark", "admin1"):
        return f"{cand.kind} by {how}" + (f" (1 of {n} places with this name)" if n > 1 else "")
    if n > 1:
        return f"{cand.kind} of population {place.population:,} by {how} (1 of {n} places with this name)"
    return f"{cand.kind} by {how}, the only place with this name"


def _softmax(scores: Sequence[float]) -> list[float]:
    m = max(scores)
    ex = [math.exp(s - m) for s in scores]
    z = sum(ex)
    return [e / z for e in ex]


def resolve_mentions(text: str, mentions: Iterable[Mention], gazetteer: "Gazetteer",
                     context: Iterable[Mention] = (), focus: Focus | None = None,
                     given_spans: bool = False) -> list[Toponym]:
    """Resolve recognised mentions of one article jointly; returns one :class:`Toponym` per mention, by start.

    ``context`` mentions (e.g. what the recogniser found around gold spans) take part in the joint
    resolution as evidence but are not returned; those overlapping a mention are ignored. ``given_spans``: the
    caller vouches that the mentions are places (gold spans), so a name found by spelling alone may be a town.
    """
    targets = sorted(mentions, key=lambda m: m.start)
    extra = [c for c in context if not any(c.start < m.end and m.start < c.end for m in targets)]
    by_key: dict[str, list[_Cand]] = {}
    items = []
    wanted = {(m.start, m.end) for m in targets}
    given_keys = {fold(m.text) for m in targets} if given_spans else set()
    for m in sorted([*targets, *extra], key=lambda m: m.start):
        key = fold(m.text)
        if key not in by_key:
            by_key[key] = _candidates(gazetteer, m.text, key in given_keys)
        items.append(_Item(m, key, by_key[key]))  # one sense per name: the group shares its candidates
    _keep_plausible_spellings(by_key, given_spans)
    for it in items:
        m = it.mention
        it.admin_cue = bool(_ADMIN_BEFORE.search(text[max(0, m.start - 40) : m.start])
                            or _ADMIN_AFTER.match(text[m.end : m.end + 20]))
    for key, cands in by_key.items():
        _city_of_province(cands)
    for it in items:
        it.big_name = any(c.kind in BIG_NAMES for c in it.cands if c.quality < 2)
    _link_pairs(text, items)
    # one sense per name: resolve each distinct name once, pooling the pattern evidence of all its mentions
    groups: dict[str, list[_Item]] = defaultdict(list)
    for it in items:
        groups[it.key].append(it)
    for its in groups.values():
        pooled_in = {r: n for it in its for r, n in it.contained_by.items()}
        pooled_has = {r for it in its for r in it.contains}
        for it in its:
            it.contained_by = pooled_in
            it.contains = pooled_has
    for it in items:
        it.chosen = max(it.cands, key=lambda c: c.prior + (W_CONTAIN if c.row in it.contained_by else 0.0),
                        default=None)
    for rnd in range(3):
        explain = rnd == 2
        for key, its in groups.items():
            it = its[0]
            if not it.cands:
                continue
            countries, admin1s, chosen, nations = _context(items, key)
            for c in it.cands:
                c.score = _score(c, it, countries, admin1s, chosen, explain, focus, nations)
            best = max(it.cands, key=lambda c: c.score)
            for other in its:
                other.chosen = best
    out: list[Toponym] = []
    for it in items:
        m = it.mention
        if (m.start, m.end) not in wanted:
            continue
        if not it.cands:
            out.append(Toponym(m.start, m.end, m.text, None, 0.0, (), ("no gazetteer entry with this name",)))
            continue
        ranked = sorted(it.cands, key=lambda c: -c.score)
        probs = _softmax([c.score for c in ranked])
        best = ranked[0]
        reasons = (_prior_reason(gazetteer, best, len(ranked)), *best.reasons)
        alts = tuple(
            Candidate(gazetteer.place_at(c.row), round(p, 4), (_prior_reason(gazetteer, c, len(ranked)), *c.reasons))
            for c, p in zip(ranked[1 : 1 + MAX_ALTERNATIVES], probs[1 : 1 + MAX_ALTERNATIVES])
        )
        out.append(Toponym(m.start, m.end, m.text, gazetteer.place_at(best.row), round(probs[0], 4), alts, reasons))
    return out


def geoparse(doc: "Doc", gazetteer: "Gazetteer", published: "dt.date | None" = None, *,
             focus: Focus | None = None) -> list[Toponym]:
    """Recognise and resolve the place mentions of a parsed document; sorted by start offset.

    ``published`` is accepted for the pipeline contract (resolution does not depend on the date today);
    ``focus`` is the publication's home area when known (:func:`infer_focus`).
    """
    return resolve_mentions(doc.text, find_mentions(doc, gazetteer), gazetteer, focus=focus)


def resolve_spans(text_or_doc: "str | Doc", spans: Iterable[tuple[int, int]], gazetteer: "Gazetteer",
                  *, focus: Focus | None = None) -> list[Toponym]:
    """Resolve given character spans (gold spans, ``--gold-spans``) of one text jointly, in the order given.

    Pass a parsed ``Doc`` rather than a string to let the other places the recogniser finds in the text serve as
    context (as a reader would use them).
    """
    text = text_or_doc if isinstance(text_or_doc, str) else text_or_doc.text
    context = [] if isinstance(text_or_doc, str) else find_mentions(text_or_doc, gazetteer)
    mentions = []
    for start, end in spans:
        surface = text[start:end]
        mentions.append(Mention(start, end, surface, "GPE"))
    resolved = {(t.start, t.end): t for t in resolve_mentions(text, mentions, gazetteer, context, focus,
                                                              given_spans=True)}
    return [resolved[(s, e)] for s, e in spans]


__all__ = ["Focus", "geoparse", "infer_focus", "resolve_mentions", "resolve_spans", "is_demonym"]
