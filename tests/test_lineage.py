"""Stage commands refuse inputs made from an older version of another input, and files of the wrong kind."""
from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from pipeline import api, batch, extract, ingest, lineage, relate, segment
from pipeline.cli import cli
from pipeline.parses import MissingParses

from .batch_fixtures import make_raw
from .conftest import REPO


def _stages_in_order(raw, out, config):
    for _, stage in api.stages(True):
        stage(raw, out, config)


def _edit_a_document(raw):
    path = sorted(raw.iterdir())[0]
    path.write_text(path.read_text(encoding="utf-8") + "\nChina signed the Treaty in 2020.\n", encoding="utf-8")


@pytest.mark.parametrize(("redone", "then", "stale"), [
    ("ingest", "extract", "segments.jsonl was made from another version of"),
    ("ingest", "relate", "segments.jsonl was made from another version of"),
    ("segment", "relate", "mentions.jsonl was made from another version of"),
])
def test_a_stage_refuses_inputs_made_from_an_older_input(tmp_path, config, redone, then, stale):
    raw = make_raw(tmp_path / "raw", 2)
    out = tmp_path / "out"
    _stages_in_order(raw, out, config)
    _edit_a_document(raw)
    ingest.run(raw, out, config)
    if redone == "segment":
        segment.run(out / "documents.jsonl", out, config)
    before = (out / "relations.jsonl").read_bytes(), (out / "mentions.jsonl").read_bytes()
    with pytest.raises(lineage.StaleInput, match=stale):
        if then == "extract":
            extract.run((out / "documents.jsonl", out / "segments.jsonl"), out, config)
        else:
            relate.run(out, config)
    assert ((out / "relations.jsonl").read_bytes(), (out / "mentions.jsonl").read_bytes()) == before  # nothing written


def test_stages_in_order_and_after_a_run_pass_the_check(tmp_path, config):
    raw = make_raw(tmp_path / "raw", 2)
    out = tmp_path / "out"
    _stages_in_order(raw, out, config)
    _edit_a_document(raw)
    _stages_in_order(raw, out, config)  # again, in order, after the edit
    batch.run(raw, out, config)
    segment.run(out / "documents.jsonl", out, config)  # a run's outputs go on through the stage commands
    extract.run((out / "documents.jsonl", out / "segments.jsonl"), out, config)
    assert relate.run(out, config).written > 0


@pytest.mark.parametrize("source", ["a copy elsewhere", "stdin"])
def test_documents_read_from_elsewhere_are_compared_with_outs_own(tmp_path, config, monkeypatch, source):
    """Segments made from a copy of OUT's documents pass; once OUT's documents change, they do not (stdin is hashed as it is read)."""
    import io
    import sys

    raw = make_raw(tmp_path / "raw", 1)
    out = tmp_path / "out"
    _stages_in_order(raw, out, config)
    elsewhere = tmp_path / "documents.jsonl"
    shutil.copy(out / "documents.jsonl", elsewhere)
    if source == "stdin":
        monkeypatch.setattr(sys, "stdin", io.StringIO(elsewhere.read_text(encoding="utf-8")))
    segment.run("-" if source == "stdin" else elsewhere, out, config)
    extract.run((out / "documents.jsonl", out / "segments.jsonl"), out, config)  # the same bytes as OUT's
    _edit_a_document(raw)
    ingest.run(raw, out, config)
    with pytest.raises(lineage.StaleInput, match="segments.jsonl was made from another version of"):
        extract.run((out / "documents.jsonl", out / "segments.jsonl"), out, config)


@pytest.mark.parametrize("given", ["mentions.jsonl", "segments.jsonl", "relations.jsonl"])
def test_segment_refuses_a_file_of_another_stage_as_documents(tmp_path, given):
    raw = make_raw(tmp_path / "raw", 1)
    out = tmp_path / "out"
    runner = CliRunner()
    assert runner.invoke(cli, ["--configs", str(REPO / "configs"), "run", str(raw), "--out", str(out), "-q"]).exit_code == 0
    before = (out / "segments.jsonl").read_bytes()
    result = runner.invoke(cli, ["--configs", str(REPO / "configs"), "segment", "--out", str(out), "--documents", str(out / given), "-q"])
    assert result.exit_code == 2, result.output
    assert f"{out / given}: does not hold documents.jsonl records" in result.output
    assert (out / "segments.jsonl").read_bytes() == before


