"""Dashboard benchmark: page open -> map drawn, filter change -> map redrawn, JS heap, at 1,000 and 100,000 events.

Not part of the default test run. For each size it writes that many synthetic events into a fresh store, starts
the real Streamlit server (the ``geo dashboard`` command line), and drives headless system Chromium:

- open: time from ``page.goto`` to the event layer drawn in Leaflet (cold: first visit after start, the
  server's caches empty; warm: a new browser context once the server has served one visit);
- filter: time from submitting a "place name" filter to the map showing exactly the matching events
  (median of several changes);
- heap: the page's JS heap (Chrome DevTools ``JSHeapUsedSize``) after the map is drawn.

Usage::

    .venv/bin/python tests/bench/dashboard.py                 # 1,000 and 100,000 events
    .venv/bin/python tests/bench/dashboard.py --sizes 1000 --json out.json

Timings are wall-clock on a shared machine: compare medians and the ratio between sizes, not single runs.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from dashboard import testing  # noqa: E402
from dashboard.synthetic import synthetic_results  # noqa: E402

PLACES = ("Kyiv", "Lagos", "Caracas", "Manila", "Khartoum")


def build_store(path: Path, n: int) -> float:
    from geo.store import EventStore

    t = time.perf_counter()
    with EventStore(path) as store:
        batch = []
        for r in synthetic_results(n, seed=42):
            batch.append(r)
            if len(batch) >= 2000:
                store.save_results(batch)
                batch = []
        if batch:
            store.save_results(batch)
    return time.perf_counter() - t


def expected_count(path: Path, place: str | None) -> int:
    from geo.store import EventFilter, EventStore

    with EventStore(path, readonly=True) as store:
        return store.count_events(EventFilter(place_text=place))


def drawn_total(frame) -> int:  # noqa: ANN001
    feats = testing.drawn_features(frame)
    return sum(int(f.get("n") or 0) for f in feats if f["kind"] != "heat")


def open_and_wait(browser, url: str, total: int) -> tuple[float, object, object]:  # noqa: ANN001
    ctx = browser.new_context(viewport={"width": 1500, "height": 1100})
    page = ctx.new_page()
    requests = testing.RequestLog()
    page.on("request", requests)
    t0 = time.perf_counter()
    page.goto(url)
    frame = testing.map_frame(page, timeout_s=300)
    testing.wait_features(frame, lambda fs: sum(int(f.get("n") or 0) for f in fs) == total, timeout_s=300,
                          poll=0.02)
    elapsed = time.perf_counter() - t0
    if requests.external():
        raise SystemExit(f"requests left localhost: {requests.external()[:3]}")
    return elapsed, page, frame


def js_heap_mb(page) -> float:  # noqa: ANN001
    cdp = page.context.new_cdp_session(page)
    cdp.send("Performance.enable")
    metrics = {m["name"]: m["value"] for m in cdp.send("Performance.getMetrics")["metrics"]}
    return metrics.get("JSHeapUsedSize", 0.0) / 2**20


def filter_change(page, frame, store: Path, place: str) -> float:  # noqa: ANN001
    want = expected_count(store, place)
    box = page.get_by_label("Place name contains")
    box.fill(place)
    t0 = time.perf_counter()
    box.press("Enter")
    testing.wait_features(frame, lambda fs: sum(int(f.get("n") or 0) for f in fs) == want, timeout_s=120,
                          poll=0.02)
    return time.perf_counter() - t0


def bench_size(n: int, workdir: Path, browser, reuse: bool = False) -> dict:  # noqa: ANN001
    store = workdir / f"events-{n}.sqlite"
    gen_s = 0.0 if reuse and store.exists() else build_store(store, n)
    total = expected_count(store, None)
    out: dict = {"events": total, "store_build_s": round(gen_s, 2)}
    with testing.streamlit_server(store, log_path=workdir / f"streamlit-{n}.log", timeout=180) as url:
        cold, page, frame = open_and_wait(browser, url, total)
        page.context.close()
        warm_runs = []
        for _ in range(3):
            t, page, frame = open_and_wait(browser, url, total)
            warm_runs.append(t)
            last = page
            if _ < 2:
                page.context.close()
        out["open_cold_s"] = round(cold, 3)
        out["open_warm_s_median"] = round(statistics.median(warm_runs), 3)
        out["js_heap_mb"] = round(js_heap_mb(last), 1)
        changes = [filter_change(last, frame, store, p) for p in PLACES]
        out["filter_redraw_s_median"] = round(statistics.median(changes), 3)
        out["filter_redraw_s_all"] = [round(c, 3) for c in changes]
        out["js_heap_after_filters_mb"] = round(js_heap_mb(last), 1)
        last.screenshot(path=str(workdir / f"dashboard-{n}.png"), full_page=True)
        last.context.close()
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[1000, 100_000])
    ap.add_argument("--json", type=Path, help="also write the results here")
    ap.add_argument("--keep", type=Path, help="folder for stores, logs and screenshots (default: a temp folder)")
    ap.add_argument("--reuse", action="store_true", help="reuse the stores already in the --keep folder")
    args = ap.parse_args(argv)
    if not testing.chromium_available():
        print(f"no Chromium at {testing.CHROMIUM}", file=sys.stderr)
        return 2
    workdir = args.keep or Path(tempfile.mkdtemp(prefix="geo-dash-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    results = {}
    with testing.browser() as browser:
        for n in args.sizes:
            results[n] = bench_size(n, workdir, browser, args.reuse)
            print(json.dumps({n: results[n]}), flush=True)
    if len(args.sizes) >= 2:
        lo, hi = min(args.sizes), max(args.sizes)
        results["ratio_open_warm"] = round(results[hi]["open_warm_s_median"] / results[lo]["open_warm_s_median"], 2)
        results["ratio_filter"] = round(results[hi]["filter_redraw_s_median"] / results[lo]["filter_redraw_s_median"],
                                        2)
        print(json.dumps({k: v for k, v in results.items() if str(k).startswith("ratio")}))
    print(f"artifacts in {workdir}", file=sys.stderr)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
