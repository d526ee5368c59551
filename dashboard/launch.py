"""``geo dashboard``: start the Streamlit app with the offline-safe settings.

Copies the vendored browser libraries into ``dashboard/static/vendor/`` first (see :mod:`dashboard.assets`), then
runs ``streamlit run dashboard/app.py`` with usage statistics off, static serving on, headless, bound to localhost
unless ``--host`` says otherwise. The store to show is passed to the app through ``GEO_STORE``.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

APP = Path(__file__).resolve().parent / "app.py"


def configure_parser(parser: argparse.ArgumentParser) -> None:
    """Options of ``geo dashboard``."""
    parser.add_argument("--port", type=int, default=8501, help="port to serve on (default: 8501)")
    parser.add_argument("--host", default="localhost",
                        help="address to bind (default: localhost; 0.0.0.0 exposes the app to the network)")
    parser.add_argument("--store", type=Path, default=None,
                        help="event store to show (default: $GEO_STORE or data/events.sqlite)")
    parser.add_argument("--open", action="store_true", help="open a browser tab once the server is up")


def streamlit_command(port: int, host: str = "localhost", *, headless: bool = True) -> list[str]:
    """The ``streamlit run`` command line with every setting the offline app relies on."""
    return [
        sys.executable, "-m", "streamlit", "run", str(APP),
        "--server.port", str(int(port)),
        "--server.address", host,
        "--server.headless", "true" if headless else "false",
        "--server.enableStaticServing", "true",
        "--server.fileWatcherType", "none",
        "--server.maxUploadSize", "50",
        "--browser.gatherUsageStats", "false",
        "--client.toolbarMode", "minimal",
        "--theme.base", "light",
    ]


def server_env(store: Path | None = None) -> dict[str, str]:
    """The environment for the server process: ``GEO_STORE`` when a store is given."""
    env = dict(os.environ)
    if store is not None:
        env["GEO_STORE"] = str(Path(store).expanduser().resolve())
    return env


def run_cli(args: argparse.Namespace) -> int:
    """Prepare the static files and run the server until it stops; returns its exit code."""
    from dashboard.assets import ensure_vendor
    from geo.errors import InputError

    if not 0 < args.port < 65536:
        raise InputError(f"--port {args.port} is not a TCP port (1-65535)")
    if args.store is not None and not Path(args.store).expanduser().exists():
        raise InputError("no such event store (run `geo ingest` first)", args.store)
    ensure_vendor()
    cmd = streamlit_command(args.port, args.host, headless=not args.open)
    print(f"geo dashboard: serving on http://{args.host}:{args.port}", file=sys.stderr)
    try:
        return subprocess.call(cmd, env=server_env(args.store))
    except KeyboardInterrupt:
        return 130
