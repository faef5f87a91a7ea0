"""Build the derived tables (entities, relation_counterparts) from records streamed past once.

Each builder keeps only what its rows need, not the records: an output
folder of tens of thousands of documents holds millions of mentions, and
export must not hold them all in memory. Feed relations before mentions:
the counterparts builder learns from the relations which mentions it needs.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from .names import Names


def _entity_id(mention: dict[str, Any]) -> Any:
    return (mention.get("norm") or {}).get("id")


def entity_key(mention: dict[str, Any]) -> tuple[Any, Any, str] | None:
    """Return the entities table's key of a mention, (doc_id, label, id), or None when its norm has no id."""
    entity_id = _entity_id(mention)
    return (mention["doc_id"], mention["label"], entity_id) if isinstance(entity_id, str) and entity_id else None


def _texts_in_order(texts: dict[str, list[Any]]) -> list[str]:
    """Return each text as often as it was counted, in the order first seen (what names.most_frequent reads)."""
    return [text for text in sorted(texts, key=lambda t: texts[t][1]) for _ in range(texts[text][0])]


class EntityGroups:
    """Group mentions with a non-null norm id into one row per (document, label, id).

    A group keeps its count, its first mention (by offsets) and how often
    each surface text occurs: what the row and its name need. With ``emit``,
    a document's rows go out as soon as the next document's mentions begin,
    as long as the documents come in ascending doc_id order (consolidated
    outputs do); memory then holds one document's groups. If they do not,
    ``ordered`` turns false, emitting stops and the caller must start over
    without ``emit``, which keeps every group until rows() is called.
    """

    def __init__(self, names: Names, emit: Callable[[dict[str, Any]], None] | None = None) -> None:
        self.names = names
        self.emit = emit
        self._order = DocumentOrder()
        self.groups: dict[tuple[str, str, str], list[Any]] = {}  # key -> [count, (start, end), schema_version, mention id, {text: [count, first (start, end)]}]

    @property
    def ordered(self) -> bool:
        """Whether the documents came in ascending doc_id order (so far, or until emitting stopped)."""
        return self._order.ascending

    def add(self, mention: dict[str, Any]) -> None:
        key = entity_key(mention)
        if key is None:
            return
        if self.emit is not None and self._order.moved_on(key[0]):
            if self._order.ascending:
                self._emit()
            else:
                self.emit = None
        at, text = (mention["start"], mention["end"]), mention["text"]
        group = self.groups.get(key)
        if group is None:
            self.groups[key] = [1, at, mention.get("schema_version"), mention.get("id"), {text: [1, at]}]
            return
        group[0] += 1
        if at < group[1]:  # the first mention by offsets; on a tie the one read first
            group[1:4] = [at, mention.get("schema_version"), mention.get("id")]
        seen = group[4].get(text)
        if seen is None:
            group[4][text] = [1, at]
        else:
            seen[0] += 1
            seen[1] = min(seen[1], at)

    def finish(self) -> None:
        """Emit the last document's rows."""
        if self.emit is not None:
            self._emit()

    def _emit(self) -> None:
        assert self.emit is not None
        for row in self.rows():
            self.emit(row)
        self.groups.clear()

    def rows(self) -> list[dict[str, Any]]:
        """Return the rows of the groups held, ordered by document, first offset, label and id."""
        rows = []
        for (doc_id, label, entity_id), (count, (start, end), schema_version, mention_id, texts) in self.groups.items():
            name, source = self.names.name(label, entity_id, _texts_in_order(texts))
            rows.append({
                "schema_version": schema_version, "doc_id": doc_id, "label": label, "entity_id": entity_id,
                "name": name, "name_source": source, "mention_count": count,
                "first_start": start, "first_end": end, "first_mention_id": mention_id,
            })
        return sorted(rows, key=lambda r: (r["doc_id"], r["first_start"], r["label"], r["entity_id"]))


class DocumentOrder:
    """Follow the doc_ids of a stream of records: when a document ends, and whether the doc_ids ascend so far."""

    def __init__(self) -> None:
        self.current: Any = None
        self.ascending = True

    def moved_on(self, doc_id: Any) -> bool:
        """Return whether ``doc_id`` begins a document after another one (complete, while ``ascending`` holds)."""
        if doc_id == self.current:
            return False
        before, self.current = self.current, doc_id
        if before is None:
            return False
        try:
            self.ascending = self.ascending and bool(doc_id > before)
        except TypeError:
            self.ascending = False
        return True


