"""The loaded gazetteer: column arrays plus a folded-name index, with :class:`~geo.model.Place` views.

The file written by :func:`geo.gazetteer.build.build_gazetteer` is read once per process
(:func:`load_gazetteer` caches it). It holds a few numpy arrays and joined strings, not one Python object per name:

- numeric columns (GeoNames id, kind code, lat, lon, population, admin2 row) as numpy arrays;
- string columns: names joined by U+001F, split on load; country, admin1 and feature codes as categorical
  (distinct values + one int32 code per row);
- the name index: an open-addressing hash table (64-bit blake2b of the folded key, linear probing) of key numbers;
  the keys themselves (joined, with start offsets) settle collisions; an offsets array points each key into one
  int32 array of ``row * 4 + quality`` entries. A lookup is one hash and, typically, one probe.

Places are materialised lazily, so loading takes a fraction of a second and little memory.
"""

from __future__ import annotations

import math
import os
import pickle
import threading
from difflib import SequenceMatcher
from functools import lru_cache
from pathlib import Path
from typing import Iterable, Iterator

import numpy as np

from geo.errors import GazetteerError, GazetteerMissingError
from geo.gazetteer.build import BASEMAP_FILE, FORMAT_VERSION, GAZETTEER_FILE, KIND_CODES, Q_ALTERNATE, SEP, key_hash
from geo.gazetteer.text import fold, loose_key, skeleton
from geo.model import Place

KIND_NAMES = {v: k for k, v in KIND_CODES.items()}


def project_root() -> Path:
    """The project's root folder (the one holding ``pyproject.toml``)."""
    return Path(__file__).resolve().parents[2]


def default_gazetteer_dir() -> Path:
    """Where the gazetteer lives: ``$GEO_DATA_DIR`` if set, else ``data/`` under the project root."""
    env = os.environ.get("GEO_DATA_DIR")
    return Path(env) if env else project_root() / "data"


def basemap_path(data_dir: Path | None = None) -> Path:
    """The Natural Earth 1:110m country outlines (GeoJSON) copied into the data folder at build time."""
    path = (Path(data_dir) if data_dir else default_gazetteer_dir()) / BASEMAP_FILE
    if not path.exists():
        raise GazetteerMissingError(f"basemap {path} not found: run `geo gazetteer build`")
    return path


def _probe(table: np.ndarray, blob: str, starts: np.ndarray, key: str) -> int:
    """Number of ``key`` in an open-addressing table built by ``build._hash_table`` over the keys joined in
    ``blob`` (key ``i`` spans ``starts[i]`` to ``starts[i + 1]`` minus the separator), or -1."""
    mask = len(table) - 1
    slot = key_hash(key) & mask
    while True:
        i = int(table[slot])
        if i < 0:
            return -1
        if blob[int(starts[i]) : int(starts[i + 1]) - 1] == key:
            return i
        slot = (slot + 1) & mask


