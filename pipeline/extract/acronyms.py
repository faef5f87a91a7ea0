"""Link short forms defined in a document to their long forms, document-wide.

"Missile Technology Control Regime (MTCR)" and "Nuclear Suppliers Group
(hereinafter "the Group")" define a short form that is a mention wherever it
recurs, with the long form's label and id. A "Long Capitalized Name (LCN)"
pair that no rule recognised gives two mentions with a null id. Works on
mention dicts and the document text, so it needs no model.
"""
from __future__ import annotations

import re
from bisect import bisect_left
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from itertools import accumulate
from typing import Any

from ..components.names import RULE as NAMES_RULE

RULE = "acronyms"
_PAREN = re.compile(r"\s*\(\s*((?:[^()\n]|\n(?!\s*\n)){1,80}?)\s*\)")  # a line break inside (a wrapped line), never a blank line
_ACRONYM = re.compile(r"[A-Z][A-Za-z0-9&.\-]{1,11}")
_QUOTED = re.compile(r"[\"“‘']\s*(?:the\s+)?([^\"”’']{2,60}?)\s*[\"”’']")
_WORD = re.compile(r"[A-Za-z][A-Za-z'’\-]*")
_YEAR_AFTER = re.compile(r"[ \u00a0](?:of[ \u00a0])?(?:1[89]|20)\d\d\b")  # "Strategic Trade Act 2010", "... Act of 2015"


@dataclass(frozen=True)
class Settings:
    markers: frozenset[str]
    long_form_labels: frozenset[str]
    default_label: str
    connectors: frozenset[str]
    parting_connectors: frozenset[str] = frozenset()  # "<name> of the <short form>" is two names ([acronyms] parting_connectors_lower)
    kind_nouns: frozenset[str] = frozenset()  # "... (STCE) programme": a pair before one of these names a thing of that kind ([acronyms] kind_nouns_lower)
    event_heads: frozenset[str] = frozenset()  # "ASEAN Defence Ministers' Meeting (ADMM)": a long form ending with one of these names an event ([acronyms] event_heads_lower)

    @classmethod
    def from_dict(cls, acronyms: dict[str, Any]) -> Settings:
        return cls(frozenset(acronyms["definition_markers_lower"]), frozenset(acronyms["long_form_labels"]), acronyms["default_label"], frozenset(acronyms["connectors_lower"]),
                   frozenset(acronyms.get("parting_connectors_lower", ())), frozenset(acronyms.get("kind_nouns_lower", ())), frozenset(acronyms.get("event_heads_lower", ())))


def _is_acronym(text: str) -> bool:
    return bool(_ACRONYM.fullmatch(text)) and sum(ch.isupper() for ch in text) >= 2


