from __future__ import annotations

import subprocess
import sys

import pytest
from click.testing import CliRunner

from pipeline.cli import _finish, cli
from pipeline.records import error_record

from .conftest import GOLD_DIR, REPO
from .consumer_fixtures import consumer_out, consumer_out_ro  # noqa: F401


def invoke(*args):
    return CliRunner().invoke(cli, ["--configs", str(REPO / "configs"), *args])


def test_run_writes_outputs_and_is_byte_identical(raw_dir, tmp_path):
    first, second = tmp_path / "a", tmp_path / "b"
    assert invoke("run", str(raw_dir), "--out", str(first)).exit_code == 0
    assert invoke("run", str(raw_dir), "--out", str(second)).exit_code == 0
    for name in ("documents.jsonl", "segments.jsonl"):
        assert (first / name).read_bytes() == (second / name).read_bytes()
        assert (first / name).stat().st_size > 0


def test_bad_input_exit_code_and_stderr(raw_dir, tmp_path):
    (raw_dir / "broken.txt").write_bytes(b"\x00\x00\x00")
    result = invoke("run", str(raw_dir), "--out", str(tmp_path / "o"))
    assert result.exit_code == 1
    assert "raw/broken.txt" in result.output and "binary file" in result.output
    assert (tmp_path / "o" / "documents.jsonl").read_text(encoding="utf-8").count("\n") == 1


PAGE = "<html><head><title>Full text: A</title></head><body><h1>Full text: A</h1><p>China joined the NSG in 2004.</p></body></html>"


@pytest.mark.parametrize("command, summary", [
    ("ingest", "wpx ingest: 1 documents written, 0 failed, 1 with warnings"),
    ("run", "wpx run: 1 documents: 1 processed, 0 skipped (unchanged), 0 dropped; 0 failed, 1 with warnings; "),
])
def test_a_warning_is_counted_as_a_warning_not_a_failure(tmp_path, command, summary):
    raw = tmp_path / "raw"
    raw.mkdir()
    for name in ("a.html", "a_3.html"):  # page 2 is missing: the article is written, flagged
        (raw / name).write_text(PAGE, encoding="utf-8")
    result = invoke(command, str(raw), "--out", str(tmp_path / "out"), "-q", *(["--no-ner", "--workers", "1"] if command == "run" else []))
    assert result.exit_code == 1  # as documented: a flagged document makes the command exit 1
    assert summary in result.output.splitlines()[-1], result.output
    assert "IngestWarning: multi-page article without page(s) 2" in result.output


@pytest.mark.parametrize("allowed, expected", [({0}, 1), ({0, 1}, 2)])
def test_workers_default_to_the_cpus_this_process_may_use(raw_dir, tmp_path, monkeypatch, allowed, expected):
    import os

    from pipeline import batch

    seen = {}

    def fake_run(raw, out, config, **options):
        seen.update(options)
        return batch.Summary()

    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: set(allowed))
    monkeypatch.setattr(os, "cpu_count", lambda: 64)
    monkeypatch.setattr(batch, "run", fake_run)
    assert invoke("run", str(raw_dir), "--out", str(tmp_path / "out"), "-q").exit_code == 0
    assert seen["workers"] == expected


def test_config_error_is_exit_2(raw_dir, tmp_path):
    result = CliRunner().invoke(cli, ["--configs", str(tmp_path / "missing"), "run", str(raw_dir)])
    assert result.exit_code == 2
    assert "configuration folder not found" in result.output


@pytest.mark.parametrize("command", sorted(cli.commands))
def test_every_command_has_help_with_an_example(command):
    result = invoke(command, "--help")
    assert result.exit_code == 0
    assert "Example: wpx" in result.output


def test_console_script_is_installed():
    exe = REPO / ".venv" / "bin" / "wpx"
    target = [str(exe)] if exe.exists() else [sys.executable, "-m", "pipeline.cli"]
    out = subprocess.run([*target, "--version"], capture_output=True, text=True, check=True)
    assert "wpx" in out.stdout


@pytest.mark.parametrize(("command", "damaged"), [
    (["export", "{out}"], "mentions.jsonl"), (["export", "{out}"], "segments.jsonl"), (["card", "{out}", "-o", "-"], "mentions.jsonl"),
    (["stats", "{out}"], "mentions.jsonl"), (["review", "{out}", "--doc", "alpha", "-o", "-"], "segments.jsonl"), (["extract", "--out", "{out}"], "segments.jsonl"),
])
def test_a_malformed_record_is_a_user_error_naming_file_and_line(consumer_out, command, damaged):
    """A JSONL line that is no JSON object ends a command with file:line and exit 1, not a traceback."""
    path = consumer_out / damaged
    lines = path.read_text(encoding="utf-8").count("\n")
    with path.open("a", encoding="utf-8") as handle:
        handle.write("[1, 2]\n")
    result = invoke(*[part.format(out=consumer_out) for part in command])
    assert result.exit_code == 1, result.output
    assert f"{damaged}:{lines + 1}: expected a JSON object" in result.output
    assert "Traceback" not in result.output and isinstance(result.exception, SystemExit)


