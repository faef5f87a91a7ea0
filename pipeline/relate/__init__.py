"""Stage relate: engagements -> relations.jsonl (rules in finder.py, anaphora.py, clauses.py and configs/relations.toml).

Reads the parse that extract wrote (OUT/parses/, see parses.py) and the mentions; the batch
engine calls ``relate_document`` directly with the parsed blocks instead.
"""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ..config import Config
from ..parses import PartsReader
from ..progress import for_records
from ..records import DOCUMENTS, MENTIONS, RELATIONS, SEGMENTS, RecordsByDocument, StageResult, error_record, read_jsonl, update_errors, write_jsonl
from .finder import relate_document
from .rules import Rules

STAGE = "relate"

__all__ = ["run", "relate_document", "Rules", "STAGE"]


def run(out_dir: Path | str, config: Config, progress: bool = False) -> StageResult:
    """Find engagements for every document of ``out_dir`` (documents, segments, mentions, parses), one document in memory at a time.

    ``progress`` draws a progress line on stderr.
    """
    out_dir = Path(out_dir)
    rules = Rules.from_config(config)
    parses = PartsReader(out_dir)
    result = StageResult()

    bar = for_records("wpx relate", out_dir / DOCUMENTS, progress)

    for name in (SEGMENTS, MENTIONS):  # read only when a document is related, but required as before
        if not (out_dir / name).is_file():
            raise FileNotFoundError(2, "No such file or directory", str(out_dir / name))
    indexes: dict[str, RecordsByDocument] = {}

    def by_document(name: str) -> RecordsByDocument:
        """Index segments or mentions on first need: a folder extracted rules-only never reads them."""
        if name not in indexes:
            indexes[name] = RecordsByDocument(out_dir / name)
        return indexes[name]

    def relations() -> Iterator[dict[str, Any]]:
        for document in read_jsonl(out_dir / DOCUMENTS):
            bar.document(document.get("text") or "")
            doc_id = document["doc_id"]
            if doc_id not in parses:
                continue  # failed earlier; its error is already recorded
            if not parses.ner:  # extracted rules-only (--no-ner): no engagements, as in `wpx run --no-ner`
                result.skipped += 1
                continue
            docs = parses.get(doc_id)  # a damaged part stops the command (BrokenParses): it is no document's fault
            segments, mentions = by_document(SEGMENTS).get(doc_id), by_document(MENTIONS).get(doc_id)  # a bad line stops the command (BadRecord)
            try:
                found = relate_document(document, segments, mentions, docs, rules)
            except Exception as exc:  # one bad document never stops the batch
                result.errors.append(error_record(doc_id, document.get("source_path"), STAGE, exc))
                continue
            yield from found

    try:
        result.written = write_jsonl(out_dir / RELATIONS, relations())
    finally:
        bar.close()
        for index in indexes.values():
            index.close()
    update_errors(out_dir, STAGE, result.errors)
    return result
