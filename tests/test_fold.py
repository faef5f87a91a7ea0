from __future__ import annotations

import json
import re
import textwrap

import pytest
import spacy
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.fold import FOLD_KEY, char_span, doc_offset, fold, idx, text_offset
from pipeline.layout_rules import LayoutRules

from .conftest import GENRE, SEED_RAW


class Always:
    """Reading rules that call every paragraph wrapped, or none, and read every character as itself."""

    same_as: dict[int, str] = {}
    same_as_chars = re.compile("(?!)")

    def __init__(self, wrapped: bool) -> None:
        self.wrapped = wrapped

    def hard_wrapped(self, paragraph: str) -> bool:
        return self.wrapped


@pytest.mark.parametrize(("text", "wrapped", "folded", "shifts"), [
    ("the Nuclear Suppliers Group", True, "the Nuclear Suppliers Group", []),  # nothing to fold
    ("the Nuclear Suppliers\nGroup", True, "the Nuclear Suppliers Group", []),  # one character for one: no shift
    ("the Nuclear Suppliers\r\nGroup met.", True, "the Nuclear Suppliers Group met.", [[22, 1]]),
    ("the Nuclear\n   Suppliers  Group", True, "the Nuclear Suppliers Group", [[12, 3], [22, 4]]),
    ("Resolution\u00a01540 and\tthe", True, "Resolution 1540 and the", []),
    ("LT | EN\r\nMinistry of Foreign Affairs", False, "LT | EN\nMinistry of Foreign Affairs", [[8, 1]]),  # a separator stays a line break
    ("LT  |  EN\nHome", False, "LT | EN\nHome", [[3, 1], [5, 2]]),
])
def test_fold(text, wrapped, folded, shifts):
    assert fold(text, Always(wrapped)) == (folded, shifts)


WHITESPACE = st.sampled_from([" ", "  ", "\n", "\r\n", "\n  ", "\t", "\u00a0", " \n ", "\u2028"])
WORD = st.text(alphabet="abcXYZ.,'-", min_size=1, max_size=6)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(WORD, WHITESPACE), min_size=1, max_size=12), WORD, st.booleans())
def test_fold_maps_every_character_back(pairs, last, wrapped):
    """Every non-space character of the folded text is the same character of the text, at text_offset; doc_offset inverts it."""
    text = "".join(word + space for word, space in pairs) + last
    folded, shifts = fold(text, Always(wrapped))
    assert "".join(folded.split()) == "".join(text.split())
    assert not re.search(r"\s\s|[^\S \n]", folded)  # one space or one line break between words, nothing else
    for at, ch in enumerate(folded):
        if not ch.isspace():
            assert text[text_offset(shifts, at)] == ch
            assert doc_offset(shifts, text_offset(shifts, at)) == at


@pytest.mark.parametrize("separator", ["\n", "\r\n", "\n    ", "  "])
def test_idx_and_char_span_speak_the_text_s_offsets(separator):
    nlp = spacy.blank("en")
    text = f"China joined the Nuclear Suppliers{separator}Group in 2004."
    folded, shifts = fold(text, Always(True))
    doc = nlp.make_doc(folded)
    if shifts:
        doc.user_data[FOLD_KEY] = shifts
    assert [t.text for t in doc] == ["China", "joined", "the", "Nuclear", "Suppliers", "Group", "in", "2004", "."]  # no whitespace token
    assert [text[idx(t):idx(t) + len(t.text)] for t in doc] == [t.text for t in doc]
    start = text.index("Nuclear")
    end = text.index("Group") + len("Group")
    span = char_span(doc, start, end)
    assert span is not None and span.text == "Nuclear Suppliers Group"
    assert char_span(doc, text.index("Group"), text.index("Group") + 1, alignment_mode="expand").text == "Group"


def _wrapped(text: str, paragraphs: list[tuple[int, int]], kind: str) -> str:
    """Hard-wrap the one-line paragraphs longer than 72 characters: LF, CRLF, or indented with two spaces after full stops."""
    pieces, at = [], 0
    for start, end in paragraphs:
        line = text[start:end]
        if "\n" in line or len(line) <= 72:
            continue
        if kind == "indent":
            line = re.sub(r"\. (?=[A-Z])", ".  ", line)
        lines = textwrap.wrap(line, 72, break_long_words=False, break_on_hyphens=False)
        pieces += [text[at:start], "\n".join(lines[:1] + [("  " if kind == "indent" else "") + w for w in lines[1:]])]
        at = end
    out = "".join(pieces) + text[at:]
    return out.replace("\n", "\r\n") if kind == "crlf" else out


