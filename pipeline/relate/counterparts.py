"""Counterparts a sentence gives only by reference, and whether a record is an engagement at all.

After ``Relater.attach`` has taken the parties the parse attaches to a
trigger, ``resolve_counterparts`` tries, in order: objects shared by
coordinated clauses, anaphors ("the Committee", "the two sides"), listed
groups ("the nuclear-weapon States"), the paragraph's previous engagement
("The fifth round of the dialogue ..."), pronoun subjects ("it", "they") and
demonyms ("Thai and Malaysian customs officers"). docs/DECISIONS.md gives the
rules.
"""
from __future__ import annotations

from dataclasses import dataclass
from collections.abc import Sequence
from typing import Any

from spacy.tokens import Doc, Span, Token

from ..fold import char_span, idx
from .anaphora import (add_coordinated_anaphor, add_subject_pair, continuing_subject, definite, demonym_parties, named_group, numbered_anaphor, paragraph_window, previous_subject,
                       pronoun_subject, resolve, subject_anaphor)
from .clauses import partner_slot, unit
from .parties import drop_co_actors, international
from .rules import Rules
from .shapes import as_member
from .syntax import governing_verb


@dataclass(frozen=True)
class SentenceView:
    """One sentence and what its engagements are resolved against (the paragraph before it, the document's mentions)."""

    text: str
    sent: dict[str, Any]
    span: Span
    doc: Doc
    offset: int
    before: Sequence[dict[str, Any]]  # the document's sentences before this one (a Prefix: not copied per sentence)
    by_sentence: dict[str, list[dict[str, Any]]]
    mentions: list[dict[str, Any]]  # this sentence's
    previous: dict[str, Any] | None  # the paragraph's latest engagement record
    elided: Token | None  # "round" standing for the previous activity
    by_id: dict[str, dict[str, Any]]
    first_country: dict[str, dict[str, Any]]
    names: dict[str, str]

    def anaphor(self, start: int, end: int) -> dict[str, Any]:
        """Return the anaphor record of the text between two offsets in the block's text."""
        return {"text": self.text[self.offset + start:self.offset + end], "start": self.offset + start, "end": self.offset + end}

    def carry(self, rec: dict[str, Any], anaphor: dict[str, Any], keep=lambda mention: True) -> None:
        """Give a record the counterparts of the paragraph's previous engagement."""
        for cm in self.previous["counterpart_mentions"]:
            if keep(self.by_id[cm["mention_id"]]):
                rec["counterparts"][cm["id"]] = (self.by_id[cm["mention_id"]], anaphor)


