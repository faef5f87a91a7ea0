"""Record ids, schema version and atomic JSONL reading and writing.

Every output file is written to a temporary file in the same folder and
renamed over the target, so a crash never leaves a half-written file behind.
"""
from __future__ import annotations

import errno
import io
import json
import os
import tempfile
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import lru_cache
from json.encoder import c_make_encoder, encode_basestring  # type: ignore[attr-defined]
from pathlib import Path
from typing import IO, Any

import jsonlines

SCHEMA_VERSION = "1.0"

DOCUMENTS = "documents.jsonl"
SEGMENTS = "segments.jsonl"
MENTIONS = "mentions.jsonl"
RELATIONS = "relations.jsonl"
ERRORS = "errors.jsonl"
OUTPUT_FILES = (DOCUMENTS, SEGMENTS, MENTIONS, RELATIONS, ERRORS)
LINEAGE = ".lineage.json"  # which inputs each stage output was made from (lineage.py)
PARSES = "parses"  # the folder of parsed blocks that `wpx extract` writes for `wpx relate` (parses.py)


def record_id(doc_id: str, kind: str, start: int, end: int, *extra: str) -> str:
    """Return a stable, readable id derived from what the record is, not from a counter."""
    if extra:
        return f"{doc_id}#{kind}:{start}-{end}:" + ":".join(extra)
    return f"{doc_id}#{kind}:{start}-{end}"


_ENCODER = json.JSONEncoder(ensure_ascii=False, allow_nan=False, separators=(", ", ": "))
# The C encoder JSONEncoder.encode builds on every call, built once: the same output, without the
# per-record setup (records are trees, so the circular-reference check is not needed).
_C_ENCODE = c_make_encoder(None, _ENCODER.default, encode_basestring, None, ": ", ", ", False, False, False) if c_make_encoder else None


def dumps(record: Any) -> str:
    """Serialize one record the same way every time (key order as built, UTF-8, no NaN)."""
    if _C_ENCODE is None or not isinstance(record, dict):
        return _ENCODER.encode(record)
    return "".join(_C_ENCODE(record, 0))


def write_jsonl(path: Path | str, records: Iterable[dict[str, Any]], before_replace: Callable[[], None] | None = None) -> int:
    """Write records atomically to ``path`` ('-' writes to stdout); return how many.

    ``before_replace`` runs once the records are written, before they replace
    ``path`` (a stage writes its errors then: see atomic_text).
    """
    if str(path) == "-":
        import sys

        count = write_lines(sys.stdout, records)
        if before_replace is not None:
            before_replace()
        return count
    with atomic_text(Path(path), before_replace=before_replace) as handle:
        return write_lines(handle, records)


@contextmanager
def atomic_text(path: Path, durable: bool = True, before_replace: Callable[[], None] | None = None) -> Iterator[IO[str]]:
    """Yield a text handle whose content replaces ``path`` only when the block ends without error.

    ``durable`` also fsyncs before the rename (survives a power loss, not only a kill).
    ``before_replace`` runs after the content is written and before the rename:
    a stage command writes its errors.jsonl there, so a kill between the two
    leaves the stage's output older than its inputs and `make` runs it again
    (after the rename, a kill left the new output with the old errors, and
    `make` took the stage for done).
    """
    with _atomic(path, "w", durable, before_replace) as handle:
        yield handle


