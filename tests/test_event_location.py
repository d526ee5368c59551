"""The event-place linker on single sentences, and its score on the shared event_location corpus."""

from __future__ import annotations

import json
import math

import pytest

from geo.event_eval import evaluate_events, prf
from geo.event_place import link_event_place, rank_event_places
from geo.model import Toponym


@pytest.fixture(scope="module")
def nlp(pipeline):
    return pipeline.nlp


def _tops(text, *names):
    out = []
    for n in names:
        i = text.index(n)
        out.append(Toponym(i, i + len(n), n))
    return out


@pytest.mark.parametrize(("text", "verb", "places", "expected"), [
    ("Police in Kabul said a bomb exploded in Jalalabad.", "exploded", ("Kabul", "Jalalabad"), "Jalalabad"),
    ("He was killed in Mayadeen in the eastern province of Deir Ezzor.", "killed", ("Mayadeen", "Deir Ezzor"),
     "Mayadeen"),
    ("In the West Bank city of Nablus, a man was shot.", "shot", ("West Bank", "Nablus"), "Nablus"),
    ("Troops from Chad attacked rebels in Gao.", "attacked", ("Chad", "Gao"), "Gao"),
    ("Syrian forces shelled Aleppo on Monday.", "shelled", ("Aleppo",), "Aleppo"),
    ("Russia attacked the port.", "attacked", ("Russia",), None),
    ("A Kabul police spokesman said two men were arrested.", "arrested", ("Kabul",), None),
])
def test_link_event_place(nlp, text, verb, places, expected):
    doc = nlp(text)
    start = text.index(verb)
    got = link_event_place(doc, start, start + len(verb), _tops(text, *places))
    assert (got.text if got else None) == expected
    ranked = rank_event_places(doc, start, start + len(verb), _tops(text, *places))
    assert [r.cost for r in ranked] == sorted(r.cost for r in ranked)


def test_prf():
    assert prf(0, 0, 0) == {"precision": 0.0, "recall": 0.0, "f1": 0.0}
    assert prf(8, 10, 16) == {"precision": 0.8, "recall": 0.5, "f1": 0.6154}


def test_evaluate_on_a_small_gold_file(tmp_path):
    text = "A bomb exploded in Jalalabad on Tuesday, police in Kabul said."
    rows = [
        {"text": text, "events": [{"start": text.index("exploded"), "end": text.index("exploded") + 8,
                                   "verb": "exploded", "location_spans": [[text.index("Jalalabad"),
                                                                           text.index("Jalalabad") + 9]]}]},
        {"text": "Nothing happened.", "answer": "reject", "events": [{"start": 0, "end": 7, "location_spans": []}]},
    ]
    import json

    p = tmp_path / "gold.jsonl"
    p.write_text("\n".join(json.dumps(r) for r in rows))
    r = evaluate_events(p, toponyms="ner")
    assert r["rows"] == 1 and r["events"] == 1 and r["gold"] == 1
    assert r["strict_scores"]["precision"] in (0.0, 1.0)
    assert r["overlap_scores"]["recall"] >= r["strict_scores"]["recall"]


@pytest.mark.bench
def test_event_location_scores_on_shared_corpus(bench_dir):
    r = evaluate_events(bench_dir / "event_location.jsonl", limit=400)
    assert r["events"] >= 400
    # Floors well below the measured full-corpus figures (see tests/bench/events.py): a regression guard.
    assert r["overlap_scores"]["precision"] >= 0.45
    assert r["overlap_scores"]["recall"] >= 0.4


def test_gold_spans_repair_token_offsets(nlp):
    from geo.event_eval import gold_spans

    text = " McCoy was captured in March in Las Vegas.\n"
    doc = nlp(text)
    las = next(t.i for t in doc if t.text == "Las")
    # a character span is kept as is
    i = text.index("Las Vegas")
    assert gold_spans(text, [[i, i + 9]], doc) == ([(i, i + 9)], 0)
    # token offsets with an inclusive end ("w" when read as characters) are read as tokens
    spans, fixed = gold_spans(text, [[las, las + 1]], doc)
    assert fixed == 1 and [text[a:b] for a, b in spans] == ["Las Vegas"]
    # a one-token place shows as an empty character span
    spans, _ = gold_spans(text, [[las + 1, las + 1]], doc)
    assert [text[a:b] for a, b in spans] == ["Vegas"]
    # without repair, artefacts are dropped
    assert gold_spans(text, [[las, las + 1]], doc, repair=False) == ([], 0)


