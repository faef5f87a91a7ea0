"""Score predictions against gold as the contract's section 7 defines.

Mentions: a prediction is correct when doc_id, label, start and end equal a
gold mention's; its normalization is correct when norm.id (or, for DATE and
COUNT, norm.value and qualifier) also equals gold's. DATE mentions whose
value is null are not scored. Relations: see ``score_relations``.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .schemas import MENTION_FIELDS, Fields, checked
from .records import MENTIONS, RELATIONS

Key = tuple[str, str, int, int]

# What scoring and the report read of a mention (schemas.MENTION_FIELDS: doc_id, label, start, end,
# text, norm) or a relation, gold or predicted: a line without one of these (or of the wrong type) is
# named by file and line (records.BadRecord), not a KeyError.
SCORED_RELATIONS = Fields(RELATIONS, ("doc_id",), ("counterparts", "activity", "count"), loose={"count": {"type": ["object", "null"]}})


class NoGold(LookupError):
    """The gold folder holds no gold mentions: every score would be a meaningless 1.000."""


@dataclass
class Counts:
    gold: int = 0
    pred: int = 0
    span_tp: int = 0
    norm_tp: int = 0

    def prf(self, tp: int) -> tuple[float, float, float]:
        p = tp / self.pred if self.pred else (1.0 if not self.gold else 0.0)
        r = tp / self.gold if self.gold else (1.0 if not self.pred else 0.0)
        f = 2 * p * r / (p + r) if p + r else 0.0
        return p, r, f

    def as_dict(self) -> dict[str, Any]:
        sp, sr, sf = self.prf(self.span_tp)
        np_, nr, nf = self.prf(self.norm_tp)
        return {"gold": self.gold, "pred": self.pred, "span": {"p": sp, "r": sr, "f1": sf}, "span_norm": {"p": np_, "r": nr, "f1": nf}}


@dataclass
class MentionScore:
    per_label: dict[str, Counts] = field(default_factory=dict)
    micro: Counts = field(default_factory=Counts)
    misses: list[dict[str, Any]] = field(default_factory=list)
    extras: list[dict[str, Any]] = field(default_factory=list)
    wrong_norm: list[tuple[dict[str, Any], dict[str, Any]]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "per_label": {k: v.as_dict() for k, v in sorted(self.per_label.items())},
            "micro": self.micro.as_dict(),
            "misses": self.misses,
            "extras": self.extras,
            "wrong_norm": [{"gold": g, "pred": p} for g, p in self.wrong_norm],
        }


def _key(m: dict[str, Any]) -> Key:
    return (m["doc_id"], m["label"], int(m["start"]), int(m["end"]))


def norm_matches(label: str, gold: dict[str, Any] | None, pred: dict[str, Any] | None) -> bool:
    """Return whether two normalizations agree on what the contract scores."""
    gold, pred = gold or {}, pred or {}
    if label == "COUNT":
        return gold.get("value") == pred.get("value") and gold.get("qualifier") == pred.get("qualifier")
    if label == "DATE":
        return gold.get("value") == pred.get("value")
    return gold.get("id") == pred.get("id")


def _unscored(m: dict[str, Any]) -> bool:
    return m["label"] == "DATE" and (m.get("norm") or {}).get("value") is None


def score_mentions(gold: list[dict[str, Any]], pred: list[dict[str, Any]]) -> MentionScore:
    """Score predicted mentions against gold, restricted to the gold's documents."""
    docs = {m["doc_id"] for m in gold}
    unscored_spans = {_key(m) for m in gold if _unscored(m)}
    gold_by = {_key(m): m for m in gold if not _unscored(m)}
    pred_by = {_key(m): m for m in pred if m["doc_id"] in docs and not _unscored(m) and _key(m) not in unscored_spans}
    score = MentionScore()
    for key, g in gold_by.items():
        counts = score.per_label.setdefault(g["label"], Counts())
        counts.gold += 1
        score.micro.gold += 1
    for key, p in pred_by.items():
        counts = score.per_label.setdefault(p["label"], Counts())
        counts.pred += 1
        score.micro.pred += 1
        g = gold_by.get(key)
        if g is None:
            score.extras.append(p)
            continue
        counts.span_tp += 1
        score.micro.span_tp += 1
        if norm_matches(p["label"], g.get("norm"), p.get("norm")):
            counts.norm_tp += 1
            score.micro.norm_tp += 1
        else:
            score.wrong_norm.append((g, p))
    score.misses = [g for key, g in gold_by.items() if key not in pred_by]
    score.misses.sort(key=_key)
    score.extras.sort(key=_key)
    return score


def load_gold(gold_dir: Path | str, suffix: str) -> list[dict[str, Any]]:
    """Read every ``*.<suffix>.jsonl`` file of a gold folder (each record's scored fields checked)."""
    records: list[dict[str, Any]] = []
    fields = MENTION_FIELDS if suffix == "mentions" else SCORED_RELATIONS
    for path in sorted(Path(gold_dir).glob(f"*.{suffix}.jsonl")):
        records.extend(checked(path, fields))
    return records


