"""Write DATASET.md, the dataset card, from an output folder's records.

A dataset is only citable and reusable when its tables, labels, sources,
versions and counts are written down next to it; generating the card from
the outputs keeps it from drifting out of date.
"""
from __future__ import annotations

import hashlib
import tomllib
from functools import lru_cache
from importlib import metadata, resources
from pathlib import Path
from string import Template
from typing import Any

import pandas as pd

from . import export
from .config import load_toml
from .names import REGISTRY_GLOB
from .records import SCHEMA_VERSION
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


def _distinct(frame: pd.DataFrame | None, column: str) -> str:
    if frame is None or frame.empty:
        return "n/a"
    values = sorted(str(v) for v in frame[column].dropna().unique())
    return ", ".join(f"`{v}`" for v in values) or "n/a"


def _summary(frames: dict[str, pd.DataFrame]) -> str:
    docs = frames.get("documents")
    rows = [["documents", len(docs) if docs is not None else 0]]
    for name in ("segments", "mentions", "entities", "relations"):
        rows.append([name, len(frames[name]) if name in frames else "not produced"])
    rows += [
        ["pipeline version", _distinct(docs, "pipeline_version")],
        ["config hash", _distinct(docs, "config_hash")],
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


def _tables(frames: dict[str, pd.DataFrame]) -> str:
    parts = []
    for table in export.table_specs():
        rows = [[f"`{c.name}`", c.type, export.TYPES[c.type][1], c.description] for c in table.columns]
        size = f"{len(frames[table.name])} rows" if table.name in frames else "not produced (input file missing)"
        parts.append(f"### `{table.name}` ({size})\n\n{table.description}\n\n" + md_table(["column", "type", "pandas dtype", "meaning"], rows))
    return "\n\n".join(parts)


def _labels(frames: dict[str, pd.DataFrame]) -> str:
    counts = frames["mentions"]["label"].value_counts() if "mentions" in frames else pd.Series(dtype="Int64")
    rows = [[f"`{name}`", info["definition"], info["norm"], int(counts.get(name, 0))] for name, info in labels().items()]
    return md_table(["label", "what", "norm", "mentions"], rows)


def _versions(frames: dict[str, pd.DataFrame], configs: Path | None) -> str:
    model = None
    if configs is not None and (configs / "pipeline.toml").exists():
        model = load_toml(configs / "pipeline.toml").get("extract", {}).get("model")
    rows = [
        ["pycountry (ISO 3166 countries and subdivisions)", installed_version("pycountry") or "not installed"],
        ["spaCy", installed_version("spacy") or "not installed"],
    ]
    if model:
        rows.append([f"spaCy model `{model}` (configs/pipeline.toml)", installed_version(model) or "not installed"])
    if "mentions" in frames:
        for extractor, count in frames["mentions"]["extractor"].value_counts().sort_index().items():
            if str(extractor).startswith("ner:"):
                name = str(extractor)[4:]
                rows.append([f"NER extractor `{name}` ({count} mentions)", model_version(name)])
    for path in sorted(configs.glob(REGISTRY_GLOB)) if configs is not None else []:
        data = path.read_bytes()
        entries = sum(1 for line in data.decode("utf-8").splitlines()[1:] if line.strip() and not line.startswith("#"))
        rows.append([f"registry `{path.name}` ({entries} entries)", f"sha256 `{hashlib.sha256(data).hexdigest()[:16]}`"])
    return md_table(["component", "version"], rows)


def _counts(frames: dict[str, pd.DataFrame]) -> str:
    if "mentions" not in frames or frames["mentions"].empty:
        return "No mentions were produced."
    mentions = frames["mentions"]
    pivot = pd.crosstab(mentions["doc_id"], mentions["label"])
    pivot = pivot.reindex(columns=[l for l in labels() if l in pivot.columns])
    pivot["total"] = pivot.sum(axis=1)
    if "relations" in frames:
        pivot["engagements"] = frames["relations"]["doc_id"].value_counts().reindex(pivot.index, fill_value=0)
    rows = [[f"`{doc}`", *map(int, values)] for doc, values in zip(pivot.index, pivot.to_numpy())]
    totals = pivot.sum(axis=0)
    rows.append(["**all**", *map(int, totals.to_numpy())])
    return md_table(["document", *pivot.columns], rows)


def _citation(frames: dict[str, pd.DataFrame]) -> str:
    docs = frames.get("documents")
    for name, what in (("mentions", "label"), ("segments", "kind")):
        frame = frames.get(name)
        if frame is not None and not frame.empty and docs is not None and not docs.empty:
            record = frame.iloc[0]
            doc = docs[docs["doc_id"] == record["doc_id"]]
            if doc.empty:
                continue
            doc = doc.iloc[0]
            text = str(record["text"]) if not pd.isna(record["text"]) else ""
            return (
                f"> \"{text}\" ({record[what]}), record `{record['id']}` in `{name}.jsonl`, characters "
                f"{record['start']}-{record['end']} of document `{record['doc_id']}` (`{doc['source_path']}`, sha256 "
                f"`{doc['sha256']}`), wpx {doc['pipeline_version']}, config `{doc['config_hash'][:12]}`."
            )
    return "> (no records to cite yet)"


def render(out_dir: Path | str, configs: Path | str | None = None, tables: export.Tables | None = None) -> str:
    """Return the dataset card's Markdown for ``out_dir``."""
    out_dir = Path(out_dir)
    configs = Path(configs) if configs is not None else None
    frames = (tables or export.build_tables(out_dir, configs)).frames
    template = Template(resources.files("pipeline.data").joinpath("dataset_card.md").read_text(encoding="utf-8"))
    return template.substitute(
        title=out_dir.name or str(out_dir), summary=_summary(frames), files=_files(out_dir), tables=_tables(frames),
        labels=_labels(frames), versions=_versions(frames, configs), counts=_counts(frames), citation=_citation(frames),
    )


def write_card(out_dir: Path | str, configs: Path | str | None = None, tables: export.Tables | None = None, dest: Path | str | None = None) -> Path:
    """Write DATASET.md into ``out_dir`` (or ``dest``) and return its path."""
    path = Path(dest) if dest is not None else Path(out_dir) / CARD
    text = render(out_dir, configs, tables)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8", newline="\n")
    return path
