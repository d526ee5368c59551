"""Resolution cases that pin down the classic failure modes of geoparsers."""

from __future__ import annotations

import pytest

from geo.gazetteer import fold, haversine_km
from geo.resolve import geoparse, resolve_spans


@pytest.fixture(scope="module")
def nlp(gazetteer):
    from geo.nlp import load_nlp

    return load_nlp(gazetteer, parser=False)


def _resolve(nlp, gazetteer, text):
    return {t.text: t for t in geoparse(nlp(text), gazetteer)}


def test_paris_without_context_is_france(nlp, gazetteer):
    t = _resolve(nlp, gazetteer, "Protesters marched through Paris on Saturday.")["Paris"]
    assert t.place.country_code == "FR"


def test_paris_with_texas_context_is_texas(nlp, gazetteer):
    t = _resolve(nlp, gazetteer, "The storm hit Paris, Texas, late on Monday.")["Paris"]
    assert (t.place.country_code, t.place.admin1_code) == ("US", "US-TX")
    assert any("Texas" in r for r in t.reasons)
    assert t.alternatives and t.alternatives[0].place.geonameid != t.place.geonameid


def test_georgia_country_vs_state(nlp, gazetteer):
    country = _resolve(nlp, gazetteer, "Russia sent troops into Georgia and South Ossetia near Tbilisi.")
    assert country["Georgia"].place.kind == "country"
    state = _resolve(nlp, gazetteer, "Atlanta and Savannah are the largest cities in Georgia, north of Florida.")
    assert state["Georgia"].place.admin1_code == "US-GA"


def test_springfield_with_a_state(nlp, gazetteer):
    t = _resolve(nlp, gazetteer, "The mayor of Springfield, Illinois, spoke on Monday.")["Springfield"]
    assert t.place.admin1_code == "US-IL"


@pytest.mark.parametrize("name", ["Kiev", "Kyiv"])
def test_kiev_kyiv(nlp, gazetteer, name):
    t = _resolve(nlp, gazetteer, f"Talks were held in {name} on Tuesday.")[name]
    assert t.place.country_code == "UA" and haversine_km(t.place.lat, t.place.lon, 50.45, 30.52) < 30


def test_sao_paulo_without_accent(gazetteer):
    text = "Flooding hit Sao Paulo."
    (t,) = resolve_spans(text, [(13, 22)], gazetteer)
    assert t.place.country_code == "BR" and haversine_km(t.place.lat, t.place.lon, -23.55, -46.64) < 161


def test_us_abbreviation(nlp, gazetteer):
    t = _resolve(nlp, gazetteer, "U.S. officials confirmed the strike.")["U.S."]
    assert (t.place.kind, t.place.country_code) == ("country", "US")


def test_demonym_is_not_resolved_as_a_place(nlp, gazetteer):
    found = _resolve(nlp, gazetteer, "Colombian cartels moved drugs through Ecuador.")
    assert "Colombian" not in found and found["Ecuador"].place.kind == "country"


def test_ambassador_is_not_syria(nlp, gazetteer):
    found = _resolve(nlp, gazetteer, "The ambassador met reporters in Washington.")
    assert all(t.place is None or t.place.country_code != "SY" for t in found.values())
    assert "ambassador" not in found


def test_one_sense_per_name(nlp, gazetteer):
    text = "Paris, Texas, is small. Residents of Paris say the town is quiet."
    tops = [t for t in geoparse(nlp(text), gazetteer) if t.text == "Paris"]
    assert len(tops) == 2 and tops[0].place == tops[1].place and tops[0].place.admin1_code == "US-TX"


