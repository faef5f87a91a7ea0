"""Places named by what stands there (pipeline/extract/facilities.py): no model needed."""
from __future__ import annotations

import pytest
from hypothesis import given, settings, strategies as st

from pipeline.config import load_config
from pipeline.extract.facilities import FacilityRules

from .conftest import REPO


@pytest.fixture(scope="module")
def rules():
    places = load_config(REPO / "configs").toml("extraction.toml")["places"]
    return FacilityRules.of(places["facility_nouns"], places["name_particles"], ["Chinese", "Centre", "January"])


def names(rules, text, mentions=()):
    found = rules.find(text, [dict(m) for m in mentions], [(0, len(text))])
    assert all(text[m["start"]:m["end"]] == text[m["start"]:m["end"]].strip() for m in found)
    return [text[m["start"]:m["end"]] for m in found]


@pytest.mark.parametrize(("text", "expected"), [
    ("Officers trained at the Kapitan Andreevo border crossing.", ["Kapitan Andreevo"]),
    ("Inspections at the Atucha and Embalse nuclear power plants.", ["Atucha", "Embalse"]),
    ("Checks at the Kapıkule, Gürbulak and Sarp border crossings.", ["Kapıkule", "Gürbulak", "Sarp"]),
    ("At Vyšné Nemecké and Čierna nad Tisou border crossings.", ["Vyšné Nemecké", "Čierna nad Tisou"]),  # a sentence's first word; a name particle
    ("The Kozloduy Nuclear Power Plant is safe.", ["Kozloduy"]),  # the noun in capitals too
    ("Monitors at the Manila International Container Terminal.", ["Manila"]),
    ("The Semipalatinsk test site was closed.", ["Semipalatinsk"]),
    ("Two nuclear power plants are planned.", []),  # a number word is no name
    ("Officers at the Chinese border posts.", []),  # a demonym
    ("Six inspections at the MARIA research reactor.", []),  # an acronym names a thing
    ("Experts of the Centre port the code.", []),  # a word the other rules give a role
    ("Deliveries via the port of Aqaba.", []),  # the name after the noun is the town rules'
])
def test_names_before_facility_nouns(rules, text, expected):
    assert names(rules, text) == expected


def test_words_a_mention_covers_are_no_name(rules):
    text = "Inspectors met at the Kazakhstan border post."
    start = text.index("Kazakhstan")
    assert names(rules, text, [{"start": start, "end": start + len("Kazakhstan"), "label": "COUNTRY"}]) == []


def test_a_letter_whose_lower_case_is_longer_keeps_the_offsets(rules):
    assert names(rules, "İstanbul hosted it. At the Kapıkule BORDER crossing.") == ["Kapıkule"]


def test_no_nouns_finds_nothing():
    assert FacilityRules.of([], [], []).find("the Atucha nuclear power plant", [], [(0, 30)]) == []


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from(["Atucha", "Čierna nad Tisou", "Kapıkule", "Nuku'alofa", "Mailuu-Suu"]), min_size=1, max_size=3, unique=True),
       st.sampled_from(["border crossings", "nuclear power plants", "Border Posts"]), st.text(alphabet="ab .", max_size=8))
def test_each_listed_name_is_cited_by_its_offsets(rules, listed, noun, pad):
    text = pad + " at the " + (listed[0] if len(listed) == 1 else ", ".join(listed[:-1]) + " and " + listed[-1]) + " " + noun + "."
    assert names(rules, text) == listed
