"""Show progress on stderr (documents and words per second) and summarize a run in one line.

The bar is drawn only when stderr is a terminal and the run is not quiet, so
logs and CI output stay clean.
"""
from __future__ import annotations

import sys
import time
from dataclasses import dataclass, field
from typing import Any


class Progress:
    """A tqdm bar over the documents to process, with words per second as a postfix."""

    def __init__(self, total: int, enabled: bool) -> None:
        self.bar = None
        self.words = 0
        self.started = time.perf_counter()
        if enabled and total:
            from tqdm import tqdm

            self.bar = tqdm(total=total, unit="doc", file=sys.stderr, dynamic_ncols=True, desc="wpx run")

    def update(self, documents: int, words: int) -> None:
        if self.bar is None:
            return
        self.words += words
        rate = self.words / max(time.perf_counter() - self.started, 1e-9)
        self.bar.set_postfix_str(f"{rate:,.0f} words/s", refresh=False)
        self.bar.update(documents)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


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
