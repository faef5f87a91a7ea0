"""wpx_dates: absolute dates by pattern, each item of a list separately.

"in 2015, 2017 and 2019" gives three DATE candidates; "December 29, 2021"
gives one with value "2021-12-29". Relative dates come from the statistical
NER and are handled by wpx_mentions (value null).
"""
from __future__ import annotations

from spacy.language import Language
from spacy.tokens import Doc

from ..normalize.dates import find_dates
from .base import SettingsComponent, doc_text

RULE = "dates"


@Language.factory("wpx_dates")
def make_dates(nlp: Language, name: str) -> DateFinder:
    return DateFinder(nlp, name)


class DateFinder(SettingsComponent):
    """Propose DATE candidates for every absolute date in the text."""

    def __call__(self, doc: Doc) -> Doc:
        for start, end, iso in find_dates(doc_text(doc)):
            span = doc.char_span(start, end)
            if span is None:
                continue  # not on token boundaries ("2004-2010" ranges are split by the tokenizer)
            self.add(doc, span.start, span.end, "DATE", RULE, {"value": iso})
        return doc
