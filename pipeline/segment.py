"""Stage segment: title, boilerplate, sections, paragraphs and sentences -> segments.jsonl.

Sentences come from spaCy's rule-based sentencizer on a blank English
pipeline: fast, deterministic and model-free, so segmenting never waits for
the statistical model. The extract stage hands these boundaries to the
parser, so dependency trees never cross a sentence.
"""
from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import spacy
from spacy.attrs import IS_PUNCT, ORTH
from spacy.language import Language
from spacy.strings import get_string_id
from spacy.tokens import Doc

from .config import Config
from .fold import fold, text_offset
from .layout import classify
from .layout_rules import LayoutRules, Line
from .progress import for_records
from . import lineage
from .records import DOCUMENTS, SEGMENTS, SCHEMA_VERSION, StageResult, check_kind, error_record, read_jsonl, record_id, update_errors, write_jsonl

STAGE = "segment"
CONTENT_KINDS = ("title", "heading", "paragraph")


def sentencizer(config: Config, tokenizer_from: Language | None = None) -> Language:
    """Return a blank English pipeline whose only component is spaCy's sentencizer.

    Its tokenizer is the extraction tokenizer (configs/extraction.toml
    [tokenizer]); with ``tokenizer_from`` it shares that pipeline's vocab and
    tokenizer object, so the paragraph docs it makes can go on to extraction
    without being tokenized twice.
    """
    from .nlp import add_tokenizer_rules

    if tokenizer_from is not None:
        nlp = spacy.blank("en", vocab=tokenizer_from.vocab)
        nlp.tokenizer = tokenizer_from.tokenizer
    else:
        nlp = add_tokenizer_rules(spacy.blank("en"), config)
    nlp.add_pipe("sentencizer", config={"punct_chars": list(config.section("segment")["sentence_punct"])})
    return nlp


@dataclass
class _Section:
    record: dict[str, Any]
    level: int
    last_end: int


def segment_document(doc: dict[str, Any], rules: LayoutRules, nlp: Language, keep_docs: dict[int, tuple[str, Doc]] | None = None,
                     lines: list[Line] | None = None) -> list[dict[str, Any]]:
    """Return the segments of one document record, ordered by (start, kind rank, end).

    ``keep_docs``, when given, receives each paragraph's text and tokenized
    Doc keyed by the paragraph's start offset (for the extract stage of the
    same run); ``lines`` are the document's classified lines when ingest of
    the same run made them already.
    """
    text, doc_id = doc["text"], doc["doc_id"]
    if not lines:
        lines = classify(text, rules, doc.get("boilerplate_spans") or ())
    segments: list[dict[str, Any]] = []
    stack: list[_Section] = []
    paragraph: list[Line] = []
    pending: list[dict[str, Any]] = []  # paragraphs whose sentences are split in one nlp.pipe call below

    def path() -> list[str]:
        return [s.record["section_path"][-1] for s in stack]

    def parent() -> str | None:
        return stack[-1].record["id"] if stack else None

    def flush() -> None:
        if not paragraph:
            return
        start, end = paragraph[0].start, paragraph[-1].end
        para = _segment(doc_id, "paragraph", start, end, text, path(), parent())
        segments.append(para)
        pending.append(para)
        for section in stack:
            section.last_end = end
        paragraph.clear()

    for line in lines:
        if line.kind == "content":
            if paragraph and rules.paragraph_break(text, paragraph[-1], line):
                flush()
            paragraph.append(line)
            continue
        if line.kind == "blank":
            flush()
            continue
        flush()
        if line.kind == "boilerplate":
            record = _segment(doc_id, "boilerplate", line.start, line.end, text, path(), parent())
            record["boilerplate_kind"] = line.subkind
            segments.append(record)
        elif line.kind == "title":
            record = _segment(doc_id, "title", line.start, line.end, text, [], None)
            segments.append(record)
        elif line.kind == "heading":
            level = int(line.subkind or 1)
            while stack and stack[-1].level >= level:
                _close(stack.pop(), text)
            num = (line.group("num") or ("", 0, 0))[0]
            heading = line.group("heading") or (text[line.start:line.end], line.start, line.end)
            section_path = path() + [num]
            record = {
                "schema_version": SCHEMA_VERSION,
                "id": record_id(doc_id, "section", line.start, line.end),
                "doc_id": doc_id,
                "kind": "section",
                "start": line.start,
                "end": line.end,
                "section_path": section_path,
                "heading": heading[0],
                "heading_start": heading[1],
                "heading_end": heading[2],
                "level": level,
                "parent_id": parent(),
            }
            segments.append(record)
            stack.append(_Section(record, level, line.end))
    flush()
    while stack:
        _close(stack.pop(), text)
    segments.extend(_sentences(doc_id, text, pending, nlp, rules, keep_docs))
    return sorted(segments, key=_order)


_KIND_RANK = {"title": 0, "boilerplate": 0, "section": 1, "paragraph": 2, "sentence": 3}


