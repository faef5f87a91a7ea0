"""Registries: countries (pycountry plus configured aliases), regimes, treaties,
organizations and places, turned into spaCy phrase patterns and id lookups.
"""
from __future__ import annotations

import re
import unicodedata

from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import pycountry

from .config import Config, ConfigError, load_table

ENTITY_LABELS = ("REGIME", "TREATY", "ORG")


@dataclass
class Entity:
    id: str
    label: str
    name: str
    aliases: tuple[str, ...]


@dataclass
class Registry:
    """Everything the extractors know by name, loaded from configs/registries and pycountry."""

    entities: dict[str, Entity]
    country_names: dict[str, str]  # surface form -> alpha-3
    place_names: dict[str, str]  # surface form -> ISO 3166-2 (pycountry subdivisions + places.tsv)
    place_patterns: dict[str, str]  # the curated places.tsv names only: safe to match anywhere
    regions: tuple[str, ...] = ()  # regions.tsv: places with no id, matched anywhere
    bodies: tuple[str, ...] = ()  # bodies.tsv: organizations with no id, matched anywhere
    excluded_countries: frozenset[str] = field(default_factory=frozenset)
    demonyms: dict[str, str | None] = field(default_factory=dict)  # "Maltese" -> MLT; None for regional adjectives

    @classmethod
    def from_config(cls, config: Config) -> Registry:
        """Load and validate the registries named by configs/extraction.toml."""
        from .nlp import extraction_settings  # checks the file's schema; imported here, nlp imports this module

        settings = extraction_settings(config)
        excluded = frozenset(settings["countries"]["exclude"])
        entities = _entities(config)
        countries = _countries(config, excluded, settings["countries"]["fields"])
        curated = _curated_places(config)
        regions = _regions(config, countries, curated, entities)
        lowered = {name.lower() for name in regions}
        places = {name: code for name, code in {**_subdivisions(settings["places"]), **curated}.items() if name.lower() not in lowered}
        return cls(entities=entities, country_names=countries, place_names=places, place_patterns=curated, excluded_countries=excluded, demonyms=_demonyms(config),
                   regions=regions, bodies=_bodies(config, entities, countries, regions))

    @cached_property
    def _country_lower(self) -> dict[str, str]:
        return {name.lower(): code for name, code in self.country_names.items()}

    @cached_property
    def _place_lower(self) -> dict[str, str]:
        return {name.lower(): code for name, code in self.place_names.items()}

    def country_id(self, text: str) -> str | None:
        """Return the alpha-3 code for a country name or alias (exact, then case-insensitive)."""
        text = text.strip()
        if text.lower().startswith("the "):
            text = text[4:]
        return self.country_names.get(text) or self._country_lower.get(text.lower())

    def place_id(self, text: str) -> str | None:
        """Return the ISO 3166-2 code of a sub-national place that is itself a subdivision (a region of regions.tsv has none)."""
        return self.place_names.get(text) or self._place_lower.get(text.lower())

    def patterns(self) -> list[dict[str, Any]]:
        """Return spaCy phrase patterns (label, pattern, id) for every registry name, in a stable order."""
        out: list[dict[str, Any]] = []
        for name, code in sorted(self.country_names.items()):
            out.append({"label": "COUNTRY", "pattern": name, "id": code})
        for entity in sorted(self.entities.values(), key=lambda e: e.id):
            for name in (entity.name, *entity.aliases):
                out.append({"label": entity.label, "pattern": name, "id": entity.id})
        for name, code in sorted(self.place_patterns.items()):
            out.append({"label": "PLACE", "pattern": name, "id": code})
        for name in self.regions:
            out.append({"label": "PLACE", "pattern": name})
        for name in self.bodies:
            out.append({"label": "ORG", "pattern": name})
        return out


def _entities(config: Config) -> dict[str, Entity]:
    rows = load_table(config.path("registries", "entities.tsv"), ["id", "label", "name", "aliases"], ["id", "label", "name"])
    entities: dict[str, Entity] = {}
    for row in rows:
        if row["label"] not in ENTITY_LABELS:
            raise ConfigError(f"{row['_where']}: label must be one of {', '.join(ENTITY_LABELS)}, got {row['label']!r}")
        if row["id"] in entities:
            raise ConfigError(f"{row['_where']}: duplicate id {row['id']!r}")
        aliases = tuple(a.strip() for a in row["aliases"].split("|") if a.strip())
        entities[row["id"]] = Entity(row["id"], row["label"], row["name"], aliases)
    return entities


def _countries(config: Config, excluded: frozenset[str], fields: list[str]) -> dict[str, str]:
    names: dict[str, str] = {}
    for country in pycountry.countries:
        if country.alpha_3 in excluded:
            continue
        for attr in fields:
            value = getattr(country, attr, None)
            if value and "," not in value:
                names.setdefault(value.removeprefix("the "), country.alpha_3)
    aliases: dict[str, str] = {}
    for row in load_table(config.path("registries", "country_aliases.tsv"), ["alias", "iso3"]):
        if pycountry.countries.get(alpha_3=row["iso3"]) is None:
            raise ConfigError(f"{row['_where']}: {row['iso3']!r} is not an ISO 3166-1 alpha-3 code")
        owner = _pycountry_owner(row["alias"])
        if owner is not None and owner != row["iso3"]:
            raise ConfigError(f"{row['_where']}: alias {row['alias']!r} is a name or code that pycountry gives to {owner}, not {row['iso3']}")
        if aliases.get(row["alias"].lower(), row["iso3"]) != row["iso3"]:
            raise ConfigError(f"{row['_where']}: alias {row['alias']!r} is given to {aliases[row['alias'].lower()]} already")
        aliases[row["alias"].lower()] = row["iso3"]
        names[row["alias"]] = row["iso3"]
    return names