def test_unresolved_village_in_a_locative_slot_is_a_candidate(nlp):
    # no gazetteer mention at all: the village is found from the sentence's grammar
    text = "Iqbal was shot dead on Sunday in the village of Muritke."
    doc = nlp(text)
    s = text.index("shot")
    got = link_event_place(doc, s, s + 4, [])
    assert got is not None and got.text == "Muritke" and got.place is None
    assert link_event_place(doc, s, s + 4, [], unresolved=False) is None


def test_finer_place_beats_its_container(nlp):
    text = "Militants attacked a police station in the town of Cinar in southeast Turkey with a truck bomb."
    doc = nlp(text)
    s = text.index("attacked")
    got = link_event_place(doc, s, s + 8, _tops(text, "Cinar", "Turkey"))
    assert got is not None and got.text == "Cinar"


def test_coordinated_places_are_all_linked(nlp):
    from geo.event_place import link_event_places

    text = "Gunmen killed 54 people in Chibok and Biu on Sunday."
    doc = nlp(text)
    s = text.index("killed")
    got = [t.text for t in link_event_places(doc, s, s + 6, _tops(text, "Chibok", "Biu"))]
    assert sorted(got) == ["Biu", "Chibok"]  # both, whichever the scorer ranks first


def test_scorer_per_token_and_per_candidate(nlp):
    from geo.event_eval import EventScorer

    text = "A bomb exploded in Jalalabad and Kabul, police in Herat said."
    doc = nlp(text)
    span = lambda n: (text.index(n), text.index(n) + len(n))  # noqa: E731
    cands = _tops(text, "Jalalabad", "Kabul", "Herat")
    sc = EventScorer()
    # gold: Jalalabad only; predicted: Jalalabad and Kabul
    sc.add(doc, "t", [span("Jalalabad")], cands[:2], cands)
    r = sc.result()
    assert r["per_event"]["overlap"] == {"precision": 1.0, "recall": 1.0, "f1": 1.0}
    assert r["per_mention"]["precision"] == 0.5 and r["per_mention"]["recall"] == 1.0
    assert r["per_token"]["precision"] == 0.5 and r["per_token"]["recall"] == 1.0
    assert r["per_candidate"]["candidates"] == 3 and r["per_candidate"]["gold_candidates"] == 1
    # an event without gold and with a prediction is a false positive everywhere
    sc.add(doc, "t", [], cands[2:], cands)
    r = sc.result()
    assert r["per_event"]["overlap"]["precision"] == 0.5 and r["per_token"]["precision"] == round(1 / 3, 4)


def test_learned_link_model_is_shipped_and_scores_probabilities(nlp):
    from geo.event_place import MODEL_PATH, load_link_model, score_links

    model = load_link_model()
    assert model is not None, f"{MODEL_PATH} missing"
    meta = json.loads(MODEL_PATH.read_text(encoding="utf-8"))
    assert "MIT" in meta["license"] and 0.0 < model.threshold < 1.0
    text = "Police in Kabul said a bomb exploded in a market in Jalalabad."
    doc = nlp(text)
    s = text.index("exploded")
    scored = score_links(rank_event_places(doc, s, s + 8, _tops(text, "Kabul", "Jalalabad")), model)
    assert [lk.toponym.text for lk, _ in scored] == ["Jalalabad", "Kabul"]
    assert all(0.0 <= p <= 1.0 for _, p in scored)
    assert scored[0][1] >= model.threshold > scored[1][1]


def test_hand_set_linker_is_the_fallback(nlp, tmp_path):
    from geo.errors import ModelError
    from geo.event_place import load_link_model

    assert load_link_model(tmp_path / "absent.json") is None
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"features": ["cost"], "coef": [1.0, 2.0], "mean": [0.0], "scale": [1.0],
                               "intercept": 0.0, "threshold": 0.5}))
    with pytest.raises(ModelError, match="bad.json"):
        load_link_model(bad)
    text = "Troops from Chad attacked rebels in Gao."
    doc = nlp(text)
    s = text.index("attacked")
    got = link_event_place(doc, s, s + 8, _tops(text, "Chad", "Gao"), learned=False)
    assert got is not None and got.text == "Gao"


@pytest.mark.parametrize(("text", "name", "expected"), [
    ("Clashes broke out in Deir Ezzor Governorate on Friday.", "Deir Ezzor", "Deir Ezzor Governorate"),
    ("Two soldiers were killed in Mazar-e-Sharif yesterday.", "Mazar", "Mazar-e-Sharif"),
    ("Police arrested him in Baghdad Monday.", "Baghdad", "Baghdad"),
    ("A bomb exploded in Kabul, police said.", "Kabul", "Kabul"),
])
def test_full_name_widens_only_to_the_name_as_written(nlp, text, name, expected):
    from geo.event_place import full_name

    doc = nlp(text)
    got = full_name(doc, _tops(text, name)[0])
    assert got.text == expected and text[got.start:got.end] == expected


