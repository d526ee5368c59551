"""``geo parse INPUT.jsonl -o OUTPUT.jsonl``: geoparse a JSONL file of texts into toponyms with coordinates.

Input lines: ``{"id", "text", "date"?}`` (with ``--gold-spans``, also ``"toponyms": [{"start", "end"}, ...]``).
Output lines, in input order: ``{"id", "toponyms": [{"start", "end", "name", "lat", "lon", "geonameid", "kind",
"score"}]}``. Only resolved mentions are written (a mention with no gazetteer entry has no coordinates), except
with ``--gold-spans``, where every given span is returned (``lat``/``lon`` null when unresolved).

Records that name their publication (``source``, ``domain`` or ``url``) are resolved twice: the places a
publication's own articles mention reveal its home area, which then weighs in on ambiguous names ("Athens" in an
Athens, Georgia paper); ``--no-focus`` turns that off. The second pass reuses the first pass's mentions (spaCy
runs once per text) and runs on the same worker pool.

Work is spread over processes (``--workers``, default: the CPU count); the gazetteer and spaCy are loaded once
before the workers fork, so they share that memory.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any, Iterable, Iterator

from geo.errors import InputError

_STATE: dict[str, Any] = {}


def read_records(path: Path, limit: int | None = None) -> list[dict[str, Any]]:
    """The JSON objects of a JSONL file (blank lines skipped), validating ``id`` and ``text``."""
    records = []
    try:
        fh = path.open(encoding="utf-8-sig")
    except FileNotFoundError:
        raise InputError("file not found", path) from None
    with fh:
        for lineno, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                rec = json.loads(line)
            except json.JSONDecodeError as exc:
                raise InputError(f"invalid JSON: {exc.msg}", path, lineno) from None
            if not isinstance(rec, dict) or not isinstance(rec.get("text"), str):
                raise InputError("each line must be an object with a string 'text'", path, lineno)
            rec.setdefault("id", str(lineno))
            records.append(rec)
            if limit is not None and len(records) >= limit:
                break
    return records


def _toponym_row(t) -> dict[str, Any]:  # noqa: ANN001 - geo.model.Toponym
    p = t.place
    return {
        "start": t.start,
        "end": t.end,
        "name": t.text,
        "lat": round(p.lat, 5) if p else None,
        "lon": round(p.lon, 5) if p else None,
        "geonameid": p.geonameid if p else None,
        "kind": p.kind if p else None,
        "score": t.score,
    }


def _init(gold_spans: bool) -> None:
    from geo.gazetteer import load_gazetteer
    from geo.nlp import load_nlp

    gaz = load_gazetteer()
    _STATE["gazetteer"] = gaz
    _STATE["gold_spans"] = gold_spans
    _STATE["nlp"] = load_nlp(gaz, parser=False)


def _work(chunk: list[dict[str, Any]]) -> list[tuple[list[Any], list[Any]]]:
    """spaCy + first-pass resolution of a chunk: per record, (recognised mentions, toponyms)."""
    from geo.resolve import resolve_mentions, resolve_spans
    from geo.toponyms import find_mentions

    gaz = _STATE["gazetteer"]
    nlp = _STATE["nlp"]
    out = []
    for rec, doc in zip(chunk, nlp.pipe((r["text"] for r in chunk), batch_size=64)):
        mentions = find_mentions(doc, gaz)
        if _STATE["gold_spans"]:
            tops = resolve_spans(doc, _spans(rec), gaz)
        else:
            tops = resolve_mentions(rec["text"], mentions, gaz)
        out.append((mentions, tops))
    return out


def _spans(rec: dict[str, Any]) -> list[tuple[int, int]]:
    return [(int(t["start"]), int(t["end"])) for t in rec.get("toponyms") or ()]


def publication(rec: dict[str, Any]) -> str | None:
    """The publication an input line comes from: its ``source`` or ``domain`` field, else its URL's host."""
    for key in ("source", "domain"):
        if isinstance(rec.get(key), str) and rec[key].strip():
            return rec[key].strip().lower()
    url = rec.get("url")
    if isinstance(url, str) and "://" in url:
        from urllib.parse import urlparse

        host = urlparse(url).netloc.lower()
        return host[4:] if host.startswith("www.") else host or None
    return None


def _row(rec: dict[str, Any], tops: list[Any], gold_spans: bool) -> dict[str, Any]:
    keep = tops if gold_spans else [t for t in tops if t.place is not None]
    return {"id": rec["id"], "toponyms": [_toponym_row(t) for t in keep]}


