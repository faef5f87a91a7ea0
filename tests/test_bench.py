"""The benchmark: what `make bench` reports about where a run's time goes, what it may delete and where it finds its corpus."""
from __future__ import annotations

import json
import re
import shutil

import pytest

import pipeline.bench.__main__ as bench_cli
from pipeline.batch.executors import local_engine
from pipeline.batch.work import STAGES
from pipeline.bench import corpus, measure, output

from .batch_fixtures import OUTPUTS, make_raw
from .conftest import REPO, SEED_RAW


@pytest.mark.parametrize("ner", [False, True])
def test_in_process_splits_the_run_into_stages_that_add_up(tmp_path, config, ner):
    result = measure.in_process(config, make_raw(tmp_path / "raw", 3), tmp_path / "out", ner=ner)
    stages = result["stage_seconds"]
    assert list(stages) == [*STAGES, "files"]
    assert all(value >= 0 for value in stages.values()), stages
    assert sum(stages.values()) == pytest.approx(result["seconds"])
    assert stages["extract"] > 0 and stages["segment"] > 0 and stages["serialize"] > 0
    assert (stages["relate"] > 0) == ner  # rules-only mode has no relate stage


def test_engine_times_the_stage_that_failed_and_the_serialization(tmp_path, config):
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "broken.txt").write_bytes(b"\x00\x01\x00\x02" * 10)
    engine = local_engine(config, False)
    before = dict(engine.seconds)
    outcome = engine.process(raw, "broken", [raw / "broken.txt"])
    spent = {name: engine.seconds[name] - before[name] for name in STAGES}
    assert outcome.stats["failed"]
    assert spent["ingest"] > 0 and spent["serialize"] > 0
    assert spent["segment"] == spent["extract"] == spent["relate"] == 0


def test_rules_replayed_gives_the_same_mentions_and_restores_the_pipeline(tmp_path, config):
    nlp = local_engine(config, False).extractor.nlp
    names = list(nlp.pipe_names)
    result = measure.rules_replayed(config, make_raw(tmp_path / "raw", 3), tmp_path / "out")
    assert result["mentions_identical"]
    assert (tmp_path / "out" / "replayed" / "mentions.jsonl").stat().st_size > 0  # the replay wrote mentions, not two empty files
    assert result["stage_seconds"]["extract"] > 0
    assert nlp.pipe_names == names and not nlp.disabled and not measure._ROWS


@pytest.mark.parametrize(("seconds", "best"), [([3.0, 2.0, 2.5], 1), ([1.0], 0), ([2.0, 2.0], 0)])
def test_fastest_keeps_the_fastest_run_and_every_run_s_seconds(seconds, best):
    runs = [{"seconds": value, "summary": f"run {k}"} for k, value in enumerate(seconds)]
    found = measure.fastest(runs)
    assert found["summary"] == f"run {best}" and found["seconds"] == seconds[best]
    assert found["rounds_seconds"] == seconds


def test_stage_commands_report_each_stage_and_write_what_make_extract_writes(tmp_path):
    result = measure.stage_commands(REPO / "configs", make_raw(tmp_path / "raw", 3), tmp_path / "out")
    assert list(result) == ["ingest", "segment", "extract", "relate"]
    assert all(stage["seconds"] > 0 and stage["peak_rss_mib"] > 10 for stage in result.values())
    assert (tmp_path / "out" / "relations.jsonl").stat().st_size > 0 and (tmp_path / "out" / "parses" / "index.json").exists()


def test_stage_commands_name_the_stage_that_failed(tmp_path):
    with pytest.raises(RuntimeError, match="wpx ingest failed"):
        measure.stage_commands(REPO / "configs", tmp_path / "missing", tmp_path / "out")


# The bench command (python -m pipeline.bench): what it may delete and where it finds its corpus.
# The measurements are replaced by stand-ins (fake_measures), so these tests run main() in well under a second.


def _wrote_outputs(out):
    out.mkdir(parents=True, exist_ok=True)
    for name in OUTPUTS:
        (out / name).write_bytes(b"")


