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
from contextlib import ExitStack
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import IO, Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from .derived import Counterparts, EntityGroups, counterpart_rows, entity_rows
from .schemas import read_records
from .names import Names
from .records import MENTIONS, RELATIONS, SCHEMA_VERSION, atomic_path

FORMATS = ("parquet", "csv")
BATCH_ROWS = 1 << 16  # rows per written batch: one Parquet row group
BATCH_CHARS = 1 << 23  # ... or fewer rows, once their strings hold this many characters (documents_text: whole documents)

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


def cast(value: Any, kind: str) -> Any:
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


def get(record: dict[str, Any], path: tuple[str, ...]) -> Any:
    value: Any = record
    for key in path:
        if not isinstance(value, dict):
            return None
        value = value.get(key)
    return value


def frame(table: TableSpec, rows: Iterable[dict[str, Any]]) -> pd.DataFrame:
    """Build a DataFrame with the table's columns, in order, with their documented dtypes."""
    rows = list(rows)
    return frame_of_columns(table, {c.name: [cast(get(row, c.path), c.type) for row in rows] for c in table.columns})


def frame_of_columns(table: TableSpec, columns: dict[str, list[Any]]) -> pd.DataFrame:
    """Build the table's DataFrame from its cast column values."""
    data = {c.name: pd.Series(columns[c.name], dtype=TYPES[c.type][1]) for c in table.columns}
    return pd.DataFrame(data, columns=[c.name for c in table.columns])


@dataclass
class Tables:
    """The tables built from one output folder, and notes on what was skipped."""

    frames: dict[str, pd.DataFrame] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def build_tables(out_dir: Path | str, configs: Path | str | None = None) -> Tables:
    """Read OUT_DIR's JSONL files into DataFrames, one per table whose input file exists (for analysis in memory; export streams)."""
    out_dir = Path(out_dir)
    names = Names(configs)
    sources: dict[str, list[dict[str, Any]] | None] = {}
    tables = Tables()
    for table in table_specs():
        if table.source not in sources:
            path = out_dir / table.source
            sources[table.source] = list(read_records(path)) if path.exists() else None
        records = sources[table.source]
        if records is None:
            tables.notes.append(_skipped(table, out_dir))
            continue
        derive: dict[str, Callable[[], list[dict[str, Any]]]] = {
            "entities": lambda: entity_rows(records, names),
            "relation_counterparts": lambda: counterpart_rows(records, sources.get(MENTIONS) or [], names),
        }
        tables.frames[table.name] = frame(table, derive[table.name]() if table.derived else records)
    return tables


def _skipped(table: TableSpec, out_dir: Path) -> str:
    return f"{table.name}: skipped, {table.source} not found in {out_dir}"


class TableWriter:
    """Write one table batch by batch (a Parquet row group, or CSV lines, per batch), so memory holds a batch, not the table.

    A batch ends at BATCH_ROWS rows, or sooner when its strings reach
    BATCH_CHARS characters (documents_text holds whole documents). The file
    is written under a temporary name and renamed into place by close().
    """

    def __init__(self, table: TableSpec, path: Path, fmt: str) -> None:
        if fmt not in FORMATS:
            raise ValueError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
        self.table, self.path, self.fmt = table, path, fmt
        self.rows = 0
        self._stack = ExitStack()
        self._tmp = self._stack.enter_context(atomic_path(path))
        self._columns: dict[str, list[Any]] = {c.name: [] for c in table.columns}
        self._plan = self._plan_of(self._columns)
        self._batch = self._chars = 0
        self._parquet: pq.ParquetWriter | None = None
        self._csv: IO[str] | None = None
        self._done = False

    def add(self, row: dict[str, Any]) -> None:
        chars = 0
        for key, path, kind, plain, values in self._plan:
            value = row.get(key) if path is None else get(row, path)
            if type(value) is not plain:  # the common case (a str for a string column, an int for an int column) needs no cast
                value = cast(value, kind)
            values.append(value)
            if type(value) is str:
                chars += len(value)
        self._chars += chars
        self._batch += 1
        if self._batch >= BATCH_ROWS or self._chars >= BATCH_CHARS:
            self._flush()

    def _flush(self) -> None:
        df = frame_of_columns(self.table, self._columns)
        if self.fmt == "parquet":
            arrow = pa.Table.from_pandas(df, schema=self.table.arrow_schema(), preserve_index=False)
            if self._parquet is None:
                self._parquet = self._stack.enter_context(pq.ParquetWriter(self._tmp, arrow.schema, compression="zstd"))
            self._parquet.write_table(arrow, row_group_size=BATCH_ROWS)
        else:
            for column in self.table.columns:
                if column.type.startswith("list"):
                    df[column.name] = [None if v is None else json.dumps(list(v), ensure_ascii=False) for v in df[column.name]]
            if self._csv is None:
                self._csv = self._stack.enter_context(open(self._tmp, "w", encoding="utf-8", newline=""))
            df.to_csv(self._csv, header=self.rows == 0, index=False, lineterminator="\n")
        self.rows += self._batch
        for values in self._columns.values():
            values.clear()  # the frame holds copies
        self._batch = self._chars = 0

    def _plan_of(self, columns: dict[str, list[Any]]) -> list[tuple[str, tuple[str, ...] | None, str, type | None, list[Any]]]:
        """Return, per column: its key (or, nested, its path), type, the Python type that needs no cast, and its value list."""
        plain = {"string": str, "int": int, "bool": bool}
        return [(c.path[0], None if len(c.path) == 1 else c.path, c.type, plain.get(c.type), columns[c.name]) for c in self.table.columns]

    def close(self) -> None:
        """Write the last batch (or, for a table with no rows, its schema or header) and put the file in place."""
        if self._done:
            return
        if self._batch or (self._parquet is None and self._csv is None):
            self._flush()
        self._done = True
        self._stack.close()

    def discard(self) -> None:
        """Drop what was written: the temporary file goes, an older output stays."""
        if not self._done:
            self._done = True
            self._stack.__exit__(_Discarded, _Discarded(), None)

    def __enter__(self) -> TableWriter:
        return self

    def __exit__(self, kind, error, trace) -> None:
        if kind is None:
            self.close()
        elif not self._done:
            self._done = True
            self._stack.__exit__(kind, error, trace)  # the temporary file is removed; the old output stays


