"""Hash the package's own files (modules and data files), standard library only, so it can run while the package is imported.

The batch engine notes this digest with the code hash of a run
(pipeline.batch.code) and trusts the note while the digest is unchanged.
The digest taken when the package is first imported (AT_IMPORT) tells
whether the files changed on disk after this process loaded some of them.
"""
from __future__ import annotations

import hashlib
from importlib import resources
from pathlib import Path

from . import tree

SUFFIXES = (".py", ".json", ".tsv", ".toml", ".html", ".css", ".js", ".md")  # what a run's code hash can cover (modules and data files)
ROOT = Path(str(resources.files(__package__)))  # the package folder, as pipeline.batch.code finds it


def digest(root: Path = ROOT) -> str:
    """Hash every module and data file under ``root`` (through linked folders, caches excluded); "" when one cannot be read.

    An unreadable file, or one deleted while it is read, gives "", which no
    note matches: the code hash is then computed, and nothing fails.
    """
    sha = hashlib.sha256()
    try:
        for path in files(root):
            sha.update(path.relative_to(root).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    except OSError:
        return ""
    return sha.hexdigest()


def files(root: Path = ROOT) -> list[Path]:
    """Return the modules and data files under ``root``, sorted, following linked folders as imports do."""
    return [path for path in tree.entries(root, prune=lambda folder: folder.name == "__pycache__") if path.name.endswith(SUFFIXES) and path.is_file()]


AT_IMPORT = digest()