def link(text: str, mentions: list[dict[str, Any]], blocks: list[tuple[int, int]], settings: Settings) -> list[dict[str, Any]]:
    """Return new mentions (start, end, label, norm, rule) for defined short forms and their recurrences.

    A quoted short form ("(hereinafter "China CDC")") and its recurrences
    replace the mentions of their label they hold, which ``mentions`` then
    loses ("CDC" read alone); any other overlap keeps what was found.
    """
    by_span = {(m["start"], m["end"], m["label"]) for m in mentions}
    # The indexes are built when first asked: most documents define no short form and need none of them.
    existing = cache(lambda label: _Spans((m["start"], m["end"]) for m in mentions if m["label"] == label))
    anywhere = cache(lambda: _Spans((m["start"], m["end"]) for m in mentions))
    found_by_rules = cache(lambda: _Spans((m["start"], m["end"]) for m in mentions if not _by_ner(m)))
    inside = cache(lambda: _Spans(blocks))
    # Per label, the characters of the spans added so far: they are never empty and never overlap
    # one another, so two of them overlap exactly when they share a character.
    covered: dict[str, bytearray] = defaultdict(lambda: bytearray(len(text)))
    added: list[dict[str, Any]] = []
    definitions: dict[str, tuple[str, dict[str, Any]]] = {}

    def add(start: int, end: int, label: str, norm: dict[str, Any], replace: bool = False) -> None:
        if (start, end, label) in by_span or covered[label].find(1, start, end) >= 0:
            return
        if existing(label).overlaps(start, end):  # (the index may still hold mentions given way to: ``inner`` is what is left)
            inner = [m for m in mentions if m["label"] == label and m["start"] < end and start < m["end"]]
            if not replace and inner:
                return
            parts = [(m, _parted(text, m, start, end, settings, definitions)) for m in inner if not (start <= m["start"] and m["end"] <= end)]
            if any(part is False for _, part in parts):
                return
            for m, part in parts:  # "Provisional Technical Secretariat of the Commission": the name gives the recurrence its place
                by_span.discard((m["start"], m["end"], label))
                if part is None:
                    mentions.remove(m)
                else:
                    m["start"], m["end"] = part
                    by_span.add((m["start"], m["end"], label))
            for m in inner:  # "China CDC" defined by "(hereinafter ...)": the name it was read as a part of ("CDC") gives way
                if start <= m["start"] and m["end"] <= end:
                    mentions.remove(m)
                    by_span.discard((m["start"], m["end"], label))
        if anywhere().overlaps(start, end):  # "the Secretariat" the NER read as a place: the document said what it is
            for m in [m for m in mentions if m["label"] != label and m["start"] < end and start < m["end"] and _by_ner(m)]:
                mentions.remove(m)
                by_span.discard((m["start"], m["end"], m["label"]))
        by_span.add((start, end, label))
        covered[label][start:end] = b"\x01" * (end - start)
        added.append({"start": start, "end": end, "label": label, "norm": dict(norm), "rule": RULE})

    for mention in sorted(mentions, key=lambda m: (m["start"], -m["end"])):
        if mention["label"] not in settings.long_form_labels:
            continue
        short = _definition(text, mention["end"], settings)
        # "(Japan)" is a mention already; "(hereinafter "China CDC")" holds one; an acronym needs no short form ("the SCO (RATS)": the
        # Regional Anti-Terrorist Structure's). Initials are not checked: the genre abbreviates names in other languages ("... Authority (DSA)").
        if short and not found_by_rules().covers(*short) and not _is_acronym(text[mention["start"]:mention["end"]]):  # (the NER's "STA" gives way)
            s, e = short
            definitions.setdefault(text[s:e], (mention["label"], mention["norm"]))
            add(s, e, mention["label"], mention["norm"])  # (held mentions give way to its recurrences below, this one included)
    ends = {m["end"] for m in mentions}
    for match in re.finditer(r"\(\s*([A-Z][A-Za-z0-9&.\-]{1,11})\s*\)", text):
        acronym = match.group(1)
        if not _is_acronym(acronym) or acronym in definitions or not inside().overlaps(match.start(), match.start() + 1):
            continue
        if _follows_a_mention(text, match.start(), ends) or _before_a_kind(text, match.end(), settings):
            continue  # "... Review Service (IRRS) missions", "... Enforcement (STCE) programme": a programme's name, not a body's
        long_form = _spelled_out(text, match.start(), acronym, settings)
        if long_form and text[long_form[0]:long_form[1]].rsplit(None, 1)[-1].lower() in settings.event_heads:
            continue  # "the inaugural ASEAN Defence Ministers' Meeting (ADMM)": a meeting is no body
        if long_form:
            norm = {"id": None}
            definitions[acronym] = (settings.default_label, norm)
            # a name found up to a word of the spelled-out form runs on to it: "US Customs" of "US Customs and Border Protection (CBP)"
            # or is its first words: "Vanuatu Customs" of "Vanuatu Customs and Inland Revenue (VCIR)"
            crossing = [m for m in mentions if m["label"] == settings.default_label and m["rule"] == NAMES_RULE
                        and (m["start"] < long_form[0] < m["end"] <= long_form[1] or m["start"] == long_form[0] < m["end"] < long_form[1])]
            add(min([long_form[0], *(m["start"] for m in crossing)]), long_form[1], settings.default_label, norm, replace=bool(crossing))
            add(match.start(1), match.start(1) + len(acronym), settings.default_label, norm)
    for short, (label, norm) in definitions.items():
        for start in _occurrences(text, short):
            if inside().overlaps(start, start + 1):
                add(start, start + len(short), label, norm, replace=True)
    return sorted(added, key=lambda m: (m["start"], m["end"], m["label"]))


class _Spans:
    """Answer "does any span overlap [start, end)?" by bisection: scanning every span per query made link quadratic."""

    def __init__(self, spans: Iterable[tuple[int, int]]) -> None:
        ordered = sorted(spans, key=lambda span: span[0])
        self.starts = [s for s, _ in ordered]
        self.reach = list(accumulate((e for _, e in ordered), max))  # the furthest end among the spans starting so far

    def covers(self, start: int, end: int) -> bool:
        """Return whether one span (s, e) holds all of [start, end): s <= start and end <= e."""
        count = bisect_left(self.starts, start + 1)
        return count > 0 and self.reach[count - 1] >= end

    def overlaps(self, start: int, end: int) -> bool:
        """Return whether some span (s, e) has s < end and start < e, exactly as the pairwise test would."""
        count = bisect_left(self.starts, end)
        return count > 0 and self.reach[count - 1] > start


