"""Check an output folder: every JSONL record against its JSON Schema, plus the offset invariant.

Consumers cite records down to the character, so a record whose text is not
``documents.text[start:end]`` is as wrong as a record of the wrong shape;
both are reported as ``file:line: reason`` so the bad line can be opened.
"""
from __future__ import annotations

import json
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from . import lineage, schemas
from .records import DOCUMENTS, ERRORS, MENTIONS, RELATIONS, SEGMENTS, parse_lines

# Files in dependency order: each file's cross-checks use what the earlier ones held.
FILES = (DOCUMENTS, SEGMENTS, MENTIONS, RELATIONS, ERRORS)


@dataclass(frozen=True)
class Failure:
    file: str
    line: int | None
    reason: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.reason}" if self.line is not None else f"{self.file}: {self.reason}"


@dataclass
class Report:
    """What was checked: records per file, files not present, and every failure."""

    checked: dict[str, int] = field(default_factory=dict)
    missing: list[str] = field(default_factory=list)
    failures: list[Failure] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.failures


class _Texts:
    """Document texts by doc_id, read back from documents.jsonl when asked for, the last few kept.

    Holding every text would make validate's memory the size of the
    folder's text. The records of a consolidated folder come document by
    document, so the texts kept are nearly always the ones asked for. When
    they are not (records in another order), after more misses than twice
    the number of documents every text is loaded at once, as before.
    """

    KEEP = 4

    def __init__(self, path: Path) -> None:
        self.path = path
        self.where: dict[str, int] = {}  # doc_id -> byte offset of its documents.jsonl line (the first with a text)
        self.kept: OrderedDict[str, str] = OrderedDict()
        self.misses = 0
        self.every: dict[str, str] | None = None
        self._handle: IO[bytes] | None = None
        self._recent: tuple[Any, str | None] = (object(), None)  # (doc_id, text) of the last get

    def note(self, doc_id: str, offset: int) -> None:
        self.where.setdefault(doc_id, offset)

    def get(self, doc_id: Any) -> str | None:
        if doc_id == self._recent[0]:
            return self._recent[1]  # most records: the same document as the record before
        text = self._get(doc_id)
        self._recent = (doc_id, text)
        return text

    def _get(self, doc_id: Any) -> str | None:
        try:
            hash(doc_id)
        except TypeError:
            return None  # a doc_id that is a list or an object names no document
        if self.every is not None:
            return self.every.get(doc_id)
        if doc_id in self.kept:
            self.kept.move_to_end(doc_id)
            return self.kept[doc_id]
        if doc_id not in self.where:
            return None
        self.misses += 1
        if self.misses > 2 * len(self.where):
            self.every = {name: self._read(offset) for name, offset in self.where.items()}
            return self.every[doc_id]
        self.kept[doc_id] = text = self._read(self.where[doc_id])
        if len(self.kept) > self.KEEP:
            self.kept.popitem(last=False)
        return text

    def _read(self, offset: int) -> str:
        if self._handle is None:
            self._handle = open(self.path, "rb")
        self._handle.seek(offset)
        return json.loads(self._handle.readline().decode("utf-8", errors="replace"))["text"]

    def close(self) -> None:
        if self._handle is not None:
            self._handle.close()
            self._handle = None


@dataclass
class _Seen:
    """Ids of the files read so far and where the texts are, for cross-file checks."""

    texts: _Texts
    sentences: set[str] | None = None
    mentions: set[str] | None = None


def _lines(path: Path, offsets: list[int] | None = None) -> Iterator[tuple[int, dict[str, Any] | None, str | None]]:
    """Yield (line number, record or None, parse error or None), going on after a bad line.

    With ``offsets``, the file is read as bytes and each line's byte offset
    is noted there (documents.jsonl: where to read a text back from).
    """
    if offsets is None:
        with open(path, encoding="utf-8", errors="replace") as handle:
            for lineno, record, problem in parse_lines(handle):
                yield lineno, (None if problem else record), problem
        return
    with open(path, "rb") as raw:
        def decoded() -> Iterator[str]:
            at = 0
            for line in raw:
                offsets.append(at)
                at += len(line)
                yield line.decode("utf-8", errors="replace")

        for lineno, record, problem in parse_lines(decoded()):
            yield lineno, (None if problem else record), problem


