from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from spacy.strings import get_string_id

from pipeline import ingest, segment
from pipeline.layout_rules import LayoutRules
from pipeline.records import read_jsonl
from pipeline.schemas import problems

from .conftest import SEED_ID


@pytest.fixture(scope="module")
def seed_segments(tmp_path_factory, config):
    from .conftest import SEED_RAW
    import shutil

    raw = tmp_path_factory.mktemp("raw")
    shutil.copy(SEED_RAW, raw / SEED_RAW.name)
    out = tmp_path_factory.mktemp("out")
    ingest.run(raw, out, config)
    segment.run(out / "documents.jsonl", out, config)
    [doc] = read_jsonl(out / "documents.jsonl")
    return doc["text"], list(read_jsonl(out / "segments.jsonl"))


def by_kind(segments, kind):
    return [s for s in segments if s["kind"] == kind]


def test_schema_and_offsets(seed_segments):
    text, segments = seed_segments
    for seg in segments:
        assert problems("segments.jsonl", seg) == []
        assert seg["doc_id"] == SEED_ID
        if "text" in seg:
            assert text[seg["start"]:seg["end"]] == seg["text"]
    assert len({s["id"] for s in segments}) == len(segments)


def test_sections_and_headings(seed_segments):
    _, segments = seed_segments
    sections = {tuple(s["section_path"]): s for s in by_kind(segments, "section")}
    assert sections[("IV",)]["heading"] == "Promoting International Exchanges and Cooperation"
    assert sections[("IV", "1")]["heading"] == "Conducting Bilateral Exchanges and Cooperation"
    assert sections[("IV", "2")]["heading"] == "Strengthening Multilateral Dialogue and Consultation"
    assert sections[("IV", "1")]["parent_id"] == sections[("IV",)]["id"]


def test_title_and_boilerplate(seed_segments):
    text, segments = seed_segments
    [title] = by_kind(segments, "title")
    assert title["text"] == "Full text: China's Export Controls"
    kinds = {s["boilerplate_kind"]: s["text"] for s in by_kind(segments, "boilerplate")}
    assert kinds["label"] == "White Paper"
    assert kinds["byline"].startswith("XinhuaUpdated:")
    assert kinds["pagination"].startswith("<") and "7" in kinds["pagination"]


def test_every_paragraph_and_sentence_sits_in_its_section(seed_segments):
    _, segments = seed_segments
    sections = {tuple(s["section_path"]): s for s in by_kind(segments, "section")}
    for seg in by_kind(segments, "paragraph") + by_kind(segments, "sentence"):
        path = tuple(seg["section_path"])
        if path:
            sec = sections[path]
            assert sec["start"] <= seg["start"] and seg["end"] <= sec["end"]
    lead = next(p for p in by_kind(segments, "paragraph") if p["text"].startswith("The State Council"))
    assert lead["section_path"] == []
    six = next(s for s in by_kind(segments, "sentence") if "six rounds" in s["text"])
    assert six["section_path"] == ["IV", "2"]


def test_sentences_tile_paragraphs(seed_segments):
    text, segments = seed_segments
    paragraphs = {p["id"]: p for p in by_kind(segments, "paragraph")}
    children: dict[str, list] = {}
    for sent in by_kind(segments, "sentence"):
        children.setdefault(sent["parent_id"], []).append(sent)
    assert set(children) == set(paragraphs)
    for pid, sents in children.items():
        para = paragraphs[pid]
        cursor = para["start"]
        for sent in sorted(sents, key=lambda s: s["start"]):
            assert text[cursor:sent["start"]].strip() == ""
            cursor = sent["end"]
        assert text[cursor:para["end"]].strip() == ""


def test_no_sentence_overlaps_boilerplate(seed_segments):
    _, segments = seed_segments
    for bp in by_kind(segments, "boilerplate"):
        for sent in by_kind(segments, "sentence"):
            assert sent["end"] <= bp["start"] or bp["end"] <= sent["start"]


def test_order_is_stable(seed_segments):
    _, segments = seed_segments
    keys = [(s["start"], s["end"]) for s in segments]
    assert [s["start"] for s in segments] == sorted(s["start"] for s in segments)
    assert len(keys) == len(segments)


