"""Find the engagements of one document (who engaged with whom, how, how often, when, where).

Works per sentence on the dependency parse and the mentions: a trigger
lemma (configs/relations.toml) gives the activity; counterparts, dates and
places attach to a trigger when their governing verb is the trigger's or
below it (a fronted "Since ..." phrase applies to the whole sentence);
aligned lists ("in Qingdao, Xi'an and Xiamen in 2015, 2017 and 2019") pair
place i with date i in ``occasions`` when their lengths match; the count is
the one counting the events ("five rounds of dialogue", "three training
sessions"), else the one counting participants ("more than ten
countries"). docs/DECISIONS.md lists every rule. Anaphors ("the two
sides", "the Committee") resolve to the entity named in the preceding
sentences of the same paragraph. Negated, intended or merely supported
activities are skipped.
"""
from __future__ import annotations

import bisect
import re
from collections import Counter, defaultdict
from typing import Any

import pycountry
from spacy.tokens import Doc, Token

from ..normalize.numbers import parse_number
from ..records import SCHEMA_VERSION, record_id
from .rules import Rules
from ..normalize.text import quoted_ranges
from .syntax import governing_verb, governs, prev_lower, token_at


class Relater:
    """Find engagements in one document."""

    def __init__(self, rules: Rules) -> None:
        self.rules = rules

    def _attached(self, trigger: Token, target: Token) -> bool:
        verb = governing_verb(target)
        if verb.dep_ == "ROOT" and target.i < verb.i and not any(t.dep_ == "nsubj" and t.i < target.i for t in verb.children) and not _own_clause(trigger):
            return True  # a fronted adverbial ("Since its accession ... in 2004, China ...") times the sentence, not a coordinated clause with its own subject
        return governs(governing_verb(trigger), verb) or governs(trigger, target)

    def _blocked(self, trigger: Token) -> bool:
        """Return whether the trigger did not take place: negated, intended, supported, suspended ..."""
        if any(c.dep_ == "amod" and c.lemma_.lower() in self.rules.blockers for c in trigger.children):
            return True  # "a planned course", "the proposed dialogue"
        if any(c.dep_ == "xcomp" and c.lemma_.lower() in self.rules.blockers for c in governing_verb(trigger).children):
            return True  # "A course ... had to be cancelled"
        node = trigger
        for _ in range(8):
            for child in node.children:
                if child.lower_ in self.rules.negations or (child.dep_ in ("aux", "neg", "det") and child.lemma_.lower() in self.rules.blockers | self.rules.negations):
                    return True
                if child.dep_ in ("nsubj", "nsubjpass") and any(t.lower_ in self.rules.negations and t.dep_ in ("preconj", "det", "neg") for t in child.subtree):
                    return True  # "Neither Argentina nor Brazil has concluded ..."
            if node.lemma_.lower() in self.rules.blockers and node.i != trigger.i:
                return True
            if node.head.i == node.i or _across_semicolon(node):
                return False  # "Mexico joined the NSG ...; it is not a member of the MTCR": the negation is another clause's
            node = node.head
        return False

    def triggers(self, sent, inside: list[tuple[int, int]]) -> list[tuple[Token, str]]:
        found = []
        for token in sent:
            activity = self.rules.trigger_activity.get(token.lemma_.lower()) or self.rules.trigger_activity.get(token.lower_)
            if activity is None and token.tag_ == "NNPS" and token.dep_ in ("dobj", "nsubjpass"):
                activity = self.rules.trigger_activity.get(token.lower_.removesuffix("s"))  # "Practical Arrangements": a plural name the lemmatizer keeps
            if activity is None or any(s <= token.idx < e for s, e in inside):
                continue
            if token.pos_ not in ("NOUN", "VERB", "PROPN"):
                continue
            if token.dep_ == "compound" and token.lemma_.lower() in self.rules.not_as_compound and token.head.dep_ != "attr":
                continue  # "other member states" (but "Nigeria has been a Member State of the IAEA")
            if token.dep_ == "compound" and token.head.lemma_.lower() in self.rules.non_event_heads:
                continue  # "the verification regime of the Treaty": a thing, not an event
            if token.text[:1].isupper() and token.i > sent.start and prev_lower(token) == "the":
                continue  # "when the Arrangement was founded": a name's short form, not an event
            if governing_verb(token).lemma_ == "be" and activity not in self.rules.copula_activities:
                continue  # "The ARF is the main platform for security dialogue": a description
            if token.dep_ == "pobj" and token.head.lower_ in self.rules.not_event_preps:
                continue  # "among the five permanent members": a group, not an event
            if token.lemma_.lower() in self.rules.object_blocked and any((c.dep_ == "dobj" and token.pos_ == "VERB") or (c.dep_ == "prep" and c.lower_ == "of" and token.pos_ == "NOUN") for c in token.children):
                continue  # "applies the control lists", "the application of safeguards": not an application to join
            if activity in self.rules.copula_activities and token.dep_ == "dobj" and token.head.lemma_ == "have":
                continue  # "Today the Committee has 39 members": the group's size, not the actor's membership
            if token.lemma_.lower() in self.rules.needs_of and not any(c.dep_ == "prep" and c.lower_ == "of" for c in token.children):
                continue  # "agreements with 31 partners": no membership without "partner of"
            if token.pos_ in ("NOUN", "PROPN") and _under_frame(token, self.rules):
                continue  # "under Article 13 of the Quadripartite Agreement": a frame, not an event
            if token.dep_ == "pobj" and (any(child.ent_type_ == "ORDINAL" for child in token.children) or (token.head.lower_ == "of" and token.head.head.lemma_.lower() not in self.rules.ellipsis_nouns and any(child.ent_type_ == "ORDINAL" for child in token.head.head.children))):
                continue  # "after the 50th ratification": an event counted among others', not the actor's
            lead = _first_conjunct(token)  # "towards research and training": "training" shares "research"'s role
            if token.pos_ in ("NOUN", "VERB") and lead.head.lower_ in self.rules.topic_preps and lead.dep_ in ("pobj", "pcomp") and lead.head.head.pos_ in ("NOUN", "VERB") and lead.head.head.lemma_.lower() not in self.rules.trigger_activity and lead.head.lower_ != "of" and not _reported(token):
                continue  # "focusing on China's accession": a topic, not an event
            if self._blocked(token):
                continue
            found.append((token, activity))
        keep = []
        by_token = {t.i: a for t, a in found}
        for token, activity in found:
            if activity in self.rules.copula_activities and activity != "accession" and "accession" in by_token.values() and any(t.ent_type_ == "ORDINAL" for c in token.children for t in c.subtree):
                continue  # "joined the WA ..., becoming their 42nd member": the rank of the accession just told
            if token.pos_ == "VERB" and any(c.dep_ == "dobj" and c.i in by_token for c in token.children):
                continue  # "signed bilateral agreements": the object names the activity
            if token.dep_ == "xcomp" and token.head.i in by_token:
                continue  # "applied to join": the governing trigger names the activity
            if any(child.dep_ == "compound" and child.i in by_token for child in token.children):
                continue  # "38 training workshops": the modifier names the activity
            if token.dep_ == "pobj" and token.head.dep_ == "prep" and by_token.get(token.head.head.i) in self.rules.topic_governors:
                continue  # "applied for membership", "consultations on India's membership": the topic of another activity
            keep.append((token, activity))
        return keep


    def prepare(self, mentions: list[dict[str, Any]], doc: Doc, offset: int) -> list[tuple[dict[str, Any], Token, Token, bool]]:
        """Locate each mention of a sentence in the parse once: (mention, first token, syntactic head, blocked)."""
        prepared = []
        for m in mentions:
            tok = token_at(doc, offset, m["start"])
            if tok is None:
                continue
            span = doc.char_span(m["start"] - offset, m["end"] - offset, alignment_mode="expand")
            root = span.root if span is not None and len(span) else tok
            prepared.append((m, tok, root, self._blocked(tok)))
        return prepared

    def attach(self, rec: dict[str, Any], trigger: Token, activity: str, prepared: list[tuple[dict[str, Any], Token, Token, bool]], doc: Doc, offset: int, triggers: list[Token]) -> None:
        """Add the counterparts, dates, places and count of ``trigger`` to its engagement record.

        Counterparts of any trigger of the sentence go to rec["loose"], the
        fallback when none attaches to the trigger itself ("applied to join
        the MTCR ... and held five rounds of dialogue"); a party in a clause
        with no trigger ("and sent experts to Laos") is never shared.
        """
        rules, actor = self.rules, rec["actor"]
        agencies = [(m["start"], m["end"]) for m, _, _, _ in prepared if m["label"] == "ORG" and not m["norm"].get("id")]
        for m, tok, root, blocked in prepared:
            label, norm = m["label"], m["norm"]
            eligible = label == "TREATY" if activity in rules.treaty_only_activities else label in rules.labels or (label == "TREATY" and activity in rules.treaty_activities)
            if label == "COUNTRY" and activity in rules.no_country_activities:
                eligible = False
            agency = label == "COUNTRY" and (any(s <= m["start"] and m["end"] <= e for s, e in agencies)  # "the United States Department of Energy" acts for the US
                                             or (root.dep_ == "poss" and any(s <= offset + root.head.idx < e for s, e in agencies)))  # so does "Japan's Nuclear Regulation Authority"
            framed = (not agency and _framework(root, rules)) or (activity not in rules.compound_counterpart_activities and (last := token_at(doc, offset, m["end"] - 1)) is not None and _premodifies(last, trigger) and not _hyphen_pair(last))
            origin = _from_phrase(root, rules) and not _in_subject_of(root, trigger)  # "with funding from the EU" (but "officials from Cambodia" are trained)
            candidate = eligible and norm.get("id") != actor and not framed and not origin and not _topic(root, rules)
            party = candidate and bool(norm.get("id"))
            if party and not blocked and _clause_has_trigger(tok, triggers):
                rec["loose"].setdefault(norm["id"], (m, None))
            if not (self._attached(trigger, tok) or (label == "COUNT" and _clause_on(trigger, tok))):
                continue
            if party:
                rec["counterparts"].setdefault(norm["id"], (m, None))
            elif candidate and _partner_slot(root, trigger):
                rec["unnamed"] = True  # "signed the ICSANT": a party with no id, so no other clause's party stands in
            elif label == "DATE" and norm.get("value"):
                rec["dates"].setdefault(m["start"], (norm["value"], m))
            elif label == "PLACE":
                if not _origin(root, trigger, rules):
                    rec["places"].setdefault(m["start"], (m["text"], norm.get("id"), m))
                elif _from_phrase(root):
                    rec["participants_from_abroad"] = True  # "for young diplomats from Latin America and the Caribbean"
            elif label == "COUNT":
                if _two_party_anaphor(doc, offset, m):
                    continue  # "the two sides held ...": says "both", not how many
                rank = _count_rank(doc, offset, m, trigger, rules)
                if rank < rec["count_rank"]:
                    rec["count"], rec["count_rank"] = m, rank
                if rank in (1, 2):
                    rec["participants"] = True


