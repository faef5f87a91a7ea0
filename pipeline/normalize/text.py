"""Small text facts several stages need, as pure functions."""
from __future__ import annotations

import re

_QUOTED = re.compile(r'[“"]([^“”"]{1,300})[”"]')


def quoted_ranges(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """Return the character ranges inside quotation marks in text[start:end] (titles, not parties or counts)."""
    return [m.span(1) for m in _QUOTED.finditer(text, start, len(text) if end is None else end)]


def singular(word: str) -> str:
    """Return an English plural's singular by its ending ("parties" -> "party", "states" -> "state"; "press" stays)."""
    return word[:-3] + "y" if word.endswith("ies") else word[:-1] if word.endswith("s") and not word.endswith("ss") else word
