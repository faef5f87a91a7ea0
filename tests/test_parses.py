"""OUT/parses/: DocBin parts written and read one at a time, swapped into place whole."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import spacy
from spacy.tokens import DocBin

from pipeline.parses import FOLDER, INDEX, LEGACY, BrokenParses, MissingParses, PartsReader, PartsWriter

from .conftest import GENRE, REPO


@pytest.fixture(scope="module")
def nlp():
    return spacy.blank("en")


def _documents(nlp, count: int) -> dict[str, list]:
    """Documents of two or three blocks, each block tagged with its doc_id and offset as extract leaves them."""
    documents = {}
    for n in range(count):
        doc_id = f"doc-{n:02d}"
        blocks = []
        for k, text in enumerate([f"Block one of document {n}.", "China held five rounds of dialogue.", "More text here."][: 2 + n % 2]):
            doc = nlp(text)
            doc.user_data["wpx_doc_id"] = doc_id
            doc.user_data["wpx_offset"] = 100 * k
            blocks.append(doc)
        documents[doc_id] = blocks
    return documents


def _write(out, documents, part_tokens):
    with PartsWriter(out, part_tokens=part_tokens) as parts:
        for doc_id, blocks in documents.items():
            parts.add(doc_id, blocks)


@pytest.mark.parametrize("part_tokens", [1, 20, 10**6])
def test_parts_round_trip_document_by_document(tmp_path, nlp, part_tokens):
    documents = _documents(nlp, 7)
    _write(tmp_path, documents, part_tokens)
    index = json.loads((tmp_path / FOLDER / INDEX).read_text(encoding="utf-8"))
    assert [d for part in index["parts"] for d in part["doc_ids"]] == list(documents)  # each document once, in order
    if part_tokens == 1:
        assert len(index["parts"]) == len(documents)  # a part closes at the first document boundary past the size
    if part_tokens == 10**6:
        assert len(index["parts"]) == 1
    reader = PartsReader(tmp_path)
    for doc_id, blocks in reversed(list(documents.items())):  # any order: the part is read again when needed
        got = reader.get(doc_id)
        assert [d.text for d in got] == [d.text for d in blocks]
        assert [d.user_data["wpx_offset"] for d in got] == [d.user_data["wpx_offset"] for d in blocks]
        assert got[0][0].lower_ == blocks[0][0].lower_  # English lexical attributes
    assert reader.get("absent") == [] and "absent" not in reader and "doc-00" in reader


def test_each_part_is_a_plain_docbin(tmp_path, nlp):
    documents = _documents(nlp, 3)
    _write(tmp_path, documents, 1)
    for part in json.loads((tmp_path / FOLDER / INDEX).read_text(encoding="utf-8"))["parts"]:
        docs = list(DocBin().from_disk(tmp_path / FOLDER / part["file"]).get_docs(nlp.vocab))
        assert [d.user_data["wpx_doc_id"] for d in docs] == [doc_id for doc_id in part["doc_ids"] for _ in documents[doc_id]]


def test_blocks_come_back_in_text_order(tmp_path, nlp):
    blocks = _documents(nlp, 1)["doc-00"]
    with PartsWriter(tmp_path) as parts:
        parts.add("doc-00", list(reversed(blocks)))
    assert [d.text for d in PartsReader(tmp_path).get("doc-00")] == [d.text for d in blocks]


def test_an_empty_run_writes_an_empty_index(tmp_path):
    with PartsWriter(tmp_path):
        pass
    reader = PartsReader(tmp_path)
    assert reader.get("anything") == []


def test_a_failed_write_leaves_the_previous_parses(tmp_path, nlp):
    documents = _documents(nlp, 4)
    _write(tmp_path, documents, 1)
    before = {p.name: p.read_bytes() for p in (tmp_path / FOLDER).iterdir()}
    with pytest.raises(RuntimeError):
        with PartsWriter(tmp_path, part_tokens=1) as parts:
            parts.add("other", documents["doc-00"])
            raise RuntimeError("killed halfway")
    assert {p.name: p.read_bytes() for p in (tmp_path / FOLDER).iterdir()} == before
    assert sorted(os.listdir(tmp_path)) == [FOLDER]  # no temporary folder left


def test_commit_replaces_the_folder_and_the_legacy_file(tmp_path, nlp):
    (tmp_path / LEGACY).write_bytes(b"old single DocBin")
    (tmp_path / f".{FOLDER}.abc.tmp").mkdir()  # left by a killed run
    documents = _documents(nlp, 4)
    _write(tmp_path, documents, 1)
    _write(tmp_path, {"doc-01": documents["doc-01"]}, 1)
    assert sorted(os.listdir(tmp_path)) == [FOLDER]
    reader = PartsReader(tmp_path)
    assert "doc-00" not in reader and [d.text for d in reader.get("doc-01")] == [d.text for d in documents["doc-01"]]
    assert sorted(p.name for p in (tmp_path / FOLDER).iterdir()) == ["00000.spacy", INDEX]


def test_the_folder_gets_the_permissions_of_a_plain_mkdir(tmp_path, nlp):
    plain = tmp_path / "plain"
    plain.mkdir()
    out = tmp_path / "out"
    _write(out, _documents(nlp, 2), 1)
    assert oct((out / FOLDER).stat().st_mode & 0o777) == oct(plain.stat().st_mode & 0o777)


def test_a_missing_index_says_to_run_extract(tmp_path):
    with pytest.raises(MissingParses, match=r"parses/index.json: no such file; run wpx extract first"):
        PartsReader(tmp_path)


@pytest.mark.parametrize("damage", ["not json", '{"parts": 3}', '{"parts": [{"file": "x"}]}'], ids=["bad-json", "bad-shape", "no-doc-ids"])
def test_a_broken_index_says_to_run_extract_again(tmp_path, damage):
    (tmp_path / FOLDER).mkdir()
    (tmp_path / FOLDER / INDEX).write_text(damage, encoding="utf-8")
    with pytest.raises(BrokenParses, match=r"index.json: not a parse index .*run wpx extract again"):
        PartsReader(tmp_path)


@pytest.mark.parametrize("damage", [b"", b"not a DocBin", None], ids=["empty", "garbage", "missing"])
def test_a_damaged_part_stops_the_reader(tmp_path, nlp, damage):
    _write(tmp_path, _documents(nlp, 3), 1)
    part = tmp_path / FOLDER / "00001.spacy"
    if damage is None:
        part.unlink()
    else:
        part.write_bytes(damage)
    reader = PartsReader(tmp_path)
    assert reader.get("doc-00")  # the other parts still read
    with pytest.raises(BrokenParses, match=r"00001.spacy: unreadable part .*run wpx extract again"):
        reader.get("doc-01")


def _killed_between_the_renames(out):
    """Leave ``out`` as commit leaves it when killed after moving the old folder aside, before moving the new one in."""
    aside = out / f".{FOLDER}.killed.old"
    aside.mkdir()
    os.replace(out / FOLDER, aside / FOLDER)
    (out / f".{FOLDER}.killed.tmp").mkdir()


@pytest.mark.parametrize("then", ["read", "write"])
def test_a_kill_between_the_two_renames_keeps_the_previous_parses(tmp_path, nlp, then):
    documents = _documents(nlp, 3)
    _write(tmp_path, documents, 1)
    _killed_between_the_renames(tmp_path)
    assert not (tmp_path / FOLDER).exists()
    if then == "read":  # relate finds the previous parses again
        assert [d.text for d in PartsReader(tmp_path).get("doc-02")] == [d.text for d in documents["doc-02"]]
    else:  # an extract that fails keeps them; one that succeeds replaces them; either way nothing is left over
        with pytest.raises(RuntimeError):
            with PartsWriter(tmp_path):
                raise RuntimeError("bad input")
        assert sorted(os.listdir(tmp_path)) == [FOLDER]
        assert "doc-02" in PartsReader(tmp_path)


@pytest.mark.parametrize("failing", [{2}, {2, 3}], ids=["swap-fails", "swap-and-put-back-fail"])
def test_a_failed_swap_keeps_the_previous_parses(tmp_path, nlp, monkeypatch, failing):
    """When the new folder cannot be moved in, the previous one goes back; if even that fails, it stays aside for recover()."""
    documents = _documents(nlp, 3)
    _write(tmp_path, documents, 1)
    before = {p.name: p.read_bytes() for p in (tmp_path / FOLDER).iterdir()}
    real, moves = os.replace, []

    def replace(src, dst):
        if os.path.isdir(src):
            moves.append(src)
            if len(moves) in failing:
                raise OSError(28, "No space left on device")
        return real(src, dst)

    monkeypatch.setattr(os, "replace", replace)
    with pytest.raises(OSError, match="No space left"):
        _write(tmp_path, {"other": documents["doc-00"]}, 1)
    monkeypatch.setattr(os, "replace", real)
    if failing == {2, 3}:
        assert not (tmp_path / FOLDER).exists()
        PartsReader(tmp_path)  # recovers the folder moved aside
    assert {p.name: p.read_bytes() for p in (tmp_path / FOLDER).iterdir()} == before
    if failing == {2}:
        assert sorted(os.listdir(tmp_path)) == [FOLDER]


def test_extract_puts_the_parses_in_place_before_mentions(tmp_path, config, monkeypatch):
    """make watches mentions.jsonl: when it is new, the parses beside it must be new too."""
    from pipeline import extract, ingest, segment
    from pipeline.records import DOCUMENTS, SEGMENTS

    out = tmp_path / "out"
    ingest.run(GENRE / "dev" / "raw", out, config)
    segment.run(out / DOCUMENTS, out, config)
    real, targets = os.replace, []
    monkeypatch.setattr(os, "replace", lambda src, dst: (targets.append(Path(dst).name), real(src, dst))[1])
    extract.run((out / DOCUMENTS, out / SEGMENTS), out, config, ner=False)
    assert targets.index(FOLDER) < targets.index("mentions.jsonl")


def test_the_stage_commands_write_the_same_bytes_under_any_hash_seed(tmp_path):
    """Outputs and parse parts do not depend on the process's string hashing (sets of strings, dict order)."""
    folders = []
    for seed in ("1", "2"):
        out = tmp_path / f"out{seed}"
        for stage in (["ingest", str(GENRE / "dev" / "raw")], ["segment"], ["extract", "--no-ner"], ["relate"]):
            subprocess.run([sys.executable, "-m", "pipeline.cli", "--configs", str(REPO / "configs"), *stage, "--out", str(out), "-q"],
                           check=True, capture_output=True, env={**os.environ, "PYTHONHASHSEED": seed})
        folders.append(out)
    files = sorted(p.relative_to(folders[0]) for p in folders[0].rglob("*") if p.is_file())
    assert any(f.parts[0] == FOLDER for f in files) and len(files) > 6
    assert files == sorted(p.relative_to(folders[1]) for p in folders[1].rglob("*") if p.is_file())
    for name in files:
        assert (folders[0] / name).read_bytes() == (folders[1] / name).read_bytes(), name


