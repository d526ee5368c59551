"""Score the event-place linker on a gold corpus of single sentences (``event_location.jsonl``).

Each row has one sentence, its event verb(s) and, per verb, the gold ``location_spans`` (possibly none: the
sentence does not say where). Rows whose ``answer`` is ``reject`` are negative examples of the annotation tool
and are excluded. For every event the linker predicts at most one span (or none).

Matching, per event:

- *strict*: the predicted span equals one of the gold spans;
- *overlap*: the predicted span overlaps one of the gold spans.

Gold spans: part of the file carries token offsets where character offsets are expected (see
:func:`gold_spans`); they are repaired by default and counted in ``repaired``.

``precision = matched / predicted`` (events with a prediction), ``recall = matched / gold`` (events with at
least one gold span), ``F1`` their harmonic mean. ``reachable`` counts the gold events where some candidate mention overlaps a gold
span (the recall ceiling the mention finder leaves to the linker). A prediction for an event whose gold is empty is a false
positive; an event with gold spans and no (or a wrong) prediction is a false negative. ``by_source`` repeats the
overlap figures per annotation source.

The place mentions come from the project's geoparser when a gazetteer is built (``toponyms="geoparse"``) or,
with ``toponyms="ner"``, from spaCy's GPE/LOC/FAC entities, so the linker can be scored on its own.
"""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path
from typing import Any, Iterator

from geo.errors import ArticleFormatError, InputError
from geo.event_place import link_event_place
from geo.model import Toponym

__all__ = ["evaluate_events", "iter_gold", "prf"]

_NER_LABELS = ("GPE", "LOC", "FAC")


def iter_gold(path: Path, limit: int | None = None) -> Iterator[dict[str, Any]]:
    """Rows of an event-location JSONL file that carry events and are not rejected."""
    p = Path(path)
    try:
        fh = p.open(encoding="utf-8")
    except OSError as exc:
        raise InputError(f"cannot read gold file: {exc.strerror}", p) from exc
    n = 0
    with fh:
        for lineno, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as exc:
                raise ArticleFormatError(f"invalid JSON: {exc.msg}", p, lineno) from exc
            if not isinstance(row, dict) or "text" not in row or "events" not in row:
                raise ArticleFormatError("row needs 'text' and 'events'", p, lineno)
            if row.get("answer") == "reject" or not row["events"]:
                continue
            yield row
            n += 1
            if limit is not None and n >= limit:
                return


def _valid_span(text: str, start: int, end: int) -> bool:
    """A character span that covers whole words and starts with a letter or digit."""
    if not (0 <= start < end <= len(text)):
        return False
    piece = text[start:end]
    if len(piece.strip()) < 2 or not piece[0].isalnum():
        return False
    return (start == 0 or not text[start - 1].isalnum()) and (end == len(text) or not text[end].isalnum())


def gold_spans(text: str, spans: Any, doc: Any = None, *, repair: bool = True) -> tuple[list[tuple[int, int]], int]:
    """Character gold spans of one event, and how many were repaired.

    Part of ``event_location.jsonl`` (the rows converted from token-level annotations) carries *token* offsets
    with an inclusive end where character offsets are expected: ``[6, 7]`` for "Las Vegas" shows as "w", and a
    one-token place as an empty span. With ``repair`` (and a tokenised ``doc`` of the same text), a span that is
    not a whole-word character span is read as spaCy tokens ``doc[start:end + 1]`` when that gives a name
    (starts with an upper-case letter or digit); otherwise it is dropped.
    """
    out: list[tuple[int, int]] = []
    repaired = 0
    for raw in spans or ():
        a, b = int(raw[0]), int(raw[1])
        if _valid_span(text, a, b):
            out.append((a, b))
            continue
        if repair and doc is not None and 0 <= a <= b < len(doc):
            tok = doc[a:b + 1]
            if tok.text and (tok.text[0].isupper() or tok.text[0].isdigit()):
                out.append((tok.start_char, tok.end_char))
                repaired += 1
    return out, repaired


def prf(tp: int, predicted: int, gold: int) -> dict[str, float]:
    """Precision, recall and F1 (0 when undefined)."""
    p = tp / predicted if predicted else 0.0
    r = tp / gold if gold else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"precision": round(p, 4), "recall": round(r, 4), "f1": round(f, 4)}


def _ner_toponyms(doc: Any) -> list[Toponym]:
    return [Toponym(e.start_char, e.end_char, e.text) for e in doc.ents if e.label_ in _NER_LABELS]


