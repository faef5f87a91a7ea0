"""Stage ingest: walk the raw folder, read each file (or multi-page article), write documents.jsonl.

Formats are dispatched by extension ([ingest] formats in configs/pipeline.toml)
to ingest/txt.py, ingest/html.py and ingest/pdf.py; each document carries
the source map that pipeline/provenance.py reads.
"""
from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .. import __version__, tree
from ..config import Config
from ..layout import classify, metadata
from ..layout_rules import LayoutRules, Line
from ..normalize.dates import find_dates
from ..progress import Progress
from ..records import ERRORS, INGEST_WARNING, Misuse, StageResult, DOCUMENTS, SCHEMA_VERSION, error_record, update_errors, write_jsonl
from .html import HtmlRules, read_html
from .multipage import group_pages, merge, missing_pages, page_numbers, page_patterns
from .pdf import PdfRules, read_pdf
from .sourcemap import Extracted
from .txt import IngestError, decode_text

STAGE = "ingest"


def discover(raw_dir: Path, config: Config, out_dir: Path | None = None, unlisted: list[tuple[Path, OSError]] | None = None) -> list[Path]:
    """List the files under ``raw_dir`` (through linked folders) in a stable order, skipping OS litter and ``out_dir``.

    A broken symbolic link is listed too: reading it fails, so it becomes an
    error naming the file instead of a document that silently disappears.
    An output folder inside the raw folder is not input (its JSONL files and
    review pages would come back as documents): ``out_dir``, and any folder
    holding the documents.jsonl and errors.jsonl every wpx output folder has
    (another run's, in another mode). The raw folder itself as the output
    folder is Misuse. Folders are compared as files (device and inode), so a
    bind mount or a link is seen through.
    """
    skip = tuple(config.section("ingest")["skip_prefixes"])
    if out_dir is not None:
        refuse_raw_as_out(raw_dir, out_dir)

    def pruned(folder: Path) -> bool:
        try:
            if folder.name.startswith(skip) or ((folder / DOCUMENTS).is_file() and (folder / ERRORS).is_file()):
                return True
        except OSError:
            return False  # a folder that cannot be entered: listing it fails and is noted (``unlisted``)
        return out_dir is not None and same_folder(folder, out_dir)

    return sorted(
        (p for p in tree.entries(raw_dir, pruned, unlisted) if not p.name.startswith(skip) and (p.is_file() or (p.is_symlink() and not p.exists()))),
        key=lambda p: p.relative_to(raw_dir).as_posix(),
    )


def unlisted_error(raw_dir: Path, folder: Path, exc: OSError) -> dict[str, Any]:
    """Return the error record of a raw folder that cannot be listed: its documents are neither read nor taken for deleted."""
    rel = folder.relative_to(raw_dir).as_posix()
    return error_record(printable(rel), source_path(raw_dir, folder), STAGE, IngestError(f"cannot list the folder {rel!r}: {exc.strerror or exc}; its documents were not read"))


def refuse_raw_as_out(raw_dir: Path, out_dir: Path) -> None:
    """Raise Misuse when the output folder is the raw folder (through links and bind mounts)."""
    if same_folder(raw_dir, out_dir):
        raise Misuse(f"the output folder {out_dir} is the raw folder: give an output folder of its own (--out)")


def same_folder(one: Path, other: Path) -> bool:
    """Return whether two paths name one folder (through links and bind mounts); False when either does not exist."""
    try:
        return os.path.samefile(one, other)
    except OSError:
        return False


def format_of(path: Path, formats: dict[str, str]) -> str:
    """Return the reader a file's extension selects ([ingest] formats); IngestError when none does."""
    fmt = formats.get(path.suffix.lower())
    if fmt is None:
        raise IngestError(f"unsupported file type {path.suffix or '(no extension)'!r}; supported: {', '.join(sorted(formats))}")
    return fmt


def listing(raw_dir: Path, config: Config, out_dir: Path | None = None) -> Iterator[str]:
    """Yield one JSON line per file ingest would read: its path under ``raw_dir``, size, modification time and real path.

    What `make` compares to decide whether ingest must run again: the same
    files discover() lists (links followed, litter and output folders
    skipped), and a link pointed elsewhere changes the real path. A broken
    link shows where it points.
    """
    unlisted: list[tuple[Path, OSError]] = []
    for path in discover(raw_dir, config, out_dir, unlisted):
        rel = path.relative_to(raw_dir).as_posix()  # JSON of the names as Python holds them: bytes that are not UTF-8 stay
        try:  # surrogates (\udcff, never the text "\xff"), and tabs and newlines are escaped: one state, one listing
            found = path.stat()
        except OSError:
            yield json.dumps([rel, "->", os.readlink(path) if path.is_symlink() else None])
            continue
        yield json.dumps([rel, found.st_size, found.st_mtime_ns, os.path.realpath(path)])
    for folder, exc in unlisted:  # a folder that cannot be listed: its state is part of the listing (listed again, ingest runs again)
        yield json.dumps([folder.relative_to(raw_dir).as_posix(), "unlisted", exc.strerror])


