"""The article readers, on small committed fixtures (tests/data/articles) and files written on the fly."""

from __future__ import annotations

import datetime as dt
import gzip
import json
import shutil
from pathlib import Path

import pytest

from geo.articles import (
    ErrorCollector,
    article_id,
    detect_format,
    make_article,
    parse_published,
    parse_text,
    read_articles,
)
from geo.errors import ArticleFormatError, GeoError, InputError, UnsupportedFormatError

DATA = Path(__file__).parent / "data" / "articles"
SEED_BODY = "In a significant military operation on Friday, the United States military conducted a strike.\n\nMore."


def read(path, **options):
    errors = ErrorCollector()
    articles = list(read_articles(path, on_error=errors, **options))
    return articles, errors.errors


# ------------------------------------------------------------------------------------------------ seed format


def test_sample_article_header_with_leading_space(sample_article_path):
    raw = sample_article_path.read_text(encoding="utf-8")
    assert raw.startswith(" date ")
    (article,), errors = read(sample_article_path)
    assert errors == []
    assert article.published == dt.date(2026, 3, 6)
    assert article.title == "US Military Targets Narco-Terrorists in Ecuador Operation"
    assert article.text.startswith("In a significant military operation on Friday")
    assert "Headline:" not in article.text
    assert article.path == str(sample_article_path)
    assert len(article.id) == 16


@pytest.mark.parametrize(
    "raw",
    [
        f"date 2026-03-06 Headline: Strike in Esmeraldas\n\n{SEED_BODY}\n".encode(),
        f" date 2026-03-06 Headline: Strike in Esmeraldas\n{SEED_BODY}".encode(),
        f"date 2026-03-06 Headline: Strike in Esmeraldas\r\n\r\n{SEED_BODY}\r\n".replace("\n\n", "\r\n\r\n").encode(),
        b"\xef\xbb\xbf" + f"date 2026-03-06 Headline: Strike in Esmeraldas\n\n{SEED_BODY}".encode(),
        b"\xef\xbb\xbf" + f" DATE 2026-03-06  headline:  Strike in Esmeraldas  \r\n{SEED_BODY}".encode(),
    ],
    ids=["header", "leading-space", "crlf", "bom", "bom-crlf-case"],
)
def test_seed_variants_give_the_same_article(tmp_path, raw):
    path = tmp_path / "story.txt"
    path.write_bytes(raw)
    (article,), errors = read(path)
    assert errors == []
    assert article.published == dt.date(2026, 3, 6)
    assert article.title == "Strike in Esmeraldas"
    assert "\r" not in article.text and "\ufeff" not in article.text
    assert article.text.startswith("In a significant")
    # BOM, CRLF and blank lines do not change the content id
    assert article.id == article_id("Strike in Esmeraldas", SEED_BODY, dt.date(2026, 3, 6))


def test_seed_with_impossible_date_is_reported_with_file_and_line(tmp_path):
    path = tmp_path / "bad.txt"
    path.write_text("date 2026-02-30 Headline: Nope\nBody.\n", encoding="utf-8")
    articles, errors = read(path)
    assert articles == []
    assert len(errors) == 1 and isinstance(errors[0], ArticleFormatError)
    assert str(errors[0]).startswith(f"{path}:1: ") and "2026-02-30" in str(errors[0])
    with pytest.raises(ArticleFormatError):
        list(read_articles(path, strict=True))


def test_seed_without_body_is_an_error(tmp_path):
    path = tmp_path / "empty.txt"
    path.write_text(" date 2026-03-06 Headline: Only a title\n\n", encoding="utf-8")
    _, errors = read(path)
    assert [e.line for e in errors] == [2]


# ------------------------------------------------------------------------------------------------ plain text


def test_plain_text_has_no_date_and_first_line_title():
    (article,), errors = read(DATA / "plain.txt")
    assert errors == []
    assert article.published is None
    assert article.title == "Floods force thousands from homes in Sindh"
    assert "Indus river" in article.text


def test_paste_text_picks_the_format():
    seeded = parse_text(f" date 2026-03-06 Headline: T\n{SEED_BODY}")
    assert seeded.published == dt.date(2026, 3, 6) and seeded.title == "T"
    plain = parse_text("Riots in Dakar.\nPolice used tear gas.", published="2024-02-10")
    assert plain.published == dt.date(2024, 2, 10) and plain.title == ""
    assert parse_text("Riots in Dakar.\nPolice used tear gas.").title == "Riots in Dakar."


