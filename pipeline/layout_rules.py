"""Read the layout rules of configs/segmentation.toml: boilerplate, title, headings, paragraphs, running headers.

The rules are validated once (file and key named in every error) and shared
by layout.py's line classifier, ingest and segment.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

from .config import POSITIVE, TEXT, Config, ConfigError, Kind, check_tables, check_value, compile_regex


READING_SCHEMA: dict[str, Kind] = {"same_as": Kind("a table of single characters to single characters",
                                                lambda v: isinstance(v, dict) and all(len(k) == 1 and isinstance(x, str) and len(x) == 1 for k, x in v.items()))}

PARAGRAPHS_SCHEMA: dict[str, Kind] = {"unwrapped_line_chars": POSITIVE, "sentence_final": TEXT,
                                      "closers": Kind("a string", lambda v: isinstance(v, str)),
                                      "wrap_min_chars": POSITIVE,
                                      "wrap_tolerance": Kind("a number >= 0 and < 1", lambda v: isinstance(v, (int, float)) and not isinstance(v, bool) and 0 <= v < 1)}

RUNNING_SCHEMA: dict[str, Kind] = {"min_repeats": POSITIVE, "max_chars": POSITIVE, "min_words": POSITIVE, "min_gap_chars": POSITIVE}


@dataclass(frozen=True)
class Line:
    """One line of the text: offsets of its stripped content and what it is."""

    start: int
    end: int
    kind: str  # "blank", "boilerplate", "title", "heading", "content"
    subkind: str | None = None  # boilerplate kind, or heading level as text
    groups: tuple[tuple[str, str, int, int], ...] = ()  # (name, value, start, end)

    def group(self, name: str) -> tuple[str, int, int] | None:
        for key, value, start, end in self.groups:
            if key == name:
                return value, start, end
        return None


@dataclass(frozen=True)
class LayoutRules:
    boilerplate: tuple[tuple[str, re.Pattern[str]], ...]
    title: re.Pattern[str]
    title_max_chars: int
    title_final: str
    masthead_lines: int  # [title]: how far above its breadcrumb a masthead line may stand
    publisher_shape: re.Pattern[str]  # [title]: what a masthead line naming its publisher holds
    dateline_fields: re.Pattern[str]  # [title]: what parts the fields of a page's dateline
    head_dateline: re.Pattern[str]  # [title]: a page head's line of a place and a date alone ("Bangkok, 20 December 2024")
    masthead_bodies: re.Pattern[str]  # [title]: a word naming a body, which every field of a fielded masthead holds
    dateline_date: re.Pattern[str]  # [title]: a dateline's date in another language ("8 de marzo de 2025"): groups d, m, y
    dateline_months: dict[str, int]  # [title]: the month names dateline_date's group m may hold, lowercased
    headings: tuple[tuple[int, re.Pattern[str]], ...]
    heading_max_chars: int
    heading_final: str
    unwrapped_line_chars: int
    paragraph_final: str
    paragraph_closers: str
    wrap_tolerance: float
    wrap_min_chars: int
    same_as: dict[int, str]  # str.translate table: what the tokenizer reads each listed character as ([reading])
    running_min_repeats: int  # [running_headers]: see _running_headers
    running_max_chars: int
    running_min_words: int
    running_min_gap_chars: int

    @cached_property
    def same_as_chars(self) -> re.Pattern[str]:
        """Return a pattern finding any character of ``same_as`` (most blocks have none: str.translate is then skipped)."""
        return re.compile("[" + "".join(re.escape(chr(code)) for code in self.same_as) + "]" if self.same_as else "(?!)")

    @cached_property
    def boilerplate_needs(self) -> tuple[frozenset[str], ...]:
        """Return, per boilerplate pattern, the punctuation every match contains (see required_punctuation)."""
        return tuple(required_punctuation(pattern) for _, pattern in self.boilerplate)

    @classmethod
    def from_config(cls, config: Config) -> LayoutRules:
        """Compile the rules of the configured segmentation file, rejecting unknown keys."""
        data, where = config.named_toml("segment", "rules")
        unknown = set(data) - {"boilerplate", "title", "heading", "heading_limits", "paragraphs", "reading", "running_headers"}
        if unknown:
            raise ConfigError(f"{where}: unknown table(s) {sorted(unknown)}")
        try:
            boilerplate = tuple(
                (_only(rule, {"kind", "pattern"}, f"{where} [[boilerplate]] #{i}")["kind"],
                 compile_regex(rule["pattern"], f"{where} [[boilerplate]] #{i}"))
                for i, rule in enumerate(data["boilerplate"], 1)
            )
            title = _only(data["title"], {"pattern", "max_chars", "sentence_final", "masthead_lines", "publisher_shape", "dateline_fields", "head_dateline", "masthead_bodies",
                                          "dateline_date", "dateline_months"}, f"{where} [title]")
            headings = tuple(
                (int(_only(rule, {"level", "pattern"}, f"{where} [[heading]] #{i}")["level"]),
                 compile_regex(rule["pattern"], f"{where} [[heading]] #{i}"))
                for i, rule in enumerate(data["heading"], 1)
            )
            limits = _only(data["heading_limits"], {"max_chars", "sentence_final"}, f"{where} [heading_limits]")
            check_tables(Path(where), {k: v for k, v in data.items() if k in ("paragraphs", "reading", "running_headers")},
                         {"paragraphs": PARAGRAPHS_SCHEMA, "reading": READING_SCHEMA, "running_headers": RUNNING_SCHEMA})
            paragraphs, running = data["paragraphs"], data["running_headers"]
            return cls(
                boilerplate=boilerplate,
                title=compile_regex(title["pattern"], f"{where} [title]", re.I),
                title_max_chars=int(title["max_chars"]),
                title_final=str(title["sentence_final"]),
                masthead_lines=check_value(Path(where), "title", "masthead_lines", title["masthead_lines"], POSITIVE),
                publisher_shape=compile_regex(title["publisher_shape"], f"{where} [title] publisher_shape"),
                dateline_fields=compile_regex(title["dateline_fields"], f"{where} [title] dateline_fields"),
                head_dateline=compile_regex(title["head_dateline"], f"{where} [title] head_dateline"),
                masthead_bodies=compile_regex(title["masthead_bodies"], f"{where} [title] masthead_bodies"),
                dateline_date=_date_groups(compile_regex(title["dateline_date"], f"{where} [title] dateline_date"), f"{where} [title] dateline_date"),
                dateline_months=_months(title["dateline_months"], f"{where} [title] dateline_months"),
                headings=headings,
                heading_max_chars=int(limits["max_chars"]),
                heading_final=str(limits["sentence_final"]),
                unwrapped_line_chars=int(paragraphs["unwrapped_line_chars"]),
                paragraph_final=str(paragraphs["sentence_final"]),
                paragraph_closers=str(paragraphs["closers"]),
                wrap_tolerance=float(paragraphs["wrap_tolerance"]),
                wrap_min_chars=int(paragraphs["wrap_min_chars"]),
                same_as=str.maketrans(data["reading"]["same_as"]),
                running_min_repeats=int(running["min_repeats"]),
                running_max_chars=int(running["max_chars"]),
                running_min_words=int(running["min_words"]),
                running_min_gap_chars=int(running["min_gap_chars"]),
            )
        except KeyError as exc:
            raise ConfigError(f"{where}: missing key {exc}") from None

    def paragraph_break(self, text: str, before: Line, after: Line) -> bool:
        """Return whether the line break between two content lines ends a paragraph.

        Text wrapped at a fixed width never has a line longer than
        ``unwrapped_line_chars``, so a break next to such a line was typed,
        not wrapped: text saved with one paragraph per line and no blank
        lines between. It ends a paragraph when the line before ends like a
        sentence (closing quotes and brackets aside), so a line break typed
        inside a sentence joins its halves as before.
        """
        if max(before.end - before.start, after.end - after.start) <= self.unwrapped_line_chars:
            return False
        return self._ends_sentence(text[before.start:before.end])

    def hard_wrapped(self, paragraph: str) -> bool:
        """Return whether a paragraph's line breaks were made by wrapping it at a fixed width (not typed between items).

        Wrapping moves a word to the next line only when it does not fit, so
        every line but the last, with the next line's first word, is longer
        than the width (at least the longest line; ``wrap_tolerance`` of it
        is allowed for proportional fonts). That says little when every line
        is short (a list of bodies, an address: any next word overflows a
        narrow width), so the longest line must be at least
        ``wrap_min_chars`` long. A paragraph also ends like a sentence. A
        masthead, a menu or an address glued into one block ("LT | EN" /
        "Ministry of Foreign Affairs" / "Home :: ...") fails one test or
        another, and its line breaks stay separators.
        """
        lines = [line.strip() for line in paragraph.splitlines()]
        if len(lines) < 2 or not all(lines) or not self._ends_sentence(lines[-1]):
            return False
        longest = max(map(len, lines))
        if longest < self.wrap_min_chars:
            return False
        width = longest * (1 - self.wrap_tolerance)
        return all(len(line) + 1 + len(following.split(maxsplit=1)[0]) > width for line, following in zip(lines, lines[1:]))

    def _ends_sentence(self, line: str) -> bool:
        tail = line.rstrip(self.paragraph_closers)
        return tail[-1:] in self.paragraph_final if tail else False


def required_punctuation(pattern: re.Pattern[str]) -> frozenset[str]:
    """Return the ASCII punctuation characters that every match of ``pattern`` contains.

    Read from the parsed pattern: literals in its top-level sequence, in
    groups and in repeats of at least one, and those every branch of an
    alternation requires. Punctuation has no case, so IGNORECASE changes
    nothing. Anything the walk does not know adds no requirement, and a
    pattern that cannot be parsed gets none: the prefilter only ever skips
    a regex that could not have matched.
    """
    try:
        from re import _constants as sre, _parser  # the stdlib's own regex parser (private: used defensively)

        return frozenset(_required(_parser.parse(pattern.pattern, pattern.flags), sre))
    except Exception:  # noqa: BLE001  (another Python's parser: no prefilter, same results)
        return frozenset()


def _required(items: Any, sre: Any) -> set[str]:
    found: set[str] = set()
    for op, av in items:
        if op is sre.LITERAL and chr(av) in _PUNCTUATION:
            found.add(chr(av))
        elif op is sre.SUBPATTERN:
            found |= _required(av[-1], sre)
        elif op is sre.ATOMIC_GROUP:
            found |= _required(av, sre)
        elif op in (sre.MAX_REPEAT, sre.MIN_REPEAT, sre.POSSESSIVE_REPEAT) and av[0] >= 1:
            found |= _required(av[2], sre)
        elif op is sre.BRANCH and av[1]:
            found |= set.intersection(*(_required(branch, sre) for branch in av[1]))
    return found


_PUNCTUATION = frozenset("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~")


def _date_groups(pattern: re.Pattern[str], where: str) -> re.Pattern[str]:
    if not {"d", "m", "y"} <= set(pattern.groupindex):
        raise ConfigError(f"{where}: the pattern needs the named groups d, m and y")
    return pattern


def _months(table: Any, where: str) -> dict[str, int]:
    if not isinstance(table, dict) or not all(isinstance(k, str) and type(v) is int and 1 <= v <= 12 for k, v in table.items()):
        raise ConfigError(f"{where}: expected a table of month names to numbers 1-12")
    return {name.lower(): number for name, number in table.items()}


def _only(table: dict, keys: set[str], where: str) -> dict:
    if set(table) != keys:
        raise ConfigError(f"{where}: expected exactly the keys {sorted(keys)}, got {sorted(table)}")
    return table
