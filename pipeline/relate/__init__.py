"""Stage relate: engagements -> relations.jsonl (rules in finder.py, anaphora.py, clauses.py and configs/relations.toml).

Reads the parse that extract wrote (parses.spacy) and the mentions; the batch
engine calls ``relate_document`` directly with the parsed blocks instead.
"""
from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from typing import Any

import spacy
from spacy.tokens import Doc, DocBin

from ..config import Config
from ..records import DOCUMENTS, MENTIONS, RELATIONS, SEGMENTS, StageResult, error_record, read_jsonl, update_errors, write_jsonl
from .finder import relate_document
from .rules import Rules

STAGE = "relate"
PARSES = "parses.spacy"

__all__ = ["run", "load_parses", "relate_document", "Rules", "STAGE", "PARSES"]


def load_parses(path: Path | str) -> dict[str, list[Doc]]:
    """Read parses.spacy into the parsed blocks of each document, in text order."""
    docs: dict[str, list[Doc]] = defaultdict(list)
    vocab = spacy.blank("en").vocab  # English lexical attributes (lower_, like_num) for the loaded tokens
    for doc in DocBin(store_user_data=True).from_bytes(Path(path).read_bytes()).get_docs(vocab):
        docs[doc.user_data["wpx_doc_id"]].append(doc)
    return {k: sorted(v, key=lambda d: d.user_data["wpx_offset"]) for k, v in docs.items()}


def run(out_dir: Path | str, config: Config) -> StageResult:
    """Find engagements for every document of ``out_dir`` (documents, segments, mentions, parses)."""
    out_dir = Path(out_dir)
    rules = Rules.from_config(config)
    parses = load_parses(out_dir / PARSES)
    segments: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for seg in read_jsonl(out_dir / SEGMENTS):
        segments[seg["doc_id"]].append(seg)
    mentions: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for m in read_jsonl(out_dir / MENTIONS):
        mentions[m["doc_id"]].append(m)
    result = StageResult()
    relations: list[dict[str, Any]] = []
    for document in read_jsonl(out_dir / DOCUMENTS):
        doc_id = document["doc_id"]
        if doc_id not in parses:
            continue  # failed earlier; its error is already recorded
        try:
            relations.extend(relate_document(document, segments[doc_id], mentions[doc_id], parses[doc_id], rules))
        except Exception as exc:  # one bad document never stops the batch
            result.errors.append(error_record(doc_id, document.get("source_path"), STAGE, exc))
    result.written = write_jsonl(out_dir / RELATIONS, relations)
    update_errors(out_dir, STAGE, result.errors)
    return result