def _parted(text: str, mention: dict[str, Any], start: int, end: int, settings: Settings, defined: dict[str, Any]) -> tuple[int, int] | None | bool:
    """Return how a mention crossing a short form's recurrence at ``start``-``end`` gives way: its new span, None (it goes), or False (it stays, the recurrence does not).

    A name found by its shape that ends with "<connector> the <short form>"
    keeps what comes before ("Provisional Technical Secretariat of the
    Commission" where "the Commission" was defined); one that starts with
    the short form and runs on through "<connector> the" into another
    defined short form goes ("Commission to the Center"; not "Committee of
    the Red Cross of Japan", a name of its own), and so does a span of the
    statistical NER ("Kurchatov the Commission"): the document said what the
    short form names.
    """
    if _by_ner(mention):
        return None
    if mention.get("rule") != NAMES_RULE:
        return False
    if mention["end"] == end and mention["start"] < start:
        kept, *ending = text[mention["start"]:start].rsplit(None, 2)  # "Provisional Technical Secretariat", "of", "the"
        if len(ending) == 2 and ending[0].lower() in settings.parting_connectors and ending[1].lower() == "the":
            return mention["start"], mention["start"] + len(kept)
        return False
    if mention["start"] == start and mention["end"] > end:
        words = text[end:mention["end"]].split()
        if len(words) >= 3 and words[0].lower() in settings.parting_connectors and words[1].lower() == "the" and " ".join(words[2:]) in defined:
            return None
    return False


def _by_ner(mention: dict[str, Any]) -> bool:
    """Return whether the statistical NER found a mention (its rule is "ner:<model>")."""
    return (mention.get("rule") or "").startswith("ner:")


def _occurrences(text: str, short: str) -> Iterator[int]:
    r"""Yield where ``short`` occurs as a whole word: what re.finditer(r"(?<![\w-])SHORT(?![\w-])") finds, by str.find."""
    at = text.find(short)
    while at >= 0 and short:
        end = at + len(short)
        if not (at and _word_char(text[at - 1])) and not (end < len(text) and _word_char(text[end])):
            yield at
            at = text.find(short, end)
        else:
            at = text.find(short, at + 1)


def _word_char(ch: str) -> bool:
    r"""Return whether ``ch`` is what the regex [\w-] matches (\w: alphanumeric or underscore)."""
    return ch.isalnum() or ch in "_-"


def _before_a_kind(text: str, pos: int, settings: Settings) -> bool:
    """Return whether the word at ``pos`` (after spaces) is one of ``kind_nouns``, in lowercase."""
    word = text[pos:pos + 40].split(maxsplit=1)
    return bool(word) and word[0].rstrip(".,;:") in settings.kind_nouns


def _follows_a_mention(text: str, pos: int, ends: set[int]) -> bool:
    """Return whether a mention ends at ``pos`` or only whitespace lies between its end and ``pos``."""
    first = pos
    while first > 0 and text[first - 1].isspace():
        first -= 1
    return any(end in ends for end in range(first, pos + 1))


def _definition(text: str, end: int, settings: Settings, second: bool = True) -> tuple[int, int] | None:
    """Return the offsets of a short form defined in parentheses right after ``end``, or in the next parentheses after other ones.

    ("Strategic Trade Act 2010 (Act 708) (hereinafter "the STA")": the act's number comes first; a law's year,
    a mention of its own, may stand between its name and the parentheses.)
    """
    match = _PAREN.match(text, end)
    if not match and second and (year := _YEAR_AFTER.match(text, end)):
        match = _PAREN.match(text, year.end())
    if not match:
        return None
    found = _defined(match, settings)
    return found if found is not None or not second else _definition(text, match.end(), settings, second=False)


def _defined(match: re.Match[str], settings: Settings) -> tuple[int, int] | None:
    inner, offset = match.group(1), match.start(1)
    if _is_acronym(inner) or (inner.isalpha() and inner[:1].isupper() and inner[1:].islower() and len(inner) <= 12):
        return offset, offset + len(inner)  # "(MTCR)", and contractions such as "(Euratom)", "(Necsa)"
    quoted = _QUOTED.search(inner)
    if quoted and quoted.group(1)[:1].isupper():
        words = [w.lower() for w in _WORD.findall(inner[:quoted.start()])]
        if words and all(w in settings.markers for w in words):
            return offset + quoted.start(1), offset + quoted.end(1)
    return None


def _spelled_out(text: str, paren: int, acronym: str, settings: Settings) -> tuple[int, int] | None:
    """Find capitalized words right before ``paren`` whose initials spell ``acronym``."""
    letters = [ch for ch in acronym if ch.isupper()]
    words = list(_WORD.finditer(text, max(0, paren - 200), paren))
    if not words or text[words[-1].end():paren].strip():
        return None
    initials: list[str] = []
    for index in range(len(words) - 1, -1, -1):
        word = words[index].group()
        if word.lower() in settings.connectors:
            continue
        if not word[:1].isupper():
            return None
        initials.insert(0, word[0])
        if initials == letters:
            return words[index].start(), words[-1].end()
        if len(initials) >= len(letters):
            return None
    return None