def _union(first: list[Toponym], extra: list[Toponym]) -> list[Toponym]:
    """``first`` plus the mentions of ``extra`` that overlap none of them."""
    out = list(first)
    for t in extra:
        if not any(t.start < o.end and o.start < t.end for o in first):
            out.append(t)
    return sorted(out, key=lambda t: t.start)


def _load(toponyms: str) -> tuple[Any, Any]:
    """(nlp, toponym function) for the chosen source of place mentions."""
    if toponyms == "geoparse":
        from geo.gazetteer import load_gazetteer
        from geo.nlp import load_nlp
        from geo.resolve import geoparse

        gaz = load_gazetteer()
        return load_nlp(gaz, parser=True), (lambda doc: geoparse(doc, gaz))
    if toponyms == "geoparse+ner":
        nlp, geoparse_fn = _load("geoparse")
        return nlp, (lambda doc: _union(geoparse_fn(doc), _ner_toponyms(doc)))
    if toponyms == "ner":
        import spacy

        from geo.nlp import MODEL_NAMES

        for name in MODEL_NAMES:
            try:
                return spacy.load(name), _ner_toponyms
            except OSError:
                continue
        raise InputError("no English spaCy model installed")
    raise InputError(f"toponyms must be 'geoparse' or 'ner', not {toponyms!r}")


def _default_source() -> str:
    try:
        import geo.resolve  # noqa: F401
        from geo.gazetteer import load_gazetteer

        load_gazetteer()
        return "geoparse"
    except Exception:  # no geoparser or no built gazetteer: score the linker on NER mentions
        return "ner"


def evaluate_events(path: Path, limit: int | None = None, *, toponyms: str | None = None,
                    errors: int = 0, repair: bool = True) -> dict[str, Any]:
    """Precision/recall/F1 of the predicted event-location span against the gold spans (see module doc).

    Parameters
    ----------
    path:
        An ``event_location.jsonl``-style file.
    limit:
        Score only the first ``limit`` usable rows.
    toponyms:
        ``"geoparse"`` (the project's geoparser), ``"ner"`` (spaCy entities), ``"geoparse+ner"`` (both) or ``None``
        (geoparse when available).
    errors:
        Also return up to this many wrong predictions (for error analysis).
    repair:
        Read token-offset gold spans as tokens (see :func:`gold_spans`); ``False`` scores the file as it is, with
        spans that are not whole-word character spans dropped.
    """
    source = toponyms or _default_source()
    nlp, find = _load(source)
    rows = list(iter_gold(Path(path), limit))
    counts = {"events": 0, "gold": 0, "reachable": 0, "predicted": 0, "strict": 0, "overlap": 0, "repaired": 0}
    by_source: dict[str, dict[str, int]] = defaultdict(lambda: {"gold": 0, "predicted": 0, "overlap": 0})
    wrong: list[dict[str, Any]] = []
    docs = nlp.pipe((r["text"] for r in rows), batch_size=256)
    for row, doc in zip(rows, docs):
        tops = find(doc)
        for ev in row["events"]:
            gold, fixed = gold_spans(row["text"], ev.get("location_spans"), doc if repair else None, repair=repair)
            counts["repaired"] += fixed
            pred = link_event_place(doc, int(ev["start"]), int(ev["end"]), tops)
            src = by_source[str(row.get("source"))]
            counts["events"] += 1
            counts["gold"] += bool(gold)
            counts["reachable"] += any(t.start < b and a < t.end for t in tops for a, b in gold)
            src["gold"] += bool(gold)
            if pred is None:
                if gold and len(wrong) < errors:
                    wrong.append({"text": row["text"], "verb": ev.get("verb"), "gold": [row["text"][a:b] for a, b in gold],
                                  "pred": None})
                continue
            counts["predicted"] += 1
            src["predicted"] += 1
            strict = any(pred.start == a and pred.end == b for a, b in gold)
            overlap = any(pred.start < b and a < pred.end for a, b in gold)
            counts["strict"] += strict
            counts["overlap"] += overlap
            src["overlap"] += overlap
            if not overlap and len(wrong) < errors:
                wrong.append({"text": row["text"], "verb": ev.get("verb"), "gold": [row["text"][a:b] for a, b in gold],
                              "pred": pred.text})
    result: dict[str, Any] = {
        "file": str(path),
        "toponyms": source,
        "rows": len(rows),
        **counts,
        "strict_scores": prf(counts["strict"], counts["predicted"], counts["gold"]),
        "overlap_scores": prf(counts["overlap"], counts["predicted"], counts["gold"]),
        "by_source": {k: {**v, **prf(v["overlap"], v["predicted"], v["gold"])} for k, v in sorted(by_source.items())},
    }
    if errors:
        result["errors"] = wrong
    return result
