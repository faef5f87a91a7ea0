"""Stage ingest: walk the raw folder, decode each file, write documents.jsonl."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .. import __version__
from ..config import Config
from ..layout import LayoutRules, classify, metadata
from ..records import DOCUMENTS, SCHEMA_VERSION, error_record, update_errors, write_jsonl
from .txt import IngestError, decode_text

STAGE = "ingest"


@dataclass
class StageResult:
    written: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)


def discover(raw_dir: Path, config: Config) -> list[Path]:
    """List the files under ``raw_dir`` in a stable order, skipping OS litter."""
    skip = tuple(config.section("ingest")["skip_prefixes"])
    return sorted(
        (p for p in raw_dir.rglob("*") if p.is_file() and not any(part.startswith(skip) for part in p.relative_to(raw_dir).parts)),
        key=lambda p: p.relative_to(raw_dir).as_posix(),
    )


def doc_id_for(raw_dir: Path, path: Path) -> str:
    """Return the contract's doc_id: the path under the input folder without extension."""
    rel = path.relative_to(raw_dir)
    return rel.with_suffix("").as_posix()


def ingest_file(raw_dir: Path, path: Path, config: Config, rules: LayoutRules) -> dict[str, Any]:
    """Turn one raw file into a document record, or raise IngestError saying why not."""
    settings = config.section("ingest")
    fmt = settings["formats"].get(path.suffix.lower())
    if fmt is None:
        raise IngestError(f"unsupported file type {path.suffix or '(no extension)'!r}; supported: {', '.join(sorted(settings['formats']))}")
    raw = path.read_bytes()
    decoded = decode_text(raw, settings["fallback_encoding"])
    meta = metadata(decoded.text, classify(decoded.text, rules))
    return {
        "schema_version": SCHEMA_VERSION,
        "doc_id": doc_id_for(raw_dir, path),
        "source_path": (Path(raw_dir.name) / path.relative_to(raw_dir)).as_posix(),
        "sha256": hashlib.sha256(raw).hexdigest(),
        "format": fmt,
        "encoding": decoded.encoding,
        "encoding_fallback": decoded.encoding_fallback,
        "warnings": decoded.warnings,
        "title": meta["title"],
        "publisher": meta["publisher"],
        "published": meta["published"],
        "pipeline_version": __version__,
        "config_hash": config.hash,
        "text": decoded.text,
    }


def run(raw_dir: Path | str, out_dir: Path | str, config: Config) -> StageResult:
    """Ingest every file of ``raw_dir`` into ``out_dir/documents.jsonl``; bad files become errors."""
    raw_dir, out_dir = Path(raw_dir), Path(out_dir)
    rules = LayoutRules.from_config(config)
    result = StageResult()
    documents: list[dict[str, Any]] = []
    seen: dict[str, str] = {}
    for path in discover(raw_dir, config):
        source = (Path(raw_dir.name) / path.relative_to(raw_dir)).as_posix()
        doc_id = doc_id_for(raw_dir, path)
        try:
            if doc_id in seen:
                raise IngestError(f"doc_id {doc_id!r} already taken by {seen[doc_id]}")
            documents.append(ingest_file(raw_dir, path, config, rules))
            seen[doc_id] = source
        except (IngestError, OSError) as exc:
            result.errors.append(error_record(doc_id, source, STAGE, exc))
    result.written = write_jsonl(out_dir / DOCUMENTS, documents)
    update_errors(out_dir, STAGE, result.errors)
    return result
