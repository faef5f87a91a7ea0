"""The batch engine behind `wpx run`: incremental, parallel (process pool or Dask), resumable.

Flow: plan (list documents, hash raw files) -> compare with OUT/manifest.json
-> process what changed in bounded chunks -> per document, write its shard,
then its manifest entry -> rebuild the consolidated JSONL files from the
shards -> save the manifest -> delete shards of documents that are gone.
Every file is replaced atomically, so a SIGKILL at any point leaves the
previous outputs intact and the next run resumes from the shards written.
"""
from __future__ import annotations

import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from .. import lineage
from ..config import Config
from ..ingest import folder_name, named_in_raw, refuse_raw_as_out, source_path
from ..records import ERRORS, PARSES, FolderBusy, error_record, exclusive, read_jsonl
from .code import reuse
from .consolidate import consolidate, fingerprint, up_to_date
from .executors import SchedulerUnavailable, WorkersDie, check_address
from .plan import Planned, changes, plan, run_key
from ..progress import Progress
from .progress import Summary
from .store import MANIFEST, CorruptShard, Manifest, Store
from .work import Chunk, Task, frozen

__all__ = ["run", "Summary", "CorruptShard", "FolderBusy", "SchedulerUnavailable", "WorkersDie"]


def run(raw_dir: Path | str, out_dir: Path | str, config: Config, ner: bool = True, workers: int = 1,
        scheduler: str | None = None, progress: bool = False) -> Summary:
    """Bring ``out_dir`` up to date with ``raw_dir``: process new and changed documents, drop deleted ones.

    Raises FolderBusy when another wpx process is writing ``out_dir``, Misuse when it is ``raw_dir``.
    """
    if scheduler:
        check_address(scheduler)
    refuse_raw_as_out(Path(raw_dir), Path(out_dir))  # before anything is written among the raw files
    with exclusive(Path(out_dir), also=(MANIFEST,)):
        return _run(Path(raw_dir), Path(out_dir), config, ner, workers, scheduler, progress)


def _run(raw_dir: Path, out_dir: Path, config: Config, ner: bool, workers: int, scheduler: str | None, progress: bool) -> Summary:
    started = time.perf_counter()
    config = frozen(config)
    settings = config.section("batch")
    store = Store(out_dir)
    manifest = store.load_manifest()
    noted = reuse(manifest.code, (manifest.key or {}).get("code_hash"))  # fixes the code hash before planning, which may take minutes: the code is what was loaded
    planned = plan(raw_dir, config, out_dir)
    key = run_key(config, raw_dir, ner)
    todo = changes(planned, manifest, key, store)
    if manifest.key != key:
        manifest = Manifest(key, {}, manifest.outputs)
    manifest.code = noted
    for doc_id in todo.drop:
        manifest.documents.pop(doc_id, None)
    if todo.todo:
        # Their shards are about to be replaced: the manifest on disk must stop vouching for them first, or a run
        # interrupted now would leave shards of another mode, configs or file content that the next run trusts.
        for doc in todo.todo:
            manifest.documents.pop(doc.doc_id, None)
        store.save_manifest(manifest)
    for doc_id, header in todo.adopted.items():
        manifest.documents[doc_id] = _entry(store, header["files"], header["stats"], doc_id, store.shard_bytes(doc_id))
    summary = Summary(skipped=len(todo.keep), dropped=len(todo.drop), rules_only=not ner)

    def process(documents: list[Planned]) -> None:
        with Progress(len(documents), progress) as bar:
            _process(documents, raw_dir, out_dir, config, ner, workers, scheduler, settings, store, manifest, key, summary, bar)

    process(todo.todo)
    expected = fingerprint(key, manifest.documents, planned.errors)
    if summary.processed or not up_to_date(out_dir, manifest.outputs, expected):
        _drop_parses(out_dir)
        try:
            sizes = consolidate(store, list(manifest.documents), planned.errors)
        except CorruptShard as exc:  # damaged on disk after it was written: its raw files are here, so redo it (once)
            damaged = set(exc.doc_ids)
            redo = [doc for doc in planned.documents if doc.doc_id in damaged]
            for doc in redo:
                manifest.documents.pop(doc.doc_id, None)
            store.save_manifest(manifest)
            kept = {doc.doc_id for doc in todo.keep}
            summary.skipped -= len(damaged & kept)
            summary.processed -= len(damaged - kept)  # processed in this run already: counted again below
            process(redo)
            sizes = consolidate(store, list(manifest.documents), planned.errors)
        manifest.outputs = {"fingerprint": expected, "sizes": sizes}
        lineage.note_all(out_dir)
    store.save_manifest(manifest)
    store.remove_orphans(set(manifest.documents))
    stats = [entry["stats"] for entry in manifest.documents.values()]
    summary.totals = {name: sum(s.get(name, 0) for s in stats) for name in ("documents", "segments", "mentions", "relations", "errors")}
    summary.failed = sum(1 for s in stats if s.get("failed")) + len(planned.errors)
    summary.unlisted = len(planned.errors)
    errors_path = out_dir / ERRORS
    summary.errors = list(read_jsonl(errors_path)) if errors_path.stat().st_size else []
    summary.seconds = time.perf_counter() - started
    return summary


