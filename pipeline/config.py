"""Load and validate everything under configs/, and hash it.

Knowledge (patterns, aliases, ids, keyword lists) lives in data files; this
module only reads them, rejects what does not fit the schema (naming file and
line), and hands plain Python objects to the stages.
"""
from __future__ import annotations

import csv
import hashlib
import json
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


class ConfigError(Exception):
    """A configuration file is missing or does not fit its schema."""

    exit_code = 2


@dataclass(frozen=True)
class Config:
    """The parsed configs/ folder: settings plus the folder to read data files from."""

    root: Path
    settings: dict[str, Any] = field(hash=False)

    def path(self, *parts: str) -> Path:
        """Return a path inside the configs folder, failing clearly when it is missing."""
        target = self.root.joinpath(*parts)
        if not target.exists():
            raise ConfigError(f"{target}: missing configuration file")
        return target

    def section(self, name: str) -> dict[str, Any]:
        """Return one [section] of pipeline.toml, failing clearly when it is missing."""
        try:
            return self.settings[name]
        except KeyError:
            raise ConfigError(f"{self.root / 'pipeline.toml'}: missing section [{name}]") from None

    def toml(self, name: str) -> dict[str, Any]:
        """Load another TOML file of the configs folder."""
        return load_toml(self.path(name))

    def named_toml(self, section: str, key: str) -> tuple[dict[str, Any], str]:
        """Load the TOML file that pipeline.toml [section] key names; return it and its path for error messages."""
        name = self.section(section)[key]
        return self.toml(name), str(self.root / name)

    @property
    def hash(self) -> str:
        return config_hash(self.root)


def load_config(root: Path | str = "configs") -> Config:
    """Load configs/pipeline.toml and return a Config rooted at that folder."""
    root = Path(root)
    if not root.is_dir():
        raise ConfigError(f"{root}: configuration folder not found")
    return Config(root=root, settings=load_toml(root / "pipeline.toml"))


def load_toml(path: Path) -> dict[str, Any]:
    """Parse a TOML file, reporting the file and the parser's line on error."""
    try:
        with open(path, "rb") as handle:
            return tomllib.load(handle)
    except FileNotFoundError:
        raise ConfigError(f"{path}: missing configuration file") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: {exc}") from None


def config_hash(root: Path | str) -> str:
    """Hash every file under the configs folder (names and bytes) in a stable order."""
    root = Path(root)
    digest = hashlib.sha256()
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        digest.update(path.relative_to(root).as_posix().encode() + b"\0")
        digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()


def load_jsonl_rules(path: Path, required: dict[str, type | tuple[type, ...]], optional: dict[str, type | tuple[type, ...]] | None = None) -> list[dict[str, Any]]:
    """Read a JSONL rule file with a strict schema: unknown keys, missing keys and wrong types are errors."""
    optional = optional or {}
    allowed = {**required, **optional}
    rules = []
    with open(path, encoding="utf-8") as handle:
        for lineno, line in enumerate(handle, 1):
            if not line.strip() or line.lstrip().startswith("//"):
                continue
            where = f"{path}:{lineno}"
            try:
                rule = json.loads(line)
            except json.JSONDecodeError as exc:
                raise ConfigError(f"{where}: not valid JSON ({exc.msg})") from None
            if not isinstance(rule, dict):
                raise ConfigError(f"{where}: expected a JSON object")
            unknown = sorted(set(rule) - set(allowed))
            if unknown:
                raise ConfigError(f"{where}: unknown key(s) {', '.join(unknown)}; allowed: {', '.join(sorted(allowed))}")
            missing = sorted(set(required) - set(rule))
            if missing:
                raise ConfigError(f"{where}: missing key(s) {', '.join(missing)}")
            for key, value in rule.items():
                if not isinstance(value, allowed[key]):
                    raise ConfigError(f"{where}: key {key!r} has the wrong type ({type(value).__name__})")
            rule["_where"] = where
            rules.append(rule)
    return rules


def load_table(path: Path, columns: list[str], required: list[str] | None = None) -> list[dict[str, str]]:
    """Read a TSV table whose header must be exactly ``columns``; '#' lines are comments."""
    required = columns[:1] if required is None else required
    rows = []
    with open(path, encoding="utf-8", newline="") as handle:
        lines = [(n, l) for n, l in enumerate(handle, 1) if l.strip() and not l.startswith("#")]
    if not lines:
        raise ConfigError(f"{path}: empty table")
    header_line, header = lines[0][0], lines[0][1].rstrip("\r\n").split("\t")
    if header != columns:
        raise ConfigError(f"{path}:{header_line}: header must be {columns}, got {header}")
    for lineno, line in lines[1:]:
        cells = next(csv.reader([line.rstrip("\r\n")], delimiter="\t", quoting=csv.QUOTE_NONE))
        if len(cells) != len(columns):
            raise ConfigError(f"{path}:{lineno}: expected {len(columns)} tab-separated columns, got {len(cells)}")
        row = dict(zip(columns, (c.strip() for c in cells)))
        for name in required:
            if not row[name]:
                raise ConfigError(f"{path}:{lineno}: column {name!r} is empty")
        row["_where"] = f"{path}:{lineno}"
        rows.append(row)
    return rows


def compile_regex(pattern: str, where: str, flags: int = 0) -> re.Pattern[str]:
    """Compile a configured regular expression, naming where it came from on error."""
    try:
        return re.compile(pattern, flags)
    except re.error as exc:
        raise ConfigError(f"{where}: bad regular expression {pattern!r}: {exc}") from None
