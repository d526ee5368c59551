"""Fit the learned event-place scorer (``geo/data/event_link_model.json``) on ``event_location.jsonl``.

Run: ``.venv/bin/python tests/bench/train_event_linker.py [--cache DIR] [--out PATH] [--model trees|linear]``.

Every (event trigger, candidate place mention) pair of the corpus is one example: the features are those of
:func:`geo.event_place.link_features` (dependency path shape and length, preposition, token distance, same
clause, kind and fineness of the place, actor/origin/organisation flags, candidate count, the hand-set cost, and
sparse word features such as the trigger lemma, the heading preposition and the path as a string), the label is
whether the mention overlaps a gold location span of that event. Only features non-zero on at least
``--min-count`` dev pairs are kept. Two learners, numpy only:

- ``trees`` (the default, shipped): gradient-boosted regression trees for the logistic loss. The number of trees
  and the decision thresholds (the lowest probability at which an event's most probable mention is linked, and
  the one at which a further mention is linked too: "clashes in Aleppo and Ghouta", both chosen for the best
  per-token F1) come from a model fitted on the training rows with index 0 mod 4 and scored on those with index
  2 mod 4, so the thresholds are calibrated on sentences the trees did not see; the trees are then refitted on
  every training row with that number of trees.
- ``linear``: L2-regularised logistic regression (Newton steps) with thresholds chosen on the training rows.

What is trained on. The corpus's own gold standard (source RELABEL, re-annotated by its author) re-labels
sentences that also appear under the research assistants' sources, often with different labels. Every gold-standard
sentence is left out of training, under any source, so the gold standard is a clean test set
(``geo evaluate FILE --subset gold-standard``). Every other usable row is trained on (``--rows even`` keeps the odd
half out too, for comparison). :func:`report_agreement` scores each source's labels against the gold standard on
the sentences both annotated: Masdar_RA agrees with it on every place it marks, but leaves out four in five of the
places the gold standard marks, so its events are trained on only where its label marks a place
(``--places-only-sources``); its "no place" labels would teach the scorer to leave placed events unplaced.

The even half, the odd half and the gold-standard rows are scored once with the figures of
:func:`geo.event_eval.score_docs`, beside the hand-set linker on the same rows; only the gold standard is out of
sample for the default model.

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


def _examples(rows, docs, tops, proper_nouns: bool = True) -> list[dict[str, Any]]:
    """One record per event: its candidates' links, labels and the gold token counts."""
    from geo.event_eval import _overlaps, _tokens, gold_spans
    from geo.event_place import rank_event_places

    out = []
    for k, (row, doc, tp) in enumerate(zip(rows, docs, tops)):
        for ev in row["events"]:
            gold, _ = gold_spans(row["text"], ev.get("location_spans"), doc)
            s, e = int(ev["start"]), int(ev["end"])
            ranked = rank_event_places(doc, s, e, tp, proper_nouns=proper_nouns)
            out.append({"row": k, "doc": doc, "gold": gold, "gold_tokens": _tokens(doc, gold), "links": ranked,
                        "labels": [float(_overlaps(lk.toponym.start, lk.toponym.end, gold)) for lk in ranked]})
    return out


