"""Find the code a run's outputs depend on: the modules `wpx run` imports, found by reading their imports.

A shard is redone when this code changes (plan.run_key). Export, the
dataset card, review pages, validation, evaluation and the bench are not
imported by a run, so editing them does not reprocess an archive. The
walk is static (ast), so it also follows imports made inside functions;
test_batch checks it against the modules a real run imports.

Reading the imports costs about 0.12 s (an ast parse of every module a run
imports), a third of a rerun with nothing to do; `reuse` skips it when the
package's sources are those the hash was last computed from, which hashing
every file of the package tells in a few milliseconds.
"""
from __future__ import annotations

import ast
import hashlib
import warnings
from functools import lru_cache
from importlib import resources
from pathlib import Path

from .. import code_digest

PACKAGE = "pipeline"
ROOTS = ("pipeline.batch",)  # the engine, its executors and its workers: a run starts here
DATA_SUFFIXES = tuple(s for s in code_digest.SUFFIXES if s != ".py")  # data files a package's code hash covers


_FIXED: dict[str, str] = {}  # {"sources", "code_hash"} of this process: fixed at its first run (see _fixed)


def code_hash() -> str:
    """Hash the sources of the modules a run imports (and the data files of the packages among them), once per process."""
    return _fixed(None, None)["code_hash"]


def reuse(noted: object, in_key: object) -> dict[str, str]:
    """Fix this process's code hash, taking ``noted``'s when the package's files are unchanged since it was noted; return the note to keep.

    ``noted`` is the note a previous run kept in the output folder's
    manifest and ``in_key`` the code hash of that manifest's run key; the
    note is taken only when its hash is that one. Anything else (none, an
    older manifest, a hand edit) means the hash is computed.
    """
    return dict(_fixed(noted, in_key))


def _fixed(noted: object, in_key: object) -> dict[str, str]:
    """Fix this process's code hash and the package files' digest it goes with, at the first call, and return them.

    A process runs the code it loaded, whatever is edited on disk later, so
    every run in it carries the same hash (a notebook's second run into a
    new folder too). When the files changed after the package was imported,
    the process may run old and new code together: its hash is then one no
    process computes and its digest empty, so the next process redoes what
    it wrote. The digest is also left empty when the files change while the
    imports are read.
    """
    if not _FIXED:
        sources = sources_digest()  # "" when a file could not be read: nothing is told, nothing reused
        if sources and code_digest.AT_IMPORT and sources != code_digest.AT_IMPORT:
            _FIXED.update(sources="", code_hash=hashlib.sha256(b"edited after import\0" + _hash_run_files().encode()).hexdigest())
            warnings.warn("wpx: the package's files changed after it was imported; this process may run old and new code, "
                          "so what it writes is marked to be redone by the next run", RuntimeWarning, stacklevel=2)
        elif sources and isinstance(noted, dict) and noted.get("sources") == sources and noted.get("code_hash") == in_key and _is_sha256(in_key):
            _FIXED.update(sources=sources, code_hash=str(in_key))
        else:
            digest = _hash_run_files()
            _FIXED.update(sources=sources if sources_digest() == sources else "", code_hash=digest)
    return _FIXED


def _is_sha256(value: object) -> bool:
    return isinstance(value, str) and len(value) == 64 and all(ch in "0123456789abcdef" for ch in value)


def _hash_run_files() -> str:
    digest = hashlib.sha256()
    root = _root()
    for path in run_files():
        digest.update(path.relative_to(root).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def sources_digest() -> str:
    """Hash the package's modules and data files as they are on disk now (code_digest.digest; "" when one cannot be read)."""
    return code_digest.digest(_root())


def run_files() -> list[Path]:
    """Return the files behind run_modules(), sorted: each module's source, and each package's data files."""
    files = set()
    for name in run_modules():
        path = _source(name)
        files.add(path)
        if path.name == "__init__.py":
            files.update(p for p in path.parent.iterdir() if p.is_file() and p.suffix in DATA_SUFFIXES)
    return sorted(files)


@lru_cache(maxsize=1)
def run_modules() -> frozenset[str]:
    """Return the package's modules reachable from ROOTS through imports, with their parent packages."""
    seen: set[str] = set()
    todo = list(ROOTS)
    while todo:
        name = todo.pop()
        if name in seen or _source(name) is None:
            continue
        seen.add(name)
        parts = name.split(".")
        todo += [".".join(parts[:k]) for k in range(1, len(parts))]  # importing a.b.c runs a and a.b first
        todo += _imports(name)
    return frozenset(seen)


def _root() -> Path:
    return Path(str(resources.files(PACKAGE)))


@lru_cache(maxsize=None)
def _source(name: str) -> Path | None:
    """Return a module's file (a package's __init__.py), or None when ``name`` is no module of the package."""
    if name != PACKAGE and not name.startswith(PACKAGE + "."):
        return None
    base = _root().joinpath(*name.split(".")[1:])
    for path in (base / "__init__.py", base.with_suffix(".py")):
        if path.is_file():
            return path
    return None


def _imports(name: str) -> list[str]:
    """Return the package modules one module names: imports (relative or absolute, anywhere in it) and resources.files("...") packages."""
    path = _source(name)
    assert path is not None
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            found += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                base = f"{anchor}.{base}" if base else anchor
            found.append(base)
            found += [f"{base}.{alias.name}" for alias in node.names]  # a submodule, or only an attribute (then no module: skipped)
        elif isinstance(node, ast.Call) and getattr(node.func, "attr", None) == "files" and node.args and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str):
            found.append(node.args[0].value)  # resources.files("pipeline.data"): the package's data files are read
    return found
