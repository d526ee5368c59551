"""``geo gazetteer build|info|lookup``: build, inspect and query the offline gazetteer."""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path


def configure_parser(p: argparse.ArgumentParser) -> None:
    """Add the ``build``, ``info`` and ``lookup`` actions."""
    sub = p.add_subparsers(dest="action", metavar="ACTION")
    sub.required = True
    b = sub.add_parser("build", help="build the gazetteer into data/ from the installed packages")
    b.add_argument("--out", type=Path, default=None, help="output folder (default: data/ or $GEO_DATA_DIR)")
    b.add_argument("--if-missing", action="store_true", help="do nothing when a gazetteer is already built")
    i = sub.add_parser("info", help="counts per kind, build date and sources")
    i.add_argument("--data", type=Path, default=None, help="gazetteer folder (default: data/)")
    lk = sub.add_parser("lookup", help="places matching a name (case, accents and punctuation ignored)")
    lk.add_argument("name", help="place name, e.g. 'Sao Paulo'")
    lk.add_argument("--limit", type=int, default=10, help="at most this many places (default 10)")
    lk.add_argument("--json", action="store_true", help="print JSON lines")
    lk.add_argument("--data", type=Path, default=None, help="gazetteer folder (default: data/)")


def run_cli(args: argparse.Namespace) -> int:
    """Run the chosen action; returns the exit code."""
    from geo.gazetteer import build_gazetteer, default_gazetteer_dir, load_gazetteer
    from geo.gazetteer.build import BASEMAP_FILE, GAZETTEER_FILE

    if args.action == "build":
        out = args.out or default_gazetteer_dir()
        if args.if_missing and (out / GAZETTEER_FILE).exists() and (out / BASEMAP_FILE).exists():
            try:
                load_gazetteer(out)
                print(f"gazetteer already built at {out / GAZETTEER_FILE}", file=sys.stderr)
                return 0
            except Exception:  # noqa: BLE001 - an unreadable or outdated file is rebuilt
                pass
        t0 = time.perf_counter()
        path = build_gazetteer(out)
        gaz = load_gazetteer(path)
        print(f"built {path} ({len(gaz)} places) in {time.perf_counter() - t0:.1f} s", file=sys.stderr)
        return 0
    if args.action == "info":
        print(json.dumps(load_gazetteer(args.data).info(), indent=2))
        return 0
    if args.action == "lookup":
        gaz = load_gazetteer(args.data)
        places = gaz.lookup(args.name)[: args.limit]
        if not places:
            print(f"no place called {args.name!r}", file=sys.stderr)
            return 1
        for p in places:
            if args.json:
                print(json.dumps(p.to_dict(), ensure_ascii=False))
            else:
                where = ", ".join(x for x in (p.admin1_name, p.country_name) if x and x != p.name)
                print(f"{p.geonameid}\t{p.kind}\t{p.name}\t{where}\t{p.lat:.4f}, {p.lon:.4f}\tpop {p.population}")
        return 0
    raise AssertionError(args.action)  # pragma: no cover
