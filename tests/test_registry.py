from __future__ import annotations

import shutil

import pytest

from pipeline.config import ConfigError, load_config
from pipeline.registry import Registry

from .conftest import REPO


@pytest.fixture(scope="module")
def registry(config):
    return Registry.from_config(config)


@pytest.mark.parametrize(
    ("name", "iso"),
    [("China", "CHN"), ("People's Republic of China", "CHN"), ("US", "USA"), ("United States of America", "USA"), ("Russia", "RUS"),
     ("Russian Federation", "RUS"), ("UK", "GBR"), ("Republic of Korea", "KOR"), ("ROK", "KOR"), ("DPRK", "PRK"), ("Viet Nam", "VNM"),
     ("Türkiye", "TUR"), ("the Republic of Kazakhstan", "KAZ"), ("Taiwan", None), ("Chinese", None), ("States", None),
     ("Burma", "MMR"), ("East Timor", "TLS"), ("Democratic Republic of Congo", "COD"), ("Turkiye", "TUR"), ("St. Kitts and Nevis", "KNA"),
     ("Chinese Taipei", None)],
)
def test_country_ids(registry, name, iso):
    assert registry.country_id(name) == iso


@pytest.mark.parametrize(("name", "code"), [("Beijing", "CN-BJ"), ("Seoul", "KR-11"), ("Guangdong", "CN-GD"), ("Qingdao", None),
                                             ("Washington", "US-DC"), ("Kuwait City", "KW-KU"), ("Chinese Taipei", "CN-TW")])
def test_place_ids(registry, name, code):
    assert registry.place_id(name) == code


def test_contract_ids_are_in_the_registry(registry):
    contract = {"NSG", "ZC", "MTCR", "WA", "AG", "HCOC", "NPT", "CTBT", "CWC", "BWC", "ATT", "PTBT", "OST", "CCW", "CPPNM", "TPNW", "FMCT",
                "GENEVA-PROTOCOL", "INF", "NEW-START", "TLATELOLCO", "RAROTONGA", "PELINDABA", "BANGKOK", "SEMIPALATINSK", "UN", "UNGA",
                "UNSC", "1540-COMMITTEE", "IAEA", "OPCW", "CTBTO", "EU", "ASEAN", "ARF", "SCO", "BRICS", "WTO", "G20", "CD", "NATO", "AU", "APEC", "WCO"}
    assert contract <= set(registry.entities)


@pytest.mark.parametrize(("demonym", "iso"), [("Maltese", "MLT"), ("Sri Lankan", "LKA"), ("Latin American", None)])
def test_demonyms(registry, demonym, iso):
    assert registry.demonyms[demonym] == iso


def test_patterns_are_stable(registry):
    assert registry.patterns() == registry.patterns()
    assert {"label": "REGIME", "pattern": "MTCR", "id": "MTCR"} in registry.patterns()


@pytest.mark.parametrize(
    ("file", "line", "message"),
    [("country_aliases.tsv", "Atlantis\tATL\n", "'ATL' is not an ISO 3166-1 alpha-3 code"),
     ("places.tsv", "Gotham\tXX-99\n", "'XX-99' is not an ISO 3166-2 code"),
     ("entities.tsv", "FOO\tTHING\tFoo\t\n", "label must be one of"),
     ("demonyms.tsv", "Atlantean\tATL\n", "'ATL' is not an ISO 3166-1 alpha-3 code"),
     ("demonyms.tsv", "Maltese\tMLT\n", "duplicate demonym 'Maltese'"),
     ("regions.tsv", "Sahel\n", "duplicate region 'Sahel'"),
     ("bodies.tsv", "Nuclear Suppliers Group\t\n", "'Nuclear Suppliers Group' is the name of NSG"),
     ("bodies.tsv", "Euratom Supply Agency\tEuratom\n", "duplicate body 'Euratom'"),
     ("bodies.tsv", "Kenya\t\n", "'Kenya' is the name of KEN"),
     ("bodies.tsv", "Southeast Asia\t\n", "'Southeast Asia' is the name of a region"),
     ("bodies.tsv", "Japan Aerospace Exploration Agency\tJAXA\n", "'Japan Aerospace Exploration Agency' holds the country name 'Japan'"),
     ("regions.tsv", "Antarctica\n", "'Antarctica' is the name of ATA"),
     ("regions.tsv", "Asia-Pacific Economic Cooperation\n", "'Asia-Pacific Economic Cooperation' is the name of APEC"),
     ("regions.tsv", "Beijing\n", "'Beijing' is the name of CN-BJ")],
)
def test_bad_registry_rows_name_file_and_line(tmp_path, file, line, message):
    root = tmp_path / "configs"
    shutil.copytree(REPO / "configs", root)
    path = root / "registries" / file
    lines = path.read_text(encoding="utf-8").count("\n")
    with open(path, "a", encoding="utf-8") as handle:
        handle.write(line)
    with pytest.raises(ConfigError, match=rf"{file}:{lines + 1}: .*{message}"):
        Registry.from_config(load_config(root))


