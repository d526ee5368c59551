"""Score the event-place linker on a gold corpus of single sentences (``event_location.jsonl``).

Each row has one sentence, its event verb(s) and, per verb, the gold ``location_spans`` (possibly none: the
sentence does not say where). Rows whose ``answer`` is ``reject`` are negative examples of the annotation tool
and are excluded. For every event the linker returns zero or more place spans, best first
(:func:`geo.event_place.link_event_places`). Four figures, from the easiest to the one closest to Halterman's:

- ``per_event`` (the pipeline's view: one place per event): the *first* predicted span against the gold,
  *strict* (equal spans) or *overlap*; ``precision = hits / events with a prediction``, ``recall = hits /
  events with gold``. A prediction for an event without gold is a false positive.
- ``per_mention``: every predicted span and every gold span is an item; precision = predicted spans that
  overlap a gold span / predicted spans, recall = gold spans overlapped by a prediction / gold spans.
- ``per_token``: tokens of the predicted spans against tokens of the gold spans, summed over events. This is
  Halterman's measure ("measured by token, precision and recall over 0.83", Halterman 2019, "Geolocating
  Political Events in Text"): his model labels each token of the sentence as the event's location or not, so
  gold tokens the recogniser never proposes count as misses. It is the fairest comparison with his figure and
  the one to quote against it.
- ``per_candidate``: the classification of the recognised place mentions of the sentence (the candidates the
  linker ranks): precision = chosen candidates that overlap gold / chosen, recall = chosen gold candidates /
  candidates that overlap gold. It leaves out gold places no candidate covers (see ``reachable``), so it is
  the *easiest* figure: report it beside ``per_token``, never instead of it.

Annotation conventions differ by source (``by_source``): e.g. Masdar_RA marks a location on about 11% of its
events, so plainly placed events there ("killed in clashes in Aleppo") count as false positives.

Gold spans: part of the file carries token offsets where character offsets are expected (see
:func:`gold_spans`); they are repaired by default and counted in ``repaired``. ``reachable`` counts the gold
events where some candidate mention overlaps a gold span (the recall ceiling the mention finder leaves to the
linker).

The place mentions come from the project's geoparser when a gazetteer is built (``toponyms="geoparse"``) or,
with ``toponyms="ner"``, from spaCy's GPE/LOC/FAC entities; in both cases the linker adds the sentence's
unresolved place names (:func:`geo.event_place.unresolved_mentions`).
"""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path
from typing import Any, Iterable, Iterator, Sequence

from geo.errors import ArticleFormatError, InputError
from geo.event_place import link_event_places, rank_event_places
from geo.model import Toponym

__all__ = ["GOLD_STANDARD_SOURCE", "HALVES", "SUBSETS", "EventScorer", "evaluate_events", "gold_spans", "iter_gold",
           "prf", "score_docs"]

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


def _overlaps(a: int, b: int, spans: Sequence[tuple[int, int]]) -> bool:
    return any(a < y and x < b for x, y in spans)


def _tokens(doc: Any, spans: Sequence[tuple[int, int]]) -> set[int]:
    """Indices of the tokens that share a character with one of ``spans``."""
    out: set[int] = set()
    for a, b in spans:
        span = doc.char_span(a, b, alignment_mode="expand")
        if span is not None:
            out.update(range(span.start, span.end))
    return out


class EventScorer:
    """Accumulates the per-event, per-mention, per-token and per-candidate counts (see module doc)."""

    def __init__(self, errors: int = 0) -> None:
        self.counts = {"events": 0, "gold": 0, "reachable": 0, "predicted": 0, "strict": 0, "overlap": 0,
                       "repaired": 0}
        self.mention = {"gold": 0, "predicted": 0, "pred_correct": 0, "gold_found": 0}
        self.token = {"gold": 0, "predicted": 0, "correct": 0}
        self.cand = {"candidates": 0, "gold_candidates": 0, "predicted": 0, "correct": 0}
        self.by_source: dict[str, dict[str, int]] = defaultdict(lambda: {"gold": 0, "predicted": 0, "overlap": 0})
        self.max_errors = errors
        self.wrong: list[dict[str, Any]] = []

    def add(self, doc: Any, source: str, gold: list[tuple[int, int]], preds: Sequence[Toponym],
            candidates: Sequence[Toponym], verb: str | None = None) -> None:
        """Score one event: ``preds`` the linked places (best first), ``candidates`` the mentions considered."""
        c, text = self.counts, doc.text
        src = self.by_source[source]
        c["events"] += 1
        c["gold"] += bool(gold)
        src["gold"] += bool(gold)
        c["reachable"] += any(_overlaps(t.start, t.end, gold) for t in candidates)
        pspans = [(p.start, p.end) for p in preds]
        # per mention: every predicted span and every gold span is one item
        self.mention["gold"] += len(gold)
        self.mention["predicted"] += len(pspans)
        self.mention["pred_correct"] += sum(_overlaps(a, b, gold) for a, b in pspans)
        self.mention["gold_found"] += sum(_overlaps(a, b, pspans) for a, b in gold)
        # per token (Halterman's measure)
        gtok, ptok = _tokens(doc, gold), _tokens(doc, pspans)
        self.token["gold"] += len(gtok)
        self.token["predicted"] += len(ptok)
        self.token["correct"] += len(gtok & ptok)
        # per candidate: the classification of the recognised mentions
        chosen = set(pspans)
        for t in candidates:
            pos = _overlaps(t.start, t.end, gold)
            self.cand["candidates"] += 1
            self.cand["gold_candidates"] += pos
            if (t.start, t.end) in chosen:
                self.cand["predicted"] += 1
                self.cand["correct"] += pos
        if not pspans:
            if gold and len(self.wrong) < self.max_errors:
                self.wrong.append({"text": text, "verb": verb, "gold": [text[a:b] for a, b in gold], "pred": None})
            return
        first = pspans[0]
        c["predicted"] += 1
        src["predicted"] += 1
        strict = any(first == g for g in gold)
        overlap = _overlaps(*first, gold)
        c["strict"] += strict
        c["overlap"] += overlap
        src["overlap"] += overlap
        if not overlap and len(self.wrong) < self.max_errors:
            self.wrong.append({"text": text, "verb": verb, "gold": [text[a:b] for a, b in gold],
                               "pred": [text[a:b] for a, b in pspans]})

    def result(self) -> dict[str, Any]:
        """The figures (see module doc for each definition)."""
        c, m, t, k = self.counts, self.mention, self.token, self.cand
        out: dict[str, Any] = {
            **c,
            "per_event": {"strict": prf(c["strict"], c["predicted"], c["gold"]),
                          "overlap": prf(c["overlap"], c["predicted"], c["gold"])},
            "per_mention": {**m, **_prf2(m["pred_correct"], m["predicted"], m["gold_found"], m["gold"])},
            "per_token": {**t, **prf(t["correct"], t["predicted"], t["gold"])},
            "per_candidate": {**k, **prf(k["correct"], k["predicted"], k["gold_candidates"])},
            "by_source": {s: {**v, **prf(v["overlap"], v["predicted"], v["gold"])}
                          for s, v in sorted(self.by_source.items())},
        }
        # kept for callers of the earlier report
        out["strict_scores"] = out["per_event"]["strict"]
        out["overlap_scores"] = out["per_event"]["overlap"]
        if self.max_errors:
            out["errors"] = self.wrong
        return out