@pytest.mark.parametrize(("command", "damaged"), [
    (["stats", "{out}"], "relations.jsonl"), (["card", "{out}", "-o", "-"], "mentions.jsonl"), (["export", "{out}"], "segments.jsonl"),
    (["review", "{out}", "--doc", "alpha", "-o", "-"], "segments.jsonl"),
])
def test_bytes_that_are_no_utf8_are_a_user_error_naming_file_and_line(consumer_out, command, damaged):
    """A JSONL line that is not UTF-8 ends a command with file:line and exit 1, not a UnicodeDecodeError traceback (review, fifteenth session)."""
    path = consumer_out / damaged
    lines = path.read_bytes().count(b"\n")
    with path.open("ab") as handle:
        handle.write(b'{"doc_id": "caf\xe9"}\n')
    result = invoke(*[part.format(out=consumer_out) for part in command])
    assert result.exit_code == 1, result.output
    assert f"{damaged}:{lines + 1}: not valid UTF-8" in result.output
    assert "Traceback" not in result.output and isinstance(result.exception, SystemExit)


def test_an_empty_output_folder_is_a_usage_error(raw_dir):
    result = invoke("run", str(raw_dir), "--out", "")  # --out "$OUT" with OUT unset: not the current folder
    assert result.exit_code == 2 and "an empty path" in result.output


def test_export_writes_the_card_to_stdout_with_a_dash(consumer_out, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["--configs", str(REPO / "configs"), "export", str(consumer_out), "--tables", str(tmp_path / "t"), "--card", "-"])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("# Dataset card") and not (tmp_path / "-").exists()


@pytest.mark.parametrize(("command", "missing"), [
    (["segment", "--out", "{out}"], "documents.jsonl"), (["extract", "--out", "{out}"], "segments.jsonl"), (["relate", "--out", "{out}"], "parses/index.json"),
])
def test_a_missing_input_is_a_usage_error_naming_the_file(tmp_path, command, missing):
    """A stage run before the stage that writes its input ends with the file's name and exit 2, not a traceback."""
    result = invoke(*[part.format(out=tmp_path) for part in command])
    assert result.exit_code == 2, result.output
    assert f"{tmp_path / missing}" in result.output
    assert "Traceback" not in result.output and isinstance(result.exception, SystemExit)
    assert sorted(p.name for p in tmp_path.iterdir()) == []  # nothing written, not even an empty output


def test_a_failed_stage_keeps_a_folder_that_existed_when_out_is_spelled_through_a_new_one(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "keep").mkdir()
    result = invoke("segment", "--out", "nothere/../keep")
    assert result.exit_code == 2, result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["keep"]


@pytest.mark.parametrize("command", [["segment"], ["extract"], ["relate"]])
def test_a_stage_that_fails_on_a_new_output_folder_leaves_no_folder(tmp_path, command):
    out = tmp_path / "typo" / "nested"
    result = invoke(*command, "--out", str(out))
    assert result.exit_code == 2, result.output
    assert not (tmp_path / "typo").exists()


def _parsed_blocks(out):
    """Write OUT/parses/ as extract with the model does: one block per document of ``out`` (a hand-made dependency parse)."""
    import spacy
    from spacy.tokens import Doc

    from pipeline.parses import PartsWriter
    from pipeline.records import read_jsonl

    vocab = spacy.blank("en").vocab
    with PartsWriter(out) as parts:
        for document in read_jsonl(out / "documents.jsonl"):
            block = Doc(vocab, words=["A", "block", "."], heads=[1, 1, 1], deps=["det", "ROOT", "punct"])
            block.user_data.update({"wpx_doc_id": document["doc_id"], "wpx_offset": 0})
            parts.add(document["doc_id"], [block])


def test_relate_names_a_malformed_mention(consumer_out):
    """relate reads mentions one document at a time; a bad line still ends it with file:line and exit 1."""
    _parsed_blocks(consumer_out)
    lines = (consumer_out / "mentions.jsonl").read_text(encoding="utf-8").count("\n")
    with (consumer_out / "mentions.jsonl").open("a", encoding="utf-8") as handle:
        handle.write('{"id": "no doc_id"}\n')
    relations = (consumer_out / "relations.jsonl").read_bytes()
    result = invoke("relate", "--out", str(consumer_out))
    assert result.exit_code == 1, result.output
    assert f"mentions.jsonl:{lines + 1}: no doc_id" in result.output
    assert (consumer_out / "relations.jsonl").read_bytes() == relations  # the previous output stays


def test_relate_stops_on_a_damaged_parse_part(consumer_out):
    """A damaged part of parses/ is the folder's fault, not a document's: exit 1 naming it, the previous relations kept."""
    from pipeline.parses import FOLDER

    _parsed_blocks(consumer_out)
    (consumer_out / FOLDER / "00000.spacy").write_bytes(b"damaged")
    relations = (consumer_out / "relations.jsonl").read_bytes()
    result = invoke("relate", "--out", str(consumer_out))
    assert result.exit_code == 1, result.output
    assert "parses/00000.spacy: unreadable part" in result.output and "run wpx extract again" in result.output
    assert "Traceback" not in result.output
    assert (consumer_out / "relations.jsonl").read_bytes() == relations


