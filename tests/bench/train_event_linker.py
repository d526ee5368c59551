"""Fit the learned event-place scorer (``geo/data/event_link_model.json``) on ``event_location.jsonl``.

Run: ``.venv/bin/python tests/bench/train_event_linker.py [--cache DIR] [--out PATH] [--l2 X]``.

Every (event trigger, candidate place mention) pair of the corpus is one example: the features are those of
:func:`geo.event_place.link_features` (dependency path shape and length, preposition, token distance, same
clause, kind and fineness of the place, actor/origin/organisation flags, candidate count, the hand-set cost...),
the label is whether the mention overlaps a gold location span of that event. A logistic regression (numpy,
L2-regularised, Newton steps) is fitted on the *dev half* (the usable rows with an even index) only; the decision
thresholds (the lowest probability at which an event's most probable mention is linked, and the one at which a
further mention is linked too: "clashes in Aleppo and Ghouta") are those with the best per-token F1 on the dev
half. The *held-out half* (odd index) is scored once, with the figures of
:func:`geo.event_eval.score_docs`, beside the hand-set linker on the same half.

``event_location.jsonl`` is Andrew Halterman's event-location corpus, released under the MIT licence; the file
written records that in its metadata. ``--cache DIR`` keeps the parsed sentences between runs (spaCy is the slow
part). Not part of the default test run.
"""

from __future__ import annotations

import argparse
import json
import pickle
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
BENCH = ROOT.parent / "shared" / "bench"
GOLD = BENCH / "event_location.jsonl"


def _parsed(cache: Path | None) -> tuple[list[dict[str, Any]], list[Any], list[list[Any]]]:
    """(rows, docs, toponyms) of the usable gold rows, from ``cache`` when present."""
    from spacy.tokens import DocBin

    from geo.event_eval import _load, iter_gold

    nlp, find = _load("geoparse")
    if cache is not None and (cache / "docs.spacy").exists() and (cache / "rows.pkl").exists():
        rows, tops = pickle.loads((cache / "rows.pkl").read_bytes())
        docs = list(DocBin().from_disk(cache / "docs.spacy").get_docs(nlp.vocab))
        return rows, docs, tops
    rows = list(iter_gold(GOLD))
    docs = list(nlp.pipe((r["text"] for r in rows), batch_size=256))
    tops = [find(d) for d in docs]
    if cache is not None:
        cache.mkdir(parents=True, exist_ok=True)
        DocBin(docs=docs).to_disk(cache / "docs.spacy")
        (cache / "rows.pkl").write_bytes(pickle.dumps((rows, tops)))
    return rows, docs, tops


def _examples(rows, docs, tops) -> list[dict[str, Any]]:
    """One record per event: its candidates' links, labels and the gold token counts."""
    from geo.event_eval import _overlaps, _tokens, gold_spans
    from geo.event_place import rank_event_places

    out = []
    for k, (row, doc, tp) in enumerate(zip(rows, docs, tops)):
        for ev in row["events"]:
            gold, _ = gold_spans(row["text"], ev.get("location_spans"), doc)
            s, e = int(ev["start"]), int(ev["end"])
            ranked = rank_event_places(doc, s, e, tp)
            out.append({"row": k, "doc": doc, "gold": gold, "gold_tokens": _tokens(doc, gold), "links": ranked,
                        "labels": [float(_overlaps(lk.toponym.start, lk.toponym.end, gold)) for lk in ranked]})
    return out


def _matrix(examples, names: list[str]) -> tuple[np.ndarray, np.ndarray]:
    index = {n: j for j, n in enumerate(names)}
    xs, ys = [], []
    for ex in examples:
        for lk, y in zip(ex["links"], ex["labels"]):
            v = np.zeros(len(names))
            for n, val in lk.features.items():
                if n in index:
                    v[index[n]] = val
            xs.append(v)
            ys.append(y)
    return np.array(xs), np.array(ys)


def fit_logistic(x: np.ndarray, y: np.ndarray, l2: float = 1.0, iters: int = 50) -> tuple[np.ndarray, float]:
    """L2-regularised logistic regression by Newton's method (the intercept is not penalised)."""
    n, d = x.shape
    xa = np.hstack([x, np.ones((n, 1))])
    w = np.zeros(d + 1)
    reg = np.full(d + 1, l2)
    reg[-1] = 0.0
    for _ in range(iters):
        p = 1.0 / (1.0 + np.exp(-np.clip(xa @ w, -30, 30)))
        grad = xa.T @ (p - y) + reg * w
        hess = (xa * (p * (1 - p))[:, None]).T @ xa + np.diag(reg + 1e-9)
        step = np.linalg.solve(hess, grad)
        w -= step
        if np.abs(step).max() < 1e-7:
            break
    return w[:-1], float(w[-1])


