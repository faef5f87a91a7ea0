"""Stage extract: NER plus rule components over content segments -> mentions.jsonl.

Content blocks are the title, section headings and paragraphs (never
boilerplate). Each block becomes one spaCy Doc with the segment stage's
sentence boundaries preset, so the parser respects them. The stage pipes
one document's blocks at a time; the batch engine pipes a chunk's documents
together (``Extractor.process_many``), and a document that breaks that shared
pipe is run again alone, so a failing document fails alone either way.
The parsed blocks are also written to OUT/parses/ (DocBin parts, see
parses.py) for the relate stage, which then needs no second parse.
"""
from __future__ import annotations

import bisect
from collections import defaultdict
from functools import lru_cache
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy
import pycountry
from spacy.attrs import IDX, LENGTH, SENT_START
from spacy.language import Language
from spacy.tokens import Doc

from ..provenance import SourceLocator
from ..components.base import BLOCK_KIND_KEY, META_KEY, REGISTRY_TUPLES_KEY, SPANS_KEY, TEXT_KEY, TOKEN_ATTRS_KEY
from ..components.mentions import MENTION_ROWS_KEY, MENTIONS_KEY, REGISTRY_KEY
from ..config import Config
from ..layout_rules import LayoutRules
from ..nlp import build
from ..normalize.dates import month_numbers, reread_slashed, slashed_order, weekday_names
from ..registry import Registry
from ..progress import for_records
from ..fold import FOLD_KEY, OFFSET_KEY, UNFOLDED_KEY, doc_offset, fold, shifts_of, text_offset
from ..parses import DOC_ID_KEY, PartsWriter
from .. import lineage
from ..records import DOCUMENTS, MENTIONS, PARSES, SCHEMA_VERSION, SEGMENTS, RecordsByDocument, StageResult, atomic_text, check_kind, error_record, read_jsonl, record_id, update_errors, write_lines
from . import acronyms, facilities, places

STAGE = "extract"


@dataclass(frozen=True)
class Block:
    """A content segment to run the pipeline on."""

    start: int
    end: int
    section_path: tuple[str, ...]
    sentence_starts: tuple[int, ...]
    kind: str = "paragraph"  # "title", "heading" or "paragraph"


def content_blocks(segments: list[dict[str, Any]]) -> list[Block]:
    """Return the title, heading and paragraph blocks of one document's segments, in text order."""
    sentences: dict[str, list[int]] = defaultdict(list)
    for seg in segments:
        if seg["kind"] == "sentence":
            sentences[seg["parent_id"]].append(seg["start"])
    blocks = []
    for seg in segments:
        if seg["kind"] == "title":
            blocks.append(Block(seg["start"], seg["end"], (), (seg["start"],), "title"))
        elif seg["kind"] == "section":
            blocks.append(Block(seg["heading_start"], seg["heading_end"], tuple(seg["section_path"]), (seg["heading_start"],), "heading"))
        elif seg["kind"] == "paragraph":
            blocks.append(Block(seg["start"], seg["end"], tuple(seg["section_path"]), tuple(sorted(sentences[seg["id"]]))))
    return sorted(blocks, key=lambda b: b.start)


def make_block_doc(nlp: Language, text: str, block: Block, layout: LayoutRules, tokenized: tuple[str, Doc] | None = None) -> Doc:
    """Tokenize a block (or take ``tokenized``: a text and its Doc) and preset its sentence starts from the segment stage."""
    body = text[block.start:block.end]
    folded, shifts = fold(body, layout)  # tokenized with its whitespace runs folded (fold.py), as the segment stage did
    doc = tokenized[1] if tokenized is not None and tokenized[0] == body else nlp.make_doc(folded)
    if len(doc):
        wanted = {doc_offset(shifts, s - block.start) if shifts else s - block.start for s in block.sentence_starts} | {0}
        flags = [1 if idx in wanted else -1 for idx in doc.to_array(IDX).tolist()]
        doc.from_array([SENT_START], numpy.array(flags, dtype="int64").astype("uint64").reshape(-1, 1))
    doc.user_data[BLOCK_KIND_KEY] = block.kind
    doc.user_data[TEXT_KEY] = folded
    if shifts:
        doc.user_data[FOLD_KEY] = shifts
    if folded != body:
        doc.user_data[UNFOLDED_KEY] = body
    return doc