def test_relate_needs_its_inputs_even_after_a_rules_only_extract(consumer_out):
    from pipeline.parses import PartsWriter

    with PartsWriter(consumer_out, ner=False):
        pass
    (consumer_out / "mentions.jsonl").unlink()
    result = invoke("relate", "--out", str(consumer_out))
    assert result.exit_code == 2, result.output
    assert "mentions.jsonl: no such file" in result.output


# --- consumer commands: one exit code for a missing input (2), one for a damaged file (1) -----



def _drop_field(path, lineno, field):
    """Remove ``field`` from line ``lineno`` (1-based) of a JSONL file."""
    import json

    lines = path.read_text(encoding="utf-8").splitlines()
    record = json.loads(lines[lineno - 1])
    del record[field]
    lines[lineno - 1] = json.dumps(record)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


@pytest.mark.parametrize(("command", "missing"), [
    (["validate", "{out}"], "documents.jsonl"), (["export", "{out}"], "documents.jsonl"), (["card", "{out}"], "documents.jsonl"),
    (["stats", "{out}"], "documents.jsonl"), (["review", "{out}", "--doc", "alpha"], "documents.jsonl"),
    (["engagements", "{out}"], "relations.jsonl"), (["evaluate", "--gold", str(GOLD_DIR), "--pred", "{out}"], "mentions.jsonl"),
])
def test_a_consumer_command_without_its_input_is_a_usage_error_naming_the_file(tmp_path, command, missing):
    """As for the stage commands: exit 2 and the missing file's name, not exit 1."""
    result = invoke(*[part.format(out=tmp_path) for part in command])
    assert result.exit_code == 2, result.output
    assert f"{tmp_path / missing}" in result.output
    assert "Traceback" not in result.output and isinstance(result.exception, SystemExit)


@pytest.mark.parametrize("command", [["review", "{out}", "--doc", "nosuch"], ["review", "{out}", "--doc", "nosuch", "-o", "-"]])
def test_an_unknown_doc_id_is_a_usage_error(consumer_out, command):
    result = invoke(*[part.format(out=consumer_out) for part in command])
    assert result.exit_code == 2 and "'nosuch' is not in" in result.output, result.output


@pytest.mark.parametrize("field", ["counterparts", "activity", "dates", "doc_id"])
def test_engagements_names_a_relation_without_a_field(consumer_out, field):
    _drop_field(consumer_out / "relations.jsonl", 2, field)
    result = invoke("engagements", str(consumer_out))
    assert result.exit_code == 1, result.output
    assert f"relations.jsonl:2: missing field '{field}'" in result.output
    assert "Traceback" not in result.output and isinstance(result.exception, SystemExit)


@pytest.mark.parametrize("command", [["export", "{out}"], ["stats", "{out}"], ["card", "{out}", "-o", "-"]])
@pytest.mark.parametrize("field", ["text", "start", "doc_id"])
def test_commands_building_entities_name_a_mention_without_a_field(consumer_out, command, field):
    """export, stats and the card group mentions by entity; a mention lacking a field they read is named, not a KeyError."""
    _drop_field(consumer_out / "mentions.jsonl", 1, field)
    result = invoke(*[part.format(out=consumer_out) for part in command])
    assert result.exit_code == 1, result.output
    assert f"mentions.jsonl:1: missing field '{field}'" in result.output
    assert "Traceback" not in result.output and isinstance(result.exception, SystemExit)


def test_a_folder_that_cannot_be_written_is_an_error_not_a_traceback(tmp_path, monkeypatch):
    """A read-only or full output folder ends the command with the file and the reason (exit 1)."""
    import errno

    from pipeline import records

    def refuse(path):
        raise OSError(errno.EROFS, "Read-only file system", str(path))

    monkeypatch.setattr(records, "temp_beside", refuse)
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "a.txt").write_text("Full text: A\n\nChina joined the Zangger Committee in 1997.\n", encoding="utf-8")
    result = invoke("ingest", str(raw), "--out", str(tmp_path / "out"))
    assert result.exit_code == 1 and "documents.jsonl: Read-only file system" in result.output, result.output
    assert "Traceback" not in result.output and isinstance(result.exception, SystemExit)


@pytest.mark.parametrize(("error", "shown"), [
    (error_record("a", "raw/a.txt", "relate", KeyError("start")), "wpx: error: raw/a.txt: [relate] KeyError: 'start'"),
    (error_record("b", None, "ingest", "no text layer", kind="IngestWarning"), "wpx: error: b: [ingest] IngestWarning: no text layer"),
])
def test_per_document_errors_name_their_type(capsys, error, shown):
    with pytest.raises(SystemExit) as exited:
        _finish([error], "summary")
    assert exited.value.code == 1 and capsys.readouterr().err.splitlines() == [shown, "summary"]
