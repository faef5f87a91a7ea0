from __future__ import annotations

import json

import pandas as pd
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline import export
from pipeline.cli import cli
from pipeline.names import Names, most_frequent

from .conftest import REPO
from .consumer_fixtures import consumer_out, consumer_out_ro, seed_out  # noqa: F401

TABLES = [t.name for t in export.table_specs()]


@pytest.fixture(scope="module")
def parquet_dir(consumer_out_ro, tmp_path_factory):
    dest = tmp_path_factory.mktemp("tables")
    result = export.export(consumer_out_ro, dest, "parquet", REPO / "configs")
    assert result.notes == []
    return dest


@pytest.mark.parametrize("name", TABLES)
def test_every_table_reads_back_with_documented_columns_and_dtypes(parquet_dir, name):
    table = export.spec(name)
    df = pd.read_parquet(parquet_dir / f"{name}.parquet")
    assert list(df.columns) == [c.name for c in table.columns]
    assert {c: str(t) for c, t in df.dtypes.items()} == {c.name: export.TYPES[c.type][1] for c in table.columns}
    assert len(df) > 0
    assert set(df["schema_version"]) == {"1.0"}
    meta = json.loads(pq.read_schema(parquet_dir / f"{name}.parquet").metadata[b"wpx"])
    assert meta["table"] == name and meta["schema_version"] == "1.0"


@pytest.mark.parametrize("fmt", export.FORMATS)
def test_export_is_byte_identical_across_runs(consumer_out_ro, tmp_path, fmt):
    first = export.export(consumer_out_ro, tmp_path / "a", fmt)
    second = export.export(consumer_out_ro, tmp_path / "b", fmt)
    assert [p.name for p in first.written] == [f"{t}.{fmt}" for t in TABLES]
    for a, b in zip(first.written, second.written):
        assert a.read_bytes() == b.read_bytes(), a.name


def test_documents_table_has_no_text_and_text_table_has_it(parquet_dir, consumer_out_ro):
    docs = pd.read_parquet(parquet_dir / "documents.parquet")
    texts = pd.read_parquet(parquet_dir / "documents_text.parquet")
    assert "text" not in docs.columns
    source = {json.loads(l)["doc_id"]: json.loads(l)["text"] for l in (consumer_out_ro / "documents.jsonl").open()}
    assert dict(zip(texts["doc_id"], texts["text"])) == source


@pytest.mark.parametrize(
    ("mention_id", "expected"),
    [
        ("alpha#mention:233-244:COUNT", {"norm_id": None, "value": "5", "value_int": 5, "qualifier": "exact", "unit": "round", "of": "dialogue"}),
        ("alpha#mention:292-300:DATE", {"norm_id": None, "value": "2015-05", "value_int": None, "qualifier": None}),
        ("alpha#mention:199-206:PLACE", {"norm_id": "CN-BJ", "value": None, "value_int": None}),
        ("2021/brief#mention:44-71:COUNT", {"value_int": 10, "qualifier": "gt", "unit": "consultation", "of": None}),
    ],
)
def test_norm_is_flattened(parquet_dir, mention_id, expected):
    df = pd.read_parquet(parquet_dir / "mentions.parquet").set_index("id")
    row = df.loc[mention_id]
    for column, value in expected.items():
        assert (pd.isna(row[column]) if value is None else row[column] == value), column


@pytest.mark.parametrize(
    ("registry", "entity_id", "name", "source"),
    [
        (None, "CHN", "China", "pycountry"),
        (None, "NSG", "Nuclear Suppliers Group", "mentions"),  # tie between NSG and the long form: longest wins
        ("id\tlabel\tname\nNSG\tREGIME\tNuclear Suppliers Group (NSG)\n", "NSG", "Nuclear Suppliers Group (NSG)", "registry:regimes.tsv"),
        ("name\tcode\nBeijing City\tCN-BJ\n", "CN-BJ", "Beijing City", "registry:regimes.tsv"),
        ("alias\tiso3\nBeijing\tCN-BJ\n", "CN-BJ", "Beijing", "mentions"),  # no id/name columns: ignored
    ],
)
def test_entities_are_named_from_pycountry_registries_or_mentions(consumer_out_ro, tmp_path, registry, entity_id, name, source):
    configs = None
    if registry is not None:
        configs = tmp_path / "configs"
        (configs / "registries").mkdir(parents=True)
        (configs / "registries" / "regimes.tsv").write_text(registry, encoding="utf-8")
    entities = export.build_tables(consumer_out_ro, configs).frames["entities"]
    row = entities[(entities["doc_id"] == "alpha") & (entities["entity_id"] == entity_id)].iloc[0]
    assert (row["name"], row["name_source"]) == (name, source)


def test_entities_count_and_first_offset(parquet_dir):
    entities = pd.read_parquet(parquet_dir / "entities.parquet")
    china = entities[(entities["doc_id"] == "alpha") & (entities["entity_id"] == "CHN")].iloc[0]
    assert (china["label"], china["mention_count"], china["first_start"], china["first_end"]) == ("COUNTRY", 4, 11, 16)
    assert set(entities["label"]) <= {"COUNTRY", "REGIME", "TREATY", "RESOLUTION", "ORG", "LAW", "PLACE"}
    assert entities["entity_id"].notna().all()  # ORG with a null id is not an entity