def test_sample_article_places(sample_article_path, nlp, gazetteer):
    from geo.articles import read_articles

    (article,) = list(read_articles(sample_article_path))
    tops = geoparse(nlp(article.text), gazetteer)
    by_name = {}
    for t in tops:
        assert article.text[t.start : t.end] == t.text and not t.text.lower().startswith("the ")
        by_name.setdefault(t.text, t)
    esm = by_name["Esmeraldas"].place
    assert (esm.geonameid, esm.kind, esm.admin1_code) == (3657986, "admin1", "EC-E")
    assert haversine_km(esm.lat, esm.lon, 0.9, -79.6) < 50
    for name in ("Ecuador", "Mexico", "Colombia", "Peru"):
        assert by_name[name].place.kind == "country"
    assert by_name["United States"].place.country_code == "US" and by_name["U.S."].place.kind == "country"
    assert by_name["Pentagon"].place.kind == "landmark"
    assert by_name["Andean region"].place.kind == "region"
    assert by_name["Latin America"].place.kind == "region"
    assert by_name["South America"].place.kind == "continent"
    assert "Colombian" not in by_name and "Ecuadorian" not in by_name
    assert tops == sorted(tops, key=lambda t: t.start)
    assert all(0.0 < t.score <= 1.0 for t in tops if t.place)


def test_country_name_is_not_a_small_namesake_town(nlp, gazetteer):
    text = "Officials in Ohio, Kentucky and Indiana said the shipment came from Mexico."
    assert _resolve(nlp, gazetteer, text)["Mexico"].place.kind == "country"
    town = _resolve(nlp, gazetteer, "The fair in Mexico, Missouri, opened on Friday.")["Mexico"].place
    assert (town.kind, town.admin1_code) == ("city", "US-MO")


def test_a_list_of_countries_is_not_a_town_in_a_country(nlp, gazetteer):
    places = _resolve(nlp, gazetteer, "Cases were reported in China, Japan and South Korea last week.")
    assert places["China"].place.kind == "country" and places["China"].place.country_code == "CN"
    assert places["Japan"].place.kind == "country"


def test_iso_inverted_province_and_breakaway_region(nlp, gazetteer):
    places = _resolve(nlp, gazetteer, "Fighting spread from Dagestan to South Ossetia, officials said.")
    assert (places["Dagestan"].place.kind, places["Dagestan"].place.admin1_code) == ("admin1", "RU-DA")
    assert places["South Ossetia"].place.kind == "region"


def test_described_clause_contains_the_place(nlp, gazetteer):
    text = "Virginia is a city in Saint Louis County, Minnesota, United States, on the Mesabi Iron Range."
    t = _resolve(nlp, gazetteer, text)["Virginia"]
    assert (t.place.kind, t.place.admin1_code) == ("city", "US-MN")
    assert haversine_km(t.place.lat, t.place.lon, 47.52, -92.54) < 30


def test_publication_focus_moves_namesakes_home(nlp, gazetteer):
    from geo.resolve import infer_focus

    home = ["Police in Columbus and Cincinnati searched the area.", "Dayton and Akron schools closed.",
            "A storm hit Toledo and Cleveland."]
    focus = infer_focus([geoparse(nlp(t), gazetteer) for t in home])
    assert focus.admin1.get("US-OH", 0) >= 0.9
    text = "The council met in Dublin on Tuesday."
    assert _resolve(nlp, gazetteer, text)["Dublin"].place.country_code == "IE"
    (t,) = [t for t in geoparse(nlp(text), gazetteer, focus=focus) if t.text == "Dublin"]
    assert (t.place.country_code, t.place.admin1_code) == ("US", "US-OH")
    assert any("publication" in r for r in t.reasons)


def test_focus_needs_enough_articles(nlp, gazetteer):
    from geo.resolve import infer_focus

    focus = infer_focus([geoparse(nlp("Police in Columbus and Cincinnati searched the area."), gazetteer)])
    assert not focus.admin1 and not focus.country