def report_agreement(rows: list[dict[str, Any]], docs: list[Any]) -> dict[str, dict[str, float]]:
    """Score each source's first-pass labels against the gold standard on the sentences both annotated.

    Most gold-standard sentences (source RELABEL) also appear under a research assistant's source with that
    annotator's labels. Reading the assistant's labels as predictions (per event, the first span, overlap) gives
    how far each source's labels can be trusted for training, and what a linker that matched the gold standard
    exactly would score against that source. Printed and returned per source.
    """
    from geo.event_eval import GOLD_STANDARD_SOURCE, _overlaps, gold_spans, prf

    gold: dict[tuple[str, int], list[tuple[int, int]]] = {}
    for row, doc in zip(rows, docs):
        if row.get("source") == GOLD_STANDARD_SOURCE:
            for ev in row["events"]:
                gold[(row["text"], int(ev["start"]))] = gold_spans(row["text"], ev.get("location_spans"), doc)[0]
    counts: dict[str, list[int]] = {}
    for row, doc in zip(rows, docs):
        src = str(row.get("source"))
        if src == GOLD_STANDARD_SOURCE:
            continue
        for ev in row["events"]:
            g = gold.get((row["text"], int(ev["start"])))
            if g is None:
                continue
            mine = gold_spans(row["text"], ev.get("location_spans"), doc)[0]
            c = counts.setdefault(src, [0, 0, 0, 0])  # sentences, hits, labelled by the source, gold
            c[0] += 1
            c[1] += bool(mine) and _overlaps(*mine[0], g)
            c[2] += bool(mine)
            c[3] += bool(g)
    out = {}
    for src, (n, hits, labelled, with_gold) in sorted(counts.items()):
        out[src] = {"events": n, **prf(hits, labelled, with_gold)}
        print(f"labels of {src:10s} against the gold standard on {n:4d} shared events: "
              f"P {out[src]['precision']:.3f}  R {out[src]['recall']:.3f}")
    if counts:
        n, hits, labelled, with_gold = (sum(c[k] for c in counts.values()) for k in range(4))
        out["all"] = {"events": n, **prf(hits, labelled, with_gold)}
        print(f"labels of all sources against the gold standard on {n} shared events: "
              f"P {out['all']['precision']:.3f}  R {out['all']['recall']:.3f}")
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


def make_bins(x: np.ndarray, max_bins: int = 32) -> list[np.ndarray]:
    """Per feature: sorted split thresholds (midpoints between distinct or quantile values)."""
    edges = []
    for j in range(x.shape[1]):
        vals = np.unique(x[:, j])
        if len(vals) > max_bins:
            vals = np.unique(np.quantile(x[:, j], np.linspace(0, 1, max_bins + 1)))
        edges.append((vals[:-1] + vals[1:]) / 2.0 if len(vals) > 1 else np.array([]))
    return edges


def binned(x: np.ndarray, edges: list[np.ndarray]) -> np.ndarray:
    """Bin index of every value (``value <= edges[k]`` falls in bin ``k``)."""
    b = np.zeros(x.shape, dtype=np.int32)
    for j, e in enumerate(edges):
        b[:, j] = np.searchsorted(e, x[:, j], side="left")
    return b


