"""The offline gazetteer: built once into ``data/`` from packaged data, then loaded in about a second.

Public API: :func:`build_gazetteer`, :func:`load_gazetteer`, :func:`default_gazetteer_dir`, :func:`basemap_path`,
:class:`Gazetteer`, :func:`fold`, :func:`haversine_km`. GeoNames data is CC-BY 4.0 (https://www.geonames.org/).
"""

from __future__ import annotations

from geo.gazetteer.build import build_gazetteer
from geo.gazetteer.store import (
    Gazetteer,
    basemap_path,
    default_gazetteer_dir,
    haversine_km,
    load_gazetteer,
    project_root,
)
from geo.gazetteer.text import fold

__all__ = [
    "Gazetteer",
    "basemap_path",
    "build_gazetteer",
    "default_gazetteer_dir",
    "fold",
    "haversine_km",
    "load_gazetteer",
    "project_root",
]