def evaluate(gold_dir: Path | str, pred_dir: Path | str) -> dict[str, Any]:
    """Score the predictions of an output folder against a gold folder (mentions, and relations when both exist).

    Raises NoGold when the gold folder has no ``*.mentions.jsonl`` file or
    they hold no mention (a wrong folder would otherwise score 1.000), and
    FileNotFoundError when ``pred_dir`` has no mentions.jsonl.
    """
    gold_dir, pred_dir = Path(gold_dir), Path(pred_dir)
    gold_mentions = load_gold(gold_dir, "mentions")
    if not gold_mentions:
        files = sorted(gold_dir.glob("*.mentions.jsonl"))
        held = f"its {len(files)} *.mentions.jsonl file(s) hold no mention" if files else "no gold files (<doc_id>.mentions.jsonl) found"
        raise NoGold(f"{gold_dir}: {held}; pass the folder of gold files as --gold")
    report: dict[str, Any] = {}
    report["mentions"] = score_mentions(gold_mentions, list(checked(pred_dir / MENTIONS, MENTION_FIELDS))).as_dict()
    gold_relations = load_gold(gold_dir, "relations")
    if gold_relations and (pred_dir / RELATIONS).exists():
        report["relations"] = score_relations(gold_relations, list(checked(pred_dir / RELATIONS, SCORED_RELATIONS)))
    return report


def format_report(report: dict[str, Any], show_errors: bool = True) -> str:
    """Render an evaluation report as plain-text tables."""
    lines = []
    mentions = report["mentions"]
    header = f"{'label':<11}{'gold':>6}{'pred':>6}  {'span P':>7}{'R':>7}{'F1':>7}  {'+norm P':>8}{'R':>7}{'F1':>7}"
    lines += ["Mentions", header, "-" * len(header)]
    rows = list(mentions["per_label"].items()) + [("micro", mentions["micro"])]
    for label, row in rows:
        s, n = row["span"], row["span_norm"]
        lines.append(f"{label:<11}{row['gold']:>6}{row['pred']:>6}  {s['p']:>7.3f}{s['r']:>7.3f}{s['f1']:>7.3f}  {n['p']:>8.3f}{n['r']:>7.3f}{n['f1']:>7.3f}")
    if show_errors:
        for title, items in (("misses", mentions["misses"]), ("extras", mentions["extras"])):
            lines.append(f"\n{title} ({len(items)}):")
            lines += [f"  {m['doc_id']} {m['label']:<10} {m['start']}-{m['end']} {m['text']!r} {m.get('norm')}" for m in items]
        lines.append(f"\nwrong norm ({len(mentions['wrong_norm'])}):")
        lines += [f"  {w['gold']['doc_id']} {w['gold']['label']:<10} {w['gold']['text']!r} gold={w['gold'].get('norm')} pred={w['pred'].get('norm')}" for w in mentions["wrong_norm"]]
    if "relations" in report:
        lines += ["", format_relations(report["relations"], show_errors)]
    return "\n".join(lines)


def _relation_key(r: dict[str, Any], with_activity: bool) -> tuple:
    count = r.get("count") or None
    key = (r["doc_id"], tuple(sorted(r.get("counterparts") or [])), count.get("value") if count else None)
    return key + ((r.get("activity"),) if with_activity else ())


def _match(gold: list[tuple], pred: list[tuple]) -> tuple[int, list[tuple], list[tuple]]:
    """Match keys one to one (multisets); return true positives, misses and extras."""
    remaining = defaultdict(int)
    for key in gold:
        remaining[key] += 1
    tp, extras = 0, []
    for key in pred:
        if remaining[key] > 0:
            remaining[key] -= 1
            tp += 1
        else:
            extras.append(key)
    misses = [k for k, n in remaining.items() for _ in range(n)]
    return tp, sorted(misses, key=repr), sorted(extras, key=repr)


def score_relations(gold: list[dict[str, Any]], pred: list[dict[str, Any]]) -> dict[str, Any]:
    """Score engagements: counted ones by (doc, sorted counterpart ids, count value); all by (doc, counterparts, count value, activity)."""
    docs = {r["doc_id"] for r in gold}
    pred = [r for r in pred if r["doc_id"] in docs]
    report: dict[str, Any] = {}
    for name, keep, with_activity in (("counted", lambda r: r.get("count") is not None, False), ("all", lambda r: True, True)):
        g = [_relation_key(r, with_activity) for r in gold if keep(r)]
        p = [_relation_key(r, with_activity) for r in pred if keep(r)]
        tp, misses, extras = _match(g, p)
        counts = Counts(gold=len(g), pred=len(p), span_tp=tp, norm_tp=tp)
        prec, rec, f1 = counts.prf(tp)
        report[name] = {"gold": len(g), "pred": len(p), "tp": tp, "p": prec, "r": rec, "f1": f1, "misses": [list(k) for k in misses], "extras": [list(k) for k in extras]}
    return report


def format_relations(report: dict[str, Any], show_errors: bool = True) -> str:
    """Render the relation scores as a plain-text table."""
    lines = ["Relations", f"{'set':<9}{'gold':>6}{'pred':>6}{'P':>7}{'R':>7}{'F1':>7}"]
    for name in ("counted", "all"):
        r = report[name]
        lines.append(f"{name:<9}{r['gold']:>6}{r['pred']:>6}{r['p']:>7.3f}{r['r']:>7.3f}{r['f1']:>7.3f}")
    if show_errors:
        for name in ("counted", "all"):
            for kind in ("misses", "extras"):
                if report[name][kind]:
                    lines.append(f"{name} {kind}:")
                    lines += [f"  {k}" for k in report[name][kind]]
    return "\n".join(lines)
