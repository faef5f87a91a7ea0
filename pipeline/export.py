"""Flatten an output folder's JSONL files into typed tables and write them as Parquet or CSV.

People downstream open these in pandas, R, DuckDB or a spreadsheet, so every
table has a fixed column order and documented dtypes (pipeline/data/tables.toml)
and the files are byte-identical for identical inputs.
"""
from __future__ import annotations

import json
import tomllib
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from .names import Names
from .records import SCHEMA_VERSION, atomic_path, read_jsonl

FORMATS = ("parquet", "csv")

# Column type -> (arrow type, pandas dtype). The vocabulary is documented in tables.toml.
TYPES: dict[str, tuple[pa.DataType, str]] = {
    "string": (pa.string(), "string"),
    "int": (pa.int64(), "Int64"),
    "bool": (pa.bool_(), "boolean"),
    "list<string>": (pa.list_(pa.string()), "object"),
    "list<float>": (pa.list_(pa.float64()), "object"),
}


@dataclass(frozen=True)
class Column:
    name: str
    type: str
    path: tuple[str, ...]
    description: str


@dataclass(frozen=True)
class TableSpec:
    name: str
    source: str
    derived: bool
    description: str
    columns: tuple[Column, ...]

    def arrow_schema(self) -> pa.Schema:
        """Return the table's arrow schema, tagged with the table name and schema version."""
        meta = {"table": self.name, "schema_version": SCHEMA_VERSION, "description": self.description}
        return pa.schema([(c.name, TYPES[c.type][0]) for c in self.columns], metadata={"wpx": json.dumps(meta, sort_keys=True)})


@lru_cache(maxsize=None)
def table_specs() -> tuple[TableSpec, ...]:
    """Read the table layouts shipped in pipeline/data/tables.toml."""
    data = tomllib.loads(resources.files("pipeline.data").joinpath("tables.toml").read_text(encoding="utf-8"))
    specs = []
    for table in data["table"]:
        columns = tuple(
            Column(c["name"], c["type"], tuple(c.get("from", c["name"]).split(".")), c["description"])
            for c in table["columns"]
        )
        unknown = [c.type for c in columns if c.type not in TYPES]
        if unknown:
            raise ValueError(f"tables.toml: table {table['name']}: unknown column type(s) {unknown}")
        specs.append(TableSpec(table["name"], table["source"], table.get("derived", False), table["description"], columns))
    return tuple(specs)


def spec(name: str) -> TableSpec:
    """Return one table's layout by name."""
    return next(s for s in table_specs() if s.name == name)


def _cast(value: Any, kind: str) -> Any:
    """Coerce one JSON value to a column type; a value of the wrong JSON type becomes null."""
    is_number = isinstance(value, (int, float)) and not isinstance(value, bool)
    if kind == "string":
        return value if isinstance(value, str) else (str(value) if is_number else None)
    if kind == "int":
        return value if isinstance(value, int) and not isinstance(value, bool) else None
    if kind == "bool":
        return value if isinstance(value, bool) else None
    if not isinstance(value, list):
        return None
    if kind == "list<float>":
        return [float(v) if isinstance(v, (int, float)) and not isinstance(v, bool) else None for v in value]
    return [v if isinstance(v, str) else None for v in value]


def _get(record: dict[str, Any], path: tuple[str, ...]) -> Any:
    value: Any = record
    for key in path:
        if not isinstance(value, dict):
            return None
        value = value.get(key)
    return value


def frame(table: TableSpec, rows: Iterable[dict[str, Any]]) -> pd.DataFrame:
    """Build a DataFrame with the table's columns, in order, with their documented dtypes."""
    rows = list(rows)
    data = {}
    for column in table.columns:
        values = [_cast(_get(row, column.path), column.type) for row in rows]
        data[column.name] = pd.Series(values, dtype=TYPES[column.type][1])
    return pd.DataFrame(data, columns=[c.name for c in table.columns])


def entity_rows(mentions: list[dict[str, Any]], names: Names) -> list[dict[str, Any]]:
    """Group mentions with a non-null norm id into one row per (document, label, id)."""
    groups: dict[tuple[str, str, str], list[dict[str, Any]]] = defaultdict(list)
    for mention in mentions:
        entity_id = (mention.get("norm") or {}).get("id")
        if isinstance(entity_id, str) and entity_id:
            groups[(mention["doc_id"], mention["label"], entity_id)].append(mention)
    rows = []
    for (doc_id, label, entity_id), group in groups.items():
        group.sort(key=lambda m: (m["start"], m["end"]))
        name, source = names.name(label, entity_id, [m["text"] for m in group])
        first = group[0]
        rows.append({
            "schema_version": first.get("schema_version"), "doc_id": doc_id, "label": label, "entity_id": entity_id,
            "name": name, "name_source": source, "mention_count": len(group),
            "first_start": first["start"], "first_end": first["end"], "first_mention_id": first.get("id"),
        })
    return sorted(rows, key=lambda r: (r["doc_id"], r["first_start"], r["label"], r["entity_id"]))


