"""The plain Python API behind the CLI: run stages in order over one output folder."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import extract, ingest, relate, segment
from .config import Config
from .records import DOCUMENTS, SEGMENTS


@dataclass
class RunResult:
    """What a run did: records written per stage and the per-document errors."""

    written: dict[str, int] = field(default_factory=dict)
    errors: list[dict[str, Any]] = field(default_factory=list)


def stages(ner: bool = True) -> list[tuple[str, Callable[[Path, Path, Config], Any]]]:
    """Return the stages in the order they run: (name, function(raw_dir, out_dir, config))."""
    return [
        ("ingest", lambda raw, out, cfg: ingest.run(raw, out, cfg)),
        ("segment", lambda raw, out, cfg: segment.run(out / DOCUMENTS, out, cfg)),
        ("extract", lambda raw, out, cfg: extract.run((out / DOCUMENTS, out / SEGMENTS), out, cfg, ner=ner)),
        ("relate", lambda raw, out, cfg: relate.run(out, cfg)),
    ]


def run_all(raw_dir: Path | str, out_dir: Path | str, config: Config, ner: bool = True) -> RunResult:
    """Run every stage from ``raw_dir`` into ``out_dir`` (``ner=False``: rules only).

    This is the batch engine of `wpx run` in this process: incremental
    (OUT/manifest.json), with the same outputs as running the stages in order.
    """
    from . import batch

    summary = batch.run(raw_dir, out_dir, config, ner=ner, workers=1)
    totals = summary.totals
    written = {"ingest": totals["documents"], "segment": totals["segments"], "extract": totals["mentions"], "relate": totals["relations"]}
    return RunResult(written=written, errors=summary.errors)