def test_relation_counterparts_table(parquet_dir):
    pairs = pd.read_parquet(parquet_dir / "relation_counterparts.parquet")
    wa = pairs[pairs["counterpart_id"] == "WA"].iloc[0]
    assert wa["resolved_from"] == "alpha#mention:213-222:COUNT"
    assert sorted(pairs["counterpart_id"]) == ["NSG", "USA", "WA"]


def test_csv_lists_are_json_and_nulls_empty(consumer_out_ro, tmp_path):
    export.export(consumer_out_ro, tmp_path, "csv")
    relations = pd.read_csv(tmp_path / "relations.csv", dtype=str, keep_default_na=False)
    assert [json.loads(v) for v in relations["counterparts"]] == [["USA"], ["NSG"], ["WA"]]
    assert list(relations["count_value"]) == ["10", "", "5"]


def test_missing_inputs_skip_tables_with_a_note_and_remove_stale_files(consumer_out, tmp_path):
    dest = tmp_path / "tables"
    export.export(consumer_out, dest)
    (consumer_out / "relations.jsonl").unlink()
    result = export.export(consumer_out, dest)
    assert any("relations: skipped, relations.jsonl not found" in n for n in result.notes)
    assert not (dest / "relations.parquet").exists() and not (dest / "relation_counterparts.parquet").exists()
    assert (dest / "mentions.parquet").exists()


def test_cli_export_writes_tables_and_card(consumer_out):
    result = CliRunner().invoke(cli, ["--configs", str(REPO / "configs"), "export", str(consumer_out), "--format", "csv"])
    assert result.exit_code == 0, result.output
    assert (consumer_out / "tables" / "mentions.csv").exists()
    assert (consumer_out / "DATASET.md").read_text(encoding="utf-8").startswith("# Dataset card")
    from pipeline import card

    assert (consumer_out / "DATASET.md").read_text(encoding="utf-8") == card.render(consumer_out, REPO / "configs")  # counted while exporting = counted alone


def test_cli_export_with_tables_and_card_elsewhere_only_reads_the_folder(consumer_out, tmp_path):
    """A shared, read-only dataset folder can be exported: nothing is written into it."""
    before = {path: path.read_bytes() for path in sorted(consumer_out.rglob("*")) if path.is_file()}
    tables, card_path = tmp_path / "mine" / "tables", tmp_path / "mine" / "CARD.md"
    result = CliRunner().invoke(cli, ["--configs", str(REPO / "configs"), "export", str(consumer_out), "--format", "csv", "--tables", str(tables), "--card", str(card_path)])
    assert result.exit_code == 0, result.output
    assert {path: path.read_bytes() for path in sorted(consumer_out.rglob("*")) if path.is_file()} == before
    assert (tables / "mentions.csv").exists() and str(card_path) in result.output
    from pipeline import card

    assert card_path.read_text(encoding="utf-8") == card.render(consumer_out, REPO / "configs")


def test_cli_export_without_documents_is_a_user_error(tmp_path):
    result = CliRunner().invoke(cli, ["export", str(tmp_path)])
    assert result.exit_code == 2 and "documents.jsonl not found" in result.output  # a usage error, as in the stage commands


def test_export_of_a_real_run(seed_out, tmp_path):
    result = export.export(seed_out, tmp_path, "parquet", REPO / "configs")
    for path in result.written:
        assert len(pd.read_parquet(path)) > 0, path.name


json_scalars = st.none() | st.booleans() | st.integers(-(2**40), 2**40) | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=5)
json_values = json_scalars | st.lists(json_scalars, max_size=4) | st.dictionaries(st.text(max_size=3), json_scalars, max_size=3)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.dictionaries(st.sampled_from(["a", "b", "c"]), json_values, max_size=3), max_size=5))
def test_any_json_values_fit_the_column_types(rows):
    table = export.TableSpec("t", "t.jsonl", False, "", tuple(
        export.Column(f"{name}_{kind}", kind, (name,), "") for name in "abc" for kind in export.TYPES
    ))
    df = export.frame(table, rows)
    assert {c: str(t) for c, t in df.dtypes.items()} == {c.name: export.TYPES[c.type][1] for c in table.columns}
    for column in table.columns:
        for row, cell in zip(rows, df[column.name]):
            value = row.get(column.path[0])
            if column.type == "int" and isinstance(value, int) and not isinstance(value, bool):
                assert cell == value  # a JSON integer is never lost


@settings(max_examples=100, deadline=None)
@given(st.lists(st.sampled_from(["NSG", "Nuclear Suppliers Group", "the Group"]), min_size=1, max_size=8))
def test_most_frequent_text_is_the_most_frequent(texts):
    best = most_frequent(texts)
    assert texts.count(best) == max(texts.count(t) for t in texts)
    assert Names().name("REGIME", "XX", texts) == (best, "mentions")


def _read_back(path):
    return pq.read_table(path) if path.suffix == ".parquet" else path.read_bytes()