def relate_document(document: dict[str, Any], segments: list[dict[str, Any]], mentions: list[dict[str, Any]], docs: list[Doc], rules: Rules, names: dict[str, str] | None = None) -> list[dict[str, Any]]:
    """Return the engagement records of one document."""
    relater = Relater(rules)
    text, doc_id = document["text"], document["doc_id"]
    names = names or rules.entity_names
    default_actor = _document_actor(document, segments, mentions, rules)
    sentences = sorted((s for s in segments if s["kind"] == "sentence"), key=lambda s: s["start"])
    by_sentence: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for m in mentions:
        if m.get("sentence_id"):
            by_sentence[m["sentence_id"]].append(m)
    offsets = [d.user_data["wpx_offset"] for d in docs]
    by_id = {m["id"]: m for m in mentions}
    last: dict[str, dict[str, Any]] = {}  # paragraph id -> its latest engagement record
    records = []
    for index, sent in enumerate(sentences):
        pos = bisect.bisect_right(offsets, sent["start"]) - 1
        if pos < 0:
            continue
        doc, offset = docs[pos], offsets[pos]
        span = doc.char_span(sent["start"] - offset, sent["end"] - offset, alignment_mode="expand")
        if span is None:
            continue
        ms = by_sentence.get(sent["id"], [])
        quoted = quoted_ranges(text, sent["start"], sent["end"])
        # Trigger words inside names are no triggers, except a treaty name's last word: "signed the Guadalajara Agreement" is an agreement still,
        # but "Training" in "the ... Agreement for Research, Development and Training Related to Nuclear Science" is none.
        inside = [(m["start"] - offset, m["end"] - offset - (len(m["text"].split()[-1]) if m["label"] == "TREATY" else 0)) for m in ms if m["label"] not in ("COUNT", "DATE")]
        grouped: dict[str, dict[str, Any]] = {}
        found = relater.triggers(span, inside)
        previous = last.get(sent["parent_id"])
        if not found and previous is not None and (elided := _ellipsis(span, rules)) is not None:
            found = [(elided, previous["activity"])]  # "The two sides held its seventh round in Tokyo"
        prepared = relater.prepare([m for m in ms if not any(s <= m["start"] < e for s, e in quoted)], doc, offset) if found else []
        for trigger, activity in found:
            rec = grouped.setdefault(activity, {"triggers": [], "counterparts": {}, "loose": {}, "count": None, "count_rank": 9, "dates": {}, "places": {}, "actor": default_actor})
            rec["triggers"].append(trigger)
            if activity in rules.treaty_activities and (pronoun := _object_pronoun(trigger)) is not None:
                treaty = _nearest_treaty_before(ms, offset + pronoun.idx)
                if treaty is not None:  # "signed the TPNW ... and ratified it"
                    rec["counterparts"].setdefault(treaty["norm"]["id"], (treaty, {"text": pronoun.text, "start": offset + pronoun.idx, "end": offset + pronoun.idx + len(pronoun.text)}))
            if _third_parties(doc, offset, trigger, ms, default_actor):
                rec["third_parties"] = True  # "Kyrgyzstan, Tajikistan ... signed it": not the actor's engagement
            relater.attach(rec, trigger, activity, prepared, doc, offset, [t for t, _ in found])
        for activity, rec in sorted(grouped.items()):
            anaphoric = _numbered_anaphor(span, rules) is not None or _subject_anaphor(rec["triggers"][0], rules)
            _drop_co_actors(rec, doc, offset, span, rules)
            if not rec["counterparts"] and not rec.get("unnamed") and not anaphoric:
                rec["counterparts"] = dict(rec["loose"])  # coordinated clauses share their object: "applied to join the MTCR ... and held five rounds of dialogue"
            if not rec["counterparts"] and not rec.get("unnamed"):
                for mention, anaphor in _resolve(text, sent, span, sentences[:index], by_sentence, rules, rec.get("actor"), names or {}, activity):
                    rec["counterparts"][mention["norm"]["id"]] = (mention, anaphor)
            if not rec["counterparts"] and not rec.get("unnamed") and anaphoric:
                rec["counterparts"] = dict(rec["loose"])
            elif rec["counterparts"]:
                _add_coordinated_anaphor(rec, doc, offset, text, sent, span, sentences[:index], by_sentence, rules, names or {}, activity)
                _add_subject_pair(rec, text, sent, span, sentences[:index], by_sentence, rules, names or {}, activity)
            if not rec["counterparts"] and previous is not None and previous["activity"] == activity and (definite := _definite(rec["triggers"][0])) is not None:
                anaphor = {"text": definite.text, "start": offset + definite.start_char, "end": offset + definite.end_char}
                for cm in previous["counterpart_mentions"]:
                    rec["counterparts"][cm["id"]] = (by_id[cm["mention_id"]], anaphor)  # "The fifth round of the dialogue was held in Beijing"
            if not rec["counterparts"] and previous is not None and (subject := _continuing_subject(rec["triggers"][0], rules)) is not None:
                anaphor = {"text": subject.text, "start": offset + subject.idx, "end": offset + subject.idx + len(subject.text)}
                for cm in previous["counterpart_mentions"]:
                    rec["counterparts"][cm["id"]] = (by_id[cm["mention_id"]], anaphor)
            counts_parties = rec["count"] is not None and _unit(rec["count"]) in rules.party_units
            international = rec["count_rank"] == 0 and activity not in rules.needs_counterpart and _international(rec, rules)
            if rec.get("third_parties") or (not rec["counterparts"] and not international and (not rec.get("participants") or (activity in rules.needs_counterpart and not counts_parties))):
                continue  # with no named counterpart, only counted parties or counted international events make it an engagement
            records.append(_record(doc_id, text, sent, activity, rec, rules))
            last[sent["parent_id"]] = records[-1]
    return records


