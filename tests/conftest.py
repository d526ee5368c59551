"""Shared fixtures: the real gazetteer, the real spaCy pipeline, the sample article, the shared corpora."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
SAMPLE_ARTICLE = SEEDS / "000_a6e9797fa9424ba8.txt"
SHARED = ROOT.parent / "shared"
BENCH = SHARED / "bench"


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT


@pytest.fixture(scope="session")
def sample_article_path() -> Path:
    return SAMPLE_ARTICLE


@pytest.fixture(scope="session")
def bench_dir() -> Path:
    """The shared annotated corpora; tests that need them skip when they are absent."""
    if not (BENCH / "lgl.jsonl").exists():
        pytest.skip(f"shared benchmark corpora not found at {BENCH} (they are not part of the repository)")
    return BENCH


@pytest.fixture(scope="session")
def gazetteer():
    """The real offline gazetteer, built into data/ by `geo gazetteer build` (make test does it first)."""
    from geo.gazetteer import load_gazetteer

    return load_gazetteer()


@pytest.fixture(scope="session")
def pipeline(gazetteer):
    """The real pipeline (spaCy + gazetteer), loaded once for the whole run."""
    from geo.pipeline import Pipeline

    return Pipeline(gazetteer)


@pytest.fixture(scope="session")
def sample_result(pipeline, sample_article_path):
    """The pipeline's result on the sample article."""
    from geo.articles import read_articles

    (article,) = list(read_articles(sample_article_path))
    return pipeline.process_one(article)


@pytest.fixture()
def store_path(tmp_path: Path) -> Path:
    return tmp_path / "events.sqlite"


@pytest.fixture(scope="session")
def seeded_store_path(tmp_path_factory, pipeline, sample_article_path) -> Path:
    """A real SQLite store holding the sample article's results (session-wide, treat as read-only)."""
    from geo.articles import read_articles
    from geo.store import EventStore

    path = tmp_path_factory.mktemp("store") / "events.sqlite"
    with EventStore(path) as store:
        store.save_results(pipeline.process(read_articles(sample_article_path)))
    return path
