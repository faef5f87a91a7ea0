from __future__ import annotations

import codecs
import hashlib
import json
import os
import shutil

import pytest

from pipeline import ingest
from pipeline.ingest.txt import IngestError, decode_text
from pipeline.records import Misuse, read_jsonl
from pipeline.schemas import problems

from .conftest import REPO, SEED_ID, SEED_RAW


@pytest.mark.parametrize(
    ("raw", "text", "encoding", "fallback"),
    [
        (b"Hello \xe2\x80\x9cworld\xe2\x80\x9d\r\n", "Hello \u201cworld\u201d\r\n", "utf-8", False),
        (codecs.BOM_UTF8 + b"Full text: X\n", "Full text: X\n", "utf-8-sig", False),
        (b"Caf\xe9 \x93quoted\x94\n", "Caf\u00e9 \u201cquoted\u201d\n", "cp1252", True),
        ("Cote d\u2019Ivoire\n".encode("utf-16"), "Cote d\u2019Ivoire\n", "utf-16", False),
    ],
)
def test_decode_keeps_text_unchanged_but_bom(raw, text, encoding, fallback):
    decoded = decode_text(raw)
    assert (decoded.text, decoded.encoding, decoded.encoding_fallback) == (text, encoding, fallback)


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (b"", "empty file"),
        (b"  \n\t\n", "empty file"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary file"),
        (b"abc\x81\x8ddef", "neither UTF-8 nor CP1252"),
        (codecs.BOM_UTF8 + b"\xff\xfe broken", "declared UTF-8 with BOM"),
    ],
)
def test_decode_rejects_bad_input(raw, reason):
    with pytest.raises(IngestError, match=reason):
        decode_text(raw)


def test_mojibake_is_reported_not_fixed():
    text = "China\u00e2\u20ac\u2122s export controls \u00e2\u20ac\u0153quoted\u00e2\u20ac\u009d\n"
    decoded = decode_text(text.encode("utf-8"))
    assert decoded.text == text
    assert any("mojibake" in w for w in decoded.warnings)


def test_seed_document_record(raw_dir, tmp_path, config):
    result = ingest.run(raw_dir, tmp_path / "out", config)
    assert (result.written, result.errors) == (1, [])
    [doc] = read_jsonl(tmp_path / "out" / "documents.jsonl")
    assert problems("documents.jsonl", doc) == []
    assert doc["doc_id"] == SEED_ID
    assert doc["source_path"] == f"raw/{SEED_ID}.txt"
    assert doc["sha256"] == hashlib.sha256(SEED_RAW.read_bytes()).hexdigest()
    assert doc["text"] == SEED_RAW.read_text(encoding="utf-8")
    assert (doc["title"], doc["publisher"], doc["published"]) == ("China's Export Controls", "Xinhua", "2021-12-29")


def test_doc_ids_follow_the_folder_layout(tmp_path, config):
    raw = tmp_path / "raw"
    (raw / "2021").mkdir(parents=True)
    (raw / "2021" / "export-controls.txt").write_text("Full text: A\n\nChina acted.\n", encoding="utf-8")
    (raw / ".DS_Store").write_bytes(b"\x00\x01")
    ingest.run(raw, tmp_path / "out", config)
    assert [d["doc_id"] for d in read_jsonl(tmp_path / "out" / "documents.jsonl")] == ["2021/export-controls"]


def test_a_linked_folder_is_read_and_an_output_folder_inside_raw_is_not(raw_dir, tmp_path, config):
    elsewhere = tmp_path / "elsewhere"
    (elsewhere / "2021").mkdir(parents=True)
    (elsewhere / "2021" / "a.txt").write_text("Full text: A\n\nChina acted in 2021.\n", encoding="utf-8")
    (raw_dir / "gov").symlink_to(elsewhere, target_is_directory=True)
    out = raw_dir / "extracted"
    for _ in range(2):  # the second time, OUT holds documents.jsonl and errors.jsonl: not input
        result = ingest.run(raw_dir, out, config)
        assert (result.written, result.errors) == (2, [])
    assert [d["doc_id"] for d in read_jsonl(out / "documents.jsonl")] == [SEED_ID, "gov/2021/a"]


def test_another_wpx_output_folder_inside_raw_is_not_input(raw_dir, tmp_path, config):
    """A full run's and a rules-only run's outputs kept side by side in raw/: each skips the other's, review pages included."""
    other = raw_dir / "ex1"
    (other / "review").mkdir(parents=True)
    for name in ("documents.jsonl", "errors.jsonl"):
        (other / name).write_text("", encoding="utf-8")
    (other / "review" / "page.html").write_text("<html><body><p>China joined the NSG in 2004.</p></body></html>", encoding="utf-8")
    (raw_dir / "notes").mkdir()
    (raw_dir / "notes" / "documents.jsonl").write_text("", encoding="utf-8")  # a documents.jsonl alone: not a wpx output folder
    assert [p.relative_to(raw_dir).as_posix() for p in ingest.discover(raw_dir, config, raw_dir / "ex2")] == [SEED_RAW.name, "notes/documents.jsonl"]


