"""Turn a PDF's text layer into canonical text plus a word-box map back to its pages.

pdfplumber (MIT, on pdfminer.six) gives every word with its box, so each
canonical character keeps the page and box it was printed in. Lines of one
paragraph are unwrapped with a space (so sentences read as in the .txt
scrapes), a hard line break stays a newline, paragraphs are separated by a
blank line, and a word hyphenated across a line break is joined. Running
headers, footers and page numbers are kept as their own paragraphs, placed
after the paragraph they interrupt, and listed in ``boilerplate_spans`` so
segment labels them boilerplate. Thresholds live in configs/pdf.toml.
"""
from __future__ import annotations

import io
import math
import re
import statistics
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import pdfplumber
from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect

from ..config import Config, ConfigError, compile_regex
from .sourcemap import Extracted
from .txt import IngestError

_HYPHENATED = re.compile(r"[^\W\d_]-$")
_TAIL = re.compile(r"[^\W\d_]+")


@dataclass(frozen=True)
class PdfRules:
    x_tolerance: float
    y_tolerance: float
    line_tolerance: float
    gap_ratio: float
    usual_gap_max: float
    indent: float
    wrap_slack: float
    keep_prefixes: frozenset[str]
    keep_by_default: bool
    drop_after_capital: bool
    compound_tails: frozenset[str]
    top_zone: float
    bottom_zone: float
    min_pages: int
    page_number: tuple[re.Pattern[str], ...]

    @classmethod
    def from_config(cls, config: Config) -> PdfRules:
        """Read configs/pdf.toml (named by [ingest] pdf_rules), naming the file and key on error."""
        data, where = config.named_toml("ingest", "pdf_rules")
        try:
            words, paras, hyph, furn = data["words"], data["paragraphs"], data["hyphenation"], data["furniture"]
            return cls(
                x_tolerance=_number(words, "x_tolerance", where), y_tolerance=_number(words, "y_tolerance", where),
                line_tolerance=_number(words, "line_tolerance", where), gap_ratio=_number(paras, "gap_ratio", where),
                usual_gap_max=_number(paras, "usual_gap_max", where),
                indent=_number(paras, "indent", where), wrap_slack=_number(paras, "wrap_slack", where),
                keep_prefixes=frozenset(p.lower() for p in hyph["keep_prefixes"]), keep_by_default=bool(hyph["keep_by_default"]),
                drop_after_capital=bool(hyph["drop_after_capital"]),
                compound_tails=frozenset(t.lower() for t in hyph["compound_tails"]),
                top_zone=_number(furn, "top_zone", where), bottom_zone=_number(furn, "bottom_zone", where),
                min_pages=int(furn["min_pages"]),
                page_number=tuple(compile_regex(p, f"{where} [furniture] page_number #{i}") for i, p in enumerate(furn["page_number"], 1)),
            )
        except KeyError as exc:
            raise ConfigError(f"{where}: missing key {exc}") from None


def _number(table: dict[str, Any], key: str, where: str) -> float:
    value = table[key]
    if not isinstance(value, (int, float)) or isinstance(value, bool) or value < 0:
        raise ConfigError(f"{where}: {key} must be a non-negative number, got {value!r}")
    return float(value)


@dataclass
class _Line:
    page: int
    words: list[dict[str, Any]]
    furniture: str | None = None

    @property
    def top(self) -> float:
        return min(w["top"] for w in self.words)

    @property
    def bottom(self) -> float:
        return max(w["bottom"] for w in self.words)

    @property
    def x0(self) -> float:
        return self.words[0]["x0"]

    @property
    def x1(self) -> float:
        return self.words[-1]["x1"]

    @property
    def text(self) -> str:
        return " ".join(w["text"] for w in self.words)


@dataclass
class _Page:
    number: int
    width: float
    height: float
    lines: list[_Line] = field(default_factory=list)


def read_pdf(raw: bytes, rules: PdfRules) -> Extracted:
    """Extract a PDF's text layer; encrypted, corrupt and text-less PDFs are IngestErrors."""
    pages, title = _open(raw, rules)
    flagged = [f"page {p.number} has no text layer (a scanned image?); its content is missing" for p in pages if not p.lines]
    if len(flagged) == len(pages):
        raise IngestError(f"no text layer on any of its {len(pages)} page(s): a scanned PDF? (OCR is not done)")
    _mark_furniture(pages, rules)
    text, runs, spans = _compose(pages, rules)
    return Extracted(
        text=text, source_map=runs, encoding="pdf", flagged=flagged, meta={"title": title, "publisher": None, "published": None},
        boilerplate_spans=spans, pages=[{"page": p.number, "width": p.width, "height": p.height} for p in pages],
    )


