"""JSON Schemas of the output files, shipped inside the package."""
from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources
from typing import Any

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


def problems(name: str, record: dict[str, Any]) -> list[str]:
    """List schema violations of one record, as readable one-liners."""
    return [f"{'/'.join(map(str, e.absolute_path)) or '<record>'}: {e.message}" for e in validator(name).iter_errors(record)]
