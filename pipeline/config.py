"""Load and validate everything under configs/, and hash it.

Knowledge (patterns, aliases, ids, keyword lists) lives in data files; this
module only reads them, rejects what does not fit the schema (naming file and
line), and hands plain Python objects to the stages.
"""
from __future__ import annotations

import csv
import hashlib
import io
import json
import math
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from . import tree


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
    path = root / "pipeline.toml"
    settings = load_toml(path)
    check_tables(path, settings, PIPELINE_SCHEMA, PIPELINE_OPTIONAL)
    return Config(root=root, settings=settings)


def load_toml(path: Path) -> dict[str, Any]:
    """Parse a TOML file, reporting the file and the parser's line on error."""
    try:
        return tomllib.loads(read_utf8(path))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: {exc}") from None


def read_utf8(path: Path) -> str:
    """Read a configuration file as UTF-8; a missing file or an invalid byte is a ConfigError naming the file and line."""
    try:
        raw = Path(path).read_bytes()
    except FileNotFoundError:
        raise ConfigError(f"{path}: missing configuration file") from None
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise ConfigError(f"{path}:{line}: not valid UTF-8 (byte 0x{raw[exc.start]:02x})") from None


def config_hash(root: Path | str) -> str:
    """Hash every file under the configs folder (names and bytes, through linked folders) in a stable order."""
    root = Path(root)
    digest = hashlib.sha256()
    for path in tree.files(root):
        digest.update(path.relative_to(root).as_posix().encode() + b"\0")
        digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()


def load_jsonl_rules(path: Path, required: dict[str, type | tuple[type, ...]], optional: dict[str, type | tuple[type, ...]] | None = None) -> list[dict[str, Any]]:
    """Read a JSONL rule file with a strict schema: unknown keys, missing keys and wrong types are errors."""
    optional = optional or {}
    allowed = {**required, **optional}
    rules = []
    with io.StringIO(read_utf8(path), newline=None) as handle:
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
    with io.StringIO(read_utf8(path), newline="") as handle:
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


# --- schemas of the TOML settings files ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Kind:
    """What one setting must be: a phrase for error messages and a test of the parsed TOML value."""

    phrase: str
    test: Callable[[Any], bool]
    item: Kind | None = None  # a table's values (see table_of)
    required: frozenset[str] = frozenset()  # a table's keys that must be there


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_text(value: Any) -> bool:
    return isinstance(value, str) and value != ""


def _is_texts(value: Any) -> bool:
    return isinstance(value, list) and all(map(_is_text, value))


def _is_text_encoding(value: Any) -> bool:
    """Whether ``value`` names a codec that decodes bytes to text ("rot13" and "base64" do not)."""
    if not _is_text(value):
        return False
    try:
        b"text".decode(value)  # a LookupError for unknown codecs and for codecs of another kind ("'rot13' is not a text encoding")
    except UnicodeError:
        return True
    except LookupError:
        return False
    return True


def table_of(kind: Kind, required: frozenset[str] = frozenset()) -> Kind:
    """A TOML table whose values are all ``kind`` (and that has at least the keys ``required``)."""
    needs = f" with (at least) the keys {', '.join(sorted(required))}" if required else ""
    return Kind(f"a table{needs}, each value {kind.phrase}",
                lambda v: isinstance(v, dict) and required <= set(v) and all(kind.test(x) for x in v.values()), kind, required)


TEXT = Kind("a non-empty string", _is_text)
TEXTS = Kind("a list of non-empty strings", _is_texts)
INTEGER = Kind("an integer", _is_int)
NON_NEGATIVE = Kind("an integer >= 0", lambda v: _is_int(v) and v >= 0)
POSITIVE = Kind("an integer > 0", lambda v: _is_int(v) and v > 0)
GC_THRESHOLD = Kind("an integer from 1 to 2147483647 (gc.set_threshold takes a C int)", lambda v: _is_int(v) and 0 < v <= 2**31 - 1)
SECONDS = Kind("a number of seconds >= 0", lambda v: (_is_int(v) or isinstance(v, float)) and 0 <= v < math.inf)
POSITIVE_SECONDS = Kind("a number of seconds > 0", lambda v: (_is_int(v) or isinstance(v, float)) and 0 < v < math.inf)
TABLES = Kind("a list of tables", lambda v: isinstance(v, list) and all(isinstance(x, dict) for x in v))
RANGE = Kind("a list [min, max] of two integers with 0 < min <= max", lambda v: isinstance(v, list) and len(v) == 2 and all(map(_is_int, v)) and 0 < v[0] <= v[1])
TEXT_ENCODING = Kind("the name of a text encoding Python knows (see codecs)", _is_text_encoding)
# Extensions (".txt", lowercase: a file's suffix is lowercased before the lookup) -> the reader of pipeline/ingest.
FORMATS = Kind('a table of lowercase extensions (".txt") to a reader: "txt", "html" or "pdf"',
               lambda v: isinstance(v, dict) and all(k.startswith(".") and k == k.lower() and x in ("txt", "html", "pdf") for k, x in v.items()))

