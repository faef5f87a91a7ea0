"""Process documents where the work runs (this process, a pool worker or a Dask worker).

One document goes ingest -> segment -> extract -> relate through the stages'
per-document cores and fails alone: the first stage that raises becomes an
errors.jsonl record and the records of the earlier stages are kept, as in a
stage-by-stage run. Only the spaCy pipeline sees a chunk's documents at once,
to keep its batches full; what it finds in a block does not depend on the
blocks batched with it. Results come back as the exact JSONL text of each output
file, so the client only concatenates. Raw files travel as bytes with their
paths under the raw folder, so workers need no shared filesystem and
doc_id/source_path come out as in a local run. The engine (the
spaCy pipeline and every compiled rule) is built once per process and cached.
"""
from __future__ import annotations

import gc
import os
import shutil
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from .. import tree
from ..config import Config, ConfigError, config_hash, load_config
from ..records import DOCUMENTS, ERRORS, INGEST_WARNING, MENTIONS, OUTPUT_FILES, RELATIONS, SEGMENTS, STAGE_ORDER, Misuse, dumps, error_record

OUTPUTS = OUTPUT_FILES
STAGES = (*STAGE_ORDER, "serialize")  # Engine.seconds: serialize is the records' JSON text


@dataclass(frozen=True)
class Task:
    """One document: its id and its raw files as (path under the raw folder, bytes), or why they could not be read."""

    doc_id: str
    files: tuple[tuple[str, bytes], ...]
    error: dict[str, Any] | None = None


@dataclass(frozen=True)
class Chunk:
    """A bounded group of documents sent to one worker at once."""

    raw_name: str
    tasks: tuple[Task, ...]


@dataclass(frozen=True)
class Outcome:
    """What one document contributes: JSONL text per output file, and its counts."""

    doc_id: str
    outputs: dict[str, str]
    stats: dict[str, Any]


@dataclass(frozen=True)
class Snapshot:
    """The configs folder as bytes, so a worker on another machine runs with the same configs."""

    files: tuple[tuple[str, bytes], ...]
    digest: str
    origin: str = ""  # the configs folder on the client, named in error messages instead of the private copy
    code: str = ""  # the client's code hash, which a Dask worker's must equal (process_chunk); "" for pool workers, forked or spawned by this run

    @classmethod
    def of(cls, config: Config) -> Snapshot:
        root = config.root
        files = tuple((p.relative_to(root).as_posix(), p.read_bytes()) for p in tree.files(root))  # what config_hash hashes
        return cls(files, config.hash, str(root))

    def engine(self, ner: bool) -> Engine:
        """Build an engine from a private copy of the configs, deleted once built (the engine reads every file it needs then)."""
        root = Path(tempfile.mkdtemp(prefix="wpx-configs-"))
        try:
            for name, data in self.files:
                (root / name).parent.mkdir(parents=True, exist_ok=True)
                (root / name).write_bytes(data)
            return Engine(RunConfig(root=root, settings=load_config(root).settings, digest=self.digest), ner)
        except ConfigError as exc:
            raise ConfigError(str(exc).replace(str(root), self.origin or str(root))) from None
        finally:
            shutil.rmtree(root, ignore_errors=True)


@dataclass(frozen=True)
class RunConfig(Config):
    """A Config whose files do not change during a run, so their hash is computed once.

    ``digest`` is the hash when it is known already: a worker's private copy
    of the client's configs is deleted once its engine is built.
    """

    digest: str | None = field(default=None, compare=False)

    @cached_property
    def hash(self) -> str:  # type: ignore[override]
        return self.digest or config_hash(self.root)


def frozen(config: Config) -> RunConfig:
    """Return ``config`` as a RunConfig (hash cached)."""
    return config if isinstance(config, RunConfig) else RunConfig(root=config.root, settings=config.settings)


