"""Summarize a run in one line (the progress line itself is pipeline.progress)."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..records import INGEST_WARNING


@dataclass
class Summary:
    """What a batch run did."""

    processed: int = 0
    skipped: int = 0
    failed: int = 0
    dropped: int = 0
    unlisted: int = 0  # inputs that failed while the raw folder was listed (a taken doc_id, a broken link): failed, neither processed nor skipped
    words: int = 0
    totals: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    rules_only: bool = False
    errors: list[dict[str, Any]] = field(default_factory=list)

    def line(self) -> str:
        """Return the one-line summary printed at the end of `wpx run`."""
        text = (f"wpx run: {self.processed + self.skipped + self.unlisted} documents: {self.processed} processed, {self.skipped} skipped (unchanged), "
                f"{self.dropped} dropped; {self.failed} failed{warned(self.errors)}; {self.totals.get('mentions', 0)} mentions, "
                f"{self.totals.get('relations', 0)} relations; {self.seconds:.1f} s")
        if self.rules_only:
            text += "; rules-only: no engagements (no dependency parse)"
        return text


def warned(errors: list[dict[str, Any]]) -> str:
    """Return ", N with warnings" for the documents flagged by an IngestWarning and not failed (written, flagged: the exit code is 1), else ""."""
    def document(error: dict[str, Any]) -> tuple[Any, Any]:
        return error.get("doc_id"), error.get("source_path")  # "a.docx" beside "a.txt": one doc_id, two files

    failed = {document(error) for error in errors if error.get("error") != INGEST_WARNING}
    count = len({document(error) for error in errors if error.get("error") == INGEST_WARNING} - failed)
    return f", {count} with warnings" if count else ""
