"""Summarize an output folder as pandas tables for the terminal.

A quick look before loading the tables elsewhere: how many mentions of each
label per document, who the counterparts are, and how many engagements of
each activity (with the counts they report).
"""
from __future__ import annotations

import dataclasses
from pathlib import Path

import pandas as pd

from . import export
from .card import labels
from .derived import Counterparts
from .schemas import read_records
from .names import Names
from .records import MENTIONS, RELATIONS

MENTION_COLUMNS = ("doc_id", "label")  # all mentions_per_label reads of the mentions


def mentions_per_label(tables: export.Tables) -> pd.DataFrame | None:
    """Return documents x labels mention counts, with a total row and column."""
    mentions = tables.frames.get("mentions")
    if mentions is None:
        return None
    pivot = pd.crosstab(mentions["doc_id"], mentions["label"], margins=True, margins_name="total")
    order = [l for l in labels() if l in pivot.columns] + ["total"]
    return pivot.reindex(columns=order).rename_axis(index="document", columns="label")


def top_counterparts(tables: export.Tables, n: int = 10) -> pd.DataFrame | None:
    """Return the ``n`` counterparts in most engagements, with their names and documents."""
    pairs = tables.frames.get("relation_counterparts")
    if pairs is None:
        return None
    grouped = pairs.groupby(["counterpart_id"], dropna=False).agg(
        name=("name", "first"), engagements=("relation_id", "nunique"), documents=("doc_id", "nunique"),
    )
    return grouped.sort_values(["engagements", "documents"], ascending=False, kind="stable").head(n)


def engagement_totals(tables: export.Tables) -> pd.DataFrame | None:
    """Return engagements per activity: how many, in how many documents, and the sum of their counts."""
    relations = tables.frames.get("relations")
    if relations is None:
        return None
    totals = relations.groupby("activity").agg(
        engagements=("id", "size"), documents=("doc_id", "nunique"),
        with_count=("count_value", "count"), count_sum=("count_value", "sum"),
    )
    totals = totals.sort_values("engagements", ascending=False, kind="stable")
    totals.loc["total"] = [len(relations), relations["doc_id"].nunique(), relations["count_value"].count(), relations["count_value"].sum()]
    return totals


def summary_tables(out_dir: Path | str, configs: Path | str | None = None) -> export.Tables:
    """Return the tables the report reads, streaming: relations and relation_counterparts whole, of the mentions only doc_id and label.

    export.build_tables would hold every mention's every column; on an
    archive's folder that is gigabytes for two columns' worth of counts.
    """
    out_dir = Path(out_dir)
    tables = export.Tables()
    counterparts = Counterparts(Names(configs))
    if (out_dir / RELATIONS).exists():
        relations = list(read_records(out_dir / RELATIONS))
        for relation in relations:
            counterparts.add_relation(relation)
        tables.frames["relations"] = export.frame(export.spec("relations"), relations)
    if (out_dir / MENTIONS).exists():
        spec = export.spec("mentions")
        lean = dataclasses.replace(spec, columns=tuple(c for c in spec.columns if c.name in MENTION_COLUMNS))
        columns: dict[str, list] = {c.name: [] for c in lean.columns}
        for mention in read_records(out_dir / MENTIONS):
            counterparts.add_mention(mention)
            for column in lean.columns:
                columns[column.name].append(export.cast(export.get(mention, column.path), column.type))
        tables.frames["mentions"] = export.frame_of_columns(lean, columns)
    if "relations" in tables.frames:
        tables.frames["relation_counterparts"] = export.frame(export.spec("relation_counterparts"), counterparts.rows())
    return tables


def report(out_dir: Path | str, configs: Path | str | None = None, top: int = 10) -> str:
    """Return the summary tables as text, with a note for each table that could not be built."""
    tables = summary_tables(out_dir, configs)
    sections = [
        ("Mentions per label and document", "mentions.jsonl", mentions_per_label(tables)),
        (f"Top {top} counterparts", "relations.jsonl", top_counterparts(tables, top)),
        ("Engagements per activity", "relations.jsonl", engagement_totals(tables)),
    ]
    parts = []
    for title, source, frame in sections:
        if frame is None:
            body = f"(not available: no {source} in {out_dir})"
        elif frame.empty:
            body = "(none)"
        else:
            body = frame.to_string()
        parts.append(f"{title}\n{'=' * len(title)}\n{body}")
    return "\n\n".join(parts) + "\n"
