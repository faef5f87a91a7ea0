"""The benchmark's measurements: what `make bench` reports about where a run's time goes."""
from __future__ import annotations

import pytest

from pipeline.batch.executors import local_engine
from pipeline.batch.work import STAGES
from pipeline.bench import measure

from .batch_fixtures import make_raw


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
    from .conftest import REPO

    result = measure.stage_commands(REPO / "configs", make_raw(tmp_path / "raw", 3), tmp_path / "out")
    assert list(result) == ["ingest", "segment", "extract", "relate"]
    assert all(stage["seconds"] > 0 and stage["peak_rss_mib"] > 10 for stage in result.values())
    assert (tmp_path / "out" / "relations.jsonl").stat().st_size > 0 and (tmp_path / "out" / "parses" / "index.json").exists()


def test_stage_commands_name_the_stage_that_failed(tmp_path):
    from .conftest import REPO

    with pytest.raises(RuntimeError, match="wpx ingest failed"):
        measure.stage_commands(REPO / "configs", tmp_path / "missing", tmp_path / "out")
