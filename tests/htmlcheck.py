"""The raw-slice check of pipeline/provenance.py, written independently of the HTML reader."""
from __future__ import annotations

import html
import re

_COMMENT = re.compile(r"<!--.*?-->", re.S)
_TAG = re.compile(r"</?([A-Za-z][A-Za-z0-9]*)\b[^>]*>")
_MARKER = re.compile(r"<sup\b[^>]*>\s*(?:\[?\d{1,3}\]?|[*†‡§¶]+)\s*</sup>", re.I)  # a footnote marker, dropped with its content


def fold(text: str) -> str:
    """Collapse every whitespace run (U+00A0 included) to one space and trim."""
    return " ".join(text.split())


def raw_text(raw: str, blocks: frozenset[str]) -> str:
    """Remove comments, footnote markers and inline tags, turn block and <br> tags into a space, unescape."""
    text = _MARKER.sub("", _COMMENT.sub("", raw))
    text = _TAG.sub(lambda m: " " if m.group(1).lower() in blocks else "", text)
    return html.unescape(text)


def slice_matches(document: dict, source: dict, start: int, end: int, raws: dict[str, str], blocks: frozenset[str]) -> bool:
    """True when the raw slice named by ``source`` reads as text[start:end] (whitespace folded)."""
    raw = raws[source["file"]]
    return fold(raw_text(raw[source["start"]:source["end"]], blocks)) == fold(document["text"][start:end])
