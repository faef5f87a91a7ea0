"""The output JSON Schemas: the compiled validator's quick yes agrees with jsonschema on real and damaged records."""
from __future__ import annotations

import copy

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline import schemas
from pipeline.records import DOCUMENTS, ERRORS, MENTIONS, RELATIONS, SEGMENTS, read_jsonl

from .consumer_fixtures import consumer_out_ro, seed_out  # noqa: F401

FILES = (DOCUMENTS, SEGMENTS, MENTIONS, RELATIONS)

json_scalars = st.none() | st.booleans() | st.integers(-(2**70), 2**70) | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=6)
json_values = st.recursive(json_scalars, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner, max_size=3), max_leaves=6)


@pytest.fixture(scope="module")
def real(seed_out, consumer_out_ro):
    found = {name: list(read_jsonl(seed_out / name))[:40] + list(read_jsonl(consumer_out_ro / name))[:40] for name in FILES}
    found[ERRORS] = [{"doc_id": "a", "source_path": "raw/a.txt", "stage": "ingest", "error": "ValueError", "message": "bad", "schema_version": "1.0"}]
    assert all(found.values())
    return found


def _agree(name, record):
    slow = not list(schemas.validator(name).iter_errors(record))
    assert schemas.fast_validator(name).is_valid(record) == slow, record
    assert (schemas.problems(name, record) == []) == slow


def _places(value, path=()):
    """Yield every (container path, key) inside a record."""
    if isinstance(value, dict):
        for key, inner in value.items():
            yield path, key
            yield from _places(inner, (*path, key))
    elif isinstance(value, list):
        for index, inner in enumerate(value):
            yield path, index
            yield from _places(inner, (*path, index))


@pytest.mark.parametrize("name", [*FILES, ERRORS])
def test_real_records_are_valid_to_both(real, name):
    for record in real[name]:
        _agree(name, record)
        assert schemas.problems(name, record) == []


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_damaged_records_get_the_same_verdict(real, data):
    """Replace, delete or add a value anywhere in a real record: both validators say the same."""
    name = data.draw(st.sampled_from([*FILES, ERRORS]))
    record = copy.deepcopy(data.draw(st.sampled_from(real[name])))
    places = list(_places(record))
    for _ in range(data.draw(st.integers(1, 3))):
        path, key = data.draw(st.sampled_from(places)) if places else ((), "extra")
        container = record
        for step in path:
            container = container[step]
        action = data.draw(st.sampled_from(["replace", "delete", "add"]))
        if action == "delete" and isinstance(container, dict):
            container.pop(key, None)
        elif action == "add" and isinstance(container, dict):
            container[data.draw(st.text(max_size=5))] = data.draw(json_values)
        else:
            try:
                container[key] = data.draw(json_values)
            except (IndexError, KeyError):
                pass
        places = list(_places(record))
    _agree(name, record)
