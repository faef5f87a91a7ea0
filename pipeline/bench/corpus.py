"""Build a synthetic corpus by recombining paragraphs of real documents, deterministically.

Each document gets a numbered title line and a random draw of paragraphs
(blank-line separated blocks of the source .txt files), so no two documents
are identical while the language stays that of real white papers.
"""
from __future__ import annotations

import random
import re
from pathlib import Path


def paragraphs(sources: list[Path], min_words: int = 8) -> list[str]:
    """Return the blank-line separated blocks of the .txt sources that have at least ``min_words`` words."""
    blocks = []
    for path in sorted(sources):
        text = path.read_text(encoding="utf-8-sig")
        blocks += [b.strip() for b in re.split(r"\n\s*\n", text) if len(b.split()) >= min_words]
    return blocks


def sources(repo: Path, globs: list[str]) -> list[Path]:
    """Return the .txt files matching ``globs`` under ``repo``, sorted."""
    return sorted({p for pattern in globs for p in repo.glob(pattern) if p.suffix == ".txt"})


class SourcesError(ValueError):
    """The sources cannot give a corpus of distinct documents (its message names the root, the patterns and what was found)."""


def load(root: Path, globs: list[str], per_doc: tuple[int, int], min_words: int = 8) -> list[str]:
    """Return the paragraphs of the .txt files matching ``globs`` under ``root``, checked to be enough for distinct documents.

    Raises SourcesError when no file matches, or when the files give no more
    paragraphs than a document draws at most (``per_doc[1]``): every
    document would then hold the same paragraphs (none at all when there are
    none), and the figures would measure a degenerate corpus.
    """
    if not root.is_dir():
        raise SourcesError(f"no corpus sources: {root} is not a folder")
    files = sources(root, globs)
    if not files:
        raise SourcesError(f"no corpus sources: none of {globs} matches a .txt file under {root}")
    blocks = paragraphs(files, min_words)
    if len(blocks) <= per_doc[1]:
        raise SourcesError(f"too few corpus sources: the {len(files)} .txt file(s) matching {globs} under {root} give "
                           f"{len(blocks)} paragraph(s) of at least {min_words} words; distinct documents of up to "
                           f"{per_doc[1]} paragraphs need more than {per_doc[1]}")
    return blocks


def build(dest: Path, count: int, blocks: list[str], seed: int, per_doc: tuple[int, int]) -> list[Path]:
    """Write ``count`` documents of ``per_doc`` (min, max) paragraphs to ``dest``; return their paths.

    The same arguments always give the same files, so every measurement of a
    run sees the same corpus.
    """
    rng = random.Random(seed)
    dest.mkdir(parents=True, exist_ok=True)
    written = []
    for i in range(count):
        body = rng.sample(blocks, min(len(blocks), rng.randint(*per_doc)))
        path = dest / f"synthetic_{i:05d}.txt"
        path.write_text(f"Full text: Synthetic White Paper No. {i + 1}\n\n" + "\n\n".join(body) + "\n", encoding="utf-8")
        written.append(path)
    return written


def words(paths: list[Path]) -> int:
    """Count whitespace-separated words, the unit of every words/second figure."""
    return sum(len(p.read_text(encoding="utf-8").split()) for p in paths)