class Engine:
    """Everything a document needs, compiled once: readers, layout rules, sentencizer, spaCy pipeline, relation rules."""

    def __init__(self, config: Config, ner: bool = True) -> None:
        from .. import relate, segment
        from ..extract import Extractor
        from ..ingest import Readers

        self.config = frozen(config)
        self.ner = ner
        self.readers = Readers.from_config(self.config)
        self.extractor = Extractor(self.config, ner=ner)
        self.sentencizer = segment.sentencizer(self.config, tokenizer_from=self.extractor.nlp)
        self.relation_rules = relate.Rules.from_config(self.config, self.extractor.registry) if ner else None
        self.seconds: dict[str, float] = dict.fromkeys(STAGES, 0.0)  # wall time per stage, summed over the documents processed (make bench prints it)
        self.gc_threshold = int(self.config.section("batch").get("gc_threshold", DEFAULT_GC_THRESHOLD))

    def process_chunk(self, chunk: Chunk) -> list[Outcome]:
        """Process every document of a chunk from the bytes it carries (no file is read or written).

        Each document is ingested and segmented alone; the blocks of all of
        them go through the spaCy pipeline together (Extractor.process_many);
        relate and serialization are again per document.
        """
        raw_dir = Path(chunk.raw_name)
        with young_collections(self.gc_threshold):
            states = [self._begin(raw_dir, task.doc_id, [raw_dir / rel for rel, _ in task.files], [data for _, data in task.files], task.error) for task in chunk.tasks]
            self._extract([state for state in states if state.stage == "extract"])
            return [self._end(state) for state in states]

    def process(self, raw_dir: Path, doc_id: str, paths: list[Path], data: list[bytes] | None = None) -> Outcome:
        """Run the four stages over one document; a stage that raises ends it with an error record."""
        with young_collections(self.gc_threshold):
            state = self._begin(raw_dir, doc_id, paths, data)
            self._extract([state] if state.stage == "extract" else [])
            return self._end(state)

    def _begin(self, raw_dir: Path, doc_id: str, paths: list[Path], data: list[bytes] | None, error: dict[str, Any] | None = None) -> _Progress:
        """Ingest and segment one document; the state it returns is at stage "extract" unless something failed."""
        from .. import segment
        from ..ingest import ingest_file, source_path

        if error is not None:  # the raw file could not be read: moved or locked for a moment, perhaps, so not its result for good
            return _Progress(doc_id, "", {ERRORS: [error]}, "done", retry=True)
        state = _Progress(doc_id, source_path(raw_dir, paths[0]), {name: [] for name in OUTPUTS})
        records, seconds, started = state.records, self.seconds, time.perf_counter()
        try:
            lines: list[Any] = []
            state.document, flagged = ingest_file(raw_dir, paths, self.config, self.readers, data, lines)
            records[DOCUMENTS].append(state.document)
            records[ERRORS] += [error_record(doc_id, state.source, state.stage, message, kind=INGEST_WARNING) for message in flagged]
            state.stage, started = _lap(seconds, state.stage, started, "segment")
            state.segments = records[SEGMENTS] = segment.segment_document(state.document, self.readers.layout, self.sentencizer, state.tokenized, lines)
            state.stage, started = _lap(seconds, state.stage, started, "extract")
        except Exception as exc:  # one bad document never stops the batch
            _lap(seconds, state.stage, started, "")
            state.fail(exc)
        return state

    def _extract(self, states: list[_Progress]) -> None:
        """Extract the mentions of documents that were segmented, piping their blocks together."""
        if not states:
            return
        started = time.perf_counter()
        results = self.extractor.process_many([(state.document, state.segments, state.tokenized) for state in states])
        for state, result in zip(states, results):
            state.tokenized = {}
            if isinstance(result, Exception):
                state.fail(result)
            else:
                state.records[MENTIONS], state.docs = result
                state.stage = "relate"
        _lap(self.seconds, "extract", started, "")

    def _end(self, state: _Progress) -> Outcome:
        """Relate one extracted document (with the model), then serialize its records."""
        from .. import relate

        seconds, started = self.seconds, time.perf_counter()
        if state.stage == "relate" and self.relation_rules is not None:
            try:
                state.records[RELATIONS] = relate.relate_document(state.document, state.segments, state.records[MENTIONS], state.docs, self.relation_rules)
            except Exception as exc:  # one bad document never stops the batch
                state.fail(exc)
            started = _lap(seconds, "relate", started, "")[1]
        state.docs = []
        done = outcome(state.doc_id, state.records)
        if state.retry:
            done.stats["retry"] = True
        _lap(seconds, "serialize", started, "")
        return done


@dataclass
class _Progress:
    """One document on its way through the engine: its records so far and the stage it is at ("done" once it failed)."""

    doc_id: str
    source: str
    records: dict[str, list[dict[str, Any]]]
    stage: str = "ingest"
    document: dict[str, Any] | None = None
    segments: list[dict[str, Any]] = field(default_factory=list)
    tokenized: dict[int, Any] = field(default_factory=dict)  # block start -> (text, Doc) from the segment stage's tokenizer
    docs: list[Any] = field(default_factory=list)  # the parsed block docs, for relate
    retry: bool = False  # the next run tries it again (a raw file that could not be read this time)

    def fail(self, exc: BaseException) -> None:
        """Record the exception as this document's error at its current stage; it goes no further."""
        self.records[ERRORS].append(error_record(self.doc_id, self.source, self.stage, exc))
        self.stage = "done"


DEFAULT_GC_THRESHOLD = 10_000  # [batch] gc_threshold when pipeline.toml does not set it