words = st.text(alphabet=st.characters(whitelist_categories=("Lu", "Ll", "Nd", "Zs"), whitelist_characters=".,;?!'\"()-\u00a0\u2019"), min_size=1, max_size=60)
line_st = st.one_of(words, st.just(""), st.just("II. A Heading"), st.just("(3) Sub heading"), st.just("Updated: 2020-01-02"))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(line_st, min_size=1, max_size=12), st.sampled_from(["\n", "\r\n"]))
def test_offsets_hold_for_any_text(config, lines, newline):
    text = newline.join(lines)
    doc = {"doc_id": "d", "text": text}
    segments = segment.segment_document(doc, LayoutRules.from_config(config), segment.sentencizer(config))
    for seg in segments:
        assert 0 <= seg["start"] <= seg["end"] <= len(text)
        if "text" in seg:
            assert text[seg["start"]:seg["end"]] == seg["text"]
            assert seg["text"] == seg["text"].strip()
    json.dumps(segments)


def _spacy_sentence_starts(nlp, text):
    """Sentence starts as spaCy's own Sentencizer component sets them."""
    doc = nlp.get_pipe("sentencizer")(nlp.make_doc(text))
    return [sent.start for sent in doc.sents] if len(doc) else []


@pytest.mark.parametrize("text", [
    "China joined the NSG in 2004. It applied to join the MTCR!",
    "Five rounds were held... Then what? \"Yes.\" (The end.) Next one",
    "No final punctuation here",
    "Ends with punctuation only .!?",
    "A line\nanother line. \n\n  Spaced   out .  Done",
    "",
])
def test_sentence_starts_match_spacy_sentencizer(config, text):
    nlp = segment.sentencizer(config)
    punct = frozenset(get_string_id(c) for c in nlp.get_pipe("sentencizer").punct_chars)
    doc = nlp.make_doc(text)
    assert (segment._sentence_starts(doc, punct) if len(doc) else []) == _spacy_sentence_starts(nlp, text)


@pytest.mark.parametrize(("text", "sentences"), [
    ("It detained nine shipments¹. With Japan it held talks.", ["It detained nine shipments¹.", "With Japan it held talks."]),  # a footnote marker before the full stop
    ("It joined the Treaty², the Group³ and the Regime; it met.", ["It joined the Treaty², the Group³ and the Regime; it met."]),
])
def test_a_full_stop_after_a_footnote_marker_ends_the_sentence(config, text, sentences):
    doc = segment.sentencizer(config)(text)
    assert [sent.text for sent in doc.sents] == sentences


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.one_of(words, st.sampled_from([".", "!", "?", "...", "\n", " . ", "'", "\""])), min_size=1, max_size=15))
def test_sentence_starts_match_spacy_sentencizer_on_any_text(config, parts):
    nlp = segment.sentencizer(config)
    punct = frozenset(get_string_id(c) for c in nlp.get_pipe("sentencizer").punct_chars)
    text = " ".join(parts)
    doc = nlp.make_doc(text)
    assert (segment._sentence_starts(doc, punct) if len(doc) else []) == _spacy_sentence_starts(nlp, text)


@pytest.mark.parametrize("limit, fails", [(42, True), (43, False)])
def test_a_paragraph_longer_than_a_block_may_be_is_named_with_its_offsets(config, limit, fails):
    """spaCy's own E088 message advises raising `nlp.max_length`, which no wpx user can reach."""
    text = "Full text: A\n\nChina held five rounds of dialogue in 2019.\n"  # the paragraph: characters 14-57 (43)
    nlp = segment.sentencizer(config)
    nlp.max_length = limit
    doc = {"doc_id": "d", "text": text}
    if fails:
        with pytest.raises(segment.SegmentError, match=r"the paragraph at characters 14-57 is 43 characters long, more than a block may be \(42"):
            segment.segment_document(doc, LayoutRules.from_config(config), nlp)
    else:
        assert [s["text"] for s in segment.segment_document(doc, LayoutRules.from_config(config), nlp) if s["kind"] == "sentence"] == [
            "China held five rounds of dialogue in 2019."]