def fit_gbt(x: np.ndarray, y: np.ndarray, n_trees: int = 200, depth: int = 4, lr: float = 0.1,
            min_leaf: int = 20, l2: float = 1.0, max_bins: int = 32, xval: np.ndarray | None = None,
            yval: np.ndarray | None = None) -> tuple[float, list[dict[str, list]], list[float]]:
    """Gradient-boosted regression trees for the logistic loss (Newton leaf values, L2 on the leaves), grown
    depth-first on histograms of binned features. Returns (base log-odds, trees in the JSON layout read by
    :class:`geo.event_place.TreeLinkModel`, validation log-loss after each tree when ``xval``/``yval`` are given).
    """
    n, d = x.shape
    edges = make_bins(x, max_bins)
    nb = max(len(e) for e in edges) + 1
    b = binned(x, edges)
    off = np.arange(d) * nb
    invalid = np.arange(nb - 1)[None, :] >= np.array([len(e) for e in edges])[:, None]
    base = float(np.log(y.mean() / (1 - y.mean())))
    z = np.full(n, base)
    zval = np.full(len(yval), base) if xval is not None and yval is not None else None
    trees: list[dict[str, list]] = []
    val_loss: list[float] = []
    for _ in range(n_trees):
        p = 1 / (1 + np.exp(-z))
        g, h = p - y, p * (1 - p)
        tree: dict[str, list] = {"feature": [], "threshold": [], "left": [], "right": [], "value": []}

        def node(feature: int, threshold: float, value: float) -> int:
            for key, v in zip(("feature", "threshold", "left", "right", "value"), (feature, threshold, -1, -1, value)):
                tree[key].append(v)
            return len(tree["feature"]) - 1

        def grow(idx: np.ndarray, level: int) -> int:
            gi, hi = g[idx], h[idx]
            G, H = gi.sum(), hi.sum()
            if level >= depth or len(idx) < 2 * min_leaf:
                return node(-1, 0.0, float(-lr * G / (H + l2)))
            flat = (b[idx] + off).ravel()
            size = d * nb
            gh = np.bincount(flat, weights=np.repeat(gi, d), minlength=size).reshape(d, nb)
            hh = np.bincount(flat, weights=np.repeat(hi, d), minlength=size).reshape(d, nb)
            ch = np.bincount(flat, minlength=size).reshape(d, nb)
            gl, hl, cl = (np.cumsum(a, 1)[:, :-1] for a in (gh, hh, ch))
            gain = gl ** 2 / (hl + l2) + (G - gl) ** 2 / (H - hl + l2) - G ** 2 / (H + l2)
            gain[(cl < min_leaf) | (len(idx) - cl < min_leaf) | invalid] = -np.inf
            j, k = np.unravel_index(np.argmax(gain), gain.shape)
            if not np.isfinite(gain[j, k]) or gain[j, k] <= 1e-6:
                return node(-1, 0.0, float(-lr * G / (H + l2)))
            me = node(int(j), float(edges[j][k]), 0.0)
            go_left = b[idx, j] <= k
            tree["left"][me] = grow(idx[go_left], level + 1)
            tree["right"][me] = grow(idx[~go_left], level + 1)
            return me

        grow(np.arange(n), 0)
        trees.append(tree)
        z += predict_tree(tree, x)
        if zval is not None:
            zval += predict_tree(tree, xval)
            pv = np.clip(1 / (1 + np.exp(-zval)), 1e-12, 1 - 1e-12)
            val_loss.append(float(-np.mean(yval * np.log(pv) + (1 - yval) * np.log(1 - pv))))
    return base, trees, val_loss


def predict_tree(tree: dict[str, list], x: np.ndarray) -> np.ndarray:
    """Leaf value of each row of ``x`` in one tree."""
    f, t, left, right, v = (np.array(tree[k]) for k in ("feature", "threshold", "left", "right", "value"))
    at = np.zeros(len(x), dtype=int)
    for _ in range(64):
        leaf = f[at] < 0
        if leaf.all():
            break
        go_left = x[np.arange(len(x)), np.where(leaf, 0, f[at])] <= t[at]
        at = np.where(leaf, at, np.where(go_left, left[at], right[at]))
    return v[at]


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