@pytest.fixture
def fake_measures(monkeypatch):
    """Replace every measurement by a stand-in that writes what main() reads back; return the raw folders measured."""
    measured = []

    def run(seconds, **extra):
        return {"seconds": seconds, "summary": "", "stage_seconds": {"extract": seconds}, **extra}

    def bare_pipe(config, raw, ner=True):
        measured.append(raw)
        return {"seconds": 1.0, "blocks": 1}

    monkeypatch.setattr(measure, "bare_pipe", bare_pipe)
    monkeypatch.setattr(measure, "in_process", lambda config, raw, out, ner: _wrote_outputs(out) or run(1.0))
    monkeypatch.setattr(measure, "rules_replayed", lambda config, raw, out: run(0.5, mentions_identical=True))
    monkeypatch.setattr(measure, "wpx_run", lambda configs, raw, out, *options: _wrote_outputs(out) or {**run(1.0), "peak_rss_mib": 100.0})
    monkeypatch.setattr(measure, "stage_commands", lambda configs, raw, out: _wrote_outputs(out) or {"ingest": {"seconds": 1.0, "peak_rss_mib": 50.0}})
    return measured


@pytest.fixture
def project(tmp_path):
    """A project folder: configs/ with a tiny [bench] corpus, and raw/ holding the seed document (15 paragraphs)."""
    root = tmp_path / "project"
    shutil.copytree(REPO / "configs", root / "configs")
    toml = root / "configs" / "pipeline.toml"
    text = toml.read_text(encoding="utf-8")
    for key, value in (("documents", 4), ("small_documents", 2), ("noop_documents", 3), ("rounds", 1)):
        text, count = re.subn(rf"(?m)^{key} = \d+", f"{key} = {value}", text)
        assert count == 1, key
    toml.write_text(text, encoding="utf-8")
    (root / "raw").mkdir()
    shutil.copy(SEED_RAW, root / "raw")
    return root


def run_bench(monkeypatch, *arguments):
    monkeypatch.setattr("sys.argv", ["python -m pipeline.bench", *map(str, arguments)])
    bench_cli.main()


def refused(monkeypatch, capsys, *arguments) -> str:
    """Run the bench expecting a usage error (exit 2); return its message."""
    with pytest.raises(SystemExit) as exited:
        run_bench(monkeypatch, *arguments)
    assert exited.value.code == 2
    return capsys.readouterr().err


def files(folder):
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_a_run_writes_the_marker_and_finds_its_sources_next_to_configs_from_any_directory(tmp_path, monkeypatch, project, fake_measures):
    monkeypatch.chdir(tmp_path)  # neither the project nor anything holding raw/
    out = tmp_path / "elsewhere" / "out"
    run_bench(monkeypatch, "--configs", project / "configs", "--out", out)
    assert (out / output.MARKER).is_file()
    documents = sorted((out / "corpus" / "raw").iterdir())
    assert len(documents) == 4 and fake_measures[0] == out / "corpus" / "raw"
    seed_paragraphs = set(corpus.paragraphs([SEED_RAW]))
    for path in documents:  # real paragraphs of the sources, not a title alone
        blocks = path.read_text(encoding="utf-8").split("\n\n")[1:]
        assert len(blocks) >= 6 and {b.strip() for b in blocks} <= seed_paragraphs
    results = json.loads((out / "bench.json").read_text(encoding="utf-8"))
    assert results["corpus"]["words"] > 4 * 6 * 8


@pytest.mark.parametrize("legacy", [False, True], ids=["marked", "written-before-the-marker"])
def test_an_earlier_bench_output_is_replaced_and_only_the_bench_s_entries_go(tmp_path, monkeypatch, project, fake_measures, legacy):
    out = tmp_path / "out"
    run_bench(monkeypatch, "--configs", project / "configs", "--out", out)
    (out / "o-inproc-7").mkdir()  # an entry of an earlier run with more rounds
    (out / "corpus" / "raw" / "stale.txt").write_text("stale\n", encoding="utf-8")
    if legacy:
        (out / output.MARKER).unlink()
    else:
        (out / "notes.txt").write_text("mine\n", encoding="utf-8")  # the user's, in a marked folder: left in place
    run_bench(monkeypatch, "--configs", project / "configs", "--out", out)
    assert (out / output.MARKER).is_file() and (out / "bench.json").is_file()
    assert not (out / "o-inproc-7").exists() and not (out / "corpus" / "raw" / "stale.txt").exists()
    assert len(list((out / "corpus" / "raw").iterdir())) == 4
    assert legacy or (out / "notes.txt").read_text(encoding="utf-8") == "mine\n"


def _foreign_files(out):
    out.mkdir()
    (out / "important.txt").write_text("precious\n", encoding="utf-8")


def _foreign_with_bench_names(out):
    (out / "corpus").mkdir(parents=True)  # names the bench uses, but no marker and no bench.json
    (out / "corpus" / "thesis.txt").write_text("precious\n", encoding="utf-8")


