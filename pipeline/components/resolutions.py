"""wpx_resolutions: UN resolutions by number ("Resolution 1540", "UNSCR 1540",
"resolution 76/234", and each number of a list: "resolutions 1718 (2006),
1874 (2009) and 2094 (2013)") or by a quoted title after the word "resolution".

Numbered Security Council resolutions normalize to "UNSCR-<n>"; General
Assembly ones written "<session>/<number>" to "UNGA-<session>-<number>";
quoted titles to null. Trigger words come from configs/extraction.toml
[resolutions].
"""
from __future__ import annotations

import re

from spacy.language import Language
from spacy.tokens import Doc

from spacy.attrs import LOWER, ORTH

from .base import SettingsComponent, indices_of, word_ids

RULE = "resolutions"
_SC_NUMBER = re.compile(r"\d{1,4}")
_GA_NUMBER = re.compile(r"(?:A/RES/)?(\d{1,3})/(\d{1,4})")
_YEAR = re.compile(r"\d{4}")
_LATER_NUMBER = re.compile(r"\d{3,4}|(?:A/RES/)?\d{1,3}/\d{1,4}")  # a resolution number after the first of a list
_OPEN_QUOTES = "\"“«"
_CLOSE_QUOTES = "\"”»"


@Language.factory("wpx_resolutions")
def make_resolutions(nlp: Language, name: str) -> ResolutionFinder:
    return ResolutionFinder(nlp, name)


class ResolutionFinder(SettingsComponent):
    """Propose RESOLUTION candidates."""

    def _prepare(self) -> None:
        s = self.settings
        self.triggers = frozenset(s.get("triggers_lower", ()))
        self.connectors = frozenset(s.get("title_connectors_lower", ()))
        self.prefixes = sorted((tuple(p.split()) for p in s.get("numbered_prefixes", ())), key=len, reverse=True)
        self.first_words = frozenset(p[0] for p in self.prefixes)
        self.first_ids = word_ids(self.first_words)
        self.list_words = frozenset(s.get("numbered_list_prefixes", ()))
        self.list_ids = word_ids(self.list_words)
        self.trigger_ids = word_ids(self.triggers)

    def __call__(self, doc: Doc) -> Doc:
        for i in indices_of(doc, ORTH, self.first_ids):
            self._numbered(doc, i)
        for i in indices_of(doc, ORTH, self.list_ids):
            self._listed(doc, i)
        for i in indices_of(doc, LOWER, self.trigger_ids):
            self._titled(doc, i)
        return doc

    def _numbered(self, doc: Doc, i: int) -> None:
        if doc[i].text not in self.first_words:
            return
        for prefix in self.prefixes:
            n = len(prefix)
            if i + n < len(doc) and tuple(t.text for t in doc[i:i + n]) == prefix:
                number = doc[i + n].text
                if _SC_NUMBER.fullmatch(number):
                    self.add(doc, i, i + n + 1, "RESOLUTION", RULE, {"id": f"UNSCR-{int(number)}"})
                    return
                match = _GA_NUMBER.fullmatch(number)
                if match:
                    self.add(doc, i, i + n + 1, "RESOLUTION", RULE, {"id": f"UNGA-{int(match.group(1))}-{int(match.group(2))}"})
                    return

    def _listed(self, doc: Doc, i: int) -> None:
        """Add each number of a list after a plural ("resolutions 1718 (2006), 1874 (2009) and 2094 (2013)", "UNSCRs 1540 and 1977").

        The first number takes the plural with it, as "Resolution 1540" takes
        its word; a year in brackets after a number is its year, not another
        resolution; the list ends at the first token that continues none. A
        later number must look like a resolution's (three or four digits, or
        session/number), and one right after a comma must not be followed by
        a word: "resolutions 1718 and 2397, 153 States voted ..." counts
        States, while "resolutions 1540 and 1977 of the Council" lists two.
        """
        k, first = i + 1, True
        while k < len(doc) and (norm := _number_id(doc[k].text)) is not None:
            following = doc[k + 1] if k + 1 < len(doc) else None
            if not first and (not _LATER_NUMBER.fullmatch(doc[k].text)
                              or (following is not None and following.is_alpha and following.lower_ != "and"
                                  and (doc[k - 1].text == "," or (following.is_lower and not following.is_stop)))):
                break  # "..., 153 States voted", "... and 120 enterprises were inspected": a count
            self.add(doc, i if first else k, k + 1, "RESOLUTION", RULE, norm)
            first, k = False, k + 1
            if k + 2 < len(doc) and doc[k].text == "(" and _YEAR.fullmatch(doc[k + 1].text) and doc[k + 2].text == ")":
                k += 3  # "1874 (2009)"
            if k < len(doc) and doc[k].text == ",":
                k += 1
            if k < len(doc) and doc[k].lower_ == "and":
                k += 1

    def _titled(self, doc: Doc, i: int) -> None:
        j = i + 1
        while j < len(doc) and doc[j].lower_ in self.connectors:
            j += 1
        if j >= len(doc) or doc[j].text not in _OPEN_QUOTES:
            return
        for k in range(j + 1, min(len(doc), j + 60)):
            if doc[k].text in _CLOSE_QUOTES:
                if k > j + 1 and doc[j + 1].text[:1].isupper():
                    self.add(doc, j + 1, k, "RESOLUTION", RULE, {"id": None})
                return


def _number_id(text: str) -> dict[str, str] | None:
    """Return the id a resolution number names ("1540": UNSCR-1540, "76/234": UNGA-76-234), else None."""
    if _SC_NUMBER.fullmatch(text):
        return {"id": f"UNSCR-{int(text)}"}
    match = _GA_NUMBER.fullmatch(text)
    return {"id": f"UNGA-{int(match.group(1))}-{int(match.group(2))}"} if match else None