# ------------------------------------------------------------------------------------------------ JSON / JSONL


def test_jsonl_good_records_survive_bad_ones():
    articles, errors = read(DATA / "articles.jsonl")
    assert [a.title for a in articles] == ["Shelling hits Kharkiv", "Protest in Nairobi", "Undated report"]
    kharkiv, nairobi, undated = articles
    assert kharkiv.published == dt.date(2024, 5, 17)
    assert kharkiv.url == "https://www.example.org/news/kharkiv"
    assert kharkiv.source == "example.org"  # from the URL when the record names none
    # unknown fields are kept, the record's own id too (the article id stays the content hash)
    assert kharkiv.metadata == {"desk": "Europe", "tags": ["war", "ukraine"], "source_id": "a-1"}
    assert kharkiv.id == article_id(kharkiv.title, kharkiv.text, kharkiv.published)
    assert nairobi.published == dt.date(2024, 6, 25)  # `date` accepted for published
    assert nairobi.source == "Example Wire"
    assert undated.published is None  # missing date is not an error
    assert [(Path(e.path).name, e.line) for e in errors] == [("articles.jsonl", 3), ("articles.jsonl", 4)]
    assert "invalid JSON" in errors[0].reason and "no text" in errors[1].reason


def test_jsonl_source_ids_option():
    articles, _ = read(DATA / "articles.jsonl", use_source_ids=True)
    assert articles[0].id == "a-1"
    assert articles[1].id == article_id(articles[1].title, articles[1].text, articles[1].published)


def test_json_document_with_aliases_and_bad_record():
    articles, errors = read(DATA / "articles.json")
    assert [a.title for a in articles] == ["Earthquake strikes off Hokkaido", "Ceasefire talks in Doha"]
    quake, doha = articles
    assert quake.published == dt.date(2024, 1, 5)  # RFC 2822
    assert quake.metadata == {"magnitude": 6.1, "source_id": "17"}
    assert doha.published == dt.date(2025, 3, 5)  # "March 5, 2025"
    assert len(errors) == 1 and "record 3" in str(errors[0]) and "day after tomorrow" in str(errors[0])


def test_shared_voa_format(tmp_path):
    record = {
        "id": "8011117",
        "url": "https://www.voanews.com/a/x/8011117.html",
        "section": "Middle East",
        "title": "Analysts see flaws",
        "author": "A. Writer",
        "published": "2025-03-14 20:28:39Z",
        "keywords": "Middle East, syria",
        "text": "Syria's newly adopted constitution is facing criticism.",
    }
    path = tmp_path / "voa.jsonl"
    path.write_text(json.dumps(record) + "\n", encoding="utf-8")
    (article,), errors = read(path)
    assert errors == []
    assert article.published == dt.date(2025, 3, 14)
    assert article.source == "voanews.com"
    assert article.metadata["section"] == "Middle East" and article.metadata["source_id"] == "8011117"


def test_json_file_holding_json_lines(tmp_path):
    path = tmp_path / "dump.json"
    path.write_text('{"text": "One."}\n{"text": "Two."}\n', encoding="utf-8")
    articles, errors = read(path)
    assert [a.text for a in articles] == ["One.", "Two."] and errors == []


# ------------------------------------------------------------------------------------------------ CSV


def test_csv_column_mapping_and_malformed_rows():
    articles, errors = read(DATA / "media_monitor.csv", columns={"text": "Story Text", "published": "Pub Day"})
    assert [a.title for a in articles] == ["Port strike in Antwerp", "Election in Tbilisi"]
    antwerp, tbilisi = articles
    assert antwerp.text == "Dock workers walked out in Antwerp on Monday.\nThe strike halted container traffic."
    assert antwerp.published == dt.date(2024, 10, 7)
    assert antwerp.source == "Port News" and antwerp.url == "https://portnews.example/antwerp"
    assert antwerp.metadata == {"Sentiment": "-0.3"}
    assert tbilisi.published is None
    # the multi-line quoted field shifts line numbers: the malformed row is on line 4, the empty one on 5
    assert [e.line for e in errors] == [4, 5]
    assert "7 fields" in errors[0].reason and "no text" in errors[1].reason


def test_csv_mapping_to_a_missing_column_names_it():
    articles, errors = read(DATA / "media_monitor.csv", columns={"text": "Body"})
    assert articles == []
    assert len(errors) == 1 and "Body" in str(errors[0]) and errors[0].line == 1


