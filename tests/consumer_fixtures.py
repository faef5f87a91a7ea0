"""Output folders for the consumer-side tests (export, validate, card, stats, review).

`consumer_out`: the tiny documents in tests/fixtures/consumer/raw run through
ingest and segment, plus the hand-made mentions.jsonl and relations.jsonl
beside them (offsets valid against those texts). `seed_out`: the seed
document run through every stage by pipeline.api.run_all.
"""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from pipeline import api, ingest, segment
from pipeline.config import load_config
from pipeline.records import DOCUMENTS

from .conftest import REPO, SEED_ID, SEED_RAW

CONSUMER = REPO / "tests" / "fixtures" / "consumer"


def build_consumer_out(out: Path) -> Path:
    """Write documents and segments of the consumer fixtures into ``out`` and copy the mentions and relations."""
    config = load_config(REPO / "configs")
    ingest.run(CONSUMER / "raw", out, config)
    segment.run(out / DOCUMENTS, out, config)
    for name in ("mentions.jsonl", "relations.jsonl"):
        shutil.copy(CONSUMER / name, out / name)
    return out


@pytest.fixture(scope="session")
def consumer_out_ro(tmp_path_factory) -> Path:
    """The consumer fixture folder, shared: do not modify it (copy it with `consumer_out`)."""
    return build_consumer_out(tmp_path_factory.mktemp("consumer") / "out")


@pytest.fixture
def consumer_out(consumer_out_ro, tmp_path) -> Path:
    """A private copy of the consumer fixture folder that a test may change."""
    return Path(shutil.copytree(consumer_out_ro, tmp_path / "out"))


@pytest.fixture(scope="session")
def seed_out(tmp_path_factory) -> Path:
    """The seed document run through every stage (whatever stages exist) into a fresh folder."""
    raw = tmp_path_factory.mktemp("seed") / "raw"
    raw.mkdir()
    shutil.copy(SEED_RAW, raw / SEED_RAW.name)
    out = raw.parent / "out"
    api.run_all(raw, out, load_config(REPO / "configs"))
    return out


__all__ = ["CONSUMER", "SEED_ID", "build_consumer_out", "consumer_out", "consumer_out_ro", "seed_out"]
