"""The batch engine under faults: interrupted runs in another mode, damaged bookkeeping, bad names, dying workers, a busy folder."""
from __future__ import annotations

import json
import os
import signal
import tempfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from pipeline import api, batch
from pipeline.batch import store as store_module
from pipeline.batch.work import Engine
from pipeline.cli import cli
from pipeline.config import load_config
from pipeline.records import exclusive

from .batch_fixtures import OUTPUTS, make_raw, outputs
from .conftest import REPO


class Interrupted(BaseException):
    """Stands for Ctrl-C or SIGKILL at a moment a shard has just been written."""


def _interrupt_after(monkeypatch, shards: int) -> None:
    """Make the run stop (as a kill would) right after ``shards`` shards were written, before the manifest is saved again."""
    write = store_module.Store.write_shard
    count = {"written": 0}

    def write_then_stop(self, header, texts):
        size = write(self, header, texts)
        count["written"] += 1
        if count["written"] >= shards:
            raise Interrupted
        return size

    monkeypatch.setattr(store_module.Store, "write_shard", write_then_stop)


@pytest.mark.parametrize("interrupted_with", ["other-mode", "other-configs", "edited-then-reverted"])
def test_shards_of_an_interrupted_run_are_never_trusted_by_the_manifest(tmp_path, config, monkeypatch, interrupted_with):
    raw = make_raw(tmp_path / "raw", 4)
    batch.run(raw, tmp_path / "clean", config, ner=False)
    out = tmp_path / "out"
    batch.run(raw, out, config, ner=False)
    with monkeypatch.context() as patch:
        _interrupt_after(patch, 2)
        with pytest.raises(Interrupted):
            if interrupted_with == "other-mode":
                batch.run(raw, out, config, ner=True)
            elif interrupted_with == "other-configs":
                edited = _copy_configs(tmp_path, lambda path, data: data + b"\n# edited\n" if path.name == "pipeline.toml" else data)
                batch.run(raw, out, load_config(edited), ner=False)
            else:
                for path in sorted(raw.iterdir())[:3]:
                    path.write_text(path.read_text(encoding="utf-8") + "\nChina signed the Treaty in 2020.\n", encoding="utf-8")
                batch.run(raw, out, config, ner=False)
    if interrupted_with == "edited-then-reverted":
        make_raw(tmp_path / "raw", 4)  # the same documents again
    summary = batch.run(raw, out, config, ner=False)
    assert summary.processed == 2  # the two whose shards the interrupted run replaced
    assert outputs(out) == outputs(tmp_path / "clean")


@pytest.mark.parametrize("manifest", [
    '{"format": 2, "key": 5, "documents": [1, 2]}',
    '{"format": 2, "key": {}, "documents": {"x": [1]}, "outputs": {}}',
    '{"format": 2, "key": {}, "documents": {}, "outputs": {"sizes": [1]}}',
    '[1, 2]',
    '{"format": 2',
])
def test_a_damaged_manifest_costs_a_rebuild_not_a_traceback(tmp_path, config, manifest):
    raw = make_raw(tmp_path / "raw", 2)
    batch.run(raw, tmp_path / "out", config, ner=False)
    expected = outputs(tmp_path / "out")
    (tmp_path / "out" / "manifest.json").write_text(manifest, encoding="utf-8")
    summary = batch.run(raw, tmp_path / "out", config, ner=False)
    assert summary.processed + summary.skipped == 2 and summary.failed == 0
    assert outputs(tmp_path / "out") == expected


def test_a_shard_cut_short_is_not_adopted(tmp_path, config):
    """With no manifest to say its size (a killed run), a shard whose body is shorter than its header says is redone."""
    raw = make_raw(tmp_path / "raw", 3)
    out = tmp_path / "out"
    batch.run(raw, out, config, ner=False)
    expected = outputs(out)
    (out / "manifest.json").unlink()
    [shard] = [p for p in (out / ".shards").iterdir() if p.name.startswith("synthetic_00001.")]
    shard.write_bytes(shard.read_bytes()[:-50])
    summary = batch.run(raw, out, config, ner=False)
    assert (summary.processed, summary.skipped) == (1, 2)
    assert outputs(out) == expected and batch.run(raw, out, config, ner=False).processed == 0