def test_context_vote_grows_with_the_square_root_of_mentions():
    """Repeating two namesakes ("Queensland", Alberta and "Innisfail", Alberta five times each) must not outvote
    the other places of the article: a name's context vote grows with the square root of its mentions."""
    import math

    from geo.resolve import _Cand, _context, _Item
    from geo.toponyms import Mention

    def item(name, cc, admin1, k):
        cand = _Cand(row=k, quality=0, kind="city", cc=cc, admin1=admin1, lat=0.0, lon=0.0, pop=1000, prior=0.0)
        it = _Item(Mention(0, len(name), name, "GPE"), name.lower(), [cand])
        it.chosen = cand
        return it

    items = [item("Innisfail", "CA", "CA-AB", 1) for _ in range(4)]
    items += [item("Cairns", "AU", "AU-QLD", 2), item("Brisbane", "AU", "AU-QLD", 3), item("Mackay", "AU", "AU-QLD", 4)]
    items += [item("Queensland", "CA", "CA-AB", 5) for _ in range(3)]  # the name being resolved: not its own context
    countries, admin1s, chosen, nations = _context(items, skip_key="queensland")
    assert countries == {"CA": math.sqrt(4), "AU": 3.0}
    assert admin1s == {"CA-AB": 2.0, "AU-QLD": 3.0}
    assert [c.row for c in chosen] == [1, 2, 3, 4]
    assert nations == set()


def test_names_of_one_place_vote_once(nlp, gazetteer):
    """"U.S.", "US" and "United States" are one place: together they weigh as one name mentioned three times."""
    import math

    from geo.resolve import _context, _Item, _candidates
    from geo.toponyms import Mention

    items = []
    for name in ("U.S.", "US", "United States", "Rome", "Italy"):
        cands = _candidates(gazetteer, name)
        it = _Item(Mention(0, len(name), name, "GPE"), name.lower(), cands)
        it.chosen = max(cands, key=lambda c: c.prior)
        items.append(it)
    countries, _, _, nations = _context(items, skip_key="rome")
    assert countries["US"] == pytest.approx(math.sqrt(3))
    assert nations == {"US", "IT"}


def test_a_list_of_states_is_not_a_town_in_a_state(nlp, gazetteer):
    text = ("Cases were reported in Texas, Utah, Virginia, Washington, West Virginia and Wyoming, and in "
            "British Columbia, Alberta, Manitoba, Ontario and New Brunswick.")
    got = _resolve(nlp, gazetteer, text)
    assert got["Washington"].place.admin1_code == "US-WA" and got["Washington"].place.kind == "admin1"
    assert got["Ontario"].place.kind == "admin1" and got["Ontario"].place.country_code == "CA"
    assert got["New Brunswick"].place.kind == "admin1"
    # the end of a list may still be a town in a state
    dc = _resolve(nlp, gazetteer, "Visitors came from as far as Texas, Ohio and Washington, D.C. last year.")
    assert dc["Washington"].place.kind == "city" and dc["Washington"].place.admin1_code == "US-DC"


def test_a_capital_stands_for_its_government_beside_other_countries(nlp, gazetteer):
    t = _resolve(nlp, gazetteer, "Egypt cooperated closely with Washington while Syria and Iran looked on.")
    assert t["Washington"].place.feature_code == "PPLC"
    assert any("capital" in r for r in t["Washington"].reasons)


def test_transliterated_province_names_resolve_in_their_country(nlp, gazetteer):
    text = "The patients came from Menoufia and Daqahliya, north of Cairo, Egypt's health ministry said."
    spans = [(text.index(n), text.index(n) + len(n)) for n in ("Menoufia", "Daqahliya", "Cairo", "Egypt")]
    got = {t.text: t for t in resolve_spans(nlp(text), spans, gazetteer)}
    assert got["Menoufia"].place.admin1_code == "EG-MNF"
    assert got["Daqahliya"].place.kind == "admin1" and got["Daqahliya"].place.country_code == "EG"