@contextmanager
def atomic_path(path: Path) -> Iterator[str]:
    """Yield a temporary path beside ``path`` for a writer that opens the file itself; it replaces ``path`` when the block ends without error."""
    fd, tmp = temp_beside(path)
    os.close(fd)
    try:
        yield tmp
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def temp_beside(path: Path) -> tuple[int, str]:
    """Create a temporary file in ``path``'s folder, with the permissions a plain open() would give ``path``.

    mkstemp makes files readable by their owner only (0600); renamed into
    place, every output would be hidden from the other users of a shared
    dataset folder.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    # the folder as the OS finds it: mkstemp drops "link/.." as text, which is another folder than the target's
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=os.path.realpath(path.parent))
    os.fchmod(fd, 0o666 & ~umask())
    return fd, tmp


class Misuse(Exception):
    """The command was used in a way that cannot work (exit 2): the message says what to do instead."""


class FolderBusy(Misuse):
    """Another wpx process is writing the same output folder."""


@contextmanager
def exclusive(out_dir: Path, also: tuple[str, ...] = ()) -> Iterator[None]:
    """Hold a lock on the folder OUT while writing it, and delete the temporary files that killed writers left there.

    Temporary files of the output files, the lineage and the names in
    ``also`` are deleted (atomic writes name them ".NAME.*.tmp").

    Two writers in one folder would interleave their shards and renames, so
    the second fails at once. The lock (flock on the folder itself: no lock
    file) goes with its process, even on SIGKILL; with it held, no temporary
    output file in OUT belongs to a live writer.
    """
    import fcntl

    out_dir.mkdir(parents=True, exist_ok=True)
    fd = os.open(out_dir, os.O_RDONLY | os.O_DIRECTORY)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise FolderBusy(f"{out_dir}: another wpx process is writing this folder; wait for it to end") from None
        for name in (*OUTPUT_FILES, LINEAGE, *also):
            for stale in out_dir.glob(f".{name}.*.tmp"):
                stale.unlink(missing_ok=True)
        yield
    finally:
        os.close(fd)


@lru_cache(maxsize=1)
def umask() -> int:
    """Return the process's umask (read once: reading it means setting it)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


@contextmanager
def _atomic(path: Path, mode: str, durable: bool, before_replace: Callable[[], None] | None = None) -> Iterator[IO[Any]]:
    fd, tmp = temp_beside(path)
    try:
        text = {"encoding": "utf-8", "newline": "\n"} if "b" not in mode else {}
        with os.fdopen(fd, mode, **text) as handle:
            yield handle
            handle.flush()
            if durable:
                os.fsync(handle.fileno())
        if before_replace is not None:
            before_replace()
        os.replace(tmp, path)
    except BaseException as exc:
        if os.path.exists(tmp):
            os.unlink(tmp)
        named = naming(exc, path)
        if named is exc:
            raise
        raise named from exc


_WRITE_ERRNOS = frozenset({errno.ENOSPC, errno.EFBIG, errno.EDQUOT, errno.EIO, errno.EROFS})  # what writing data can fail with


def naming(exc: BaseException, path: Path) -> BaseException:
    """Return a failed write's OSError naming ``path`` (write() and flush() errors name no file: "[Errno 28] No space left on device")."""
    if isinstance(exc, OSError) and exc.filename is None and exc.errno in _WRITE_ERRNOS:
        return type(exc)(exc.errno, exc.strerror, str(path))
    return exc


def write_lines(handle: IO[str], records: Iterable[dict[str, Any]]) -> int:
    """Write records as JSONL lines to an open text handle; return how many."""
    count = 0
    writer = jsonlines.Writer(handle, dumps=dumps, flush=False)
    for record in records:
        writer.write(record)
        count += 1
    return count


def read_jsonl(path: Path | str, digest: Any = None) -> Iterator[dict[str, Any]]:
    """Yield the records of a JSONL file ('-' reads stdin), naming file and line on bad JSON.

    ``digest`` (a hashlib object), when given, is fed the bytes of stdin or a
    pipe as they are read: they cannot be read again to note where a stage's
    output came from (lineage.note).
    """
    if str(path) == "-":
        import sys

        if digest is None:
            yield from _read_lines(sys.stdin, "<stdin>")
        elif hasattr(sys.stdin, "buffer"):
            yield from _read_lines(_hashed_text(sys.stdin.buffer, digest), "<stdin>")
        else:  # stdin replaced by a text stream (an embedding program, a test)
            yield from _read_lines((digest.update(line.encode("utf-8")) or line for line in sys.stdin), "<stdin>")
        return
    if digest is not None and not os.path.isfile(path):
        with open(path, "rb") as binary:
            yield from _read_lines(_hashed_text(binary, digest), str(path))
        return
    with open(path, encoding="utf-8") as handle:
        yield from _read_lines(handle, str(path))


class _Hashing(io.RawIOBase):
    """A binary stream that feeds every byte read from it to a digest."""

    def __init__(self, raw: IO[bytes], digest: Any) -> None:
        self.raw, self.digest = raw, digest

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        count = self.raw.readinto(buffer)  # type: ignore[attr-defined]
        if count:
            self.digest.update(memoryview(buffer)[:count])
        return count or 0


