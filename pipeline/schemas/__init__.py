"""JSON Schemas of the output files, shipped inside the package."""
from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import jsonschema_rs
from jsonschema import Draft202012Validator

from ..records import MENTIONS, RELATIONS, BadRecord, parse_lines, read_jsonl


@lru_cache(maxsize=None)
def schema(name: str) -> dict[str, Any]:
    """Return the JSON Schema for an output file name such as 'mentions.jsonl'."""
    stem = name.removesuffix(".jsonl")
    return json.loads(resources.files(__package__).joinpath(f"{stem}.schema.json").read_text(encoding="utf-8"))


@lru_cache(maxsize=None)
def validator(name: str) -> Draft202012Validator:
    """Return a validator for an output file name such as 'segments.jsonl'."""
    return Draft202012Validator(schema(name))


@lru_cache(maxsize=None)
def fast_validator(name: str) -> jsonschema_rs.Draft202012Validator:
    """Return a compiled (Rust) validator for an output file name: the quick yes for valid records."""
    return jsonschema_rs.Draft202012Validator(schema(name), validate_formats=False)  # as jsonschema: "format" annotates, never asserts


def problems(name: str, record: dict[str, Any]) -> list[str]:
    """List schema violations of one record, as readable one-liners.

    jsonschema (pure Python) takes about 150 microseconds a record: most of
    `wpx validate` on a large folder. The compiled validator says in a
    microsecond that a record is valid; only the others go through
    jsonschema, whose messages the report keeps. The two agree on every
    record test_schemas tries; a value jsonschema-rs cannot read (an integer
    beyond 64 bits) is invalid to it, so jsonschema decides.
    """
    try:
        if fast_validator(name).is_valid(record):
            return []
    except (ValueError, OverflowError, TypeError):
        pass
    return [f"{'/'.join(map(str, e.absolute_path)) or '<record>'}: {e.message}" for e in validator(name).iter_errors(record)]


# --- the fields a consumer reads, checked (evaluate, engagements, review, export, stats, card) ---


class Fields:
    """The fields a consumer reads of one output file's records, checked with that file's schema definitions.

    ``required`` must be present, ``optional`` are checked when present; a
    field in ``loose`` takes that definition instead of the schema's (gold
    files hold fewer fields: a gold count has no mention_id). ``extra`` is
    merged into the root of the schema (a condition such as "a section has a
    heading_end"). Only these fields are checked: the rest of a record is
    `wpx validate`'s business.
    """

    def __init__(self, name: str, required: Iterable[str], optional: Iterable[str] = (),
                 loose: dict[str, Any] | None = None, extra: dict[str, Any] | None = None) -> None:
        full = schema(name)
        required, loose = list(required), loose or {}
        properties = {f: loose[f] if f in loose else full["properties"][f] for f in [*required, *optional]}
        self.schema: dict[str, Any] = {"type": "object", "required": required, "properties": properties, **(extra or {})}
        if "$defs" in full:
            self.schema["$defs"] = full["$defs"]
        self._fast: Any = None
        self._slow: Any = None

    def problems(self, record: dict[str, Any]) -> list[str]:
        """Return what is wrong with the fields of ``record`` ([] when they are all right)."""
        if self._fast is None:
            self._fast = jsonschema_rs.Draft202012Validator(self.schema, validate_formats=False)
        try:
            if self._fast.is_valid(record):
                return []
        except (ValueError, OverflowError, TypeError):
            pass  # a value the compiled validator cannot read: jsonschema decides, as in problems()
        if self._slow is None:
            self._slow = Draft202012Validator(self.schema)
        problems = []
        for error in sorted(self._slow.iter_errors(record), key=lambda e: list(map(str, e.absolute_path))):
            if error.validator == "required":
                missing = [f for f in error.validator_value if isinstance(error.instance, dict) and f not in error.instance]
                where = "/".join(map(str, error.absolute_path))
                problems += [f"missing field '{(where + '/' if where else '')}{f}'" for f in missing]
            else:
                problems.append(f"field {'/'.join(map(str, error.absolute_path)) or '<record>'}: {error.message}")
        return problems

    def check(self, record: dict[str, Any], where: str) -> dict[str, Any]:
        """Return ``record``, or raise BadRecord naming ``where`` (file:line) and what is wrong."""
        problems = self.problems(record)
        if problems:
            raise BadRecord(f"{where}: {'; '.join(problems)}")
        return record


def checked(path: Path | str, fields: Fields) -> Iterator[dict[str, Any]]:
    """Yield the records of a JSONL file as read_jsonl does, each with ``fields`` checked (BadRecord names file and line)."""
    with open(path, encoding="utf-8") as handle:
        for lineno, record, problem in parse_lines(handle):
            if problem:
                raise BadRecord(f"{path}:{lineno}: {problem}")
            yield fields.check(record, f"{path}:{lineno}")


def check_found(path: Path | str, records: list[dict[str, Any]], fields: Fields) -> list[dict[str, Any]]:
    """Check records already read from ``path`` (records.read_document's); for a bad one, find its line to name it."""
    for record in records:
        if fields.problems(record):
            fields.check(record, f"{path}:{line_of(path, record)}")
    return records


def line_of(path: Path | str, record: dict[str, Any]) -> int | None:
    """Return the number of the first line of ``path`` that holds ``record`` (None when none does)."""
    with open(path, encoding="utf-8", errors="replace") as handle:
        return next((lineno for lineno, found, _ in parse_lines(handle) if found == record), None)


# What the table builders of derived.py (and evaluate) index of a mention, and read of a relation.
MENTION_FIELDS = Fields(MENTIONS, ("doc_id", "label", "start", "end", "text"), ("norm",), loose={"norm": {"type": ["object", "null"]}})
RELATION_FIELDS = Fields(RELATIONS, (), ("counterparts", "counterpart_mentions"))
_BUILDER_FIELDS = {MENTIONS: MENTION_FIELDS, RELATIONS: RELATION_FIELDS}


def read_records(path: Path | str) -> Iterator[dict[str, Any]]:
    """Yield a JSONL file's records as read_jsonl does; for mentions and relations, the fields derived.py's builders read checked."""
    fields = _BUILDER_FIELDS.get(Path(path).name)
    return checked(path, fields) if fields is not None else read_jsonl(path)
