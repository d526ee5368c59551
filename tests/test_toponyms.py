"""Recognition: the gazetteer ruler + spaCy entities -> place mentions with clean spans."""

from __future__ import annotations

import pytest

from geo.toponyms import find_mentions, is_demonym


@pytest.fixture(scope="module")
def nlp(gazetteer):
    from geo.nlp import load_nlp

    return load_nlp(gazetteer, parser=False)


def _mentions(nlp, gazetteer, text):
    return [(m.text, text[m.start : m.end]) for m in find_mentions(nlp(text), gazetteer)]


def test_ruler_is_before_ner(nlp):
    names = nlp.pipe_names
    assert names.index("geo_gazetteer_ruler") < names.index("ner")


def test_load_nlp_is_cached_per_flag(gazetteer, nlp):
    from geo.nlp import load_nlp

    assert load_nlp(gazetteer, parser=False) is nlp
    full = load_nlp(gazetteer, parser=True)
    assert full is not nlp and "parser" in full.pipe_names


def test_leading_article_is_excluded(nlp, gazetteer):
    found = _mentions(nlp, gazetteer, "Officials in the United States met the Pentagon staff.")
    assert ("United States", "United States") in found
    assert ("Pentagon", "Pentagon") in found


def test_province_and_regions_found(nlp, gazetteer):
    text = "The strike hit the coastal province of Esmeraldas, part of the Andean region of Latin America."
    names = [m for m, _ in _mentions(nlp, gazetteer, text)]
    assert {"Esmeraldas", "Andean region", "Latin America"} <= set(names)


def test_demonyms_are_not_places(nlp, gazetteer):
    text = "Colombian cartels and Ecuadorian police clashed in Ecuador."
    names = [m for m, _ in _mentions(nlp, gazetteer, text)]
    assert names == ["Ecuador"]
    assert is_demonym("Colombian") and is_demonym("Ecuadorians") and not is_demonym("Colombia")


def test_whole_words_only(nlp, gazetteer):
    names = [m for m, _ in _mentions(nlp, gazetteer, "The ambassador spoke about embassy security.")]
    assert names == []


def test_city_state_pair_is_split(nlp, gazetteer):
    text = "He grew up in Springfield, Illinois, before moving."
    names = [m for m, _ in _mentions(nlp, gazetteer, text)]
    assert "Springfield" in names and "Illinois" in names


def test_place_inside_an_organisation_name(nlp, gazetteer):
    text = "A spokesman for the Texas Department of State Health Services said the clinic would reopen."
    assert ("Texas", "Texas") in _mentions(nlp, gazetteer, text)


def test_place_inside_a_person_name_is_not_a_mention(nlp, gazetteer):
    text = "George Washington Carver taught at the school for decades."
    assert all(m != "Washington" for m, _ in _mentions(nlp, gazetteer, text))


def test_compass_word_left_out_of_the_span(nlp, gazetteer):
    text = "Most school systems in Northeast Georgia reopened on Monday."
    found = _mentions(nlp, gazetteer, text)
    assert ("Georgia", "Georgia") in found and all("Northeast" not in m for m, _ in found)


def test_abbreviation_keeps_its_period(nlp, gazetteer):
    text = "The restaurant opened in Charleston, W.Va."
    assert ("W.Va.", "W.Va.") in _mentions(nlp, gazetteer, text)


def test_ruler_token_cache_round_trips(tmp_path):
    import spacy

    from geo.nlp import GazetteerRuler

    names = {"Guinea-Bissau": "GPE", "U.S.": "GPE", "Esmeraldas": "GPE", "Andean region": "LOC"}
    tokenizer = spacy.blank("en").tokenizer
    fresh = GazetteerRuler(names, tokenizer).patterns
    written = GazetteerRuler(names, tokenizer, cache_dir=tmp_path).patterns
    assert len(list(tmp_path.glob("ruler_tokens_*.json"))) == 1
    assert GazetteerRuler(names, tokenizer, cache_dir=tmp_path).patterns == written == fresh
    assert fresh[("Guinea", "-", "Bissau")] == "GPE"
    GazetteerRuler({**names, "Sahel": "LOC"}, tokenizer, cache_dir=tmp_path)  # other names: another key
    assert len(list(tmp_path.glob("ruler_tokens_*.json"))) == 1


