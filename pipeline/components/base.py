"""Shared plumbing for components whose knowledge is a settings dict from configs/.

Settings enter through ``initialize(settings=...)`` (like span_ruler's
patterns) and are saved with the pipeline, so a saved pipeline round-trips.
"""
from __future__ import annotations

from bisect import bisect_right
from pathlib import Path
from typing import Any

import srsly
from spacy.attrs import SENT_START
from spacy.strings import get_string_id
from spacy.tokens import Doc, Span
from spacy.util import ensure_path

SPANS_KEY = "wpx_candidates"
REGISTRY_KEY = "wpx_registry"  # the registry PhraseMatcher's spans, which later components consult

META_KEY = "wpx_meta"
BLOCK_KIND_KEY = "wpx_block_kind"  # user_data: "title", "heading" or "paragraph"
TEXT_KEY = "wpx_text"  # user_data: the block's text, so components need not rebuild doc.text
REGISTRY_TUPLES_KEY = "wpx_registry_tuples"  # user_data: the registry spans as (start, end, label, id), read once
TOKEN_ATTRS_KEY = "wpx_token_attrs"  # user_data: token attribute columns (token_column)
SENTENCE_STARTS = "sentence_starts"  # the key of sentence_bounds' start list among the token columns


def doc_text(doc: Doc) -> str:
    """Return the doc's text, from the cache make_block_doc leaves in user_data when present."""
    return doc.user_data.get(TEXT_KEY) or doc.text


def word_ids(words) -> frozenset[int]:
    """Return the string ids of ``words``, for fast lookups over doc.to_array(ORTH / LOWER)."""
    return frozenset(get_string_id(w) for w in words)


def token_column(doc: Doc, attr: int) -> list[int]:
    """Return one token attribute (ORTH, LOWER, LIKE_NUM, ...) of every token, as a list, read once per doc.

    Several rule components scan the same attributes; on short paragraphs
    the doc.to_array call, not the scan, is the cost, so each column is kept
    in user_data. Kept only while the doc keeps its length: no component
    retokenizes.
    """
    columns = doc.user_data.get(TOKEN_ATTRS_KEY)
    if columns is None:
        columns = doc.user_data[TOKEN_ATTRS_KEY] = {}
    column = columns.get(attr)
    if column is None or len(column) != len(doc):
        column = columns[attr] = doc.to_array(attr).tolist() if len(doc) else []
    return column


def sentence_bounds(doc: Doc, i: int) -> tuple[int, int]:
    """Return the token range of the sentence holding token ``i``, as ``doc[i].sent`` finds it, without a Span.

    Token.sent walks the tokens back and forth on every call; the sentence
    starts are read once per doc instead (kept with the token columns).
    """
    columns = doc.user_data.get(TOKEN_ATTRS_KEY)
    if columns is None:
        columns = doc.user_data[TOKEN_ATTRS_KEY] = {}
    starts = columns.get(SENTENCE_STARTS)
    if starts is None:
        starts = columns[SENTENCE_STARTS] = [k for k, flag in enumerate(token_column(doc, SENT_START)) if flag == 1]
    k = bisect_right(starts, i)
    return (starts[k - 1] if k else 0), (starts[k] if k < len(starts) else len(doc))


def capitalized_word(text: str) -> bool:
    """Return whether a token's text is a capitalized word (a capital first, a letter somewhere)."""
    return text[:1].isupper() and any(ch.isalpha() for ch in text)


def more_name_follows(doc: Doc, i: int, coordinators: frozenset[str]) -> bool:
    """Return whether the words after token ``i`` go on with a name: a capitalized word, a coordinator, or a comma, a capitalized
    word and a coordinator ("Nuclear Command and Control", "Nuclear Command, Control and ...", "a Joint Command Post Exercise")."""
    if i + 1 >= len(doc):
        return False
    after = doc[i + 1]
    return capitalized_word(after.text) or after.lower_ in coordinators or (
        after.text == "," and i + 3 < len(doc) and capitalized_word(doc[i + 2].text) and doc[i + 3].lower_ in coordinators)


def indices_of(doc: Doc, attr: int, ids: frozenset[int]) -> list[int]:
    """Return the indices of the tokens whose ``attr`` (ORTH or LOWER) is one of ``ids``.

    Rule components look only at these tokens instead of creating a Python
    object for every token of every block.
    """
    if not len(doc) or not ids:
        return []
    values = token_column(doc, attr)
    if ids.isdisjoint(values):
        return []  # most blocks: one C-level set test instead of a Python loop
    return [i for i, value in enumerate(values) if value in ids]