def test_evaluate_one_half_of_the_gold_file(tmp_path):
    from geo.errors import InputError

    rows = []
    for town in ("Jalalabad", "Kandahar", "Herat"):
        text = f"A bomb exploded in {town} on Tuesday."
        s = text.index("exploded")
        rows.append({"text": text, "events": [{"start": s, "end": s + 8, "verb": "exploded",
                                               "location_spans": [[text.index(town), text.index(town) + len(town)]]}]})
    p = tmp_path / "gold.jsonl"
    p.write_text("\n".join(json.dumps(r) for r in rows))
    even = evaluate_events(p, toponyms="ner", half="even")
    odd = evaluate_events(p, toponyms="ner", half="odd", learned=False)
    assert (even["rows"], odd["rows"]) == (2, 1) and even["half"] == "even"
    with pytest.raises(InputError, match="half"):
        evaluate_events(p, toponyms="ner", half="held-out")


def test_evaluate_the_gold_standard_rows_only(tmp_path):
    rows = []
    for town, source in (("Jalalabad", "APW_RA"), ("Kandahar", "RELABEL"), ("Herat", "AFP_RA"), ("Ghazni", "RELABEL")):
        text = f"A bomb exploded in {town} on Tuesday."
        s = text.index("exploded")
        rows.append({"text": text, "source": source,
                     "events": [{"start": s, "end": s + 8, "verb": "exploded",
                                 "location_spans": [[text.index(town), text.index(town) + len(town)]]}]})
    p = tmp_path / "gold.jsonl"
    p.write_text("\n".join(json.dumps(r) for r in rows))
    r = evaluate_events(p, toponyms="ner", half="gold-standard")
    assert r["rows"] == 2 and r["half"] == "gold-standard" and list(r["by_source"]) == ["RELABEL"]


def test_shipped_linker_never_saw_the_gold_standard():
    from geo.event_place import MODEL_PATH

    meta = json.loads(MODEL_PATH.read_text(encoding="utf-8"))
    assert "never a sentence of the gold standard" in meta["trained_on"]


def _stump(feature: int, threshold: float, low: float, high: float) -> dict:
    """One split: ``value <= threshold`` goes left (leaf ``low``), else right (leaf ``high``)."""
    return {"feature": [feature, -1, -1], "threshold": [threshold, 0.0, 0.0], "left": [1, -1, -1],
            "right": [2, -1, -1], "value": [0.0, low, high]}


def test_tree_link_model_scores_by_its_splits_and_ignores_unknown_features():
    from geo.event_place import PlaceLink, TreeLinkModel

    model = TreeLinkModel(["cost", "pw=in"], 0.0, [_stump(0, 1.0, 2.0, -2.0), _stump(1, 0.5, -1.0, 1.0)], 0.5)
    top = Toponym(0, 5, "Kabul")

    def prob(**features):
        return model.probability(PlaceLink(top, 0.0, "", {k.replace("_", "="): v for k, v in features.items()}))

    # cheap and headed by "in": 2 + 1; costly without the preposition: -2 - 1
    assert prob(cost=0.5, pw_in=1.0) == pytest.approx(1 / (1 + math.exp(-3.0)))
    assert prob(cost=3.0) == pytest.approx(1 / (1 + math.exp(3.0)))
    # a feature the model was not fitted with changes nothing
    assert prob(cost=0.5, pw_in=1.0, **{"tlem_unknown": 1.0}) == prob(cost=0.5, pw_in=1.0)
    links = [PlaceLink(top, 0.0, "", {"cost": c}) for c in (0.2, 4.0)]
    assert model.probabilities(links) == [model.probability(lk) for lk in links]
    assert model.probabilities([]) == []


def test_tree_link_model_file_errors_name_the_file(tmp_path):
    from geo.errors import ModelError
    from geo.event_place import TreeLinkModel, load_link_model

    good = {"kind": "gradient_boosted_trees", "features": ["cost"], "base": 0.1, "threshold": 0.4,
            "extra_threshold": 0.6, "trees": [_stump(0, 1.0, 1.0, -1.0)]}
    p = tmp_path / "trees.json"
    p.write_text(json.dumps(good))
    model = load_link_model(p)
    assert isinstance(model, TreeLinkModel) and (model.threshold, model.extra_threshold) == (0.4, 0.6)
    for broken in ({**good, "trees": [_stump(3, 1.0, 1.0, -1.0)]},                     # unknown feature index
                   {**good, "trees": [{**_stump(0, 1.0, 1.0, -1.0), "value": [0.0]}]},  # ragged arrays
                   {k: v for k, v in good.items() if k != "base"}):
        bad = tmp_path / "bad_trees.json"
        bad.write_text(json.dumps(broken))
        load_link_model.cache_clear()
        with pytest.raises(ModelError, match="bad_trees.json"):
            load_link_model(bad)
    load_link_model.cache_clear()