def _span(texts: _Texts, record: dict[str, Any], start: Any, end: Any, expected: Any, what: str) -> str | None:
    """Return why text[start:end] of the record's document is not ``expected``, or None."""
    text = texts.get(record.get("doc_id"))
    if text is None:
        return f"doc_id {record.get('doc_id')!r} is not in {DOCUMENTS}"
    if not all(isinstance(v, int) and not isinstance(v, bool) for v in (start, end)):
        return None  # the schema reports the types
    if not 0 <= start <= end <= len(text):
        return f"{what} offsets {start}-{end} outside the document (length {len(text)})"
    if isinstance(expected, str) and text[start:end] != expected:
        return f"{what} {expected!r} != text[{start}:{end}] {text[start:end]!r}"
    return None


def _missing_refs(ids: list[Any], known: set[str] | None, what: str) -> list[str]:
    if known is None:
        return []
    return [f"{what} {ref!r} is not in {MENTIONS}" for ref in ids if isinstance(ref, str) and ref not in known]


def _check(name: str, record: dict[str, Any], seen: _Seen) -> list[str]:
    """Return the offset and cross-reference problems of one record of file ``name``."""
    reasons: list[str | None] = []
    if name == SEGMENTS:
        reasons.append(_span(seen.texts, record, record.get("start"), record.get("end"), record.get("text"), "segment text"))
        if "heading" in record:
            reasons.append(_span(seen.texts, record, record.get("heading_start"), record.get("heading_end"), record.get("heading"), "heading"))
    elif name == MENTIONS:
        reasons.append(_span(seen.texts, record, record.get("start"), record.get("end"), record.get("text"), "mention text"))
        expected_id = f"{record.get('doc_id')}#mention:{record.get('start')}-{record.get('end')}:{record.get('label')}"
        if record.get("id") != expected_id:
            reasons.append(f"id {record.get('id')!r} does not match its fields ({expected_id!r})")
        sentence = record.get("sentence_id")
        if seen.sentences is not None and isinstance(sentence, str) and sentence not in seen.sentences:
            reasons.append(f"sentence_id {sentence!r} is not a sentence in {SEGMENTS}")
    elif name == RELATIONS:
        reasons.append(_span(seen.texts, record, record.get("start"), record.get("end"), record.get("evidence"), "evidence"))
        trigger = record.get("trigger") if isinstance(record.get("trigger"), dict) else {}
        reasons.append(_span(seen.texts, record, trigger.get("start"), trigger.get("end"), trigger.get("text"), "trigger"))
        links = [c for c in record.get("counterpart_mentions") or [] if isinstance(c, dict)]
        count = record.get("count") if isinstance(record.get("count"), dict) else {}
        refs = list(record.get("mention_ids") or []) + [c.get("mention_id") for c in links] + [c.get("resolved_from") for c in links] + [count.get("mention_id")]
        reasons.extend(_missing_refs(refs, seen.mentions, "mention"))
        counterparts = record.get("counterparts")
        if isinstance(counterparts, list) and counterparts != sorted(counterparts, key=str):
            reasons.append("counterparts are not sorted")
    return [r for r in reasons if r]


def validate(out_dir: Path | str) -> Report:
    """Check every JSONL file of ``out_dir`` and return the report (no exception on bad records)."""
    out_dir = Path(out_dir)
    report = Report()
    if not (out_dir / DOCUMENTS).exists():
        report.failures.append(Failure(str(out_dir / DOCUMENTS), None, "missing; no offset can be checked without it"))
    with closing(_Texts(out_dir / DOCUMENTS)) as texts:
        seen = _Seen(texts)
        for name in FILES:
            path = out_dir / name
            if not path.exists():
                report.missing.append(name)
                continue
            ids: set[str] = set()
            count = 0
            if name == SEGMENTS:
                seen.sentences = set()
            offsets: list[int] = []
            for lineno, record, error in _lines(path, offsets if name == DOCUMENTS else None):
                count += 1
                reasons = [error] if error else schemas.problems(name, record) + _check(name, record, seen)
                record = record or {}
                key = record.get("doc_id") if name == DOCUMENTS else record.get("id")
                if name != ERRORS and isinstance(key, str):
                    if key in ids:
                        reasons.append(f"duplicate {'doc_id' if name == DOCUMENTS else 'id'} {key!r}")
                    ids.add(key)
                if name == DOCUMENTS and isinstance(record.get("text"), str):
                    seen.texts.note(record.get("doc_id"), offsets[lineno - 1])
                if name == SEGMENTS and record.get("kind") == "sentence" and seen.sentences is not None:
                    seen.sentences.add(record.get("id"))
                report.failures.extend(Failure(str(path), lineno, reason) for reason in reasons)
            if name == MENTIONS:
                seen.mentions = ids
            report.checked[name] = count
    try:
        lineage.check_folder(out_dir)
    except lineage.StaleInput as exc:  # each record may be right for its own file, and the files still not belong together
        report.failures.append(Failure(str(out_dir / lineage.FILE), None, str(exc)))
    return report
