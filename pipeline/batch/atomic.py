"""Write files so that a killed process never leaves a half-written one: temp file, then rename.

records.atomic_text does this for one handle; the batch engine also writes
whole texts (shards, the manifest) and streams several consolidated files at
once, renamed only if all were written.
"""
from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from ..records import atomic_text, naming, temp_beside


def write_text(path: Path, text: str, durable: bool = True) -> None:
    """Replace ``path`` with ``text`` atomically."""
    with atomic_text(path, durable) as handle:
        handle.write(text)


@contextmanager
def atomic_many(paths: list[Path]) -> Iterator[list[IO[str]]]:
    """Yield one handle per path; the files replace ``paths`` together, and only if all were written.

    Every file is written and fsynced before the first rename, so the renames
    follow one another with nothing in between: a kill leaves a mix of old
    and new files only within those microseconds, and the next run, finding
    sizes the manifest did not record, rebuilds them.
    """
    temps: list[str] = []
    handles: list[IO[str]] = []
    writing = paths[0].parent if paths else Path()  # which file a failed write names: the folder while the caller writes them all
    try:
        for path in paths:
            fd, tmp = temp_beside(path)
            temps.append(tmp)
            handles.append(os.fdopen(fd, "w", encoding="utf-8", newline="\n"))
        yield handles
        for handle, writing in zip(handles, paths):
            handle.flush()
            os.fsync(handle.fileno())
            handle.close()
        for tmp, path in zip(temps, paths):
            os.replace(tmp, path)
        temps = []
    except OSError as exc:
        named = naming(exc, writing)
        if named is exc:
            raise
        raise named from exc
    finally:
        for handle in handles:
            handle.close()
        for tmp in temps:
            if os.path.exists(tmp):
                os.unlink(tmp)