class Extractor:
    """Run the extraction pipeline over documents and build mention records."""

    def __init__(self, config: Config, ner: bool = True, nlp: Language | None = None) -> None:
        self.config = config
        self.registry = registry = Registry.from_config(config)
        self.nlp = nlp or build(config, ner=ner, registry=registry, span_groups=False)  # records come from the mention rows
        settings = config.toml("extraction.toml")
        self.acronym_settings = acronyms.Settings.from_dict(settings["acronyms"])
        never_towns = [word for heads in settings["names"]["heads"].values() for word in heads]
        never_towns += [word.title() for word in (*month_numbers(), *weekday_names())]
        self.place_settings = places.Settings.from_dict(settings, never_towns)
        self.facilities = facilities.FacilityRules.of(settings["places"].get("facility_nouns", ()), settings["places"]["name_particles"],
                                                      [*never_towns, *settings["places"]["not_towns"], *registry.demonyms])
        self.batch_size = int(config.section("extract").get("batch_size", 64))
        self.curated_places = frozenset(registry.place_patterns.values())
        # Subdivisions are places, like towns, when the document names their country: "in the department of Izabal", "in Christ Church"
        self.subdivisions = places.Towns.of({name: (code.split("-")[0],) for name, code in registry.place_names.items()})
        self.layout = LayoutRules.from_config(config)

    def process(self, document: dict[str, Any], segments: list[dict[str, Any]], tokenized: dict[int, tuple[str, Doc]] | None = None) -> tuple[list[dict[str, Any]], list[Doc]]:
        """Return the mention records and the parsed block docs of one document.

        ``tokenized`` maps block starts to (text, Doc) pairs the segment stage
        already made with this pipeline's tokenizer (see segment.sentencizer).
        """
        blocks, docs = self._block_docs(document, segments, tokenized)
        return self._finish(document, segments, blocks, list(self.nlp.pipe(docs, batch_size=self.batch_size)))

    def process_many(self, items: list[tuple[dict[str, Any], list[dict[str, Any]], dict[int, tuple[str, Doc]] | None]]) -> list[tuple[list[dict[str, Any]], list[Doc]] | Exception]:
        """Return what ``process`` returns for each (document, segments, tokenized), or the exception that document raised.

        The blocks of every document go through one nlp.pipe, so the model's
        batches stay full when documents are short. A block's annotations do
        not depend on the blocks batched with it (test_extract compares), so
        the results are those of one document at a time. When the shared pipe
        raises, each document runs again alone, from fresh docs, so a failing
        document fails alone.
        """
        staged: list[tuple[list[Block], list[Doc]] | Exception] = []
        for document, segments, tokenized in items:
            try:
                staged.append(self._block_docs(document, segments, tokenized))
            except Exception as exc:  # one bad document never stops the others
                staged.append(exc)
        try:
            parsed = iter(list(self.nlp.pipe((doc for one in staged if not isinstance(one, Exception) for doc in one[1]), batch_size=self.batch_size)))
        except Exception:
            return [self._alone(document, segments) for document, segments, _ in items]
        results: list[tuple[list[dict[str, Any]], list[Doc]] | Exception] = []
        for (document, segments, _), one in zip(items, staged):
            if isinstance(one, Exception):
                results.append(one)
                continue
            docs = [next(parsed) for _ in one[1]]
            try:
                results.append(self._finish(document, segments, one[0], docs))
            except Exception as exc:
                results.append(exc)
        return results

    def _alone(self, document: dict[str, Any], segments: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], list[Doc]] | Exception:
        """Process one document by itself (tokenized afresh: the failed shared pipe may have annotated its docs halfway)."""
        try:
            return self.process(document, segments)
        except Exception as exc:
            return exc

    def _block_docs(self, document: dict[str, Any], segments: list[dict[str, Any]], tokenized: dict[int, tuple[str, Doc]] | None) -> tuple[list[Block], list[Doc]]:
        """Return a document's content blocks and their docs, tokenized, with the segment stage's sentence starts, not yet piped."""
        blocks = content_blocks(segments)
        tokenized = tokenized or {}
        return blocks, [make_block_doc(self.nlp, document["text"], b, self.layout, tokenized.get(b.start)) for b in blocks]

    def _finish(self, document: dict[str, Any], segments: list[dict[str, Any]], blocks: list[Block], docs: list[Doc]) -> tuple[list[dict[str, Any]], list[Doc]]:
        """Turn the piped block docs of one document into its mention records; slim the docs for relate."""
        text = document["text"]
        found = []
        for block, doc in zip(blocks, docs):
            rows = doc.user_data.get(MENTION_ROWS_KEY, ())
            if rows:
                offsets = doc.to_array([IDX, LENGTH]).tolist()  # token start and length: character offsets without Span objects
                if shifts := shifts_of(doc):
                    offsets = [[text_offset(shifts, idx), length] for idx, length in offsets]
                for start, end, label, rule, norm in rows:
                    found.append({"start": block.start + offsets[start][0], "end": block.start + offsets[end - 1][0] + offsets[end - 1][1], "label": label, "norm": norm, "rule": rule})
        spans = [(b.start, b.end) for b in blocks]
        found += acronyms.link(text, found, spans, self.acronym_settings)
        named = _named_countries(found)
        found += places.find(text, found, spans, self.place_settings, named, self.registry.place_id, subdivisions=self.subdivisions)
        found += self.facilities.find(text, found, spans)
        _drop_foreign_subdivisions(found, self.curated_places, named)
        _read_slashed_dates(found, text, spans)
        records = self._records(document, segments, blocks, found)
        for block, doc in zip(blocks, docs):
            _slim(doc, document["doc_id"], block.start)
        return records, docs

    def _records(self, document: dict[str, Any], segments: list[dict[str, Any]], blocks: list[Block], found: list[dict[str, Any]]) -> list[dict[str, Any]]:
        text, doc_id = document["text"], document["doc_id"]
        sentences = sorted((s["start"], s["end"], s["id"]) for s in segments if s["kind"] == "sentence")
        starts = [s[0] for s in sentences]
        block_starts = [b.start for b in blocks]
        records = []
        locate = SourceLocator(document)  # the source map indexed once per document, not once per mention
        for m in sorted(found, key=lambda m: (m["start"], m["end"], m["label"])):
            start, end, label = m["start"], m["end"], m["label"]
            block = blocks[bisect.bisect_right(block_starts, start) - 1]
            index = bisect.bisect_right(starts, start) - 1
            sentence_id = sentences[index][2] if index >= 0 and start < sentences[index][1] else None
            rule = m["rule"] or "rules"
            records.append({
                "schema_version": SCHEMA_VERSION,
                "id": record_id(doc_id, "mention", start, end, label),
                "doc_id": doc_id,
                "label": label,
                "text": text[start:end],
                "start": start,
                "end": end,
                "norm": _norm(label, m["norm"]),
                "section_path": list(block.section_path),
                "sentence_id": sentence_id,
                "source": locate(start, end),
                "extractor": rule if rule.startswith("ner:") else f"rule:{rule}",
            })
        return records