class Gazetteer:
    """Offline gazetteer: lookups by folded name and alternate names, by GeoNames id, country and ISO code.

    Examples
    --------
    >>> gaz = load_gazetteer()  # doctest: +SKIP
    >>> gaz.admin1("EC-E").name  # doctest: +SKIP
    'Esmeraldas'
    """

    def __init__(self, payload: dict, path: Path) -> None:
        if payload.get("format") != FORMAT_VERSION:
            raise GazetteerError(
                f"{path}: gazetteer format {payload.get('format')} is not {FORMAT_VERSION}: run `geo gazetteer build`"
            )
        self.path = path
        self.built = payload.get("built")
        self.sources = tuple(payload.get("sources") or ())
        self._gid: np.ndarray = payload["gid"]
        self._kind: list[int] = payload["kind"].tolist()
        self._kind_arr: np.ndarray = payload["kind"]
        self._lat: np.ndarray = payload["lat"]
        self._lon: np.ndarray = payload["lon"]
        self._pop: np.ndarray = payload["pop"]
        self._name: list[str] = payload["name"].split(SEP)
        self._cc = _decode_categorical(payload["cc"])
        self._admin1 = _decode_categorical(payload["admin1"])
        self._admin2: np.ndarray = payload["admin2"]
        self._fcode = _decode_categorical(payload["fcode"])
        self._key_table: np.ndarray = payload["key_table"]
        self._key_mask = len(self._key_table) - 1
        self._keys_blob: str = payload["keys"]
        self._key_starts: np.ndarray = payload["key_starts"]
        self._entry_offsets: np.ndarray = payload["entry_offsets"]
        self._entries: np.ndarray = payload["entries"]
        # spelling-tolerant index (skeleton -> key numbers); absent from gazetteers built before it existed
        self._spell = (payload["spell_table"], payload["spell_keys"], payload["spell_key_starts"],
                       payload["spell_offsets"], payload["spell_members"]) if "spell_table" in payload else None
        self._places: dict[int, Place] = {}
        self._by_gid: dict[int, int] | None = None
        self._countries: dict[str, int] = {}
        self._admin1s: dict[str, int] = {}
        for row in np.flatnonzero(self._kind_arr == KIND_CODES["country"]).tolist():
            self._countries.setdefault(self._cc[row], row)
        for row in np.flatnonzero(self._kind_arr == KIND_CODES["admin1"]).tolist():
            self._admin1s.setdefault(self._admin1[row], row)
        self._admin1_members: dict[str, list[int]] | None = None
        self._lock = threading.Lock()
        self._tree = None

    # -- rows -------------------------------------------------------------------------------------------------------
    def __len__(self) -> int:
        return len(self._name)

    def place_at(self, row: int) -> Place:
        """The :class:`Place` stored at ``row`` (cached)."""
        p = self._places.get(row)
        if p is None:
            cc = self._cc[row] or None
            a1 = self._admin1[row] or None
            a1_row = self._admin1s.get(a1) if a1 else None
            c_row = self._countries.get(cc) if cc else None
            p = Place(
                geonameid=int(self._gid[row]),
                name=self._name[row],
                kind=KIND_NAMES[self._kind[row]],
                lat=float(self._lat[row]),
                lon=float(self._lon[row]),
                country_code=cc,
                admin1_code=a1,
                population=int(self._pop[row]),
                feature_code=self._fcode[row] or None,
                admin1_name=self._name[a1_row] if a1_row is not None else None,
                country_name=self._name[c_row] if c_row is not None else None,
            )
            self._places[row] = p
        return p

    def _slot(self, key: str) -> int:
        """Position of a folded key in the index, or -1."""
        return _probe(self._key_table, self._keys_blob, self._key_starts, key)

    def _key_at(self, i: int) -> str:
        return self._keys_blob[int(self._key_starts[i]) : int(self._key_starts[i + 1]) - 1]

    def entries(self, name: str) -> list[tuple[int, int]]:
        """``(row, quality)`` pairs for a name: quality 0 = primary name, 1 = curated alias, 2 = alternate name."""
        i = self._slot(fold(name))
        if i < 0:
            return []
        codes = self._entries[self._entry_offsets[i] : self._entry_offsets[i + 1]].tolist()
        return [(c >> 2, c & 3) for c in codes]

    def spelled_like(self, name: str, min_ratio: float = 0.8) -> list[tuple[int, int, float]]:
        """``(row, quality, similarity)`` for names spelt like ``name`` though not the same once folded.

        For names an exact lookup misses: transliterations ("Menoufia" / "Al Minufiyah", "Daqahliya" /
        "Dakahlia"), dropped articles and designators ("Binh Phuoc" / "Tinh Binh Phuoc") and typos ("Mauritious").
        Candidates share the name's consonant skeleton and their loose spellings
        (:func:`~geo.gazetteer.text.loose_key`) are at least ``min_ratio`` alike (difflib ratio); best first.
        Empty when the gazetteer was built without the spelling index.
        """
        if self._spell is None:
            return []
        table, blob, starts, offsets, members = self._spell
        folded = fold(name)
        loose = loose_key(folded)
        i = _probe(table, blob, starts, skeleton(loose))
        if i < 0:
            return []
        best: dict[int, tuple[int, float]] = {}
        for k in members[offsets[i] : offsets[i + 1]].tolist():
            key = self._key_at(k)
            if key == folded:
                continue
            other = loose_key(key)
            ratio = 1.0 if other == loose else SequenceMatcher(None, loose, other).ratio()
            if ratio < min_ratio:
                continue
            for c in self._entries[self._entry_offsets[k] : self._entry_offsets[k + 1]].tolist():
                row, quality = c >> 2, c & 3
                if row not in best or (ratio, -quality) > (best[row][1], -best[row][0]):
                    best[row] = (quality, ratio)
        return sorted(((r, q, x) for r, (q, x) in best.items()), key=lambda t: (-t[2], t[1]))

    def has_name(self, name: str) -> bool:
        """True when the folded name is indexed."""
        return self._slot(fold(name)) >= 0

    def names(self) -> Iterator[str]:
        """Every folded name in the index."""
        return iter(self._keys_blob.split(SEP))

    def primary_names(self, row: int) -> str:
        return self._name[row]

    def kind_of(self, row: int) -> str:
        return KIND_NAMES[self._kind[row]]

    def population_of(self, row: int) -> int:
        return int(self._pop[row])

    def admin2_row(self, row: int) -> int:
        """Row of the second-level division a city lies in, or -1."""
        return int(self._admin2[row])

    def rows(self) -> range:
        return range(len(self._name))

    def rows_of_kind(self, kinds: Iterable[str], min_population: int = 0) -> list[int]:
        """Rows whose kind is one of ``kinds`` and whose population is at least ``min_population``, in row order."""
        codes = [KIND_CODES[k] for k in kinds]
        mask = np.isin(self._kind_arr, codes)
        if min_population:
            mask &= self._pop >= min_population
        return np.flatnonzero(mask).tolist()

    def coordinates(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Read-only (lat, lon, kind code) columns for vectorised scans (reverse geocoding)."""
        return self._lat, self._lon, self._kind_arr

    # -- public lookups -----------------------------------------------------------------------------------------------
    def lookup(self, name: str) -> list[Place]:
        """Places called ``name`` (folded: case, accents and punctuation ignored), primary names first, then by
        kind (country before province before city) and population."""
        hits = self.entries(name)
        hits.sort(key=lambda h: (h[1] == Q_ALTERNATE, self._kind[h[0]] if self._kind[h[0]] != 6 else 1,
                                 -self._pop[h[0]]))
        return [self.place_at(r) for r, _ in hits]

    def get(self, geonameid: int) -> Place | None:
        """The place with this id (GeoNames id; curated entries without one have a negative synthetic id)."""
        if self._by_gid is None:
            with self._lock:
                if self._by_gid is None:
                    self._by_gid = {int(g): i for i, g in enumerate(self._gid)}
        row = self._by_gid.get(int(geonameid))
        return self.place_at(row) if row is not None else None

    def country(self, cc: str) -> Place | None:
        """The country with ISO 3166-1 alpha-2 code ``cc``."""
        row = self._countries.get((cc or "").upper())
        return self.place_at(row) if row is not None else None

    def admin1(self, iso_code: str) -> Place | None:
        """The first-level subdivision with ISO 3166-2 code ``iso_code`` (e.g. ``EC-E``)."""
        row = self._admin1s.get((iso_code or "").upper())
        return self.place_at(row) if row is not None else None

    def admin1_row(self, iso_code: str) -> int | None:
        return self._admin1s.get(iso_code)

    def country_row(self, cc: str) -> int | None:
        return self._countries.get(cc)

    def places_in_admin1(self, iso_code: str) -> list[Place]:
        """Populated places of a first-level subdivision, most populous first (draws a province's footprint)."""
        if self._admin1_members is None:
            with self._lock:
                if self._admin1_members is None:
                    members: dict[str, list[int]] = {}
                    for row in np.flatnonzero(self._kind_arr == KIND_CODES["city"]).tolist():
                        if self._admin1[row]:
                            members.setdefault(self._admin1[row], []).append(row)
                    self._admin1_members = members
        rows = self._admin1_members.get((iso_code or "").upper(), [])
        return [self.place_at(r) for r in sorted(rows, key=lambda r: -self._pop[r])]

    def country_of_point(self, lat: float, lon: float) -> str | None:
        """ISO alpha-2 code of the country whose outline is nearest to the point (``None`` if no outlines).

        A nearest join rather than ``within``: at 1:110m coastal places (Esmeraldas) fall just offshore.
        """
        tree, codes = self._outline_tree()
        if tree is None:
            return None
        import shapely

        idx = tree.query_nearest(shapely.Point(lon, lat))
        if len(idx) == 0:
            return None
        return codes[int(idx[0])] or None

    def _outline_tree(self):  # noqa: ANN202
        if self._tree is None:
            with self._lock:
                if self._tree is None:
                    import json

                    import shapely

                    path = self.path.parent / BASEMAP_FILE
                    if not path.exists():
                        self._tree = (None, [])
                    else:
                        data = json.loads(path.read_text(encoding="utf-8"))
                        geoms = [shapely.from_geojson(json.dumps(f["geometry"])) for f in data["features"]]
                        codes = [f["properties"].get("iso_a2") or "" for f in data["features"]]
                        self._tree = (shapely.STRtree(geoms), codes)
        return self._tree

    def info(self) -> dict:
        """Counts per kind and provenance (for ``geo gazetteer info``)."""
        counts: dict[str, int] = {}
        for k in self._kind:
            counts[KIND_NAMES[k]] = counts.get(KIND_NAMES[k], 0) + 1
        return {"path": str(self.path), "built": self.built, "places": len(self), "names": len(self._entry_offsets) - 1,
                "kinds": counts, "sources": list(self.sources)}


def _decode_categorical(column: tuple[str, np.ndarray]) -> list[str]:
    """One string per row from (distinct values joined by U+001F, int32 codes); rows share the value objects."""
    uniq, codes = column
    values = uniq.split(SEP)
    return [values[c] for c in codes.tolist()]


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in km (mean Earth radius 6371.0088 km)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0088 * math.asin(min(1.0, math.sqrt(a)))


@lru_cache(maxsize=4)
def _load(path: Path) -> Gazetteer:
    try:
        with path.open("rb") as fh:
            payload = pickle.load(fh)
    except FileNotFoundError:
        raise GazetteerMissingError(
            f"gazetteer {path} not found: run `geo gazetteer build` (or `make gazetteer`) first"
        ) from None
    except (pickle.UnpicklingError, EOFError, AttributeError, ModuleNotFoundError) as exc:
        raise GazetteerError(f"{path}: corrupt gazetteer ({exc}): run `geo gazetteer build`") from exc
    return Gazetteer(payload, path)


def load_gazetteer(path: Path | None = None) -> Gazetteer:
    """Load the gazetteer (cached per process). ``path`` is the file or the folder holding it.

    Raises :class:`~geo.errors.GazetteerMissingError` when it has not been built yet.
    """
    p = Path(path) if path is not None else default_gazetteer_dir()
    if p.is_dir() or p.suffix != ".pkl":
        p = p / GAZETTEER_FILE
    return _load(p.resolve())
