from __future__ import annotations

import pytest

from pipeline.config import ConfigError, config_hash, load_config, load_jsonl_rules, load_table


def test_repository_configs_load(config):
    assert config.section("ingest")["formats"][".txt"] == "txt"
    assert len(config.hash) == 64


def test_hash_changes_with_any_file(tmp_path):
    (tmp_path / "pipeline.toml").write_text("[a]\nb = 1\n")
    before = config_hash(tmp_path)
    (tmp_path / "extra.tsv").write_text("x\n")
    assert config_hash(tmp_path) != before


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ('{"label": "X", "pattern": "a", "oops": 1}', r"rules.jsonl:2: unknown key\(s\) oops"),
        ('{"label": "X"}', r"rules.jsonl:2: missing key\(s\) pattern"),
        ('{"label": 3, "pattern": "a"}', r"rules.jsonl:2: key 'label' has the wrong type"),
        ("{not json", r"rules.jsonl:2: not valid JSON"),
    ],
)
def test_rules_schema_is_strict(tmp_path, line, message):
    path = tmp_path / "rules.jsonl"
    path.write_text('{"label": "OK", "pattern": "fine"}\n' + line + "\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=message):
        load_jsonl_rules(path, {"label": str, "pattern": (str, list)})


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("id\tname\nA\n", r"t.tsv:2: expected 2 tab-separated columns"),
        ("id\tnom\nA\tB\n", r"t.tsv:1: header must be"),
        ("id\tname\n\tB\n", r"t.tsv:2: column 'id' is empty"),
    ],
)
def test_table_errors_name_file_and_line(tmp_path, body, message):
    path = tmp_path / "t.tsv"
    path.write_text(body, encoding="utf-8")
    with pytest.raises(ConfigError, match=message):
        load_table(path, ["id", "name"])


def test_missing_folder_is_a_config_error(tmp_path):
    with pytest.raises(ConfigError, match="configuration folder not found"):
        load_config(tmp_path / "nope")
