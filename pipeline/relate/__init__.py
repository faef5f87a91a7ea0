"""Stage relate: engagements -> relations.jsonl (rules in document.py, finder.py, anaphora.py, clauses.py and configs/relations.toml).

Reads the parse that extract wrote (OUT/parses/, see parses.py) and the mentions; the batch
engine calls ``relate_document`` directly with the parsed blocks instead.
"""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ..config import Config
from ..parses import PartsReader
from ..progress import Progress, for_records
from .. import lineage
from ..records import DOCUMENTS, MENTIONS, PARSES, RELATIONS, SEGMENTS, RecordsByDocument, StageResult, check_kind, error_record, read_jsonl, update_errors, write_jsonl
from .document import relate_document
from .rules import Rules

STAGE = "relate"

__all__ = ["run", "relate_document", "Rules", "STAGE"]


def run(out_dir: Path | str, config: Config, progress: bool = False) -> StageResult:
    """Find engagements for every document of ``out_dir`` (documents, segments, mentions, parses), one document in memory at a time.

    ``progress`` draws a progress line on stderr.
    """
    out_dir = Path(out_dir)
    rules = Rules.from_config(config)
    read = {name: out_dir / name for name in (DOCUMENTS, SEGMENTS, MENTIONS)}
    for name, path in read.items():
        check_kind(path, name)
    lineage.check(out_dir, {**read, PARSES: out_dir / PARSES})
    parses = PartsReader(out_dir)
    result = StageResult()
    if not parses.ner:
        return _rules_only(out_dir, read, parses, result, progress)

    def relations(bar: Progress, segments: RecordsByDocument, mentions: RecordsByDocument) -> Iterator[dict[str, Any]]:
        for document in read_jsonl(out_dir / DOCUMENTS):
            bar.document(document.get("text") or "")
            doc_id = document["doc_id"]
            if doc_id not in parses:
                continue  # failed earlier; its error is already recorded
            docs = parses.get(doc_id)  # a damaged part stops the command (BrokenParses): it is no document's fault
            inputs = segments.get(doc_id), mentions.get(doc_id)  # read outside the try: a damaged file is no document's fault either
            try:
                found = relate_document(document, *inputs, docs, rules)
            except Exception as exc:  # one bad document never stops the batch
                result.errors.append(error_record(doc_id, document.get("source_path"), STAGE, exc))
                continue
            yield from found

    with for_records("wpx relate", out_dir / DOCUMENTS, progress) as bar, \
            RecordsByDocument(out_dir / SEGMENTS) as segments, RecordsByDocument(out_dir / MENTIONS) as mentions:
        result.written = write_jsonl(out_dir / RELATIONS, relations(bar, segments, mentions), before_replace=lambda: update_errors(out_dir, STAGE, result.errors))
    lineage.note(out_dir, (RELATIONS,), read)
    return result


def _rules_only(out_dir: Path, read: dict[str, Path], parses: PartsReader, result: StageResult, progress: bool) -> StageResult:
    """Write no engagements for a folder extracted rules-only (--no-ner): no dependency parse, as `wpx run --no-ner` writes none."""
    for name in (SEGMENTS, MENTIONS):  # not read, but required as for any extract
        if not (out_dir / name).is_file():
            raise FileNotFoundError(2, "No such file or directory", str(out_dir / name))
    with for_records("wpx relate", out_dir / DOCUMENTS, progress) as bar:
        for document in read_jsonl(out_dir / DOCUMENTS):
            bar.document(document.get("text") or "")
            result.skipped += document["doc_id"] in parses
    result.written = write_jsonl(out_dir / RELATIONS, [], before_replace=lambda: update_errors(out_dir, STAGE, result.errors))
    lineage.note(out_dir, (RELATIONS,), read)
    return result
