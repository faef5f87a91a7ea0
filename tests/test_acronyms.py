from __future__ import annotations

import pytest

from pipeline.extract.acronyms import Settings, link

SETTINGS = Settings(
    markers=frozenset(["hereinafter", "referred", "to", "as", "the", ","]),
    long_form_labels=frozenset(["REGIME", "TREATY", "ORG", "LAW"]),
    default_label="ORG",
    connectors=frozenset(["of", "the", "and", "for", "on", "in"]),
    kind_nouns=frozenset(["programme", "missions"]),
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


def test_recurrence_inside_an_added_long_form_is_skipped():
    text = 'Japan (hereinafter "the Forum") joined the Forum for Nuclear Cooperation in Asia (FNCA).'
    added = link(text, [m(text, "Japan", "ORG", {"id": "JPN"})], [(0, len(text))], SETTINGS)
    assert spans(text, added) == [("Forum", "ORG", {"id": "JPN"}), ("Forum for Nuclear Cooperation in Asia", "ORG", {"id": None}), ("FNCA", "ORG", {"id": None})]


def test_a_quoted_short_form_replaces_the_names_it_holds():
    text = 'The China Centre for Disease Control (hereinafter "China CDC") met. China CDC and Japan (Japan) met.'
    found = [m(text, "China Centre for Disease Control", "ORG", {"id": None}), m(text, "China", "COUNTRY", {"id": "CHN"}, 1), m(text, "CDC", "ORG", {"id": None}),
             m(text, "China", "COUNTRY", {"id": "CHN"}, 2), m(text, "CDC", "ORG", {"id": None}, 1), m(text, "Japan", "COUNTRY", {"id": "JPN"}), m(text, "Japan", "COUNTRY", {"id": "JPN"}, 1)]
    added = link(text, found, [(0, len(text))], SETTINGS)
    assert spans(text, added) == [("China CDC", "ORG", {"id": None}), ("China CDC", "ORG", {"id": None})]
    assert [x["label"] for x in found] == ["ORG", "COUNTRY", "COUNTRY", "COUNTRY", "COUNTRY"]  # the two "CDC" gave way; countries stay


PARTING = Settings(SETTINGS.markers, SETTINGS.long_form_labels, SETTINGS.default_label, SETTINGS.connectors, frozenset(["of", "for", "to", "and"]))
DEFINED = ('The Preparatory Commission for the CTBTO (hereinafter "the Commission"), the National Nuclear Center (hereinafter "the Center") and the '
           'Strategic Trade Secretariat (hereinafter "the Secretariat") met. ')


@pytest.mark.parametrize(("sentence", "found", "expected"), [
    # a name found by its shape that ends with "of the <short form>" keeps what comes before it
    ("It hosted 35 staff of the Provisional Technical Secretariat of the Commission.", [("Provisional Technical Secretariat of the Commission", "names")],
     [("Provisional Technical Secretariat", "names"), ("Commission", "acronyms")]),
    # one that starts with the short form and runs on through "to the" is no name: both short forms recur
    ("Kits handed over by the Commission to the Center in 2022.", [("Commission to the Center", "names")], [("Commission", "acronyms"), ("Center", "acronyms")]),
    # the statistical NER's span gives way to what the document defined
    ("In June the IGR hosted in Kurchatov the Commission's course.", [("Kurchatov the Commission", "ner:en_core_web_sm")], [("Commission", "acronyms")]),
    # a name that starts with a defined short form and runs on into no other one is a name of its own (review)
    ("Talks with the Commission of the Red Cross of Japan.", [("Commission of the Red Cross of Japan", "names")], [("Commission of the Red Cross of Japan", "names")]),
    # a span of another label the NER found there gives way too ("the Secretariat" read as a place)
    ("The Secretariat met.", [("Secretariat", "ner:en_core_web_sm", "PLACE")], [("Secretariat", "acronyms")]),
    ("The Council and the Commission met.", [("Council and the Commission", "ner:en_core_web_sm", "LAW")], [("Commission", "acronyms")]),
    # no connector and article between: the longer name stays, the recurrence is not added
    ("The Commission Staff Regulations apply.", [("Commission Staff Regulations", "names")], [("Commission Staff Regulations", "names")]),
    ("The Secretariat and Commission met.", [("Secretariat and Commission", "names")], [("Secretariat and Commission", "names")]),
    # a registry name is never parted ("Nuclear Suppliers Group" holds "Group")
    ("The Council of the Commission met.", [("Council of the Commission", "registry")], [("Council of the Commission", "registry")]),
])
def test_a_name_gives_way_to_a_defined_short_form_it_ran_into(sentence, found, expected):
    text = DEFINED + sentence
    at = lambda name: text.index(name, len(DEFINED))  # noqa: E731  (the sentence's own occurrence)
    long_forms = [m(text, "Preparatory Commission for the CTBTO", "ORG", {"id": "CTBTO"}), m(text, "National Nuclear Center", "ORG", {"id": None}),
                  m(text, "Strategic Trade Secretariat", "ORG", {"id": None})]
    names = [{"start": at(name), "end": at(name) + len(name), "label": label[0] if label else "ORG", "norm": {"id": None}, "rule": rule} for name, rule, *label in found]
    mentions = long_forms + names
    added = link(text, mentions, [(0, len(text))], PARTING)  # (the names that give way leave ``mentions``)
    after = sorted((x["start"], text[x["start"]:x["end"]], x["rule"]) for x in mentions + added if x["start"] >= len(DEFINED))
    assert [(name, rule) for _, name, rule in after] == expected


@pytest.mark.parametrize("definition", [
    'the Strategic Trade Act 2010 (Act 708) (hereinafter "the STA")',  # the law's year, then its number, then the short form
    'the Strategic Trade Act of 2010 (hereinafter "the STA")',
    'the Strategic Trade Act (Act 708) (hereinafter "the STA")',
])
def test_a_short_form_may_follow_a_laws_year_and_number(definition):
    text = f"Malaysia enforces {definition}. The STA came into force in 2011."
    ner = [{**m(text, "STA", "ORG", {"id": None}, n), "rule": "ner:en_core_web_sm"} for n in (0, 1)]  # what the model read
    mentions = [m(text, "Strategic Trade Act", "LAW", {"id": None}), *ner]
    added = link(text, mentions, [(0, len(text))], SETTINGS)
    assert spans(text, added) == [("STA", "LAW", {"id": None}), ("STA", "LAW", {"id": None})] and [x["label"] for x in mentions] == ["LAW"]


@pytest.mark.parametrize("text", ["in 2010 (hereinafter", "the Act (Act 708) (Act 709) (hereinafter \"the STA\")"])
def test_no_short_form_two_parentheses_away_or_after_a_year_alone(text):
    text = "Malaysia enforces the Strategic Trade Act " + text
    assert link(text, [m(text, "Strategic Trade Act", "LAW", {"id": None})], [(0, len(text))], SETTINGS) == []


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


def reference_link(text, mentions, blocks, settings):
    """Return what link returned before it was made near-linear: the pairwise scans, kept as the specification."""
    import re

    from pipeline.extract.acronyms import RULE, _definition, _follows_a_mention, _is_acronym, _occurrences, _spelled_out

    def inside(pos):
        return any(s <= pos < e for s, e in blocks)

    by_span = {(m["start"], m["end"], m["label"]) for m in mentions}
    original = list(mentions)  # as found before: what a quoted short form may replace
    added, definitions = [], {}

    def add(start, end, label, norm, replace=False):
        if (start, end, label) in by_span or any(a["start"] < end and start < a["end"] and a["label"] == label for a in added):
            return
        inner = [m for m in original if m["label"] == label and m["start"] < end and start < m["end"]]
        if inner:
            if not (replace and all(start <= m["start"] and m["end"] <= end for m in inner)):
                return
            for m in inner:
                original.remove(m)
                mentions.remove(m)
                by_span.discard((m["start"], m["end"], label))
        by_span.add((start, end, label))
        added.append({"start": start, "end": end, "label": label, "norm": dict(norm), "rule": RULE})

    for mention in sorted(mentions, key=lambda m: (m["start"], -m["end"])):
        if mention["label"] not in settings.long_form_labels:
            continue
        short = _definition(text, mention["end"], settings)
        if short and not any(m["start"] <= short[0] and short[1] <= m["end"] for m in mentions) and not _is_acronym(text[mention["start"]:mention["end"]]):
            s, e = short
            definitions.setdefault(text[s:e], (mention["label"], mention["norm"]))
            add(s, e, mention["label"], mention["norm"])
    ends = {m["end"] for m in mentions}
    for match in re.finditer(r"\(\s*([A-Z][A-Za-z0-9&.\-]{1,11})\s*\)", text):
        acronym = match.group(1)
        if not _is_acronym(acronym) or acronym in definitions or not inside(match.start()):
            continue
        if _follows_a_mention(text, match.start(), ends):
            continue
        long_form = _spelled_out(text, match.start(), acronym, settings)
        if long_form:
            norm = {"id": None}
            definitions[acronym] = (settings.default_label, norm)
            crossing = [m for m in mentions if m["label"] == settings.default_label and m["rule"] == "names" and m["start"] < long_form[0] < m["end"] <= long_form[1]]
            add(min([long_form[0], *(m["start"] for m in crossing)]), long_form[1], settings.default_label, norm, replace=bool(crossing))
            add(match.start(1), match.start(1) + len(acronym), settings.default_label, norm)
    for short, (label, norm) in definitions.items():
        for start in _occurrences(text, short):
            if inside(start):
                add(start, start + len(short), label, norm, replace=True)
    return sorted(added, key=lambda m: (m["start"], m["end"], m["label"]))


CHUNKS = [["Missile Technology Control Regime", " (MTCR)"], ["Forum for Nuclear Cooperation in Asia", " (FNCA)"], ["Nuclear Suppliers Group", "(NSG)"],
          ["Nuclear Suppliers Group", ' (hereinafter "the Group")'], ["Japan", " (Japan)"], ["Japan", " (Euratom)"], ["Japan", ' (hereinafter "the Forum")'], ["MTCR"], ["FNCA"], ["NSG"], ["Group"], ["Forum"],
          ["Euratom"], ["the"], ["of"], [" "], [" "], ["\n"], ["."], ["-"], ["("], [")"], ["MTCRs"]]
LABELS = ["REGIME", "TREATY", "ORG", "COUNTRY"]


@st.composite
def documents(draw):
    """Draw a text of definition-prone pieces, mentions on pieces, across pieces or anywhere (even empty or reversed), and blocks."""
    pieces = [piece for chunk in draw(st.lists(st.sampled_from(CHUNKS), max_size=20)) for piece in chunk]
    text = "".join(pieces)
    cuts = [0]
    for piece in pieces:
        cuts.append(cuts[-1] + len(piece))
    one_piece = st.integers(0, max(len(pieces) - 1, 0)).map(lambda i: (cuts[i], cuts[min(i + 1, len(pieces))]))
    across = st.tuples(st.sampled_from(cuts), st.sampled_from(cuts)).map(lambda pair: tuple(sorted(pair)))
    anywhere = st.tuples(st.integers(0, len(text)), st.integers(0, len(text)))
    norms = st.sampled_from([{"id": None}, {"id": "MTCR"}, {"id": "NSG"}])
    mention = st.builds(lambda span, label, norm: {"start": span[0], "end": span[1], "label": label, "norm": norm, "rule": "registry"},
                        st.one_of(one_piece, one_piece, across, anywhere), st.sampled_from(LABELS), norms)
    blocks = draw(st.one_of(st.just([(0, len(text))]), st.lists(st.one_of(across, anywhere), max_size=6)))
    return text, draw(st.lists(mention, max_size=12)), blocks


@settings(max_examples=1000, deadline=None)
@given(documents())
def test_link_equals_the_pairwise_reference(document):
    text, mentions, blocks = document
    ours, theirs = [dict(m) for m in mentions], [dict(m) for m in mentions]
    assert link(text, ours, blocks, SETTINGS) == reference_link(text, theirs, blocks, SETTINGS)
    assert ours == theirs  # the same mentions replaced


def executed_lines(function, *args):
    """Count the lines run inside the acronyms module during one call: deterministic work, unlike a timing."""
    import sys

    from pipeline.extract import acronyms

    count = 0

    def local(frame, event, arg):
        nonlocal count
        count += event == "line"
        return local

    def tracer(frame, event, arg):
        return local if frame.f_code.co_filename == acronyms.__file__ else None

    previous = sys.gettrace()
    sys.settrace(tracer)
    try:
        function(*args)
    finally:
        sys.settrace(previous)
    return count


PARAGRAPHS = {
    "definitions after long forms": ("The Missile Technology Control Regime (MTCR) met. ", "Missile Technology Control Regime"),
    "recurrences in many blocks": ("The FNCA and the FNCA met.\n", None),
    "recurrences to add": ("MTCR, MTCR, MTCR and MTCR. ", None),
}


@pytest.mark.parametrize("paragraph, long_form", PARAGRAPHS.values(), ids=PARAGRAPHS)
def test_link_work_grows_linearly(paragraph, long_form):
    def work(copies):
        head = "Forum for Nuclear Cooperation in Asia (FNCA) and the Missile Technology Control Regime (MTCR).\n"
        text = head + paragraph * copies
        mentions = [m(text, "Missile Technology Control Regime", "REGIME", {"id": "MTCR"})]
        if long_form:
            mentions += [m(text, long_form, "REGIME", {"id": "MTCR"}, nth) for nth in range(1, copies + 1)]
        blocks = [(0, len(head))] + [(len(head) + i * len(paragraph), len(head) + (i + 1) * len(paragraph)) for i in range(copies)]
        return executed_lines(link, text, mentions, blocks, SETTINGS)

    assert work(400) < 2.2 * work(200)


@pytest.mark.parametrize(("long_form", "short", "defined"), [
    ("Shanghai Cooperation Organisation", "SCO", True),
    ("Ministry of Commerce", "MOFCOM", True),
    ("SCO", "RATS", False),  # "the Regional Anti-Terrorist Structure of the SCO (RATS)": an acronym needs no short form
    ("Nuclear Energy Corporation of South Africa", "Necsa", True),  # a contraction
    ("Norwegian Radiation and Nuclear Safety Authority", "DSA", True),  # of the name in another language
])
def test_an_acronym_is_no_short_form_of_another(long_form, short, defined):
    text = f"The {long_form} ({short}) met. The {short} met again."
    added = link(text, [m(text, long_form, "ORG", {"id": "X"})], [(0, len(text))], SETTINGS)
    assert bool([a for a in added if text[a["start"]:a["end"]] == short and a["norm"] == {"id": "X"}]) == defined


def test_a_short_form_adds_nothing_inside_its_long_form_nested_in_a_body():
    """The treaty nested in its body's name is the mention there, not the short form's word ("the Treaty")."""
    text = 'The Comprehensive Nuclear-Test-Ban Treaty (hereinafter "the Treaty") set up the Preparatory Commission for the Comprehensive Nuclear-Test-Ban Treaty Organization. The Treaty is open.'
    found = [m(text, "Comprehensive Nuclear-Test-Ban Treaty", "TREATY", {"id": "CTBT"}),
             m(text, "Preparatory Commission for the Comprehensive Nuclear-Test-Ban Treaty Organization", "ORG", {"id": "CTBTO"}),
             m(text, "Comprehensive Nuclear-Test-Ban Treaty", "TREATY", {"id": "CTBT"}, 1)]
    added = link(text, found, [(0, len(text))], SETTINGS)
    assert [(a["start"], text[a["start"]:a["end"]]) for a in added] == [(text.index("Treaty\")"), "Treaty"), (text.rindex("Treaty is"), "Treaty")]


@pytest.mark.parametrize(("text", "expected"), [
    ("Officers joined the Strategic Trade Control Enforcement (STCE) programme. The STCE met.", []),  # a programme's name
    ("The Agency sent Integrated Regulatory Review Service (IRRS) missions, and IRRS left.", []),
    ("It joined the Strategic Trade Control Enforcement (STCE). The STCE met.",
     [("Strategic Trade Control Enforcement", "ORG", {"id": None}), ("STCE", "ORG", {"id": None}), ("STCE", "ORG", {"id": None})]),
    ("It joined the Strategic Trade Control Enforcement (STCE) Programme.",  # a capitalized word is no kind noun
     [("Strategic Trade Control Enforcement", "ORG", {"id": None}), ("STCE", "ORG", {"id": None})]),
])
def test_an_acronym_before_a_kind_noun_names_no_body(text, expected):
    assert spans(text, link(text, [], [(0, len(text))], SETTINGS)) == expected


def test_a_name_runs_on_to_the_spelled_out_form_it_ran_into():
    """"US Customs" (the names rule stopped at "and") is "US Customs and Border Protection (CBP)"; a registry name is left as it is."""
    text = "Officers of US Customs and Border Protection (CBP) met."
    names_found = {**m(text, "US Customs", "ORG", {"id": None}), "rule": "names"}
    added = link(text, [names_found], [(0, len(text))], SETTINGS)
    assert spans(text, added) == [("US Customs and Border Protection", "ORG", {"id": None}), ("CBP", "ORG", {"id": None})]
    registry_found = m(text, "US Customs", "ORG", {"id": None})
    assert spans(text, link(text, [registry_found], [(0, len(text))], SETTINGS)) == [("CBP", "ORG", {"id": None})]
