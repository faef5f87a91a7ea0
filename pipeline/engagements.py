"""Summarize engagements as the table an analyst pastes into a report.

One row per (counterpart, activity): how many engagement records, the total
of their stated counts, the years they name, and the documents they come from.
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from .schemas import Fields, checked
from .records import RELATIONS

COLUMNS = ["counterpart", "activity", "engagements", "total_count", "years", "documents"]

# What the summary reads of a relation; a line without one of these is named by file and line (records.BadRecord).
FIELDS = Fields(RELATIONS, ("doc_id", "counterparts", "activity", "dates"), ("count",))


def summary(out_dir: Path | str) -> pd.DataFrame:
    """Return the engagement summary of an output folder's relations.jsonl.

    Raises FileNotFoundError when there is no relations.jsonl, records.BadRecord
    (file:line: reason) for a line that is no JSON object or lacks a field the summary reads.
    """
    rows = []
    for rel in checked(Path(out_dir) / RELATIONS, FIELDS):
        for counterpart in rel["counterparts"] or ["(unnamed)"]:
            rows.append({
                "counterpart": counterpart,
                "activity": rel["activity"],
                "count": (rel.get("count") or {}).get("value"),
                "years": sorted({d[:4] for d in rel["dates"]}),
                "doc_id": rel["doc_id"],
            })
    if not rows:
        return pd.DataFrame(columns=COLUMNS)
    frame = pd.DataFrame(rows)
    grouped = frame.groupby(["counterpart", "activity"], sort=True)
    table = pd.DataFrame({
        "engagements": grouped.size(),
        "total_count": grouped["count"].sum(min_count=1).astype("Int64"),
        "years": grouped["years"].agg(lambda s: ", ".join(sorted({y for ys in s for y in ys}))),
        "documents": grouped["doc_id"].agg(lambda s: ", ".join(sorted(set(s)))),
    }).reset_index()
    return table[COLUMNS].sort_values(["counterpart", "activity"], kind="stable").reset_index(drop=True)