def _pycountry_owner(text: str) -> str | None:
    """Return the alpha-3 code of the country that pycountry knows by ``text`` (any code or name, case-insensitive), if any."""
    try:
        return pycountry.countries.lookup(text).alpha_3
    except LookupError:
        return None


def _demonyms(config: Config) -> dict[str, str | None]:
    """Load demonyms.tsv: demonym -> alpha-3, or None for a regional adjective marked "-"."""
    demonyms: dict[str, str | None] = {}
    for row in load_table(config.path("registries", "demonyms.tsv"), ["demonym", "iso3"], ["demonym", "iso3"]):
        if row["iso3"] != "-" and pycountry.countries.get(alpha_3=row["iso3"]) is None:
            raise ConfigError(f"{row['_where']}: {row['iso3']!r} is not an ISO 3166-1 alpha-3 code (or \"-\")")
        if row["demonym"] in demonyms:
            raise ConfigError(f"{row['_where']}: duplicate demonym {row['demonym']!r}")
        demonyms[row["demonym"]] = None if row["iso3"] == "-" else row["iso3"]
    return demonyms


def _subdivisions(settings: dict[str, Any]) -> dict[str, str]:
    """Map prose forms of pycountry subdivision names (configured types, suffixes dropped) to codes."""
    types = set(settings["subdivision_types"])
    names: dict[str, str] = {}
    for sub in sorted(pycountry.subdivisions, key=lambda s: s.code):
        if sub.type in types:
            name = sub.name
            for suffix in settings["strip_suffixes"]:
                name = name.removesuffix(suffix)
            names.setdefault(name, sub.code)
    for name, code in list(names.items()):
        names.setdefault(ascii_fold(name), code)  # "Ninh Thuan" for "Ninh Thuận", as English prose writes it
    return names


# Latin letters that Unicode does not decompose into a base letter and a mark.
_STROKED = str.maketrans({"Đ": "D", "đ": "d", "Ł": "L", "ł": "l", "Ø": "O", "ø": "o", "ı": "i", "Ħ": "H", "ħ": "h"})


class _CombiningMarks(dict):
    """A str.translate table deleting combining marks, filled as code points are met (any plane)."""

    def __missing__(self, point: int) -> int | None:
        self[point] = None if unicodedata.combining(chr(point)) else point
        return self[point]


_MARKS = _CombiningMarks()


def ascii_fold(text: str) -> str:
    """Drop diacritics ("Ninh Thuận" -> "Ninh Thuan", "Đồng Nai" -> "Dong Nai", "Bogotá" -> "Bogota")."""
    return unicodedata.normalize("NFKD", text.translate(_STROKED)).translate(_MARKS)


def _bodies(config: Config, entities: dict[str, Entity], countries: dict[str, str], regions: tuple[str, ...]) -> tuple[str, ...]:
    """Load bodies.tsv: names and aliases of organizations with no id, sorted.

    None may be a registry entity's, a country's or a region's name, nor hold
    a country's name: a registry name swallows what it holds, and the contract
    keeps a COUNTRY inside an ORG.
    """
    owners = {**countries, **{name: entity.id for entity in entities.values() for name in (entity.name, *entity.aliases)}, **{name: "a region" for name in regions}}
    rows = load_table(config.path("registries", "bodies.tsv"), ["name", "aliases"], ["name"])
    names = [(row["_where"], name) for row in rows for name in (row["name"], *(a.strip() for a in row["aliases"].split("|") if a.strip()))]
    country = re.compile(r"(?<![\w-])(?:" + "|".join(sorted(map(re.escape, countries), key=len, reverse=True)) + r")(?![\w-])")
    for where, name in names:
        if name not in owners and (found := country.search(name)):
            raise ConfigError(f"{where}: {name!r} holds the country name {found.group()!r}; the name scanner finds it with its COUNTRY")
    return _names_without_id(names, owners, "body", "is the name of {owner}")


def _regions(config: Config, countries: dict[str, str], places: dict[str, str], entities: dict[str, Entity]) -> tuple[str, ...]:
    """Load regions.tsv: names of regions, sorted; none may be a country's or a curated place's name (those have ids).

    A region may share its name with a pycountry subdivision: in prose "the
    Sahel" is the region, not Burkina Faso's Sahel Region, so from_config
    drops such subdivision names.
    """
    rows = load_table(config.path("registries", "regions.tsv"), ["name"])
    owners = {**places, **countries, **{name: entity.id for entity in entities.values() for name in (entity.name, *entity.aliases)}}
    return _names_without_id(((row["_where"], row["name"]) for row in rows), owners, "region", "is the name of {owner}")


def _names_without_id(names: Iterable[tuple[str, str]], owners: dict[str, str], what: str, taken: str) -> tuple[str, ...]:
    """Return the names of a table of names with no id, sorted; a name ``owners`` gives an id, or a repeated one, is a ConfigError naming file and line."""
    found: set[str] = set()
    for where, name in names:
        if name in owners:
            raise ConfigError(f"{where}: {name!r} " + taken.format(owner=owners[name]))
        if name in found:
            raise ConfigError(f"{where}: duplicate {what} {name!r}")
        found.add(name)
    return tuple(sorted(found))


def _curated_places(config: Config) -> dict[str, str]:
    names: dict[str, str] = {}
    for row in load_table(config.path("registries", "places.tsv"), ["name", "code"]):
        if pycountry.subdivisions.get(code=row["code"]) is None:
            raise ConfigError(f"{row['_where']}: {row['code']!r} is not an ISO 3166-2 code")
        names[row["name"]] = row["code"]
    return names