def test_shipped_model_is_the_tree_scorer_with_word_features():
    from geo.event_place import TreeLinkModel, load_link_model

    model = load_link_model()
    assert isinstance(model, TreeLinkModel)
    names = set(model.features)
    # trigger lemma, heading preposition and path shape are among the fitted features
    assert {"tlem=kill", "pw=in", "proper_noun"} <= names
    assert any(n.startswith("path=") for n in names)
    assert 0.0 < model.threshold <= model.extra_threshold <= 1.0


def test_proper_nouns_in_place_slots_are_weak_candidates(nlp):
    from geo.event_place import PROPER_NOUN, proper_noun_mentions

    text = "Tamil rebels captured Mullaittivu last July after Prabhakaran spoke."
    doc = nlp(text)
    sent = next(iter(doc.sents))
    got = proper_noun_mentions(sent, [])
    assert "Mullaittivu" in [t.text for t in got]
    assert all(t.place is None and PROPER_NOUN in t.reasons for t in got)
    # a name already offered is not offered twice
    i = text.index("Mullaittivu")
    assert "Mullaittivu" not in [t.text for t in proper_noun_mentions(sent, [Toponym(i, i + 11, "Mullaittivu")])]
    s = text.index("captured")
    with_weak = rank_event_places(doc, s, s + 8, [], proper_nouns=True)
    without = rank_event_places(doc, s, s + 8, [], proper_nouns=False)
    assert len(with_weak) > len(without)
    assert any(lk.features.get("proper_noun") == 1.0 for lk in with_weak)
    # the hand-set linker never picks a weak candidate
    from geo.event_place import choose_event_place

    best = choose_event_place(doc, with_weak, learned=False)
    assert best is None or PROPER_NOUN not in best.toponym.reasons


def test_link_features_carry_the_words_around_the_link(nlp):
    text = "Gunmen killed five people in a market in Jalalabad, officials said."
    doc = nlp(text)
    s = text.index("killed")
    ranked = rank_event_places(doc, s, s + 6, _tops(text, "Jalalabad"))
    f = ranked[0].features
    assert f["tlem=kill"] == 1.0 and f["pw=in"] == 1.0
    assert any(k.startswith("path=") for k in f) and any(k.startswith("ttag=") for k in f)
    assert f["nearest"] == 1.0 and f["n_between"] == 0.0


def test_link_features_say_when_a_mention_names_who_rather_than_where(nlp):
    text = "At least 20 SDF fighters and a cab driver from Abidjan were killed in Manbij."
    doc = nlp(text)
    s = text.index("killed")
    ranked = rank_event_places(doc, s, s + 6, _tops(text, "SDF", "Abidjan", "Manbij"))
    f = {lk.toponym.text: lk.features for lk in ranked}
    assert f["SDF"]["qualifies_group"] == 1.0 and f["SDF"]["acronym"] == 1.0 and f["SDF"]["all_caps"] == 1.0
    assert f["Abidjan"]["qualifies_group"] == 1.0 and f["Abidjan"]["acronym"] == 0.0
    assert f["Manbij"]["qualifies_group"] == 0.0 and f["Manbij"]["all_caps"] == 0.0
    # the shipped scorer reads these features, and ranks the event's own place first
    from geo.event_place import load_link_model, score_links

    model = load_link_model()
    assert {"qualifies_group", "acronym", "all_caps"} <= set(model.features)
    assert score_links(ranked, model)[0][0].toponym.text == "Manbij"


def test_link_features_mark_names_of_organisations_and_adjectives(nlp):
    text = "Militants were killed near the YPG Media Center in Chechen towns."
    doc = nlp(text)
    s = text.index("killed")
    ranked = rank_event_places(doc, s, s + 6, _tops(text, "YPG Media Center", "Chechen"))
    f = {lk.toponym.text: lk.features for lk in ranked}
    assert f["YPG Media Center"]["org_word"] == 1.0
    assert f["Chechen"]["adjective"] == 1.0 and f["Chechen"]["org_word"] == 0.0
