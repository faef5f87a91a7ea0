"""Show progress on stderr: documents done, documents and words per second.

The progress line is drawn only when stderr is a terminal and the command is
not quiet, so logs and CI output stay clean. `wpx run` and the stage
commands (`make extract` on an archive runs for a long time) share it.
"""
from __future__ import annotations

import os
import sys
import time


class Progress:
    """A one-line progress display on stderr, headed by the command's name.

    With a total it shows a bar and done/total, without one (documents read
    from stdin) the count alone. Redrawn at most every ``interval`` seconds
    with a carriage return, ended with a newline; a no-op when disabled.
    """

    def __init__(self, total: int | None, enabled: bool, interval: float = 0.2, name: str = "wpx run") -> None:
        self.total, self.enabled, self.interval, self.name = total, enabled and total != 0, interval, name
        self.done = self.words = 0
        self.started = self.drawn = time.perf_counter()

    def update(self, documents: int, words: int) -> None:
        self.done += documents
        self.words += words
        now = time.perf_counter()
        if self.enabled and (now - self.drawn >= self.interval or self.done == self.total):
            self.drawn = now
            self._draw(now)

    def document(self, text: str) -> None:
        """Count one document (its words are counted only when the line is drawn)."""
        self.update(1, len(text.split()) if self.enabled else 0)

    def _draw(self, now: float) -> None:
        elapsed = max(now - self.started, 1e-9)
        if self.total:
            width = 24
            filled = width * min(self.done, self.total) // self.total
            count = f"[{'#' * filled}{'.' * (width - filled)}] {self.done}/{self.total} documents"
        else:
            count = f"{self.done} documents"
        sys.stderr.write(f"\r{self.name} {count}, {self.done / elapsed:,.1f} docs/s, {self.words / elapsed:,.0f} words/s ")
        sys.stderr.flush()

    def close(self) -> None:
        if self.enabled and self.done:
            self._draw(time.perf_counter())
            sys.stderr.write("\n")
            sys.stderr.flush()

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()  # the line ends with a newline even when the command fails


def enabled(quiet: bool) -> bool:
    """Return whether to draw a progress line: stderr is a terminal and the command is not quiet."""
    return not quiet and sys.stderr.isatty()


def for_records(name: str, path: object, enabled: bool) -> Progress:
    """Return the progress line of a command reading one record per document from ``path``.

    The total is counted only in a regular file: a pipe ('-', /dev/stdin, a
    FIFO) can be read once, and counting would leave nothing for the command.
    """
    total = None
    if enabled and str(path) != "-" and os.path.isfile(str(path)):
        with open(str(path), "rb") as handle:
            total = sum(1 for line in handle if line.strip())
    return Progress(total, enabled, name=name)
