"""Triggers, modality (happened or not), event place, date and merging, on real parsed text."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from geo.errors import InputError
from geo.events import event_id, extract_events, precision_for
from geo.model import Place
from geo.triggers import Taxonomy, assess_modality, find_triggers, load_taxonomy

D = dt.date


@pytest.fixture(scope="module")
def nlp(pipeline):
    return pipeline.nlp


def _article(text, published=D(2026, 3, 6)):
    from geo.articles import make_article

    return make_article(text=text, title="", published=published)


def _events(pipeline, text, published=D(2026, 3, 6)):
    return pipeline.process_one(_article(text, published)).events


@pytest.mark.parametrize(("sentence", "word", "etype", "happened"), [
    ("Rebels may strike the base.", "strike", "strike", False),
    ("The group threatened to attack the town.", "attack", "attack", False),
    ("Activists plan a protest in Paris on Monday.", "protest", "protest", False),
    ("Police did not arrest anyone.", "arrest", "arrest", False),
    ("There were no protests in the capital.", "protests", "protest", False),
    ("Fears of an attack grew in the city.", "attack", "attack", False),
    ("A planned strike was called off.", "strike", "strike", False),
    ("If they attack, the army will respond.", "attack", "attack", False),
    ("Workers went on strike in Lagos.", "went on strike", "protest", True),
    ("Troops shelled Donetsk on Monday.", "shelled", "shelling", True),
    ("A suicide bomber blew himself up in Kabul.", "suicide bomber", "bombing", True),
    ("Police arrested 12 people in Quito.", "arrested", "arrest", True),
    ("The strike will be remembered for years.", "strike", "strike", True),
])
def test_triggers_and_modality(nlp, sentence, word, etype, happened):
    doc = nlp(sentence)
    trig = next(t for t in find_triggers(doc) if doc[t.start:t.end].text == word)
    assert trig.type.key == etype
    ok, reason = assess_modality(doc, trig.head)
    assert ok is happened
    assert (reason is None) is happened


@pytest.mark.parametrize("sentence", [
    "The government vowed to continue its battle against drug trafficking.",
    "The two companies struck a deal on Monday.",
    "He died of a heart attack.",
])
def test_metaphors_and_idioms_are_not_triggers(nlp, sentence):
    doc = nlp(sentence)
    assert [t for t in find_triggers(doc) if t.type.family != "political"] == []


def test_taxonomy_families_are_acled_like():
    tax = load_taxonomy()
    assert {"battles", "explosions_remote_violence", "violence_against_civilians", "protests", "riots",
            "law_enforcement", "disasters", "political", "other"} <= set(tax.families)
    assert tax.types["strike"].family == "explosions_remote_violence"
    assert all(t.family in tax.families for t in tax.types.values())


def test_malformed_taxonomy_names_the_file(tmp_path):
    bad = tmp_path / "types.json"
    bad.write_text('{"families": {}, "types": {"x": {"family": "nope"}}}')
    with pytest.raises(InputError, match="types.json"):
        Taxonomy.from_path(bad)
    bad.write_text("{not json")
    with pytest.raises(InputError, match="types.json:1"):
        Taxonomy.from_path(bad)
    assert json.loads('{"a": 1}')  # the taxonomy file format is plain JSON


def test_event_place_is_the_linked_mention_not_every_place(pipeline):
    text = "Police in Kabul said a car bomb exploded in Jalalabad on Tuesday, killing four people."
    (event,) = [e for e in _events(pipeline, text) if e.happened]
    assert event.place is not None and event.place.country_code == "AF" and event.place.kind == "city"
    assert event.place_span.text == "Jalalabad"
    assert event.family == "explosions_remote_violence"
    assert event.date == D(2026, 3, 3) and event.date_source == "text"
    assert text[event.place_span.start:event.place_span.end] == "Jalalabad"


def test_negated_and_future_events_are_not_happened(pipeline):
    text = "Opposition leaders plan a protest in Caracas next week. Rebels threatened to attack Goma."
    events = _events(pipeline, text)
    assert events and not any(e.happened for e in events)
    assert all(0.0 <= e.confidence <= 1.0 for e in events)


def test_publication_date_is_flagged_when_the_text_gives_none(pipeline):
    (event,) = [e for e in _events(pipeline, "Protesters marched through Nairobi.", D(2025, 6, 1)) if e.happened]
    assert event.date == D(2025, 6, 1) and event.date_source == "published"
    (event,) = [e for e in _events(pipeline, "Protesters marched through Nairobi.", None) if e.happened]
    assert event.date is None and event.date_source == "none"


def test_later_report_of_the_same_event_is_merged(pipeline):
    text = ("An airstrike hit a market in Idlib on Monday, killing nine people. "
            "Residents said the market was crowded. "
            "The airstrike in Idlib on Monday was the deadliest this year.")
    happened = [e for e in _events(pipeline, text) if e.happened]
    assert len(happened) == 1
    assert happened[0].type == "airstrike" and happened[0].date == D(2026, 3, 2)


def test_different_places_are_different_events(pipeline):
    text = "A bomb exploded in Kabul on Monday. Another bomb exploded in Lagos on Monday."
    places = {e.place_span.text for e in _events(pipeline, text) if e.happened and e.place_span}
    assert {"Kabul", "Lagos"} <= places


def test_ids_are_stable_and_precision_follows_the_place_kind(pipeline):
    text = "Troops clashed with rebels in Goma on Friday."
    a, b = _events(pipeline, text), _events(pipeline, text)
    assert [e.id for e in a] == [e.id for e in b]
    assert a[0].id == event_id(a[0].article_id, a[0].trigger.start, a[0].trigger.end)
    kinds = {"landmark": "point", "city": "city", "admin2": "admin2", "admin1": "admin1", "country": "country",
             "region": "region", "continent": "region"}
    for kind, precision in kinds.items():
        assert precision_for(Place(1, "x", kind, 0.0, 0.0)) == precision
    assert precision_for(None) is None


def test_no_triggers_no_events(pipeline, nlp):
    from geo.model import Article

    text = "The weather in Lisbon was pleasant and the museums were open."
    doc = nlp(text)
    assert extract_events(doc, Article("x", "", text), [], [], None) == []


def test_a_doc_without_parse_is_a_clear_error(pipeline):
    import spacy

    from geo.errors import ModelError
    from geo.model import Article

    doc = spacy.blank("en")("Troops shelled Donetsk.")
    with pytest.raises(ModelError, match="parser"):
        extract_events(doc, Article("x", "", doc.text), [], [], None)


@pytest.mark.parametrize("sentence", ["Stocks rallied after the market crash.", "He was fired from his job."])
def test_business_and_office_idioms_are_not_triggers(nlp, sentence):
    assert find_triggers(nlp(sentence)) == []


def test_unresolved_event_place_falls_back_to_its_container(pipeline):
    # the village is not in the gazetteer; the province named beside it places the event, at admin1 precision
    events = _events(pipeline, "A bomb exploded in the village of Khirbet Ghazaleh in Daraa province on Tuesday.")
    happened = [e for e in events if e.happened]
    assert len(happened) == 1
    ev = happened[0]
    assert ev.place is not None and ev.place.country_code == "SY" and ev.precision == "admin1"
    assert any("Khirbet Ghazaleh" in r and "not in the gazetteer" in r for r in ev.reasons)
