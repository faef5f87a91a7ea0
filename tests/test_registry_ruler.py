"""wpx_registry_ruler: the same spans, in the same order, as spaCy's SpanRuler, and a serialization round trip."""
from __future__ import annotations

import pytest
import spacy
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.components.base import REGISTRY_TUPLES_KEY, registry_spans

PATTERNS = [
    {"label": "COUNTRY", "pattern": "Korea", "id": "KOR"},
    {"label": "COUNTRY", "pattern": "Republic of Korea", "id": "KOR"},
    {"label": "ORG", "pattern": "Korea", "id": "KOREA-ORG"},  # one phrase, two labels
    {"label": "REGIME", "pattern": "Australia Group", "id": "AG"},
    {"label": "COUNTRY", "pattern": "Australia", "id": "AUS"},
    {"label": "REGIME", "pattern": "AG", "id": "AG"},
    {"label": "REGIME", "pattern": "AG", "id": "AG-OTHER"},  # one phrase, one label, two ids
    {"label": "ORG", "pattern": "Group"},  # no id
]
WORDS = ["Korea", "Republic", "of", "Australia", "Group", "AG", "the", ",", "and"]


def rulers():
    ours, theirs = spacy.blank("en"), spacy.blank("en")
    ours.add_pipe("wpx_registry_ruler", config={"spans_key": "reg"}).add_patterns(PATTERNS)
    theirs.add_pipe("span_ruler", config={"spans_key": "reg"}).add_patterns(PATTERNS)
    return ours, theirs


def spans(doc):
    return [(s.start, s.end, s.label_, s.id_) for s in doc.spans["reg"]]


OURS, THEIRS = rulers()


@pytest.mark.parametrize("text", ["The Republic of Korea and the Australia Group (AG) met.", "Korea, Australia and Korea.", "", "Nothing here."])
def test_same_spans_as_span_ruler(text):
    doc = OURS(text)
    assert spans(doc) == spans(THEIRS(text))
    assert registry_spans(doc) == spans(doc) == doc.user_data[REGISTRY_TUPLES_KEY]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(WORDS), max_size=25))
def test_same_spans_as_span_ruler_on_any_sequence(words):
    text = " ".join(words)
    assert spans(OURS(text)) == spans(THEIRS(text))


def test_token_patterns_fall_back_to_span_ruler():
    nlp = spacy.blank("en")
    ruler = nlp.add_pipe("wpx_registry_ruler", config={"spans_key": "reg"})
    ruler.add_patterns([{"label": "ORG", "pattern": [{"LOWER": "group"}]}, {"label": "COUNTRY", "pattern": "Korea", "id": "KOR"}])
    assert spans(nlp("Korea group")) == [(0, 1, "COUNTRY", "KOR"), (1, 2, "ORG", "")]


def test_patterns_added_and_removed_after_first_use():
    nlp = spacy.blank("en")
    ruler = nlp.add_pipe("wpx_registry_ruler", config={"spans_key": "reg"})
    ruler.add_patterns([{"label": "COUNTRY", "pattern": "Korea", "id": "KOR"}])
    assert spans(nlp("Korea and Japan")) == [(0, 1, "COUNTRY", "KOR")]
    ruler.add_patterns([{"label": "COUNTRY", "pattern": "Japan", "id": "JPN"}])
    ruler.remove_by_id("KOR")
    assert spans(nlp("Korea and Japan")) == [(2, 3, "COUNTRY", "JPN")]


def test_serialization_round_trip(tmp_path):
    OURS.to_disk(tmp_path / "nlp")
    loaded = spacy.load(tmp_path / "nlp")
    assert loaded.get_pipe("wpx_registry_ruler").patterns == OURS.get_pipe("wpx_registry_ruler").patterns
    text = "The Republic of Korea and the Australia Group (AG) met."
    assert spans(loaded(text)) == spans(OURS(text))
    fresh = spacy.blank("en").add_pipe("wpx_registry_ruler", config={"spans_key": "reg"})
    fresh.from_bytes(OURS.get_pipe("wpx_registry_ruler").to_bytes())
    assert fresh.patterns == OURS.get_pipe("wpx_registry_ruler").patterns