@contextmanager
def young_collections(threshold: int) -> Iterator[None]:
    """Collect the youngest generation of objects every ``threshold`` allocations instead of Python's 700, then restore the setting.

    A chunk makes tens of thousands of short-lived records, tuples and
    Token objects, nearly none in reference cycles; at the default threshold
    every hundredth pass walks every object the process holds (the spaCy
    pipeline's included). In a rules-only run of 1,000 documents the
    collector took 4-9% of the time (755 passes, 4 of them full; 123 and 1
    now). Cycles are still collected, later.
    """
    global _COLLECTING_LESS, _SAVED_THRESHOLD
    with _GC_LOCK:  # runs in threads of one process overlap: the first in sets, the last out restores
        if not _COLLECTING_LESS:
            _SAVED_THRESHOLD = gc.get_threshold()
            gc.set_threshold(threshold, *_SAVED_THRESHOLD[1:])
        _COLLECTING_LESS += 1
    try:
        yield
    finally:
        with _GC_LOCK:
            _COLLECTING_LESS -= 1
            if not _COLLECTING_LESS:
                gc.set_threshold(*_SAVED_THRESHOLD)


_GC_LOCK = threading.Lock()
_COLLECTING_LESS = 0  # how many young_collections blocks are open in this process
_SAVED_THRESHOLD = gc.get_threshold()  # the setting they restore


def _lap(seconds: dict[str, float], stage: str, started: float, following: str) -> tuple[str, float]:
    """Add the time since ``started`` to ``stage``; return the following stage and its start."""
    now = time.perf_counter()
    seconds[stage] += now - started
    return following, now


def outcome(doc_id: str, records: dict[str, list[dict[str, Any]]]) -> Outcome:
    """Serialize one document's records per output file and count them."""
    stats = {
        "words": sum(len(d["text"].split()) for d in records.get(DOCUMENTS, [])),
        **{name.removesuffix(".jsonl"): len(records.get(name, [])) for name in OUTPUTS},
        "failed": any(e["error"] != INGEST_WARNING for e in records.get(ERRORS, [])),
    }
    outputs = {name: "".join(dumps(r) + "\n" for r in records.get(name, [])) for name in OUTPUTS}
    return Outcome(doc_id, outputs, stats)


_ENGINES: dict[tuple[str, bool], Engine] = {}
_LOCK = threading.Lock()


def engine_for(snapshot: Snapshot, ner: bool) -> Engine:
    """Return this process's engine for these configs and mode, building it on first use."""
    with _LOCK:
        key = (snapshot.digest, ner)
        if key not in _ENGINES:
            _ENGINES[key] = snapshot.engine(ner)
        return _ENGINES[key]


def warm(snapshot: Snapshot, ner: bool) -> None:
    """Pool initializer: load the spaCy pipeline before the first chunk arrives.

    An error here (a configuration error) would only break the pool; the
    first chunk builds the engine again and raises it where the client sees it.
    """
    _exit_with_parent()
    try:
        engine_for(snapshot, ner)
    except Exception:  # noqa: BLE001 - raised again by process_chunk
        pass


def engine_ready(snapshot: Snapshot, ner: bool) -> int:
    """Build this process's engine (or find it built) and return the pid: a Dask worker that survives this can take a document."""
    engine_for(snapshot, ner)
    return os.getpid()


def died(chunk: Chunk) -> list[Outcome]:
    """Return the outcome of a one-document chunk whose worker process died on it: an errors.jsonl record."""
    from ..ingest import source_path

    task = chunk.tasks[0]
    raw = Path(chunk.raw_name)
    source = source_path(raw, raw / task.files[0][0]) if task.files else None
    message = "the worker process died while processing this document (killed by the system, e.g. out of memory, or a crash in native code); the other documents were processed"
    dead = outcome(task.doc_id, {ERRORS: [error_record(task.doc_id, source, "worker", message, kind="WorkerDied")]})
    dead.stats["retry"] = True  # the next run tries it again: the cause may be gone
    return [dead]


def _exit_with_parent() -> None:
    """End this pool worker when its client dies (even by SIGKILL) instead of waiting forever for work."""
    parent = os.getppid()

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(1)

    threading.Thread(target=watch, name="wpx-parent-watch", daemon=True).start()


class OtherCode(Misuse):
    """A Dask worker runs other wpx code than the client (another version, or modules loaded before an edit)."""


def process_chunk(snapshot: Snapshot, ner: bool, chunk: Chunk) -> list[Outcome]:
    """Process one chunk with this process's cached engine (the task that pools and Dask run).

    Raises OtherCode when the client's code hash is given and this process's
    differs: the outputs would carry a hash that does not describe the code
    that made them, and later runs would trust them.
    """
    if snapshot.code:
        from .code import code_hash

        mine = code_hash()
        if mine != snapshot.code:
            raise OtherCode(f"a Dask worker runs other wpx code than this client (code hash {mine[:12]} there, {snapshot.code[:12]} here): "
                            "restart the workers (after an edit or an upgrade; and this program, if the code was edited after it started) so that both run the same code, and run again")
    engine = engine_for(snapshot, ner)
    with _LOCK:  # a spaCy pipeline is not shared between threads (Dask workers with --nthreads > 1)
        return engine.process_chunk(chunk)
