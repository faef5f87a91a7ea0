from __future__ import annotations

import errno
import json
import os

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.batch.atomic import write_text
from pipeline.records import BadRecord, RecordsByDocument, atomic_path, read_document, read_jsonl, record_id, update_errors, write_jsonl

json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**53), 2**53) | st.text(),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=12,
)


@settings(max_examples=75, deadline=None)
@given(st.lists(st.dictionaries(st.text(max_size=10), json_values, max_size=5), max_size=6))
def test_jsonl_round_trip(tmp_path_factory, records):
    path = tmp_path_factory.mktemp("rt") / "x.jsonl"
    assert write_jsonl(path, records) == len(records)
    assert list(read_jsonl(path)) == records
    raw = path.read_bytes()
    assert raw.count(b"\n") == len(records)
    write_jsonl(path, records)
    assert path.read_bytes() == raw  # same records, same bytes


def test_write_is_atomic_on_failure(tmp_path):
    path = tmp_path / "out.jsonl"
    write_jsonl(path, [{"a": 1}])

    def broken():
        yield {"a": 2}
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        write_jsonl(path, broken())
    assert list(read_jsonl(path)) == [{"a": 1}]
    assert os.listdir(tmp_path) == ["out.jsonl"]


def _write_through_path(path):
    with atomic_path(path) as tmp:
        with open(tmp, "w", encoding="utf-8") as handle:
            handle.write("x\n")


@pytest.mark.parametrize("write", [lambda p: write_jsonl(p, [{"a": 1}]), lambda p: write_text(p, "x\n"), lambda p: write_text(p, "x\n", durable=False), _write_through_path],
                         ids=["write_jsonl", "write_text", "write_text_not_durable", "atomic_path"])
def test_outputs_get_the_permissions_of_a_plain_open(tmp_path, write):
    """A temporary file is 0600; the output renamed from it must be readable as a plain open() would make it."""
    plain = tmp_path / "plain.txt"
    plain.write_text("x\n")
    written = tmp_path / "out.jsonl"
    write(written)
    assert oct(written.stat().st_mode & 0o777) == oct(plain.stat().st_mode & 0o777)
    write(written)  # replacing an existing output too
    assert oct(written.stat().st_mode & 0o777) == oct(plain.stat().st_mode & 0o777)


@pytest.mark.parametrize("writer", ["jsonl", "text", "many"])
@pytest.mark.parametrize("code, named", [(errno.ENOSPC, True), (errno.EFBIG, True), (errno.EACCES, False)])
def test_a_failed_write_names_the_file_and_leaves_no_temp_file(tmp_path, monkeypatch, writer, code, named):
    """write() and flush() errors carry no file name; "Error: [Errno 28] No space left on device" alone says nothing of where."""
    from pipeline.batch.atomic import atomic_many

    def full(fd):
        raise OSError(code, os.strerror(code))

    monkeypatch.setattr(os, "fsync", full)
    target = tmp_path / "out" / "mentions.jsonl"
    with pytest.raises(OSError) as caught:
        if writer == "jsonl":
            write_jsonl(target, [{"a": 1}])
        elif writer == "text":
            write_text(target, "x\n")
        else:
            with atomic_many([tmp_path / "out" / "documents.jsonl", target]) as handles:
                handles[1].write("x\n")
    expected = str(tmp_path / "out" / ("documents.jsonl" if writer == "many" else "mentions.jsonl"))  # the first file flushed fails
    assert caught.value.errno == code
    assert caught.value.filename == (expected if named else None)
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == []


def test_read_reports_file_and_line(tmp_path):
    path = tmp_path / "bad.jsonl"
    path.write_text('{"a": 1}\n{nope\n', encoding="utf-8")
    with pytest.raises(ValueError, match=r"bad.jsonl:2: not valid JSON"):
        list(read_jsonl(path))


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("d", "sentence", 3, 9), "d#sentence:3-9"),
        (("a/b", "mention", 0, 5, "COUNTRY"), "a/b#mention:0-5:COUNTRY"),
    ],
)
def test_record_id_is_derived_from_content(args, expected):
    assert record_id(*args) == expected


def test_update_errors_replaces_only_its_stage(tmp_path):
    update_errors(tmp_path, "ingest", [{"doc_id": "a", "source_path": "raw/a.txt", "stage": "ingest", "message": "x"}])
    update_errors(tmp_path, "segment", [{"doc_id": "b", "source_path": "raw/b.txt", "stage": "segment", "message": "y"}])
    update_errors(tmp_path, "ingest", [])
    lines = [json.loads(l) for l in (tmp_path / "errors.jsonl").read_text().splitlines()]
    assert [r["stage"] for r in lines] == ["segment"]


@settings(max_examples=75, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["a", "b", "c/d", "é"]), json_values), max_size=12), st.sampled_from(["\n", "\r\n", "\r"]),
       st.sampled_from([None, "", "\u00a0", " \t"]))