def counterpart_rows(relations: list[dict[str, Any]], mentions: list[dict[str, Any]], names: Names) -> list[dict[str, Any]]:
    """One row per relation and counterpart, named like the entities table names them."""
    by_id = {m.get("id"): m for m in mentions}
    texts: dict[str, list[str]] = defaultdict(list)
    for mention in mentions:
        entity_id = (mention.get("norm") or {}).get("id")
        if isinstance(entity_id, str):
            texts[entity_id].append(mention["text"])
    rows = []
    for relation in relations:
        linked = {c.get("id"): c for c in relation.get("counterpart_mentions") or []}
        for counterpart in relation.get("counterparts") or []:
            link = linked.get(counterpart, {})
            label = (by_id.get(link.get("mention_id")) or {}).get("label")
            rows.append({
                "schema_version": relation.get("schema_version"), "relation_id": relation.get("id"),
                "doc_id": relation.get("doc_id"), "counterpart_id": counterpart,
                "name": names.name(label, counterpart, texts.get(counterpart, []))[0],
                "activity": relation.get("activity"), "mention_id": link.get("mention_id"),
                "resolved_from": link.get("resolved_from"),
            })
    return rows


@dataclass
class Tables:
    """The tables built from one output folder, and notes on what was skipped."""

    frames: dict[str, pd.DataFrame] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def build_tables(out_dir: Path | str, configs: Path | str | None = None) -> Tables:
    """Read OUT_DIR's JSONL files and build every table whose input file exists."""
    out_dir = Path(out_dir)
    names = Names(configs)
    sources: dict[str, list[dict[str, Any]] | None] = {}
    tables = Tables()
    for table in table_specs():
        if table.source not in sources:
            path = out_dir / table.source
            sources[table.source] = list(read_jsonl(path)) if path.exists() else None
        records = sources[table.source]
        if records is None:
            tables.notes.append(f"{table.name}: skipped, {table.source} not found in {out_dir}")
            continue
        derive: dict[str, Callable[[], list[dict[str, Any]]]] = {
            "entities": lambda: entity_rows(records, names),
            "relation_counterparts": lambda: counterpart_rows(records, sources.get("mentions.jsonl") or [], names),
        }
        tables.frames[table.name] = frame(table, derive[table.name]() if table.derived else records)
    return tables


def write_table(df: pd.DataFrame, table: TableSpec, path: Path, fmt: str) -> None:
    """Write one table deterministically (fixed schema, compression and row groups; no timestamps)."""
    if fmt == "parquet":
        arrow = pa.Table.from_pandas(df, schema=table.arrow_schema(), preserve_index=False)
        with atomic_path(path) as tmp:
            pq.write_table(arrow, tmp, compression="zstd", row_group_size=1 << 20)
    elif fmt == "csv":
        flat = df.copy()
        for column in table.columns:
            if column.type.startswith("list"):
                flat[column.name] = [None if v is None else json.dumps(list(v), ensure_ascii=False) for v in flat[column.name]]
        with atomic_path(path) as tmp:
            flat.to_csv(tmp, index=False, lineterminator="\n", encoding="utf-8")
    else:
        raise ValueError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")


@dataclass
class ExportResult:
    written: list[Path] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def export(out_dir: Path | str, dest: Path | str | None = None, fmt: str = "parquet", configs: Path | str | None = None) -> ExportResult:
    """Write every table of OUT_DIR into DEST (default OUT_DIR/tables); remove stale files of skipped tables."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
    out_dir = Path(out_dir)
    dest = Path(dest) if dest is not None else out_dir / "tables"
    tables = build_tables(out_dir, configs)
    result = ExportResult(notes=list(tables.notes))
    for table in table_specs():
        path = dest / f"{table.name}.{fmt}"
        if table.name in tables.frames:
            write_table(tables.frames[table.name], table, path, fmt)
            result.written.append(path)
        elif path.exists():
            path.unlink()
            result.notes.append(f"{table.name}: removed stale {path}")
    return result
