"""Show progress on stderr (documents and words per second) and summarize a run in one line.

The progress line is drawn only when stderr is a terminal and the run is not quiet, so
logs and CI output stay clean.
"""
from __future__ import annotations

import sys
import time
from dataclasses import dataclass, field
from typing import Any


class Progress:
    """A one-line progress display on stderr: documents done, documents and words per second.

    Redrawn at most every ``interval`` seconds with a carriage return, ended
    with a newline; a no-op when disabled.
    """

    def __init__(self, total: int, enabled: bool, interval: float = 0.2) -> None:
        self.total, self.enabled, self.interval = total, enabled and total > 0, interval
        self.done = self.words = 0
        self.started = self.drawn = time.perf_counter()

    def update(self, documents: int, words: int) -> None:
        self.done += documents
        self.words += words
        now = time.perf_counter()
        if self.enabled and (now - self.drawn >= self.interval or self.done == self.total):
            self.drawn = now
            self._draw(now)

    def _draw(self, now: float) -> None:
        elapsed = max(now - self.started, 1e-9)
        width = 24
        filled = width * self.done // self.total
        sys.stderr.write(f"\rwpx run [{'#' * filled}{'.' * (width - filled)}] {self.done}/{self.total} documents, "
                         f"{self.done / elapsed:,.1f} docs/s, {self.words / elapsed:,.0f} words/s ")
        sys.stderr.flush()

    def close(self) -> None:
        if self.enabled and self.done:
            self._draw(time.perf_counter())
            sys.stderr.write("\n")
            sys.stderr.flush()


def enabled(quiet: bool) -> bool:
    """Return whether to draw a progress bar: stderr is a terminal and the run is not quiet."""
    return not quiet and sys.stderr.isatty()


@dataclass
class Summary:
    """What a batch run did."""

    processed: int = 0
    skipped: int = 0
    failed: int = 0
    dropped: int = 0
    words: int = 0
    totals: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    rules_only: bool = False
    errors: list[dict[str, Any]] = field(default_factory=list)

    def line(self) -> str:
        """Return the one-line summary printed at the end of `wpx run`."""
        text = (f"wpx run: {self.processed + self.skipped} documents: {self.processed} processed, {self.skipped} skipped (unchanged), "
                f"{self.dropped} dropped; {self.failed} failed; {self.totals.get('mentions', 0)} mentions, "
                f"{self.totals.get('relations', 0)} relations; {self.seconds:.1f} s")
        if self.rules_only:
            text += "; rules-only: no engagements (no dependency parse)"
        return text
