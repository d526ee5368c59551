"""A separate process that writes to (or reads from) an event store, for crash and concurrency tests.

``python store_worker.py write STORE TOTAL BATCH`` saves synthetic articles 0..TOTAL-1 in batches of BATCH,
skipping those already stored (as ``geo ingest`` resumes), and prints ``begin N`` / ``committed N`` around each
batch (flushed), so the parent knows what was committed when it kills the process.
``python store_worker.py read STORE SECONDS`` queries the store read-only for SECONDS and prints one JSON line
with the number of queries run and any errors or inconsistencies seen.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.helpers.synthetic import article_id, make_result  # noqa: E402
from tests.helpers.readers import read_for  # noqa: E402


def write(path: str, total: int, batch: int) -> None:
    from geo.store import EventStore

    with EventStore(path) as store:
        print("open", flush=True)
        for b, start in enumerate(range(0, total, batch)):
            ids = [article_id(i) for i in range(start, min(total, start + batch))]
            known = store.known_article_ids(ids)
            todo = [make_result(i) for i in range(start, min(total, start + batch)) if article_id(i) not in known]
            print(f"begin {b}", flush=True)
            store.save_results(todo)
            print(f"committed {b}", flush=True)
    print("done", flush=True)


def main(argv: list[str]) -> int:
    if argv[0] == "write":
        write(argv[1], int(argv[2]), int(argv[3]))
    elif argv[0] == "read":
        print(json.dumps(read_for(argv[1], float(argv[2]))), flush=True)
    else:  # pragma: no cover
        raise SystemExit(f"unknown mode {argv[0]!r}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