def test_a_stale_input_is_a_usage_error_at_the_command_line(tmp_path):
    raw = make_raw(tmp_path / "raw", 1)
    out = tmp_path / "out"
    base = ["--configs", str(REPO / "configs")]
    runner = CliRunner()
    for args in (["ingest", str(raw)], ["segment"], ["extract", "--no-ner"]):
        assert runner.invoke(cli, [*base, *args, "--out", str(out), "-q"]).exit_code == 0
    _edit_a_document(raw)
    assert runner.invoke(cli, [*base, "ingest", str(raw), "--out", str(out), "-q"]).exit_code == 0
    result = runner.invoke(cli, [*base, "relate", "--out", str(out), "-q"])
    assert result.exit_code == 2 and "was made from another version of" in result.output


def test_an_input_of_out_spelled_another_way_is_still_checked(tmp_path, config, monkeypatch):
    raw = make_raw(tmp_path / "raw", 1)
    monkeypatch.chdir(tmp_path)
    out = Path("out")  # relative, while the documents are named by their absolute path
    ingest.run(raw, out, config)
    segment.run((tmp_path / "out" / "documents.jsonl").resolve(), out, config)
    _edit_a_document(raw)
    ingest.run(raw, out, config)
    with pytest.raises(lineage.StaleInput, match="segments.jsonl was made from another version of"):
        extract.run((out / "documents.jsonl", out / "segments.jsonl"), out, config)


@pytest.mark.parametrize("run_ner", [True, False])
def test_a_run_deletes_the_parses_of_the_mentions_it_replaces(tmp_path, config, run_ner):
    """Rules-only parses beside a full run's mentions related nothing and replaced the run's relations; now relate asks for extract."""
    raw = make_raw(tmp_path / "raw", 2)
    out = tmp_path / "out"
    for _, stage in api.stages(not run_ner):
        stage(raw, out, config)
    batch.run(raw, out, config, ner=run_ner)
    assert not (out / "parses").exists()
    with pytest.raises(MissingParses):
        relate.run(out, config)


def test_extract_compares_the_segments_with_the_documents_it_is_given(tmp_path, config):
    raw = make_raw(tmp_path / "raw", 2)
    out = tmp_path / "out"
    _stages_in_order(raw, out, config)
    other = make_raw(tmp_path / "other-raw", 1, seed=9)
    ingest.run(other, tmp_path / "other", config)
    with pytest.raises(lineage.StaleInput, match=f"segments.jsonl was made from another version of {tmp_path / 'other' / 'documents.jsonl'}"):
        extract.run((tmp_path / "other" / "documents.jsonl", out / "segments.jsonl"), out, config)


@pytest.mark.parametrize("noted", ['{"segments.jsonl": "x"}', '[1]', '{"mentions.jsonl": {"documents.jsonl": 5}}', "{"])
def test_a_damaged_lineage_file_is_no_traceback(tmp_path, config, noted):
    raw = make_raw(tmp_path / "raw", 1)
    out = tmp_path / "out"
    _stages_in_order(raw, out, config)
    (out / lineage.FILE).write_text(noted, encoding="utf-8")
    try:
        relate.run(out, config)
    except lineage.StaleInput:
        pass  # a noted hash that matches nothing is a refusal, not a crash


def test_consumers_refuse_a_folder_whose_files_do_not_belong_together(tmp_path, config):
    """Relations of a document that is gone would reach the tables and the scores."""
    raw = make_raw(tmp_path / "raw", 2)
    out = tmp_path / "out"
    _stages_in_order(raw, out, config)
    _edit_a_document(raw)
    for run in (ingest.run, lambda raw, out, config: segment.run(out / "documents.jsonl", out, config)):
        run(raw, out, config)
    extract.run((out / "documents.jsonl", out / "segments.jsonl"), out, config)  # relations.jsonl is the old one
    base = ["--configs", str(REPO / "configs")]
    for command in (["export", str(out), "--tables", str(tmp_path / "t")], ["stats", str(out)], ["engagements", str(out)],
                    ["evaluate", "--gold", str(tmp_path / "raw"), "--pred", str(out)], ["card", str(out), "-o", "-"]):
        result = CliRunner().invoke(cli, [*base, *command])
        assert result.exit_code == 2 and "relations.jsonl was made from another version of" in result.output, (command, result.output)
    result = CliRunner().invoke(cli, [*base, "validate", str(out)])
    assert result.exit_code == 1 and "relations.jsonl was made from another version of" in result.output