def _object_pronoun(trigger: Token) -> Token | None:
    """Return the "it" a verb trigger takes as its object ("ratified it")."""
    if trigger.pos_ != "VERB":
        return None
    return next((c for c in trigger.children if c.dep_ == "dobj" and c.lower_ == "it"), None)


def _nearest_treaty_before(mentions: list[dict[str, Any]], char: int) -> dict[str, Any] | None:
    """Return the last treaty with an id named before ``char`` in the sentence."""
    before = [m for m in mentions if m["label"] == "TREATY" and m["norm"].get("id") and m["end"] <= char]
    return max(before, key=lambda m: m["start"]) if before else None


def _add_coordinated_anaphor(rec: dict[str, Any], doc: Doc, offset: int, text: str, sent: dict[str, Any], span, previous: list[dict[str, Any]],
                             by_sentence: dict[str, list[dict[str, Any]]], rules: Rules, names: dict[str, str], activity: str) -> None:
    """Add the antecedent of an anaphor coordinated with a named counterpart ("by Kazakhstan, Uzbekistan and the Agency")."""
    roots = {tok.head.i if tok.dep_ == "compound" else tok.i for m, _ in rec["counterparts"].values() if (tok := token_at(doc, offset, m["end"] - 1)) is not None}
    for mention, anaphor in _resolve(text, sent, span, previous, by_sentence, rules, rec.get("actor"), names, activity, groups=False):
        head = token_at(doc, offset, anaphor["end"] - 1)
        if head is None or mention["norm"]["id"] in rec["counterparts"]:
            continue
        group = _conjuncts(head)
        if len(group) > 1 and group & roots:
            rec["counterparts"][mention["norm"]["id"]] = (mention, anaphor)