@pytest.mark.parametrize("damage", ["cut-short", "same-size"])
def test_a_damaged_shard_is_redone_from_its_raw_file(tmp_path, config, damage):
    raw = make_raw(tmp_path / "raw", 3)
    batch.run(raw, tmp_path / "clean", config, ner=False)
    out = tmp_path / "out"
    batch.run(raw, out, config, ner=False)
    [shard] = [p for p in (out / ".shards").iterdir() if p.name.startswith("synthetic_00001.")]
    data = shard.read_bytes()
    shard.write_bytes(data[:len(data) // 2] if damage == "cut-short" else b"x" + data[1:])
    if damage == "same-size":  # the size still matches the manifest: found when the outputs are rebuilt for another change
        (raw / "synthetic_00002.txt").write_text("Full text: New\n\nChina joined the Zangger Committee in 1997.\n", encoding="utf-8")
        batch.run(raw, tmp_path / "clean2", config, ner=False)
    summary = batch.run(raw, out, config, ner=False)
    assert (summary.processed, summary.skipped, summary.failed) == ((1, 2, 0) if damage == "cut-short" else (2, 1, 0))
    assert outputs(out) == outputs(tmp_path / ("clean" if damage == "cut-short" else "clean2"))
    assert batch.run(raw, out, config, ner=False).processed == 0


def test_file_names_that_are_not_utf8_and_broken_links_fail_alone_both_ways(tmp_path, config):
    raw = make_raw(tmp_path / "raw", 2)
    bad = os.path.join(os.fsencode(raw), b"\xffbad-name.txt")
    with open(bad, "wb") as handle:
        handle.write(b"Full text: Bad\n\nChina 2019.\n")
    os.symlink(tmp_path / "nowhere.txt", raw / "linked.txt")
    os.symlink(tmp_path / "unmounted-drive", raw / "archive2019")  # no extension: unsupported before it is unreadable, both ways
    for run in range(2):  # the rerun reports them all again, and redoes nothing
        summary = batch.run(raw, tmp_path / "batch", config, ner=False)
        assert (summary.processed, summary.skipped, summary.failed) == ((2, 0, 3) if run == 0 else (0, 2, 3))
        assert summary.line().startswith("wpx run: 5 documents: ")  # the three that failed while the folder was listed are documents too
    for _, stage in api.stages(False):
        stage(raw, tmp_path / "stages", config)
    for name in OUTPUTS:
        assert (tmp_path / "batch" / name).read_bytes() == (tmp_path / "stages" / name).read_bytes(), name
    errors = [json.loads(line) for line in (tmp_path / "batch" / "errors.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [(e["source_path"], e["stage"], e["error"]) for e in errors] == [
        ("raw/\\xffbad-name.txt", "ingest", "IngestError"), ("raw/archive2019", "ingest", "IngestError"), ("raw/linked.txt", "ingest", "FileNotFoundError")]
    assert "not valid UTF-8" in errors[0]["message"]


def test_a_file_no_reader_takes_claims_no_doc_id_from_one_that_is_read(tmp_path, config):
    """"a.docx" sorts before "a.txt": it took the doc_id "a", and the paper itself failed as a taken doc_id, both ways."""
    raw = make_raw(tmp_path / "raw", 1)
    paper = sorted(raw.iterdir())[0]
    (raw / f"{paper.stem}.docx").write_bytes(b"PK\x03\x04")
    summary = batch.run(raw, tmp_path / "batch", config, ner=False)
    for _, stage in api.stages(False):
        stage(raw, tmp_path / "stages", config)
    assert outputs(tmp_path / "batch") == outputs(tmp_path / "stages")
    assert [json.loads(line)["doc_id"] for line in (tmp_path / "batch" / "documents.jsonl").read_text(encoding="utf-8").splitlines()] == [paper.stem]
    assert [(e["source_path"], e["error"]) for e in summary.errors] == [(f"raw/{paper.stem}.docx", "IngestError")]
    assert "unsupported file type '.docx'" in summary.errors[0]["message"]


def test_a_flagged_article_beside_a_file_no_reader_takes_gives_one_errors_file_both_ways(tmp_path, config):
    """The article's warning (its shard) and the .docx's error (planning) share a doc_id: ordered by source_path both ways."""
    raw = tmp_path / "raw"
    raw.mkdir()
    page = "<html><head><title>T</title></head><body><article><h1>A treaty</h1><p>China signed the Treaty in 2006 in Semipalatinsk.</p></article></body></html>"
    for name in ("a.html", "a_3.html"):  # page 2 is missing: written, flagged
        (raw / name).write_text(page, encoding="utf-8")
    (raw / "a.docx").write_bytes(b"PK\x03\x04")
    summary = batch.run(raw, tmp_path / "batch", config, ner=False)
    for _, stage in api.stages(False):
        stage(raw, tmp_path / "stages", config)
    assert outputs(tmp_path / "batch") == outputs(tmp_path / "stages")
    assert [(e["source_path"], e["error"]) for e in summary.errors] == [("raw/a.docx", "IngestError"), ("raw/a.html", "IngestWarning")]
    assert "1 failed, 1 with warnings" in summary.line()


def test_a_file_gone_for_a_moment_during_the_run_is_retried_not_failed_for_good(tmp_path, config, monkeypatch):
    raw = make_raw(tmp_path / "raw", 3)
    batch.run(raw, tmp_path / "clean", config, ner=False)
    moved = sorted(raw.iterdir())[-1]
    planned = batch.plan

    def plan_then_move(*args, **kwargs):  # listed and hashed, then gone before its bytes are read
        found = planned(*args, **kwargs)
        moved.rename(tmp_path / "aside")
        return found

    with monkeypatch.context() as patch:
        patch.setattr(batch, "plan", plan_then_move)
        summary = batch.run(raw, tmp_path / "out", config, ner=False)
    assert (summary.processed, summary.failed) == (3, 1)
    assert [e["error"] for e in summary.errors] == ["FileNotFoundError"]
    assert f"'raw/{moved.name}'" in summary.errors[0]["message"]
    (tmp_path / "aside").rename(moved)
    summary = batch.run(raw, tmp_path / "out", config, ner=False)
    assert (summary.processed, summary.skipped, summary.failed) == (1, 2, 0)
    assert outputs(tmp_path / "out") == outputs(tmp_path / "clean")


@pytest.mark.parametrize("name", ["a\nb", "a\rb", "a\u2028b"])
def test_a_file_name_with_a_line_break_is_an_error_naming_it_and_the_outputs_validate(tmp_path, config, name):
    from pipeline.validate import validate

    raw = make_raw(tmp_path / "raw", 1)
    (raw / f"{name}.txt").write_text("Full text: A\n\nChina held five rounds of dialogue with Japan in 2019.\n", encoding="utf-8")
    summary = batch.run(raw, tmp_path / "out", config, ner=False)
    assert summary.failed == 1 and "line break" in summary.errors[0]["message"]
    assert validate(tmp_path / "out").failures == []  # (every record of such a document failed the schemas' id patterns)


@pytest.mark.parametrize("name", ["p\x85q", "p\x1cq"])  # characters str.splitlines breaks at and JSON leaves as they are
def test_a_document_with_its_own_and_planning_errors_consolidates_whatever_its_name(tmp_path, config, name):
    raw = make_raw(tmp_path / "raw", 1)
    (raw / f"{name}.txt").write_bytes(b"\x00binary")  # fails in its shard
    (raw / f"{name}.docx").write_bytes(b"PK")  # a planning error for the same doc_id
    summary = batch.run(raw, tmp_path / "out", config, ner=False)  # (the shard's errors were split at the character: a JSONDecodeError, no outputs)
    assert summary.failed == 2 and sorted(e["source_path"] for e in summary.errors) == [f"raw/{name}.docx", f"raw/{name}.txt"]


@pytest.mark.parametrize("folder", ["sub", ""])  # a subfolder, the raw folder itself
def test_a_folder_that_cannot_be_listed_keeps_its_documents_and_fails_the_run(tmp_path, config, monkeypatch, folder):
    raw = make_raw(tmp_path / "raw", 2)
    make_raw(raw / "sub", 2)
    batch.run(raw, tmp_path / "clean", config, ner=False)
    out = tmp_path / "out"
    batch.run(raw, out, config, ner=False)
    locked = raw / folder if folder else raw
    scandir = os.scandir

    def refuse(path):
        if Path(path) == locked:
            raise PermissionError(13, "Permission denied", str(path))
        return scandir(path)

    with monkeypatch.context() as patch:
        patch.setattr("pipeline.tree.os.scandir", refuse)
        summary = batch.run(raw, out, config, ner=False)
        assert summary.dropped == 0 and summary.failed == 1  # not taken for deleted, not silent (the exit code follows failed: the CLI test below)
        assert [(e["doc_id"], e["error"]) for e in summary.errors] == [(folder or ".", "IngestError")]
        assert "cannot list the folder" in summary.errors[0]["message"] and "Permission denied" in summary.errors[0]["message"]
        clean = outputs(tmp_path / "clean")
        assert {name: data for name, data in outputs(out).items() if name != "errors.jsonl"} == {name: data for name, data in clean.items() if name != "errors.jsonl"}
        result = CliRunner().invoke(cli, ["--configs", str(REPO / "configs"), "ingest", str(raw), "--out", str(tmp_path / "stage")])
        assert result.exit_code == 1 and "cannot list the folder" in (tmp_path / "stage" / "errors.jsonl").read_text(encoding="utf-8")
    summary = batch.run(raw, out, config, ner=False)  # readable again: as a clean run
    assert summary.failed == 0 and outputs(out) == outputs(tmp_path / "clean")


@pytest.mark.parametrize("spelled", ["same", "link"])
def test_the_raw_folder_as_output_folder_is_a_usage_error_that_writes_nothing(tmp_path, spelled):
    raw = make_raw(tmp_path / "raw", 2)
    before = sorted(p.name for p in raw.iterdir())
    out = raw
    if spelled == "link":
        out = tmp_path / "alias"
        out.symlink_to(raw, target_is_directory=True)
    result = CliRunner().invoke(cli, ["--configs", str(REPO / "configs"), "run", str(raw), "--out", str(out), "--no-ner", "-q", "--workers", "1"])
    assert result.exit_code == 2, result.output
    assert "is the raw folder" in result.output
    assert sorted(p.name for p in raw.iterdir()) == before


def test_an_output_folder_inside_the_raw_folder_is_not_input(tmp_path, config):
    raw = make_raw(tmp_path / "raw", 2)
    batch.run(raw, tmp_path / "clean", config, ner=False)
    for run in range(2):
        summary = batch.run(raw, raw / "extracted", config, ner=False)
        assert (summary.processed, summary.skipped, summary.failed) == ((2, 0, 0) if run == 0 else (0, 2, 0))
    assert outputs(raw / "extracted") == outputs(tmp_path / "clean")


def test_a_worker_that_dies_costs_only_its_document(tmp_path, config, monkeypatch):
    raw = make_raw(tmp_path / "raw", 6)
    batch.run(raw, tmp_path / "clean", config, ner=False, workers=1)
    client, process_chunk = os.getpid(), Engine.process_chunk

    def dies_on_one_document(self, chunk):
        if os.getpid() != client and any(task.doc_id == "synthetic_00003" for task in chunk.tasks):
            os.kill(os.getpid(), signal.SIGKILL)  # as the kernel's OOM killer would
        return process_chunk(self, chunk)

    monkeypatch.setattr(Engine, "process_chunk", dies_on_one_document)  # pool workers are forked: they inherit it
    summary = batch.run(raw, tmp_path / "out", config, ner=False, workers=2)
    assert (summary.processed, summary.failed) == (6, 1)
    [error] = summary.errors
    assert (error["doc_id"], error["source_path"], error["stage"], error["error"]) == ("synthetic_00003", "raw/synthetic_00003.txt", "worker", "WorkerDied")
    for name in ("documents.jsonl", "mentions.jsonl"):
        clean = (tmp_path / "clean" / name).read_text(encoding="utf-8").splitlines(keepends=True)
        kept = [line for line in clean if json.loads(line)["doc_id"] != "synthetic_00003"]
        assert (tmp_path / "out" / name).read_text(encoding="utf-8") == "".join(kept)
    monkeypatch.setattr(Engine, "process_chunk", process_chunk)  # whatever killed it is gone: the next run tries it again
    again = batch.run(raw, tmp_path / "out", config, ner=False, workers=2)
    assert (again.processed, again.skipped, again.failed) == (1, 5, 0)
    assert outputs(tmp_path / "out") == outputs(tmp_path / "clean")


@pytest.mark.parametrize("dies", ["warming-up", "once-on-a-document"])
def test_a_worker_that_dies_by_chance_blames_no_document(tmp_path, config, monkeypatch, dies):
    """A death while the model loads, or one death on a document that then goes through, is no document's fault."""
    from pipeline.batch import executors
    from pipeline.batch.work import Chunk, Snapshot, Task, warm

    flag = tmp_path / "killed-once"

    def kill_once() -> None:
        if not flag.exists():
            flag.touch()
            os.kill(os.getpid(), signal.SIGKILL)

    if dies == "warming-up":
        monkeypatch.setattr(executors, "warm", lambda snapshot, ner: kill_once() or warm(snapshot, ner))
    else:
        process_chunk = Engine.process_chunk
        monkeypatch.setattr(Engine, "process_chunk", lambda self, chunk: kill_once() or process_chunk(self, chunk))
    raw = make_raw(tmp_path / "raw", 2)
    suspects = [Chunk(raw.name, (Task(p.stem, ((p.name, p.read_bytes()),)),)) for p in sorted(raw.iterdir())]
    results = [o for r in executors._one_by_one(suspects, Snapshot.of(config), False) for o in r]
    assert flag.exists() and [(o.doc_id, o.stats["failed"]) for o in results] == [("synthetic_00000", False), ("synthetic_00001", False)]


def test_workers_that_die_before_any_document_stop_the_run_instead_of_looping(tmp_path, config, monkeypatch):
    from pipeline.batch import executors
    from pipeline.batch.work import Chunk, Snapshot, Task

    monkeypatch.setattr(executors, "warm", lambda snapshot, ner: os.kill(os.getpid(), signal.SIGKILL))  # every worker, every time
    raw = make_raw(tmp_path / "raw", 1)
    [path] = sorted(raw.iterdir())
    suspects = [Chunk(raw.name, (Task(path.stem, ((path.name, path.read_bytes()),)),))]
    with pytest.raises(executors.WorkersDie, match="died 3 times in a row before it could take a document"):
        list(executors._one_by_one(suspects, Snapshot.of(config), False))


class _Broken(Exception):
    pass


@pytest.mark.parametrize("breaks_at", ["submit", "result"])
def test_chunks_sent_to_a_pool_that_breaks_are_all_lost_and_none_forgotten(breaks_at):
    """Whether the pool breaks while a chunk is submitted or while a result is read, every chunk not yielded is in ``lost``."""
    from concurrent.futures import Future

    from pipeline.batch.executors import _bounded
    from pipeline.batch.work import Chunk

    chunks = [Chunk(f"raw{k}", ()) for k in range(5)]
    sent = []

    def submit(chunk):
        if breaks_at == "submit" and len(sent) == 3:
            raise _Broken
        sent.append(chunk)
        future = Future()
        if breaks_at == "result" and len(sent) == 2:
            future.set_exception(_Broken())
        else:
            future.set_result([])
        return future

    lost: list = []
    yielded = []
    with pytest.raises(_Broken):
        for result in _bounded(submit, chunks, 2, lost):
            yielded.append(result)
    if breaks_at == "submit":  # chunks 0 and 1 done, 2 in flight, 3 refused; 4 still in the source for the next pool
        assert len(yielded) == 2 and sorted(c.raw_name for c in lost) == ["raw2", "raw3"]
    else:  # chunk 1 failed; chunk 0 was yielded or is lost with it, never both, never neither
        assert len(yielded) + len(lost) == 2 and "raw1" in [c.raw_name for c in lost]


def _copy_configs(tmp_path: Path, change, skip: str = "") -> Path:
    """Copy configs/ to tmp_path/my-configs with ``change(path, bytes)`` applied to each file, leaving out the file named ``skip``."""
    configs = tmp_path / "my-configs"
    for path in (REPO / "configs").rglob("*"):
        target = configs / path.relative_to(REPO / "configs")
        if path.is_dir():
            target.mkdir(parents=True, exist_ok=True)
        elif path.name != skip:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(change(path, path.read_bytes()))
    return configs


@pytest.mark.parametrize("workers", ["1", "2"])
def test_a_configuration_error_in_the_workers_is_a_usage_error_naming_the_users_folder(tmp_path, workers):
    raw = make_raw(tmp_path / "raw", 3)
    configs = _copy_configs(tmp_path, lambda path, data: data, skip="country_aliases.tsv")
    result = CliRunner().invoke(cli, ["--configs", str(configs), "run", str(raw), "--out", str(tmp_path / "out"), "--no-ner", "--workers", workers])
    assert result.exit_code == 2, result.output
    assert f"{configs}/registries/country_aliases.tsv: missing configuration file" in result.output
    assert "wpx-configs-" not in result.output and "Traceback" not in result.output


def test_workers_leave_no_copy_of_the_configs_behind(tmp_path, config, monkeypatch):
    private = tmp_path / "tmp"  # not the shared /tmp, where other runs come and go
    private.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(private))  # pool workers are forked: they inherit it
    batch.run(make_raw(tmp_path / "raw", 4), tmp_path / "out", config, ner=False, workers=2)
    assert list(private.iterdir()) == []


@pytest.mark.parametrize("command", ["run", "ingest"])
def test_a_folder_another_wpx_process_writes_is_a_usage_error(tmp_path, command):
    raw = make_raw(tmp_path / "raw", 1)
    out = tmp_path / "out"
    with exclusive(out):
        result = CliRunner().invoke(cli, ["--configs", str(REPO / "configs"), command, str(raw), "--out", str(out)])
    assert result.exit_code == 2 and "another wpx process is writing this folder" in result.output
    assert not (out / "documents.jsonl").exists()


def test_temporary_files_of_killed_writers_are_removed(tmp_path, config):
    raw = make_raw(tmp_path / "raw", 1)
    out = tmp_path / "out"
    out.mkdir()
    stale = [out / ".mentions.jsonl.abc123.tmp", out / ".manifest.json.x.tmp"]
    for path in stale:
        path.write_text("half")
    (out / ".notes.tmp").write_text("not ours")
    batch.run(raw, out, config, ner=False)
    assert not any(path.exists() for path in stale)
    assert (out / ".notes.tmp").exists()



@pytest.mark.parametrize("address", ["notaurl", "tcp://127.0.0.1", "tcp://:8786", "127.0.0.1:8786", "tcp://host:port"])
def test_a_malformed_scheduler_address_is_a_usage_error_before_anything_is_written(tmp_path, address):
    raw = make_raw(tmp_path / "raw", 1)
    result = CliRunner().invoke(cli, ["--configs", str(REPO / "configs"), "run", str(raw), "--out", str(tmp_path / "out"), "--scheduler", address])
    assert result.exit_code == 2 and "is no scheduler address; give it as tcp://HOST:PORT" in result.output
    assert not (tmp_path / "out").exists()