@pytest.mark.parametrize("fmt", export.FORMATS)
@pytest.mark.parametrize(("rows", "chars"), [(1, 1 << 23), (2, 1 << 23), (1 << 16, 40)])
def test_batched_export_equals_one_batch(consumer_out_ro, tmp_path, monkeypatch, fmt, rows, chars):
    """Tables written a few rows at a time (by row count or by characters) hold what one batch holds."""
    whole = export.export(consumer_out_ro, tmp_path / "whole", fmt)
    monkeypatch.setattr(export, "BATCH_ROWS", rows)
    monkeypatch.setattr(export, "BATCH_CHARS", chars)
    batched = export.export(consumer_out_ro, tmp_path / "batched", fmt)
    for a, b in zip(whole.written, batched.written):
        if fmt == "parquet":
            assert _read_back(a).equals(_read_back(b)), a.name  # the same rows, schema and metadata; more row groups
        else:
            assert a.read_bytes() == b.read_bytes(), a.name
    if fmt == "parquet":
        assert pq.ParquetFile(tmp_path / "batched" / "mentions.parquet").metadata.num_row_groups > 1


def _documents_reversed(path):
    """Rewrite a JSONL file with its documents' records in reverse doc_id order (each document's records kept in order)."""
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    order = list(dict.fromkeys(json.loads(line)["doc_id"] for line in lines))
    path.write_text("".join(line for doc_id in reversed(order) for line in lines if json.loads(line)["doc_id"] == doc_id), encoding="utf-8")
    return order


@pytest.mark.parametrize("interleave", [False, True])
def test_mentions_in_any_order_give_the_same_derived_tables(consumer_out, tmp_path, interleave):
    """Entities stream out document by document when mentions.jsonl is in doc_id order; any other order gives the same rows."""
    from pipeline import card

    before = export.export(consumer_out, tmp_path / "sorted")
    card_before = card.render(consumer_out)
    path = consumer_out / "mentions.jsonl"
    if interleave:  # one document's mentions split around another's
        lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
        path.write_text("".join(lines[1:]) + lines[0], encoding="utf-8")
    else:
        assert len(_documents_reversed(path)) > 1
    after = export.export(consumer_out, tmp_path / "shuffled")
    for name in ("entities", "relation_counterparts"):
        assert pq.read_table(tmp_path / "sorted" / f"{name}.parquet").equals(pq.read_table(tmp_path / "shuffled" / f"{name}.parquet")), name
    assert [p.name for p in after.written] == [p.name for p in before.written]
    assert sorted(p.name for p in (tmp_path / "shuffled").iterdir()) == sorted(f"{t}.parquet" for t in TABLES)  # no temp file left
    assert card.render(consumer_out).split("## Files")[0] == card_before.split("## Files")[0]  # the entity count too


def test_a_bad_record_leaves_the_previous_tables(consumer_out, tmp_path):
    dest = tmp_path / "tables"
    export.export(consumer_out, dest)
    before = {p.name: p.read_bytes() for p in dest.iterdir()}
    with (consumer_out / "mentions.jsonl").open("a", encoding="utf-8") as handle:
        handle.write("{not json\n")
    (consumer_out / "documents.jsonl").write_text((consumer_out / "documents.jsonl").read_text(encoding="utf-8").replace('"1.0"', '"1.1"', 1), encoding="utf-8")
    with pytest.raises(ValueError, match=r"mentions\.jsonl:\d+"):
        export.export(consumer_out, dest)
    assert {p.name: p.read_bytes() for p in dest.iterdir()} == before  # documents.parquet too: all tables or none


def test_entities_stream_out_one_document_at_a_time(consumer_out_ro):
    """In doc_id order, the entity builder holds one document's groups and emits the rows entity_rows gives."""
    from pipeline.derived import EntityGroups, entity_rows
    from pipeline.records import read_jsonl

    mentions = list(read_jsonl(consumer_out_ro / "mentions.jsonl"))
    emitted, held = [], []
    groups = EntityGroups(Names(), emit=emitted.append)
    for mention in mentions:
        groups.add(mention)
        held.append({doc_id for doc_id, _, _ in groups.groups})
    groups.finish()
    assert groups.ordered and max(len(docs) for docs in held) == 1
    assert emitted == entity_rows(mentions, Names())


@pytest.mark.parametrize("present", [["documents.jsonl"], ["documents.jsonl", "segments.jsonl"], ["documents.jsonl", "mentions.jsonl"]])
def test_cli_export_notes_every_table_it_skips(consumer_out, present):
    for path in consumer_out.glob("*.jsonl"):
        if path.name not in present:
            path.unlink()
    result = CliRunner().invoke(cli, ["--configs", str(REPO / "configs"), "export", str(consumer_out)])
    assert result.exit_code == 0, result.output
    for table in export.table_specs():
        noted = f"note: {table.name}: skipped, {table.source} not found in {consumer_out}" in result.output
        assert noted == (table.source not in present), (table.name, result.output)
        assert (consumer_out / "tables" / f"{table.name}.parquet").exists() == (table.source in present)
