"""Find places named by what stands there: "the Kapitan Andreevo border crossing", "the Atucha and Embalse nuclear power plants".

Border crossings, ports, power plants and test sites are mostly too small
for GeoNames and unknown to the small model, and the genre's gold reads the
name before such a noun (configs/extraction.toml ``[places] facility_nouns``)
as a PLACE with no id. Only words no mention covers are read. A name is one
to three capitalized words (name particles between them, "Čierna nad
Tisou"); a list of names before one plural noun names one place each ("the
Poipet and Bavet border crossings"). Words that make a name part of
something else (a head word, a demonym, a stop word, a month) never count:
"the Chinese border posts", "Two nuclear power plants".
"""
from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from spacy.lang.en.stop_words import STOP_WORDS

from .places import _WORD, _WORD_STARTING_UPPER, _blanked, _gaps

RULE = "facilities"
MAX_WORDS = 3
MAX_LISTED = 10  # names in one list before one noun
WINDOW = 600  # characters before a noun that such a list can fill
_CAPITALIZED = _WORD_STARTING_UPPER.pattern


@dataclass(frozen=True)
class FacilityRules:
    """The compiled search for names before facility nouns, and the words no such name holds."""

    pattern: re.Pattern[str] | None  # a list of names right before the end of the text searched
    nouns: re.Pattern[str] | None
    never: frozenset[str]

    @classmethod
    def of(cls, nouns: Iterable[str], particles: Iterable[str], never: Iterable[str]) -> FacilityRules:
        """Compile the search: a list of names, then one of ``nouns`` (any case, longest first) as whole words."""
        nouns = sorted({n.lower() for n in nouns}, key=len, reverse=True)
        if not nouns:
            return cls(None, None, frozenset())
        joined = "|".join(re.escape(n).replace(r"\ ", r"\s+") for n in nouns)
        particle = "|".join(re.escape(p) for p in sorted(set(particles), key=len, reverse=True)) or "(?!)"
        name = rf"{_CAPITALIZED}(?:\s+(?:(?:{particle})\s+)?{_CAPITALIZED}){{0,{MAX_WORDS - 1}}}?"  # the shortest name, the longest noun: "Manila" + "International Container Terminal"
        names = rf"{name}(?:,\s+{name}){{0,{MAX_LISTED - 2}}}(?:,?\s+and\s+{name})?"  # bounded: a long list of capitalized words tried from each word is quadratic
        return cls(re.compile(rf"(?P<names>{names})\s+\Z"), re.compile(rf"(?<=\s)(?:{joined})\b"), frozenset(never))  # (\Z: the end of the window; nouns in lower case)

    def find(self, text: str, mentions: list[dict[str, Any]], blocks: list[tuple[int, int]]) -> list[dict[str, Any]]:
        """Return the PLACE mentions (start, end, label, norm, rule) of the names before facility nouns in the blocks' free stretches."""
        if self.pattern is None or self.nouns is None:
            return []
        free = _blanked(text, _gaps(sorted((m["start"], m["end"]) for m in mentions), blocks))
        found = []
        lowered = free.lower()
        nouns = self.nouns if len(lowered) == len(free) else re.compile(self.nouns.pattern, re.IGNORECASE)
        if nouns is not self.nouns:
            lowered = free  # a letter whose lower case is longer ("İ") would shift the offsets: read the text case-blind instead
        for noun in nouns.finditer(lowered):  # the few nouns first; then the names in a window before each (searching from every capitalized word was most of a run's time)
            if not _word_before(free, noun.start())[:1].isupper():
                continue  # "the port of", "our export", "a test site": no name right before the noun
            match = self.pattern.search(free, max(0, noun.start() - WINDOW), noun.start())
            if match is not None:
                for start, end in self._names(free, match.start("names"), match.end("names")):
                    found.append({"start": start, "end": end, "label": "PLACE", "norm": {"id": None}, "rule": RULE})
        return found

    def _names(self, free: str, start: int, end: int) -> list[tuple[int, int]]:
        """Split a list of names ("Poipet and Bavet", "Kapıkule, Gürbulak and Sarp") into spans, each without the words no name holds.

        A list keeps its names only when every one is a name: "Thailand and the
        Poipet ..." is no list here (a mention is blanked), "Two" or "New" before
        a noun are no names.
        """
        spans = []
        for piece in re.split(r",\s+and\s+|,\s+|\s+and\s+", free[start:end]):
            offset = free.index(piece, start)
            start = offset + len(piece)
            words = list(_WORD.finditer(piece))
            while words and (words[0].group() in self.never or words[0].group().lower() in STOP_WORDS):
                words.pop(0)  # "At Kapitan Andreevo", "The Kozloduy Nuclear Power Plant": a sentence's first word
            if not words or any(w.group() in self.never for w in words) or words[-1].group().lower() in STOP_WORDS or all(w.group().isupper() for w in words):
                return []  # (an acronym names a thing: "the MARIA research reactor")
            spans.append((offset + words[0].start(), offset + words[-1].end()))
        return spans


def _word_before(text: str, end: int) -> str:
    """Return the word that ends before the whitespace right before ``end`` ("" when none)."""
    stop = end
    while stop > 0 and text[stop - 1].isspace():
        stop -= 1
    start = stop
    while start > 0 and not text[start - 1].isspace() and stop - start < 64:
        start -= 1
    return text[start:stop]
