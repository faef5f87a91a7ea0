"""wpx_mentions: combine registry rules, pattern rules and the statistical NER
into the contract's mentions (doc.spans["wpx_mentions"]).

Policy (docs/DECISIONS.md, "Combination policy"):
1. Every candidate is trimmed: no leading article, possessive, quote or
   punctuation.
2. Rule candidates first, longest first, registry before other rules on
   ties. A candidate is dropped when it overlaps an accepted span of its own
   label, has exactly the span of an accepted one, or crosses one. Spans of
   different labels may nest (COUNTRY inside ORG or LAW), except that DATE
   and COUNT never overlap anything but each other's absence (a DATE may sit
   inside a label of [combine] date_hosts: a numbered law's title).
3. The statistical NER then contributes only spans that overlap no accepted
   span (except COUNTRY/PLACE spans they wholly contain): GPE becomes COUNTRY
   only when it resolves to an ISO code, else PLACE; NORP is never COUNTRY;
   a one-word ORG must look like an acronym; DATE spans without digits are
   relative dates (value null).
"""
from __future__ import annotations

from typing import Any, NamedTuple

import pycountry
from spacy.language import Language
from spacy.tokens import Doc, Span

from spacy.attrs import ORTH

from .base import BLOCK_KIND_KEY, META_KEY, REGISTRY_KEY, TOKEN_ATTRS_KEY, SettingsComponent, candidates, meta_key_at, more_name_follows, registry_spans, token_column

MENTIONS_KEY = "wpx_mentions"
MENTION_ROWS_KEY = "wpx_mention_rows"  # user_data: the same mentions as (start, end, label, rule, norm) rows, read without Span objects
RULE_TIERS = {"registry": 0, "acronyms": 0, "resolutions": 1, "designations": 1, "names": 2, "seats": 2, "counts": 3, "dates": 4}
EXCLUSIVE = frozenset({"DATE", "COUNT"})
NESTABLE_IN_NER = frozenset({"COUNTRY"})
POSSESSIVE_ENDINGS = ("'s", "’s", "'")  # tokens trimmed off a mention's end, like its punctuation


@Language.factory("wpx_mentions")
def make_mentions(nlp: Language, name: str) -> MentionCombiner:
    return MentionCombiner(nlp, name)


class Candidate(NamedTuple):
    """A mention candidate (a NamedTuple: made tens of thousands of times per corpus, so it must be cheap)."""

    start: int
    end: int
    label: str
    rule: str
    norm: dict[str, Any] | None

    @property
    def size(self) -> int:
        return self.end - self.start