def _fit_trees(dev: list[dict[str, Any]], names: list[str], args: argparse.Namespace) -> tuple[Any, dict[str, Any]]:
    """Gradient-boosted trees: the number of trees and the decision thresholds are chosen on the training rows with
    index 2 mod 4 by a model fitted on those with index 0 mod 4, so the thresholds are calibrated on probabilities
    of sentences the trees did not see; the trees are then refitted on every training row."""
    from geo.event_place import TreeLinkModel

    fit = [ex for ex in dev if ex["row"] % 4 == 0]
    val = [ex for ex in dev if ex["row"] % 4 == 2]
    xf, yf = _matrix(fit, names)
    xv, yv = _matrix(val, names)
    base, trees, loss = fit_gbt(xf, yf, args.trees, args.depth, args.lr, args.min_leaf, xval=xv, yval=yv)
    n_trees = int(np.argmin(loss)) + 1
    quarter = TreeLinkModel(names, base, trees[:n_trees], 0.5)
    threshold, extra, val_token = _sweep(_event_outcomes(val, quarter))
    x, y = _matrix(dev, names)
    base, trees, _ = fit_gbt(x, y, n_trees, args.depth, args.lr, args.min_leaf)
    model = TreeLinkModel(names, base, trees, threshold, extra)
    data = {
        "kind": "gradient_boosted_trees",
        "description": "Gradient-boosted trees (logistic loss) scoring (event trigger, place mention) pairs: the "
                       "probability that the mention says where the event happened. Read by "
                       "geo.event_place.load_link_model.",
        "examples": int(len(y)), "positives": int(y.sum()),
        "params": {"trees": n_trees, "depth": args.depth, "learning_rate": args.lr, "min_leaf": args.min_leaf,
                   "min_count": args.min_count},
        "threshold": threshold, "extra_threshold": extra, "validation_per_token": val_token,
        "features": names, "base": round(base, 6),
        "trees": [{"feature": t["feature"], "threshold": [round(v, 6) for v in t["threshold"]],
                   "left": t["left"], "right": t["right"], "value": [round(v, 6) for v in t["value"]]}
                  for t in trees],
    }
    return model, data


def _fit_linear(dev: list[dict[str, Any]], names: list[str], args: argparse.Namespace) -> tuple[Any, dict[str, Any]]:
    """Logistic regression on the training rows, thresholds chosen on them."""
    from geo.event_place import LinkModel

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
        "examples": int(len(y)), "positives": int(y.sum()), "l2": args.l2,
        "threshold": threshold, "extra_threshold": extra, "dev_per_token": dev_token,
        "features": names, "coef": [round(float(c), 6) for c in coef], "intercept": round(intercept, 6),
        "mean": [round(float(m), 6) for m in mean], "scale": [round(float(s), 6) for s in scale],
    }
    return model, data


