"""Note which inputs each stage output was made from, so no stage reads an output made from an older input.

`make extract` runs the stages in order. By hand, `wpx ingest` run again and
then `wpx extract` would read the segments of the old documents and write
offsets into the wrong texts. Each stage command notes in OUT/.lineage.json
the sha256 of the files it read; the next stage, and every consumer command,
compares the files it reads with what was noted for them. An output with
nothing noted (a folder from before, or a stage that read stdin or a pipe)
is not checked.
"""
from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any

from .records import DOCUMENTS, LINEAGE, MENTIONS, PARSES, RELATIONS, SEGMENTS, Misuse, atomic_text

FILE = LINEAGE
WRITTEN_BY = {SEGMENTS: "segment", MENTIONS: "extract", PARSES: "extract", RELATIONS: "relate"}
MADE_FROM = {SEGMENTS: (DOCUMENTS,), MENTIONS: (DOCUMENTS, SEGMENTS), PARSES: (DOCUMENTS, SEGMENTS, MENTIONS), RELATIONS: (DOCUMENTS, SEGMENTS, MENTIONS)}


class StaleInput(Misuse):
    """A stage input was made from another version of a file the stage also reads."""


def identity(path: Path) -> str | None:
    """Return the sha256 of a file's bytes, or None when it is missing.

    Content, not size and times: a folder copied elsewhere (cp -r) must
    still pass. Kept per version (size, time, inode) of the file, so a
    stage's check and its notes read each input once.
    """
    try:
        found = os.stat(path)
    except OSError:
        return None
    key = (str(path), found.st_size, found.st_mtime_ns, found.st_ino)
    if key not in _DIGESTS:
        with open(path, "rb") as handle:
            _DIGESTS[key] = hashlib.file_digest(handle, "sha256").hexdigest()
    return _DIGESTS[key]


_DIGESTS: dict[tuple[str, int, int, int], str] = {}


def check(out_dir: Path, reading: dict[str, Path | str]) -> None:
    """Raise StaleInput when a file the stage reads from OUT (name -> path) was made from another version of a file it also reads.

    What OUT's lineage says of its own files is compared with the files
    being read under those names, in OUT or elsewhere (not stdin).
    """
    noted = _load(out_dir)
    for name, path in reading.items():  # in stage order: the earliest stale file is named
        if not _in_out(out_dir, name, path) or not os.path.exists(path):
            continue  # read from elsewhere, or missing: OUT's notes do not speak of it
        for upstream, seen in noted.get(name, {}).items():
            other = reading.get(upstream)
            if other is not None and _regular(other) and seen != identity(Path(other)):
                raise StaleInput(f"{out_dir / name} was made from another version of {other}; run `wpx {WRITTEN_BY[name]}` and the "
                                 "stages after it again, in order (`make extract` does)")


def note(out_dir: Path, outputs: tuple[str, ...], read: dict[str, Path | str], digests: dict[str, str] | None = None) -> None:
    """Record that ``outputs`` (names in OUT) were just made from ``read`` (name -> the file read, in OUT or not).

    What was read from elsewhere (--documents) is noted too: the next stage
    compares it with OUT's own file. Stdin or a pipe is noted by ``digests``
    (name -> sha256 of the bytes the stage read), when the stage hashed them
    as it read; without one, nothing is noted: nothing to check the outputs against.
    """
    digests = digests or {}
    noted = _load(out_dir)
    for output in outputs:
        if not all(_regular(path) or name in digests for name, path in read.items()):  # stdin, a pipe: read once, nothing left to hash
            noted.pop(output, None)
        else:
            noted[output] = {name: identity(Path(path)) if _regular(path) else digests[name] for name, path in read.items()}
    _save(out_dir, noted)


def note_all(out_dir: Path) -> None:
    """Record that the consolidated files of a `wpx run` were made from one another (the run deleted OUT/parses)."""
    _save(out_dir, {output: {name: identity(out_dir / name) for name in inputs} for output, inputs in MADE_FROM.items() if output != PARSES})


def _regular(path: Path | str) -> bool:
    """Return whether ``path`` is a regular file that can be hashed after it was read (not stdin or a pipe)."""
    return str(path) != "-" and os.path.isfile(path)


def _in_out(out_dir: Path, name: str, path: Path | str) -> bool:
    """Return whether ``path`` is OUT's own file ``name``, however either is spelled (relative, absolute, through a link)."""
    try:
        return os.path.samefile(path, out_dir / name)
    except OSError:  # one of them does not exist
        return Path(path).absolute() == (out_dir / name).absolute()


def check_folder(out_dir: Path) -> None:
    """Raise StaleInput when OUT's JSONL files were not made from one another (what consumers read: not the parses)."""
    check(out_dir, {name: out_dir / name for name in (DOCUMENTS, SEGMENTS, MENTIONS, RELATIONS)})


def _load(out_dir: Path) -> dict[str, Any]:
    try:
        data = json.loads((out_dir / FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return {name: made_from for name, made_from in data.items() if isinstance(made_from, dict)} if isinstance(data, dict) else {}


def _save(out_dir: Path, noted: dict[str, Any]) -> None:
    with atomic_text(out_dir / FILE) as handle:
        handle.write(json.dumps(noted, sort_keys=True) + "\n")