def doc_id_for(raw_dir: Path, path: Path) -> str:
    """Return the contract's doc_id: the path under the input folder without extension."""
    rel = path.relative_to(raw_dir)
    return printable(rel.with_suffix("").as_posix())


def printable(name: str) -> str:
    """Return a file name as valid Unicode: bytes that are not UTF-8 appear as \\xNN (JSON cannot carry them raw)."""
    return name.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def name_problem(raw_dir: Path, files: list[Path]) -> IngestError | None:
    """Return why these files cannot become a document by their names alone (a name that is not UTF-8, or holds a line break), else None.

    A line break (the schemas' ids match "." of JSON Schema's regular
    expressions, which no line terminator matches) would make every record
    of the document fail `wpx validate`.
    """
    for path in files:
        name = path.relative_to(raw_dir).as_posix()
        if printable(name) != name:
            return IngestError("the file name is not valid UTF-8 (shown with \\xNN escapes); rename the file")
        if any(ch in name for ch in _LINE_TERMINATORS):
            return IngestError("the file name holds a line break; rename the file")
    return None


_LINE_TERMINATORS = "\n\r\u2028\u2029"  # what "." of an ECMAScript regular expression (JSON Schema's) does not match


@dataclass(frozen=True)
class Readers:
    """Everything the format readers need, compiled once per run."""

    layout: LayoutRules
    html: HtmlRules
    pdf: PdfRules
    page_patterns: tuple[re.Pattern[str], ...]

    @classmethod
    def from_config(cls, config: Config) -> Readers:
        return cls(LayoutRules.from_config(config), HtmlRules.from_config(config), PdfRules.from_config(config), page_patterns(config))


def _read(fmt: str, raw: bytes, file: int, settings: dict[str, Any], readers: Readers) -> Extracted:
    """Run the reader of one format over one file's bytes."""
    if fmt == "html":
        return read_html(raw, readers.html, settings["fallback_encoding"], file)
    if fmt == "pdf":
        return read_pdf(raw, readers.pdf)
    decoded = decode_text(raw, settings["fallback_encoding"])
    return Extracted(text=decoded.text, source_map=None, encoding=decoded.encoding, encoding_fallback=decoded.encoding_fallback,
                     warnings=decoded.warnings, meta={"title": None, "publisher": None, "published": None})


def ingest_file(raw_dir: Path, files: list[Path], config: Config, readers: Readers, data: list[bytes] | None = None,
                keep_lines: list[Line] | None = None) -> tuple[dict[str, Any], list[str]]:
    """Turn one raw file (or the pages of one article) into a document record and its bad-input findings.

    ``data`` holds the files' bytes when the caller has them already (batch
    workers receive bytes, not paths), so nothing is read from disk;
    ``keep_lines``, when given, receives the classified lines for the segment
    stage of the same run, which then need not classify them again.
    Raises IngestError saying why when the file cannot become a document.
    """
    settings = config.section("ingest")
    fmt = format_of(files[0], settings["formats"])
    raws = data if data is not None else [p.read_bytes() for p in files]
    pages = []
    for index, (page_path, raw) in enumerate(zip(files, raws)):
        try:
            pages.append(_read(fmt, raw, index, settings, readers))
        except IngestError as exc:
            raise IngestError(f"{source_path(raw_dir, page_path)}: {exc}" if len(files) > 1 else str(exc)) from None
    extracted = pages[0] if len(pages) == 1 else merge(pages, readers.layout.title_max_chars, page_numbers(files, readers.page_patterns))
    missing = missing_pages(files, readers.page_patterns)
    if missing:
        extracted.flagged.append(f"multi-page article without page(s) {', '.join(map(str, missing))}")
    lines = classify(extracted.text, readers.layout, extracted.boilerplate_spans)
    if keep_lines is not None:
        keep_lines[:] = lines
    if fmt != "txt" and not any(line.kind in ("title", "heading", "content") for line in lines):
        raise IngestError("no article text: only navigation, bylines or pagination were found")
    meta = _metadata(metadata(extracted.text, lines), extracted.meta, readers.layout)
    record = {
        "schema_version": SCHEMA_VERSION,
        "doc_id": doc_id_for(raw_dir, files[0]),
        "source_path": source_path(raw_dir, files[0]),
        "sha256": hashlib.sha256(b"".join(raws)).hexdigest(),
        "format": fmt,
        "encoding": extracted.encoding,
        "encoding_fallback": extracted.encoding_fallback,
        "warnings": extracted.warnings + extracted.flagged,
        "title": meta["title"],
        "publisher": meta["publisher"],
        "published": meta["published"],
        "pipeline_version": __version__,
        "config_hash": config.hash,
        "text": extracted.text,
        "source_files": [{"path": source_path(raw_dir, p), "sha256": hashlib.sha256(r).hexdigest()} for p, r in zip(files, raws)],
        "source_map": extracted.source_map,
        "boilerplate_spans": extracted.boilerplate_spans,
        "pages": extracted.pages,
    }
    return record, extracted.flagged


