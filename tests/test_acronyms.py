from __future__ import annotations

import pytest

from pipeline.extract.acronyms import Settings, link

SETTINGS = Settings(
    markers=frozenset(["hereinafter", "referred", "to", "as", "the", ","]),
    long_form_labels=frozenset(["REGIME", "TREATY", "ORG", "LAW"]),
    default_label="ORG",
    connectors=frozenset(["of", "the", "and", "for", "on", "in"]),
)


def m(text, sub, label, norm, nth=0):
    start = -1
    for _ in range(nth + 1):
        start = text.index(sub, start + 1)
    return {"start": start, "end": start + len(sub), "label": label, "norm": norm, "rule": "registry"}


def spans(text, added):
    return [(text[a["start"]:a["end"]], a["label"], a["norm"]) for a in added]


def test_hereinafter_short_form_recurs():
    text = 'China joined the Nuclear Suppliers Group (hereinafter "the Group") in 2004. The Group met.'
    added = link(text, [m(text, "Nuclear Suppliers Group", "REGIME", {"id": "NSG"})], [(0, len(text))], SETTINGS)
    assert spans(text, added) == [("Group", "REGIME", {"id": "NSG"}), ("Group", "REGIME", {"id": "NSG"})]


def test_unknown_acronym_gets_null_id_both_ways():
    text = "China joined the Forum for Nuclear Cooperation in Asia (FNCA). The FNCA met."
    added = link(text, [], [(0, len(text))], SETTINGS)
    assert spans(text, added) == [("Forum for Nuclear Cooperation in Asia", "ORG", {"id": None}), ("FNCA", "ORG", {"id": None}), ("FNCA", "ORG", {"id": None})]


def test_known_definitions_add_nothing_twice():
    text = "the Missile Technology Control Regime (MTCR) and the MTCR."
    existing = [m(text, "Missile Technology Control Regime", "REGIME", {"id": "MTCR"}), m(text, "MTCR", "REGIME", {"id": "MTCR"}), m(text, "MTCR", "REGIME", {"id": "MTCR"}, 1)]
    assert link(text, existing, [(0, len(text))], SETTINGS) == []


def test_outside_blocks_is_ignored():
    text = 'Nuclear Suppliers Group (hereinafter "the Group").\nThe Group footer'
    added = link(text, [m(text, "Nuclear Suppliers Group", "REGIME", {"id": "NSG"})], [(0, 51)], SETTINGS)
    assert spans(text, added) == [("Group", "REGIME", {"id": "NSG"})]


@pytest.mark.parametrize("text", ["costs (USD) rose", "the Democratic People's Republic of Korea (DPRK)"])
def test_no_pair_without_spelled_out_long_form(text):
    existing = [m(text, "Democratic People's Republic of Korea", "COUNTRY", {"id": "PRK"})] if "Korea" in text else []
    assert link(text, existing, [(0, len(text))], SETTINGS) == []


from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(["MTCR", "AG", "A", "-", "_", " ", "é", "1", "٢", "²", "(", ")", "\n", "MTCRs"]), max_size=12).map("".join),
       st.sampled_from(["MTCR", "AG", "A", "AA", "A-A"]))
def test_occurrences_equal_the_word_bounded_regex(text, short):
    import re

    from pipeline.extract.acronyms import _occurrences

    assert list(_occurrences(text, short)) == [m.start() for m in re.finditer(rf"(?<![\w-]){re.escape(short)}(?![\w-])", text)]