class MentionCombiner(SettingsComponent):
    """Resolve candidates into one set of mentions with normalizations."""

    def _prepare(self) -> None:
        s = self.settings
        self.leading = frozenset(s.get("trim", {}).get("leading_lower", ()))
        self.punct = set(s.get("trim", {}).get("punctuation", ""))
        self._trim_memo: dict[int, tuple[bool, bool]] = {}  # string id -> (trimmed at a start, trimmed at an end)
        self.ner_map: dict[str, str] = s.get("ner", {}).get("map", {})
        self.acronym_len = (s.get("ner", {}).get("acronym_min_len", 2), s.get("ner", {}).get("acronym_max_len", 8))
        self.not_acronyms = frozenset(s.get("ner", {}).get("not_acronyms", ()))
        self.not_place_heads = frozenset(s.get("ner", {}).get("not_place_heads", ()))
        self.region_event_heads = frozenset(s.get("region_event_heads", ()))
        self.region_adjective_nouns = frozenset(s.get("region_adjective_nouns", ()))
        self.water_bodies = frozenset(s.get("water_bodies", ()))
        self.final_heads = frozenset(s.get("names", {}).get("final_heads", ()))
        self.coordinators = frozenset(s.get("names", {}).get("coordinators", ()))
        self.law_not_first = frozenset(s.get("ner", {}).get("law_not_first", ()))
        self.not_a_name = frozenset(s.get("names", {}).get("not_a_name", ()))
        self.countries: dict[str, str] = s.get("countries", {})
        self.countries_lower = {k.lower(): v for k, v in self.countries.items()}
        self.demonyms = frozenset(s.get("demonyms", ()))
        self.places: dict[str, str] = s.get("places", {})
        self.places_lower = {k.lower(): v for k, v in self.places.items()}
        self.place_suffixes = tuple(s.get("place_suffixes", ()))
        self.city_suffixes = frozenset(s.get("city_suffixes", ()))
        self.city_types = frozenset(s.get("city_types", ()))
        self.law_heads = frozenset(s.get("names", {}).get("law_heads", ()))
        self.ner_rule = s.get("ner_name", "ner")
        self.no_nesting_inside = frozenset(s.get("combine", {}).get("no_nesting_inside", ()))
        self.never_nested = frozenset(s.get("combine", {}).get("never_nested", ()))
        self.date_hosts = frozenset(s.get("combine", {}).get("date_hosts", ()))
        self.registry_hosts = frozenset((outer, inner) for outer, inners in s.get("combine", {}).get("registry_hosts", {}).items() for inner in inners)
        self.skip_blocks = frozenset(s.get("ner", {}).get("skip_blocks", ()))
        self.org_heads = frozenset(s.get("names", {}).get("org_heads", ()))
        self.not_bodies = frozenset(s.get("names", {}).get("not_bodies", ()))
        self.facility_endings = tuple(" " + noun.lower() for noun in s.get("facility_nouns", ()))
        self.calendar_words = frozenset(word.lower() for word in s.get("calendar_words", ()))

    def __call__(self, doc: Doc) -> Doc:
        rule_candidates = self._rule_candidates(doc)
        ner = [] if doc.user_data.get(BLOCK_KIND_KEY) in self.skip_blocks else self._ner_candidates(doc)
        taken = _Accepted(len(rule_candidates) + len(ner) > _INDEX_FROM)
        nesting, never, hosts, registry_hosts = self.no_nesting_inside, self.never_nested, self.date_hosts, self.registry_hosts
        for cand in sorted(rule_candidates, key=lambda c: (-c.size, RULE_TIERS.get(c.rule, 9), c.start, c.label)):
            if not any(_conflict(cand, o, nesting, never, hosts, registry_hosts) for o in taken.overlapping(cand)):
                taken.add(cand)
        for cand in sorted(ner, key=lambda c: (-c.size, c.start)):
            if not any(_ner_conflict(cand, other) for other in taken.overlapping(cand)):
                taken.add(cand)
        accepted = taken.all
        waters = [c for c in accepted if c.label == "PLACE" and c.end - c.start > 2 and doc[c.start].text in self.water_bodies and doc[c.start + 1].lower_ == "of"]
        if waters:
            accepted = [c for c in accepted if not (c.label == "COUNTRY" and any(_inside(c, w) for w in waters))]  # "the Gulf of Guinea": a sea, no country
        rows = [(c.start, c.end, c.label, c.rule, c.norm) for c in sorted(accepted, key=lambda c: (c.start, c.end, c.label))]
        doc.user_data[MENTION_ROWS_KEY] = rows
        doc.user_data.pop(TOKEN_ATTRS_KEY, None)  # the rules' shared token columns: a cache, not a result
        if self.span_groups:
            meta = doc.user_data.setdefault(META_KEY, {})
            for start, end, label, rule, norm in rows:
                meta[meta_key_at(start, end, label)] = {"start": start, "end": end, "label": label, "rule": rule, "norm": norm}  # set_meta, without reading a span back
            doc.spans[MENTIONS_KEY] = [Span(doc, start, end, label=label) for start, end, label, _, _ in rows]
        return doc

    # -- candidates -----------------------------------------------------------------

    def _trim(self, doc: Doc, orths: list[int], start: int, end: int) -> tuple[int, int]:
        """Drop leading articles and punctuation, trailing possessives and punctuation (by string id: no Token objects)."""
        memo = self._trim_memo
        while start < end and (memo.get(orths[start]) or self._learn(orths[start], doc))[0]:
            start += 1
        while end > start and (memo.get(orths[end - 1]) or self._learn(orths[end - 1], doc))[1]:
            end -= 1
        return start, end

    def _learn(self, orth: int, doc: Doc) -> tuple[bool, bool]:
        """Remember whether a token text is trimmed at a mention's start and at its end (per string id)."""
        text = doc.vocab.strings[orth]
        punct = _all_in(text, self.punct)
        found = self._trim_memo[orth] = (punct or text.lower() in self.leading, punct or text in POSSESSIVE_ENDINGS)
        return found

    def _rule_candidates(self, doc: Doc) -> list[Candidate]:
        registry, found = registry_spans(doc), candidates(doc)
        if not registry and not found:
            return []
        orths = token_column(doc, ORTH)
        out = []
        for start, end, label, span_id in registry:
            start, end = self._trim(doc, orths, start, end)
            if label == "PLACE" and not span_id and end < len(doc) and (doc[end].text in self.region_event_heads or doc[end].text in self.region_adjective_nouns):
                continue  # "the China-Central Asia Summit": an event's name; "Pacific island countries": a description; not places
            if start < end:
                out.append(Candidate(start, end, label, "registry", {"id": span_id or None}))
        for start, end, label, meta in found:
            start, end = self._trim(doc, orths, start, end)
            if label == "ORG" and self.not_bodies and doc[start:end].text in self.not_bodies:
                continue  # "an International Physical Protection Advisory Service mission": a review service, no body
            if start < end:
                norm = meta["norm"] if meta["norm"] is not None else {"id": None}
                out.append(Candidate(start, end, label, meta["rule"] or "rules", norm))
        return out

    def _ner_candidates(self, doc: Doc) -> list[Candidate]:
        out: list[Candidate] = []
        ents = doc.ents
        if not ents:
            return out
        orths = token_column(doc, ORTH)
        for ent in ents:
            label = self.ner_map.get(ent.label_)
            if label is None:
                continue
            start, end = self._trim(doc, orths, ent.start, ent.end)
            if start >= end:
                continue
            text = doc[start:end].text
            if label == "PLACE":
                code = self.countries.get(text) or self.countries_lower.get(text.lower())
                if code and ent.label_ == "GPE":
                    out.append(Candidate(start, end, "COUNTRY", self.ner_rule, {"id": code}))
                    continue
                if end < len(doc) and doc[end].text[:1].isupper() and doc[end].is_alpha:
                    continue  # "States Parties": part of a longer capitalized phrase
                if not text[:1].isupper():
                    continue  # "has not yet taken place³": a place's name is capitalized
                if end - start == 1 and (text in self.not_a_name or self._acronym(text) or text.isupper()):
                    continue  # "METI", "SCOMET": acronyms are not places
                if text in self.demonyms or doc[end - 1].text in self.not_place_heads:
                    continue  # "their Slovak colleagues", "the India-US Strategic Trade Dialogue": no places
                if end - start > 2 and doc[start].text in self.org_heads and doc[start + 1].lower_ == "of":
                    continue  # "the Point of Contact": a body's head word and its complement, not a place ("Gulf of Aden" is one)
                if (doc[end - 1].text in self.region_adjective_nouns and doc[end - 1].text.islower()) or (end < len(doc) and doc[end].text in self.region_adjective_nouns):
                    continue  # "Pacific island (countries)", "a Pacific regional workshop", "the Central Asia countries": a description, not a place
                if " ".join(text.lower().split()).endswith(self.facility_endings):
                    continue  # "Changi Airport", "Shuwaikh Port": the place is the name before the noun, which the facility rule reads
                out.append(Candidate(start, end, "PLACE", self.ner_rule, {"id": self._place_id(text)}))
            elif label == "DATE":
                if not any(ch.isdigit() for ch in text) and not self._named_inside(doc, start, end):
                    out.append(Candidate(start, end, "DATE", self.ner_rule, {"value": None}))
            elif label in ("ORG", "LAW"):
                if end - start == 1 and not self._acronym(text):
                    continue
                if label == "LAW" and (doc[start].text in self.law_not_first or not any(t.text in self.law_heads for t in doc[start:end])):
                    continue  # "Article 23", "Joint Declaration on ...": not a law's title
                if label == "ORG" and end - start > 1 and doc[end - 1].text not in self.org_heads:
                    continue
                if label == "ORG" and doc[end - 1].text in self.final_heads and more_name_follows(doc, end - 1, self.coordinators):
                    continue  # "Nuclear Command, Control and Communications": a head only at a name's end ([names] final_heads)
                if label == "ORG" and text in self.not_bodies:
                    continue  # a review service ([names] not_bodies)
                if any(t.is_space for t in doc[start:end]):
                    continue
                if start > 0 and doc[start - 1].text in ("'s", "’s"):
                    continue  # "China's Export Controls": a possessed thing, not an organization
                out.append(Candidate(start, end, label, self.ner_rule, {"id": None}))
        return out

    def _named_inside(self, doc: Doc, start: int, end: int) -> bool:
        """Return whether a relative date holds a capitalized word that is no month or weekday and starts no sentence ("the Jaber and Omari border crossings")."""
        return any(token.text[:1].isupper() and token.text.lower() not in self.calendar_words and not token.is_sent_start for token in doc[start:end])

    def _place_id(self, text: str) -> str | None:
        """Return the ISO 3166-2 code of a place name, also without a generic suffix ("Jilin Province")."""
        for suffix, name in ((None, text), *((x, text.removesuffix(x)) for x in self.place_suffixes if text.endswith(x))):
            code = self.places.get(name) or self.places_lower.get(name.lower())
            if code and suffix in self.city_suffixes and _subdivision_type(code) not in self.city_types:
                continue  # "Quezon City" is a city, not the province of Quezon
            if code:
                return code
        return None

    def _acronym(self, text: str) -> bool:
        low, high = self.acronym_len
        letters = text.replace(".", "").replace("&", "")
        return low <= len(letters) <= high and letters.isalpha() and letters.isupper() and text not in self.not_acronyms