def source_path(raw_dir: Path, path: Path) -> str:
    """Return the contract's source_path: the raw folder's name and the path under it."""
    return printable((Path(folder_name(raw_dir)) / path.relative_to(raw_dir)).as_posix())


def folder_name(raw_dir: Path) -> str:
    """Return the raw folder's own name however it is spelled: "." run inside it, "raw/.", "/abs/raw" and a link to it all give "raw".

    The folder's real name, through links: the working directory is one
    already ("." inside a linked folder is the target), and ".." after a
    linked sub-folder leads where the link's target leads.
    """
    return Path(os.path.realpath(raw_dir)).name


def named_in_raw(raw_dir: Path, exc: BaseException) -> BaseException:
    """Return ``exc`` with the file it names written as a source_path when it is a raw file's OSError.

    The message goes into errors.jsonl: as the OS words it, it carries the
    raw folder as typed, an absolute path included, so the dataset's bytes
    would depend on how the folder was spelled and leak the machine's paths.
    """
    if isinstance(exc, OSError) and isinstance(exc.filename, str) and exc.errno is not None:
        try:
            return type(exc)(exc.errno, exc.strerror, source_path(raw_dir, Path(exc.filename)))
        except ValueError:  # not under the raw folder
            return exc
    return exc


def _metadata(found: dict[str, str | None], markup: dict[str, str | None], rules: LayoutRules) -> dict[str, str | None]:
    """Prefer what the text says (as for .txt); fall back on <meta>/<title> or the PDF's info."""
    meta = dict(found)
    title = markup.get("title")
    if meta["title"] is None and title:
        match = rules.title.fullmatch(title)
        meta["title"] = match.group("title").strip() if match and match.groupdict().get("title") else title
    meta["publisher"] = meta["publisher"] or markup.get("publisher")
    if meta["published"] is None and markup.get("published"):
        dates = find_dates(markup["published"])
        meta["published"] = dates[0][2] if dates else None
    return meta


def run(raw_dir: Path | str, out_dir: Path | str, config: Config, progress: bool = False) -> StageResult:
    """Ingest every file of ``raw_dir`` into ``out_dir/documents.jsonl``, one document in memory at a time; bad files become errors.

    ``progress`` draws a progress line on stderr.
    """
    raw_dir, out_dir = Path(raw_dir), Path(out_dir)
    readers = Readers.from_config(config)
    settings = config.section("ingest")
    result = StageResult()
    seen: dict[str, str] = {}
    merged = {fmt for fmt in settings["formats"].values() if fmt == "html"}

    # documents in doc_id order, as `wpx run` writes them ("a.txt" before "a-b.txt", which sorts first as a path);
    # the sort is stable, so of two files with one doc_id the first in path order still claims it
    unlisted: list[tuple[Path, OSError]] = []
    groups = sorted(group_pages(discover(raw_dir, config, out_dir, unlisted), settings["formats"], merged, readers.page_patterns), key=lambda files: doc_id_for(raw_dir, files[0]))
    result.errors += [unlisted_error(raw_dir, folder, exc) for folder, exc in unlisted]
    bar = Progress(len(groups), progress, name="wpx ingest")

    def documents() -> Iterator[dict[str, Any]]:
        for files in groups:
            source = source_path(raw_dir, files[0])
            doc_id = doc_id_for(raw_dir, files[0])
            try:
                format_of(files[0], settings["formats"])  # a file no reader takes claims no doc_id, as in `wpx run`
                if doc_id in seen:
                    raise IngestError(f"doc_id {doc_id!r} already taken by {seen[doc_id]}")
                seen[doc_id] = source  # the first file in path order claims the doc_id even if it then fails, as in `wpx run`
                if problem := name_problem(raw_dir, files):
                    raise problem
                document, flagged = ingest_file(raw_dir, files, config, readers)
            except (IngestError, OSError) as exc:
                result.errors.append(error_record(doc_id, source, STAGE, named_in_raw(raw_dir, exc)))
                bar.update(1, 0)
                continue
            result.errors.extend(error_record(doc_id, source, STAGE, message, kind=INGEST_WARNING) for message in flagged)
            bar.document(document["text"])
            yield document

    with bar:
        result.written = write_jsonl(out_dir / DOCUMENTS, documents(), before_replace=lambda: update_errors(out_dir, STAGE, result.errors))
    return result