def _dumps(data: dict[str, Any]) -> str:
    """JSON with one top-level key a line (the metadata stays readable, the arrays compact)."""
    items = [f" {json.dumps(k)}: {json.dumps(v, separators=(',', ':'))}" for k, v in data.items()]
    return "{\n" + ",\n".join(items) + "\n}\n"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--cache", type=Path, default=None, help="directory keeping the parsed sentences")
    ap.add_argument("--out", type=Path, default=ROOT / "geo" / "data" / "event_link_model.json")
    ap.add_argument("--model", choices=("trees", "linear"), default="trees")
    ap.add_argument("--l2", type=float, default=1.0, help="linear: L2 penalty on the standardised coefficients")
    ap.add_argument("--trees", type=int, default=600, help="trees: most trees (early stopping picks fewer)")
    ap.add_argument("--depth", type=int, default=4, help="trees: depth of each tree")
    ap.add_argument("--lr", type=float, default=0.1, help="trees: learning rate")
    ap.add_argument("--min-leaf", type=int, default=20, help="trees: fewest pairs in a leaf")
    ap.add_argument("--rows", choices=("all", "even"), default="all",
                    help="train on every usable row outside the gold standard (default; the gold standard is the "
                         "test set), or on the even half only, keeping the odd half held out as well")
    ap.add_argument("--drop-sources", default="",
                    help="comma-separated sources left out of training. The gold-standard sentences are always "
                         "left out, whatever their source")
    ap.add_argument("--places-only-sources", default="Masdar_RA",
                    help="comma-separated sources whose labels are trusted only where they mark a place: their "
                         "events labelled 'no place' are left out of training (default: Masdar_RA, which marks a "
                         "fifth of the event places the gold standard marks, but agrees with it on every place it "
                         "marks; see report_agreement)")
    ap.add_argument("--min-count", type=int, default=10,
                    help="keep a feature only when it is non-zero on at least this many dev pairs")
    args = ap.parse_args(argv)
    if not GOLD.exists():
        print(f"skipped: {GOLD} not found", file=sys.stderr)
        return 0
    from collections import Counter

    from geo.event_eval import GOLD_STANDARD_SOURCE, score_docs
    from geo.event_place import load_link_model

    t0 = time.perf_counter()
    rows, docs, tops = _parsed(args.cache)
    examples = _examples(rows, docs, tops, proper_nouns=args.model == "trees")
    report_agreement(rows, docs)
    gold_texts = {r["text"] for r in rows if r.get("source") == GOLD_STANDARD_SOURCE}
    dropped = set(filter(None, args.drop_sources.split(",")))
    places_only = set(filter(None, args.places_only_sources.split(",")))

    def trained_on(ex: dict[str, Any]) -> bool:
        row = rows[ex["row"]]
        if row["text"] in gold_texts or (args.rows == "even" and ex["row"] % 2) or row.get("source") in dropped:
            return False
        return row.get("source") not in places_only or bool(ex["gold"])

    dev = [ex for ex in examples if trained_on(ex)]
    counts = Counter(n for ex in dev for lk in ex["links"] for n, v in lk.features.items() if v)
    names = sorted(n for n, c in counts.items() if c >= args.min_count)
    model, data = (_fit_trees if args.model == "trees" else _fit_linear)(dev, names, args)
    arrays = ("features", "coef", "intercept", "mean", "scale", "base", "trees")
    data = {**{k: v for k, v in data.items() if k not in arrays},
            "trained_on": "event_location.jsonl (A. Halterman's event-location corpus, MIT licence), "
                          + ("every usable row" if args.rows == "all" else
                             "usable rows with an even index (rows with an odd index held out)")
                          + f"; never a sentence of the gold standard (source {GOLD_STANDARD_SOURCE}), under any "
                          "source, which is the test set"
                          + (f"; sources left out: {args.drop_sources}" if args.drop_sources else "")
                          + (f"; events of {args.places_only_sources} only where their label marks a place"
                             if args.places_only_sources else ""),
            "license": "MIT (training corpus); fitted by tests/bench/train_event_linker.py",
            **{k: data[k] for k in arrays if k in data}}
    threshold, extra = model.threshold, model.extra_threshold
    args.out.write_text(_dumps(data), encoding="utf-8")
    import geo.event_place

    geo.event_place.MODEL_PATH = args.out  # score the model just written, wherever it was written
    load_link_model.cache_clear()
    print(f"{data['examples']} dev pairs ({data['positives']} positive), {len(names)} features; "
          f"threshold {threshold}, further places from {extra}")
    subsets = (("even", lambda k: k % 2 == 0), ("odd", lambda k: k % 2 == 1),
               ("gold-std", lambda k: rows[k].get("source") == GOLD_STANDARD_SOURCE))
    for half, keep in subsets:
        idx = [k for k in range(len(rows)) if keep(k)]
        for learned in (False, True):
            r = score_docs([rows[k] for k in idx], [docs[k] for k in idx], [tops[k] for k in idx],
                           learned=learned)
            print(f"{half:9} {'learned' if learned else 'hand-set':8} per_token {r['per_token']['precision']:.3f}/"
                  f"{r['per_token']['recall']:.3f}/{r['per_token']['f1']:.3f}  per_event overlap "
                  f"{r['per_event']['overlap']['precision']:.3f}/{r['per_event']['overlap']['recall']:.3f}/"
                  f"{r['per_event']['overlap']['f1']:.3f}  strict {r['per_event']['strict']['f1']:.3f}")
    if "coef" in data:
        top = sorted(zip(names, data["coef"]), key=lambda x: -abs(x[1]))[:12]
        print("largest coefficients:", ", ".join(f"{n} {c:+.2f}" for n, c in top))
    else:
        splits = Counter(names[f] for t in data["trees"] for f in t["feature"] if f >= 0)
        print(f"{len(data['trees'])} trees; most used features:",
              ", ".join(f"{n} {c}" for n, c in splits.most_common(15)))
    print(f"{time.perf_counter() - t0:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
