"""The offline gazetteer: lookups by folded and alternate names, ids, ISO codes, derived points."""

from __future__ import annotations

import pytest

from geo.errors import GazetteerMissingError
from geo.gazetteer import basemap_path, fold, haversine_km, load_gazetteer


def test_fold_ignores_case_accents_and_punctuation():
    assert fold("São Paulo") == fold("SAO PAULO") == "sao paulo"
    assert fold("U.S.") == "us"
    assert fold("Winston-Salem") == "winston salem"


def test_esmeraldas_province_has_derived_point(gazetteer):
    p = gazetteer.admin1("EC-E")
    assert p is not None and p.geonameid == 3657986 and p.kind == "admin1" and p.country_code == "EC"
    assert haversine_km(p.lat, p.lon, 0.9, -79.6) < 50


def test_country_and_get(gazetteer):
    us = gazetteer.country("us")
    assert us is not None and us.kind == "country" and us.geonameid == 6252001
    assert gazetteer.get(6252001) == us
    assert gazetteer.get(-5) is None


@pytest.mark.parametrize(
    ("name", "geonameid"),
    [("Sao Paulo", 3448439), ("são paulo", 3448439), ("Kiev", 703448), ("Kyiv", 703448)],
)
def test_lookup_folds_and_knows_aliases(gazetteer, name, geonameid):
    assert geonameid in {p.geonameid for p in gazetteer.lookup(name)}


@pytest.mark.parametrize(
    ("alias", "cc"), [("U.S.", "US"), ("USA", "US"), ("UK", "GB"), ("Burma", "MM"), ("Holland", "NL"), ("DRC", "CD")]
)
def test_country_aliases(gazetteer, alias, cc):
    first = gazetteer.lookup(alias)[0]
    assert (first.kind, first.country_code) == ("country", cc)


def test_curated_regions_and_landmarks(gazetteer):
    assert gazetteer.lookup("Pentagon")[0].kind == "landmark"
    assert gazetteer.lookup("Andean region")[0].kind == "region"
    assert gazetteer.lookup("Latin America")[0].kind == "region"
    assert gazetteer.lookup("South America")[0].kind == "continent"


def test_no_substring_hits(gazetteer):
    assert gazetteer.lookup("ambassador") == []
    assert gazetteer.lookup("Colombian") == []


def test_offensive_alternate_names_are_not_indexed(gazetteer):
    assert gazetteer.lookup("culonas") == []


def test_places_in_admin1_are_populated_places_of_that_province(gazetteer):
    places = gazetteer.places_in_admin1("EC-E")
    assert len(places) > 5
    assert all(p.kind == "city" and p.admin1_code == "EC-E" for p in places)
    assert places[0].population >= places[-1].population


def test_country_of_point_is_a_nearest_join(gazetteer):
    assert gazetteer.country_of_point(0.96, -79.65) == "EC"  # Esmeraldas city, offshore at 1:110m
    assert gazetteer.country_of_point(48.85, 2.35) == "FR"


def test_basemap_is_geojson(gazetteer):
    import json

    data = json.loads(basemap_path(gazetteer.path.parent).read_text(encoding="utf-8"))
    assert data["type"] == "FeatureCollection" and len(data["features"]) > 150


def test_missing_gazetteer_names_the_fix(tmp_path):
    with pytest.raises(GazetteerMissingError, match="geo gazetteer build"):
        load_gazetteer(tmp_path)


def test_cli_lookup_and_info(capsys, gazetteer):
    import argparse

    from geo.gazetteer import cli

    parser = argparse.ArgumentParser()
    cli.configure_parser(parser)
    assert cli.run_cli(parser.parse_args(["lookup", "Esmeraldas", "--limit", "1"])) == 0
    assert "3657986" in capsys.readouterr().out
    assert cli.run_cli(parser.parse_args(["lookup", "Xqzzyville"])) == 1
    assert cli.run_cli(parser.parse_args(["info"])) == 0
    assert '"admin1"' in capsys.readouterr().out


def test_only_the_capital_itself_is_flagged_as_capital(gazetteer):
    capitals = [p for p in gazetteer.lookup("Washington") if p.feature_code == "PPLC"]
    assert [(p.country_code, p.admin1_code) for p in capitals] == [("US", "US-DC")]
    assert any(p.kind == "city" and p.admin1_code == "US-UT" and p.feature_code == "PPL"
               for p in gazetteer.lookup("Washington"))