def _comparable(out, name: str) -> list[str]:
    """Return the records of OUT/name with every offset counted in non-space characters and whitespace folded in texts and ids."""
    text = json.loads((out / "documents.jsonl").read_text(encoding="utf-8").splitlines()[0])["text"]
    solid = [0]
    for ch in text:
        solid.append(solid[-1] + (not ch.isspace()))

    def same(value, key=None):
        if isinstance(value, dict):
            return {k: same(v, k) for k, v in value.items() if k != "source"}
        if isinstance(value, list):
            items = [same(v) for v in value]
            return sorted(items) if key == "mention_ids" else items  # ids sort as strings, and the wrap changes their digits
        if isinstance(value, int) and not isinstance(value, bool) and key in ("start", "end", "heading_start", "heading_end"):
            return solid[value]
        if isinstance(value, str):
            value = re.sub(r"#(\w+):(\d+)-(\d+)", lambda m: f"#{m.group(1)}:{solid[int(m.group(2))]}-{solid[int(m.group(3))]}", value)
            return " ".join(value.split())
        return value

    return sorted(json.dumps(same(json.loads(line)), sort_keys=True) for line in (out / name).read_text(encoding="utf-8").splitlines())


def _run_one(config, folder, name: str, data: bytes):
    from pipeline import api

    raw = folder / "raw"
    raw.mkdir(parents=True)
    (raw / name).write_bytes(data)
    assert api.run_all(raw, folder / "out", config).errors == []
    return folder / "out"


@pytest.mark.parametrize(("paper", "kind", "broken"), [
    (SEED_RAW, "lf", "REGIME"),
    (SEED_RAW, "crlf", "REGIME"),
    (SEED_RAW, "indent", "REGIME"),
    (GENRE / "dev2" / "raw" / "dev2_eu_dualuse_2023.txt", "lf", "ORG"),  # (hereinafter "the\nCommission")
    (GENRE / "dev3" / "raw" / "dev3_za_pelindaba_2021.txt", "crlf", "ORG"),  # "the\r\nAgency" stands for the IAEA
])
def test_a_hard_wrapped_paper_gives_what_the_unwrapped_one_gives(tmp_path, config, paper, kind, broken):
    """Names, counts and engagements that a wrap breaks over two lines are found as on one line, with offsets into the wrapped text."""
    plain = _run_one(config, tmp_path / "plain", paper.name, paper.read_bytes())
    document = json.loads((plain / "documents.jsonl").read_text(encoding="utf-8"))
    segments = [json.loads(line) for line in (plain / "segments.jsonl").read_text(encoding="utf-8").splitlines()]
    wrapped = _wrapped(document["text"], [(s["start"], s["end"]) for s in segments if s["kind"] == "paragraph"], kind)
    assert wrapped.count("\n") > document["text"].count("\n") + 30  # the wrap made line breaks
    out = _run_one(config, tmp_path / "wrapped", paper.name, wrapped.encode("utf-8"))
    for name in ("mentions.jsonl", "relations.jsonl", "segments.jsonl"):
        assert _comparable(out, name) == _comparable(plain, name)
    text = json.loads((out / "documents.jsonl").read_text(encoding="utf-8"))["text"]
    assert text == wrapped  # the canonical text is the file, as it is
    mentions = [json.loads(line) for line in (out / "mentions.jsonl").read_text(encoding="utf-8").splitlines()]
    assert all(text[m["start"]:m["end"]] == m["text"] for m in mentions)
    assert any("\n" in m["text"] and m["label"] == broken for m in mentions)  # a name broken by the wrap, found whole
    relations = [json.loads(line) for line in (out / "relations.jsonl").read_text(encoding="utf-8").splitlines()]
    assert relations and all(text[r["start"]:r["end"]] == r["evidence"] for r in relations)


@pytest.mark.parametrize(("paragraph", "wrapped"), [
    ("China held five rounds of dialogue on export controls with the\nEuropean Union and exchanged views on control lists and\nlicensing.", True),
    ("In 2019 China held its fifth round of consultations with the Nuclear Suppliers\nGroup.", True),  # two lines: the first is the longest
    ("Ministry of Foreign Affairs\nNational Nuclear Regulator\nSri Lanka Atomic Energy Board.", False),  # short items: no wrap width
    ("LT | EN\nMinistry of Foreign Affairs of the Republic of Lithuania\nHome :: Foreign Policy", False),  # short items
    ("The State Council Information Office of the People's Republic of China\nHome • White Papers • Full Texts", False),  # no sentence ends it
    ("Annual Report\nThe Ministry of Commerce released the annual report on Friday.", False),  # "Annual Report" was not full
    ("A line set in a proportional font, a little short of the width\nof the longest line of its paragraph, which is here a bit longer\nthan the rest.", True),
    ("One line only.", False),
])
def test_hard_wrapped(config, paragraph, wrapped):
    assert LayoutRules.from_config(config).hard_wrapped(paragraph) is wrapped