class _Discarded(Exception):
    """Thrown into a TableWriter's files to remove them."""


@dataclass
class ExportResult:
    written: list[Path] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def export(out_dir: Path | str, dest: Path | str | None = None, fmt: str = "parquet", configs: Path | str | None = None,
           feeds: dict[str, Callable[[dict[str, Any]], None]] | None = None) -> ExportResult:
    """Write every table of OUT_DIR into DEST (default OUT_DIR/tables); remove stale files of skipped tables.

    Each JSONL file is read once, streaming: its records go into the
    writers of the tables made from it and into the builders of the derived
    tables, so memory does not grow with the number of mentions. The tables
    are renamed into place together at the end: a bad record leaves the
    previous tables as they were.
    """
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
    out_dir = Path(out_dir)
    dest = Path(dest) if dest is not None else out_dir / "tables"
    names = Names(configs)
    present = {t.source for t in table_specs() if (out_dir / t.source).exists()}
    made = {t.name for t in table_specs() if t.source in present}
    result = ExportResult(notes=[_skipped(t, out_dir) for t in table_specs() if t.source not in present])
    path_of = lambda name: dest / f"{name}.{fmt}"  # noqa: E731
    with ExitStack() as stack:
        consumers_of: dict[str, list[Callable[[dict[str, Any]], None]]] = defaultdict(list)
        for name, feed in (feeds or {}).items():
            consumers_of[name].append(feed)
        entities = counterparts = None
        if "entities" in made:
            entity_writer = stack.enter_context(TableWriter(spec("entities"), path_of("entities"), fmt))
            entities = EntityGroups(names, emit=entity_writer.add)
            consumers_of[MENTIONS].append(entities.add)
        if "relation_counterparts" in made:
            counterparts = Counterparts(names)
            consumers_of[RELATIONS].append(counterparts.add_relation)
            consumers_of[MENTIONS].append(counterparts.add_mention)
        # relations before mentions: the counterparts builder must know which mentions to keep
        for source in sorted(present, key=lambda name: (name == MENTIONS, name)):
            writers = [stack.enter_context(TableWriter(t, path_of(t.name), fmt)) for t in table_specs() if t.source == source and not t.derived]
            consumers = [w.add for w in writers] + consumers_of[source]
            for record in read_records(out_dir / source):
                for consume in consumers:
                    consume(record)
        if entities is not None:
            entities.finish()
            if not entities.ordered:  # mentions.jsonl is not in doc_id order: group every mention, on a second reading
                entity_writer.discard()
                entity_writer = stack.enter_context(TableWriter(spec("entities"), path_of("entities"), fmt))
                for row in entity_rows(read_records(out_dir / MENTIONS), names):
                    entity_writer.add(row)
        if counterparts is not None:
            writer = stack.enter_context(TableWriter(spec("relation_counterparts"), path_of("relation_counterparts"), fmt))
            for row in counterparts.rows():
                writer.add(row)
        # leaving the stack puts every table in place, or (after an error) none
    for table in table_specs():
        path = dest / f"{table.name}.{fmt}"
        if table.source in present:
            result.written.append(path)
        elif path.exists():
            path.unlink()
            result.notes.append(f"{table.name}: removed stale {path}")
    return result