def _first_conjunct(token: Token) -> Token:
    """Return the first of the conjuncts ``token`` is coordinated with (itself when none)."""
    while token.dep_ == "conj" and token.head.i != token.i:
        token = token.head
    return token


def _add_subject_pair(rec: dict[str, Any], text: str, sent: dict[str, Any], span, previous: list[dict[str, Any]],
                      by_sentence: dict[str, list[dict[str, Any]]], rules: Rules, names: dict[str, str], activity: str) -> None:
    """Add the actor's partner named by a subject "the two X" when the sentence names other counterparts too.

    "the two commissions also trained more than 60 ... officials from Bolivia, Paraguay and Uruguay":
    the other commission's country is a counterpart besides the trainees'.
    """
    numbered = _numbered_anaphor(span, rules)
    if numbered is None or numbered[0] != 2 or not numbered[4]:
        return
    for mention, anaphor in _resolve(text, sent, span, previous, by_sentence, rules, rec.get("actor"), names, activity):
        if anaphor["start"] == numbered[2]:
            rec["counterparts"].setdefault(mention["norm"]["id"], (mention, anaphor))


def _conjuncts(token: Token) -> set[int]:
    """Return the indices of every conjunct coordinated with ``token`` ("Kazakhstan, Uzbekistan and the Agency")."""
    first = token
    while first.dep_ == "conj" and first.head.i != first.i:
        first = first.head
    found, stack = {first.i}, [first]
    while stack:
        for child in stack.pop().children:
            if child.dep_ == "conj":
                found.add(child.i)
                stack.append(child)
    return found


def _subject_anaphor(trigger: Token, rules: Rules) -> bool:
    """Return whether the trigger's subject is an anaphor phrase ("the Agency has carried out ...")."""
    for child in governing_verb(trigger).children:
        if child.dep_ in ("nsubj", "nsubjpass"):
            words = " ".join(t.lower_ for t in child.subtree)
            if any(words == phrase or words.startswith(phrase + " ") for phrase in rules.anaphora):
                return True
    return False


def _drop_co_actors(rec: dict[str, Any], doc: Doc, offset: int, span, rules: Rules) -> None:
    """Drop subject parties when the trigger names its partners after "with": the subject acts with the actor.

    "ASEAN held five rounds of consultation with the five nuclear-weapon States": ASEAN is on the
    actor's side; the partners are the five States (named, or resolved from the anaphor).
    """
    trigger = rec["triggers"][0]
    verb = governing_verb(trigger)
    partners = {t.i for head in (trigger, verb) for child in head.children if child.dep_ == "prep" and child.lower_ == "with" for t in child.subtree}
    if not partners:
        return
    subject = {t.i for child in verb.children if child.dep_ in ("nsubj", "nsubjpass") for t in child.subtree if t.i < verb.i}
    numbered = _numbered_anaphor(span, rules)
    at = token_at(doc, offset, numbered[2]) if numbered else None
    named = [cid for cid, (m, _) in rec["counterparts"].items() if (tok := token_at(doc, offset, m["start"])) is not None and tok.i in partners]
    if named or (at is not None and at.i in partners):
        for cid in [cid for cid, (m, _) in rec["counterparts"].items() if (tok := token_at(doc, offset, m["start"])) is not None and tok.i in subject]:
            del rec["counterparts"][cid]