@pytest.mark.skipif(os.geteuid() != 0, reason="bind mounts need root")
def test_the_raw_folder_bind_mounted_as_output_folder_is_misuse(raw_dir, tmp_path, config):
    """`docker run -v papers:/raw -v papers:/out`: the paths differ, the folder is one."""
    import subprocess

    mounted = tmp_path / "mounted"
    mounted.mkdir()
    if subprocess.run(["mount", "--bind", str(raw_dir), str(mounted)], capture_output=True).returncode != 0:
        pytest.skip("mount --bind is not allowed here")
    try:
        with pytest.raises(Misuse, match="is the raw folder"):
            ingest.discover(raw_dir, config, mounted)
        (raw_dir / "out").mkdir()
        inner = tmp_path / "inner"
        inner.mkdir()
        subprocess.run(["mount", "--bind", str(raw_dir / "out"), str(inner)], check=True)
        try:
            (raw_dir / "out" / "x.txt").write_text("Full text: X\n\nChina.\n", encoding="utf-8")
            assert [p.name for p in ingest.discover(raw_dir, config, inner)] == [SEED_RAW.name]
        finally:
            subprocess.run(["umount", str(inner)], check=True)
    finally:
        subprocess.run(["umount", str(mounted)], check=True)


@pytest.mark.parametrize("spelled", ["same", "dot", "link"])
def test_the_raw_folder_as_output_folder_is_misuse(raw_dir, tmp_path, config, spelled):
    out = {"same": raw_dir, "dot": raw_dir / ".", "link": tmp_path / "alias"}[spelled]
    if spelled == "link":
        out.symlink_to(raw_dir, target_is_directory=True)
    with pytest.raises(Misuse, match="is the raw folder"):
        ingest.run(raw_dir, out, config)
    assert sorted(p.name for p in raw_dir.iterdir()) == [SEED_RAW.name]


@pytest.mark.parametrize("spelled", ["relative", "absolute", "dot", "link", "link/.", "dot in link", "up from a linked sub-folder"])
def test_source_paths_and_messages_do_not_depend_on_how_raw_is_spelled(raw_dir, tmp_path, config, monkeypatch, spelled):
    (raw_dir / "gone.txt").symlink_to(tmp_path / "nowhere.txt")
    (tmp_path / "alias").symlink_to(raw_dir, target_is_directory=True)
    (raw_dir / "sub").mkdir()
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "elsewhere" / "up").symlink_to(raw_dir / "sub", target_is_directory=True)
    monkeypatch.chdir(raw_dir if spelled in ("dot", "dot in link") else tmp_path)
    if spelled == "dot in link":
        monkeypatch.chdir(tmp_path / "alias")  # the working directory is the target: os.getcwd() resolves links
    given = {"relative": "raw", "absolute": str(raw_dir), "dot": ".", "link": "alias", "link/.": "alias/.", "dot in link": ".",
             "up from a linked sub-folder": "elsewhere/up/.."}[spelled]  # the OS resolves "up" first: raw/sub/.. is raw, not "elsewhere"
    result = ingest.run(given, tmp_path / "out", config)
    assert [d["source_path"] for d in read_jsonl(tmp_path / "out" / "documents.jsonl")] == [f"raw/{SEED_RAW.name}"]
    assert [(e["source_path"], e["message"]) for e in result.errors] == [("raw/gone.txt", "[Errno 2] No such file or directory: 'raw/gone.txt'")]


def test_bad_files_fail_alone(raw_dir, tmp_path, config):
    (raw_dir / "empty.txt").write_bytes(b"")
    (raw_dir / "image.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00")
    (raw_dir / "latin.txt").write_bytes(b"\x81\x8d\x8f")
    (raw_dir / "notes.docx").write_bytes(b"PK\x03\x04")
    result = ingest.run(raw_dir, tmp_path / "out", config)
    assert result.written == 1
    assert sorted((e["doc_id"], e["stage"]) for e in result.errors) == [
        ("empty", "ingest"), ("image", "ingest"), ("latin", "ingest"), ("notes", "ingest"),
    ]
    on_disk = list(read_jsonl(tmp_path / "out" / "errors.jsonl"))
    assert {e["source_path"] for e in on_disk} == {"raw/empty.txt", "raw/image.txt", "raw/latin.txt", "raw/notes.docx"}
    assert all(problems("errors.jsonl", e) == [] for e in on_disk)
    assert "unsupported file type '.docx'" in next(e["message"] for e in on_disk if e["doc_id"] == "notes")


def test_same_doc_id_twice_is_an_error(raw_dir, tmp_path, config):
    (raw_dir / f"{SEED_ID}.TXT").write_bytes(b"x")
    result = ingest.run(raw_dir, tmp_path / "out", config)
    assert result.written == 1
    assert "already taken" in result.errors[0]["message"]


