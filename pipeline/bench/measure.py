"""Time and measure `wpx run` and bare spaCy over one synthetic corpus.

Subprocess figures time the real command (start-up and model load included);
in-process figures time only the processing, with the pipeline already
loaded, which is how bare ``nlp.pipe`` is timed, so those two compare
like with like. Peak RSS comes from the child's rusage (the largest process).
"""
from __future__ import annotations

import json
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from spacy.language import Language
from spacy.tokens import Doc

from ..components.base import BLOCK_KIND_KEY, TEXT_KEY
from ..components.mentions import MENTION_ROWS_KEY
from ..config import Config

PEAK = "import resource, subprocess, sys; code = subprocess.run(sys.argv[1:]).returncode; print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss); sys.exit(code)"


def wpx_run(configs: Path, raw: Path, out: Path, *options: str) -> dict[str, Any]:
    """Run `wpx run` in a fresh process; return wall seconds, the child's peak RSS (MiB) and its summary line."""
    command = [sys.executable, "-c", PEAK, sys.executable, "-m", "pipeline.cli", "--configs", str(configs), "run", str(raw), "--out", str(out), "-q", *options]
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise RuntimeError(f"wpx run failed ({done.returncode}): {done.stderr[-2000:]}")
    return {"seconds": seconds, "peak_rss_mib": int(done.stdout.split()[-1]) / 1024, "summary": done.stderr.strip().splitlines()[-1]}


def stage_commands(configs: Path, raw: Path, out: Path) -> dict[str, Any]:
    """Run the stage commands in order (what `make extract` runs), each in a fresh process; return each one's wall seconds and peak RSS (MiB)."""
    stages: dict[str, Any] = {}
    for stage, *arguments in (("ingest", str(raw)), ("segment",), ("extract",), ("relate",)):
        command = [sys.executable, "-c", PEAK, sys.executable, "-m", "pipeline.cli", "--configs", str(configs), stage, *arguments, "--out", str(out), "-q"]
        started = time.perf_counter()
        done = subprocess.run(command, capture_output=True, text=True)
        seconds = time.perf_counter() - started
        if done.returncode != 0:
            raise RuntimeError(f"wpx {stage} failed ({done.returncode}): {done.stderr[-2000:]}")
        stages[stage] = {"seconds": seconds, "peak_rss_mib": int(done.stdout.split()[-1]) / 1024}
    return stages


def in_process(config: Config, raw: Path, out: Path, ner: bool) -> dict[str, Any]:
    """Time batch.run in this process with the engine already built (processing only), and each stage's share.

    The stages are the engine's (ingest, segment, extract, relate, and
    serialize: the records' JSON text); "files" is the rest of the run:
    planning (hashing the raw files), shard files, the manifest and the
    consolidated outputs.
    """
    from .. import batch
    from ..batch.executors import local_engine

    engine = local_engine(config, ner)
    before = dict(engine.seconds)
    started = time.perf_counter()
    summary = batch.run(raw, out, config, ner=ner, workers=1)
    seconds = time.perf_counter() - started
    stages = {name: engine.seconds[name] - before[name] for name in engine.seconds}
    stages["files"] = seconds - sum(stages.values())
    return {"seconds": seconds, "summary": summary.line(), "stage_seconds": stages}


_ROWS: dict[tuple[str, str], Any] = {}  # (block kind, block text) -> the mention rows the rule components found


@Language.component("wpx_bench_record_rows")
def record_rows(doc: Doc) -> Doc:
    """Remember the mention rows the rule components found for this block (rules_replayed)."""
    _ROWS[doc.user_data.get(BLOCK_KIND_KEY, ""), doc.user_data[TEXT_KEY]] = doc.user_data.get(MENTION_ROWS_KEY)
    return doc


@Language.component("wpx_bench_replay_rows")
def replay_rows(doc: Doc) -> Doc:
    """Set the mention rows remembered for this block, in place of the rule components."""
    doc.user_data[MENTION_ROWS_KEY] = _ROWS[doc.user_data.get(BLOCK_KIND_KEY, ""), doc.user_data[TEXT_KEY]]
    return doc


def rules_replayed(config: Config, raw: Path, out: Path) -> dict[str, Any]:
    """Time the rules-only run as if its rule components cost nothing: they are replaced by a replay of what they found.

    A first, untimed run records every block's mention rows; the timed run
    replays them with the rule components disabled. The same mentions come
    out (``mentions_identical`` compares the two runs' mentions.jsonl), so
    what is timed is everything but the rules: ingest, segmentation,
    tokenizing, records, JSON and files.
    """
    from .. import batch
    from ..batch.executors import local_engine

    nlp = local_engine(config, False).extractor.nlp
    rules = list(nlp.pipe_names)
    _ROWS.clear()
    nlp.add_pipe("wpx_bench_record_rows", last=True)
    try:
        batch.run(raw, out / "recorded", config, ner=False, workers=1)
    finally:
        nlp.remove_pipe("wpx_bench_record_rows")
    nlp.add_pipe("wpx_bench_replay_rows", last=True)
    try:
        with nlp.select_pipes(disable=rules):
            result = in_process(config, raw, out / "replayed", ner=False)
    finally:
        nlp.remove_pipe("wpx_bench_replay_rows")
        _ROWS.clear()
    result["mentions_identical"] = (out / "recorded" / "mentions.jsonl").read_bytes() == (out / "replayed" / "mentions.jsonl").read_bytes()
    return result


def bare_pipe(config: Config, raw: Path, ner: bool = True) -> dict[str, Any]:
    """Time bare ``nlp.pipe`` (same model and rule components; ``ner=False``: the rules-only pipeline) over the corpus's content blocks."""
    from .. import segment
    from ..extract import content_blocks
    from ..fold import fold
    from ..layout_rules import LayoutRules
    from ..nlp import build

    rules, sentencizer = LayoutRules.from_config(config), segment.sentencizer(config)
    texts = []
    for path in sorted(raw.iterdir()):
        text = path.read_text(encoding="utf-8")
        doc = {"doc_id": path.stem, "text": text}
        texts += [fold(text[b.start:b.end], rules)[0] for b in content_blocks(segment.segment_document(doc, rules, sentencizer))]  # as make_block_doc reads them
    nlp = build(config, ner=ner, span_groups=False)  # as the extractor builds it
    batch_size = int(config.section("extract").get("batch_size", 64))
    started = time.perf_counter()
    for _ in nlp.pipe(texts, batch_size=batch_size):
        pass
    return {"seconds": time.perf_counter() - started, "blocks": len(texts)}


def fastest(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """Return the fastest of repeated measurements, with every run's seconds (the least disturbed run is the best estimate)."""
    best = min(runs, key=lambda run: run["seconds"])
    return {**best, "rounds_seconds": [run["seconds"] for run in runs]}


def peak_self_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def dump(path: Path, results: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