class EntityCount:
    """Count the rows of the entities table (distinct entity_key of the mentions) without building them.

    While the documents come in ascending doc_id order (consolidated outputs
    do) only the current document's keys are kept; otherwise ``ordered``
    turns false and the count must be made again with every key (of()).
    """

    def __init__(self, ordered: bool = True) -> None:
        self.ordered = ordered
        self.done = 0
        self.keys: set[tuple[Any, Any, str]] = set()
        self._order = DocumentOrder()

    def add(self, mention: dict[str, Any]) -> None:
        key = entity_key(mention)
        if key is None:
            return
        if self.ordered and self._order.moved_on(key[0]):
            self.ordered = self._order.ascending
            self.done += len(self.keys)
            self.keys.clear()
        self.keys.add(key)

    def total(self) -> int:
        return self.done + len(self.keys)

    @classmethod
    def of(cls, mentions: Iterable[dict[str, Any]]) -> int:
        """Count with every key kept (mentions in any order)."""
        count = cls(ordered=False)
        for mention in mentions:
            count.add(mention)
        return count.total()


class Counterparts:
    """One row per relation and counterpart, named like the entities table names them.

    The relations come first; of the mentions, only the labels of the
    mentions the relations link to and the texts of the counterparts' ids
    are kept.
    """

    def __init__(self, names: Names) -> None:
        self.names = names
        self.pending: list[dict[str, Any]] = []
        self.labels: dict[Any, Any] = {}  # linked mention id -> its label (the last mention with that id)
        self.texts: dict[str, dict[str, list[int]]] = {}  # counterpart id -> {text: [count, first seen]}
        self.seen = 0

    def add_relation(self, relation: dict[str, Any]) -> None:
        linked = {c.get("id"): c for c in relation.get("counterpart_mentions") or []}
        for counterpart in relation.get("counterparts") or []:
            link = linked.get(counterpart, {})
            self.pending.append({
                "schema_version": relation.get("schema_version"), "relation_id": relation.get("id"),
                "doc_id": relation.get("doc_id"), "counterpart_id": counterpart,
                "activity": relation.get("activity"), "mention_id": link.get("mention_id"),
                "resolved_from": link.get("resolved_from"),
            })
            self.labels.setdefault(link.get("mention_id"), None)
            if isinstance(counterpart, str):
                self.texts.setdefault(counterpart, {})

    def add_mention(self, mention: dict[str, Any]) -> None:
        self.seen += 1
        mention_id = mention.get("id")
        if mention_id in self.labels:
            self.labels[mention_id] = mention.get("label")
        entity_id = _entity_id(mention)
        if isinstance(entity_id, str) and entity_id in self.texts:
            texts = self.texts[entity_id]
            text = mention["text"]
            if text in texts:
                texts[text][0] += 1
            else:
                texts[text] = [1, self.seen]

    def rows(self) -> list[dict[str, Any]]:
        rows = []
        for pending in self.pending:
            counterpart = pending["counterpart_id"]
            texts = _texts_in_order(self.texts[counterpart]) if isinstance(counterpart, str) else []
            name = self.names.name(self.labels.get(pending["mention_id"]), counterpart, texts)[0]
            rows.append({**pending, "name": name})
        return rows


def entity_rows(mentions: Iterable[dict[str, Any]], names: Names) -> list[dict[str, Any]]:
    """Group mentions with a non-null norm id into one row per (document, label, id)."""
    groups = EntityGroups(names)
    for mention in mentions:
        groups.add(mention)
    return groups.rows()


def counterpart_rows(relations: Iterable[dict[str, Any]], mentions: Iterable[dict[str, Any]], names: Names) -> list[dict[str, Any]]:
    """One row per relation and counterpart, named like the entities table names them."""
    builder = Counterparts(names)
    for relation in relations:
        builder.add_relation(relation)
    for mention in mentions:
        builder.add_mention(mention)
    return builder.rows()

