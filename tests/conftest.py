"""Shared fixtures: the repository's configs, the seed document and its gold."""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from pipeline.config import load_config

REPO = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("WPX_SHARED", REPO.parent / "shared"))
SEED_ID = "000_4a35c3bd115817cb"
SEED_RAW = REPO / "raw" / f"{SEED_ID}.txt"
GOLD_DIR = SHARED / "gold"
GENRE = REPO / "tests" / "fixtures" / "genre"


@pytest.fixture(scope="session")
def config():
    return load_config(REPO / "configs")


@pytest.fixture(scope="session")
def seed_text() -> str:
    return SEED_RAW.read_text(encoding="utf-8")


@pytest.fixture
def raw_dir(tmp_path: Path) -> Path:
    """A raw folder holding a copy of the seed document."""
    folder = tmp_path / "raw"
    folder.mkdir()
    shutil.copy(SEED_RAW, folder / SEED_RAW.name)
    return folder


@pytest.fixture(scope="session")
def seed_run(tmp_path_factory):
    """Run every stage once on the seed document (full model); return the output folder."""
    from pipeline import api

    raw = tmp_path_factory.mktemp("seed") / "raw"
    raw.mkdir()
    shutil.copy(SEED_RAW, raw / SEED_RAW.name)
    out = tmp_path_factory.mktemp("seed_out")
    result = api.run_all(raw, out, load_config(REPO / "configs"))
    assert result.errors == []
    return out


@pytest.fixture(scope="session")
def rules_nlp(config):
    """A blank English pipeline with the project's rule components (no model needed)."""
    import spacy

    from pipeline.nlp import add_rules

    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    return add_rules(nlp, config)
