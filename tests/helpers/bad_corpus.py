"""The corpus of bad inputs: every kind of broken or hostile file an article folder can hold.

Each :class:`Case` is a file plus what reading it must give: a number of good articles and a number of errors
(each a one-line :class:`~geo.errors.InputError` naming the file, and the line where one applies). Files are
generated (the 50 MB article must never be committed); ``python tests/helpers/bad_corpus.py DIR`` writes the small
ones into ``DIR`` for manual use (e.g. the dashboard upload form).
"""

from __future__ import annotations

import gzip
import json
import random
import sys
from dataclasses import dataclass
from pathlib import Path

GOOD_BODY = ("Troops shelled the city of Kharkiv on Monday, officials said. "
             "Protesters later marched in Kyiv against the attack.")

#: Place names in non-Latin scripts (Ukrainian, Arabic, Japanese, Hindi, Greek, Hebrew, Korean, Thai, Amharic).
NON_LATIN_NAMES = ("Київ", "القاهرة", "東京", "नई दिल्ली", "Αθήνα", "ירושלים", "서울", "กรุงเทพมหานคร", "አዲስ አበባ")

#: Latin-script names used for the text of 100,000 place names.
LATIN_NAMES = ("Paris", "London", "Kyiv", "Kharkiv", "Esmeraldas", "Quito", "Lagos", "Cairo", "Lima", "Bogota",
               "Mexico City", "Springfield", "Georgia", "Jordan", "Victoria", "San Jose", "Odesa", "Gaza")


@dataclass(frozen=True)
class Case:
    """One bad input and what reading it must give."""

    name: str
    path: Path
    articles: int  # good articles the readers must return (-1: either 1 article read correctly or 1 error)
    errors: int  # problems reported (each one line, naming the file; -1: see ``articles``)
    error_lines: tuple[int, ...] = ()  # the line numbers the errors must carry, when there are lines
    big: bool = False  # too large for the full pipeline in the default run
    read_options: tuple[tuple[str, str], ...] = ()  # options that make the file readable correctly
    expect_text: str | None = None  # a substring the correctly read text must contain
    min_articles: int = 0  # at least this many good articles (for streams cut short)


def _write(path: Path, data: bytes | str) -> Path:
    path.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))
    return path


