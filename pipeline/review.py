"""Render one document as a self-contained HTML page for checking the extraction by eye.

Mentions are drawn like displaCy's "span" style (a coloured bar per mention
under the text, stacked when mentions overlap, the label name at the start),
but over character offsets and with the original whitespace, so every mention
shows exactly where its offsets say. Hovering shows the normalized id or value.
"""
from __future__ import annotations

import html
import re
from collections.abc import Iterable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from string import Template
from typing import Any

from .card import labels
from .schemas import Fields, check_found
from .names import Names
from .records import DOCUMENTS, MENTIONS, RELATIONS, SEGMENTS, read_document

# Geometry of the bars, in em of the text (displaCy's span style uses the same scheme).
TOP, STEP = 1.45, 1.2
DEFAULT_COLOR = "#dddddd"
TOKENS = re.compile(r"\n+|[^\S\n]+|[^\s]+")


class UnknownDocument(LookupError):
    """The requested doc_id is not in documents.jsonl."""


@dataclass
class Placed:
    """One mention with its index on the page and its vertical slot (1 = closest to the text)."""

    index: int
    record: dict[str, Any]
    slot: int = 1


# What the page reads of each file's records: a record without one of these fields (or with one of the
# wrong type) is named by file and line (records.BadRecord), not a KeyError.
FIELDS = {
    DOCUMENTS: Fields(DOCUMENTS, ("doc_id", "text"), ("title",)),
    SEGMENTS: Fields(SEGMENTS, ("start", "end"), ("kind", "heading", "heading_end", "section_path"),
                     extra={"if": {"required": ["kind"], "properties": {"kind": {"const": "section"}}}, "then": {"required": ["heading_end"]}}),
    MENTIONS: Fields(MENTIONS, ("start", "end", "label", "text"), ("id", "norm")),
    RELATIONS: Fields(RELATIONS, (), ("activity", "actor", "counterparts", "counterpart_mentions", "count", "dates", "places", "evidence")),
}


def _records(path: Path, doc_id: str) -> list[dict[str, Any]]:
    return check_found(path, list(read_document(path, doc_id)), FIELDS[path.name]) if path.exists() else []


def assign_slots(mentions: Iterable[dict[str, Any]]) -> list[Placed]:
    """Give each mention the lowest slot free of every overlapping mention placed before it."""
    ordered = sorted(mentions, key=lambda m: (m["start"], -(m["end"] - m["start"]), m["label"], m.get("id", "")))
    placed: list[Placed] = []
    for index, mention in enumerate(ordered):
        taken = {p.slot for p in placed if p.record["start"] < mention["end"] and mention["start"] < p.record["end"]}
        slot = next(s for s in range(1, len(taken) + 2) if s not in taken)
        placed.append(Placed(index, mention, slot))
    return placed


def describe(mention: dict[str, Any], names: Names) -> str:
    """Return the hover text of a mention: label, text and its normalization."""
    norm = mention.get("norm") or {}
    if mention["label"] == "COUNT":
        detail = f"{norm.get('value')} {norm.get('qualifier')}, unit {norm.get('unit')}, of {norm.get('of')}"
    elif "value" in norm:
        detail = f"value {norm.get('value')}"
    else:
        entity = norm.get("id")
        name = names.name(mention["label"], entity, [mention["text"]])[0] if entity else None
        detail = f"id {entity}" + (f" ({name})" if name and name != mention["text"] else "")
    return f"{mention['label']}: {mention['text']} -> {detail}"


def _zones(segments: list[dict[str, Any]]) -> list[tuple[int, int, str, str]]:
    """Return (start, end, css class, anchor id) for the title, boilerplate blocks and section headings."""
    zones = []
    for number, segment in enumerate(s for s in segments if s.get("kind") == "section"):
        zones.append((segment["start"], segment["heading_end"], "wpx-heading", f"sec-{number}"))
    for segment in segments:
        if segment.get("kind") in ("title", "boilerplate"):
            zones.append((segment["start"], segment["end"], f"wpx-{segment['kind']}", ""))
    return sorted(zones)


def _pieces(text: str, placed: list[Placed], zones: list[tuple[int, int, str, str]]) -> list[tuple[int, int]]:
    """Cut the text at every mention and zone boundary, and at whitespace inside mentions."""
    cuts = {0, len(text)}
    for p in placed:
        cuts.update((p.record["start"], p.record["end"]))
        cuts.update(p.record["start"] + m.start() for m in TOKENS.finditer(text[p.record["start"]:p.record["end"]]))
    for start, end, _, _ in zones:
        cuts.update((start, end))
    points = sorted(c for c in cuts if 0 <= c <= len(text))
    return list(zip(points, points[1:]))


def _mention_piece(text: str, start: int, end: int, covering: list[Placed], names: Names) -> str:
    colors = labels()
    height = TOP + STEP * max(p.slot for p in covering)
    parts = [f'<span class="wpx-t">{html.escape(text[start:end])}</span>']
    for p in sorted(covering, key=lambda p: p.slot):
        color = colors.get(p.record["label"], {}).get("color", DEFAULT_COLOR)
        top = round(TOP + STEP * (p.slot - 1), 2)
        label = ""
        if p.record["start"] == start:
            label = (
                f'<span class="wpx-label" style="background: {color}" data-mention-index="{p.index}" '
                f'data-mention-id="{html.escape(p.record.get("id", ""))}" data-label="{html.escape(p.record["label"])}" '
                f'title="{html.escape(describe(p.record, names))}">{html.escape(p.record["label"])}</span>'
            )
        parts.append(f'<span class="wpx-bar{" wpx-start" if label else ""}" style="background: {color}; top: {top}em">{label}</span>')
    hover = "&#10;".join(html.escape(describe(p.record, names)) for p in covering)
    indices = " ".join(str(p.index) for p in covering)
    return f'<span class="wpx-m" data-m="{indices}" title="{hover}" style="height: {round(height, 2)}em">{"".join(parts)}</span>'


