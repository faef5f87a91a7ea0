from __future__ import annotations

import pytest

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
