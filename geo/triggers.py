"""Event triggers: the words that say something happened, typed by the taxonomy, and whether it really happened.

The taxonomy lives in ``geo/data/event_types.json`` (data, not code): per type, single-token lemmas with the
parts of speech they may have and multi-token phrases. Matching runs over spaCy tokens: the longest phrase wins
("hunger strike" is a protest, "strike" alone a military strike), and a trigger inside a stop phrase ("battle
against drug trafficking", "strike a deal") is dropped.

:func:`assess_modality` decides whether a trigger reports a real event: negation ("did not attack", "no
protests"), modals and futures ("may strike", "will protest", "is set to march"), governing verbs and nouns of
intention or threat ("threatened to attack", "plans a protest", "fears of an attack") and hedging modifiers
("a planned strike", "possible attacks") all make it not happened.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any, Mapping

from geo.errors import InputError

if TYPE_CHECKING:  # pragma: no cover
    from spacy.tokens import Doc, Token

__all__ = ["Taxonomy", "Trigger", "load_taxonomy", "find_triggers", "assess_modality"]

_MODALS = {"will", "would", "may", "might", "could", "should", "can", "must", "shall", "'ll", "wo", "ca"}
_INTENT_VERBS = {
    "threaten", "plan", "vow", "warn", "promise", "intend", "want", "seek", "propose", "prepare", "consider",
    "hope", "expect", "urge", "pledge", "fear", "prevent", "avert", "foil", "thwart", "avoid", "risk",
    "refuse", "reject", "cancel", "postpone", "ban", "prohibit", "deter", "call", "demand", "schedule",
    "aim", "try", "wish", "decide", "agree", "discuss", "authorize", "ask", "need",
}
_INTENT_NOUNS = {
    "threat", "fear", "risk", "possibility", "plan", "prospect", "danger", "warning", "call", "demand", "plot",
    "attempt", "bid", "rumor", "rumour", "prevention", "ban", "absence", "lack", "threats", "fears",
}
_FUTURE_HEADS = {"set", "due", "expect", "schedule", "go", "about", "likely", "poised", "slate", "plan"}
_EXISTENTIAL = {"happen", "occur", "take", "materialize", "go", "be", "begin", "start", "continue", "erupt"}
_HEDGE_MODIFIERS = {
    "planned", "possible", "potential", "proposed", "future", "threatened", "imminent", "feared", "hypothetical",
    "prospective", "upcoming", "expected", "likely",
}


@dataclass(frozen=True)
class EventType:
    """One taxonomy entry."""

    key: str
    family: str
    label: str
    rank: int


@dataclass(frozen=True)
class Trigger:
    """A trigger found in a doc: token range ``[start, end)``, its head token and its event type."""

    start: int
    end: int
    head: int
    type: EventType

    def char_span(self, doc: "Doc") -> tuple[int, int]:
        return doc[self.start].idx, doc[self.end - 1].idx + len(doc[self.end - 1])


class Taxonomy:
    """The event taxonomy loaded from its data file (see ``geo/data/event_types.json``)."""

    def __init__(self, data: Mapping[str, Any], source: str = "<taxonomy>") -> None:
        try:
            self.families: dict[str, str] = {k: v.get("label", k) for k, v in data["families"].items()}
            self.types: dict[str, EventType] = {}
            self.lemmas: dict[str, list[tuple[frozenset[str], EventType]]] = {}
            self.phrases: dict[str, list[tuple[tuple[str, ...], EventType]]] = {}
            for key, spec in data["types"].items():
                family = spec["family"]
                if family not in self.families:
                    raise InputError(f"type {key!r} has unknown family {family!r}", source)
                et = EventType(key, family, spec.get("label", key), int(spec.get("rank", 1)))
                self.types[key] = et
                for lemma, pos in spec.get("lemmas", {}).items():
                    self.lemmas.setdefault(lemma.lower(), []).append((frozenset(pos), et))
                for phrase in spec.get("phrases", []):
                    words = tuple(phrase.lower().split())
                    self.phrases.setdefault(words[0], []).append((words, et))
            self.stop: dict[str, list[tuple[str, ...]]] = {}
            for phrase in data.get("stop_phrases", []):
                words = tuple(phrase.lower().split())
                self.stop.setdefault(words[0], []).append(words)
            self.anaphors: frozenset[str] = frozenset(a.lower() for a in data.get("anaphors", []))
        except (KeyError, TypeError, AttributeError) as exc:
            raise InputError(f"malformed event taxonomy: {exc!r}", source) from exc
        for bucket in self.phrases.values():
            bucket.sort(key=lambda x: -len(x[0]))

    @classmethod
    def from_path(cls, path: str | Path) -> "Taxonomy":
        """Load a taxonomy JSON file; malformed files raise :class:`~geo.errors.InputError` naming the file."""
        p = Path(path)
        try:
            data = json.loads(p.read_text(encoding="utf-8"))
        except OSError as exc:
            raise InputError(f"cannot read event taxonomy: {exc.strerror}", p) from exc
        except json.JSONDecodeError as exc:
            raise InputError(f"invalid JSON: {exc.msg}", p, exc.lineno) from exc
        return cls(data, str(p))

    def family_label(self, family: str) -> str:
        return self.families.get(family, family)


@lru_cache(maxsize=1)
def load_taxonomy() -> Taxonomy:
    """The packaged taxonomy, loaded once."""
    ref = resources.files("geo") / "data" / "event_types.json"
    with resources.as_file(ref) as p:
        return Taxonomy.from_path(p)


def _word_matches(tok: "Token", word: str) -> bool:
    return tok.lower_ == word or tok.lemma_.lower() == word


def _match_at(doc: "Doc", i: int, words: tuple[str, ...], stop_at: int) -> bool:
    if i + len(words) > stop_at:
        return False
    return all(_word_matches(doc[i + k], w) for k, w in enumerate(words))


def _stopped(doc: "Doc", taxonomy: Taxonomy, lo: int, hi: int) -> set[int]:
    """Token indices covered by a stop phrase within ``[lo, hi)``."""
    covered: set[int] = set()
    for i in range(lo, hi):
        tok = doc[i]
        for key in {tok.lower_, tok.lemma_.lower()}:
            for words in taxonomy.stop.get(key, ()):
                if _match_at(doc, i, words, hi):
                    covered.update(range(i, i + len(words)))
    return covered


def find_triggers(doc: "Doc", taxonomy: Taxonomy | None = None, *, start: int = 0, end: int | None = None
                  ) -> list[Trigger]:
    """Triggers in tokens ``[start, end)`` of ``doc`` (default: the whole doc), left to right."""
    tax = taxonomy or load_taxonomy()
    end = len(doc) if end is None else end
    stopped = _stopped(doc, tax, start, end)
    out: list[Trigger] = []
    i = start
    while i < end:
        tok = doc[i]
        found: Trigger | None = None
        for key in dict.fromkeys((tok.lower_, tok.lemma_.lower())):
            for words, et in tax.phrases.get(key, ()):
                if _match_at(doc, i, words, end):
                    span = doc[i:i + len(words)]
                    if found is None or len(words) > found.end - found.start:
                        found = Trigger(i, i + len(words), span.root.i, et)
                    break
        if found is None and not tok.ent_type_ in ("PERSON", "ORG", "GPE", "DATE"):
            for pos, et in tax.lemmas.get(tok.lemma_.lower(), ()) or tax.lemmas.get(tok.lower_, ()):
                if tok.pos_ in pos:
                    found = Trigger(i, i + 1, i, et)
                    break
        if found is not None and not any(k in stopped for k in range(found.start, found.end)):
            out.append(found)
            i = found.end
        else:
            i += 1
    return out


def _clause_checks(tok: "Token", node: "Token") -> tuple[bool, str | None]:
    for child in node.children:
        low = child.lower_
        if child.dep_ == "neg" or (child.dep_ == "det" and low in ("no", "neither")):
            return False, f"negated ('{child.text} {node.text}')"
        if child.dep_ == "amod" and low in _HEDGE_MODIFIERS:
            return False, f"hypothetical ('{child.text} {node.text}')"
        if child.dep_ in ("aux", "auxpass") and low in _MODALS:
            return False, f"modal or future ('{child.text} {node.text}')"
        if child.dep_ == "mark" and low in ("if", "unless", "whether"):
            return False, f"conditional ('{child.text} ... {node.text}')"
    return True, None


def assess_modality(doc: "Doc", head: int) -> tuple[bool, str | None]:
    """Whether the event at token ``head`` happened, and if not, a short reason.

    Walks from the trigger up its dependency ancestors: through nouns and prepositions to the first governing
    verb, and on through ``xcomp``/``conj`` links ("threatened to attack"); any negation, modal, conditional,
    hedging modifier or governing word of intent or threat on the way marks the event as not happened.
    """
    tok = doc[head]
    node = tok
    seen_verb = False
    prev_dep = ""
    for _ in range(6):
        if prev_dep in ("nsubj", "nsubjpass") and node.lemma_.lower() not in _EXISTENTIAL:
            break  # "the strike will be remembered": the modal is about the remembering, not the strike
        ok, reason = _clause_checks(tok, node)
        if not ok:
            return ok, reason
        if node.i != tok.i:
            lemma = node.lemma_.lower()
            if node.pos_ in ("VERB", "ADJ") and lemma in _INTENT_VERBS:
                return False, f"not reported as happened ('{node.text} ... {tok.text}')"
            if node.pos_ == "NOUN" and lemma in _INTENT_NOUNS:
                return False, f"not reported as happened ('{node.text} ... {tok.text}')"
            if lemma in _FUTURE_HEADS and prev_dep == "xcomp":
                return False, f"future ('{node.text} ... {tok.text}')"
        if node.pos_ in ("VERB", "AUX"):
            if seen_verb and node.dep_ not in ("xcomp", "conj"):
                break
            seen_verb = True
            if node.dep_ not in ("xcomp", "conj", "ccomp"):
                break
        if node.head.i == node.i:
            break
        prev_dep = node.dep_
        node = node.head
    return True, None