# The shape of configs/pipeline.toml: every section, its keys and their kinds. A section or key not listed is an
# error (a typo fails when the configs load, not deep in a run); every key is required but those of PIPELINE_OPTIONAL,
# whose defaults are where they are read.
PIPELINE_SCHEMA: dict[str, dict[str, Kind]] = {
    "ingest": {"formats": FORMATS, "fallback_encoding": TEXT_ENCODING, "skip_prefixes": TEXTS, "html_rules": TEXT, "pdf_rules": TEXT, "page_patterns": TEXTS},
    "segment": {"rules": TEXT, "sentence_punct": TEXTS},
    "extract": {"model": TEXT, "batch_size": POSITIVE},
    "batch": {"chunk_documents": POSITIVE, "chunk_bytes": POSITIVE, "manifest_every": SECONDS, "scheduler_timeout": POSITIVE_SECONDS,
              "gc_threshold": GC_THRESHOLD},
    "bench": {"sources": TEXTS, "seed": INTEGER, "paragraphs_per_document": RANGE, "documents": POSITIVE, "small_documents": POSITIVE,
              "noop_documents": POSITIVE, "workers": POSITIVE, "rounds": POSITIVE},
}
PIPELINE_OPTIONAL = frozenset({("ingest", "page_patterns"), ("extract", "batch_size"), ("batch", "gc_threshold")})

_TOML_HEADER = re.compile(r"\s*\[\[?\s*([\w.\- \"']+?)\s*\]\]?\s*(#.*)?")


def toml_line(path: Path, table: str, key: str | None = None) -> int | None:
    """Return the line of ``key`` in [table] of a TOML file (of the [table] header without ``key``), when it is found.

    A key that is a sub-table ([names.heads]) is found by its header.
    """
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return None
    current = ""
    wanted = re.compile(rf"\s*([\"']?){re.escape(key)}\1\s*=") if key is not None else None
    for number, line in enumerate(lines, 1):
        header = _TOML_HEADER.fullmatch(line)
        if header:
            current = re.sub(r"[\s\"']", "", header.group(1))
            if current == (table if key is None else f"{table}.{key}"):
                return number
        elif wanted is not None and current == table and wanted.match(line):
            return number
    return None


def where_in(path: Path, table: str, key: str | None = None) -> str:
    """Return "path:line" for a key (or a table) of a TOML file, or just the path when the line is not found."""
    line = toml_line(path, table, key)
    return f"{path}:{line}" if line else str(path)


def _shown(value: Any) -> str:
    text = repr(value)
    return f"{type(value).__name__} {text if len(text) <= 60 else text[:57] + '...'}"


def check_value(path: Path, table: str, key: str, value: Any, kind: Kind) -> Any:
    """Return ``value`` when it is of ``kind``; else raise a ConfigError naming the file, line, table and key.

    In a table of ``kind.item`` values, the first wrong entry is named ([names.heads] TREATY).
    """
    if kind.test(value):
        return value
    where = where_in(path, table, key)
    if kind.item is not None and isinstance(value, dict):
        inner = f"{table}.{key}" if table else key
        missing = sorted(kind.required - set(value))
        if missing:
            raise ConfigError(f"{where}: [{inner}] missing key(s) {', '.join(missing)}")
        for name, item in value.items():
            if not kind.item.test(item):
                line = toml_line(path, inner, name)
                shown = name if re.fullmatch(r"[\w-]+", name) else repr(name)
                raise ConfigError(f"{f'{path}:{line}' if line else where}: [{inner}] {shown} must be {kind.item.phrase}, got {_shown(item)}")
    name = f"[{table}] {key}" if table else key
    raise ConfigError(f"{where}: {name} must be {kind.phrase}, got {_shown(value)}")


def check_tables(path: Path, data: dict[str, Any], schema: dict[str, dict[str, Kind]], optional: frozenset[tuple[str, str]] = frozenset()) -> None:
    """Check a parsed TOML file against ``schema`` (table -> key -> kind): no unknown or missing table or key, no wrong kind."""
    for table, value in data.items():
        if table not in schema:
            raise ConfigError(f"{where_in(path, table)}: unknown table [{table}]; allowed: {', '.join(sorted(schema))}")
        if not isinstance(value, dict):
            raise ConfigError(f"{where_in(path, '', table)}: {table} must be a table [{table}], got {_shown(value)}")
    for table, keys in schema.items():
        if table not in data:
            raise ConfigError(f"{path}: missing table [{table}]")
        found = data[table]
        for key in found:
            if key not in keys:
                raise ConfigError(f"{where_in(path, table, key)}: [{table}] unknown key {key!r}; allowed: {', '.join(sorted(keys))}")
        for key, kind in keys.items():
            if key in found:
                check_value(path, table, key, found[key], kind)
            elif (table, key) not in optional:
                raise ConfigError(f"{where_in(path, table)}: [{table}] missing key {key!r}")
