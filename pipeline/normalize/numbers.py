"""Parse cardinal numbers written in digits or English words into integers.

Number words are parsed by text2num (a maintained library), so no table of
number words lives here.
"""
from __future__ import annotations

import re
from functools import lru_cache

from text_to_num import text2num

_DIGITS = re.compile(r"\d{1,3}(?:,\d{3})+|\d{1,3}(?: \d{3})+|\d+")  # "3,000", "3 000" (groups set apart by a space, as in UN and European style), "3000"
_DECIMAL_TIMES_WORD = re.compile(r"(\d+(?:\.\d+)?)\s+([a-z]+)")
_ORDINAL = re.compile(r"\d+(?:st|nd|rd|th)", re.I)


@lru_cache(maxsize=8192)
def parse_number(text: str) -> int | None:
    """Return the integer a cardinal number phrase states ("twenty-one", "3,000", "1.5 million"), else None.

    Cached: a corpus states the same few thousand numbers over and over, and
    the word forms go through text2num.
    """
    phrase = " ".join(text.replace("\u2009", "").replace("\u00a0", " ").split()).lower()
    if not phrase or _ORDINAL.fullmatch(phrase):
        return None
    if _DIGITS.fullmatch(phrase):
        return int(phrase.replace(",", "").replace(" ", ""))
    match = _DECIMAL_TIMES_WORD.fullmatch(phrase)
    if match:
        scale = _words(match.group(2))
        if scale is None or scale < 100 or str(scale).rstrip("0") != "1":
            return None  # "1.5 million", "3 hundred"; not "2024 two" (a year, then a count) nor "2 dozen"
        value = float(match.group(1)) * scale
        return int(value) if value.is_integer() else None
    return _words(phrase)


def _words(phrase: str) -> int | None:
    try:
        value = text2num(phrase.replace("-", " "), "en")
    except ValueError:
        return None
    return value if isinstance(value, int) and value >= 0 else None