def test_names_of_pathogens_are_not_places(gazetteer):
    from geo.nlp import load_nlp
    from geo.toponyms import find_mentions

    nlp = load_nlp(gazetteer, parser=False)
    text = ("The West Nile virus and Marburg haemorrhagic fever spread in Angola. The spread of Marburg worried "
            "doctors, although the virus was first identified in Marburg, Germany.")
    found = [(m.text, m.start) for m in find_mentions(nlp(text), gazetteer)]
    names = [n for n, _ in found]
    assert "West Nile" not in names
    assert names.count("Marburg") == 1 and text.index("in Marburg") + 3 in [s for n, s in found if n == "Marburg"]
    assert "Angola" in names and "Germany" in names


def test_one_word_places_the_model_takes_for_organisations_are_recovered(gazetteer):
    from geo.nlp import load_nlp
    from geo.toponyms import _mislabelled_places, find_mentions

    nlp = load_nlp(gazetteer, parser=False)
    text = ("Hogs were culled at a farm in Pandi, Bulacan in the Philippines. Eight horses at Randwick "
            "racecourse in Sydney were infected. Bulacan officials said more tests were due.")
    doc = nlp(text)
    found = find_mentions(doc, gazetteer)
    names = [m.text for m in found]
    assert names.count("Bulacan") == 2 and "Randwick" in names
    # the recovery itself only ever adds one-word gazetteer names the model tagged otherwise
    base = [m for m in found if m.text not in ("Bulacan", "Randwick")]
    for m in _mislabelled_places(doc, base, gazetteer):
        assert " " not in m.text and gazetteer.has_name(m.text)
    # a word no entity covers is a place when the article places the same name elsewhere
    doc2 = nlp("Dead birds were found near Esperance, Western Australia. Esperance residents first noticed them.")
    assert [m.text for m in find_mentions(doc2, gazetteer)].count("Esperance") == 2
    # no other place in the article: nothing is recovered
    lone = nlp("Shares of Randwick rose after the results.")
    assert _mislabelled_places(lone, [], gazetteer) == []


def test_news_outlets_named_after_places_are_not_places(gazetteer):
    from geo.nlp import load_nlp
    from geo.toponyms import find_mentions

    nlp = load_nlp(gazetteer, parser=False)
    text = ("Mr. Kemp told the New York Times that the outbreak in Hebei grew. According to China Daily, the Sunday "
            "Times of India and Voice of America, police in Kenya detained a suspect. Radio Pyongyang said "
            "countermeasures were under way in Bucharest, the Bucharest Daily News reported.")
    found = [(m.text, m.start) for m in find_mentions(nlp(text), gazetteer)]
    names = [n for n, _ in found]
    for outlet_place in ("New York", "China", "India", "America", "Pyongyang"):
        assert outlet_place not in names
    assert "Hebei" in names and "Kenya" in names
    assert [s for n, s in found if n == "Bucharest"] == [text.index("in Bucharest") + 3]


def test_congress_is_not_a_place(gazetteer):
    from geo.nlp import load_nlp
    from geo.toponyms import find_mentions

    nlp = load_nlp(gazetteer, parser=False)
    found = [m.text for m in find_mentions(nlp("The bill stalled in Congress, officials in Texas said."), gazetteer)]
    assert "Congress" not in found and "Texas" in found


def test_a_persons_surname_is_not_a_place_unless_the_article_places_it(gazetteer):
    from geo.nlp import load_nlp
    from geo.toponyms import find_mentions

    nlp = load_nlp(gazetteer, parser=False)
    person = ("New York governor David Paterson declared a state of emergency on Monday. "
              "Paterson said the measure would last a month.")
    found = [(m.text, m.start) for m in find_mentions(nlp(person), gazetteer)]
    assert "New York" in [n for n, _ in found]
    assert not [s for n, s in found if n == "Paterson" and s == person.index("Paterson said")]
    placed = person + " Officials in Paterson closed two schools."
    found = [(m.text, m.start) for m in find_mentions(nlp(placed), gazetteer)]
    assert (("Paterson", placed.index("in Paterson") + 3) in found
            and ("Paterson", placed.index("Paterson said")) in found)