def test_unknown_mapping_field_is_a_usage_error():
    with pytest.raises(InputError, match="mapping"):
        list(read_articles(DATA / "media_monitor.csv", columns={"body": "Story Text"}))


def test_tsv_with_bom(tmp_path):
    path = tmp_path / "a.tsv"
    path.write_bytes(b"\xef\xbb\xbftitle\ttext\tdate\r\nQuake\tA quake hit Van.\t2023-02-06\r\n")
    (article,), errors = read(path)
    assert errors == [] and article.title == "Quake" and article.published == dt.date(2023, 2, 6)


# ------------------------------------------------------------------------------------------------ HTML, feeds


def test_html_page_main_text_and_metadata():
    (article,), errors = read(DATA / "page.html")
    assert errors == []
    assert article.title == "Wildfire forces evacuations near Athens"
    assert article.published == dt.date(2024, 8, 12)
    assert article.url == "https://news.example.gr/2024/08/wildfire-athens"
    assert article.source == "Example News"
    assert "Varnavas and Marathon" in article.text and "& head toward" in article.text
    for boilerplate in ("Copyright", "trackVisit", "Sport"):
        assert boilerplate not in article.text


def test_html_without_text_is_reported(tmp_path):
    path = tmp_path / "blank.html"
    path.write_text("<html><head><title>Empty</title></head><body><script>x()</script></body></html>", encoding="utf-8")
    articles, errors = read(path)
    assert articles == [] and "no article text" in str(errors[0])


def test_rss_feed_html_summary_is_stripped():
    articles, errors = read(DATA / "feed.rss")
    assert [a.title for a in articles] == ["Cyclone makes landfall in Mozambique", "Drone attack in Sudan"]
    cyclone, drone = articles
    assert cyclone.text == "Cyclone Filipo made landfall near Inhambane on Monday & cut power.\n\nTwo people died."
    assert "<" not in cyclone.text and "alert" not in cyclone.text
    assert cyclone.published == dt.date(2024, 3, 11)
    assert cyclone.source == "Example World News" and cyclone.url == "https://world.example.com/cyclone"
    assert drone.text == "A drone struck a market in El Fasher on Sunday." and drone.published is None
    assert len(errors) == 1 and "entry 2" in str(errors[0])


def test_atom_feed_prefers_full_content():
    (article,), errors = read(DATA / "feed.atom")
    assert errors == []
    assert article.text == "A container ship struck the Francis Scott Key Bridge in Baltimore on Tuesday."
    assert article.published == dt.date(2024, 3, 26)


# ------------------------------------------------------------------------------------------------ gzip, folders


def test_gzip_file():
    articles, errors = read(DATA / "articles.jsonl.gz")
    assert errors == []
    assert [a.published for a in articles] == [dt.date(2024, 5, 24), dt.date(2024, 7, 24)]


def test_gzip_detected_by_content_and_same_ids_as_plain(tmp_path):
    plain = (DATA / "articles.jsonl").read_bytes()
    hidden = tmp_path / "export.jsonl"  # gzip bytes behind a plain name
    hidden.write_bytes(gzip.compress(plain))
    a, _ = read(hidden)
    b, _ = read(DATA / "articles.jsonl")
    assert [x.id for x in a] == [x.id for x in b] and len(a) == 3


def test_truncated_gzip_is_reported_not_raised(tmp_path):
    path = tmp_path / "cut.jsonl.gz"
    path.write_bytes((DATA / "articles.jsonl.gz").read_bytes()[:40])
    articles, errors = read(path)
    assert articles == [] and len(errors) == 1 and str(path) in str(errors[0])


def test_folder_reads_every_format_and_skips_readme(tmp_path):
    folder = tmp_path / "inbox"
    shutil.copytree(DATA, folder)
    (folder / ".hidden.txt").write_text("secret", encoding="utf-8")
    (folder / "notes.md").write_text("# not an article", encoding="utf-8")
    articles, errors = read(folder)
    paths = {Path(a.path).name for a in articles}
    assert "README.md" not in paths and "notes.md" not in paths and ".hidden.txt" not in paths
    assert paths == {"plain.txt", "articles.jsonl", "articles.json", "page.html", "feed.rss", "feed.atom",
                     "articles.jsonl.gz"}
    assert len(articles) == 1 + 3 + 2 + 1 + 2 + 1 + 2
    # the CSV's text column has an unusual name: every row is reported, none is silently dropped
    assert sum(Path(e.path).name == "media_monitor.csv" for e in errors) == 4
    again, _ = read(folder)
    assert [a.id for a in again] == [a.id for a in articles]  # stable order and ids


