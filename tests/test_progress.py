"""The progress line of `wpx run` and the stage commands."""
from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest

from pipeline import extract, ingest, relate, segment
from pipeline.progress import Progress, for_records
from pipeline.records import DOCUMENTS, SEGMENTS

from .conftest import GENRE


def test_progress_line_counts_documents_and_words(capsys):
    bar = Progress(2, enabled=True, interval=0)
    bar.update(1, 500)
    bar.update(1, 700)
    bar.close()
    err = capsys.readouterr().err
    assert err.startswith("\rwpx run [") and "2/2 documents" in err and "words/s" in err and err.endswith("\n")
    silent = Progress(2, enabled=False)
    silent.update(2, 10)
    silent.close()
    assert capsys.readouterr().err == ""


def test_without_a_total_the_line_counts_alone(capsys):
    bar = Progress(None, enabled=True, interval=0, name="wpx segment")
    bar.document("three words here")
    bar.close()
    err = capsys.readouterr().err
    assert "wpx segment 1 documents" in err and "[" not in err


@pytest.mark.parametrize("path", ["-", "file"])
def test_for_records_counts_the_documents_of_a_file(tmp_path, path):
    (tmp_path / "file").write_text('{"a": 1}\n\n{"a": 2}\n', encoding="utf-8")
    bar = for_records("wpx x", "-" if path == "-" else tmp_path / path, True)
    assert bar.total == (None if path == "-" else 2)
    assert for_records("wpx x", tmp_path / "missing", False).total is None  # nothing is read when the line is off


def test_each_stage_command_shows_its_progress(tmp_path, config, capsys):
    """The stage commands (make extract) show documents done out of the total, per stage, when asked."""
    raw, out = GENRE / "dev" / "raw", tmp_path / "out"
    documents = len(list(raw.iterdir()))
    ingest.run(raw, out, config, progress=True)
    segment.run(out / DOCUMENTS, out, config, progress=True)
    extract.run((out / DOCUMENTS, out / SEGMENTS), out, config, ner=False, progress=True)
    relate.run(out, config, progress=True)
    err = capsys.readouterr().err
    for stage in ("ingest", "segment", "extract", "relate"):
        assert f"wpx {stage} [########################] {documents}/{documents} documents" in err
    ingest.run(raw, tmp_path / "quiet", config)
    assert capsys.readouterr().err == ""


def test_a_pipe_is_read_once_with_the_progress_line_on(tmp_path, config, capsys):
    """Counting a pipe's records for the total would consume it: segment from a pipe still writes every segment."""
    raw, out = GENRE / "dev" / "raw", tmp_path / "out"
    ingest.run(raw, out, config)
    segment.run(out / DOCUMENTS, out, config)
    expected = (out / SEGMENTS).read_bytes()
    read_end, write_end = os.pipe()
    feeder = threading.Thread(target=lambda: (os.write(write_end, (out / DOCUMENTS).read_bytes()), os.close(write_end)))
    feeder.start()
    try:
        segment.run(Path(f"/dev/fd/{read_end}"), tmp_path / "piped", config, progress=True)
    finally:
        feeder.join()
        os.close(read_end)
    assert (tmp_path / "piped" / SEGMENTS).read_bytes() == expected
    assert "wpx segment" in capsys.readouterr().err


@pytest.mark.parametrize("records, said", [
    ([], ""),
    ([("a", "IngestWarning"), ("a", "IngestWarning")], ", 1 with warnings"),  # two warnings of one document
    ([("a", "IngestWarning"), ("b", "IngestWarning")], ", 2 with warnings"),
    ([("a", "IngestWarning"), ("a", "IngestError")], ""),  # failed: counted among the failures only
    ([("a", "IngestWarning"), ("b", "FileNotFoundError")], ", 1 with warnings"),
])
def test_warnings_count_the_documents_written_but_flagged(records, said):
    from pipeline.batch.progress import warned
    from pipeline.records import error_record

    assert warned([error_record(doc_id, None, "ingest", "m", kind=kind) for doc_id, kind in records]) == said