def test_spelling_alone_does_not_make_a_foreign_town(gazetteer):
    """A name found only by its spelling must fit the article: 'Kibera' is not 'Cibera' in Indonesia when the
    article is about Kenya, and a recognised name spelt like a town is not taken for one."""
    text = "Residents of Kibera, the largest slum of Nairobi, Kenya, queued for water."
    start = text.index("Kibera")
    t = resolve_spans(text, [(start, start + 6)], gazetteer)[0]
    assert t.place is None or t.place.country_code == "KE"
    s2 = "The Kremlin said Medvedev would visit Georgia."
    from geo.resolve import resolve_mentions
    from geo.toponyms import Mention

    m = Mention(s2.index("Medvedev"), s2.index("Medvedev") + 8, "Medvedev", "GPE")
    assert resolve_mentions(s2, [m], gazetteer)[0].place is None


@pytest.mark.parametrize("word, place", [("South Ossetians", "South Ossetia"), ("Abkhaz", "Abkhazia"),
                                         ("Cypriot", "Cyprus"), ("Ontarians", "Ontario"), ("Latvian", "Latvia")])
def test_a_given_nationality_span_stands_for_its_area(gazetteer, word, place):
    text = f"Officials said {word} were among those affected."
    start = text.index(word)
    t = resolve_spans(text, [(start, start + len(word))], gazetteer)[0]
    assert t.place is not None and t.place.kind in ("country", "admin1", "region")
    assert fold(place) in fold(t.place.name)


def test_derived_nationality_words_are_not_places_in_running_text(gazetteer):
    from geo.resolve import resolve_mentions
    from geo.toponyms import Mention

    text = "Angolan health officials met in Luanda."
    m = Mention(0, 7, "Angolan", "GPE")
    assert resolve_mentions(text, [m], gazetteer)[0].place is None


def test_a_list_followed_by_counties_names_counties(nlp, gazetteer):
    text = "Schools in Butler, Clark, Madison, Montgomery or Warren counties in Ohio are taking part."
    names = ("Butler", "Clark", "Madison", "Montgomery", "Warren", "Ohio")
    got = {t.text: t for t in resolve_spans(nlp(text), [(text.index(n), text.index(n) + len(n)) for n in names],
                                            gazetteer)}
    for name in ("Butler", "Warren"):
        assert got[name].place.kind == "admin2" and got[name].place.admin1_code == "US-OH"
        assert any("counties" in r for r in got[name].reasons)


def test_a_given_nationality_span_is_its_country_not_a_namesake_town(gazetteer):
    text = "He said he was tired of Canadian winters in Amarillo, Texas."
    start = text.index("Canadian")
    t = resolve_spans(text, [(start, start + 8)], gazetteer)[0]
    assert t.place.kind == "country" and t.place.country_code == "CA"


def test_a_named_country_outweighs_namesakes_that_only_support_each_other(nlp, gazetteer):
    """'Suffolk' and 'Norfolk' are also neighbouring cities in Virginia, each other's only support; an article
    that names the United Kingdom (and never the United States) means the English counties."""
    text = ("Bird flu has been confirmed in the United Kingdom. Turkeys at a farm in Suffolk fell ill this week, "
            "less than a year after a cull of 50,000 birds in Norfolk. Samples were sent to the laboratory in "
            "Weybridge.")
    names = ("United Kingdom", "Suffolk", "Norfolk", "Weybridge")
    got = {t.text: t for t in resolve_spans(nlp(text), [(text.index(n), text.index(n) + len(n)) for n in names],
                                            gazetteer)}
    assert got["Suffolk"].place.country_code == "GB" and got["Norfolk"].place.country_code == "GB"
    # a country's name keeps meaning the country even beside a namesake province's country
    text2 = "Polio cases were reported in Mali, Niger, Nigeria and Togo."
    t = _resolve(nlp, gazetteer, text2)
    assert t["Niger"].place.kind == "country" and t["Niger"].place.country_code == "NE"