def build(folder: Path, *, huge_mb: int = 50) -> list[Case]:
    """Write every bad input into ``folder`` (created) and return the cases; ``huge_mb=0`` leaves out the big ones."""
    folder.mkdir(parents=True, exist_ok=True)
    rng = random.Random(7)
    cases: list[Case] = []

    def add(name: str, data: bytes | str, articles: int, errors: int, **kw: object) -> None:
        cases.append(Case(name, _write(folder / name, data), articles, errors, **kw))  # type: ignore[arg-type]

    add("empty.txt", b"", 0, 1)
    add("only_header.txt", "date 2026-03-06 Headline: Strike in Esmeraldas\n", 0, 1, error_lines=(2,))
    add("impossible_date.txt", f"date 2026-13-45 Headline: Strike\n{GOOD_BODY}\n", 0, 1, error_lines=(1,))
    binary = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(rng.randrange(256) for _ in range(4096))
    add("binary_renamed.txt", binary, 0, 1)
    add("utf16.txt", ("date 2026-03-06 Headline: Київ shelled\n" + GOOD_BODY + "\n").encode("utf-16"), 1, 0,
        expect_text="Kharkiv")  # its byte-order mark names the encoding
    add("latin1.txt", "date 2026-03-06 Headline: Protest in São Paulo\nCrowds gathered in São Paulo and Bogotá "
        "on Friday, said the café owner.\n".encode("latin-1"), 0, 1, error_lines=(1,),
        read_options=(("encoding", "latin-1"),), expect_text="São Paulo and Bogotá")
    add("mixed_endings.txt", b"date 2026-03-06 Headline: Mixed\r\nFirst paragraph about Kyiv.\r\n\r\n"
        b"Second paragraph about Quito.\n\nThird about Lima.\rFourth about Cairo.\r\n", 1, 0,
        expect_text="Kyiv.\n\nSecond paragraph about Quito.\n\nThird about Lima.\nFourth about Cairo.")
    good = {"title": "Shelling in Kharkiv", "published": "2026-03-02", "text": GOOD_BODY}
    lines = [json.dumps({**good, "title": f"Report {i}", "text": f"{GOOD_BODY} Report {i}."}) for i in range(5)]
    lines[2] = '{"title": "broken", "text": "unterminated'
    add("one_broken_line.jsonl", "\n".join(lines) + "\n", 4, 1, error_lines=(3,))
    add("wrong_types.jsonl", "\n".join([
        json.dumps({**good, "title": "ok 1"}),
        json.dumps({"title": "no text"}),
        json.dumps({**good, "text": 42}),
        json.dumps([1, 2, 3]),
        json.dumps({**good, "published": "2026-13-45"}),
        json.dumps({**good, "title": "ok 2", "text": GOOD_BODY + " Second."}),
    ]) + "\n", 2, 4, error_lines=(2, 3, 4, 5))
    add("missing_column.csv", "title,published,text\n"
        f'"Good one",2026-03-01,"{GOOD_BODY}"\n'
        '"Short row",2026-03-02\n'
        f'"Good two",2026-03-03,"{GOOD_BODY} Again."\n', 2, 1, error_lines=(3,))
    add("no_text_column.csv", "title,published\nA,2026-03-01\nB,2026-03-02\n", 0, 2, error_lines=(2, 3))
    add("not_xml.rss", "this is not a feed {{{ <rss <<<< \x00", 0, 1)
    add("not_xml.xml", "<rss><channel><item><title>unclosed", 0, 1)
    depth = 100_000
    add("deeply_nested.html", "<html><head><title>Deep</title></head><body>" + "<div>" * depth
        + f"<p>{GOOD_BODY}</p>" + "</div>" * depth + "</body></html>", 1, 0, expect_text="Kharkiv")
    add("nonlatin_names.txt", "date 2026-03-06 Headline: " + " / ".join(NON_LATIN_NAMES[:3]) + "\n"
        + " ".join(f"Protesters marched in {n} on Friday." for n in NON_LATIN_NAMES) + "\n", 1, 0,
        expect_text="नई दिल्ली")
    add("nul_bytes.txt", f"date 2026-03-06 Headline: NUL\n{GOOD_BODY}\x00 tail\n", -1, -1)
    dump = gzip.compress("".join(json.dumps({**good, "title": f"Dump {i}", "text": f"{GOOD_BODY} Item {i}."}) + "\n"
                                 for i in range(3000)).encode())
    add("truncated_download.jsonl.gz", dump[: len(dump) // 2], 0, 1, min_articles=1000)
    add("bare_number.json", "42", 0, 1)
    add("hostile.json", json.dumps([{**good, "title": "<script>alert(1)</script>",
                                     "text": GOOD_BODY + ' <img src=x onerror="alert(2)">',
                                     "url": "javascript:alert(3)", "source": "\"'><svg onload=alert(4)>"}]),
        1, 0, expect_text="<img src=x onerror=")
    names = [LATIN_NAMES[i % len(LATIN_NAMES)] for i in range(100_000)]
    add("100k_place_names.txt", "date 2026-03-06 Headline: Gazetteer stress\n" + ", ".join(names) + ".\n", 1, 0,
        big=True, expect_text="Esmeraldas, Quito")
    if huge_mb:
        paragraph = (GOOD_BODY + " ") * 8 + "\n\n"
        body = paragraph * (huge_mb * 1024 * 1024 // len(paragraph) + 1)
        add("huge_50mb.txt", f"date 2026-03-06 Headline: Huge\n{body}", 1, 0, big=True)
    return cases


if __name__ == "__main__":
    for case in build(Path(sys.argv[1]), huge_mb=0):
        if not case.big:
            print(case.path)
