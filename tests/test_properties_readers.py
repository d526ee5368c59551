"""Property-based tests of the article readers: any bytes, any text, any record either give articles or the
project's own InputError naming the file; good records next to bad ones are never lost."""

from __future__ import annotations

import json
import tempfile
import unicodedata
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from geo.articles import ErrorCollector, parse_text, read_articles, record_to_article
from geo.errors import InputError

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
SUFFIXES = (".txt", ".jsonl", ".json", ".csv", ".tsv", ".html", ".rss", ".xml", ".txt.gz", "")

header = st.builds(lambda d, t: f"date {d} Headline: {t}\n",
                   st.one_of(st.dates().map(str), st.from_regex(r"\d{4}-\d{2}-\d{2}", fullmatch=True), st.text(max_size=12)),
                   st.text(max_size=30).filter(lambda t: "\n" not in t and "\r" not in t))
texts = st.one_of(st.text(), st.builds(str.__add__, header, st.text()))


@SETTINGS
@given(texts)
def test_parse_text_gives_a_normalised_article_or_input_error(text):
    try:
        article = parse_text(text)
    except InputError as exc:
        assert "\n" not in str(exc)
        return
    assert article.text and "\r" not in article.text and "\ufeff" not in article.text
    assert article.text == unicodedata.normalize("NFC", article.text)
    assert parse_text(text).id == article.id  # same content, same id


json_values = st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
                           lambda c: st.lists(c, max_size=3) | st.dictionaries(st.text(max_size=8), c, max_size=3),
                           max_leaves=8)
records = st.dictionaries(st.sampled_from(["text", "body", "title", "published", "date", "url", "source", "id",
                                           "extra"]) | st.text(max_size=6), json_values, max_size=6)


@SETTINGS
@given(records)
def test_any_record_gives_an_article_or_a_located_error(record):
    try:
        article = record_to_article(record, path="dump.jsonl", line=7)
    except InputError as exc:
        assert str(exc).startswith("dump.jsonl:7: ") and "\n" not in str(exc)
        return
    assert article.text.strip()


@SETTINGS
@given(st.binary(max_size=3000), st.sampled_from(SUFFIXES))
def test_any_bytes_in_any_file_type_never_crash_the_reader(data, suffix):
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"input{suffix}"
        if suffix.endswith(".gz"):
            import gzip

            data = gzip.compress(data)
        path.write_bytes(data)
        errors = ErrorCollector()
        articles = list(read_articles(path, on_error=errors))  # anything but InputError escapes and fails
        for error in errors.errors:
            assert error.path == str(path) and "\n" not in str(error)
        for article in articles:
            assert article.text.strip() and article.path == str(path)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.one_of(
    st.builds(lambda t, b: ("good", json.dumps({"title": t, "text": "Body " + b})), st.text(max_size=20),
              st.text(min_size=1, max_size=80)),
    st.builds(lambda s: ("bad", s), st.text(max_size=40).filter(lambda s: s.strip() and "\n" not in s
                                                                 and "\r" not in s and not _is_good_json(s))),
), min_size=1, max_size=25))
def test_jsonl_keeps_every_good_line_among_bad_ones(lines):
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "mixed.jsonl"
        path.write_text("\n".join(text for _, text in lines) + "\n", encoding="utf-8")
        errors = ErrorCollector()
        articles = list(read_articles(path, on_error=errors))
    good = [i + 1 for i, (kind, _) in enumerate(lines) if kind == "good"]
    bad = [i + 1 for i, (kind, _) in enumerate(lines) if kind == "bad"]
    assert len(articles) == len(good)  # nothing lost
    assert sorted(e.line for e in errors.errors) == bad  # every bad line named
    for article, (_, text) in zip(articles, [x for x in lines if x[0] == "good"]):
        # titles are stored in Unicode NFC with blank runs collapsed (U+F900 becomes U+8C48, for one)
        assert article.title == " ".join(unicodedata.normalize("NFC", json.loads(text)["title"]).split())


def _is_good_json(s: str) -> bool:
    try:
        value = json.loads(s)
    except ValueError:
        return False
    return isinstance(value, dict)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.booleans(), st.text(alphabet=st.characters(blacklist_categories=("Cs",),
                                                                         blacklist_characters='"\r\n\x00'),
                                                  min_size=1, max_size=30).filter(str.strip)),
                min_size=1, max_size=20))
def test_csv_keeps_every_complete_row(rows):
    """Rows missing the text column are reported by line; complete rows are all read."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "rows.csv"
        lines = ["title,text"]
        for complete, value in rows:
            lines.append(f'"t","{value}"' if complete else '"t"')
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        errors = ErrorCollector()
        articles = list(read_articles(path, on_error=errors))
    assert len(articles) == sum(1 for complete, _ in rows if complete)
    assert sorted(e.line for e in errors.errors) == [i + 2 for i, (complete, _) in enumerate(rows) if not complete]
