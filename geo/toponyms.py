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
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from spacy.tokens import Doc, Span

    from geo.gazetteer import Gazetteer

#: Entity labels that may name a place.
PLACE_LABELS = frozenset({"GPE", "LOC", "FAC"})
_LEADING = {"the", "The", "THE"}
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


def find_mentions(doc: "Doc", gazetteer: "Gazetteer") -> list[Mention]:
    """Place mentions in ``doc``, sorted by start offset."""
    out: list[Mention] = []
    for ent in doc.ents:
        if ent.label_ not in PLACE_LABELS:
            continue
        bounds = _trim(ent)
        if bounds is None:
            continue
        from_ruler = _is_ruler(ent)
        for s, e in _split_commas(doc, *bounds):
            span = doc[s:e]
            text = span.text
            if not any(ch.isalpha() for ch in text):
                continue
            if is_demonym(text, gazetteer):
                continue
            if ent.label_ == "FAC" and not gazetteer.has_name(text):
                continue
            out.append(Mention(span.start_char, span.end_char, text, ent.label_, from_ruler, s, e))
    out.sort(key=lambda m: m.start)
    return out


def _is_ruler(ent: "Span") -> bool:
    """True when the gazetteer ruler (not the statistical model) tagged this entity."""
    return ent.kb_id_ == "gazetteer"
