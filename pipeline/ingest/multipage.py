"""Group the files of a multi-page article and merge their texts into one document.

Saved news pages split one article over ``name.html``, ``name_2.html``,
``name_3.html``; the file-name conventions live in configs/pipeline.toml
([ingest] page_patterns). Pages are joined in page order with a blank line,
every run of the source map keeping the index of the file it came from.
"""
from __future__ import annotations

import re
from pathlib import Path

from ..config import Config, ConfigError, compile_regex
from ..layout import iter_lines
from .sourcemap import Extracted


def page_patterns(config: Config) -> tuple[re.Pattern[str], ...]:
    """Compile [ingest] page_patterns, each needing the groups ``base`` and ``page``."""
    where = f"{config.root / 'pipeline.toml'} [ingest] page_patterns"
    patterns = []
    for i, text in enumerate(config.section("ingest").get("page_patterns", []), 1):
        pattern = compile_regex(text, f"{where} #{i}")
        if not {"base", "page"} <= set(pattern.groupindex):
            raise ConfigError(f"{where} #{i}: pattern {text!r} needs the named groups 'base' and 'page'")
        patterns.append(pattern)
    return tuple(patterns)


def group_pages(paths: list[Path], formats: dict[str, str], merged: set[str], patterns: tuple[re.Pattern[str], ...]) -> list[list[Path]]:
    """Return the documents as lists of files in page order, in the order of their first file.

    A file ``base<sep>N`` joins the article whose first page is ``base`` (or
    ``base<sep>1``) when that file exists with the same format and the format
    is one of ``merged``; every other file is a document of its own.
    """
    def fmt(path: Path) -> str | None:
        return formats.get(path.suffix.lower())

    by_name = {(p.parent, p.stem, fmt(p)): p for p in paths}
    groups: dict[Path, dict[int, Path]] = {}
    member_of: dict[Path, Path] = {}
    for path in paths:
        if fmt(path) not in merged:
            continue
        for pattern in patterns:
            match = pattern.fullmatch(path.stem)
            if not match:
                continue
            base, page = match.group("base"), int(match.group("page"))
            first = by_name.get((path.parent, base, fmt(path)))
            if first is None and page > 1:
                sep = path.stem[match.end("base"):match.start("page")]
                first = by_name.get((path.parent, f"{base}{sep}1", fmt(path)))
            if first is not None and first != path:
                pages = groups.setdefault(first, {1: first})
                if page not in pages:
                    pages[page] = path
                    member_of[path] = first
            break
    documents = []
    for path in paths:
        head = member_of.get(path)
        if head is not None and head not in member_of:
            continue  # a page of the article ``head`` heads
        # a page of a page ("a_2_3.html", "a_2.html" being a's) is a document of its own, not lost
        pages = groups.get(path, {1: path}) if head is None else {1: path}
        documents.append([pages[n] for n in sorted(pages)])
    return documents


def page_numbers(files: list[Path], patterns: tuple[re.Pattern[str], ...]) -> list[int]:
    """Return the page number of each file of an article (group_pages's order): 1 for the first, then what the names say."""
    numbers = [1]
    for index, path in enumerate(files[1:], 2):
        match = next((m for p in patterns if (m := p.fullmatch(path.stem))), None)
        numbers.append(int(match.group("page")) if match else index)
    return numbers


def missing_pages(files: list[Path], patterns: tuple[re.Pattern[str], ...]) -> list[int]:
    """Return page numbers skipped between the pages found (name, name_2, name_4 -> [3])."""
    numbers = page_numbers(files, patterns)
    return sorted(set(range(1, max(numbers) + 1)) - set(numbers))


def merge(pages: list[Extracted], repeated_max_chars: int, numbers: list[int] | None = None) -> Extracted:
    """Join pages with a blank line; short lines of later pages that repeat page 1's are boilerplate.

    ``numbers`` are the pages' numbers (page_numbers; by default 1, 2, 3...):
    with page 2 missing, the file of page 3 is labelled page 3 in the
    document's pages and its warnings.
    """
    numbers = numbers or list(range(1, len(pages) + 1))
    first = pages[0]
    texts, runs, spans, page_info = [], [], [], []
    warnings, flagged = list(first.warnings), list(first.flagged)
    length = 0
    page_one_lines = {first.text[s:e] for s, e in iter_lines(first.text) if 0 < e - s <= repeated_max_chars}
    for index, (number, page) in enumerate(zip(numbers, pages)):
        if index:
            texts.append("\n\n")
            length += 2
            warnings += [f"page {number}: {w}" for w in page.warnings]
            flagged += [f"page {number}: {f}" for f in page.flagged]
            spans += [[length + s, length + e, "repeated"] for s, e in iter_lines(page.text) if page.text[s:e] in page_one_lines]
        texts.append(page.text)
        runs += [[r[0] + length, r[1] + length, *r[2:]] for r in page.source_map]
        spans += [[s + length, e + length, kind] for s, e, kind in page.boilerplate_spans]
        page_info.append({"page": number, "file": index, "start": length, "end": length + len(page.text)})
        length += len(page.text)
    meta = {key: next((p.meta.get(key) for p in pages if p.meta.get(key)), None) for key in first.meta}
    return Extracted(text="".join(texts), source_map=runs, encoding=first.encoding,
                     encoding_fallback=any(p.encoding_fallback for p in pages), warnings=warnings, flagged=flagged,
                     meta=meta, boilerplate_spans=sorted(spans), pages=page_info)
