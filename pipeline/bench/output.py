"""The bench's output folder: what a run may replace, and what it must leave alone.

A run writes a marker file (``.wpx-bench``) into its ``--out`` folder before
anything else, and the next run removes only the bench's own entries of a
folder carrying it (the corpora, the ``o-*`` run outputs, bench.json). A
folder that is neither missing, empty nor marked is refused, so a mistyped
``--out`` never deletes anyone's files. A folder written before the marker
existed is recognized by its bench.json and by holding nothing but the
bench's entries.
"""
from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

MARKER = ".wpx-bench"
MARKER_TEXT = "Written by python -m pipeline.bench (make bench): its next run with this folder as --out replaces the bench's entries here.\n"
OWNED = re.compile(r"bench\.json|corpus|small|big|o-[\w.-]+|" + re.escape(MARKER))  # every entry a run writes at the top of --out


class OutError(ValueError):
    """``--out`` is not a folder the bench may write (its message says why and what to do)."""


def owned(entry: Path) -> bool:
    """Whether ``entry`` (at the top of an output folder) is a name the bench writes."""
    return OWNED.fullmatch(entry.name) is not None


def is_bench_output(out: Path) -> bool:
    """Whether ``out`` is an earlier bench output: it carries the marker, or (written before the marker) holds only the bench's entries, bench.json among them."""
    if (out / MARKER).is_file():
        return True
    try:
        results = json.loads((out / "bench.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(results, dict) and {"corpus", "figures"} <= results.keys() and all(owned(entry) for entry in out.iterdir())


def check(out: Path) -> None:
    """Raise OutError unless ``out`` is missing, an empty folder or an earlier bench output. Changes nothing."""
    if out.is_symlink() and not out.exists():
        raise OutError(f"--out {out}: a link to nothing ({out.readlink()}); choose a new or empty folder")
    if not out.exists():
        return
    if not out.is_dir():
        raise OutError(f"--out {out}: not a folder")
    if next(out.iterdir(), None) is None or is_bench_output(out):
        return
    raise OutError(f"--out {out}: the folder is not empty and is not an earlier bench output (no {MARKER} file); "
                   "the bench replaces its --out folder, so it leaves this one alone: choose a new or empty folder")


def prepare(out: Path) -> list[Path]:
    """Make ``out`` ready for a run: check it, remove the bench's entries of an earlier run, create it and write the marker.

    Returns the entries left in place (files that are not the bench's, in a
    marked folder).
    """
    check(out)
    kept = []
    if out.is_dir():
        for entry in sorted(out.iterdir()):
            if not owned(entry):
                kept.append(entry)
            elif entry.is_dir() and not entry.is_symlink():
                shutil.rmtree(entry)
            else:
                entry.unlink()
    out.mkdir(parents=True, exist_ok=True)
    (out / MARKER).write_text(MARKER_TEXT, encoding="utf-8")
    return kept