def _hashed_text(binary: IO[bytes], digest: Any) -> IO[str]:
    """Return ``binary`` read as text as open(path, encoding="utf-8") reads a file (a lone CR ends a line too), its bytes fed to ``digest``."""
    return io.TextIOWrapper(io.BufferedReader(_Hashing(binary, digest)), encoding="utf-8")


class BadInput(ValueError):
    """An input file is damaged; the message names it and what went wrong."""


class BadRecord(BadInput):
    """A JSONL line that is no JSON object; the message names the file and the line."""


def check_kind(path: Path | str, name: str) -> None:
    """Raise Misuse when ``path`` does not hold records of the output file ``name`` (another stage's file given by mistake).

    Only the first record is looked at: a damaged record further on is one
    document's failure, as before.
    """
    if str(path) == "-" or not os.path.isfile(path):
        return  # stdin cannot be read twice; a missing file is reported where the stage reads it
    from .schemas import schema

    with open(path, encoding="utf-8") as handle:
        try:
            for _, record, problem in parse_lines(handle):
                missing = [] if problem or not isinstance(record, dict) else [key for key in schema(name)["required"] if key not in record]
                if missing:
                    raise Misuse(f"{path}: does not hold {name} records (the first has no {', '.join(map(repr, missing[:3]))}); give the {name} file")
                return
        except UnicodeDecodeError:
            return  # a damaged file: the stage's reading names its line


def _read_lines(handle: Iterable[str], name: str) -> Iterator[dict[str, Any]]:
    for lineno, record, problem in parse_lines(handle, name):
        if problem:
            raise BadRecord(f"{name}:{lineno}: {problem}")
        yield record


def _not_utf8(name: str, after: int, exc: UnicodeDecodeError) -> BadRecord:
    """Return the error naming the file and the first line of it that is no UTF-8 (text is decoded in blocks, so the line read last is not it; ``after`` + 1 for stdin)."""
    number = after + 1
    if os.path.isfile(name):
        with open(name, "rb") as binary:
            for lineno, line in enumerate(binary, 1):
                try:
                    line.decode("utf-8")
                except UnicodeDecodeError:
                    number = lineno
                    break
    return BadRecord(f"{name}:{number}: not valid UTF-8 ({exc.reason})")


def parse_lines(handle: Iterable[str], name: str | None = None) -> Iterator[tuple[int, Any, str | None]]:
    """Yield (line number, record, problem or None) per non-blank line, going on after a bad one.

    Bytes a text handle cannot decode end the reading with BadRecord naming
    the file (``name``, else the handle's) and line, not a UnicodeDecodeError.
    """
    lineno = 0
    try:
        for lineno, line in enumerate(handle, 1):
            record, problem = _parse_line(line)
            if record is not None or problem is not None:
                yield lineno, record, problem
    except UnicodeDecodeError as exc:
        raise _not_utf8(name or str(getattr(handle, "name", "<input>")), lineno, exc) from None


def read_document(path: Path | str, doc_id: str) -> Iterator[dict[str, Any]]:
    """Yield one document's records from a JSONL file, parsing only the lines that may hold them.

    A line can name ``doc_id`` only if it holds the doc_id's text, or a
    backslash (an escape may spell it otherwise); other lines are checked to
    look like one JSON object, not parsed. One review page of a 20,000-document
    folder parsed 850 MB of JSON before.
    """
    with open(path, encoding="utf-8") as handle:
        lineno = 0
        try:
            for lineno, line in enumerate(handle, 1):
                if doc_id not in line and "\\" not in line:
                    stripped = line.strip()
                    if stripped and not (stripped[0] == "{" and stripped[-1] == "}"):
                        raise BadRecord(f"{path}:{lineno}: expected a JSON object")
                    continue
                record, problem = _parse_line(line)
                if problem:
                    raise BadRecord(f"{path}:{lineno}: {problem}")
                if record is not None and record.get("doc_id") == doc_id:
                    yield record
        except UnicodeDecodeError as exc:
            raise _not_utf8(str(path), lineno, exc) from None


