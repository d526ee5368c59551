"""A strict RFC 7946 checker for the FeatureCollections the project writes (Point / null geometries)."""

from __future__ import annotations

import json
import math
from typing import Any


def check_rfc7946(doc: Any) -> list[str]:
    """Every way ``doc`` breaks RFC 7946 (an empty list when it is valid)."""
    problems: list[str] = []
    try:
        json.dumps(doc, allow_nan=False)
    except (TypeError, ValueError) as exc:
        problems.append(f"not JSON-serialisable as strict JSON: {exc}")
    if not isinstance(doc, dict) or doc.get("type") != "FeatureCollection":
        return problems + ["top level is not a FeatureCollection"]
    if "crs" in doc:
        problems.append("'crs' member is not allowed (RFC 7946 section 4)")
    features = doc.get("features")
    if not isinstance(features, list):
        return problems + ["'features' is not an array"]
    points = []
    for i, f in enumerate(features):
        if not isinstance(f, dict) or f.get("type") != "Feature":
            problems.append(f"feature {i}: type is not Feature")
            continue
        if "geometry" not in f or "properties" not in f:
            problems.append(f"feature {i}: geometry and properties members are required")
        if "id" in f and not isinstance(f["id"], (str, int, float)):
            problems.append(f"feature {i}: id must be a string or number")
        props = f.get("properties")
        if props is not None and not isinstance(props, dict):
            problems.append(f"feature {i}: properties must be an object or null")
        g = f.get("geometry")
        if g is None:
            continue
        if not isinstance(g, dict) or g.get("type") != "Point":
            problems.append(f"feature {i}: unexpected geometry {g!r}")
            continue
        c = g.get("coordinates")
        if not (isinstance(c, list) and len(c) in (2, 3) and all(isinstance(v, (int, float)) and
                                                                   not isinstance(v, bool) for v in c)):
            problems.append(f"feature {i}: coordinates {c!r} are not [lon, lat]")
            continue
        lon, lat = c[0], c[1]
        if not (math.isfinite(lon) and math.isfinite(lat) and -180 <= lon <= 180 and -90 <= lat <= 90):
            problems.append(f"feature {i}: coordinates {c!r} out of range")
        points.append((lon, lat))
    bbox = doc.get("bbox")
    if bbox is not None:
        if not (isinstance(bbox, list) and len(bbox) == 4):
            problems.append(f"bbox {bbox!r} is not [west, south, east, north]")
        elif points:
            west, south, east, north = bbox
            if not (south <= north and -90 <= south and north <= 90):
                problems.append(f"bbox {bbox!r} has south > north or is out of range")
            for lon, lat in points:
                if not (south <= lat <= north and (west <= lon <= east if west <= east else True)):
                    problems.append(f"point {lon, lat} outside bbox {bbox!r}")
    return problems