def _refocus_work(job: tuple[dict[str, Any], list[Any], Any]) -> list[Any]:
    """Second-pass resolution of one record with its publication's focus (no spaCy: the mentions are reused)."""
    from geo.resolve import resolve_mentions
    from geo.toponyms import Mention

    rec, mentions, focus = job
    gaz = _STATE["gazetteer"]
    text = rec["text"]
    if _STATE["gold_spans"]:
        spans = _spans(rec)
        targets = [Mention(s, e, text[s:e], "GPE") for s, e in spans]
        by = {(t.start, t.end): t for t in resolve_mentions(text, targets, gaz, mentions, focus, given_spans=True)}
        return [by[sp] for sp in spans]
    return resolve_mentions(text, mentions, gaz, focus=focus)


def _refocus(records: list[dict[str, Any]], results: list[tuple[list[Any], list[Any]]], pool: Any) -> None:
    """Second pass: re-resolve each publication's articles with the home area its own articles reveal.

    Only resolution runs again (the first pass's mentions are reused), spread over the same worker pool.
    """
    from collections import defaultdict

    from geo.resolve import infer_focus

    groups: dict[str, list[int]] = defaultdict(list)
    for i, rec in enumerate(records):
        pub = publication(rec)
        if pub:
            groups[pub].append(i)
    todo: list[int] = []
    jobs: list[tuple[dict[str, Any], list[Any], Any]] = []
    for idx in groups.values():
        focus = infer_focus([results[i][1] for i in idx])
        if not focus.admin1 and not focus.country:
            continue
        for i in idx:
            todo.append(i)
            jobs.append((records[i], results[i][0], focus))
    redone = pool.imap(_refocus_work, jobs, chunksize=16) if pool is not None else map(_refocus_work, jobs)
    for i, tops in zip(todo, redone):
        results[i] = (results[i][0], tops)


def parse_records(records: list[dict[str, Any]], *, gold_spans: bool = False, workers: int | None = None,
                  progress: bool = False, chunk_size: int = 32, focus: bool = True) -> Iterator[dict[str, Any]]:
    """Geoparse records (``{"id", "text", ...}``), yielding output rows in input order.

    With ``focus`` (the default) and records that name their publication (``source``, ``domain`` or ``url``),
    the output waits for the whole input: a publication's articles reveal its home area
    (:func:`geo.resolve.infer_focus`), which then weighs in on every ambiguous name of those articles.
    """
    _init(gold_spans)
    workers = workers or os.cpu_count() or 1
    chunks = [records[i : i + chunk_size] for i in range(0, len(records), chunk_size)]
    two_pass = focus and any(publication(r) for r in records)
    bar = None
    if progress:
        from tqdm import tqdm

        bar = tqdm(total=len(records), unit="doc", file=sys.stderr, desc="geoparse")
    results: list[tuple[list[Any], list[Any]]] = []
    try:
        if workers <= 1 or len(chunks) <= 1:
            batches: Iterable[list[tuple[list[Any], list[Any]]]] = map(_work, chunks)
            pool = None
        else:
            import multiprocessing as mp

            ctx = mp.get_context("fork")  # workers inherit the loaded gazetteer and pipeline
            pool = ctx.Pool(min(workers, len(chunks)))
            batches = pool.imap(_work, chunks)
        try:
            done = 0
            for batch in batches:
                if bar is not None:
                    bar.update(len(batch))
                if two_pass:
                    results.extend(batch)
                    continue
                for rec, (_, tops) in zip(records[done : done + len(batch)], batch):
                    yield _row(rec, tops, gold_spans)
                done += len(batch)
            if two_pass:
                _refocus(records, results, pool)
        finally:
            if pool is not None:
                pool.close()
                pool.join()
    finally:
        if bar is not None:
            bar.close()
    if two_pass:
        for rec, (_, tops) in zip(records, results):
            yield _row(rec, tops, gold_spans)


def configure_parser(p: argparse.ArgumentParser) -> None:
    """Options of ``geo parse``."""
    p.add_argument("input", type=Path, help="JSONL file, one {'id', 'text', 'date'?} object per line")
    p.add_argument("-o", "--output", type=Path, default=None, help="output JSONL (default: standard output)")
    p.add_argument("--gold-spans", action="store_true",
                   help="resolve only the spans given in each line's 'toponyms' (start, end)")
    p.add_argument("--workers", type=int, default=None, help="worker processes (default: CPU count)")
    p.add_argument("--limit", type=int, default=None, help="only the first N lines")
    p.add_argument("--no-progress", action="store_true", help="no progress bar on standard error")
    p.add_argument("--no-focus", action="store_true",
                   help="do not infer each publication's home area from its articles (source/domain/url fields)")


def run_cli(args: argparse.Namespace) -> int:
    """Run ``geo parse``."""
    records = read_records(args.input, args.limit)
    out = args.output.open("w", encoding="utf-8") if args.output else sys.stdout
    try:
        for row in parse_records(records, gold_spans=args.gold_spans, workers=args.workers,
                                 progress=not args.no_progress, focus=not args.no_focus):
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
    finally:
        if args.output:
            out.close()
    return 0
