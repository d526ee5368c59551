"""The `geo parse` contract on a tiny committed fixture (real gazetteer, real spaCy)."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pytest

from geo import geoparse
from geo.errors import InputError

FIXTURE = Path(__file__).parent / "data" / "geoparse_tiny.jsonl"
KEYS = {"start", "end", "name", "lat", "lon", "geonameid", "kind", "score"}


def _run(tmp_path: Path, *extra: str) -> list[dict]:
    parser = argparse.ArgumentParser()
    geoparse.configure_parser(parser)
    out = tmp_path / "out.jsonl"
    args = parser.parse_args([str(FIXTURE), "-o", str(out), "--workers", "1", "--no-progress", *extra])
    assert geoparse.run_cli(args) == 0
    return [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]


def test_parse_output_contract(tmp_path, gazetteer):
    rows = _run(tmp_path)
    inputs = [json.loads(line) for line in FIXTURE.read_text(encoding="utf-8").splitlines()]
    assert [r["id"] for r in rows] == [r["id"] for r in inputs]
    for row, rec in zip(rows, inputs):
        for t in row["toponyms"]:
            assert set(t) == KEYS
            assert rec["text"][t["start"] : t["end"]] == t["name"]
            assert -90 <= t["lat"] <= 90 and -180 <= t["lon"] <= 180
    names = {t["name"]: t for t in rows[1]["toponyms"]}
    assert names["Esmeraldas"]["geonameid"] == 3657986 and names["Esmeraldas"]["kind"] == "admin1"
    assert names["U.S."]["kind"] == "country"
    assert rows[2]["toponyms"] == []


def test_parse_gold_spans_returns_exactly_the_given_spans(tmp_path, gazetteer):
    rows = _run(tmp_path, "--gold-spans")
    inputs = [json.loads(line) for line in FIXTURE.read_text(encoding="utf-8").splitlines()]
    for row, rec in zip(rows, inputs):
        assert [(t["start"], t["end"]) for t in row["toponyms"]] == [(g["start"], g["end"]) for g in rec["toponyms"]]
    paris = rows[0]["toponyms"][0]
    assert paris["geonameid"] == 4717560


def test_parallel_workers_keep_input_order(gazetteer):
    records = [{"id": str(i), "text": t} for i, t in enumerate(["Rain in Quito.", "Snow in Oslo.", "Sun in Lima."] * 6)]
    rows = list(geoparse.parse_records(records, workers=2, chunk_size=2))
    assert [r["id"] for r in rows] == [r["id"] for r in records]
    assert rows[1]["toponyms"][0]["name"] == "Oslo"


def test_bad_input_names_file_and_line(tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "1", "text": "ok"}\n{not json}\n', encoding="utf-8")
    with pytest.raises(InputError, match=r"bad\.jsonl:2"):
        geoparse.read_records(bad)


def test_publication_of_a_record():
    assert geoparse.publication({"url": "https://www.onlineathens.com/news/1.html"}) == "onlineathens.com"
    assert geoparse.publication({"source": "Daily Post", "url": "http://x.org/"}) == "daily post"
    assert geoparse.publication({"text": "no source"}) is None


def test_focus_pass_uses_the_publications_own_articles(gazetteer):
    home = ["Police in Columbus and Cincinnati searched the area.", "Dayton and Akron schools closed.",
            "A storm hit Toledo and Cleveland.", "The council met in Dublin on Tuesday."]
    records = [{"id": str(i), "text": t, "url": f"https://dispatch.example.com/{i}"} for i, t in enumerate(home)]
    rows = list(geoparse.parse_records(records, workers=1))
    assert [r["id"] for r in rows] == [r["id"] for r in records]
    (dublin,) = [t for t in rows[3]["toponyms"] if t["name"] == "Dublin"]
    assert abs(dublin["lon"] - (-83.1)) < 1.0  # Dublin, Ohio
    rows = list(geoparse.parse_records(records, workers=1, focus=False))
    (dublin,) = [t for t in rows[3]["toponyms"] if t["name"] == "Dublin"]
    assert abs(dublin["lon"] - (-6.26)) < 1.0  # Dublin, Ireland without the focus pass
