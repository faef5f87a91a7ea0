"""The parse helpers of the relate stage, on hand-built parses (no model)."""
from __future__ import annotations

import pytest
import spacy
from spacy.tokens import Doc

from pipeline.normalize.text import quoted_ranges
from pipeline.relate.syntax import governing_verb, governs, reports_with

# "China applied to join the MTCR and held five rounds of dialogue"
WORDS = ["China", "applied", "to", "join", "the", "MTCR", "and", "held", "five", "rounds", "of", "dialogue"]
HEADS = [1, 1, 3, 1, 5, 3, 1, 1, 9, 7, 9, 10]
DEPS = ["nsubj", "ROOT", "aux", "xcomp", "det", "dobj", "cc", "conj", "nummod", "dobj", "prep", "pobj"]
POS = ["PROPN", "VERB", "PART", "VERB", "DET", "PROPN", "CCONJ", "VERB", "NUM", "NOUN", "ADP", "NOUN"]


@pytest.fixture(scope="module")
def doc():
    return Doc(spacy.blank("en").vocab, words=WORDS, heads=HEADS, deps=DEPS, pos=POS)


@pytest.mark.parametrize(("token", "verb"), [(11, 7), (5, 3), (3, 3), (0, 1)])
def test_governing_verb(doc, token, verb):
    assert governing_verb(doc[token]).i == verb


@pytest.mark.parametrize(
    ("upper", "lower", "expected"),
    [(1, 5, True),   # "applied" governs the MTCR of "to join"
     (1, 11, False),  # ... but not "dialogue" under the coordinated "held"
     (7, 11, True),
     (9, 11, True)],
)
def test_governs(doc, upper, lower, expected):
    assert governs(doc[upper], doc[lower]) is expected


def test_quoted_ranges():
    text = 'adopted the resolution "Promoting Cooperation" and “another”.'
    assert [text[s:e] for s, e in quoted_ranges(text, 0, len(text))] == ['Promoting Cooperation', 'another']


@pytest.mark.parametrize(("edit", "message"), [
    (lambda s: s.replace("window = 3", "window = 3\nwindw = 4"), r"unknown key\(s\) \[anaphora\] windw"),
    (lambda s: s.replace("\npronouns = ", "\npronoun = "), "missing key 'pronouns'"),
])
def test_relation_rules_reject_typos(tmp_path, edit, message):
    import shutil

    from pipeline.config import ConfigError, load_config
    from pipeline.relate.rules import Rules

    from .conftest import REPO

    root = tmp_path / "configs"
    shutil.copytree(REPO / "configs", root)
    path = root / "relations.toml"
    path.write_text(edit(path.read_text(encoding="utf-8")), encoding="utf-8")
    with pytest.raises(ConfigError, match=rf"relations.toml: {message}"):
        Rules.from_config(load_config(root))


@pytest.mark.parametrize(("text", "found"), [
    ("officials from 12 Latin American States", ["Latin American"]),  # the longest demonym wins: no "American"
    ("Thai and Malaysian customs officers", ["Thai", "Malaysian"]),
    ("Sri Lankan and Maldivian regulators", ["Sri Lankan", "Maldivian"]),
    ("Thailand's customs", []),
])
def test_demonym_pattern_takes_the_longest_name(text, found):
    from pipeline.config import load_config
    from pipeline.relate.rules import Rules

    from .conftest import REPO

    rules = Rules.from_config(load_config(REPO / "configs"))
    assert [m.group() for m in rules.demonym_pattern.finditer(text)] == found


@pytest.mark.parametrize(("word", "lemma", "expected"), [
    ("hosted", "hosted", True),        # tagged as an adjective: the lemma is the form
    ("co-hosted", "co-hoste", True),   # the lemmatizer's slip on a hyphenated participle
    ("organised", "organise", True),
    ("organised", "organised", True),
    ("held", "hold", True),
    ("attended", "attend", False),
    ("hosts", "hosts", False),
])
def test_reports_with_reads_past_the_lemmatizer(word, lemma, expected):
    doc = Doc(spacy.blank("en").vocab, words=[word], lemmas=[lemma])
    assert reports_with(doc[0], frozenset({"host", "co-host", "organise", "hold"})) is expected
