"""The parsed content blocks extract leaves for relate: OUT/parses/, a folder of spaCy DocBins.

A single DocBin holds every parse in memory until it is written, and again
when it is read: the size of the corpus. Parts of about PART_TOKENS tokens,
each a plain DocBin of whole documents (``DocBin().from_disk`` and spaCy's
corpus readers read them), let extract and relate hold one part at a time.
``index.json`` lists each part's documents, so relate finds a document's
part without opening the others, and the extraction mode (rules-only
extraction has no parse, and relate has nothing to do, as in `wpx run`). The folder is built beside its target and
swapped into place when complete, so relate never sees half of it.
"""
from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

import spacy
import srsly.msgpack
from spacy.tokens import Doc, DocBin

from .fold import OFFSET_KEY
from .records import PARSES, BadInput, umask, write_bytes

FOLDER = PARSES
INDEX = "index.json"
LEGACY = "parses.spacy"  # the single DocBin of earlier versions, removed when a folder replaces it
PART_TOKENS = 20_000  # a part closes at the first document boundary after this many tokens (about 35 short documents)
DOC_ID_KEY = "wpx_doc_id"  # user_data of every parsed block: its document; OFFSET_KEY: its start offset (and FOLD_KEY, fold.py)


class MissingParses(FileNotFoundError):
    """OUT/parses/ is missing: extract has not run on this folder."""


class BrokenParses(BadInput):
    """A part of OUT/parses/ or its index cannot be read."""


def recover(out_dir: Path, clean: bool) -> None:
    """Put the previous parses back when a run was killed between commit's two renames; ``clean`` also removes what killed runs left.

    Commit moves the folder aside (``.parses.*.old/parses``) before moving
    the new one in; a kill in between leaves no ``parses/`` but that copy.
    """
    target = out_dir / FOLDER
    for left in sorted(out_dir.glob(f".{FOLDER}.*")):
        kept = left / FOLDER
        if left.name.endswith(".old") and kept.is_dir() and not target.exists():
            os.replace(kept, target)
        if clean:
            shutil.rmtree(left, ignore_errors=True)


class PartsWriter:
    """Write documents' parsed blocks as DocBin parts into a folder that replaces ``out_dir/parses`` on ``commit``."""

    def __init__(self, out_dir: Path | str, part_tokens: int | None = None, ner: bool = True) -> None:
        self.out_dir = Path(out_dir)
        self.ner = ner  # the extraction mode, recorded in the index: relate finds engagements only with the model
        self.out_dir.mkdir(parents=True, exist_ok=True)
        self.part_tokens = part_tokens or PART_TOKENS
        recover(self.out_dir, clean=True)
        self.tmp = Path(tempfile.mkdtemp(prefix=f".{FOLDER}.", suffix=".tmp", dir=os.path.realpath(self.out_dir)))  # as records.temp_beside
        os.chmod(self.tmp, 0o777 & ~umask())  # mkdtemp makes 0700: the folder would be hidden from a shared dataset's users
        self.parts: list[dict[str, Any]] = []
        self._packer = srsly.msgpack.Packer(use_bin_type=True)  # what srsly.msgpack_dumps builds on every call, built once
        self._bin, self._doc_ids, self._tokens = DocBin(store_user_data=False), [], 0

    def add(self, doc_id: str, docs: list[Doc]) -> None:
        """Add one document's parsed blocks (each carries its doc_id and offset in user_data)."""
        for doc in docs:
            self._bin.add(doc)  # without its user_data: DocBin packs it with a new msgpack Packer per block,
            self._bin.user_data.append(self._packer.pack(doc.user_data))  # whose set-up scans the installed packages' entry points
            self._tokens += len(doc)
        self._doc_ids.append(doc_id)
        if self._tokens >= self.part_tokens:
            self._close_part()

    def commit(self) -> None:
        """Write the last part and the index, then put the folder in place of the previous one (kept when this fails)."""
        try:
            if self._doc_ids or not self.parts:
                self._close_part()
            write_bytes(self.tmp / INDEX, (json.dumps({"ner": self.ner, "parts": self.parts}, ensure_ascii=False, indent=1) + "\n").encode("utf-8"))
            self._swap()
        except BaseException:
            self.abort()
            raise
        (self.out_dir / LEGACY).unlink(missing_ok=True)

    def _swap(self) -> None:
        target = self.out_dir / FOLDER
        aside = None
        if target.exists():
            aside = Path(tempfile.mkdtemp(prefix=f".{FOLDER}.", suffix=".old", dir=os.path.realpath(self.out_dir)))
            try:
                os.replace(target, aside / FOLDER)
            except BaseException:
                aside.rmdir()
                raise
        try:
            os.replace(self.tmp, target)
        except BaseException:
            if aside is not None:
                os.replace(aside / FOLDER, target)  # the previous parses go back (if this fails too, recover() will)
                aside.rmdir()
            raise
        if aside is not None:
            shutil.rmtree(aside, ignore_errors=True)

    def abort(self) -> None:
        """Drop what was written; the previous folder stays."""
        shutil.rmtree(self.tmp, ignore_errors=True)

    def __enter__(self) -> PartsWriter:
        return self

    def __exit__(self, kind: type[BaseException] | None, *rest: object) -> None:
        if kind is None:
            self.commit()
        else:
            self.abort()

    def _close_part(self) -> None:
        name = f"{len(self.parts):05d}.spacy"
        self._bin.store_user_data = True  # the user_data packed in add(): the same bytes DocBin.add would have made
        write_bytes(self.tmp / name, self._bin.to_bytes())
        self.parts.append({"file": name, "doc_ids": self._doc_ids})
        self._bin, self._doc_ids, self._tokens = DocBin(store_user_data=False), [], 0