def _named_countries(found: list[dict[str, Any]]) -> frozenset[str]:
    """Return the alpha-2 codes of the countries the document names."""
    return frozenset(filter(None, (_alpha2(m["norm"]["id"]) for m in found if m["label"] == "COUNTRY" and (m["norm"] or {}).get("id"))))


def _drop_foreign_subdivisions(found: list[dict[str, Any]], curated: frozenset[str], named: frozenset[str]) -> None:
    """Null a PLACE id found by subdivision name alone when its country is not named in the document.

    "Guadalajara" is a Spanish province's name too; without Spain in the
    text it is the Mexican city. Curated places (configs/registries/places.tsv)
    are trusted as they are.
    """
    for m in found:
        code = (m["norm"] or {}).get("id") if m["label"] == "PLACE" else None
        if code and code not in curated and code.split("-")[0] not in named and m["rule"] != places.CITY_RULE:  # (a big city's id is its own country's)
            m["norm"] = {"id": None}


def _read_slashed_dates(found: list[dict[str, Any]], text: str, blocks: list[tuple[int, int]]) -> None:
    """Date an ambiguous "12/03/2022" (only its year is sure) by the order the document's other slashed dates show ("28/10/2004": day first).

    Only the content blocks tell: a site's footer ("Last updated: 10/28/2023") writes the site's dates, not the paper's.
    """
    if "/" not in text:
        return  # (most documents)
    order = slashed_order("\n".join(text[start:end] for start, end in blocks))
    if order is None:
        return
    for m in found:
        if m["label"] == "DATE" and (value := reread_slashed(text[m["start"]:m["end"]], order)) is not None:
            m["norm"] = {"value": value}