@pytest.mark.parametrize(("name", "iso"), [("Dagestan", "RU-DA"), ("Tatarstan", "RU-TA"), ("Región de Murcia", "ES-MC")])
def test_inverted_iso_subdivision_names_are_found_in_reading_order(gazetteer, name, iso):
    assert iso in {p.admin1_code for p in gazetteer.lookup(name) if p.kind == "admin1"}


def test_inverted_forms():
    from geo.gazetteer.build import inverted_forms

    assert inverted_forms("Madrid, Comunidad de") == ["Madrid", "Comunidad de Madrid"]
    assert inverted_forms("Southern Nations, Nationalities and Peoples") == []
    assert inverted_forms("Esmeraldas") == []


def test_name_index_agrees_with_names_and_misses_cleanly(gazetteer):
    names = set(gazetteer.names())
    assert "esmeraldas" in names and gazetteer.has_name("Esmeraldas")
    assert not gazetteer.has_name("Qwxz Nowhere") and gazetteer.entries("Qwxz Nowhere") == []
    assert gazetteer.info()["names"] == len(names)


def test_detached_clusters_of_a_province_do_not_move_its_point():
    from geo.gazetteer.build import _area_point, _drop_outliers

    core = [(38.0 + i * 0.1, 114.0 + i * 0.13, 10_000) for i in range(30)]  # one connected province
    stray = [(31.5, 90.0, 0), (31.6, 90.2, 0)]  # a few miscoded villages 2,000 km away
    kept = _drop_outliers(core + stray)
    assert kept == core
    lat, lon = _area_point(core + stray)
    assert 38.0 <= lat <= 41.0 and 114.0 <= lon <= 118.0
    # a sparse but continuous hinterland is part of the territory and stays
    chain = core + [(41.0 + i * 1.5, 117.8, 0) for i in range(1, 6)]
    assert _drop_outliers(chain) == chain


@pytest.mark.parametrize("iso, top_city", [("CN-HE", "Shijiazhuang"), ("CN-JS", "Nanjing"), ("CN-HL", "Harbin"),
                                           ("CL-VS", "Valparaíso")])
def test_province_points_lie_near_their_places(gazetteer, iso, top_city):
    p = gazetteer.admin1(iso)
    city = next(c for c in gazetteer.places_in_admin1(iso) if c.name == top_city)
    assert haversine_km(p.lat, p.lon, city.lat, city.lon) < 400


@pytest.mark.parametrize("a, b", [("Menoufia", "Al Minūfīyah"), ("Daqahliya", "Dakahlia Governorate"),
                                  ("Adhamiyah", "al-Adhamiya"), ("Mauritious", "Mauritius")])
def test_loose_spelling_keys_meet(a, b):
    from difflib import SequenceMatcher

    from geo.gazetteer.text import loose_key, skeleton

    la, lb = loose_key(fold(a)), loose_key(fold(b))
    assert skeleton(la) == skeleton(lb)
    assert SequenceMatcher(None, la, lb).ratio() >= 0.85


def test_loose_keys_keep_distinct_names_apart():
    from geo.gazetteer.text import loose_key, skeleton

    assert skeleton(loose_key("paris")) != skeleton(loose_key("peru"))
    assert loose_key("el paso") == "paso" and loose_key("al") == "al"


def test_spelled_like_finds_transliterations_but_not_exact_names(gazetteer):
    hits = gazetteer.spelled_like("Menoufia")
    assert hits and gazetteer.place_at(hits[0][0]).admin1_code == "EG-MNF"
    assert all(0.8 <= ratio <= 1.0 for _, _, ratio in hits)
    top = gazetteer.place_at(gazetteer.spelled_like("Mauritious")[0][0])
    assert top.kind == "country" and top.country_code == "MU"
    # an exact name is the exact lookup's business: the spelling index does not repeat it
    assert all(gazetteer.place_at(r).name != "Cairo" for r, _, _ in gazetteer.spelled_like("Cairo"))
    assert gazetteer.spelled_like("Xq") == []
