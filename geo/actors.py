"""Actors of an event, as plain text spans: who did it and, where the sentence says, against whom.

Read from the dependency tree around the trigger: the subject of the trigger verb (or of the verb that governs
a trigger noun: "the US military conducted a strike"), the agent of a passive ("killed by gunmen"), the
possessor of a trigger noun ("the U.S. military's strike") and the object of "against" ("a strike against
narco-terrorists"). Each actor is the noun with its compounds and modifiers, without determiners; pronouns and
bare numbers are skipped. Labels: ``actor`` (the doer) and ``target``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from geo.model import Span

if TYPE_CHECKING:  # pragma: no cover
    from spacy.tokens import Doc, Token

__all__ = ["find_actors"]

_NOT_ACTORS = ("DATE", "TIME", "CARDINAL", "ORDINAL", "QUANTITY", "MONEY", "PERCENT")
_KEEP_DEPS = ("compound", "amod", "nmod", "poss", "case", "punct", "nummod", "quantmod", "npadvmod")
_SKIP_POS = ("PRON", "NUM", "DET")
_LIGHT_VERBS = {"conduct", "carry", "launch", "stage", "mount", "hold", "lead", "organize", "organise", "order",
                "claim", "perform", "execute", "make", "begin", "start", "continue", "unleash", "wage"}


def _phrase(doc: "Doc", tok: "Token") -> Span | None:
    """The noun phrase headed by ``tok``: its left modifiers (no determiner), the noun and possessive mark."""
    if tok.pos_ in _SKIP_POS or tok.like_num:
        return None
    left = tok
    for child in tok.lefts:
        if child.dep_ in _KEEP_DEPS and child.i < left.i:
            sub = list(child.subtree)
            if sub[0].i < left.i:
                left = sub[0]
    while left.i < tok.i and (left.pos_ == "DET" or left.is_punct):
        left = doc[left.i + 1]
    start, end = left.idx, tok.idx + len(tok)
    text = doc.text[start:end]
    if not text.strip() or len(text) > 80:
        return None
    return Span(start, end, text)


def _verb_of(tok: "Token") -> "Token | None":
    """The verb a noun trigger depends on when it is the verb's object ("conducted a strike")."""
    if tok.dep_ in ("dobj", "attr") and tok.head.pos_ in ("VERB", "AUX"):
        return tok.head
    return None


def find_actors(doc: "Doc", head: int) -> tuple[Span, ...]:
    """Actor and target spans for the trigger whose head token is ``head``."""
    tok = doc[head]
    found: list[Span] = []

    def add(t: "Token", label: str) -> None:
        if t.ent_type_ in _NOT_ACTORS or (label == "target" and t.ent_type_ in ("GPE", "LOC", "FAC")):
            return
        sp = _phrase(doc, t)
        if sp is not None and all(not (sp.start < f.end and f.start < sp.end) for f in found):
            found.append(Span(sp.start, sp.end, sp.text, label))
            for c in t.children:  # "Russian and Ukrainian forces": conjoined actors
                if c.dep_ == "conj":
                    add(c, label)

    verbs = [tok] if tok.pos_ in ("VERB", "AUX") else []
    gov = _verb_of(tok)
    if gov is not None and gov.lemma_.lower() in _LIGHT_VERBS:
        verbs.append(gov)
    for v in verbs:
        for child in v.children:
            if child.dep_ in ("nsubj",) and v.pos_ == "VERB":
                add(child, "actor")
            elif child.dep_ == "agent":
                for pobj in child.children:
                    if pobj.dep_ == "pobj":
                        add(pobj, "actor")
            elif child.dep_ == "nsubjpass" and v.i == tok.i:
                add(child, "target")
            elif child.dep_ == "dobj" and v.i == tok.i:
                add(child, "target")
    for child in tok.children:
        if child.dep_ == "poss" and tok.pos_ == "NOUN":
            add(child, "actor")
        if child.dep_ == "prep" and child.lower_ in ("against", "on", "targeting"):
            for pobj in child.children:
                if pobj.dep_ == "pobj":
                    add(pobj, "target")
    if gov is not None:
        for child in gov.children:
            if child.dep_ == "prep" and child.lower_ == "against":
                for pobj in child.children:
                    if pobj.dep_ == "pobj":
                        add(pobj, "target")
    found.sort(key=lambda s: s.start)
    return tuple(found)