@pytest.mark.parametrize("ner", [True, False])
def test_the_index_records_the_extraction_mode(tmp_path, nlp, ner):
    with PartsWriter(tmp_path, part_tokens=1, ner=ner) as parts:
        parts.add("doc-00", _documents(nlp, 1)["doc-00"])
    assert json.loads((tmp_path / FOLDER / INDEX).read_text(encoding="utf-8"))["ner"] is ner
    assert PartsReader(tmp_path).ner is ner


def test_an_index_without_a_mode_is_read_as_made_with_the_model(tmp_path, nlp):
    """Indexes written before the mode was recorded: relate relates as it did."""
    _write(tmp_path, _documents(nlp, 2), 1)
    index = json.loads((tmp_path / FOLDER / INDEX).read_text(encoding="utf-8"))
    del index["ner"]
    (tmp_path / FOLDER / INDEX).write_text(json.dumps(index), encoding="utf-8")
    assert PartsReader(tmp_path).ner is True


def test_a_failed_first_move_leaves_nothing_aside(tmp_path, nlp, monkeypatch):
    _write(tmp_path, _documents(nlp, 2), 1)
    real = os.replace

    def replace(src, dst):
        if os.path.isdir(src) and Path(src).name == FOLDER:
            raise OSError(13, "Permission denied")
        return real(src, dst)

    monkeypatch.setattr(os, "replace", replace)
    with pytest.raises(OSError, match="Permission denied"):
        _write(tmp_path, _documents(nlp, 1), 1)
    monkeypatch.setattr(os, "replace", real)
    assert sorted(os.listdir(tmp_path)) == [FOLDER]