@pytest.mark.parametrize(("line", "message"), [
    ("US\tGBR\n", "alias 'US' is a name or code that pycountry gives to USA, not GBR"),
    ("GBR\tUSA\n", "alias 'GBR' is a name or code that pycountry gives to GBR, not USA"),
    ("fr\tDEU\n", "alias 'fr' is a name or code that pycountry gives to FRA, not DEU"),
    ("France\tDEU\n", "alias 'France' is a name or code that pycountry gives to FRA, not DEU"),
    ("Hong Kong\tCHN\n", "alias 'Hong Kong' is a name or code that pycountry gives to HKG, not CHN"),
    ("Russia\tUKR\n", "alias 'Russia' is given to RUS already"),
])
def test_country_alias_may_not_name_another_country(tmp_path, line, message):
    root = tmp_path / "configs"
    shutil.copytree(REPO / "configs", root)
    path = root / "registries" / "country_aliases.tsv"
    lines = path.read_text(encoding="utf-8").count("\n")
    with open(path, "a", encoding="utf-8") as handle:
        handle.write(line)
    with pytest.raises(ConfigError, match=rf"country_aliases.tsv:{lines + 1}: {message}"):
        Registry.from_config(load_config(root))


@pytest.mark.parametrize(("alias", "iso"), [("USA", "USA"), ("Great Britain", "GBR"), ("Britannia", "GBR")])
def test_country_alias_of_its_own_country_is_accepted(tmp_path, alias, iso):
    root = tmp_path / "configs"
    shutil.copytree(REPO / "configs", root)
    with open(root / "registries" / "country_aliases.tsv", "a", encoding="utf-8") as handle:
        handle.write(f"{alias.lower() if alias == 'USA' else alias}\t{iso}\n")
    assert Registry.from_config(load_config(root)).country_id(alias) == iso


@pytest.mark.parametrize(("region", "pattern"), [("Middle East", {"label": "PLACE", "pattern": "Middle East"}), ("Sahel", {"label": "PLACE", "pattern": "Sahel"})])
def test_regions_are_places_with_no_id(registry, region, pattern):
    assert pattern in registry.patterns()
    assert registry.place_id(region) is None  # Sahel is also a region of Burkina Faso (BF-13): in prose, the region


@pytest.mark.parametrize("file", ["country_aliases.tsv", "entities.tsv", "places.tsv", "demonyms.tsv", "regions.tsv", "bodies.tsv"])
def test_invalid_utf8_in_a_registry_names_file_and_line(tmp_path, file):
    root = tmp_path / "configs"
    shutil.copytree(REPO / "configs", root)
    path = root / "registries" / file
    lines = path.read_bytes().count(b"\n")
    with open(path, "ab") as handle:
        handle.write(b"Caf\xe9\tX\n")
    with pytest.raises(ConfigError, match=rf"{file}:{lines + 1}: not valid UTF-8 \(byte 0xe9\)"):
        Registry.from_config(load_config(root))
