"""Build a canonical text together with its source map, one appended piece at a time.

HTML and PDF readers both produce text in small pieces (a text node, an
entity, a word); this module keeps, for every piece, where it came from, so
that provenance.source_for can answer for any span later. Separators the
reader makes up (paragraph breaks, joins of wrapped lines) have no source.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class Extracted:
    """What a format reader hands to ingest: canonical text, its source map and what it learned."""

    text: str
    source_map: list[list[Any]]
    encoding: str
    encoding_fallback: bool = False
    warnings: list[str] = field(default_factory=list)  # recorded on the document
    flagged: list[str] = field(default_factory=list)  # bad input: also reported in errors.jsonl
    meta: dict[str, str | None] = field(default_factory=dict)  # from markup / PDF info, text wins
    boilerplate_spans: list[list[Any]] = field(default_factory=list)  # [start, end, kind]
    pages: list[dict[str, Any]] | None = None


class RawRuns:
    """Accumulate text whose pieces come from spans of a decoded raw file.

    A run ``[canon_start, canon_end, file, raw_start, raw_end]`` maps character
    by character when both lengths are equal, else as one indivisible unit (an
    entity, a folded whitespace run).
    """

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.runs: list[list[int]] = []
        self.length = 0
        self.tail = ""

    def add(self, text: str, file: int | None = None, raw_start: int = 0, raw_end: int = 0) -> None:
        """Append ``text``; with a ``file`` it came from raw[raw_start:raw_end] of that file."""
        if not text:
            return
        start = self.length
        self.parts.append(text)
        self.length += len(text)
        self.tail = (self.tail + text)[-2:]
        if file is None:
            return
        run = [start, self.length, file, raw_start, raw_end]
        last = self.runs[-1] if self.runs else None
        if (last and last[1] == start and last[2] == file and last[4] == raw_start
                and last[1] - last[0] == last[4] - last[3] and len(text) == raw_end - raw_start):
            last[1], last[4] = self.length, raw_end
        else:
            self.runs.append(run)

    def extend(self, other: RawRuns) -> None:
        """Append another builder's text and runs, shifting its offsets."""
        shift = self.length
        self.parts.extend(other.parts)
        self.length += other.length
        self.tail = (self.tail + other.tail)[-2:]
        self.runs.extend([r[0] + shift, r[1] + shift, *r[2:]] for r in other.runs)

    @property
    def text(self) -> str:
        return "".join(self.parts)
