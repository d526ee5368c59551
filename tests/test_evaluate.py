"""`geo evaluate`: the metric definitions of ../shared/bench/README.md on hand-checked cases and the fixture."""

from __future__ import annotations

import argparse
import json
import math
from pathlib import Path

import pytest

from geo import evaluate

FIXTURE = Path(__file__).parent / "data" / "geoparse_tiny.jsonl"


def test_auc_bounds():
    assert evaluate.auc([0.0, 0.0, 0.0]) == 0.0
    assert evaluate.auc([20039.0, 20039.0]) == pytest.approx(math.log(20040) / math.log(20039))


def test_score_strict_and_overlap_matching():
    gold = [{"toponyms": [{"start": 0, "end": 5, "lat": 0.0, "lon": 0.0}, {"start": 10, "end": 15, "lat": 10.0,
                                                                           "lon": 10.0},
                          {"start": 20, "end": 25, "lat": None, "lon": None}]}]
    preds = [{"toponyms": [{"start": 0, "end": 5, "lat": 0.5, "lon": 0.0},  # strict match, 56 km
                           {"start": 10, "end": 13, "lat": 50.0, "lon": 10.0},  # overlap only, far
                           {"start": 30, "end": 35, "lat": 1.0, "lon": 1.0}]}]  # spurious
    r = evaluate.score(gold, preds)
    assert r["gold"] == 2 and r["predicted"] == 3
    assert r["strict"]["matched"] == 1 and r["strict"]["correct161"] == 1
    assert r["strict"]["precision"] == pytest.approx(1 / 3) and r["strict"]["recall"] == pytest.approx(0.5)
    assert r["overlap"]["matched"] == 2 and r["overlap"]["acc161"] == pytest.approx(0.5)
    assert r["strict"]["f1_161"] == pytest.approx(2 * (1 / 3) * 0.5 / (1 / 3 + 0.5))


def test_gold_span_unresolved_counts_as_wrong():
    gold = [{"toponyms": [{"start": 0, "end": 5, "lat": 0.0, "lon": 0.0}, {"start": 6, "end": 9, "lat": 1.0,
                                                                           "lon": 1.0}]}]
    preds = [{"toponyms": [{"start": 0, "end": 5, "lat": 0.0, "lon": 0.0}, {"start": 6, "end": 9, "lat": None,
                                                                           "lon": None}]}]
    r = evaluate.score(gold, preds, gold_spans=True)
    assert r["acc161"] == 0.5 and r["mean_km"] == pytest.approx(20039.0 / 2)


def test_evaluate_cli_json_on_fixture(capsys, gazetteer):
    parser = argparse.ArgumentParser()
    evaluate.configure_parser(parser)
    assert evaluate.run_cli(parser.parse_args([str(FIXTURE), "--json", "--workers", "1"])) == 0
    r = json.loads(capsys.readouterr().out)
    assert r["gold"] == 6 and r["strict"]["f1_161"] > 0.6 and r["docs_per_s"] > 0
    assert evaluate.run_cli(parser.parse_args([str(FIXTURE), "--json", "--gold-spans", "--workers", "1"])) == 0
    g = json.loads(capsys.readouterr().out)
    assert g["mode"] == "gold_spans" and g["acc161"] == 1.0


def test_evaluate_on_shared_lgl_sample(bench_dir, gazetteer):
    r = evaluate.evaluate_file(bench_dir / "lgl.jsonl", gold_spans=True, limit=20, workers=1)
    assert r["docs"] == 20 and 0.5 < r["acc161"] <= 1.0


def test_subset_is_refused_for_a_geoparsing_corpus(tmp_path):
    from geo.errors import InputError

    p = tmp_path / "places.jsonl"
    p.write_text(json.dumps({"id": "1", "text": "Rain in Paris.", "toponyms": []}) + "\n")
    with pytest.raises(InputError, match="--subset applies to an event-location corpus"):
        evaluate.evaluate_file(p, subset="gold-standard", workers=1)