def _event_outcomes(examples, model) -> list[tuple[float, set[int], set[int], list[tuple[float, set[int]]]]]:
    """Per event: (best probability, gold tokens, tokens of the best mention and those coordinated with it,
    [(probability, tokens)] of the other mentions)."""
    from geo.event_eval import _tokens
    from geo.event_place import coordinated_places, score_links

    out = []
    for ex in examples:
        scored = score_links(ex["links"], model)
        g = ex["gold_tokens"]
        if not scored:
            out.append((0.0, g, set(), []))
            continue
        best, p = scored[0]
        first = [best.toponym, *coordinated_places(ex["doc"], best.toponym, ex["links"])]
        ptok = _tokens(ex["doc"], [(t.start, t.end) for t in first])
        others = [(q, _tokens(ex["doc"], [(lk.toponym.start, lk.toponym.end)])) for lk, q in scored[1:]
                  if lk.toponym not in first]
        out.append((p, g, ptok, others))
    return out


def _sweep(outcomes) -> tuple[float, float, dict[str, float]]:
    """The thresholds (best mention, further mentions) with the best per-token F1 over the events, and that F1."""
    from geo.event_eval import prf

    best_t, best_t2, best = 0.5, 1.0, {"f1": -1.0}
    gold = sum(len(o[1]) for o in outcomes)
    for t2 in [*np.arange(0.3, 1.0, 0.05), 1.01]:
        for t in np.arange(0.05, 0.95, 0.01):
            pred = corr = 0
            for p, g, ptok, others in outcomes:
                if p < t:
                    continue
                toks = set(ptok)
                for q, tk in others:
                    if q >= max(t, t2):
                        toks |= tk
                pred += len(toks)
                corr += len(toks & g)
            r = prf(corr, pred, gold)
            if r["f1"] > best["f1"]:
                best_t, best_t2, best = float(round(t, 2)), float(round(min(t2, 1.0), 2)), r
    return best_t, best_t2, best


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--cache", type=Path, default=None, help="directory keeping the parsed sentences")
    ap.add_argument("--out", type=Path, default=ROOT / "geo" / "data" / "event_link_model.json")
    ap.add_argument("--l2", type=float, default=1.0, help="L2 penalty on the standardised coefficients")
    args = ap.parse_args(argv)
    if not GOLD.exists():
        print(f"skipped: {GOLD} not found", file=sys.stderr)
        return 0
    from geo.event_eval import score_docs
    from geo.event_place import LinkModel, load_link_model

    t0 = time.perf_counter()
    rows, docs, tops = _parsed(args.cache)
    examples = _examples(rows, docs, tops)
    dev = [ex for ex in examples if ex["row"] % 2 == 0]
    names = sorted({n for ex in dev for lk in ex["links"] for n in lk.features})
    x, y = _matrix(dev, names)
    mean, scale = x.mean(axis=0), x.std(axis=0)
    scale[scale == 0] = 1.0
    coef, intercept = fit_logistic((x - mean) / scale, y, l2=args.l2)
    model = LinkModel(tuple(names), tuple(float(c) for c in coef), intercept, tuple(float(m) for m in mean),
                      tuple(float(s) for s in scale), 0.5)
    threshold, extra, dev_token = _sweep(_event_outcomes(dev, model))
    data = {
        "description": "Logistic regression scoring (event trigger, place mention) pairs: the probability that "
                       "the mention says where the event happened. Read by geo.event_place.load_link_model.",
        "trained_on": "event_location.jsonl (A. Halterman's event-location corpus, MIT licence), usable rows "
                      "with an even index; rows with an odd index held out",
        "license": "MIT (training corpus); coefficients fitted by tests/bench/train_event_linker.py",
        "examples": int(len(y)), "positives": int(y.sum()), "l2": args.l2,
        "threshold": threshold, "extra_threshold": extra, "dev_per_token": dev_token,
        "features": names, "coef": [round(float(c), 6) for c in coef], "intercept": round(intercept, 6),
        "mean": [round(float(m), 6) for m in mean], "scale": [round(float(s), 6) for s in scale],
    }
    args.out.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
    import geo.event_place

    geo.event_place.MODEL_PATH = args.out  # score the model just written, wherever it was written
    load_link_model.cache_clear()
    print(f"{len(y)} dev pairs ({int(y.sum())} positive), {len(names)} features; threshold {threshold}, "
          f"further places from {extra} "
          f"(dev per-token {dev_token})")
    for half, parity in (("dev", 0), ("held-out", 1)):
        idx = [k for k in range(len(rows)) if k % 2 == parity]
        for learned in (False, True):
            r = score_docs([rows[k] for k in idx], [docs[k] for k in idx], [tops[k] for k in idx],
                           learned=learned)
            print(f"{half:9} {'learned' if learned else 'hand-set':8} per_token {r['per_token']['precision']:.3f}/"
                  f"{r['per_token']['recall']:.3f}/{r['per_token']['f1']:.3f}  per_event overlap "
                  f"{r['per_event']['overlap']['precision']:.3f}/{r['per_event']['overlap']['recall']:.3f}/"
                  f"{r['per_event']['overlap']['f1']:.3f}  strict {r['per_event']['strict']['f1']:.3f}")
    top = sorted(zip(names, coef), key=lambda x: -abs(x[1]))[:12]
    print("largest coefficients:", ", ".join(f"{n} {c:+.2f}" for n, c in top))
    print(f"{time.perf_counter() - t0:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
