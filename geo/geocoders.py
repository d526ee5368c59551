"""geopy interop: the offline gazetteer as a geopy ``Geocoder``, and an optional, polite online fallback.

:class:`OfflineGazetteer` answers ``geocode`` and ``reverse`` from the local gazetteer (no network). It returns
geopy :class:`~geopy.location.Location` objects whose ``raw`` is the :class:`~geo.model.Place` as a dict, and
``None`` when nothing matches, like every geopy geocoder.

:class:`CachedOnlineGeocoder` wraps any geopy geocoder (Nominatim by default) behind geopy's ``RateLimiter`` and an
in-memory cache. It is off unless a caller builds one explicitly: nothing in the pipeline or the tests uses it.

Examples
--------
>>> geocoder = OfflineGazetteer()  # doctest: +SKIP
>>> geocoder.geocode("Sao Paulo").raw["geonameid"]  # doctest: +SKIP
3448433
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any

from geopy.geocoders.base import Geocoder
from geopy.location import Location
from geopy.point import Point

from geo.gazetteer.store import haversine_km

if TYPE_CHECKING:  # pragma: no cover
    from geo.gazetteer import Gazetteer
    from geo.model import Place


def _location(place: "Place") -> Location:
    where = ", ".join(x for x in (place.name, place.admin1_name, place.country_name) if x)
    parts = []
    for x in where.split(", "):
        if x not in parts:
            parts.append(x)
    return Location(", ".join(parts), Point(place.lat, place.lon), place.to_dict())


class OfflineGazetteer(Geocoder):
    """The offline gazetteer behind geopy's ``Geocoder`` interface.

    Parameters
    ----------
    gazetteer:
        A loaded gazetteer (the default one is loaded on first use).
    country_codes:
        Restrict ``geocode`` to these ISO alpha-2 codes by default.
    """

    def __init__(self, gazetteer: "Gazetteer | None" = None, *, country_codes: list[str] | None = None) -> None:
        super().__init__(timeout=None, proxies=None, user_agent="geo-atlas-offline", ssl_context=None)
        self._gazetteer = gazetteer
        self.country_codes = [c.upper() for c in country_codes] if country_codes else None

    @property
    def gazetteer(self) -> "Gazetteer":
        if self._gazetteer is None:
            from geo.gazetteer import load_gazetteer

            self._gazetteer = load_gazetteer()
        return self._gazetteer

    def geocode(self, query: str, *, exactly_one: bool = True, country_codes: list[str] | None = None,
                limit: int = 10, **_: Any) -> Location | list[Location] | None:
        """Places named ``query`` (optionally "Name, Region" or "Name, Country"), best first; ``None`` if none.

        Ranking: a trailing ", Region" part restricts to places inside that province or country; then kind
        (country, province, ... city) and population, as the gazetteer orders them.
        """
        name, _, qualifier = str(query).partition(",")
        places = self.gazetteer.lookup(name.strip())
        if qualifier.strip():
            within = self.gazetteer.lookup(qualifier.strip())
            codes = {(p.country_code, p.admin1_code if p.kind == "admin1" else None) for p in within
                     if p.kind in ("country", "admin1")}
            places = [p for p in places
                      if any(p.country_code == cc and (a1 is None or p.admin1_code == a1) for cc, a1 in codes)]
        wanted = [c.upper() for c in country_codes] if country_codes else self.country_codes
        if wanted:
            places = [p for p in places if p.country_code in wanted]
        if not places:
            return None
        locations = [_location(p) for p in places[:limit]]
        return locations[0] if exactly_one else locations

    def reverse(self, query: Any, *, exactly_one: bool = True, max_km: float = 50.0, limit: int = 5,
                **_: Any) -> Location | list[Location] | None:
        """The populated places nearest to a point (``"lat, lon"``, a tuple or a geopy ``Point``) within ``max_km``."""
        point = Point(query)
        lat, lon = point.latitude, point.longitude
        gaz = self.gazetteer
        import numpy as np

        from geo.gazetteer.build import KIND_CODES

        lats, lons, kinds = gaz.coordinates()
        dlat = max_km / 111.0 + 0.01
        near = np.flatnonzero((np.abs(lats - lat) <= dlat) & (kinds == KIND_CODES["city"]))
        best: list[tuple[float, int]] = []
        for row in near.tolist():
            d = haversine_km(lat, lon, float(lats[row]), float(lons[row]))
            if d <= max_km:
                best.append((d, row))
        if not best:
            return None
        best.sort()
        locations = [_location(gaz.place_at(r)) for _, r in best[:limit]]
        return locations[0] if exactly_one else locations


class CachedOnlineGeocoder:
    """An online geopy geocoder behind a rate limiter and a cache, for places the gazetteer lacks.

    Off by default: build one explicitly (``CachedOnlineGeocoder()``) to use it. Nominatim's usage policy asks
    for at most one request per second and an identifying user agent, which are the defaults here.
    """

    def __init__(self, geocoder: Geocoder | None = None, *, min_delay_seconds: float = 1.0,
                 user_agent: str = "geo-atlas (https://github.com/)") -> None:
        from geopy.extra.rate_limiter import RateLimiter

        if geocoder is None:
            from geopy.geocoders import Nominatim

            geocoder = Nominatim(user_agent=user_agent, timeout=10)
        self.geocoder = geocoder
        self._geocode = RateLimiter(geocoder.geocode, min_delay_seconds=min_delay_seconds, max_retries=1)
        self._cache: dict[str, Location | None] = {}
        self._lock = threading.Lock()

    def geocode(self, query: str) -> Location | None:
        """Geocode once per distinct query; later calls are answered from the cache."""
        key = " ".join(str(query).lower().split())
        with self._lock:
            if key in self._cache:
                return self._cache[key]
        result = self._geocode(query)
        with self._lock:
            self._cache[key] = result
        return result
