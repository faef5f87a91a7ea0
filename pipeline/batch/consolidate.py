"""Rebuild the consolidated JSONL files from the shards: documents in doc_id order, records in stage order.

All five files are streamed from the shards one document at a time (memory
does not grow with the corpus) into temporary files renamed into place at the
end, so readers see either the previous outputs or the new ones.
"""
from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from pathlib import Path
from typing import Any

from ..records import dumps, error_order
from .atomic import atomic_many
from .store import CorruptShard, Store
from .work import OUTPUTS

ERRORS_FILE = OUTPUTS[-1]


def fingerprint(key: dict[str, Any] | None, documents: dict[str, dict[str, Any]], extra_errors: list[dict[str, Any]]) -> str:
    """Hash what the consolidated files are built from: the run key, each document's files, the planning errors."""
    body = json.dumps([key, sorted((doc_id, entry["files"]) for doc_id, entry in documents.items()), extra_errors], ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(body.encode()).hexdigest()


def up_to_date(out_dir: Path, outputs: dict[str, Any], expected: str) -> bool:
    """Return whether the consolidated files on disk are the ones the manifest says were built from ``expected``."""
    if outputs.get("fingerprint") != expected:
        return False
    sizes = outputs.get("sizes") or {}
    for name in OUTPUTS:
        path = out_dir / name
        if not path.is_file() or path.stat().st_size != sizes.get(name):
            return False
    return True


def consolidate(store: Store, doc_ids: list[str], extra_errors: list[dict[str, Any]]) -> dict[str, int]:
    """Write every output file from the shards of ``doc_ids`` (planning errors after their document's); return sizes.

    Raises CorruptShard naming every unreadable shard, with no file replaced.
    """
    extras: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for error in extra_errors:
        extras[error.get("doc_id") or ""].append(error)
    paths = [store.out_dir / name for name in OUTPUTS]
    damaged: list[CorruptShard] = []
    with atomic_many(paths) as handles:
        by_name = dict(zip(OUTPUTS, handles))
        documents = set(doc_ids)
        for doc_id in sorted(documents | set(extras)):  # a planning error of a file that is no document sits at its doc_id too
            if doc_id in documents:
                try:
                    texts = store.shard_outputs(doc_id)
                except CorruptShard as exc:
                    damaged.append(exc)
                    continue
                if damaged:
                    continue  # nothing will be kept; only look for more damaged shards
                if doc_id in extras:  # its own errors and its planning errors together, in errors.jsonl's order (records.error_order)
                    texts = dict(texts)
                    own = [json.loads(line) for line in texts.pop(ERRORS_FILE, "").split("\n") if line]  # (not splitlines: U+2028 in a name is no line break of JSONL)
                    texts[ERRORS_FILE] = "".join(dumps(error) + "\n" for error in sorted(own + extras.pop(doc_id), key=error_order))
                for name, text in texts.items():
                    by_name[name].write(text)
            for error in extras.get(doc_id, []):
                by_name[ERRORS_FILE].write(dumps(error) + "\n")
        if damaged:  # raised inside the block: no file is replaced
            raise CorruptShard("; ".join(map(str, damaged)), [doc_id for exc in damaged for doc_id in exc.doc_ids])
    return {name: path.stat().st_size for name, path in zip(OUTPUTS, paths)}
