"""Local copies of the browser libraries the map needs, served by Streamlit's static file server.

Folium points Leaflet (and jQuery, Bootstrap) at public CDNs; offline those requests fail and the map stays blank.
The XStatic-* PyPI packages ship the same files. :func:`ensure_vendor` copies them (real copies: Streamlit refuses
symlinks that leave the static folder) into ``dashboard/static/vendor/``, which is git-ignored and rebuilt on
launch. :data:`JS` / :data:`CSS` are the URLs the map builder uses in place of the CDN links.
"""

from __future__ import annotations

import filecmp
import shutil
from pathlib import Path

STATIC_DIR = Path(__file__).resolve().parent / "static"
VENDOR_DIR = STATIC_DIR / "vendor"

#: URL prefix under which Streamlit serves ``dashboard/static`` (``[server] enableStaticServing = true``).
STATIC_URL = "/app/static"
VENDOR_URL = f"{STATIC_URL}/vendor"

#: (folium resource name, URL) pairs, in load order. Only Leaflet: the map's own layers, popups and legend use
#: no jQuery or Bootstrap, and streamlit-folium loads these scripts one after the other, so each one delays the map.
JS: list[tuple[str, str]] = [
    ("leaflet", f"{VENDOR_URL}/leaflet/leaflet.js"),
]
CSS: list[tuple[str, str]] = [
    ("leaflet_css", f"{VENDOR_URL}/leaflet/leaflet.css"),
]
#: Where Leaflet looks for its default marker images.
LEAFLET_IMAGES_URL = f"{VENDOR_URL}/leaflet/images/"

#: Files to copy: (xstatic module, file or folder inside its data dir, destination inside vendor/).
_SOURCES: list[tuple[str, str, str]] = [
    ("xstatic.pkg.leaflet", "leaflet.js", "leaflet/leaflet.js"),
    ("xstatic.pkg.leaflet", "leaflet.css", "leaflet/leaflet.css"),
    ("xstatic.pkg.leaflet", "images", "leaflet/images"),
]


def _copy_if_changed(src: Path, dest: Path) -> bool:
    if dest.is_file() and not dest.is_symlink() and filecmp.cmp(src, dest, shallow=False):
        return False
    dest.parent.mkdir(parents=True, exist_ok=True)
    if dest.is_symlink():
        dest.unlink()
    shutil.copyfile(src, dest)
    return True


def ensure_vendor(vendor_dir: Path = VENDOR_DIR) -> list[Path]:
    """Copy the vendored browser libraries into ``vendor_dir``; returns the files that were (re)written.

    Idempotent and cheap when everything is already in place, so the app may call it on every start.

    Raises
    ------
    FileNotFoundError
        When an XStatic package is not installed (reinstall the project: ``pip install -e .``).
    """
    import importlib

    written: list[Path] = []
    for module_name, rel, dest_rel in _SOURCES:
        try:
            module = importlib.import_module(module_name)
        except ImportError as exc:  # pragma: no cover - a broken install
            raise FileNotFoundError(
                f"{module_name} is not installed; it provides the offline map library (pip install -e .)"
            ) from exc
        src = Path(module.BASE_DIR) / rel
        dest = vendor_dir / dest_rel
        if src.is_dir():
            for f in sorted(src.iterdir()):
                if f.is_file() and _copy_if_changed(f, dest / f.name):
                    written.append(dest / f.name)
        elif _copy_if_changed(src, dest):
            written.append(dest)
    return written
