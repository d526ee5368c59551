"""geo: a news-event atlas.

Reads news articles, finds the events they report (what, when, where), places them with an offline gazetteer and
stores them for the dashboard and exports. The package never imports Streamlit.

>>> from geo.pipeline import parse          # doctest: +SKIP
>>> result = parse(text, published="2026-03-06")  # doctest: +SKIP
"""

__version__ = "0.1.0"

#: Bumped whenever extraction changes in a way that makes stored results stale (see ``geo ingest --reprocess``).
PIPELINE_VERSION = "1"
