from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from pipeline import evaluate as scoring
from pipeline.cli import cli
from pipeline.evaluate import norm_matches, score_mentions, score_relations


def mention(label, start, end, norm, doc="d"):
    return {"doc_id": doc, "label": label, "start": start, "end": end, "text": "x", "norm": norm}


def test_span_and_norm_scores():
    gold = [mention("COUNTRY", 0, 5, {"id": "CHN"}), mention("COUNT", 10, 20, {"value": 5, "qualifier": "exact"}), mention("DATE", 30, 39, {"value": None})]
    pred = [mention("COUNTRY", 0, 5, {"id": "USA"}), mention("COUNT", 10, 20, {"value": 5, "qualifier": "exact", "unit": "round"}),
            mention("DATE", 30, 39, {"value": None}), mention("ORG", 50, 52, {"id": None}), mention("ORG", 1, 2, {"id": None}, doc="other")]
    score = score_mentions(gold, pred)
    assert (score.micro.gold, score.micro.pred, score.micro.span_tp, score.micro.norm_tp) == (2, 3, 2, 1)
    assert [e["label"] for e in score.extras] == ["ORG"]
    assert score.misses == []
    assert len(score.wrong_norm) == 1
    assert score.as_dict()["per_label"]["COUNTRY"]["span_norm"]["f1"] == 0.0


@pytest.mark.parametrize(
    ("label", "gold", "pred", "ok"),
    [("COUNT", {"value": 10, "qualifier": "gt"}, {"value": 10, "qualifier": "exact"}, False),
     ("DATE", {"value": "2004"}, {"value": "2004"}, True),
     ("ORG", {"id": None}, {"id": None}, True)],
)
def test_norm_matches(label, gold, pred, ok):
    assert norm_matches(label, gold, pred) is ok


def test_relation_scores_count_multisets():
    gold = [{"doc_id": "d", "counterparts": ["WA"], "activity": "dialogue", "count": {"value": 5, "qualifier": "exact"}},
            {"doc_id": "d", "counterparts": ["RUS"], "activity": "agreement", "count": None}]
    pred = [{"doc_id": "d", "counterparts": ["WA"], "activity": "dialogue", "count": {"value": 5, "qualifier": "exact"}},
            {"doc_id": "d", "counterparts": ["WA"], "activity": "dialogue", "count": {"value": 5, "qualifier": "exact"}}]
    report = score_relations(gold, pred)
    assert (report["counted"]["tp"], report["counted"]["pred"], report["counted"]["gold"]) == (1, 2, 1)
    assert report["all"]["f1"] == pytest.approx(0.5)


# --- the command: a wrong gold folder, damaged lines, missing inputs ---------------------------


def _write(path, records):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


def _folders(tmp_path):
    gold = _write(tmp_path / "gold" / "d.mentions.jsonl", [mention("COUNTRY", 0, 5, {"id": "CHN"}), mention("ORG", 6, 8, {"id": None})]).parent
    pred = _write(tmp_path / "pred" / "mentions.jsonl", [mention("COUNTRY", 0, 5, {"id": "CHN"})]).parent
    return gold, pred


def _evaluate(gold, pred):
    return CliRunner().invoke(cli, ["evaluate", "--gold", str(gold), "--pred", str(pred)])


@pytest.mark.parametrize(("files", "reason"), [
    ({}, "no gold files"),  # an empty folder
    ({"doc.txt": "raw text\n", "mentions.jsonl": json.dumps(mention("ORG", 0, 2, {"id": None})) + "\n"}, "no gold files"),  # a raw or output folder
    ({"d.mentions.jsonl": "\n"}, "hold no mention"),  # gold files without a mention
])
def test_a_gold_folder_without_gold_mentions_is_a_usage_error(tmp_path, files, reason):
    """Scoring against nothing printed P/R/F1 1.000 and exit 0; it is a usage error naming the folder."""
    _, pred = _folders(tmp_path)
    gold = tmp_path / "not-gold"
    gold.mkdir()
    for name, text in files.items():
        (gold / name).write_text(text, encoding="utf-8")
    result = _evaluate(gold, pred)
    assert result.exit_code == 2, result.output
    assert f"{gold}: " in result.output and reason in result.output and "1.000" not in result.output
    with pytest.raises(scoring.NoGold):
        scoring.evaluate(gold, pred)


@pytest.mark.parametrize("side", ["gold", "pred"])
@pytest.mark.parametrize("field", ["start", "end", "label", "doc_id", "text"])
def test_a_mention_without_a_scored_field_names_file_line_and_field(tmp_path, side, field):
    gold, pred = _folders(tmp_path)
    path = gold / "d.mentions.jsonl" if side == "gold" else pred / "mentions.jsonl"
    records = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    del records[-1][field]
    _write(path, records)
    result = _evaluate(gold, pred)
    assert result.exit_code == 1, result.output
    assert f"{path}:{len(records)}: missing field '{field}'" in result.output
    assert "Traceback" not in result.output and isinstance(result.exception, SystemExit)


def test_a_gold_relation_of_the_wrong_shape_names_file_and_line(tmp_path):
    gold, pred = _folders(tmp_path)
    _write(gold / "d.relations.jsonl", [{"doc_id": "d", "counterparts": ["WA"], "count": 5}])
    _write(pred / "relations.jsonl", [])
    result = _evaluate(gold, pred)
    assert result.exit_code == 1 and f"{gold / 'd.relations.jsonl'}:1: field count" in result.output, result.output


def test_missing_predictions_are_a_usage_error_naming_the_file(tmp_path):
    gold, pred = _folders(tmp_path)
    (pred / "mentions.jsonl").unlink()
    result = _evaluate(gold, pred)
    assert result.exit_code == 2 and f"{pred / 'mentions.jsonl'}: no such file" in result.output, result.output