def render_body(text: str, mentions: list[dict[str, Any]], segments: list[dict[str, Any]], names: Names) -> str:
    """Return the document's text as HTML with every mention drawn and headings marked."""
    placed = assign_slots(mentions)
    zones = _zones(segments)
    starts = {z[0]: z for z in zones}
    ends = {z[1] for z in zones}
    out = []
    for start, end in _pieces(text, placed, zones):
        if start in starts:
            _, _, css, anchor = starts[start]
            out.append(f'<span class="{css}"' + (f' id="{anchor}"' if anchor else "") + ">")
        covering = [p for p in placed if p.record["start"] <= start and end <= p.record["end"]]
        if covering and "\n" not in text[start:end]:
            out.append(_mention_piece(text, start, end, covering, names))
        else:
            out.append(html.escape(text[start:end]))
        if end in ends:
            out.append("</span>")
    return "".join(out)


def _engagements(relations: list[dict[str, Any]], mentions: list[dict[str, Any]], names: Names) -> str:
    if not relations:
        return "<p>No engagements.</p>"
    by_id = {m.get("id"): m for m in mentions}

    def entity(entity_id: str | None, mention_id: str | None = None) -> str:
        if entity_id is None:
            return ""
        mention = by_id.get(mention_id) or {}
        name = names.name(mention.get("label"), entity_id, [mention["text"]] if mention else [])[0]
        return html.escape(f"{name} ({entity_id})" if name and name != entity_id else entity_id)

    rows = []
    for r in relations:
        links = {c.get("id"): c.get("mention_id") for c in r.get("counterpart_mentions") or []}
        count = r.get("count") or {}
        cells = [
            html.escape(str(r.get("activity"))), entity(r.get("actor")),
            ", ".join(entity(c, links.get(c)) for c in r.get("counterparts") or []),
            html.escape(f"{count.get('value')} ({count.get('qualifier')})") if count else "",
            html.escape(", ".join(r.get("dates") or [])), html.escape(", ".join(r.get("places") or [])),
            html.escape(str(r.get("evidence"))),
        ]
        rows.append("<tr>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>")
    head = "".join(f"<th>{h}</th>" for h in ("activity", "actor", "counterparts", "count", "dates", "places", "evidence"))
    return f'<table id="wpx-engagements"><thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table>'


def render(out_dir: Path | str, doc_id: str, configs: Path | str | None = None) -> str:
    """Return the review page of ``doc_id`` from the records in ``out_dir``."""
    out_dir = Path(out_dir)
    document = next(read_document(out_dir / DOCUMENTS, doc_id), None)
    if document is None:
        raise UnknownDocument(f"{doc_id!r} is not in {out_dir / DOCUMENTS}")
    check_found(out_dir / DOCUMENTS, [document], FIELDS[DOCUMENTS])
    names = Names(configs)
    segments = _records(out_dir / SEGMENTS, doc_id)
    mentions = _records(out_dir / MENTIONS, doc_id)
    relations = _records(out_dir / RELATIONS, doc_id)
    meta_fields = ("doc_id", "source_path", "publisher", "published", "sha256", "pipeline_version", "config_hash")
    meta = "<dl>" + "".join(f"<dt>{f}</dt><dd>{html.escape(str(document.get(f) or ''))}</dd>" for f in meta_fields) + "</dl>"
    sections = [s for s in segments if s.get("kind") == "section"]
    toc = "<ol>" + "".join(
        f'<li><a href="#sec-{n}">{html.escape(" ".join(s.get("section_path") or []))} {html.escape(s.get("heading", ""))}</a></li>'
        for n, s in enumerate(sections)
    ) + "</ol>" if sections else "<p>No sections.</p>"
    counts = {label: sum(1 for m in mentions if m["label"] == label) for label in labels()}
    legend = "".join(f'<span style="background: {info["color"]}" title="{html.escape(info["definition"])}">{label} {counts[label]}</span>' for label, info in labels().items())
    template = Template(resources.files("pipeline.data").joinpath("review.html").read_text(encoding="utf-8"))
    title = document.get("title") or doc_id
    return template.substitute(
        page_title=html.escape(f"wpx review: {title}"), title=html.escape(title), meta=meta, toc=toc, legend=legend,
        body=render_body(document["text"], mentions, segments, names), engagements=_engagements(relations, mentions, names),
    )


def default_path(out_dir: Path | str, doc_id: str) -> Path:
    """Return where the page goes by default: OUT_DIR/review/<doc_id>.html."""
    return Path(out_dir) / "review" / f"{doc_id}.html"


def write_review(out_dir: Path | str, doc_id: str, dest: Path | str | None = None, configs: Path | str | None = None) -> Path:
    """Write the review page of ``doc_id`` and return its path."""
    page = render(out_dir, doc_id, configs)
    path = Path(dest) if dest is not None else default_path(out_dir, doc_id)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(page, encoding="utf-8", newline="\n")
    return path
