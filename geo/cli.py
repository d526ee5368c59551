"""The ``geo`` command: a thin shell over the library.

Each subcommand lives in the module that owns the work; that module exposes ``configure_parser(parser)`` to add
its options and ``run_cli(args) -> int`` to run. Modules keep heavy imports (spaCy, pandas...) inside functions
so ``geo --help`` stays fast.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from typing import Sequence

from geo.errors import GeoError

#: subcommand -> (module, one-line help)
COMMANDS: dict[str, tuple[str, str]] = {
    "ingest": ("geo.ingest", "read articles, extract events and store them"),
    "parse": ("geo.geoparse", "geoparse a JSONL file of texts into toponyms with coordinates"),
    "evaluate": ("geo.evaluate", "score a gold JSONL corpus (geoparsing or event location)"),
    "export": ("geo.export", "write stored events as GeoJSON, CSV, GeoParquet or KML"),
    "gazetteer": ("geo.gazetteer.cli", "build, inspect or query the offline gazetteer"),
    "dashboard": ("dashboard.launch", "start the Streamlit dashboard"),
}


def build_parser() -> argparse.ArgumentParser:
    """Build the full argument parser, asking each owning module for its options."""
    parser = argparse.ArgumentParser(prog="geo", description="News-event atlas: articles -> events on a map.")
    parser.add_argument("--version", action="version", version=f"geo {__import__('geo').__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    for name, (module_name, help_text) in COMMANDS.items():
        module = importlib.import_module(module_name)
        p = sub.add_parser(name, help=help_text, description=help_text)
        module.configure_parser(p)
        p.set_defaults(_run=module.run_cli)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``geo`` console script; returns the process exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args._run(args) or 0)
    except GeoError as exc:
        print(f"geo {args.command}: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"geo {args.command}: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
