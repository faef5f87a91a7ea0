"""Canonical names for normalized ids: pycountry for countries, configs/registries for the rest.

Consumers want "China", not "CHN", next to an id. Registries are TSV files
whose header names an `id` and a `name` column (other columns are ignored),
so the table layout can grow without touching this module.
"""
from __future__ import annotations

import csv
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

import pycountry

REGISTRY_GLOB = "registries/*.tsv"
ID_COLUMNS = ("id", "code")


def load_registries(configs: Path | str | None) -> dict[str, tuple[str, str]]:
    """Map registry id -> (name, file name) over configs/registries/*.tsv; the first file in name order wins.

    The id column is `id` (or `code`, as in a places table); files without an
    id and a `name` column (alias tables) are skipped.
    """
    names: dict[str, tuple[str, str]] = {}
    if configs is None:
        return names
    for path in sorted(Path(configs).glob(REGISTRY_GLOB)):
        with open(path, encoding="utf-8", newline="") as handle:
            lines = [line for line in handle if line.strip() and not line.startswith("#")]
        rows = list(csv.reader(lines, delimiter="\t", quoting=csv.QUOTE_NONE))
        if not rows:
            continue
        header = [cell.strip().lower() for cell in rows[0]]
        id_name = next((column for column in ID_COLUMNS if column in header), None)
        if id_name is None or "name" not in header:
            continue
        id_col, name_col = header.index(id_name), header.index("name")
        for row in rows[1:]:
            if len(row) > max(id_col, name_col) and row[id_col].strip() and row[name_col].strip():
                names.setdefault(row[id_col].strip(), (row[name_col].strip(), path.name))
    return names


def country_name(alpha3: str) -> str | None:
    """Return pycountry's common name (else official short name) of an ISO 3166-1 alpha-3 code."""
    country = pycountry.countries.get(alpha_3=alpha3) if len(alpha3) == 3 else None
    if country is None:
        return None
    return getattr(country, "common_name", None) or country.name


def most_frequent(texts: Iterable[str]) -> str | None:
    """Return the most frequent text; ties go to the longest, then the first seen (acronym vs. full name)."""
    counts = Counter(texts)
    if not counts:
        return None
    order = {text: i for i, text in reversed(list(enumerate(counts)))}
    return min(counts, key=lambda t: (-counts[t], -len(t), order[t]))


class Names:
    """Resolve (label, id) to a canonical name and say where the name came from."""

    def __init__(self, configs: Path | str | None = None) -> None:
        self.registry = load_registries(configs)

    def name(self, label: str | None, entity_id: str, texts: Iterable[str] = ()) -> tuple[str | None, str | None]:
        """Return (name, source): pycountry for COUNTRY, a registry, else the most frequent mention text."""
        if label in (None, "COUNTRY"):
            found = country_name(entity_id)
            if found:
                return found, "pycountry"
        if entity_id in self.registry:
            name, file = self.registry[entity_id]
            return name, f"registry:{file}"
        fallback = most_frequent(texts)
        return (fallback, "mentions") if fallback else (None, None)