def _all_in(text: str, chars: set[str]) -> bool:
    return bool(text) and all(ch in chars for ch in text)


def _overlap(a: Candidate, b: Candidate) -> bool:
    return a.start < b.end and b.start < a.end


def _nested(a: Candidate, b: Candidate) -> bool:
    return (a.start <= b.start and b.end <= a.end) or (b.start <= a.start and a.end <= b.end)


def _inside(inner: Candidate, outer: Candidate) -> bool:
    return outer.start <= inner.start and inner.end <= outer.end


_INDEX_FROM = 64  # candidates in a block beyond which accepted mentions are looked up by token, not scanned (a list of short lines of names)


class _Accepted:
    """The mentions accepted so far in a block, and those a candidate overlaps.

    Both conflict tests hold only for overlapping spans, so only those need
    testing. A block's few candidates are scanned (cheapest); a block dense
    with names (a 200 KB paragraph of short lines "China met Japan") looks
    them up by token: scanning them all made it quadratic (58 s).
    """

    def __init__(self, indexed: bool) -> None:
        self.all: list[Candidate] = []
        self.by_token: dict[int, list[Candidate]] | None = {} if indexed else None

    def add(self, cand: Candidate) -> None:
        self.all.append(cand)
        if self.by_token is not None:
            for k in range(cand.start, cand.end):
                self.by_token.setdefault(k, []).append(cand)

    def overlapping(self, cand: Candidate) -> list[Candidate]:
        start, end = cand.start, cand.end
        if self.by_token is None:
            return [o for o in self.all if o.start < end and start < o.end]
        found: dict[int, Candidate] = {}
        for k in range(start, end):
            for o in self.by_token.get(k, ()):
                found[id(o)] = o
        return list(found.values())