def _foreign_bench_json(out):
    out.mkdir()
    (out / "bench.json").write_text('{"corpus": 1, "figures": 2}\n', encoding="utf-8")  # looks like one, but holds a file the bench never writes
    (out / "important.txt").write_text("precious\n", encoding="utf-8")


@pytest.mark.parametrize("make", [_foreign_files, _foreign_with_bench_names, _foreign_bench_json])
def test_a_non_empty_folder_that_is_not_a_bench_output_is_refused_and_kept(tmp_path, monkeypatch, capsys, project, fake_measures, make):
    out = tmp_path / "mydata"
    make(out)
    before = files(out)
    message = refused(monkeypatch, capsys, "--configs", project / "configs", "--out", out)
    assert "not an earlier bench output" in message and str(out) in message
    assert files(out) == before and not fake_measures
    with pytest.raises(output.OutError):
        output.prepare(out)
    assert files(out) == before


def test_out_that_is_a_file_is_refused(tmp_path, monkeypatch, capsys, project, fake_measures):
    out = tmp_path / "out"
    out.write_text("precious\n", encoding="utf-8")
    assert "not a folder" in refused(monkeypatch, capsys, "--configs", project / "configs", "--out", out)
    assert out.read_text(encoding="utf-8") == "precious\n"


def test_out_that_is_a_link_to_nothing_is_refused(tmp_path, monkeypatch, capsys, project, fake_measures):
    out = tmp_path / "out"
    out.symlink_to(tmp_path / "nowhere" / "x")
    assert "a link to nothing" in refused(monkeypatch, capsys, "--configs", project / "configs", "--out", out)
    assert out.is_symlink() and not (tmp_path / "nowhere").exists()


def test_sources_are_found_beside_a_linked_configs_folder_not_beside_its_target(tmp_path, monkeypatch, project, fake_measures):
    shared = tmp_path / "shared"
    shared.mkdir()
    shutil.move(project / "configs", shared / "wpxconf")
    (project / "configs").symlink_to(shared / "wpxconf", target_is_directory=True)
    monkeypatch.chdir(project)
    run_bench(monkeypatch, "--configs", "configs", "--out", tmp_path / "out")
    assert len(list((tmp_path / "out" / "corpus" / "raw").iterdir())) == 4


@pytest.mark.parametrize("existing", [False, True], ids=["missing", "empty"])
def test_a_missing_or_empty_out_is_accepted(tmp_path, existing):
    out = tmp_path / "a" / "out"
    if existing:
        out.mkdir(parents=True)
    assert output.prepare(out) == [] and [p.name for p in out.iterdir()] == [output.MARKER]


def _no_raw(root):
    shutil.rmtree(root / "raw")


def _short_lines(root):
    (root / "raw" / SEED_RAW.name).write_text("Full text: Synthetic White Paper No. 1\n\nToo short.\n", encoding="utf-8")


def _too_few_paragraphs(root):  # 14 paragraphs, and a document draws up to 14: every document would hold them all
    (root / "raw" / SEED_RAW.name).write_text("\n\n".join(corpus.paragraphs([SEED_RAW])[:14]) + "\n", encoding="utf-8")


@pytest.mark.parametrize(("spoil", "said"), [(_no_raw, "no corpus sources"), (_short_lines, "0 paragraph"), (_too_few_paragraphs, "14 paragraph")])
def test_too_few_sources_stop_the_bench_before_it_writes_or_deletes(tmp_path, monkeypatch, capsys, project, fake_measures, spoil, said):
    out = tmp_path / "out"
    run_bench(monkeypatch, "--configs", project / "configs", "--out", out)
    fake_measures.clear()
    before = files(out)
    spoil(project)
    message = refused(monkeypatch, capsys, "--configs", project / "configs", "--out", out)
    assert said in message and str(project) in message
    assert files(out) == before and not fake_measures  # the earlier output is intact, nothing was measured


def test_sources_root_overrides_the_folder_holding_configs(tmp_path, monkeypatch, capsys, project, fake_measures):
    elsewhere = tmp_path / "sources"
    shutil.move(project / "raw", elsewhere / "raw")
    assert "no corpus sources" in refused(monkeypatch, capsys, "--configs", project / "configs", "--out", tmp_path / "out")
    run_bench(monkeypatch, "--configs", project / "configs", "--out", tmp_path / "out", "--sources-root", elsewhere)
    assert len(list((tmp_path / "out" / "corpus" / "raw").iterdir())) == 4
    assert "is not a folder" in refused(monkeypatch, capsys, "--configs", project / "configs", "--out", tmp_path / "out2", "--sources-root", tmp_path / "nowhere")