@pytest.mark.parametrize(("sentence", "found"), [
    ("China held talks with the Democratic People’s Republic of Korea.", ("COUNTRY", "Democratic People’s Republic of Korea", "PRK")),  # not KOR
    ("It trained officials from Côte d’Ivoire.", ("COUNTRY", "Côte d’Ivoire", "CIV")),
    ("It held five rounds of dialogue with \u200bRussia.", ("COUNTRY", "Russia", "RUS")),  # after a zero-width space
    ("It trained 3\u00a0000 enterprises.", ("COUNT", "3\u00a0000 enterprises", 3000)),  # a no-break space between the groups
    ("It trained 3\u202f000 enterprises.", ("COUNT", "3\u202f000 enterprises", 3000)),  # a narrow one
    ("Seminars\t\t12\t\t340 participants attended.", ("COUNT", "340 participants", 340)),  # table columns, not digit groups
    ("Workshops    5    120 experts attended.", ("COUNT", "120 experts", 120)),
    ("It reached 3\u200b000 villages in 2019.", ("DATE", "2019", "2019")),  # "000 villages" is no count of 0
    ("China held talks with the Nuclear Suppliers Group and it trained a total of 4\n000 officials from many countries in the region in 2019.",
     ("COUNT", "4\n000 officials", 4000)),  # groups of a number wrapped onto two lines
    ("It consulted the Wassenaar Arrangement,[1] in 2019.", ("REGIME", "Wassenaar Arrangement", "WA")),  # footnote markers
    ("It consulted the Missile Technology Control Regime,1 in 2019.", ("REGIME", "Missile Technology Control Regime", "MTCR")),
    ("It joined the Nuclear Suppliers Group2 in 2004.", ("REGIME", "Nuclear Suppliers Group", "NSG")),
    ("It ratified the Comprehensive Nuclear-Test-Ban Treaty² in 1998.", ("TREATY", "Comprehensive Nuclear-Test-Ban Treaty", "CTBT")),
])
def test_typography_reads_as_plain_text(tmp_path, config, sentence, found):
    """Curly apostrophes, invisible characters, no-break spaces in numbers and footnote markers do not hide what a sentence names."""
    from pipeline import api

    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "paper.txt").write_text(f"Full text: Cooperation\n\n{sentence}\n", encoding="utf-8")
    assert api.run_all(raw, tmp_path / "out", config, ner=False).errors == []
    text = f"Full text: Cooperation\n\n{sentence}\n"
    mentions = [json.loads(line) for line in (tmp_path / "out" / "mentions.jsonl").read_text(encoding="utf-8").splitlines()]
    assert all(text[m["start"]:m["end"]] == m["text"] for m in mentions)
    label, words, value = found
    assert (label, words, value) in [(m["label"], m["text"], m["norm"].get("id", m["norm"].get("value"))) for m in mentions]
    assert not [m for m in mentions if m["label"] == "COUNT" and m["norm"]["value"] in (0, 1, 2)]  # no footnote number or "000" read as a count


def test_names_matched_across_whitespace_are_looked_up_by_their_words(tmp_path, config):
    """relate matches a publisher's country and a two-word demonym across any whitespace, and finds them in its tables all the same."""
    from pipeline import api

    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "ghana.txt").write_text(
        "Ministry of Foreign Affairs of the Republic\u00a0of Ghana\nHome / Policy / Non-Proliferation\n\nGhana and the Agency\n\n"
        "In 2019, Ghana signed an agreement with the International Atomic Energy Agency.\n", encoding="utf-8")
    (raw / "spain.txt").write_text(
        "Spain and Its Partners\n\nSpain maintains close cooperation with Costa Rica and with Portugal on export control matters.\n\n"
        "In 2021, Portuguese and Costa\nRican customs experts carried out three joint inspections at\nthe port of Valencia under the bilateral arrangement signed in 2019.\n",
        encoding="utf-8")
    result = api.run_all(raw, tmp_path / "out", config)
    assert result.errors == []  # the publisher's "Republic\u00a0of Ghana" was a KeyError
    relations = [json.loads(line) for line in (tmp_path / "out" / "relations.jsonl").read_text(encoding="utf-8").splitlines()]
    assert {r["actor"] for r in relations if r["doc_id"] == "ghana"} == {"GHA"}
    assert [sorted(r["counterparts"]) for r in relations if r["doc_id"] == "spain" and r["activity"] == "inspection"] == [["CRI", "PRT"]]
