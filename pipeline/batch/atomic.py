"""Write files so that a killed process never leaves a half-written one: temp file, then rename.

records.atomic_text does this for one handle; the batch engine also writes
whole texts (shards, the manifest) and streams several consolidated files at
once, renamed only if all were written.
"""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import IO

from ..records import atomic_text


def write_text(path: Path, text: str, durable: bool = True) -> None:
    """Replace ``path`` with ``text`` atomically."""
    with atomic_text(path, durable) as handle:
        handle.write(text)


@contextmanager
def atomic_many(paths: list[Path]) -> Iterator[list[IO[str]]]:
    """Yield one handle per path; every file is renamed into place only if all were written."""
    with ExitStack() as stack:
        yield [stack.enter_context(atomic_text(path)) for path in paths]