def _numbered_anaphor(span, rules: Rules) -> tuple[int, str, int, int, bool] | None:
    """Return (size, plural head, start, end, is subject) of "the two militaries" / "the five countries" / "both sides" in a sentence span."""
    for token in span:
        if token.pos_ not in ("NOUN", "PROPN"):
            continue
        dets = [c for c in token.children if c.dep_ in ("det", "predet", "preconj")]
        numbers = [c for c in token.children if c.dep_ == "nummod"]
        if token.tag_ not in ("NNS", "NNPS") and not numbers:
            continue  # a number makes "the five nuclear-weapon States" plural whatever its tag
        if any(d.lower_ == "both" for d in dets):
            first = min(d.i for d in dets)
            return 2, token.lower_, span.doc[first].idx + span.doc.user_data.get("wpx_offset", 0), token.idx + len(token.text) + span.doc.user_data.get("wpx_offset", 0), token.dep_ in ("nsubj", "nsubjpass")
        if numbers and any(d.lower_ == "the" for d in dets) and (size := parse_number(numbers[0].text)) and size >= 2 and size == int(size):
            first = min(d.i for d in dets if d.lower_ == "the")
            offset = span.doc.user_data.get("wpx_offset", 0)
            return int(size), token.lower_, span.doc[first].idx + offset, token.idx + len(token.text) + offset, token.dep_ in ("nsubj", "nsubjpass")
    return None


def _two_party_anaphor(doc: Doc, offset: int, m: dict[str, Any]) -> bool:
    """Return whether a COUNT is "the two X" / "both X" (a way of saying both parties, not a count of them)."""
    first = token_at(doc, offset, m["start"])
    return first is not None and m["norm"].get("value") == 2 and first.i > 0 and doc[first.i - 1].lower_ == "the" and first.lower_ in ("two", "2")


def _across_semicolon(node: Token) -> bool:
    """Return whether a semicolon or colon separates a token from its head (two clauses the parser joined)."""
    low, high = sorted((node.i, node.head.i))
    return any(t.text in (";", ":") for t in node.doc[low + 1:high]) and node.dep_ in ("ccomp", "parataxis", "conj")


def _clause_on(trigger: Token, target: Token) -> bool:
    """Return whether a token sits in a relative or participial clause on the trigger ("a workshop ..., which was attended by 70 officials")."""
    verb = governing_verb(target)
    return verb.dep_ in ("relcl", "acl") and (verb.head.i == trigger.i or trigger.i in {a.i for a in verb.head.ancestors} and trigger.pos_ == "NOUN")


def _own_clause(trigger: Token) -> bool:
    """Return whether a trigger sits in a coordinated clause with its own subject ("..., and the two countries have held ...")."""
    node = trigger
    while node.head.i != node.i:
        if node.dep_ == "conj" and node.pos_ in ("VERB", "AUX") and any(c.dep_ in ("nsubj", "nsubjpass") for c in node.children):
            return True
        node = node.head
    return False


def _clause_has_trigger(token: Token, triggers: list[Token]) -> bool:
    """Return whether the clause of a mention holds a trigger (else it reports something else: "sent experts to Laos")."""
    verb = governing_verb(token)
    above = {a.i for a in verb.ancestors} | {verb.i}
    if verb.dep_ == "relcl":
        return any(t.i == verb.i or verb.i in {a.i for a in t.ancestors} for t in triggers)  # a relative clause lends only to its own triggers
    return any(t.i in above or verb.i in {a.i for a in t.ancestors} for t in triggers)


def _partner_slot(token: Token, trigger: Token) -> bool:
    """Return whether a name fills the slot of the trigger's partner: its verb's object, or "with"/"to" after the trigger or its verb."""
    verb = governing_verb(trigger)
    if token.dep_ in ("dobj", "nsubjpass") and token.head.i in (verb.i, trigger.i):
        return True
    return token.dep_ == "pobj" and token.head.lower_ in ("with", "to") and token.head.head.i in (verb.i, trigger.i)


def _origin(token: Token, trigger: Token, rules: Rules) -> bool:
    """Return whether a place is where participants come from ("officials from the Americas"), not where the activity was."""
    node = token
    for _ in range(12):
        if node.i == trigger.i or node.head.i == node.i or node.pos_ in ("VERB", "AUX"):
            return False
        if node.dep_ == "prep" and node.lower_ in rules.origin_preps:
            return True
        node = node.head
    return False


def _international(rec: dict[str, Any], rules: Rules) -> bool:
    """Return whether a counted event with no named counterpart was international: "15 regional seminars", held abroad."""
    trigger = rec["triggers"][0]
    nouns = [trigger, trigger.head] if trigger.dep_ == "compound" else [trigger]  # "12 international training courses"
    if any(c.dep_ in ("amod", "compound") and c.lower_ in rules.international_modifiers for noun in nouns for c in noun.children):
        return True
    if rec.get("participants_from_abroad"):
        return True
    home = _alpha2(rec.get("actor"))
    return home is not None and any(pid and pid.split("-")[0] != home for _, pid, _ in rec["places"].values())


