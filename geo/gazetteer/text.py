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

_DROP = re.compile(r"[.'’‘`´\"“”]")
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
