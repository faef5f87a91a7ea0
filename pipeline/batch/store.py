"""The output folder's bookkeeping: OUT/manifest.json and one shard per document under OUT/.shards/.

A shard holds everything one document contributes to every output file, as
the exact JSONL lines, after a one-line header (doc_id, run key, raw files and
their hashes, counts, and the length of each output's text) that is enough to
decide whether the shard is still valid. The texts follow the header as they
are, one after the other, so nothing is escaped or parsed twice. Shards are written before their manifest entries, so a shard without
an entry (a killed run) is adopted by the next run when its header matches.
"""
from __future__ import annotations

import hashlib
import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..records import BadInput, dumps
from .atomic import write_text

MANIFEST = "manifest.json"
SHARDS = ".shards"
FORMAT = 2


@dataclass
class Manifest:
    """Which documents the consolidated files hold, under which run key, and what they were built from."""

    key: dict[str, Any] | None = None
    documents: dict[str, dict[str, Any]] = field(default_factory=dict)
    outputs: dict[str, Any] = field(default_factory=dict)
    code: dict[str, str] = field(default_factory=dict)  # the code hash and the package sources it was computed from (code.reuse)

    def to_json(self) -> str:
        """Serialize with one line per document: readable, diffable, and written by the C encoder (indent= is pure Python)."""
        head = {"format": FORMAT, "key": self.key, "outputs": self.outputs, "code": self.code}
        lines = [f" {dumps(name)}: {dumps(value)}" for name, value in head.items()]
        entries = [f"  {dumps(doc_id)}: {dumps(entry)}" for doc_id, entry in sorted(self.documents.items())]
        documents = ' "documents": {\n' + ",\n".join(entries) + "\n }" if entries else ' "documents": {}'
        return "{\n" + ",\n".join([*lines, documents]) + "\n}\n"


def _well_formed(data: dict[str, Any]) -> bool:
    """Return whether a parsed manifest has the shape Manifest.to_json writes (a hand edit or a damaged file may not)."""
    documents, outputs = data.get("documents"), data.get("outputs")
    if not (isinstance(data.get("key"), dict) and isinstance(documents, dict) and isinstance(outputs, dict) and isinstance(outputs.get("sizes", {}), dict)):
        return False
    return all(isinstance(entry, dict) and isinstance(entry.get("files"), list) and isinstance(entry.get("stats"), dict)
               and isinstance(entry.get("shard"), str) for entry in documents.values())


class CorruptShard(BadInput):
    """A shard file cannot be read (e.g. cut short by a power loss)."""

    def __init__(self, message: str, doc_ids: list[str]) -> None:
        super().__init__(message)
        self.doc_ids = doc_ids


class Store:
    """Read and write the manifest and the shards of one output folder."""

    def __init__(self, out_dir: Path) -> None:
        self.out_dir = out_dir
        self.shard_dir = out_dir / SHARDS
        self.manifest_path = out_dir / MANIFEST

    def load_manifest(self) -> Manifest:
        """Return the manifest, or an empty one when there is none or it is unreadable."""
        try:
            data = json.loads(self.manifest_path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return Manifest()
        if not isinstance(data, dict) or data.get("format") != FORMAT or not _well_formed(data):
            return Manifest()  # a damaged manifest vouches for nothing: shards whose headers match are adopted, the rest redone
        return Manifest(data["key"], data["documents"], data["outputs"], data.get("code") or {})

    def save_manifest(self, manifest: Manifest) -> None:
        write_text(self.manifest_path, manifest.to_json())

    @staticmethod
    def shard_name(doc_id: str) -> str:
        """Return a file name for a doc_id: readable, flat, and unique through a hash suffix."""
        safe = re.sub(r"[^A-Za-z0-9._-]+", "_", doc_id).lstrip(".")[:80]
        return f"{safe}.{hashlib.sha256(doc_id.encode()).hexdigest()[:12]}.json"

    def shard_path(self, doc_id: str) -> Path:
        return self.shard_dir / self.shard_name(doc_id)

    def shard_bytes(self, doc_id: str) -> int | None:
        """Return the size of a document's shard file, or None when there is none."""
        try:
            return os.stat(self.shard_path(doc_id)).st_size
        except OSError:
            return None

    def write_shard(self, header: dict[str, Any], outputs: dict[str, str]) -> int:
        """Write one document's shard atomically (not fsynced: a kill keeps it, a power loss may not); return its size in bytes."""
        header = {**header, "format": FORMAT, "lengths": {name: len(text) for name, text in outputs.items()}}
        text = json.dumps(header, ensure_ascii=False) + "\n" + "".join(outputs.values())
        path = self.shard_path(header["doc_id"])
        write_text(path, text, durable=False)
        return os.stat(path).st_size

    def shard_header(self, doc_id: str) -> dict[str, Any] | None:
        """Return a shard's header, or None when it is missing or unreadable."""
        try:
            with open(self.shard_path(doc_id), encoding="utf-8") as handle:
                header = json.loads(handle.readline())
        except (OSError, ValueError):
            return None
        return header if isinstance(header, dict) and header.get("doc_id") == doc_id and header.get("format") == FORMAT else None

    def shard_intact(self, doc_id: str) -> bool:
        """Return whether a shard reads whole (its header's lengths match its body)."""
        try:
            self.shard_outputs(doc_id)
        except CorruptShard:
            return False
        return True

    def shard_outputs(self, doc_id: str) -> dict[str, str]:
        """Return a shard's JSONL text per output file."""
        path = self.shard_path(doc_id)
        problem = "unreadable shard"
        try:
            with open(path, encoding="utf-8", newline="") as handle:
                header = json.loads(handle.readline())
                body = handle.read()
            lengths = header["lengths"]
            if sum(lengths.values()) != len(body):
                problem = "shard cut short"
                raise ValueError(problem)
        except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
            raise CorruptShard(f"{path}: {problem} ({exc}); delete it and run again to reprocess {doc_id!r}", [doc_id]) from None
        outputs, at = {}, 0
        for name, length in lengths.items():
            outputs[name] = body[at:at + length]
            at += length
        return outputs

    def remove_orphans(self, keep: set[str]) -> int:
        """Delete shard files (and temp files) that belong to no current document; return how many."""
        if not self.shard_dir.is_dir():
            return 0
        wanted = {self.shard_name(doc_id) for doc_id in keep}
        removed = 0
        for entry in os.scandir(self.shard_dir):
            if entry.is_file() and entry.name not in wanted:
                os.unlink(entry.path)
                removed += 1
        return removed