def resolve_counterparts(rec: dict[str, Any], activity: str, view: SentenceView, trigger_ids: set[int], rules: Rules) -> None:
    """Find the counterparts a sentence gives only by reference: shared objects, anaphors, groups, pronouns, demonyms."""
    text, sent, span, doc, offset, before, by_sentence = view.text, view.sent, view.span, view.doc, view.offset, view.before, view.by_sentence
    trigger, previous, actor = rec["triggers"][0], view.previous, rec.get("actor")
    numbered = numbered_anaphor(span, rules)  # once per record: several steps below ask for it
    anaphoric = numbered is not None or subject_anaphor(trigger, rules)
    drop_co_actors(rec, doc, offset, span, rules, numbered)
    audience = any(c.dep_ == "prep" and c.lower_ in rules.audience_preps and any(g.dep_ == "pobj" and g.pos_ == "NOUN" and g.i not in trigger_ids for g in c.children)
                   for t in rec["triggers"] for head in (t, governing_verb(t)) for c in head.children)
    if not rec["counterparts"] and not rec.get("unnamed") and not rec.get("bilateral") and not anaphoric and not audience:  # "seminars ... for partners along the Belt and Road"
        rec["counterparts"] = dict(rec["loose"])  # coordinated clauses share their object: "applied to join the MTCR ... and held five rounds of dialogue"
    if not rec["counterparts"] and not rec.get("unnamed"):
        for mention, anaphor in resolve(text, sent, span, before, by_sentence, rules, actor, view.names, activity, numbered=numbered):
            rec["counterparts"][mention["norm"]["id"]] = (mention, anaphor)
    if not rec["counterparts"] and not rec.get("unnamed"):
        for mention, anaphor in named_group(text, sent, span, before, by_sentence, rules, actor):
            rec["counterparts"][mention["norm"]["id"]] = (mention, anaphor)  # "with the nuclear-weapon States"
    if not rec["counterparts"] and not rec.get("unnamed") and not rec.get("bilateral") and anaphoric:
        rec["counterparts"] = dict(rec["loose"])
    elif rec["counterparts"]:
        add_coordinated_anaphor(rec, doc, offset, text, sent, span, before, by_sentence, rules, view.names, activity,
                                partner=lambda head: partner_slot(head, trigger, rules))  # "Jointly with the Organisation, the National Authority has run ..."
        add_subject_pair(rec, text, sent, span, before, by_sentence, rules, view.names, activity, numbered)
    if not rec["counterparts"] and previous is not None and previous["activity"] == activity and (the_event := definite(trigger)) is not None:
        view.carry(rec, view.anaphor(idx(the_event[0]), idx(the_event[-1]) + len(the_event[-1].text)))  # "The fifth round of the dialogue was held in Beijing"
    if not rec["counterparts"] and previous is not None and view.elided is not None and trigger.i == view.elided.i:
        view.carry(rec, view.anaphor(idx(view.elided), idx(view.elided) + len(view.elided.text)))  # "The latest round took place in Rzeszów"
    if not rec["counterparts"] and previous is not None and (subject := continuing_subject(trigger, rules)) is not None:
        # a treaty ratified before is no partner of a seminar
        view.carry(rec, view.anaphor(idx(subject), idx(subject) + len(subject.text)), lambda carried: carried["label"] in rules.labels or activity in rules.treaty_activities)
    if not rec["counterparts"] and before and (pronoun := pronoun_subject(trigger, rules)) is not None and (prior := before[-1])["parent_id"] == sent["parent_id"] \
            and (prior_span := char_span(doc, prior["start"] - offset, prior["end"] - offset, alignment_mode="expand")) is not None:
        for mention in previous_subject(text, prior, prior_span, before[:-1], by_sentence, rules, actor, view.names, activity):
            rec["counterparts"][mention["norm"]["id"]] = (mention, view.anaphor(idx(pronoun), idx(pronoun) + len(pronoun.text)))  # "the Agency has also sent ... it has trained ..."
    if activity not in rules.treaty_activities and activity not in rules.no_country_activities:
        # "Portuguese and Greek customs experts carried out three joint inspections"; with named partners, only
        # the national bodies partnered too ("five with the United Kingdom and four with the Australian Defence Force")
        for mention, anaphor in demonym_parties(trigger, text, rules, actor, view.first_country, view.mentions, bodies_only=bool(rec.get("unnamed") or rec["counterparts"])):
            rec["counterparts"].setdefault(mention["norm"]["id"], (mention, anaphor))
    if not rec["counterparts"] and (pair := numbered) is not None and pair[0] == 2 and pair[4] and _unnamed_body_near(view.mentions, before, sent, by_sentence, rules):
        rec["unnamed_partner"] = True  # "the two sides co-hosted two webinars" with AFCONE, a partner that has no id


def took_place_with_someone(rec: dict[str, Any], activity: str, rules: Rules) -> bool:
    """Return whether a record is an engagement: a named counterpart, or counted parties, or a counted international event."""
    counts_parties = rec["count"] is not None and unit(rec["count"]) in rules.party_units
    abroad = rec["count_rank"] == 0 and activity not in rules.needs_counterpart and (international(rec, rules) or rec.get("unnamed"))
    if activity in rules.treaty_only_activities:
        counts_parties = False  # "with 14 countries, ..., with which agreements were signed": countries signed no treaty
    if rec.get("bilateral") and not rec["counterparts"]:
        return False
    counted_group = counts_parties and rec["count_rank"] == 0 and as_member(rec["triggers"][0], rules)  # "is one of more than 25 participating states in the IPNDV" (not "for officials of 14 Forum members")
    return not (rec.get("third_parties") or (not rec["counterparts"] and not abroad and (not (rec.get("participants") or counted_group) or (activity in rules.needs_counterpart and not counts_parties))))


def _unnamed_body_near(ms: list[dict[str, Any]], previous: list[dict[str, Any]], sent: dict[str, Any], by_sentence: dict[str, list[dict[str, Any]]], rules: Rules) -> bool:
    """Return whether the sentence or the paragraph's preceding sentences name a body with no id (the likely other side)."""
    window = paragraph_window(previous, sent, rules)
    named = list(ms) + [m for s in window for m in by_sentence.get(s["id"], [])]
    return any(m["label"] == "ORG" and not m["norm"].get("id") for m in named)
