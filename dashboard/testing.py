"""Helpers for browser tests and the dashboard benchmark: a real Streamlit server and headless Chromium.

Needs the test extras (Playwright). The server runs the same command ``geo dashboard`` runs, on a free port,
against a given store; the browser is the system Chromium (never downloaded), and every request it makes is
recorded so tests can assert that nothing left localhost.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator
from urllib.parse import urlparse

CHROMIUM = os.environ.get("GEO_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--no-first-run", "--disable-dev-shm-usage",
]
LOCAL_HOSTS = {"localhost", "127.0.0.1", "[::1]", "::1"}

#: JavaScript run inside the map's frame: the event features Leaflet currently draws.
DRAWN_FEATURES_JS = """() => {
  if (!window.map) return null;
  const out = [];
  window.map.eachLayer(l => {
    const f = l.feature;
    if (f && f.properties && f.properties.kind) {
      let pt = null;
      try {
        const ll = l.getLatLng ? l.getLatLng() : l.getBounds().getCenter();
        const p = window.map.latLngToContainerPoint(ll);
        pt = [p.x, p.y];
      } catch (e) {}
      out.push({kind: f.properties.kind, n: f.properties.n, ids: f.properties.event_ids || [], pt: pt});
    }
  });
  return out;
}"""


def chromium_available() -> bool:
    return Path(CHROMIUM).exists() or shutil.which(CHROMIUM) is not None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_http(url: str, timeout: float, proc: subprocess.Popen) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"streamlit exited with code {proc.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                if r.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.3)
    raise TimeoutError(f"streamlit did not answer on {url} within {timeout:.0f}s")


@contextmanager
def streamlit_server(store: Path, *, log_path: Path, timeout: float = 90.0) -> Iterator[str]:
    """Run ``geo dashboard``'s Streamlit command against ``store``; yields the base URL."""
    from dashboard.assets import ensure_vendor
    from dashboard.launch import server_env, streamlit_command

    ensure_vendor()
    port = free_port()
    cmd = streamlit_command(port, "localhost")
    log = open(log_path, "wb")  # noqa: SIM115 - closed below
    proc = subprocess.Popen(cmd, env=server_env(store), stdout=log, stderr=subprocess.STDOUT,
                            start_new_session=True)
    url = f"http://localhost:{port}"
    try:
        _wait_http(f"{url}/_stcore/health", timeout, proc)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)
        log.close()


class RequestLog:
    """Every URL the page (and its frames) requested."""

    def __init__(self) -> None:
        self.urls: list[str] = []

    def __call__(self, request) -> None:  # noqa: ANN001 - playwright Request
        self.urls.append(request.url)

    def external(self) -> list[str]:
        """Requests to any host other than localhost (data: and blob: URLs are local)."""
        out = []
        for u in self.urls:
            p = urlparse(u)
            if p.scheme in ("data", "blob", "about", "chrome-error"):
                continue
            if p.hostname not in LOCAL_HOSTS:
                out.append(u)
        return out


@contextmanager
def browser(viewport: tuple[int, int] = (1500, 1100)) -> Iterator[object]:
    """A headless system Chromium; yields a Playwright ``Browser``."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            yield b
        finally:
            b.close()


def map_frame(page, timeout_s: float = 60.0):  # noqa: ANN001, ANN201 - playwright objects
    """The streamlit-folium iframe once Leaflet has created ``window.map`` in it."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        for frame in page.frames:
            if "st_folium" in frame.url or "streamlit_folium" in frame.url:
                try:
                    if frame.evaluate("() => !!window.map"):
                        return frame
                except Exception:  # noqa: BLE001 - frame navigating
                    pass
        page.wait_for_timeout(100)  # lets Playwright process frame events (time.sleep would not)
    raise TimeoutError("the map frame never appeared")


def drawn_features(frame) -> list[dict]:  # noqa: ANN001
    return frame.evaluate(DRAWN_FEATURES_JS) or []


def wait_features(frame, predicate, timeout_s: float = 30.0, poll: float = 0.05) -> list[dict]:  # noqa: ANN001
    """Poll the drawn features until ``predicate(features)`` holds; returns them."""
    deadline = time.monotonic() + timeout_s
    feats: list[dict] = []
    while time.monotonic() < deadline:
        try:
            feats = drawn_features(frame)
        except Exception:  # noqa: BLE001 - frame reloading
            feats = []
        if predicate(feats):
            return feats
        frame.page.wait_for_timeout(poll * 1000)
    raise TimeoutError(f"map features never matched; last saw {len(feats)}: {feats[:3]}")


def click_feature(page, frame, feature: dict) -> None:  # noqa: ANN001
    """Click a drawn feature with the real mouse (canvas layers hit-test the click)."""
    box = frame.frame_element().bounding_box()
    x, y = feature["pt"]
    page.mouse.click(box["x"] + x, box["y"] + y)