def _alpha2(alpha3: str | None) -> str | None:
    country = pycountry.countries.get(alpha_3=alpha3) if alpha3 else None
    return country.alpha_2 if country else None


def _reported(token: Token) -> bool:
    """Return whether a noun carries a clause of its own that reports it ("an agreement signed in Hanoi in 2011")."""
    return any(c.dep_ in ("acl", "relcl") and c.pos_ == "VERB" for c in token.children)


def _under_frame(token: Token, rules: Rules) -> bool:
    """Return whether a noun sits in a phrase headed by a frame preposition ("under Article 3 of their agreement")."""
    if _reported(token):
        return False  # "Under an agreement signed in Hanoi in 2011": the frame's own signing is an event
    node = token
    while node.head.i != node.i and node.pos_ not in ("VERB", "AUX"):
        if node.dep_ == "pobj" and node.head.lower_ in rules.framework_preps:
            return True
        node = node.head
    return False


def _definite(trigger: Token):
    """Return "the dialogue" when the trigger is a definite noun: the event the paragraph already named."""
    if trigger.pos_ != "NOUN" or not any(c.dep_ == "det" and c.lower_ == "the" for c in trigger.children):
        return None
    if any(c.dep_ in ("prep", "amod", "compound", "nummod", "poss") for c in trigger.children):
        return None  # "the dialogue on export control", "the first dialogue": a description of its own
    return trigger.doc[min(c.i for c in trigger.children if c.dep_ == "det"):trigger.i + 1]


def _continuing_subject(trigger: Token, rules: Rules) -> Token | None:
    """Return the subject that continues the paragraph's previous engagement ("they", "the two sides")."""
    for child in governing_verb(trigger).children:
        if child.dep_ in ("nsubj", "nsubjpass"):
            words = {t.lower_ for t in child.subtree}
            if child.lower_ in rules.pronouns or words & rules.any_entity_heads:
                return child
    return None


def _ellipsis(span, rules: Rules) -> Token | None:
    """Return a noun such as "round" that stands for the previous activity, when a continuing subject holds it."""
    for token in span:
        if token.lemma_.lower() in rules.ellipsis_nouns and token.pos_ == "NOUN" and token.dep_ in ("dobj", "nsubj", "nsubjpass", "attr") and _continuing_subject(token, rules) is not None:
            return token
    return None


def _document_actor(document: dict[str, Any], segments: list[dict[str, Any]], mentions: list[dict[str, Any]], rules: Rules) -> str | None:
    """Return the party the document speaks for: a country its publisher names ("Ministry of
    Foreign Affairs of the Russian Federation"), else the first country or organization its
    title names ("China's Export Controls", "... in the European Union"; None when that is a body
    with no id), else its most-named country."""
    found = rules.country_pattern.search(document.get("publisher") or "")
    if found:
        return rules.country_names[found.group()]
    titles = [(s["start"], s["end"]) for s in segments if s["kind"] == "title"]
    in_title = sorted((m for m in mentions if m["label"] in ("COUNTRY", "ORG") and any(s <= m["start"] < e for s, e in titles)), key=lambda m: (m["start"], -m["end"]))
    if in_title and not in_title[0]["norm"].get("id") and in_title[0]["label"] == "ORG":
        body = in_title[0]
        inner = [m for m in in_title if m["label"] == "COUNTRY" and m["norm"].get("id") and body["start"] <= m["start"] and m["end"] <= body["end"]]
        # "ABACC at 30 Years: ... between Argentina and Brazil": a body with no id speaks (actor null, both
        # countries are counterparts); "Ministry of Foreign Affairs of Japan ..." speaks for Japan.
        return inner[0]["norm"]["id"] if inner else None
    named = [m for m in in_title if m["norm"].get("id")]
    if named:
        return named[0]["norm"]["id"]
    countries = Counter(m["norm"]["id"] for m in mentions if m["label"] == "COUNTRY" and m["norm"].get("id"))
    return min(countries, key=lambda c: (-countries[c], c)) if countries else None


def _in_subject_of(token: Token, trigger: Token) -> bool:
    """Return whether a token sits in the subject of the trigger's verb."""
    verb = governing_verb(trigger)
    return any(token.i in {t.i for t in child.subtree} for child in verb.children if child.dep_ in ("nsubj", "nsubjpass"))


def _from_phrase(token: Token, rules: Rules | None = None) -> bool:
    """Return whether a token sits in a "from" phrase inside a noun phrase ("counterparts from Norway").

    With ``rules``, a "from" phrase of people ("officials from Cambodia") does not count: they took part.
    """
    node = token
    while node.head.i != node.i and node.pos_ not in ("VERB", "AUX"):
        if node.dep_ == "prep" and node.lower_ == "from":
            if rules is None:
                return True
            return node.head.pos_ in ("NOUN", "PROPN") and _singular(node.head.lemma_.lower()) not in rules.participant_units
        node = node.head
    return False


def _singular(word: str) -> str:
    return word[:-3] + "y" if word.endswith("ies") else word[:-1] if word.endswith("s") and not word.endswith("ss") else word