def test_records_by_document_are_the_file_filtered_by_doc_id(tmp_path_factory, items, newline, blank_line):
    """Whatever the order of the lines and the line ends, a document's records are those read_jsonl reads with its doc_id, in file order."""
    path = tmp_path_factory.mktemp("bydoc") / "x.jsonl"
    records = [{"doc_id": doc_id, "n": n, "v": value} for n, (doc_id, value) in enumerate(items)]
    lines = [json.dumps(r, ensure_ascii=False) + newline + ("" if blank_line is None else blank_line + newline) for r in records]
    path.write_bytes("".join(lines).encode("utf-8"))
    assert list(read_jsonl(path)) == records
    with RecordsByDocument(path) as by_document:
        for doc_id in ["a", "b", "c/d", "é", "missing"]:
            assert by_document.get(doc_id) == [r for r in records if r["doc_id"] == doc_id]
        assert sum(len(runs) for runs in by_document.ranges.values()) == sum(1 for k, r in enumerate(records) if k == 0 or records[k - 1]["doc_id"] != r["doc_id"])


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        ('{"doc_id": "a"}\n{nope\n', r"x.jsonl:2: not valid JSON"),
        ('{"doc_id": "a"}\n\n[1, 2]\n', r"x.jsonl:3: expected a JSON object"),
        ('{"doc_id": "a"}\n{"id": 1}\n', r"x.jsonl:2: no doc_id"),
        ('{"doc_id": ["a"]}\n', r"x.jsonl:1: doc_id is not a string"),
    ],
    ids=["bad-json", "not-an-object", "no-doc-id", "list-doc-id"],
)
def test_records_by_document_names_the_bad_line(tmp_path, content, problem):
    path = tmp_path / "x.jsonl"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(BadRecord, match=problem):
        RecordsByDocument(path)


def test_records_by_document_reports_bytes_that_are_not_utf8(tmp_path):
    path = tmp_path / "x.jsonl"
    path.write_bytes(b'{"doc_id": "a"}\n{"doc_id": "\xff"}\n')
    with pytest.raises(BadRecord, match=r"x.jsonl:2: not UTF-8"):
        RecordsByDocument(path)


doc_ids = st.sampled_from(["a", "ab", "b/c", 'q"uote', "back\\slash", "tab\t", "é", "\u2028", "a\x00"]) | st.text(max_size=6)


@settings(max_examples=100, deadline=None)
@given(doc_ids, st.lists(st.tuples(doc_ids, json_values), max_size=8), st.booleans())
def test_read_document_finds_what_a_full_parse_finds(tmp_path_factory, wanted, items, ascii_only):
    """Skipping lines without the doc_id's text or a backslash loses no record, however the JSON spells the doc_id."""
    path = tmp_path_factory.mktemp("doc") / "x.jsonl"
    records = [{"doc_id": doc_id, "v": value} for doc_id, value in items]
    path.write_text("".join(json.dumps(r, ensure_ascii=ascii_only) + "\n" for r in records), encoding="utf-8")
    assert list(read_document(path, wanted)) == [r for r in records if r["doc_id"] == wanted]


@pytest.mark.parametrize(("line", "problem"), [("[1, 2]", "expected a JSON object"), ('{"doc_id": "zz", "cut', "expected a JSON object"), ('{"doc_id": "a", nope}', "not valid JSON")])
def test_read_document_names_a_line_that_is_no_object(tmp_path, line, problem):
    path = tmp_path / "x.jsonl"
    path.write_text('{"doc_id": "a"}\n' + line + "\n", encoding="utf-8")
    with pytest.raises(BadRecord, match=f"x.jsonl:2: {problem}"):
        list(read_document(path, "a"))


@pytest.mark.parametrize("writer", ["jsonl", "text"])
def test_a_path_through_a_link_and_dotdot_is_written_where_the_os_finds_it(tmp_path, writer):
    """mkstemp drops "l/.." as text: the temporary file landed in another folder than the one its rename targets."""
    (tmp_path / "a").mkdir()
    (tmp_path / "b" / "deep").mkdir(parents=True)
    (tmp_path / "a" / "l").symlink_to(tmp_path / "b" / "deep", target_is_directory=True)
    target = tmp_path / "a" / "l" / ".." / "sub" / "out.jsonl"  # the OS reads it as b/sub/out.jsonl (a/sub never exists)
    if writer == "jsonl":
        write_jsonl(target, [{"a": 1}])
    else:
        write_text(target, '{"a": 1}\n')
    assert (tmp_path / "b" / "sub" / "out.jsonl").read_text(encoding="utf-8") == '{"a": 1}\n'
    assert sorted(p.name for p in (tmp_path / "a").iterdir()) == ["l"] and sorted(p.name for p in (tmp_path / "b" / "sub").iterdir()) == ["out.jsonl"]
