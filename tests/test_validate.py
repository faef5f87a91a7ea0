from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from click.testing import CliRunner

from pipeline.cli import cli
from pipeline.validate import validate

from .conftest import REPO
from .consumer_fixtures import consumer_out, consumer_out_ro, seed_out  # noqa: F401


def corrupt(path, line, change):
    """Apply ``change`` to the record on 1-based ``line`` of a JSONL file (or replace the raw line by a string)."""
    lines = path.read_text(encoding="utf-8").splitlines()
    if isinstance(change, str):
        lines[line - 1] = change
    else:
        record = json.loads(lines[line - 1])
        change(record)
        lines[line - 1] = json.dumps(record, ensure_ascii=False)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    (path.parent / ".lineage.json").unlink(missing_ok=True)  # edited by hand: no stage made the files from one another


def test_fixture_folder_is_valid(consumer_out_ro):
    report = validate(consumer_out_ro)
    assert report.ok, [str(f) for f in report.failures]
    assert report.checked == {"documents.jsonl": 2, "segments.jsonl": 14, "mentions.jsonl": 22, "relations.jsonl": 3, "errors.jsonl": 0}


def test_a_full_run_is_valid(seed_out):
    report = validate(seed_out)
    assert report.ok, [str(f) for f in report.failures][:10]
    assert report.checked["segments.jsonl"] > 0


def _set(key, value):
    return lambda r: r.__setitem__(key, value)


CASES = [
    ("mentions.jsonl", 3, _set("text", "Chine"), "mention text 'Chine' != text[44:71]"),
    ("mentions.jsonl", 7, lambda r: r.update(start=r["start"] + 1), "does not match its fields"),
    ("mentions.jsonl", 7, _set("end", 10_000), "outside the document"),
    ("mentions.jsonl", 2, _set("label", "NATION"), "label: 'NATION' is not one of"),
    ("mentions.jsonl", 3, lambda r: r["norm"].pop("qualifier"), "norm: 'qualifier' is a required property"),
    ("mentions.jsonl", 4, _set("norm", {"value": "May 2015"}), "norm/value: 'May 2015' does not match"),
    ("mentions.jsonl", 1, _set("sentence_id", "2021/brief#sentence:0-1"), "is not a sentence"),
    ("mentions.jsonl", 1, _set("doc_id", "nowhere"), "doc_id 'nowhere' is not in documents.jsonl"),
    ("mentions.jsonl", 6, '{"broken": ', "not valid JSON"),
    ("relations.jsonl", 2, _set("evidence", "China joined nothing."), "evidence 'China joined nothing.' != text[74:129]"),
    ("relations.jsonl", 1, lambda r: r["trigger"].update(start=0), "trigger 'consultations' != text[0:71]"),
    ("relations.jsonl", 3, _set("mention_ids", ["alpha#mention:1-2:ORG"]), "mention 'alpha#mention:1-2:ORG' is not in mentions.jsonl"),
    ("relations.jsonl", 1, _set("counterparts", ["USA", "CHN"]), "counterparts are not sorted"),
    ("relations.jsonl", 1, _set("type", "alliance"), "type: 'engagement' was expected"),
    ("segments.jsonl", 2, _set("text", "China and the UK"), "segment text 'China and the UK' != text[22:104]"),
    ("documents.jsonl", 2, _set("sha256", "abc"), "sha256: 'abc' does not match"),
]


@pytest.mark.parametrize(("name", "line", "change", "reason"), CASES, ids=[f"{c[0]}:{c[1]}:{c[3][:30]}" for c in CASES])
def test_a_corrupted_record_is_reported_with_file_and_line(consumer_out, name, line, change, reason):
    corrupt(consumer_out / name, line, change)
    report = validate(consumer_out)
    messages = [str(f) for f in report.failures]
    assert any(m.startswith(f"{consumer_out / name}:{line}: ") and reason in m for m in messages), messages
    assert all(f.file == str(consumer_out / name) and f.line == line for f in report.failures), messages


def test_duplicate_ids_are_reported(consumer_out):
    path = consumer_out / "mentions.jsonl"
    lines = path.read_text(encoding="utf-8").splitlines()
    path.write_text("\n".join(lines + lines[:1]) + "\n", encoding="utf-8")
    assert [str(f) for f in validate(consumer_out).failures] == [f"{path}:{len(lines) + 1}: duplicate id '2021/brief#mention:22-27:COUNTRY'"]


def test_missing_documents_file_fails(consumer_out):
    (consumer_out / "documents.jsonl").unlink()
    report = validate(consumer_out)
    assert not report.ok and "documents.jsonl: missing" in str(report.failures[0])


def test_missing_later_files_are_noted_not_failed(consumer_out):
    (consumer_out / "relations.jsonl").unlink()
    report = validate(consumer_out)
    assert report.ok and report.missing == ["relations.jsonl"]


@pytest.mark.parametrize("broken", [False, True])
def test_cli_exit_code_and_output(consumer_out, broken):
    if broken:
        corrupt(consumer_out / "relations.jsonl", 2, _set("start", 75))
    result = CliRunner().invoke(cli, ["--configs", str(REPO / "configs"), "validate", str(consumer_out)])
    assert result.exit_code == (1 if broken else 0)
    assert ("relations.jsonl:2: evidence" in result.output) is broken
    assert "mentions.jsonl 22" in result.output


@given(order=st.lists(st.integers(0, 5), max_size=60))
@settings(max_examples=60, deadline=None)
def test_texts_are_read_back_in_any_order(tmp_path_factory, order):
    """validate reads texts back from documents.jsonl, a few kept; any order of asking gives each document's text."""
    from pipeline.validate import _lines, _Texts

    path = tmp_path_factory.mktemp("texts") / "documents.jsonl"
    texts = {f"d{k}": f"text {k} é\u2028" * (k + 1) for k in range(6)}
    path.write_text("".join(json.dumps({"doc_id": d, "text": t}, ensure_ascii=False) + "\n" for d, t in texts.items()) + "{bad\n", encoding="utf-8")
    found, offsets = _Texts(path), []
    for lineno, record, _ in _lines(path, offsets):
        if record is not None:
            found.note(record["doc_id"], offsets[lineno - 1])
    for k in order:
        assert found.get(f"d{k}") == texts[f"d{k}"]
    assert found.get("nope") is None and found.get(["unhashable"]) is None
    assert len(found.kept) <= _Texts.KEEP
    if found.misses > 2 * len(texts):
        assert found.every == texts  # records in another order: every text loaded once
    found.close()
