"""A reader loop shared by the concurrency tests (run in threads and in separate processes)."""

from __future__ import annotations

import datetime as dt
import time
import traceback
from typing import Any

from tests.helpers.synthetic import EVENTS_PER_ARTICLE


def read_for(path: str, seconds: float, store: Any = None) -> dict[str, Any]:
    """Query the store as the dashboard does for ``seconds``; count queries, errors and torn reads.

    A torn read is an article visible with fewer events than it was saved with, or the article count going
    down (nothing is ever deleted by the writer).
    """
    from geo.store import EventFilter, EventStore

    own = store is None
    errors: list[str] = []
    torn: list[str] = []
    queries = 0
    last_articles = 0
    deadline = time.monotonic() + seconds
    try:
        if own:
            store = EventStore(path, readonly=True)
        k = 0
        while time.monotonic() < deadline:
            k += 1
            try:
                df = store.query_events(EventFilter(happened_only=False))
                per_article = df.groupby("article_id").size() if len(df) else None
                if per_article is not None and (per_article != EVENTS_PER_ARTICLE).any():
                    torn.append(f"partial article rows: {per_article[per_article != EVENTS_PER_ARTICLE].to_dict()}")
                n_articles = df["article_id"].nunique() if len(df) else 0
                if n_articles < last_articles:
                    torn.append(f"article count went down {last_articles} -> {n_articles}")
                last_articles = n_articles
                store.query_events(EventFilter(keyword=f"word{k % 97}", start=dt.date(2026, 1, 10)))
                store.counts_by_period(EventFilter(types=("airstrike",)), "week")
                store.facets()
                store.quality()
                store.count_events(EventFilter(bbox=(-90.0, -10.0, 40.0, 60.0)))
                queries += 6
            except Exception as exc:  # noqa: BLE001 - every failure is reported to the test
                errors.append("".join(traceback.format_exception_only(type(exc), exc)).strip())
                if len(errors) > 20:
                    break
    except Exception as exc:  # noqa: BLE001
        errors.append("".join(traceback.format_exception_only(type(exc), exc)).strip())
    finally:
        if own and store is not None:
            store.close()
    return {"queries": queries, "errors": errors, "torn": torn, "last_articles": last_articles}
