"""Place mentions: which entity spans of a parsed ``Doc`` name places, with clean character spans.

Takes the entities of :func:`geo.nlp.load_nlp` (``GPE``, ``LOC``, ``FAC`` and the gazetteer ruler's tags) and
returns :class:`Mention` objects: leading articles are excluded ("the United States" -> "United States"),
possessives dropped, "Springfield, Illinois" split into its two places, demonyms ("Colombian") and facilities
that the gazetteer does not know ("Dublin Road") left out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Iterator

if TYPE_CHECKING:  # pragma: no cover
    from spacy.tokens import Doc, Span

    from geo.gazetteer import Gazetteer

from geo.nlp import stoplist

#: Entity labels that may name a place.
PLACE_LABELS = frozenset({"GPE", "LOC", "FAC"})
_LEADING = {"the", "The", "THE"}
#: Compass and position words that qualify a place name ("Northeast Georgia", "upstate New York").
_COMPASS = frozenset({"North", "South", "East", "West", "Northeast", "Northwest", "Southeast", "Southwest",
                      "Northern", "Southern", "Eastern", "Western", "Central", "Upstate", "Downstate", "Greater",
                      "northern", "southern", "eastern", "western", "central", "upstate", "downstate"})
#: Entity labels inside which a gazetteer name still names a place ("the Texas Department of Health").
_HOST_LABELS = frozenset({"ORG", "FAC", ""})
_TRAILING = {"'s", "’s", "'", "’"}


@dataclass(frozen=True)
class Mention:
    """A recognised place mention (character offsets into the document text, end exclusive)."""

    start: int
    end: int
    text: str
    label: str
    from_ruler: bool = False
    token_start: int = 0
    token_end: int = 0


@lru_cache(maxsize=1)
def demonym_targets() -> dict[str, str]:
    """Nationality word (and its plural) -> target spec (``EC``, ``admin1:US-TX``, ``region:Andes`` or "")."""
    text = Path(str(resources.files("geo") / "data" / "demonyms.txt")).read_text(encoding="utf-8")
    out: dict[str, str] = {}
    rows = [l.split("\t") for l in text.splitlines() if l.strip() and not l.startswith("#")]
    for row in rows[1:]:
        word, target = row[0].strip(), (row[1].strip() if len(row) > 1 else "")
        out[word] = target
        if not word.endswith(("sh", "ch", "ese", "ss", "i")):
            out.setdefault(word + "s", target)
    return out


def demonyms() -> frozenset[str]:
    """Nationality adjectives and nouns (with plurals): never places themselves."""
    return frozenset(demonym_targets())


_DEMONYM_SUFFIX = re.compile(r"(?:ian|ean|ese|ish|ans|ians|eans)$")


def is_demonym(text: str, gazetteer: "Gazetteer | None" = None) -> bool:
    """True for nationality words ("Colombian", "Ecuadorians") that the gazetteer does not list as a place name."""
    if text in demonyms():
        return True
    if gazetteer is not None and gazetteer.has_name(text):
        return False
    return bool(text[:1].isupper() and " " not in text and _DEMONYM_SUFFIX.search(text))


def _trim(span: "Span") -> tuple[int, int] | None:
    """Token bounds of the span without leading articles and trailing possessives/punctuation."""
    start, end = span.start, span.end
    doc = span.doc
    while start < end and (doc[start].text in _LEADING or doc[start].is_punct or doc[start].is_space):
        start += 1
    while end > start and (doc[end - 1].text in _TRAILING or doc[end - 1].is_punct or doc[end - 1].is_space):
        end -= 1
    if end <= start:
        return None
    return start, end


def _split_commas(doc: "Doc", start: int, end: int) -> list[tuple[int, int]]:
    """"Springfield, Illinois" -> [Springfield], [Illinois]: split an entity on commas."""
    parts: list[tuple[int, int]] = []
    s = start
    for i in range(start, end):
        if doc[i].text == ",":
            if i > s:
                parts.append((s, i))
            s = i + 1
    if end > s:
        parts.append((s, end))
    return parts


def _entity_pieces(doc: "Doc", labels: frozenset[str]) -> Iterator[tuple["Span", int, int]]:
    """``(entity, start, end)`` token bounds of each comma-separated piece of the entities with these labels,
    leading articles and trailing punctuation trimmed."""
    for ent in doc.ents:
        if ent.label_ not in labels:
            continue
        bounds = _trim(ent)
        if bounds is not None:
            for s, e in _split_commas(doc, *bounds):
                yield ent, s, e


def find_mentions(doc: "Doc", gazetteer: "Gazetteer") -> list[Mention]:
    """Place mentions in ``doc``, sorted by start offset.

    Besides place entities, a gazetteer name inside an organisation's name ("the Texas Department of Health",
    "Dublin City Council", "the U.S. Centers for Disease Control") is a mention of that place, as annotators
    of news corpora count it. A compass word before a name the gazetteer does not know as a whole is left out
    of the span ("Northeast Georgia" -> "Georgia"); an abbreviation keeps its final period ("W.Va.").
    """
    out: list[Mention] = []
    for ent, s, e in _entity_pieces(doc, PLACE_LABELS):
        from_ruler = _is_ruler(ent)
        if e - s > 1 and doc[s].text in _COMPASS and not gazetteer.has_name(doc[s:e].text) \
                and gazetteer.has_name(doc[s + 1 : e].text):
            s += 1
        m = _mention(doc, s, e, ent.label_, from_ruler, gazetteer)
        if m is not None:
            out.append(m)
    embedded = doc.spans[_EMBEDDED_KEY] if _EMBEDDED_KEY in doc.spans else ()
    for span in embedded:
        if span[0].ent_type_ not in _HOST_LABELS or span[-1].ent_type_ not in _HOST_LABELS:
            continue
        if any(m.token_start < span.end and span.start < m.token_end for m in out):
            continue
        m = _mention(doc, span.start, span.end, span.label_, True, gazetteer)
        if m is not None:
            out.append(m)
    out.extend(_mislabelled_places(doc, out, gazetteer))
    out.sort(key=lambda m: m.start)
    return _drop_pathogen_names(doc.text, _drop_surnames(doc, _drop_news_outlets(doc, out)))


_PREP_BEFORE = re.compile(r"\b(?:in|at|near|outside)\s$")

#: Entity types the statistical model gives place names it does not know ("at Randwick" as an organisation).
_MISLABELS = frozenset({"ORG", "PERSON", "NORP"})


def _mislabelled_places(doc: "Doc", found: list[Mention], gazetteer: "Gazetteer") -> list[Mention]:
    """One-word entities tagged as organisations or people that the article itself shows to be places.

    A single capitalised word that is a gazetteer name (not a mere alternate name) counts as a place when the
    same name is a place mention elsewhere in the article (one sense per discourse), when it follows a place
    mention as "Pandi, Bulacan" (a town and its province), or when a locative preposition introduces it
    ("at Randwick", "in Pirbright"). A capitalised word no entity covers counts when the article places the same
    name elsewhere ("Esperance residents noticed..."). Only articles with some other place mention are searched.
    """
    from geo.gazetteer.text import fold

    if not found:
        return []
    names = {fold(m.text) for m in found}
    ends = {m.end for m in found}
    taken = {(m.token_start, m.token_end) for m in found}
    stop = stoplist()
    text = doc.text
    pending: list[tuple[int, str, bool]] = []  # token, folded word, placed by its own context
    for _, s, e in _entity_pieces(doc, _MISLABELS):
        if e - s != 1 or (s, e) in taken:
            continue
        tok = doc[s]
        word = tok.text
        if not word[:1].isupper() or word.isupper() or word in stop or is_demonym(word, gazetteer):
            continue
        if not any(q < 2 for _, q in gazetteer.entries(word)):
            continue
        after_place = text[max(0, tok.idx - 2) : tok.idx] == ", " and (tok.idx - 2) in ends
        after_prep = _PREP_BEFORE.search(text, max(0, tok.idx - 12), tok.idx) is not None
        pending.append((s, fold(word), after_place or after_prep))
    # a word no entity covers, spelt as a name the article places elsewhere ("Esperance residents noticed")
    in_ents = {i for ent in doc.ents for i in range(ent.start, ent.end)}
    for tok in doc:
        if tok.i in in_ents or (tok.i, tok.i + 1) in taken or not tok.is_title or tok.text in stop:
            continue
        if tok.i > 0 and doc[tok.i - 1].is_title and not doc[tok.i - 1].is_sent_start:
            continue  # the tail of a longer name ("Johns Hopkins", "Main Street")
        key = fold(tok.text)
        if key in names and not is_demonym(tok.text, gazetteer):
            pending.append((tok.i, key, False))
    out: list[Mention] = []
    # placed words first, then the other mentions of the names they and the model's places carry
    for s, key, placed in sorted(pending, key=lambda p: not p[2]):
        if placed or key in names:
            m = _mention(doc, s, s + 1, "GPE", False, gazetteer)
            if m is not None:
                out.append(m)
                names.add(key)
    return out


#: Masthead words that make a place name before them the name of a newspaper ("the New York Times", "China
#: Daily", "Lansing State Journal", "the Bucharest Daily News").
_MASTHEAD_AFTER = re.compile(r"(?:\s+(?:State|Daily|Sunday|Evening|Morning|Free))?\s+(?:Times|Herald|Tribune|Gazette"
                             r"|Chronicle|Telegraph|Inquirer|Journal|Daily|Post-Dispatch|Post-Gazette|Star-Tribune"
                             r"|Star-Ledger)\b")
#: Words that name a newspaper or a broadcaster only when the model takes the whole name for an organisation
#: ("the Washington Post", "the Indianapolis Star", "Kenya News Agency", "Kenya Broadcasting Corporation").
_OUTLET_AFTER = re.compile(r"\s+(?:Post|Star|Sun|Globe|Examiner|Courier|Dispatch|Observer|Bee|Mail|Independent"
                           r"|Guardian|Press|Record|Register|News|Standard|Express|Mirror|Radio|Television|TV"
                           r"|Broadcasting)\b")
#: An outlet's name before a place name: "the Times of India", "Voice of America", "Radio Pyongyang".
_OUTLET_BEFORE = re.compile(r"\b(?:(?:Times|Voice|Herald|Tribune|Gazette|News)\s+of\s+(?:the\s+)?"
                            r"|Radio\s+(?:Free\s+)?)$")


def _drop_news_outlets(doc: "Doc", mentions: list[Mention]) -> list[Mention]:
    """Leave out place names that are part of a news outlet's name ("Mr. Kemp told the New York Times", "according
    to China Daily", "Voice of America"): an event atlas places what happened, not who reported it. A masthead
    word such as "Times" or "Journal" suffices; a word that is also an ordinary noun ("Post", "Star", "News")
    counts only when the model tags it as part of an organisation."""
    text = doc.text
    out = []
    for m in mentions:
        if _MASTHEAD_AFTER.match(text, m.end) or _OUTLET_BEFORE.search(text, max(0, m.start - 24), m.start):
            continue
        after = _OUTLET_AFTER.match(text, m.end)
        if after is not None:
            tok = doc.char_span(after.end() - len(after.group().strip()), after.end())
            if tok is not None and tok[0].ent_type_ == "ORG":
                continue
        out.append(m)
    return out


def _drop_surnames(doc: "Doc", mentions: list[Mention]) -> list[Mention]:
    """Leave out one-word mentions of a name the article gives a person as surname ("Governor David Paterson ...
    Paterson says"): news refers to people by surname after the first mention. Only a plain name of two or three
    capitalised words counts as a person's, and a name the article places anywhere stays a place in all its
    mentions (one sense per discourse): after a locative preposition ("the factory in Paterson") or joined to
    another place mention ("Darfur and Malakal")."""
    from geo.gazetteer.text import fold

    surnames = {fold(ent[-1].text) for ent in doc.ents if ent.label_ == "PERSON" and 1 < len(ent) <= 3
                and all(t.is_title and t.is_alpha for t in ent)}
    if not surnames:
        return mentions
    text = doc.text
    ends = {m.end for m in mentions}
    starts = {m.start for m in mentions}
    placed = set()
    for m in mentions:
        key = fold(m.text)
        if key not in surnames:
            continue
        before = _JOINED_BEFORE.search(text, max(0, m.start - 8), m.start)
        after = _JOINED_AFTER.match(text, m.end)
        if _LOCATIVE_BEFORE.search(text, max(0, m.start - 20), m.start) \
                or (before is not None and before.start() in ends) or (after is not None and after.end() in starts):
            placed.add(key)
    return [m for m in mentions if m.token_end - m.token_start != 1 or fold(m.text) not in surnames - placed]


#: Joins between two place mentions ("Darfur and Malakal", "Pandi, Bulacan").
_JOINED_BEFORE = re.compile(r"(?:,|\s+and|\s+or)\s+$")
_JOINED_AFTER = re.compile(r"(?:,|\s+and|\s+or)\s+")


#: A word after a place name that makes the name part of a pathogen's or a disease's name ("West Nile virus",
#: "Reston ebolavirus", "Marburg haemorrhagic fever").
_PATHOGEN_AFTER = re.compile(r"[\s-]*(?:[a-z]*virus(?:es)?|fever|ha?emorrhagic|encephalitis)\b", re.IGNORECASE)
#: A preposition right before a name that makes it a place again ("cases in Marburg").
_LOCATIVE_BEFORE = re.compile(r"\b(?:in|at|near|from|to|into|around|outside)\s+(?:the\s+)?$", re.IGNORECASE)


def _drop_pathogen_names(text: str, mentions: list[Mention]) -> list[Mention]:
    """Leave out names used for a pathogen: the mention followed by "virus"/"fever"/..., and, once a name is so
    used in the article, its other mentions unless a locative preposition introduces them ("the spread of
    Marburg" is the virus; "first seen in Marburg" is the town)."""
    from geo.gazetteer.text import fold

    pathogens = {fold(m.text) for m in mentions if _PATHOGEN_AFTER.match(text, m.end)}
    if not pathogens:
        return mentions
    return [m for m in mentions if fold(m.text) not in pathogens or (
        not _PATHOGEN_AFTER.match(text, m.end) and _LOCATIVE_BEFORE.search(text, max(0, m.start - 20), m.start))]


_EMBEDDED_KEY = "geo_embedded"  # geo.nlp.EMBEDDED_KEY (not imported: this module must not load spaCy)


def _mention(doc: "Doc", s: int, e: int, label: str, from_ruler: bool, gazetteer: "Gazetteer") -> Mention | None:
    span = doc[s:e]
    text = span.text
    if not any(ch.isalpha() for ch in text):
        return None
    if is_demonym(text, gazetteer):
        return None
    if label == "FAC" and not gazetteer.has_name(text):
        return None
    end_char = span.end_char
    if "." in text and doc.text[end_char : end_char + 1] == "." and not text.endswith("."):
        end_char += 1  # "W.Va." whose period the tokenizer split off as the sentence's full stop
        text = doc.text[span.start_char : end_char]
    return Mention(span.start_char, end_char, text, label, from_ruler, s, e)


def _is_ruler(ent: "Span") -> bool:
    """True when the gazetteer ruler (not the statistical model) tagged this entity."""
    return ent.kb_id_ == "gazetteer"