def test_blocks_are_packed_and_unpacked_without_a_msgpack_set_up_each(tmp_path, nlp, monkeypatch):
    """srsly builds a Packer (or Unpacker) per call, whose set-up scans the installed packages' entry points: 0.6 ms per block."""
    import srsly

    calls = {"dumps": 0, "loads": 0}
    dumps, loads = srsly.msgpack_dumps, srsly.msgpack_loads

    def counted_dumps(data):
        calls["dumps"] += 1
        return dumps(data)

    def counted_loads(data, use_list=True):
        calls["loads"] += 1
        return loads(data, use_list=use_list)

    documents = _documents(nlp, 12)  # 30 blocks in one part
    monkeypatch.setattr(srsly, "msgpack_dumps", counted_dumps)
    monkeypatch.setattr(srsly, "msgpack_loads", counted_loads)
    _write(tmp_path, documents, 10**6)
    reader = PartsReader(tmp_path)
    got = {doc_id: reader.get(doc_id) for doc_id in documents}
    assert calls == {"dumps": 1, "loads": 1}  # the part itself, once each way
    assert {doc_id: [(d.text, d.user_data["wpx_offset"]) for d in blocks] for doc_id, blocks in got.items()} == {
        doc_id: [(d.text, d.user_data["wpx_offset"]) for d in blocks] for doc_id, blocks in documents.items()}


def test_a_block_whose_user_data_carries_extra_bytes_is_a_broken_part(tmp_path, nlp):
    """Read with one Unpacker, a block's extra object would become the next block's user_data; msgpack_loads refused it."""
    import srsly

    documents = _documents(nlp, 1)
    _write(tmp_path, documents, 10**6)
    part = tmp_path / FOLDER / "00000.spacy"
    docbin = DocBin(store_user_data=True).from_bytes(part.read_bytes())
    docbin.user_data[0] = docbin.user_data[0] + srsly.msgpack_dumps({"wpx_doc_id": "X", "wpx_offset": 9})
    part.write_bytes(docbin.to_bytes())
    with pytest.raises(BrokenParses, match="unreadable part"):
        PartsReader(tmp_path).get("doc-00")
