"""Tokenize a block with its whitespace runs folded, and map offsets between the Doc and the text.

spaCy's tokenizer splits on single spaces; any other run of whitespace (a
line break inside a hard-wrapped paragraph, "\\r\\n", a tab, two spaces, a
no-break space) becomes a whitespace token of its own. That token splits
"Nuclear Suppliers\\nGroup" for the phrase matchers and the model alike, so
a block is tokenized as its *folded* text: a run that holds a line break
becomes one space when the paragraph was wrapped at a fixed width, and one
"\\n" (a separator, as before) when it was not (LayoutRules.hard_wrapped);
any other run becomes one space. Outputs keep offsets into the canonical
text (CONTRACT section 2), which stays as it is: a Doc made from a folded
text carries the fold in user_data, and every conversion between the Doc's
character offsets and the text's goes through this module. A block without
such runs is not folded (its Doc has no fold: the two kinds of offsets are
the same).
"""
from __future__ import annotations

import re
from bisect import bisect_right
from typing import Protocol

from spacy.tokens import Doc, Span, Token

FOLD_KEY = "wpx_fold"  # user_data: [[doc offset, shift], ...]: from each doc offset on, text offset = doc offset + shift
OFFSET_KEY = "wpx_offset"  # user_data of a parsed block: where the block starts in its document's text
UNFOLDED_KEY = "wpx_unfolded"  # user_data while extracting: the block's own text, when it was folded

_RUN = re.compile(r"\s{2,}|[^\S ]")  # whitespace other than one plain space (str.isspace, as spaCy's tokenizer reads it)
_LINE_BREAK = re.compile(r"[\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")  # what str.splitlines splits at


class Reading(Protocol):
    same_as: dict[int, str]
    same_as_chars: re.Pattern[str]

    def hard_wrapped(self, paragraph: str) -> bool: ...


def fold(text: str, reading: Reading) -> tuple[str, list[list[int]]]:
    """Return ``text`` with its whitespace runs folded (see the module's docstring), and the shifts that undo it.

    First each character of ``reading.same_as`` is read as the one it maps
    to, one for one ("People’s" as "People's", a zero-width space as a
    space), so the registries' names, written with straight apostrophes,
    are found in curly typography too. The shifts are [doc offset, shift]
    pairs, one per run longer than one character, in order: from that
    offset of the folded text on, the offset in ``text`` is the folded
    offset plus the shift.
    """
    if reading.same_as_chars.search(text):
        text = text.translate(reading.same_as)
    if "  " not in text and text.isprintable():
        return text, []  # the usual paragraph: str.isprintable is false for every whitespace character but the space
    pieces: list[str] = []
    shifts: list[list[int]] = []
    at, shift = 0, 0
    wrapped: bool | None = None  # asked once, at the first line break
    for match in _RUN.finditer(text):
        pieces.append(text[at:match.start()])
        separator = " "
        if _LINE_BREAK.search(match.group()):
            if wrapped is None:
                wrapped = reading.hard_wrapped(text)
            separator = " " if wrapped else "\n"
        pieces.append(separator)
        at = match.end()
        if match.end() - match.start() > 1:
            shift += match.end() - match.start() - 1
            shifts.append([at - shift, shift])
    pieces.append(text[at:])
    return "".join(pieces), shifts


def text_offset(shifts: list[list[int]], at: int) -> int:
    """Return the offset in the block's text of offset ``at`` in its folded text."""
    if not shifts:
        return at
    k = bisect_right(shifts, at, key=_first) - 1
    return at + shifts[k][1] if k >= 0 else at


def doc_offset(shifts: list[list[int]], at: int) -> int:
    """Return the offset in the folded text of offset ``at`` in the block's text (a character, not inside a folded run)."""
    if not shifts:
        return at
    k = bisect_right(shifts, at, key=_text_start) - 1
    return at - shifts[k][1] if k >= 0 else at


def _first(pair: list[int]) -> int:
    return pair[0]


def _text_start(pair: list[int]) -> int:
    return pair[0] + pair[1]


def shifts_of(doc: Doc) -> list[list[int]]:
    """Return the fold of a Doc (empty when it was not folded)."""
    return doc.user_data.get(FOLD_KEY) or []


def idx(token: Token) -> int:
    """Return where ``token`` starts in its block's text (token.idx, unless the block was folded).

    A token never holds a folded run, so it ends ``len(token.text)`` later
    in the text too.
    """
    return text_offset(shifts_of(token.doc), token.idx)


def gap(doc: Doc, i: int) -> str:
    """Return the text between token ``i`` and the next one as the block has it (a tab is a tab, three spaces are three).

    A line break the fold read as a space (a hard-wrapped paragraph) is a space.
    """
    text = doc.user_data.get(UNFOLDED_KEY)
    if text is None:
        return doc[i].whitespace_
    between = text[idx(doc[i]) + len(doc[i].text):idx(doc[i + 1])]
    return " " if doc[i].whitespace_ == " " and _LINE_BREAK.search(between) else between


def char_span(doc: Doc, begin: int, stop: int, **options: str) -> Span | None:
    """Return doc.char_span for offsets ``begin``-``stop`` in the block's text (each at a token's character or between tokens)."""
    shifts = shifts_of(doc)
    first = doc_offset(shifts, begin)
    return doc.char_span(first, doc_offset(shifts, stop - 1) + 1 if stop > begin else first, **options)