class PartsReader:
    """Read one document's parsed blocks at a time from ``out_dir/parses``, keeping only the part last read."""

    def __init__(self, out_dir: Path | str) -> None:
        recover(Path(out_dir), clean=False)
        self.folder = Path(out_dir) / FOLDER
        index = self.folder / INDEX
        try:
            text = index.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise MissingParses(f"{index}: no such file; run wpx extract first") from None
        except (OSError, ValueError) as exc:
            raise BrokenParses(f"{index}: unreadable ({exc}); run wpx extract again") from None
        try:
            index_data = json.loads(text)
            self.part_of = {doc_id: part["file"] for part in index_data["parts"] for doc_id in part["doc_ids"]}
            self.ner = index_data.get("ner", True) is not False  # an index of earlier versions has no mode: relate as before
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise BrokenParses(f"{index}: not a parse index ({type(exc).__name__}: {exc}); run wpx extract again") from None
        self.vocab = spacy.blank("en").vocab  # English lexical attributes (lower_, like_num) for the loaded tokens
        self._file: str | None = None
        self._docs: dict[str, list[Doc]] = {}

    def __contains__(self, doc_id: object) -> bool:
        return doc_id in self.part_of

    def get(self, doc_id: str) -> list[Doc]:
        """Return a document's parsed blocks in text order ([] when extract wrote none for it)."""
        name = self.part_of.get(doc_id)
        if name is None:
            return []
        if name != self._file:
            try:
                self._docs = _grouped(_unpacked(DocBin(store_user_data=True).from_bytes((self.folder / name).read_bytes()), self.vocab))
            except Exception as exc:  # missing, cut short, not a DocBin: the folder is damaged, not the document
                raise BrokenParses(f"{self.folder / name}: unreadable part ({type(exc).__name__}: {exc}); run wpx extract again") from None
            self._file = name
        return self._docs.get(doc_id, [])


def _unpacked(docbin: DocBin, vocab: Any) -> list[Doc]:
    """Return a DocBin's docs with their user_data, unpacked by one msgpack Unpacker (get_docs builds one per doc)."""
    packed, docbin.user_data = docbin.user_data, []
    docs = list(docbin.get_docs(vocab))
    unpacker = srsly.msgpack.Unpacker(raw=False, use_list=False)  # as srsly.msgpack_loads(..., use_list=False) reads each
    for doc, data in zip(docs, packed):
        if data is not None:
            unpacker.feed(data)
            doc.user_data.update(unpacker.unpack())
            try:
                unpacker.unpack()
            except srsly.msgpack.OutOfData:
                continue
            raise srsly.msgpack.ExtraData(None, data)  # as msgpack_loads refuses it: no block takes another's user_data
    return docs


def _grouped(docs: Any) -> dict[str, list[Doc]]:
    grouped: dict[str, list[Doc]] = {}
    for doc in docs:
        grouped.setdefault(doc.user_data[DOC_ID_KEY], []).append(doc)
    return {doc_id: sorted(blocks, key=lambda d: d.user_data[OFFSET_KEY]) for doc_id, blocks in grouped.items()}

