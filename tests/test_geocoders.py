"""geopy interop: the offline gazetteer behind geopy's Geocoder interface (no network)."""

from __future__ import annotations

from geopy.geocoders.base import Geocoder
from geopy.location import Location

from geo.geocoders import CachedOnlineGeocoder, OfflineGazetteer


def test_offline_geocoder_is_a_geopy_geocoder(gazetteer):
    g = OfflineGazetteer(gazetteer)
    assert isinstance(g, Geocoder)
    loc = g.geocode("Sao Paulo")
    assert isinstance(loc, Location) and loc.raw["country_code"] == "BR"


def test_geocode_with_qualifier_and_not_found(gazetteer):
    g = OfflineGazetteer(gazetteer)
    assert g.geocode("Paris, Texas").raw["admin1_code"] == "US-TX"
    assert g.geocode("Springfield, Illinois").raw["admin1_code"] == "US-IL"
    assert g.geocode("Xqzzyville") is None
    many = g.geocode("Springfield", exactly_one=False, country_codes=["us"])
    assert len(many) > 3 and all(l.raw["country_code"] == "US" for l in many)


def test_reverse_finds_nearest_town(gazetteer):
    loc = OfflineGazetteer(gazetteer).reverse((0.96, -79.65))
    assert loc.raw["name"] == "Esmeraldas"
    assert OfflineGazetteer(gazetteer).reverse((0.0, -140.0)) is None  # open Pacific


class _CountingGeocoder(Geocoder):
    def __init__(self):
        super().__init__(user_agent="test")
        self.calls = 0

    def geocode(self, query, **kwargs):
        self.calls += 1
        return None


def test_online_backend_caches_and_is_never_called_twice():
    backend = _CountingGeocoder()  # a local stand-in: tests never reach the network
    online = CachedOnlineGeocoder(backend, min_delay_seconds=0.0)
    assert online.geocode("Nowhere") is None and online.geocode(" nowhere ") is None
    assert backend.calls == 1