def test_globs_and_lists(tmp_path):
    articles, _ = read(str(DATA / "*.json*"))
    assert {Path(a.path).name for a in articles} == {"articles.json", "articles.jsonl", "articles.jsonl.gz"}
    both, _ = read([DATA / "plain.txt", DATA / "feed.atom"])
    assert len(both) == 2


def test_missing_path_and_unknown_format(tmp_path):
    with pytest.raises(InputError, match="no such file"):
        list(read_articles(tmp_path / "nope.txt"))
    with pytest.raises(InputError, match="no files match"):
        list(read_articles(str(tmp_path / "*.jsonl")))
    odd = tmp_path / "data.bin"
    odd.write_bytes(b"\x00\x01\x02")
    with pytest.raises(UnsupportedFormatError):
        list(read_articles(odd, strict=True))
    _, errors = read(odd)
    assert isinstance(errors[0], UnsupportedFormatError) and isinstance(errors[0], GeoError)


def test_detect_format():
    assert detect_format("a.jsonl.gz") == "jsonl"
    assert detect_format("a.xml", b"<html><body>") == "html"
    assert detect_format("a.html", b'<?xml version="1.0"?><rss version="2.0">') == "feed"
    assert detect_format("noext", b" date 2026-03-06 Headline: x\n") == "seed"
    assert detect_format("noext", b"just words") is None


def test_invalid_utf8_is_reported_with_line(tmp_path):
    path = tmp_path / "latin.txt"
    path.write_bytes("Title\nS\u00e3o Paulo floods.\n".encode("latin-1"))
    _, errors = read(path)
    assert errors[0].line == 2 and "utf-8" in str(errors[0])
    (article,), _ = read(path, encoding="latin-1")
    assert "São Paulo" in article.text


# ------------------------------------------------------------------------------------------------ ids, dates


def test_article_id_is_a_content_hash():
    a = make_article("Body text.", title="Title", published="2024-01-02")
    b = make_article("Body   text.\r\n", title=" Title ", published=dt.datetime(2024, 1, 2, 23, 59), url="https://x")
    assert a.id == b.id
    assert make_article("Body text!", title="Title", published="2024-01-02").id != a.id
    assert make_article("Body text.", title="Title", published="2024-01-03").id != a.id
    assert make_article("Body text.", title="Other", published="2024-01-02").id != a.id


def test_make_article_rejects_empty_text_and_bad_dates():
    with pytest.raises(ArticleFormatError, match="no text"):
        make_article("   \n ")
    with pytest.raises(ArticleFormatError, match="date"):
        make_article("x", published="someday")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2025-03-14 20:28:39Z", dt.date(2025, 3, 14)),
        ("2025-03-14T23:30:00-05:00", dt.date(2025, 3, 14)),
        ("20250314", dt.date(2025, 3, 14)),
        ("Fri, 14 Mar 2025 10:00:00 GMT", dt.date(2025, 3, 14)),
        ("14 March 2025", dt.date(2025, 3, 14)),
        ("", None),
        (None, None),
    ],
)
def test_parse_published(value, expected):
    assert parse_published(value) == expected


@pytest.mark.parametrize("value", ["yesterday", "2025-13-01", "March 2025", "soon", 1710000000])
def test_parse_published_rejects(value):
    with pytest.raises(ValueError):
        parse_published(value)


# ------------------------------------------------------------------------------------------------ the seeds folder


def test_seeds_folder_is_what_make_run_ingests(root):
    articles, errors = read(root / "seeds")
    assert errors == []
    assert len(articles) == 71 and len({a.id for a in articles}) == 71
    assert {Path(a.path).name for a in articles} == {"000_a6e9797fa9424ba8.txt", "voa_stories.jsonl"}
    voa = [a for a in articles if a.path.endswith(".jsonl")]
    assert all(a.source == "voanews.com" and a.url.startswith("https://www.voanews.com/") for a in voa)
    assert all(a.published is not None for a in articles)


def test_voa_copy_is_byte_identical(root):
    shared = root.parent / "shared" / "seeds" / "voa_stories.jsonl"
    if not shared.exists():
        pytest.skip(f"{shared} not present (outside the repository)")
    assert (root / "seeds" / "voa_stories.jsonl").read_bytes() == shared.read_bytes()