@pytest.mark.parametrize("newline", ["\r\n", "\r"])
def test_documents_piped_with_other_line_ends_are_read_as_the_same_file_would_be(tmp_path, config, newline):
    """A pipe is hashed byte by byte but read as text, as a file is: a lone CR ends a line there too."""
    import subprocess

    from .batch_fixtures import wpx

    raw = make_raw(tmp_path / "raw", 2)
    out = tmp_path / "out"
    ingest.run(raw, out, config)
    text = (out / "documents.jsonl").read_bytes().replace(b"\n", newline.encode())
    (tmp_path / "documents.jsonl").write_bytes(text)
    segment.run(tmp_path / "documents.jsonl", tmp_path / "from-file", config)
    done = subprocess.run([*wpx(), "segment", "--documents", "/dev/stdin", "--out", str(tmp_path / "from-pipe"), "-q"], input=text, capture_output=True)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "from-pipe" / "segments.jsonl").read_bytes() == (tmp_path / "from-file" / "segments.jsonl").read_bytes()
    noted = json.loads((tmp_path / "from-pipe" / lineage.FILE).read_text(encoding="utf-8"))["segments.jsonl"]
    assert noted == {"documents.jsonl": hashlib.sha256(text).hexdigest()}


@pytest.mark.parametrize("piped", ["the same documents", "other documents"])
def test_documents_piped_into_segment_are_hashed_as_they_are_read(tmp_path, config, piped):
    """A pipe is read once: its bytes are hashed while segment reads them, so extract can tell piped documents that are not OUT's."""
    import subprocess

    from .batch_fixtures import wpx

    raw = make_raw(tmp_path / "raw", 1)
    out = tmp_path / "out"
    _stages_in_order(raw, out, config)
    other = make_raw(tmp_path / "other", 1, seed=2)
    ingest.run(other, tmp_path / "other-out", config)
    text = (out if piped == "the same documents" else tmp_path / "other-out").joinpath("documents.jsonl").read_bytes()
    done = subprocess.run([*wpx(), "segment", "--documents", "/dev/stdin", "--out", str(out), "-q"], input=text, capture_output=True)
    assert done.returncode == 0, done.stderr
    noted = json.loads((out / lineage.FILE).read_text(encoding="utf-8"))["segments.jsonl"]
    assert noted == {"documents.jsonl": hashlib.sha256(text).hexdigest()}
    if piped == "the same documents":
        extract.run((out / "documents.jsonl", out / "segments.jsonl"), out, config)
    else:  # before, extract wrote no mentions and no error: the segments were another document's
        with pytest.raises(lineage.StaleInput, match="segments.jsonl was made from another version of"):
            extract.run((out / "documents.jsonl", out / "segments.jsonl"), out, config)


def test_a_missing_output_is_not_compared_with_old_notes(tmp_path, config):
    """Export skips a missing relations table with a note: the lineage check must not refuse the folder for it."""
    raw = make_raw(tmp_path / "raw", 1)
    out = tmp_path / "out"
    _stages_in_order(raw, out, config)
    (out / "relations.jsonl").unlink()
    extract.run((out / "documents.jsonl", out / "segments.jsonl"), out, config, ner=False)
    lineage.check_folder(out)


def test_parses_made_beside_other_mentions_are_refused(tmp_path, config):
    """The parses folder is checked too: its noted mentions must be the ones relate reads."""
    raw = make_raw(tmp_path / "raw", 1)
    out = tmp_path / "out"
    _stages_in_order(raw, out, config)
    noted = json.loads((out / lineage.FILE).read_text(encoding="utf-8"))
    noted["parses"]["mentions.jsonl"] = "0" * 64  # as if extract had written them beside other mentions
    (out / lineage.FILE).write_text(json.dumps(noted), encoding="utf-8")
    with pytest.raises(lineage.StaleInput, match="parses was made from another version of .*mentions.jsonl; run `wpx extract`"):
        relate.run(out, config)
