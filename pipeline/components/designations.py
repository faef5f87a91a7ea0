"""wpx_designations: names written as an official designation, found by pattern.

"Regulation (EU) 2021/821" or "Council Decision (CFSP) 2019/1560" follow a
fixed shape that no capitalized-name rule sees. The regular expressions and
their labels live in configs/extraction.toml [[designations]].
"""
from __future__ import annotations

import re

from spacy.language import Language
from spacy.tokens import Doc

from .base import SettingsComponent, doc_text

RULE = "designations"


@Language.factory("wpx_designations")
def make_designations(nlp: Language, name: str) -> DesignationFinder:
    return DesignationFinder(nlp, name)


class DesignationFinder(SettingsComponent):
    """Propose candidates for every configured designation pattern."""

    def _prepare(self) -> None:
        self.patterns = [(rule["label"], re.compile(rule["pattern"])) for rule in self.settings.get("patterns", ())]

    def __call__(self, doc: Doc) -> Doc:
        for label, pattern in self.patterns:
            for match in pattern.finditer(doc_text(doc)):
                span = doc.char_span(match.start(), match.end(), alignment_mode="expand")
                if span is not None:
                    self.add(doc, span.start, span.end, label, RULE, {"id": None})
        return doc