def _open(raw: bytes, rules: PdfRules) -> tuple[list[_Page], str | None]:
    try:
        with pdfplumber.open(io.BytesIO(raw)) as pdf:
            pages = [_page(i, page, rules) for i, page in enumerate(pdf.pages, 1)]
            title = pdf.metadata.get("Title")
    except Exception as exc:  # pdfminer raises many types for bad files; all mean "unreadable"
        if _encrypted(exc):
            raise IngestError("encrypted PDF: it needs a password to be read") from None
        raise IngestError(f"corrupt or unreadable PDF ({type(exc).__name__}: {str(exc)[:120] or 'no detail'})") from None
    if not pages:
        raise IngestError("corrupt or unreadable PDF (no pages)")
    return pages, title.strip() if isinstance(title, str) and title.strip() else None


def _page(number: int, page: Any, rules: PdfRules) -> _Page:
    """Read one pdfplumber page's lines, then free its cached characters and layout.

    pdfplumber keeps every page object, with its caches, until the file is
    closed: about 13 KB per word of the whole PDF (1.9 GB for 147,000 words).
    """
    try:
        return _Page(number, float(page.width), float(page.height), _lines(page, number, rules))
    finally:
        page.close()


def _encrypted(exc: BaseException | None) -> bool:
    seen = 0
    while exc is not None and seen < 5:
        if isinstance(exc, (PDFPasswordIncorrect, PDFEncryptionError)) or any(isinstance(a, (PDFPasswordIncorrect, PDFEncryptionError)) for a in exc.args):
            return True
        exc, seen = exc.__cause__ or exc.__context__, seen + 1
    return False


def _lines(page: Any, number: int, rules: PdfRules) -> list[_Line]:
    words = page.extract_words(x_tolerance=rules.x_tolerance, y_tolerance=rules.y_tolerance, keep_blank_chars=False)
    lines: list[_Line] = []
    for word in sorted(words, key=lambda w: (round(w["top"], 1), w["x0"])):
        box = {"text": word["text"], "x0": _clip(word["x0"], page.width, math.floor), "top": _clip(word["top"], page.height, math.floor),
               "x1": _clip(word["x1"], page.width, math.ceil), "bottom": _clip(word["bottom"], page.height, math.ceil)}
        if lines and abs(lines[-1].words[0]["top"] - box["top"]) <= rules.line_tolerance:
            lines[-1].words.append(box)
        else:
            lines.append(_Line(number, [box]))
    for line in lines:
        line.words.sort(key=lambda w: w["x0"])
    return lines


def _clip(value: float, limit: float, towards: Any) -> float:
    """Round outwards to 1/100 point (so the box still holds the glyphs), inside the page."""
    return min(max(towards(float(value) * 100) / 100, 0.0), math.floor(float(limit) * 100) / 100)


def _mark_furniture(pages: list[_Page], rules: PdfRules) -> None:
    """Mark running headers/footers (repeated in a page's top/bottom zone) and page numbers."""
    def zone(page: _Page, line: _Line) -> str | None:
        if line.bottom <= page.height * rules.top_zone:
            return "running_header"
        if line.top >= page.height * (1 - rules.bottom_zone):
            return "running_footer"
        return None

    def key(line: _Line) -> str:
        return re.sub(r"\d+", "#", line.text.lower())

    seen = {(zone(p, l), key(l), p.number) for p in pages for l in p.lines}
    counts = Counter((z, k) for z, k, _ in seen if z)
    needed = min(rules.min_pages, len(pages))
    for page in pages:
        for line in page.lines:
            where = zone(page, line)
            if where is None:
                continue
            if any(p.fullmatch(line.text) for p in rules.page_number):
                line.furniture = "page_number"
            elif len(pages) > 1 and counts[(where, key(line))] >= needed:
                line.furniture = where


