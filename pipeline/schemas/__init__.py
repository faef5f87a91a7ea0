"""JSON Schemas of the output files, shipped inside the package."""
from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources
from typing import Any

import jsonschema_rs
from jsonschema import Draft202012Validator


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