def _drop_parses(out_dir: Path) -> None:
    """Delete OUT/parses and what killed extracts left of it: `wpx extract` wrote them for the mentions a run replaces.

    Kept, `wpx relate` would pair them with the run's mentions (rules-only
    parses beside a full run's mentions relate nothing); gone, `make
    extract` runs extract again before relate.
    """
    for path in (out_dir / PARSES, *out_dir.glob(f".{PARSES}.*")):
        shutil.rmtree(path, ignore_errors=True)


def _entry(store: Store, files: list[list[str | None]], stats: dict[str, Any], doc_id: str, size: int | None) -> dict[str, Any]:
    return {"files": files, "shard": store.shard_name(doc_id), "bytes": size, "stats": stats}


def _process(todo: list[Planned], raw_dir: Path, out_dir: Path, config: Config, ner: bool, workers: int, scheduler: str | None,
             settings: dict[str, Any], store: Store, manifest: Manifest, key: dict[str, Any], summary: Summary, bar: Progress) -> None:
    """Process ``todo`` in chunks; write each document's shard, then its manifest entry (saved every few seconds)."""
    if not todo:
        return
    from .executors import run_chunks

    by_id = {doc.doc_id: doc for doc in todo}
    size = max(1, min(int(settings["chunk_documents"]), -(-len(todo) // (2 * max(1, workers)))))
    chunks = _chunks(todo, raw_dir, size, int(settings["chunk_bytes"]))
    workers = min(workers, -(-len(todo) // size))
    last_save = time.monotonic()
    for outcomes in run_chunks(chunks, config, ner, workers, scheduler, float(settings["scheduler_timeout"])):
        for result in outcomes:
            files = by_id[result.doc_id].entry_files
            size = store.write_shard({"doc_id": result.doc_id, "key": key, "files": files, "stats": result.stats}, result.outputs)
            manifest.documents[result.doc_id] = _entry(store, files, result.stats, result.doc_id, size)
            summary.processed += 1
            summary.words += result.stats["words"]
        bar.update(len(outcomes), sum(r.stats["words"] for r in outcomes))
        if time.monotonic() - last_save >= float(settings["manifest_every"]):
            store.save_manifest(manifest)
            last_save = time.monotonic()


def _chunks(todo: list[Planned], raw_dir: Path, size: int, max_bytes: int) -> Iterator[Chunk]:
    """Read the raw files of ``todo`` lazily into chunks of at most ``size`` documents and ``max_bytes`` bytes."""
    tasks: list[Task] = []
    used = 0
    for doc in todo:
        try:
            files = tuple((rel, (raw_dir / rel).read_bytes()) for rel, _ in doc.files)
        except OSError as exc:
            files = ()
            error = error_record(doc.doc_id, source_path(raw_dir, raw_dir / doc.files[0][0]), "ingest", named_in_raw(raw_dir, exc))
            tasks.append(Task(doc.doc_id, files, error))
            continue
        weight = sum(len(data) for _, data in files)
        if tasks and (len(tasks) >= size or used + weight > max_bytes):
            yield Chunk(folder_name(raw_dir), tuple(tasks))
            tasks, used = [], 0
        tasks.append(Task(doc.doc_id, files))
        used += weight
    if tasks:
        yield Chunk(folder_name(raw_dir), tuple(tasks))
