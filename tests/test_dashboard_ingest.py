"""Ingest from the app: a refused article is listed, the good ones in the same upload are stored."""

from __future__ import annotations

import json

import pytest

from geo.store import EventStore


def test_upload_with_an_overlong_article_keeps_the_good_one(pipeline, tmp_path, monkeypatch):
    data = pytest.importorskip("dashboard.data")
    store = tmp_path / "app.sqlite"
    monkeypatch.setenv("GEO_STORE", str(store))
    monkeypatch.setattr(data, "pipeline", lambda: pipeline)
    lines = [
        {"title": "Flood", "published": "2026-03-02", "text": "A flood hit Dhaka on Monday, officials said."},
        {"title": "Dump", "published": "2026-03-02", "text": "word " * (pipeline.max_chars // 5 + 10)},
    ]
    upload = ("../../etc/passwd.jsonl", "\n".join(json.dumps(x) for x in lines).encode())
    report = data.ingest_uploads([upload])
    assert report.articles == 1
    assert len(report.errors) == 1 and "too long" in report.errors[0]
    assert "passwd.jsonl" in report.errors[0] or "upload_" not in report.errors[0]
    with EventStore(store, readonly=True) as s:
        titles = {s.get_article(i).title for i in s.known_article_ids(
            [r[0] for r in s.read("SELECT id FROM articles")])}
    assert titles == {"Flood"}
    assert not (tmp_path.parent / "etc").exists()