@pytest.mark.parametrize(
    ("text", "flagged"),
    [("China\u00e2\u20ac\u2122s \u00e2\u20ac\u0153x", True), ("Caf\u00c3\u00a9 and na\u00c3\u00afve", True),
     ("\u00c2 single", False), ("plain text", False), ("\u00c3\u00c2\u00c3\u00c2", False)],
)
def test_mojibake_detector(text, flagged):
    from pipeline.ingest.txt import looks_like_mojibake

    assert looks_like_mojibake(text) is flagged


@pytest.mark.skipif(shutil.which("make") is None or not (REPO / ".venv" / "bin" / "wpx").exists(), reason="needs make and the installed wpx")
def test_make_extract_settles_with_its_output_folder_inside_raw_and_sees_a_relinked_folder(tmp_path):
    """The Makefile's raw listing is `wpx list-raw`: what ingest reads, so its own outputs and hidden files rerun nothing."""
    import subprocess

    raw = tmp_path / "raw"
    raw.mkdir()
    shutil.copy(SEED_RAW, raw)
    for version in ("v1", "v2"):
        (tmp_path / version).mkdir()
        (tmp_path / version / "a.txt").write_text(f"Full text: A\n\nChina joined the NSG in {2004 if version == 'v1' else 2005}.\n", encoding="utf-8")
    stamp = (tmp_path / "v1" / "a.txt").stat()
    os.utime(tmp_path / "v2" / "a.txt", ns=(stamp.st_atime_ns, stamp.st_mtime_ns))  # same size and time: only the link tells
    (raw / "linked").symlink_to(tmp_path / "v1", target_is_directory=True)
    make = ["make", "-C", str(REPO), "-s", "-o", ".venv/.installed", f"RAW={raw}", f"OUT={raw / 'out'}"]  # never reinstall the venv

    def to_run() -> list[str]:
        return [line for line in subprocess.run([*make, "-n", "extract"], capture_output=True, text=True, check=True).stdout.splitlines() if " wpx " in f" {line} " or "/wpx " in line]

    subprocess.run([*make, "extract"], capture_output=True, check=True)
    assert to_run() == []  # its own outputs in raw/out are not raw files
    (raw / ".notes.txt").write_text("a hidden file ingest skips", encoding="utf-8")
    assert to_run() == []
    (raw / "linked").unlink()
    (raw / "linked").symlink_to(tmp_path / "v2", target_is_directory=True)
    assert any("ingest" in line for line in to_run())
    subprocess.run([*make, "extract"], capture_output=True, check=True)
    raw.rename(tmp_path / "gone")  # a listing that cannot be made stops make; before, the old one ran nothing and make exited 0
    moved = [part.replace(str(raw), str(tmp_path / "gone")) if part.startswith("OUT=") else part for part in make]
    failed = subprocess.run([*moved, "extract"], capture_output=True, text=True)
    assert failed.returncode != 0 and "does not exist" in failed.stderr, failed.stderr


@pytest.mark.parametrize("renamed", [b"z\\xff.txt", b"z\tb.txt"])
def test_the_raw_listing_tells_any_two_names_apart(tmp_path, config, renamed):
    """A file named with the byte 0xff and one named with the text "\\xff" once listed alike: a rename reran nothing."""
    raw = tmp_path / "raw"
    raw.mkdir()
    with open(os.path.join(os.fsencode(raw), b"z\xff.txt"), "wb") as handle:
        handle.write(b"Full text: Z\n\nChina.\n")
    before = list(ingest.listing(raw, config))
    os.rename(os.path.join(os.fsencode(raw), b"z\xff.txt"), os.path.join(os.fsencode(raw), renamed))
    after = list(ingest.listing(raw, config))
    assert len(before) == len(after) == 1 and before != after
    assert [json.loads(line)[0] for line in after] == [os.fsdecode(renamed)]


def test_a_stage_killed_before_its_output_is_replaced_has_written_its_errors(tmp_path, config, monkeypatch):
    """errors.jsonl is written before the stage's output replaces the old one: a kill between them leaves the output older than its inputs, so `make` runs the stage again (review, fifteenth session)."""
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "a.txt").write_text("Full text: A\n\nChina held five rounds of dialogue with Japan in 2019.\n", encoding="utf-8")
    out = tmp_path / "out"
    ingest.run(raw, out, config)
    before = (out / "documents.jsonl").read_bytes()
    (raw / "junk.txt").write_bytes(b"\x00\x01binary")
    replace = os.replace

    def killed_at_the_output(src, dst):
        if str(dst).endswith("documents.jsonl"):
            raise KeyboardInterrupt  # stands for SIGKILL at the rename
        return replace(src, dst)

    monkeypatch.setattr("pipeline.records.os.replace", killed_at_the_output)
    with pytest.raises(KeyboardInterrupt):
        ingest.run(raw, out, config)
    assert (out / "documents.jsonl").read_bytes() == before
    assert [e["doc_id"] for e in read_jsonl(out / "errors.jsonl")] == ["junk"]