LONG = ("China held five rounds of dialogue on export controls with the European Union and exchanged views on "
        "control lists, licensing practice and enforcement with its partners in the region")  # 183 characters, no final punctuation


def _paragraphs(config, body: str) -> list[str]:
    doc = {"doc_id": "d", "text": "Full text: A\n\n" + body + "\n"}
    found = segment.segment_document(doc, LayoutRules.from_config(config), segment.sentencizer(config))
    for seg in found:
        if "text" in seg:
            assert doc["text"][seg["start"]:seg["end"]] == seg["text"]
    return [s["text"] for s in found if s["kind"] == "paragraph"]


@pytest.mark.parametrize(("body", "expected"), [
    # One paragraph per line, no blank lines (a browser's text copied into a .txt file): one paragraph each.
    (f"{LONG}.\n{LONG}.\n{LONG}!", [f"{LONG}.", f"{LONG}.", f"{LONG}!"]),
    # Closing quotes and brackets after the full stop still end the sentence.
    (f"{LONG}.\u201d\n{LONG}.)\n{LONG}.", [f"{LONG}.\u201d", f"{LONG}.)", f"{LONG}."]),
    # A short line before or after a long one: the break next to the long line was typed.
    (f"It said so.\n{LONG}.\nIt agreed.", ["It said so.", f"{LONG}.", "It agreed."]),
    # A typed break inside a sentence (the line before ends with no final punctuation) joins the halves.
    (f"{LONG}\nand then ended.", [f"{LONG}\nand then ended."]),
    # Text wrapped at a fixed width: one paragraph, even where a wrapped line ends a sentence.
    ("China held five rounds of dialogue on export controls with the\nEuropean Union. It exchanged views on control lists and\n"
     "licensing practice.",
     ["China held five rounds of dialogue on export controls with the\nEuropean Union. It exchanged views on control lists and\nlicensing practice."]),
    # Two short lines: nothing says the break was typed, so they stay one paragraph, as before.
    ("It said so.\nIt agreed.", ["It said so.\nIt agreed."]),
    # A blank line still ends a paragraph whatever the lengths.
    (f"{LONG}\n\n{LONG}", [LONG, LONG]),
])
def test_a_line_break_next_to_an_unwrapped_line_ends_a_paragraph(config, body, expected):
    assert _paragraphs(config, body) == expected


@pytest.mark.parametrize(("size", "split"), [(160, False), (161, True)])
def test_unwrapped_line_chars_is_the_longest_line_a_wrap_may_leave(config, size, split):
    assert LayoutRules.from_config(config).unwrapped_line_chars == 160
    line = ("x" * (size - 1))[:size - 1] + "."
    paragraphs = _paragraphs(config, f"{line}\nNext.")
    assert paragraphs == ([line, "Next."] if split else [f"{line}\nNext."])


WORDS = st.text(alphabet="abcdefghij", min_size=1, max_size=12)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(st.lists(WORDS, min_size=1, max_size=40), st.sampled_from([".", ",", "", ";", ".\u201d"])), min_size=1, max_size=8))
def test_paragraphs_tile_the_runs_and_only_break_at_typed_line_ends(config, lines):
    """Every content line lands in exactly one paragraph; a paragraph ends inside a run only after a long line's neighbour ends a sentence."""
    texts = [" ".join(words).capitalize() + end for words, end in lines]
    paragraphs = _paragraphs(config, "\n".join(texts))
    assert "\n".join(paragraphs) == "\n".join(texts)  # nothing lost, nothing doubled, order kept
    limit = LayoutRules.from_config(config).unwrapped_line_chars
    breaks = {len("\n".join(texts[:k + 1])) for k in range(len(texts) - 1)}
    made = {len("\n".join(paragraphs[:k + 1])) for k in range(len(paragraphs) - 1)}
    expected = {at for k, at in enumerate(sorted(breaks))
                if max(len(texts[k]), len(texts[k + 1])) > limit and texts[k].rstrip("\u201d")[-1] in ".;:!?"}
    assert made == expected
