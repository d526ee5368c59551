"""Name folding shared by the gazetteer builder, the lookups and the recogniser.

Folding makes lookups insensitive to case, accents, punctuation and spacing, so "São Paulo", "Sao Paulo" and
"SAO PAULO" meet, as do "St. Louis" and "St Louis".

Examples
--------
>>> fold("São Paulo")
'sao paulo'
>>> fold("Winston-Salem")
'winston salem'
>>> fold("U.S.")
'us'
"""

from __future__ import annotations

import re
import unicodedata

_DROP = re.compile(r"[.'’‘`´\"“”ʻʼʽʾʿ]")
_SPACE = re.compile(r"[\s\-‐‑‒–—_/,]+")


def fold(name: str) -> str:
    """Case-, accent- and punctuation-folded form of a place name (the gazetteer's lookup key)."""
    text = unicodedata.normalize("NFKD", name)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = text.replace("ß", "ss").replace("ø", "o").replace("Ø", "o").replace("ł", "l").replace("Ł", "l")
    text = text.replace("đ", "d").replace("Đ", "d").replace("æ", "ae").replace("œ", "oe").replace("ı", "i")
    text = _DROP.sub("", text.lower())
    text = _SPACE.sub(" ", text).strip()
    return text


def variants(folded: str) -> list[str]:
    """Extra keys under which a folded name is also indexed ("saint louis" <-> "st louis", "mount" <-> "mt")."""
    out: list[str] = []
    swaps = (("saint ", "st "), ("sainte ", "ste "), ("mount ", "mt "), ("fort ", "ft "), ("port ", "pt "))
    for long, short in swaps:
        if folded.startswith(long):
            out.append(short + folded[len(long):])
        elif folded.startswith(short):
            out.append(long + folded[len(short):])
    return out


def is_latin(name: str) -> bool:
    """True when every letter of ``name`` is Latin script (alternate names in other scripts are not indexed)."""
    for ch in name:
        if ch.isalpha():
            if ord(ch) < 0x250:
                continue
            if "LATIN" not in unicodedata.name(ch, ""):
                return False
    return True


#: Words that only say what kind of area a name is, in English and in the forms GeoNames and ISO use
#: ("Tinh Binh Phuoc", "Muhafazat al Minufiyah", "Dakahlia Governorate"); dropped from spelling keys.
_DESIGNATORS = frozenset(
    "governorate governorat gouvernorat muhafazat mintaqat wilayat wilayah province provincia provincie region "
    "state district county oblast oblys oblysy prefecture department departement departamento municipality tinh "
    "thanh pho ostan".split()
)
#: Arabic (and Maghrebi) articles written as a separate word once folded ("al-Minufiyah", "El Dakahlia").
_ARTICLES = frozenset("al el ad ar as an at az ash ath ed er es en et ez ul".split())
_LOOSE_RULES = (("ou", "u"), ("oo", "u"), ("ee", "i"), ("y", "i"), ("kh", "k"), ("gh", "g"), ("ph", "f"),
                ("dh", "d"), ("th", "t"), ("dj", "j"), ("ck", "k"), ("q", "k"), ("c", "k"))
_VOWELS = frozenset("aeiou")


def loose_key(folded: str) -> str:
    """A folded name with the usual transliteration variation removed: no article or designator words, no
    spaces, 'ou'/'u', 'y'/'i', 'q'/'k', 'kh'/'k', silent 'h', doubled letters.

    >>> loose_key("al minufiyah") == loose_key("minoufiya")
    True
    >>> loose_key("daqahliya") == loose_key("dakahlia governorate")
    True
    """
    words = [w for w in folded.split() if w not in _DESIGNATORS]
    if len(words) > 1 and words[0] in _ARTICLES:
        words = words[1:]
    text = "".join(words) if words else folded.replace(" ", "")
    for a, b in _LOOSE_RULES:
        text = text.replace(a, b)
    text = text[:1] + text[1:].replace("h", "")
    out: list[str] = []
    for ch in text:
        if not out or out[-1] != ch:
            out.append(ch)
    return "".join(out)


def skeleton(loose: str) -> str:
    """The consonant skeleton of a loose key (its first letter kept): the bucket fuzzy lookups search.

    >>> skeleton(loose_key("menoufia")) == skeleton(loose_key("al minufiyah"))
    True
    """
    return loose[:1] + "".join(ch for ch in loose[1:] if ch not in _VOWELS)
