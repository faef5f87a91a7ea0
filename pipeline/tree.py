"""List what lies under a folder, through linked folders, standard library only.

One walker for every folder the tool reads as a whole (the raw folder, the
configs folder, the package's own files), so a linked sub-folder counts
everywhere, as `find -L` and Python's imports see it: `Path.rglob` does not
follow linked folders, which left documents out of a run and registries out
of the configs' hash.
"""
from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path


def entries(root: Path, prune: Callable[[Path], bool] | None = None, unlisted: list[tuple[Path, OSError]] | None = None) -> list[Path]:
    """Return every entry under ``root`` that is not a folder (files, broken links, ...), sorted, through linked folders.

    A link back to a folder being walked (a loop) is not followed; a folder
    for which ``prune`` is true is skipped with its contents, and so is one
    that cannot be listed (as ``Path.rglob`` does), noted with its error in
    ``unlisted`` when given: a batch must not take its documents for deleted.
    """
    found: list[Path] = []

    def visit(folder: Path, ancestors: frozenset[str]) -> None:
        try:
            with os.scandir(folder) as listing:
                children = sorted(listing, key=lambda entry: entry.name)
        except OSError as exc:
            if unlisted is not None:
                unlisted.append((folder, exc))
            return
        for child in children:
            path = folder / child.name
            try:
                is_folder = child.is_dir()  # through a link
            except OSError:
                is_folder = False
            if not is_folder:
                found.append(path)
                continue
            real = os.path.realpath(path)
            if real not in ancestors and not (prune and prune(path)):
                visit(path, ancestors | {real})

    visit(Path(root), frozenset({os.path.realpath(root)}))
    return sorted(found)


def files(root: Path, prune: Callable[[Path], bool] | None = None) -> list[Path]:
    """Return the regular files under ``root`` (through links), sorted."""
    return [path for path in entries(root, prune) if path.is_file()]
