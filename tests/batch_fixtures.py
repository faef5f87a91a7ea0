"""Small synthetic corpora for the batch tests, made from the seed document's paragraphs."""
from __future__ import annotations

from pathlib import Path

from pipeline.bench import corpus

from .conftest import REPO, SEED_RAW

OUTPUTS = ("documents.jsonl", "segments.jsonl", "mentions.jsonl", "relations.jsonl", "errors.jsonl")


def make_raw(folder: Path, count: int, seed: int = 1) -> Path:
    """Write ``count`` distinct small documents (3-5 seed paragraphs each) into ``folder``."""
    corpus.build(folder, count, corpus.paragraphs([SEED_RAW]), seed, (3, 5))
    return folder


def outputs(out: Path) -> dict[str, bytes]:
    """Return the bytes of every consolidated output file."""
    return {name: (out / name).read_bytes() for name in OUTPUTS}


def wpx() -> list[str]:
    exe = REPO / ".venv" / "bin" / "wpx"
    return [str(exe), "--configs", str(REPO / "configs")]
