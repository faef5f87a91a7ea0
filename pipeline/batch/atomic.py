"""Write files so that a killed process never leaves a half-written one: temp file, then rename.

records.write_jsonl does this for one JSONL file from records; the batch
engine also writes pre-serialized text (shards, the manifest) and streams
several consolidated files at once, so it needs the same trick on handles.
"""
from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import IO


@contextmanager
def atomic_text(path: Path, durable: bool = True) -> Iterator[IO[str]]:
    """Yield a text handle whose content replaces ``path`` only when the block ends without error.

    ``durable`` also fsyncs before the rename (survives a power loss, not only a kill).
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            yield handle
            handle.flush()
            if durable:
                os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def write_text(path: Path, text: str, durable: bool = True) -> None:
    """Replace ``path`` with ``text`` atomically."""
    with atomic_text(path, durable) as handle:
        handle.write(text)


@contextmanager
def atomic_many(paths: list[Path]) -> Iterator[list[IO[str]]]:
    """Yield one handle per path; every file is renamed into place only if all were written."""
    with ExitStack() as stack:
        yield [stack.enter_context(atomic_text(path)) for path in paths]
