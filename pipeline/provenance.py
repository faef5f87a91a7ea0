"""Answer "where in the raw file is this span?" from a document record's source map.

Pure functions over the record ingest wrote, so every later stage (extract
puts the answer in each mention's ``source``) can cite back to the raw file
without re-reading it.

- HTML (``source_map`` runs ``[canon_start, canon_end, file, raw_start,
  raw_end]``): ``{"file": source path, "start": s, "end": e}``, code point
  offsets into that file's decoded text (leading BOM removed). What holds:
  ``fold(unescape(strip_tags(raw[s:e]))) == fold(text[start:end])``, where
  strip_tags removes comments, elements configs/html.toml drops (with their
  content: furniture, and footnote markers such as ``<sup>1</sup>``) and inline tags, and turns block and line-break tags into a space,
  and fold collapses every whitespace run to one space and trims; when
  ``raw[s:e]`` holds no tag this is the contract's ``html.unescape(raw[s:e])``
  equality. ``s`` and ``e`` always fall on text, never inside a tag. A span whose text comes
  from two files (it straddles pages of a multi-page article) or from no file
  at all gives None.
- PDF (runs ``[canon_start, canon_end, page, x0, top, x1, bottom]``, points,
  origin at the page's top-left corner): ``{"page": 1-based, "bbox": [x0,
  top, x1, bottom]}``, the union of the boxes of the words the span touches on
  the page where it starts, inside that page.
- txt (``source_map`` null): None, as the offsets already are the file's.
"""
from __future__ import annotations

from bisect import bisect_right
from typing import Any


def source_for(document: dict[str, Any], start: int, end: int) -> dict[str, Any] | None:
    """Return the raw-file provenance of ``document["text"][start:end]``, or None (see module doc)."""
    return SourceLocator(document)(start, end)


class SourceLocator:
    """Answer source_for for many spans of one document, indexing its source map once."""

    def __init__(self, document: dict[str, Any]) -> None:
        self.document = document
        self.runs = document.get("source_map") or []
        self.starts = [run[0] for run in self.runs]

    def __call__(self, start: int, end: int) -> dict[str, Any] | None:
        if not self.runs or end <= start:
            return None
        touched = _touched(self.runs, start, end, self.starts)
        if not touched:
            return None
        if self.document.get("format") == "pdf":
            return _pdf(touched)
        return _html(self.document, touched, start, end)


def _touched(runs: list[list[Any]], start: int, end: int, starts: list[int]) -> list[list[Any]]:
    """Return the runs overlapping [start, end), in text order (runs are sorted and disjoint; ``starts`` are their starts)."""
    touched = []
    for index in range(max(0, bisect_right(starts, start) - 1), len(runs)):  # by index: a slice copied the rest of the map per mention
        run = runs[index]
        if run[0] >= end:
            break
        if run[1] > start:
            touched.append(run)
    return touched


def _html(document: dict[str, Any], touched: list[list[Any]], start: int, end: int) -> dict[str, Any] | None:
    files = {run[2] for run in touched}
    if len(files) != 1:
        return None
    first, last = touched[0], touched[-1]
    raw_start = first[3] + max(0, start - first[0]) if _char_by_char(first) else first[3]
    raw_end = last[4] - max(0, last[1] - end) if _char_by_char(last) else last[4]
    sources = document.get("source_files") or [{"path": document.get("source_path")}]
    return {"file": sources[first[2]]["path"], "start": raw_start, "end": raw_end}


def _char_by_char(run: list[Any]) -> bool:
    return run[1] - run[0] == run[4] - run[3]


def _pdf(touched: list[list[Any]]) -> dict[str, Any]:
    page = touched[0][2]
    boxes = [run[3:7] for run in touched if run[2] == page]
    bbox = [min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes), max(b[3] for b in boxes)]
    return {"page": page, "bbox": bbox}