class RecordsByDocument:
    """The records of a JSONL file grouped by doc_id, read back from the file when a document's are asked for.

    One pass notes the byte ranges of each document's lines (one range per
    run of consecutive lines), so memory follows the number of documents,
    not of records: the stage commands use it to read one document's
    segments or mentions at a time. Records in any order are found all the
    same, with a range per run.
    """

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self.ranges: dict[Any, list[tuple[int, int]]] = {}
        with open(self.path, "rb") as handle:
            offset, last = 0, None
            lines = (line for chunk in handle for line in chunk.splitlines(keepends=True))  # "\r" alone ends a line too, as read_jsonl reads
            for lineno, line in enumerate(lines, 1):
                start, offset = offset, offset + len(line)
                record, problem = _parse_line(line)
                if record is not None and "doc_id" not in record:
                    problem = "no doc_id"
                if problem:
                    raise BadRecord(f"{self.path}:{lineno}: {problem}")
                if record is None:
                    continue  # a blank line
                doc_id = record["doc_id"]
                try:
                    runs = self.ranges.setdefault(doc_id, [])
                except TypeError:
                    raise BadRecord(f"{self.path}:{lineno}: doc_id is not a string") from None
                if doc_id == last and runs:
                    runs[-1] = (runs[-1][0], offset)
                else:
                    runs.append((start, offset))
                last = doc_id
        self._handle: IO[bytes] | None = None

    def get(self, doc_id: Any) -> list[dict[str, Any]]:
        """Return ``doc_id``'s records in file order ([] when it has none)."""
        records: list[dict[str, Any]] = []
        for start, end in self.ranges.get(doc_id, ()):
            if self._handle is None:
                self._handle = open(self.path, "rb")
            self._handle.seek(start)
            for line in self._handle.read(end - start).splitlines():  # the lines __init__ read
                record, _ = _parse_line(line)
                if record is not None:
                    records.append(record)
        return records

    def close(self) -> None:
        if self._handle is not None:
            self._handle.close()
            self._handle = None

    def __enter__(self) -> RecordsByDocument:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _parse_line(line: str | bytes) -> tuple[Any, str | None]:
    """Return (record, problem) for one JSONL line, (None, None) when it is blank."""
    if isinstance(line, bytes):
        try:
            line = line.decode("utf-8")
        except UnicodeDecodeError as exc:
            return None, f"not UTF-8 ({exc.reason} at byte {exc.start})"
    if not line.strip():
        return None, None
    try:
        record = json.loads(line)
    except json.JSONDecodeError as exc:
        return None, f"not valid JSON ({exc.msg})"
    return (record, None) if isinstance(record, dict) else (None, "expected a JSON object")


INGEST_WARNING = "IngestWarning"  # the error kind of a document that was written but flagged (a missing page, mojibake)


def error_record(doc_id: str | None, source_path: str | None, stage: str, exc: BaseException | str, kind: str | None = None) -> dict[str, Any]:
    """Build one errors.jsonl record naming the file, the stage and the reason."""
    message = str(exc)
    return {
        "doc_id": doc_id,
        "source_path": source_path,
        "stage": stage,
        "error": kind or (type(exc).__name__ if isinstance(exc, BaseException) else "Error"),
        "message": message,
        "schema_version": SCHEMA_VERSION,
    }


STAGE_ORDER = ("ingest", "segment", "extract", "relate")


def update_errors(out_dir: Path | str, stage: str, errors: list[dict[str, Any]]) -> None:
    """Replace ``stage``'s records in errors.jsonl with ``errors``, keeping other stages' records.

    The order is that of `wpx run` (error_order): by doc_id; within a
    doc_id, by source_path (the claiming file, first in path order, before
    files that found the doc_id taken, and beside a file no reader takes);
    then by stage, in pipeline order.
    """
    path = Path(out_dir) / ERRORS
    kept = [r for r in read_jsonl(path) if r.get("stage") != stage] if path.exists() else []
    merged = sorted(kept + list(errors), key=error_order)
    write_jsonl(path, merged)


def error_order(record: dict[str, Any]) -> tuple[str, str, int]:
    """Return the sort key of an errors.jsonl record: doc_id, source_path, stage in pipeline order."""
    stage = record.get("stage")
    return (str(record.get("doc_id") or ""), str(record.get("source_path") or ""), STAGE_ORDER.index(stage) if stage in STAGE_ORDER else len(STAGE_ORDER))


@dataclass
class StageResult:
    """What one stage did: records written, the per-document error records, and documents it had nothing to do for."""

    written: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)
    skipped: int = 0


def write_bytes(path: Path | str, data: bytes) -> None:
    """Write bytes atomically (temporary file in the same folder, fsync, then rename)."""
    with _atomic(Path(path), "wb", durable=True) as handle:
        handle.write(data)