@lru_cache(maxsize=None)
def _alpha2(alpha3: str) -> str | None:
    country = pycountry.countries.get(alpha_3=alpha3)
    return country.alpha_2 if country else None


def _norm(label: str, norm: dict[str, Any] | None) -> dict[str, Any]:
    """Return the contract's norm object for a label (a new dict, with exactly the label's keys)."""
    norm = norm or {}
    if label == "COUNT":
        return {"value": norm.get("value"), "qualifier": norm.get("qualifier", "exact"), "unit": norm.get("unit"), "of": norm.get("of")}
    if label == "DATE":
        return {"value": norm.get("value")}
    return {"id": norm.get("id")}


def _slim(doc: Doc, doc_id: str, offset: int) -> None:
    """Keep only what relate needs in a parsed block: the parse, plus where it came from."""
    for key in (SPANS_KEY, MENTIONS_KEY, REGISTRY_KEY):
        doc.spans.pop(key, None)
    doc.user_data.pop(META_KEY, None)
    doc.user_data.pop(REGISTRY_TUPLES_KEY, None)
    doc.user_data.pop(MENTION_ROWS_KEY, None)
    doc.user_data.pop(TOKEN_ATTRS_KEY, None)
    doc.user_data.pop(BLOCK_KIND_KEY, None)
    doc.user_data.pop(TEXT_KEY, None)
    doc.user_data.pop(UNFOLDED_KEY, None)
    doc.user_data[DOC_ID_KEY] = doc_id
    doc.user_data[OFFSET_KEY] = offset


def iter_results(documents: Path | str, segments: Path | str, config: Config, ner: bool = True, extractor: Extractor | None = None) -> Iterator[tuple[dict[str, Any], list[dict[str, Any]] | None, list[Doc], BaseException | None]]:
    """Yield (document, mentions or None, docs, error) per document, in input order, one document in memory at a time."""
    extractor = extractor or Extractor(config, ner=ner)
    with RecordsByDocument(segments) as by_document:
        for document in read_jsonl(documents):
            try:
                mentions, docs = extractor.process(document, by_document.get(document["doc_id"]))
                yield document, mentions, docs, None
            except Exception as exc:  # one bad document never stops the batch
                yield document, None, [], exc


def run(inputs: tuple[Path | str, Path | str], out_dir: Path | str, config: Config, ner: bool = True, progress: bool = False) -> StageResult:
    """Extract mentions for every document: inputs are (documents.jsonl, segments.jsonl); ``progress`` draws a progress line on stderr.

    Mentions are written as each document is done and the parsed blocks
    go to OUT/parses/ part by part, so memory holds one document (and one
    part of parses), not the corpus. The parses are put in place before
    mentions.jsonl, which make watches.
    """
    documents, segments = inputs
    out_dir = Path(out_dir)
    result = StageResult()
    read = {DOCUMENTS: documents, SEGMENTS: segments}
    for name, path in read.items():
        check_kind(path, name)
    lineage.check(out_dir, read)

    bar = for_records("wpx extract", documents, progress)

    def mentions(parts: PartsWriter) -> Iterator[dict[str, Any]]:
        for document, found, docs, error in iter_results(documents, segments, config, ner=ner):
            bar.document(document.get("text") or "")
            if error is not None:
                result.errors.append(error_record(document.get("doc_id"), document.get("source_path"), STAGE, error))
                continue
            parts.add(document["doc_id"], docs)
            yield from found or []

    with bar, atomic_text(out_dir / MENTIONS, before_replace=lambda: update_errors(out_dir, STAGE, result.errors)) as handle, PartsWriter(out_dir, ner=ner) as parts:
        result.written = write_lines(handle, mentions(parts))
    lineage.note(out_dir, (MENTIONS,), read)
    lineage.note(out_dir, (PARSES,), {**read, MENTIONS: out_dir / MENTIONS})  # written together: another extract's mentions are another mode's too
    return result


__all__ = ["run", "Extractor", "content_blocks", "make_block_doc", "iter_results"]