def _third_parties(doc: Doc, offset: int, trigger: Token, mentions: list[dict[str, Any]], actor: str | None) -> bool:
    """Return whether other parties act among themselves: the trigger's subject names two or
    more of them and the sentence never names the actor ("Kyrgyzstan, Tajikistan, Turkmenistan
    and Uzbekistan signed it"). One named party acting on the actor ("The OPCW has carried out
    600 inspections in China", "US officials held three rounds of consultation") stays."""
    if any(m["norm"].get("id") == actor for m in mentions):
        return False
    verb = governing_verb(trigger)
    subject = {t.i for child in verb.children if child.dep_ in ("nsubj", "nsubjpass") for t in child.subtree if t.i < verb.i}  # after the verb: a parse error
    parties = {m["norm"]["id"] for m in mentions if m["label"] in ("COUNTRY", "ORG", "REGIME") and m["norm"].get("id")
               and (tok := token_at(doc, offset, m["start"])) is not None and tok.i in subject and not _from_phrase(tok)}
    return len(parties) >= 2  # "Dutch experts and their counterparts from Norway and Sweden": people acting, not the parties


def _topic(token: Token, rules: Rules) -> bool:
    """Return whether a mention is what an activity is about ("consultations ... on Iran"), not a party to it."""
    while token.dep_ in ("compound", "appos", "flat") and token.head.i != token.i:
        token = token.head
    return token.dep_ == "pobj" and token.head.lower_ in rules.topic_preps and token.head.lower_ not in ("of", "under")


def _framework(token: Token, rules: Rules) -> bool:
    """Return whether a mention only names a frame: "the UNGA framework", "the framework of the CWC"."""
    while token.dep_ == "appos" and token.head.i != token.i:
        token = token.head  # "the Shanghai Cooperation Organisation (SCO)"
    head = token
    while head.dep_ in ("compound", "amod", "flat") and head.head.i != head.i:
        head = head.head
    if head.lemma_.lower() in rules.framework_nouns and head.i != token.i:
        return True
    if head.dep_ == "pobj" and head.head.lower_ in rules.framework_preps:
        return True
    if _hyphen_pair(token):
        return False  # "the China-EU dialogue": the pair names the two parties
    if token.dep_ in ("compound", "poss", "nmod", "amod") and token.head.pos_ in ("NOUN", "PROPN"):
        noun = token.head.lemma_.lower()
        activity = rules.trigger_activity.get(noun)
        if noun in rules.needs_of and not any(c.dep_ == "prep" and c.lower_ == "of" for c in token.head.children):
            activity = None  # "its MTCR partners": partners, not a partnership
        if activity is None and noun not in rules.participant_units:
            return True  # "the NSG decision", "the CTBT verification regime": the entity qualifies a thing
        if activity is None and rules.trigger_activity.get(token.head.head.lemma_.lower()) not in rules.compound_counterpart_activities and token.head.dep_ == "pobj":
            return True  # "consultations with its MTCR partners": the group the partners belong to
        if activity is not None and activity not in rules.compound_counterpart_activities:
            return True  # "two ARF seminars": held under the ARF, not with it
    return head.dep_ == "pobj" and head.head.lower_ == "of" and head.head.head.lemma_.lower() in rules.framework_nouns


def _hyphen_pair(token: Token) -> bool:
    """Return whether a name is one side of a hyphenated pair of parties ("China-EU", "Canada-US")."""
    doc = token.doc
    before = token.i >= 2 and doc[token.i - 1].text in ("-", "–") and doc[token.i - 2].pos_ == "PROPN"
    after = token.i + 2 < len(doc) and doc[token.i + 1].text in ("-", "–") and doc[token.i + 2].pos_ == "PROPN"
    return before or after


def _premodifies(last: Token, trigger: Token) -> bool:
    """Return whether a name stands right before the trigger noun with only common words between ("a joint AG outreach seminar")."""
    if trigger.pos_ != "NOUN" or not last.i < trigger.i or trigger.i - last.i > 4:
        return False
    return all(t.is_lower and t.pos_ in ("NOUN", "ADJ") for t in last.doc[last.i + 1:trigger.i])


def _count_rank(doc: Doc, offset: int, m: dict[str, Any], trigger: Token, rules: Rules) -> int:
    """Rank a COUNT for a trigger: 0 counts the events, 1 counts participants, 9 unrelated."""
    first = token_at(doc, offset, m["start"])
    last = token_at(doc, offset, m["end"] - 1)
    if first is None or last is None:
        return 9
    if first.i <= trigger.i <= last.i or (trigger.head.i != trigger.i and trigger.head.head.i == last.i and trigger.head.lower_ == "of"):
        return 0
    singular = _unit(m)
    if singular in rules.participant_units:
        # participants of this very event ("a seminar ..., attended by about 150 participants") before parties named elsewhere
        verb = governing_verb(last)
        own_clause = verb.dep_ in ("relcl", "acl") and verb.head.i == trigger.i  # "a regional workshop ..., which was attended by 70 officials"
        return 1 if own_clause or governs(trigger, last) or governs(governing_verb(trigger), verb) else 2
    return 9


def _unit(mention: dict[str, Any]) -> str:
    """Return the singular head word of a COUNT's unit, lowercased ("Southeast Asian States" -> "state")."""
    unit = (mention["norm"].get("unit") or "").split(" ")[-1].lower()
    if unit.endswith("ies"):
        return unit[:-3] + "y"
    return unit[:-1] if unit.endswith("s") and not unit.endswith("ss") else unit


