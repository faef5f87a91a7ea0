"""Listing folders through linked sub-folders (pipeline/tree.py)."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from pipeline import tree


def _layout(root: Path) -> Path:
    """Make root/{a.txt, sub/b.txt, linked -> ../elsewhere (c.txt), loop -> root, broken -> nowhere, .hidden/d.txt}."""
    (root / "sub").mkdir(parents=True)
    (root / "a.txt").write_text("a")
    (root / "sub" / "b.txt").write_text("b")
    elsewhere = root.parent / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "c.txt").write_text("c")
    (elsewhere / "back").symlink_to(root, target_is_directory=True)  # a loop through a linked folder
    (root / "linked").symlink_to(elsewhere, target_is_directory=True)
    (root / "loop").symlink_to(root, target_is_directory=True)
    (root / "broken").symlink_to(root.parent / "nowhere")
    (root / ".hidden").mkdir()
    (root / ".hidden" / "d.txt").write_text("d")
    return root


@pytest.mark.parametrize("prune, expected", [
    (None, [".hidden/d.txt", "a.txt", "broken", "linked/c.txt", "sub/b.txt"]),
    (lambda folder: folder.name.startswith("."), ["a.txt", "broken", "linked/c.txt", "sub/b.txt"]),
    (lambda folder: folder.name == "linked", [".hidden/d.txt", "a.txt", "broken", "sub/b.txt"]),
])
def test_entries_follow_linked_folders_but_not_loops(tmp_path, prune, expected):
    root = _layout(tmp_path / "root")
    assert [p.relative_to(root).as_posix() for p in tree.entries(root, prune)] == expected


def test_files_are_regular_files_only_and_rglob_missed_the_linked_ones(tmp_path):
    root = _layout(tmp_path / "root")
    found = [p.relative_to(root).as_posix() for p in tree.files(root)]
    assert found == [".hidden/d.txt", "a.txt", "linked/c.txt", "sub/b.txt"]
    assert "linked/c.txt" not in [p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()]  # why tree exists


def test_two_links_to_one_folder_list_it_twice_as_copies_would(tmp_path):
    shared = tmp_path / "shared"
    shared.mkdir()
    (shared / "x.txt").write_text("x")
    root = tmp_path / "root"
    root.mkdir()
    for name in ("one", "two"):
        (root / name).symlink_to(shared, target_is_directory=True)
    assert [p.relative_to(root).as_posix() for p in tree.files(root)] == ["one/x.txt", "two/x.txt"]


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads every folder")
def test_a_folder_that_cannot_be_listed_is_skipped(tmp_path):
    root = tmp_path / "root"
    (root / "closed").mkdir(parents=True)
    (root / "closed" / "x.txt").write_text("x")
    (root / "y.txt").write_text("y")
    (root / "closed").chmod(0)
    try:
        assert [p.name for p in tree.files(root)] == ["y.txt"]
    finally:
        (root / "closed").chmod(0o755)