def _conflict(cand: Candidate, other: Candidate, no_nesting_inside: frozenset[str] = frozenset(), never_nested: frozenset[str] = frozenset(),
              date_hosts: frozenset[str] = frozenset(), registry_hosts: frozenset[tuple[str, str]] = frozenset()) -> bool:
    """Return whether ``cand`` may not join the accepted ``other`` (see the module's policy).

    ``registry_hosts`` holds (outer, inner) label pairs a registry name lets nest although it swallows the rest.
    """
    if not _overlap(cand, other):
        return False
    if cand.label == other.label or (cand.start, cand.end) == (other.start, other.end):
        return True
    if not _nested(cand, other):
        return True  # crossing spans
    inner, outer = (cand, other) if _inside(cand, other) else (other, cand)
    if inner.label == "DATE" and outer.label in date_hosts:
        return False  # "Law No. 5 of 2003 on ...": a law's title may hold its date
    if inner.label in EXCLUSIVE or outer.label in EXCLUSIVE and inner.label in EXCLUSIVE:
        return True  # a date or count is never part of a name; a count may hold one ("27 EU member states")
    if outer.rule == "registry" and outer.label in no_nesting_inside:
        return (outer.label, inner.label) not in registry_hosts or inner.rule != "registry"  # "Australia" in "Australia Group"; not a treaty in its body's name
    return inner.label in never_nested


def _ner_conflict(cand: Candidate, other: Candidate) -> bool:
    if not _overlap(cand, other):
        return False
    contains = _inside(other, cand) and (cand.start, cand.end) != (other.start, other.end)
    return not (contains and other.label in NESTABLE_IN_NER and cand.label not in EXCLUSIVE)


def _subdivision_type(code: str) -> str | None:
    """Return the pycountry type of an ISO 3166-2 code ("Province", "Municipality", ...)."""
    sub = pycountry.subdivisions.get(code=code)
    return sub.type if sub else None