def _compose(pages: list[_Page], rules: PdfRules) -> tuple[str, list[list[Any]], list[list[Any]]]:
    """Lay the body lines out as paragraphs, furniture after the paragraph it interrupts."""
    body = [(p, l) for p in pages for l in p.lines if not l.furniture]
    if not body:
        raise IngestError("no article text: every line of the PDF is a running header, footer or page number")
    heights = [l.bottom - l.top for _, l in body]
    line_height = statistics.median(heights)
    gaps = [b.top - a.bottom for (pa, a), (pb, b) in zip(body, body[1:]) if pa is pb and b.top > a.bottom - line_height / 2]
    usual_gap = min(statistics.median(gaps) if gaps else 0.0, rules.usual_gap_max * line_height)
    margins = _Margins(left=min(l.x0 for _, l in body), right=max(l.x1 for _, l in body), line_height=line_height, usual_gap=usual_gap,
                       space=statistics.median([b["x0"] - a["x1"] for _, l in body for a, b in zip(l.words, l.words[1:])] or [line_height / 4]))
    vocabulary = {w["text"].strip(".,;:()\"'").lower() for _, l in body for w in l.words}

    parts: list[str] = []
    runs: list[list[Any]] = []
    spans: list[list[Any]] = []
    length = 0

    def add(text: str, box: tuple[Any, ...] | None = None) -> None:
        nonlocal length
        parts.append(text)
        if box is not None:
            runs.append([length, length + len(text), *box])
        length += len(text)

    def add_line(line: _Line, drop_last_hyphen: bool) -> None:
        for i, word in enumerate(line.words):
            if i:
                add(" ")
            text = word["text"]
            if drop_last_hyphen and i == len(line.words) - 1:
                text = text[:-1]
            add(text, (line.page, word["x0"], word["top"], word["x1"], word["bottom"]))

    furniture = sorted((l for p in pages for l in p.lines if l.furniture), key=lambda l: (l.page, l.top))
    queued = 0  # furniture[:queued] is placed or waiting; furniture[placed:queued] waits for a paragraph break
    placed = 0

    def place(upto: int) -> None:
        nonlocal placed
        for line in furniture[placed:upto]:
            add("\n\n")
            spans.append([length, length + len(line.text), line.furniture])
            add_line(line, False)
        placed = upto

    for index, (page, line) in enumerate(body):
        while queued < len(furniture) and (furniture[queued].page, furniture[queued].top) < (line.page, line.top):
            queued += 1
        if index:
            prev_page, prev = body[index - 1]
            sep = _separator(prev_page, prev, page, line, rules, margins)
            if sep == "\n\n":
                place(queued)
            add(sep)
        following = body[index + 1] if index + 1 < len(body) else None
        drop = following is not None and _hyphen_join(line, following[1], rules, vocabulary) == "drop" \
            and _separator(page, line, following[0], following[1], rules, margins) == ""
        add_line(line, drop)
    place(len(furniture))
    return "".join(parts), runs, spans


@dataclass(frozen=True)
class _Margins:
    """The body text's measures: left and right margin, usual line height, line gap and word space."""

    left: float
    right: float
    line_height: float
    usual_gap: float
    space: float


def _separator(prev_page: _Page, prev: _Line, page: _Page, line: _Line, rules: PdfRules, m: _Margins) -> str:
    """Return what stands between two body lines: "" (hyphenated word), " " (wrap), "\\n" or "\\n\\n"."""
    if line.x0 > m.left + rules.indent and prev.x0 <= m.left + rules.indent:
        return "\n\n"  # a first-line indent
    height = max(prev.bottom - prev.top, line.bottom - line.top)
    if prev_page is page and line.top - prev.bottom > m.usual_gap * height / m.line_height + rules.gap_ratio * height:
        return "\n\n"
    first = line.words[0]
    if _HYPHENATED.search(prev.words[-1]["text"]) and first["text"][:1].islower():
        return ""
    if prev.x1 + m.space + (first["x1"] - first["x0"]) > m.right + rules.wrap_slack:
        return " "  # the next word did not fit: the line wrapped
    return "\n" if prev_page is page else "\n\n"


def _participle(tail: str) -> bool:
    """Return whether a line's first word reads as a participle ("owned", "hosted", "speaking"), not the end of a broken word ("ted", "jing")."""
    return len(tail) >= 5 and tail.endswith(("ed", "ing"))


def _hyphen_join(prev: _Line, line: _Line, rules: PdfRules, vocabulary: set[str]) -> str | None:
    """Decide whether a line-final hyphen before a lower-case continuation is kept or dropped."""
    last, first = prev.words[-1]["text"], line.words[0]["text"]
    if not (_HYPHENATED.search(last) and first[:1].islower()):
        return None
    word = re.split(r"[^\w-]", last[:-1])[-1]
    head = word.lower()
    tail_match = _TAIL.match(first)
    tail = tail_match.group(0).lower() if tail_match else ""
    if f"{head}-{tail}" in vocabulary:
        return "keep"
    if head + tail in vocabulary:
        return "drop"
    if head.split("-")[-1] in rules.keep_prefixes:
        return "keep"
    part = word.split("-")[-1]
    if rules.drop_after_capital and part[:1].isupper() and not part.isupper() and not _participle(tail) and tail not in rules.compound_tails:
        return "drop"  # "Wassen-" / "aar", "Kazakh-" / "stan": a capitalized word went on, no compound began
    return "keep" if rules.keep_by_default else "drop"