def _order(segment: dict[str, Any]) -> tuple[int, int, int]:
    return (segment["start"], _KIND_RANK[segment["kind"]], -segment["end"])


def _close(section: _Section, text: str) -> None:
    """Stretch a section to the end of its last content (its id stays that of its heading line)."""
    record = section.record
    record["end"] = max(record["end"], section.last_end)


def _segment(doc_id: str, kind: str, start: int, end: int, text: str, section_path: list[str], parent_id: str | None) -> dict[str, Any]:
    return {
        "schema_version": SCHEMA_VERSION,
        "id": record_id(doc_id, kind, start, end),
        "doc_id": doc_id,
        "kind": kind,
        "start": start,
        "end": end,
        "text": text[start:end],
        "section_path": list(section_path),
        "parent_id": parent_id,
    }


class SegmentError(ValueError):
    """A document the segment stage cannot split into blocks the pipeline can take."""


def _sentences(doc_id: str, text: str, paragraphs: list[dict[str, Any]], nlp: Language, rules: LayoutRules,
               keep_docs: dict[int, tuple[str, Doc]] | None = None) -> list[dict[str, Any]]:
    """Split paragraphs into sentence segments, trimmed of whitespace, with one nlp.pipe call."""
    records = []
    punct = frozenset(get_string_id(c) for c in nlp.get_pipe("sentencizer").punct_chars)
    for para in paragraphs:
        start = para["start"]
        if len(para["text"]) > nlp.max_length:
            raise SegmentError(f"the paragraph at characters {start}-{para['end']} is {len(para['text']):,} characters long, more than a block may be "
                               f"({nlp.max_length:,}: the statistical model needs about 1 GB of memory per 100,000 characters of a block); "
                               "break the text into paragraphs (blank lines between them)")
        folded, shifts = fold(para["text"], rules)
        doc = nlp.make_doc(folded)
        if keep_docs is not None:
            keep_docs[start] = (para["text"], doc)
        if not len(doc):
            continue
        # Sentence k runs from its first token to the next sentence's first token;
        # what lies between is whitespace, trimmed below (no Span objects needed).
        bounds = [text_offset(shifts, doc[i].idx) if shifts else doc[i].idx for i in _sentence_starts(doc, punct)] + [len(para["text"])]
        for first, last in zip(bounds, bounds[1:]):
            while first < last and text[start + first].isspace():
                first += 1
            while last > first and text[start + last - 1].isspace():
                last -= 1
            if last > first:
                records.append(_segment(doc_id, "sentence", start + first, start + last, text, para["section_path"], para["id"]))
    return records


def _sentence_starts(doc: Doc, punct_ids: frozenset[int]) -> list[int]:
    """Return the first token of each sentence by spaCy's Sentencizer rule, on string ids.

    The rule of spacy.pipeline.Sentencizer.predict: a sentence ends after a
    run of sentence punctuation, at the first token that is neither
    punctuation nor sentence punctuation. Reading ids instead of Token objects
    makes it several times faster; test_segment checks both agree.
    """
    columns = doc.to_array([ORTH, IS_PUNCT])
    orths = columns[:, 0].tolist()
    marks = [i for i, orth in enumerate(orths) if orth in punct_ids]  # sentence punctuation: where a sentence may end
    starts, n = [0], len(orths)
    if not marks:
        return starts
    puncts = columns[:, 1].tolist()
    after = 0
    for mark in marks:
        if mark < after:
            continue  # inside the punctuation run already read
        after = mark + 1
        while after < n and (puncts[after] or orths[after] in punct_ids):
            after += 1
        if after < n:
            starts.append(after)  # the first token after the run that is no punctuation
    return starts


def run(documents: Path | str, out_dir: Path | str, config: Config, progress: bool = False) -> StageResult:
    """Segment every document of ``documents`` (a documents.jsonl) into ``out_dir/segments.jsonl``, one document in memory at a time.

    ``progress`` draws a progress line on stderr.
    """
    out_dir = Path(out_dir)
    rules = LayoutRules.from_config(config)
    nlp = sentencizer(config)
    result = StageResult()

    bar = for_records("wpx segment", documents, progress)

    read = hashlib.sha256()  # stdin or a pipe, hashed as it is read, for the lineage note

    def segments() -> Iterator[dict[str, Any]]:
        for doc in read_jsonl(documents, read):
            bar.document(doc.get("text") or "")
            try:
                found = segment_document(doc, rules, nlp)
            except Exception as exc:  # one bad document never stops the batch
                result.errors.append(error_record(doc.get("doc_id"), doc.get("source_path"), STAGE, exc))
                continue
            yield from found

    check_kind(documents, DOCUMENTS)
    with bar:
        result.written = write_jsonl(out_dir / SEGMENTS, segments(), before_replace=lambda: update_errors(out_dir, STAGE, result.errors))
    lineage.note(out_dir, (SEGMENTS,), {DOCUMENTS: documents}, {DOCUMENTS: read.hexdigest()})
    return result
