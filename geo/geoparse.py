"""``geo parse INPUT.jsonl -o OUTPUT.jsonl``: geoparse a JSONL file of texts into toponyms with coordinates.

Input lines: ``{"id", "text", "date"?}`` (with ``--gold-spans``, also ``"toponyms": [{"start", "end"}, ...]``).
Output lines, in input order: ``{"id", "toponyms": [{"start", "end", "name", "lat", "lon", "geonameid", "kind",
"score"}]}``. Only resolved mentions are written (a mention with no gazetteer entry has no coordinates), except
with ``--gold-spans``, where every given span is returned (``lat``/``lon`` null when unresolved).

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


def _work(chunk: list[dict[str, Any]]) -> list[dict[str, Any]]:
    from geo.resolve import geoparse, resolve_spans

    gaz = _STATE["gazetteer"]
    nlp = _STATE["nlp"]
    out = []
    if _STATE["gold_spans"]:
        for rec, doc in zip(chunk, nlp.pipe((r["text"] for r in chunk), batch_size=32)):
            spans = [(int(t["start"]), int(t["end"])) for t in rec.get("toponyms") or ()]
            tops = resolve_spans(doc, spans, gaz)
            out.append({"id": rec["id"], "toponyms": [_toponym_row(t) for t in tops]})
        return out
    for rec, doc in zip(chunk, nlp.pipe((r["text"] for r in chunk), batch_size=32)):
        tops = geoparse(doc, gaz)
        out.append({"id": rec["id"], "toponyms": [_toponym_row(t) for t in tops if t.place is not None]})
    return out


def parse_records(records: list[dict[str, Any]], *, gold_spans: bool = False, workers: int | None = None,
                  progress: bool = False, chunk_size: int = 16) -> Iterator[dict[str, Any]]:
    """Geoparse records (``{"id", "text", ...}``), yielding output rows in input order."""
    _init(gold_spans)
    workers = workers or os.cpu_count() or 1
    chunks = [records[i : i + chunk_size] for i in range(0, len(records), chunk_size)]
    bar = None
    if progress:
        from tqdm import tqdm

        bar = tqdm(total=len(records), unit="doc", file=sys.stderr, desc="geoparse")
    try:
        if workers <= 1 or len(chunks) <= 1:
            results: Iterable[list[dict[str, Any]]] = map(_work, chunks)
            pool = None
        else:
            import multiprocessing as mp

            ctx = mp.get_context("fork")
            pool = ctx.Pool(min(workers, len(chunks)))
            results = pool.imap(_work, chunks)
        try:
            for rows in results:
                if bar is not None:
                    bar.update(len(rows))
                yield from rows
        finally:
            if pool is not None:
                pool.close()
                pool.join()
    finally:
        if bar is not None:
            bar.close()


def configure_parser(p: argparse.ArgumentParser) -> None:
    """Options of ``geo parse``."""
    p.add_argument("input", type=Path, help="JSONL file, one {'id', 'text', 'date'?} object per line")
    p.add_argument("-o", "--output", type=Path, default=None, help="output JSONL (default: standard output)")
    p.add_argument("--gold-spans", action="store_true",
                   help="resolve only the spans given in each line's 'toponyms' (start, end)")
    p.add_argument("--workers", type=int, default=None, help="worker processes (default: CPU count)")
    p.add_argument("--limit", type=int, default=None, help="only the first N lines")
    p.add_argument("--no-progress", action="store_true", help="no progress bar on standard error")


def run_cli(args: argparse.Namespace) -> int:
    """Run ``geo parse``."""
    records = read_records(args.input, args.limit)
    out = args.output.open("w", encoding="utf-8") if args.output else sys.stdout
    try:
        for row in parse_records(records, gold_spans=args.gold_spans, workers=args.workers,
                                 progress=not args.no_progress):
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
    finally:
        if args.output:
            out.close()
    return 0