class SettingsComponent:
    """A component configured by a JSON-serializable settings dict."""

    settings_file = "settings.json"

    def __init__(self, nlp, name: str) -> None:
        self.nlp = nlp
        self.name = name
        self.settings: dict[str, Any] = {}
        self._prepare()

    def initialize(self, get_examples=None, *, nlp=None, settings: dict[str, Any] | None = None) -> None:
        if settings is not None:
            self.settings = dict(settings)
            self._prepare()

    def _prepare(self) -> None:
        """Derive fast lookup structures from self.settings."""

    @property
    def span_groups(self) -> bool:
        """Whether to fill doc.spans too (settings "span_groups", default true).

        The extractor turns them off: it reads the meta table and the mention
        rows, and a Span object per candidate is most of a rule's cost on
        short paragraphs. What is found is the same either way.
        """
        return bool(self.settings.get("span_groups", True))

    def add(self, doc: Doc, start: int, end: int, label: str, rule: str, norm: dict[str, Any] | None = None) -> None:
        """Add a candidate mention (see add_candidate), to the span group too when span_groups is on."""
        add_candidate(doc, start, end, label, rule, norm, group=self.span_groups)

    def to_bytes(self, *, exclude=tuple()) -> bytes:
        return srsly.json_dumps(self.settings, sort_keys=True).encode("utf-8")

    def from_bytes(self, data: bytes, *, exclude=tuple()):
        self.settings = srsly.json_loads(data.decode("utf-8"))
        self._prepare()
        return self

    def to_disk(self, path, *, exclude=tuple()) -> None:
        path = ensure_path(path)
        path.mkdir(parents=True, exist_ok=True)
        srsly.write_json(Path(path) / self.settings_file, self.settings)

    def from_disk(self, path, *, exclude=tuple()):
        self.settings = srsly.read_json(ensure_path(path) / self.settings_file)
        self._prepare()
        return self


def registry_spans(doc: Doc) -> list[tuple[int, int, str, str]]:
    """Return the registry ruler's spans as (start, end, label, id) tuples.

    Several components consult them; reading the span group once per doc
    spares a Span object per name per component. Nothing changes the
    registry spans after the ruler, so the tuples are kept in user_data.
    """
    found = doc.user_data.get(REGISTRY_TUPLES_KEY)
    if found is None:
        found = doc.user_data[REGISTRY_TUPLES_KEY] = [(s.start, s.end, s.label_, s.id_) for s in doc.spans.get(REGISTRY_KEY, ())]
    return found


def add_candidate(doc: Doc, start: int, end: int, label: str, rule: str, norm: dict[str, Any] | None = None, group: bool = True) -> None:
    """Add a candidate mention (token offsets) to the meta table and, with ``group``, to the candidate span group."""
    if group:
        spans = doc.spans.get(SPANS_KEY)
        if spans is None:
            spans = doc.spans[SPANS_KEY] = []
        spans.append(Span(doc, start, end, label=label))
    doc.user_data.setdefault(META_KEY, {})[meta_key_at(start, end, label)] = {"start": start, "end": end, "label": label, "rule": rule, "norm": norm}


def candidates(doc: Doc) -> list[tuple[int, int, str, dict[str, Any]]]:
    """Return the candidates added so far as (start, end, label, meta), in the order first added.

    Read from the meta table rather than the span group, so no Span objects
    are made; a span added twice with one label is one candidate.
    """
    return [(meta["start"], meta["end"], meta["label"], meta) for meta in doc.user_data.get(META_KEY, {}).values()]


def meta_key_at(start: int, end: int, label: str) -> str:
    """Return the meta table's key for token offsets and a label.

    A string, not a tuple: user_data must survive Doc.to_bytes, and msgpack
    reads tuple keys back as (unhashable) lists.
    """
    return f"{start}:{end}:{label}"


def meta_key(span: Span) -> str:
    """Return the meta table's key of a span: "start:end:label", token offsets."""
    return meta_key_at(span.start, span.end, span.label_)


def set_meta(doc: Doc, span: Span, rule: str, norm: dict[str, Any] | None) -> None:
    """Record which rule found a span and its normalization (kept in user_data: serializable)."""
    doc.user_data.setdefault(META_KEY, {})[meta_key(span)] = {"start": span.start, "end": span.end, "label": span.label_, "rule": rule, "norm": norm}


def get_meta(doc: Doc, span: Span) -> dict[str, Any]:
    return doc.user_data.get(META_KEY, {}).get(meta_key(span), {"rule": None, "norm": None})

