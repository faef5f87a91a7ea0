"""wpx_registry_ruler: spaCy's SpanRuler for the registry's phrase patterns, cheaper per doc.

The registry's patterns are exact phrases only. spaCy's SpanRuler also runs
an empty token Matcher under a warnings filter and sorts its matches as Span
objects, whose comparisons build tuples; on thousands of short paragraphs
that costs more than the matching. This ruler keeps everything SpanRuler
does about patterns (add_patterns, initialize, to_disk/from_disk as JSONL)
and only matches faster: the same spans, in the same order (spaCy's Span
order: start, end, label, kb_id, id), plus the (start, end, label, id)
tuples the later components read (components.base.registry_spans).
"""
from __future__ import annotations

from spacy.language import Language
from spacy.pipeline.span_ruler import SpanRuler
from spacy.strings import get_string_id
from spacy.tokens import Doc, Span

from .base import REGISTRY_KEY, REGISTRY_TUPLES_KEY


@Language.factory("wpx_registry_ruler", assigns=["doc.spans"], default_config={"spans_key": REGISTRY_KEY, "validate": True, "span_group": True})
def make_registry_ruler(nlp: Language, name: str, spans_key: str, validate: bool, span_group: bool) -> RegistryRuler:
    ruler = RegistryRuler(nlp, name, spans_key=spans_key, validate=validate, overwrite=True)
    ruler.span_group = span_group
    return ruler


class RegistryRuler(SpanRuler):
    """Put the registry's phrase matches in doc.spans[spans_key], sorted and deduplicated as SpanRuler does.

    With ``span_group`` false only the tuples are kept (the extractor's
    setting: no later step reads the span group there).
    """

    span_group = True

    def __call__(self, doc: Doc) -> Doc:
        if len(self.matcher):
            found = [(s.start, s.end, s.label_, s.id_) for s in super().match(doc)]  # token patterns too: SpanRuler's way
        else:
            self._require_patterns()
            keys = self._match_keys()
            # (start, end, label hash, kb_id 0, id hash) is the key Span.__richcmp__ sorts by
            unique = {(start, end, *keys[m_id]) for m_id, start, end in self.phrase_matcher(doc) if start != end}
            found = [(start, end, label, span_id) for start, end, _, _, label, span_id in sorted(unique)]
        if self.span_group:
            doc.spans[self.key] = [Span(doc, start, end, label=label, span_id=span_id) for start, end, label, span_id in found]
        doc.user_data[REGISTRY_TUPLES_KEY] = found
        return doc

    def _match_keys(self) -> dict[int, tuple[int, int, str, str]]:
        """Return a table of (label hash, id hash, label, id) per match id, filled on first sight of each id.

        A match id is the hash of repr((label, id)) (SpanRuler.add_patterns),
        so an entry never goes stale when patterns are added or removed.
        """
        if "_keys" not in self.__dict__:
            self._keys = _MatchKeys(self)
        return self._keys


class _MatchKeys(dict):
    """Match id -> (label hash, id hash, label, id), looked up in the ruler's table when missing."""

    def __init__(self, ruler: SpanRuler) -> None:
        super().__init__()
        self.ruler = ruler

    def __missing__(self, m_id: int) -> tuple[int, int, str, str]:
        entry = self.ruler._match_label_id_map[m_id]
        label, span_id = entry["label"], entry["id"] or ""
        value = self[m_id] = (get_string_id(label), get_string_id(span_id) if span_id else 0, label, span_id)
        return value