def _resolve(text: str, sent: dict[str, Any], span, previous: list[dict[str, Any]], by_sentence: dict[str, list[dict[str, Any]]], rules: Rules, actor: str | None, names: dict[str, str], activity: str, groups: bool = True) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    """Resolve an anaphor of the sentence to the entities it stands for in the preceding sentences of its paragraph."""
    body = text[sent["start"]:sent["end"]].lower()
    same_paragraph = [s for s in previous if s["parent_id"] == sent["parent_id"]][-rules.window:]

    def fits(m: dict[str, Any], head: str) -> bool:
        if not m["norm"].get("id") or m["norm"]["id"] == actor:
            return False
        named = head in m["text"].lower() or head in names.get(m["norm"]["id"], "").lower()
        if activity in rules.treaty_only_activities:
            return m["label"] == "TREATY" and (head in rules.any_entity_heads or named)  # "the Agency" is never a treaty
        if m["label"] not in rules.labels:
            return False
        if head in rules.country_heads:
            return m["label"] == "COUNTRY"
        return head in rules.any_entity_heads or named

    def anaphor(at: int, length: int) -> dict[str, Any]:
        return {"text": text[sent["start"] + at:sent["start"] + at + length], "start": sent["start"] + at, "end": sent["start"] + at + length}

    numbered = _numbered_anaphor(span, rules) if groups else None
    if numbered is not None:
        size, head, start, end, subject = numbered
        ids_here = {m["norm"].get("id") for m in by_sentence.get(sent["id"], [])}
        before = [m for m in by_sentence.get(sent["id"], []) if m["end"] <= start]  # "China and Russia submitted ..., and the two countries ..."
        for named in [sorted(before, key=lambda m: m["start"])] + [sorted(by_sentence.get(prior["id"], []), key=lambda m: m["start"]) for prior in reversed(same_paragraph)]:
            group = list({m["norm"]["id"]: m for m in named if (fits(m, head) if head in rules.country_heads else fits(m, "sides"))}.values())
            # The actor is one of them when named with them, or named in this sentence while they are its subject
            # ("China hosted ..., where the five countries held ..."), not when it engages with them ("held ... with the five States").
            actor_among = size == 2 or (actor is not None and ((actor in ids_here and subject) or any(m["norm"].get("id") == actor for m in named)))
            wanted = size - 1 if actor_among else size
            if wanted and len(group) >= wanted:
                return [(m, anaphor(start - sent["start"], end - start)) for m in group[:wanted]]
    named_spans = [(m["start"] - sent["start"], m["end"] - sent["start"]) for m in by_sentence.get(sent["id"], [])]
    for phrase in rules.anaphora:
        at = body.find(phrase)
        if at < 0 or any(s < at + len(phrase) and at < e for s, e in named_spans):
            continue  # "the Agency for the Prohibition of Nuclear Weapons ...": a name, not an anaphor
        head = phrase.split()[-1]
        earlier = [m for m in by_sentence.get(sent["id"], []) if m["end"] <= sent["start"] + at]  # "negotiations on the CTBT ..., and signed the Treaty"
        further = [] if head in rules.any_entity_heads or head in rules.country_heads else [s for s in previous[-rules.headed_window:] if s not in same_paragraph]
        for named in [earlier] + [by_sentence.get(prior["id"], []) for prior in [*reversed(same_paragraph), *reversed(further)]]:
            for m in sorted(named, key=lambda m: -m["start"]):
                if fits(m, head):
                    return [(m, anaphor(at, len(phrase)))]
    return []


def _record(doc_id: str, text: str, sent: dict[str, Any], activity: str, rec: dict[str, Any], rules: Rules) -> dict[str, Any]:
    trigger = rec["triggers"][0]
    counterparts = sorted(rec["counterparts"].items())
    dates = [v for _, v in sorted(rec["dates"].items())]
    places = [v for _, v in sorted(rec["places"].items())]
    count = rec["count"]
    mention_ids = sorted({m["id"] for _, (m, _) in counterparts} | {d[1]["id"] for d in dates} | {p[2]["id"] for p in places} | ({count["id"]} if count else set()))
    return {
        "schema_version": SCHEMA_VERSION,
        "id": record_id(doc_id, "engagement", sent["start"], sent["end"], activity),
        "doc_id": doc_id,
        "type": "engagement",
        "actor": rec.get("actor"),
        "counterparts": [cid for cid, _ in counterparts],
        "counterpart_mentions": [{"id": cid, "mention_id": m["id"], "resolved_from": m["id"] if anaphor else None, "anaphor": anaphor} for cid, (m, anaphor) in counterparts],
        "activity": activity,
        "trigger": {"text": trigger.text, "lemma": trigger.lemma_.lower(), "start": trigger.doc.user_data["wpx_offset"] + trigger.idx, "end": trigger.doc.user_data["wpx_offset"] + trigger.idx + len(trigger.text)},
        "count": {"value": count["norm"]["value"], "qualifier": count["norm"]["qualifier"], "mention_id": count["id"]} if count else None,
        "dates": [d[0] for d in dates],
        "places": [p[0] for p in places],
        "place_ids": [p[1] for p in places],
        "occasions": [{"place": p[0], "date": d[0]} for p, d in zip(places, dates)] if len(places) == len(dates) > 1 else [],
        "mention_ids": mention_ids,
        "start": sent["start"],
        "end": sent["end"],
        "sentence_id": sent["id"],
        "evidence": text[sent["start"]:sent["end"]],
    }