def _prf2(tp_p: int, predicted: int, tp_r: int, gold: int) -> dict[str, float]:
    """Precision and recall with different true-positive counts (one-to-many matches)."""
    p = tp_p / predicted if predicted else 0.0
    r = tp_r / gold if gold else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"precision": round(p, 4), "recall": round(r, 4), "f1": round(f, 4)}


def score_docs(rows: Sequence[dict[str, Any]], docs: Iterable[Any], toponyms: Iterable[Sequence[Toponym]], *,
               errors: int = 0, repair: bool = True, learned: bool = True) -> dict[str, Any]:
    """Score the linker on parsed ``docs`` (one per row) with their place mentions (``learned``: use the learned
    link scorer when its file is present, else the hand-set costs)."""
    scorer = EventScorer(errors)
    for row, doc, tops in zip(rows, docs, toponyms):
        for ev in row["events"]:
            gold, fixed = gold_spans(row["text"], ev.get("location_spans"), doc if repair else None, repair=repair)
            scorer.counts["repaired"] += fixed
            s, e = int(ev["start"]), int(ev["end"])
            cands = [lk.toponym for lk in rank_event_places(doc, s, e, tops)]
            preds = link_event_places(doc, s, e, tops, learned=learned)
            scorer.add(doc, str(row.get("source")), gold, preds, cands, ev.get("verb"))
    return scorer.result()


#: Halves of the usable rows (by index). The shipped link scorer is fitted on both, outside the gold standard (its
#: file's ``trained_on`` says so); ``tests/bench/train_event_linker.py --rows even`` keeps "odd" out of training.
HALVES = {"even": 0, "odd": 1}

#: The corpus's own gold-standard rows (``source`` RELABEL, re-annotated by its author; the other sources are
#: research assistants' first-pass labels). The learned link scorer is never fitted on them, so they are a clean
#: test set in either half, and the set Halterman's published figure is measured on.
GOLD_STANDARD_SOURCE = "RELABEL"

#: The row selections :func:`evaluate_events` accepts.
SUBSETS = (*HALVES, "gold-standard")


def evaluate_events(path: Path, limit: int | None = None, *, toponyms: str | None = None,
                    errors: int = 0, repair: bool = True, half: str | None = None,
                    learned: bool = True) -> dict[str, Any]:
    """Precision/recall/F1 of the predicted event-location spans against the gold spans (see module doc).

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
    half:
        ``"even"`` or ``"odd"`` (usable rows with an even or odd index, see :data:`HALVES`),
        ``"gold-standard"`` (the corpus's re-annotated rows, see :data:`GOLD_STANDARD_SOURCE`, in both halves;
        never trained on: the figure to quote); ``None`` scores every row.
    learned:
        Use the learned link scorer (when installed); ``False`` scores the hand-set linker.
    """
    if half is not None and half not in SUBSETS:
        raise InputError(f"half must be one of {sorted(SUBSETS)}, not {half!r}")
    source = toponyms or _default_source()
    nlp, find = _load(source)
    rows = list(iter_gold(Path(path), limit))
    if half == "gold-standard":
        rows = [r for r in rows if r.get("source") == GOLD_STANDARD_SOURCE]
    elif half is not None:
        rows = rows[HALVES[half]::2]
    docs = list(nlp.pipe((r["text"] for r in rows), batch_size=256))
    result = score_docs(rows, docs, (find(d) for d in docs), errors=errors, repair=repair, learned=learned)
    return {"file": str(path), "toponyms": source, "rows": len(rows), "half": half or "all", **result}
