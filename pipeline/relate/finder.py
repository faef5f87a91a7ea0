"""Find what attaches to one engagement trigger (who engaged with whom, how, how often, when, where).

Works per sentence on the dependency parse and the mentions: a trigger
lemma (configs/relations.toml) gives the activity; counterparts, dates and
places attach to a trigger when their governing verb is the trigger's or
below it (a fronted "Since ..." phrase applies to the whole sentence);
aligned lists ("in Qingdao, Xi'an and Xiamen in 2015, 2017 and 2019") pair
place i with date i in ``occasions`` when their lengths match; the count is
the one counting the events ("five rounds of dialogue", "three training
sessions"), else the one counting participants ("more than ten
countries"). docs/DECISIONS.md lists every rule. Anaphors ("the two
sides", "the Committee") are resolved in anaphora.py and applied, with the
other references, in counterparts.py; whether a mention is
a counterpart, a frame, a topic or a source is decided in clauses.py, and
the shapes of a trigger's phrase and clauses are told in shapes.py.
Negated, intended or merely supported activities are skipped. The
document-wide walk over sentences and the records are in document.py.
"""
from __future__ import annotations

from typing import Any

from spacy.attrs import LOWER
from spacy.tokens import Doc, Token

from ..fold import char_span, idx
from .anaphora import two_party_anaphor
from .clauses import (across_semicolon, clause_has_trigger, clause_on, contrasted, count_rank, excluded, framework, from_phrase, fronted_partner, funder, hyphen_pair,
                      in_subject_of, instrument_year, noun_complements, origin, own_clause, participle_sequel, partner_slot, period_date, passive_sequel, pronoun_sequel, premodifies, reported, site_country, topic, topic_clause, under_frame)
from .rules import Rules
from .shapes import antecedent_noun, as_member, before_own_clause, coordinated_event, event_across_semicolon, fronted_phrase, inside_other_event, mention_tokens, names_group, noun_lemma, noun_phrase_top, partner_relative, phrase_head, sibling_phrase
from .syntax import conjuncts, first_conjunct, governing_verb, governs, loose_participle, prev_lower, token_at


class Relater:
    """Find engagements in one document."""

    def __init__(self, rules: Rules, owners: dict[str, dict[str, Any]] | None = None) -> None:
        self.rules = rules
        self.owners = owners or {}  # mention id of a body's short form -> the mention of the country it belongs to ("Poland's ... (PAA)")
        self._negated: dict[int, frozenset[int]] = {}  # id(block doc) -> indices of its negation words (a Relater serves one document)

    def _negation_words(self, doc: Doc) -> frozenset[int]:
        """Return the indices of the doc's negation words, found once per doc on string ids.

        Most blocks have none; then no subject's subtree needs walking for one.
        """
        found = self._negated.get(id(doc))
        if found is None:
            lowers = doc.to_array(LOWER).tolist() if len(doc) else []
            ids = self.rules.negation_ids
            found = frozenset() if ids.isdisjoint(lowers) else frozenset(i for i, low in enumerate(lowers) if low in ids)
            self._negated[id(doc)] = found
        return found

    def _attached(self, trigger: Token, target: Token) -> bool:
        verb = governing_verb(target)
        if verb.dep_ == "ROOT" and target.i < verb.i and not any(t.dep_ == "nsubj" and t.i < target.i for t in verb.children) and not own_clause(trigger) \
                and not (trigger.i < target.i and any(t.text == ";" for t in trigger.doc[trigger.i:target.i])):
            # a fronted adverbial ("Since its accession ... in 2004, China ...") times the sentence, not a coordinated clause with its own subject,
            # nor a clause before a semicolon ("... joined the NSG in 1993; in July 1996 it was among ...")
            return True
        return governs(governing_verb(trigger), verb) or governs(trigger, target)

    def _reaches(self, trigger: Token, m: dict[str, Any], tok: Token, root: Token, offset: int) -> bool:
        """Return whether a mention (first token ``tok``, head ``root``) belongs to the trigger's event by the parse."""
        rules = self.rules
        if self._attached(trigger, tok) or participle_sequel(trigger, tok):
            return True
        if m["label"] == "COUNT":  # the count holds the trigger, or sits in a clause on the event or a later clause about it
            return (m["start"] <= offset + idx(trigger) < m["end"] or clause_on(trigger, tok) or passive_sequel(trigger, tok, rules)
                    or pronoun_sequel(trigger, tok, rules))
        return fronted_partner(root, trigger, rules) or (clause_on(trigger, tok, strict=True) and governing_verb(tok).lemma_.lower() in rules.relative_report_verbs)

    def _blocked(self, trigger: Token) -> bool:
        """Return whether the trigger did not take place: negated, intended, supported, suspended ..."""
        if any(c.dep_ == "amod" and c.lemma_.lower() in self.rules.blockers for c in trigger.children):
            return True  # "a planned course", "the proposed dialogue"
        if (trigger.dep_ == "pobj" and trigger.head.lower_ == "for" and trigger.head.head.lemma_.lower() in self.rules.opened_for_lemmas
                and self.rules.activity_of(trigger) in self.rules.treaty_only_activities):
            return True  # "the opening for signature of the Treaty", "opened for signature in 1996": a date of the treaty, nobody's act
        if any(c.dep_ == "xcomp" and c.lemma_.lower() in self.rules.blockers for c in governing_verb(trigger).children):
            return True  # "A course ... had to be cancelled"
        negated, blocking = self._negation_words(trigger.doc), self.rules.blocking_words
        node, coordinated, relative = trigger, False, False
        for _ in range(8):
            for child in node.children:
                if (child.i in negated and (child.lower_ not in self.rules.scoped_negation_words or child.left_edge.i <= trigger.i <= child.right_edge.i)) \
                        or (child.dep_ in ("aux", "neg", "det") and child.lemma_.lower() in blocking):
                    return True  # ("ratified it ..., without making any reservation": "without" negates only its own phrase)
                if negated and child.dep_ in ("nsubj", "nsubjpass") and any(child.left_edge.i <= k <= child.right_edge.i for k in negated) \
                        and any(t.i in negated and t.dep_ in ("preconj", "det", "neg") for t in child.subtree):
                    return True  # "Neither Argentina nor Brazil has concluded ..." (a subtree lies between its left and right edges)
            if negated and node.dep_ in ("nsubj", "nsubjpass") and self._negated_sequel(node.head, negated):
                return True  # "A first round of consultations ..., agreed in principle in 2022, has not yet been held"
            if node.i != trigger.i and node.lemma_.lower() in self.rules.blockers and not coordinated:
                return True  # (a verb coordinated with the trigger is another act: "the day it opened for signature, and ratified it on ...")
            if node.dep_ == "prep" and node.lower_ == "of" and node.head.pos_ == "NOUN" and node.head.lemma_.lower() in self.rules.supporter_nouns and not relative:
                return True  # "with the help of Kazakhstan": a helper (not "a regional assistance and protection course", nor "..., whose authority co-hosted ...")
            relative = relative or node.dep_ == "relcl"
            coordinated = node.dep_ == "conj" and node.pos_ == "VERB"
            if node.dep_ == "prep" and node.i < node.head.i and node.head.pos_ in ("VERB", "AUX"):
                return False  # "As a founding member of the Organisation, China regards it as ...": a fact told in passing
            if node.head.i == node.i or across_semicolon(node) or contrasted(node, self.rules):
                return False  # "Mexico joined the NSG ...; it is not a member of the MTCR": the negation is another clause's
            node = node.head
        return False

    def _negated_sequel(self, verb: Token, negated: frozenset[int]) -> bool:
        """Return whether a verb's subject is also the subject of a negated occurrence verb joined by a comma alone.

        The parser reads a participle set off by commas on the subject as the
        sentence's verb and the real verb as its conjunct; a verb with an
        auxiliary or with no comma before it is the event's own ("were held
        in 2019, have not been held since"), and "and"/"but" before a
        conjunct make it a later fact about an event that did happen.
        """
        doc = verb.doc
        if verb.i == 0 or doc[verb.i - 1].text != "," or any(c.dep_ in ("aux", "auxpass") for c in verb.children):
            return False  # the misread participle stands between commas ("Consultations with X, agreed in ..."); "were held", "began in 2019" are the event's own verbs
        occurs = self.rules.occurrence_verbs
        for conj in verb.children:
            if conj.dep_ != "conj" or conj.pos_ not in ("VERB", "AUX") or any(c.dep_ in ("nsubj", "nsubjpass") or (c.dep_ == "cc" and c.i < conj.i) for c in conj.children) \
                    or any(c.dep_ == "cc" and verb.i < c.i < conj.i for c in verb.children):
                continue
            if doc[conj.left_edge.i - 1].text != ",":
                continue  # joined by a comma alone
            told = [conj] if conj.lemma_.lower() in occurs else [c for c in conj.children if c.dep_ == "xcomp" and c.lemma_.lower() in occurs]  # "have yet to begin"
            if told and any(c.i in negated and c.dep_ in ("neg", "advmod") for node in (conj, *told) for c in node.children):
                return True
        return False

    def triggers(self, sent, inside: list[tuple[int, int]]) -> list[tuple[Token, str]]:
        found, word_ids = [], self.rules.trigger_word_ids
        for token in sent:
            if token.lemma not in word_ids and token.lower not in word_ids and token.tag_ != "NNPS" and not (token.tag_ == "NNP" and token.lower_.endswith("s")):
                continue
            activity = self.rules.activity_of(token)
            if activity is None and token.tag_ in ("NNP", "NNPS") and token.dep_ == "pobj" and token.head.lower_ == "of" and any(c.dep_ == "nummod" for c in token.head.head.children):
                activity = self.rules.trigger_activity.get(noun_lemma(token))  # "six rounds of the Six-Party Talks": a plural name the lemmatizer keeps
            if activity is None and noun_lemma(token) in self.rules.member_heads and as_member(token, self.rules) and any(c.dep_ in ("amod", "compound") and c.lower_ in self.rules.member_modifiers for c in token.children) \
                    and names_group(token, self.rules):
                activity = self.rules.member_activity  # "a participating government of the NSG"
            verbs = self.rules.signing_verbs - self.rules.finishing_verbs if token.is_lower and token.lemma_.lower() in self.rules.finished_nouns else self.rules.signing_verbs
            if activity is None and token.lemma_.lower() in self.rules.signed_nouns and (
                    (token.dep_ in ("dobj", "nsubjpass") and token.head.lemma_.lower() in verbs)
                    or any(c.dep_ == "relcl" and c.lemma_.lower() in verbs and any(g.dep_ == "dobj" and g.tag_ in ("WDT", "WP") for g in c.children) for c in token.children)):
                activity = self.rules.signed_activity  # "signed a Country Programme Framework", "signed a road map", "a ... Programme, which Mongolia signed with ..."
            if activity is None and token.tag_ == "NNPS" and token.dep_ in ("dobj", "nsubjpass"):
                activity = self.rules.trigger_activity.get(token.lower_.removesuffix("s"))  # "Practical Arrangements": a plural name the lemmatizer keeps
            if activity is None or any(s <= idx(token) < e for s, e in inside):
                continue
            if token.pos_ not in ("NOUN", "VERB", "PROPN"):
                continue
            if token.dep_ == "compound" and token.lemma_.lower() in self.rules.not_as_compound and token.head.dep_ != "attr" and not fronted_phrase(token) \
                    and not (as_member(token.head, self.rules) and names_group(token.head, self.rules)):
                continue  # "other member states" (but "Nigeria has been a Member State of the IAEA")
            if token.dep_ == "compound" and token.head.lemma_.lower() in self.rules.non_event_heads:
                continue  # "the verification regime of the Treaty": a thing, not an event
            if activity == self.rules.member_activity and any(c.dep_ in ("compound", "amod") and c.lower_ in self.rules.people_modifiers for c in token.children):
                continue  # "35 staff members of the Commission": people of a body, not a membership ("joint staff talks" are talks)
            if token.text[:1].isupper() and token.i > sent.start and prev_lower(token) == "the":
                continue  # "when the Arrangement was founded": a name's short form, not an event
            told = any(c.dep_ == "relcl" and c.lemma_.lower() in self.rules.relative_report_verbs for c in token.children)  # "the consultations that China holds with ..."
            if governing_verb(token).lemma_ == "be" and activity not in self.rules.copula_activities and not told:
                continue  # "The ARF is the main platform for security dialogue": a description
            if token.dep_ == "pobj" and token.head.lower_ in self.rules.not_event_preps and not (token.head.head.lemma_ == "be" and token.head.head.pos_ == "AUX"):  # "it was among the 33 founding participating States" is membership
                continue  # "among the five permanent members": a group, not an event
            if token.lemma_.lower() in self.rules.object_blocked and (any((c.dep_ == "dobj" and token.pos_ == "VERB") or (c.dep_ == "prep" and c.lower_ == "of" and token.pos_ == "NOUN") for c in token.children)
                                                                      or (token.pos_ == "VERB" and not any(c.dep_ == "xcomp" or (c.dep_ == "prep" and c.lower_ in self.rules.complement_preps) for c in token.children))):
                continue  # "applies the control lists", "applies directly in all 27 member states", "the application of safeguards": no application to join
            if activity in self.rules.named_object_activities and token.pos_ == "VERB" and any(
                    c.dep_ == "dobj" and c.pos_ == "NOUN" and c.is_lower and c.lower_ not in self.rules.anaphor_heads and c.lemma_.lower() not in self.rules.party_units for c in token.children) \
                    and not any(c.dep_ == "prep" and c.lower_ in self.rules.partner_preps for c in token.children):
                continue  # "radiation oncologists have joined 31 missions of the Agency's Programme": joined something that is no party
            if activity in self.rules.copula_activities and token.dep_ == "dobj" and token.head.lemma_ == "have":
                continue  # "Today the Committee has 39 members": the group's size, not the actor's membership
            if token.lemma_.lower() in self.rules.singular_triggers and token.tag_ in ("NNS", "NNPS"):
                continue  # "40 participants of 15 countries", "the 27 participants of the ARF met": people, not a membership
            if token.lemma_.lower() in self.rules.needs_of and not any(c.dep_ == "prep" and c.lower_ == "of" for c in token.children):
                continue  # "agreements with 31 partners": no membership without "partner of"
            if token.dep_ == "pobj" and token.head.lower_ == "of" and token.head.head.lemma_.lower() in self.rules.excluding_objects:
                continue  # "on the margins of the workshop, Vanuatu and Solomon Islands signed ...": the setting of another act
            if token.pos_ in ("NOUN", "PROPN") and under_frame(token, self.rules):
                continue  # "under Article 13 of the Quadripartite Agreement": a frame, not an event
            if token.dep_ == "pobj" and (any(child.ent_type_ == "ORDINAL" for child in token.children) or (token.head.lower_ == "of" and token.head.head.lemma_.lower() not in self.rules.ellipsis_nouns and any(child.ent_type_ == "ORDINAL" for child in token.head.head.children))):
                continue  # "after the 50th ratification": an event counted among others', not the actor's
            lead = first_conjunct(token)  # "towards research and training": "training" shares "research"'s role
            if lead.dep_ == "pobj" and lead.head.dep_ == "prep" and lead.head.head.pos_ == "NOUN" and lead.head.head.lemma_.lower() in self.rules.non_event_heads:
                continue  # "a training ground for on-site inspection": what the thing is for
            while lead.dep_ == "pobj" and lead.head.lower_ == "of" and lead.head.head.pos_ == "NOUN" and lead.head.head.lemma_.lower() not in self.rules.trigger_activity:
                lead = lead.head.head  # "an exercise on the launch phase of an inspection": the phase's role is the inspection's
            if token.pos_ in ("NOUN", "VERB") and lead.head.lower_ in self.rules.topic_preps and lead.dep_ in ("pobj", "pcomp") and lead.head.head.pos_ in ("NOUN", "VERB") and lead.head.head.lemma_.lower() not in self.rules.trigger_activity and lead.head.lower_ != "of" and not reported(token, self.rules):
                continue  # "focusing on China's accession": a topic, not an event
            if token.pos_ == "NOUN" and lead.dep_ == "dobj" and lead.head.lemma_.lower() in self.rules.topic_verbs:
                continue  # "a memorandum ..., covering regulatory training": a topic of the memorandum
            if self._blocked(token):
                continue
            found.append((token, activity))
        keep = []
        by_token = {t.i: a for t, a in found}
        for token, activity in found:
            if activity in self.rules.copula_activities and activity != self.rules.ranked_activity and self.rules.ranked_activity in by_token.values() and any(t.ent_type_ == "ORDINAL" for c in token.children for t in c.subtree):
                continue  # "joined the WA ..., becoming their 42nd member": the rank of the accession just told
            if token.pos_ == "VERB" and any((c.dep_ in ("dobj", "nsubjpass") and c.i in by_token) or (c.dep_ == "prep" and c.lower_ == "to" and any(g.dep_ == "pobj" and g.i in by_token for g in c.children))
                                            for c in token.children):
                continue  # "signed bilateral agreements", "its safeguards agreement ... was signed", "acceded to the safeguards agreement": the object names the activity
            if token.pos_ == "VERB" and token.dep_ == "relcl" and any(c.dep_ in ("dobj", "nsubjpass") and c.tag_ in ("WDT", "WP") for c in token.children) \
                    and antecedent_noun(token).i in by_token:
                continue  # "its safeguards agreement with the IAEA, which was signed on 22 January 1979": the antecedent names the activity
            if token.dep_ == "xcomp" and token.head.i in by_token:
                continue  # "applied to join": the governing trigger names the activity
            if any(c.dep_ in ("amod", "det", "predet") and c.lower_ in self.rules.back_reference_modifiers for c in token.children) \
                    and any(t.i < token.i and governing_verb(t).i == governing_verb(token).i for t, _ in found):
                continue  # "consultations ... were held ..., the first such talks in five years": the event told before
            if any(child.dep_ == "compound" and child.i in by_token for child in token.children):
                continue  # "38 training workshops": the modifier names the activity
            lead = first_conjunct(token)  # "talks on licensing procedures and end-use verification"
            if lead.dep_ == "pobj" and lead.head.dep_ == "prep" and lead.head.lower_ not in self.rules.framework_preps and by_token.get(lead.head.head.i) in self.rules.topic_governors:
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
            span = char_span(doc, m["start"] - offset, m["end"] - offset, alignment_mode="expand")
            root = span.root if span is not None and len(span) else tok
            prepared.append((m, tok, root, m["label"] not in ("DATE", "PLACE") and self._blocked(tok)))  # only parties and counts use it
        return prepared

    def attach(self, rec: dict[str, Any], trigger: Token, activity: str, prepared: list[tuple[dict[str, Any], Token, Token, bool]], doc: Doc, offset: int, triggers: list[Token]) -> None:
        """Add the counterparts, dates, places and count of ``trigger`` to its engagement record.

        Counterparts of any trigger of the sentence go to rec["loose"], the
        fallback when none attaches to the trigger itself ("applied to join
        the MTCR ... and held five rounds of dialogue"); a party in a clause
        with no trigger ("and sent experts to Laos") is never shared.
        """
        rules, actor = self.rules, rec["actor"]
        verb_lemma = governing_verb(trigger).lemma_.lower()
        lead = first_conjunct(trigger)
        phrase = phrase_head(trigger)
        own_phrase = (trigger.pos_ == "NOUN" and ((trigger.dep_ == "nsubj" and verb_lemma not in rules.trigger_activity and verb_lemma not in rules.event_subject_verbs)
                                                  or (trigger.dep_ == "pobj" and trigger.head.lower_ in rules.framework_preps)  # "Under an arrangement signed with Laos in 2021, China has trained ..."
                                                  or (lead.dep_ == "pobj" and lead.head.lower_ == "as"))  # "As a member of the Zangger Committee, Korea took part in ... in 2018"
                      or fronted_phrase(trigger))  # "A founding member of the OAU in 1963, Morocco rejoined the AU ...", "A Member State of the IAEA since 1957, ..."
        agencies = [(m["start"], m["end"]) for m, _, _, _ in prepared if m["label"] == "ORG" and not m["norm"].get("id")]
        actor_tokens = {tok.i for m, tok, _, _ in prepared if actor and m["norm"].get("id") == actor}  # "China and CELAC have held ...": a body with no id beside the actor is its partner
        sentence_mentions = [m for m, _, _, _ in prepared]
        trigger_ids = {t.i for t in triggers}
        fronted = [(p.left_edge.i, p.right_edge.i) for other in triggers if other.i != trigger.i and fronted_phrase(other) for p in (phrase_head(other),)]
        relative = partner_relative(governing_verb(trigger), rules)
        tops = {noun_phrase_top(t).i for t in triggers if t.pos_ == "NOUN"}
        for m, tok, root, blocked in prepared:
            label, norm = m["label"], m["norm"]
            eligible = label == "TREATY" if activity in rules.treaty_only_activities else label in rules.labels or (label == "TREATY" and activity in rules.treaty_activities)
            if label == "COUNTRY" and activity in rules.no_country_activities:
                eligible = False
            nested = label == "COUNTRY" and any(s <= m["start"] and m["end"] <= e for s, e in agencies)
            served = nested and (listed := first_conjunct(root)).i > 0 and doc[listed.i - 1].pos_ == "ADP" and doc[listed.i - 1].lower_ != "of"
            agency = label == "COUNTRY" and ((nested and not served)  # "the United States Department of Energy" acts for the US
                                             or (root.dep_ == "poss" and any(s <= offset + idx(root.head) < e for s, e in agencies)))  # so does "Japan's Nuclear Regulation Authority"
            antecedent = trigger.dep_ == "relcl" and trigger.head.i == root.i  # "Under the CWC, which Denmark ratified in 1995, ...": the frame is what was ratified
            framed = (not agency and not antecedent and framework(root, rules)) or (activity not in rules.compound_counterpart_activities and (last := token_at(doc, offset, m["end"] - 1)) is not None and premodifies(last, trigger) and not hyphen_pair(last))
            source = (from_phrase(root, rules, sources_only=True) and not in_subject_of(root, trigger)) or funder(root, trigger, rules)  # "with funding from the EU" (but "officials from Cambodia" are trained)
            # "the EU Border Assistance Mission to Moldova and Ukraine": a body's name that names whom it serves, not who acts
            candidate = not served and eligible and (not norm.get("id") or norm["id"] != actor) and not framed and not source and not topic(root, rules) \
                and not (label == "COUNTRY" and activity not in rules.site_party_activities and site_country(root, rules))  # "... at facilities in Austria": where, not with whom
            owner = self.owners.get(m["id"]) if label == "ORG" and not norm.get("id") else None
            party = candidate and (bool(norm.get("id")) or (owner is not None and owner["norm"]["id"] != actor)) and not excluded(root, rules)  # "Beyond Russia and India, ... with eight other countries"
            key, cited = (owner["norm"]["id"], (owner, {"text": m["text"], "start": m["start"], "end": m["end"]})) if owner is not None else (norm.get("id"), (m, None))
            if any(low <= tok.i <= high for low, high in fronted):
                continue  # the fronted phrase's own party and date
            if own_phrase and not (phrase.left_edge.i <= tok.i <= phrase.right_edge.i):
                continue  # "The agreement with the ROK, signed in June 2009, paved the way for ...": the rest is about something else
            inner = governing_verb(tok)
            if (label in ("DATE", "PLACE") and inner.dep_ == "acl" and inner.head.i != trigger.i and inner.head not in noun_complements(trigger, rules)
                    and any(t.i == inner.head.i or inner.head in noun_complements(t, rules) for t in triggers)):
                continue  # "Under an arrangement signed ... in October 2021, the Office has trained ...": the date of the arrangement
            if label in ("DATE", "PLACE") and inner.dep_ in ("acl", "relcl") and inner.i != trigger.i and in_subject_of(inner, trigger) \
                    and not (trigger.pos_ == "NOUN" and trigger.left_edge.i <= tok.i <= trigger.right_edge.i):
                continue  # "The Graduate School, established in 2006 ..., has since trained ...": the subject's own date
            if label in ("DATE", "PLACE") and (topic_clause(tok, trigger, rules) or (label == "DATE" and (instrument_year(doc, offset, m, sentence_mentions, rules) or (period_date(tok, rules) and activity not in rules.copula_activities)))):
                continue  # "on ... shipments crossing the Mediterranean", "resolution 1540 (2004)": not when or where the event was
            antecedent = ((trigger.dep_ == "relcl" and trigger.pos_ == "VERB" and root.i in conjuncts(trigger.head))  # "the CWC and the BWC, which it ratified in ..."
                          or (relative is not None and root.i in conjuncts(relative.head)))  # "In Kazakhstan, with which China signed a memorandum ..."
            if (inner.i not in (trigger.i, governing_verb(trigger).i) and inner.dep_ == "advcl" and inner.i in trigger_ids and not antecedent
                    and any(c.dep_ == "mark" and c.lower_ in rules.temporal_marks for c in inner.children)):
                continue  # "... since 2001, two years after the CTBT was ratified ... in September 1999": the ratification's, not the membership's
            if inner.i != trigger.i and not antecedent and inside_other_event(inner, governing_verb(trigger), trigger_ids):
                continue  # "It joined the NSG ..., having subscribed to the HCoC when ...": the participle's own event keeps its parties and dates
            if not antecedent and sibling_phrase(tok, trigger, tops):
                continue  # "four rounds of consultations with France since 2019, and two rounds of dialogue with the United Kingdom": each its own partner
            if not antecedent and coordinated_event(inner, governing_verb(trigger), trigger, trigger_ids):
                continue  # "signed 24 agreements ... and held four rounds of consultations with the United States": the second act's partner and dates
            # "with the help of Kazakhstan, whose licensing authority co-hosted a workshop": the helper is the partner of its own clause's event
            own_relative = blocked and governing_verb(trigger).dep_ == "relcl" and governing_verb(trigger).head.i == root.i
            if party and (not blocked or own_relative) and clause_has_trigger(tok, triggers):
                if owner is None:  # (a body's short form serves its own clause only)
                    rec["loose"].setdefault(key, cited)
            if not antecedent and event_across_semicolon(inner, governing_verb(trigger), trigger, trigger_ids):
                continue  # "... joined the NSG in 1993; in July 1996 it was among ...": the other clause's parties serve only when the event names none
            if not antecedent and label not in ("DATE", "PLACE", "COUNT") and before_own_clause(tok, governing_verb(trigger), rules.back_references):
                continue  # "Viet Nam is a State Party to the NPT, the CWC and the BWC; it ratified the CTBT ...", however the parser hangs the first clause
            loose = label != "COUNT" and loose_participle(trigger, first_conjunct(root), rules.relative_report_verbs, rules.partner_preps)
            if not (antecedent or loose or self._reaches(trigger, m, tok, root, offset)):
                continue
            # "while an agreement with Cambodia has been negotiated but not signed": a party of a clause that did not happen;
            # but "..., co-organised with Austria" is the event's partner, hung on a nearer noun of a negated clause
            if party and (not blocked or loose or own_relative):
                rec["counterparts"].setdefault(key, cited)
            elif candidate and (any(partner_slot(t, trigger, rules) for t in mention_tokens(doc, offset, m, tok)) or (conjuncts(root) & actor_tokens and first_conjunct(root).dep_ in ("nsubj", "nsubjpass"))):
                rec["unnamed"] = True  # "signed the ICSANT": a party with no id, so no other clause's party stands in
            elif label == "DATE" and norm.get("value"):
                rec["dates"].setdefault(m["start"], (norm["value"], m))
            elif label == "PLACE":
                if not origin(root, trigger, rules):
                    rec["places"].setdefault(m["start"], (m["text"], norm.get("id"), m))
                elif from_phrase(root, rules):
                    rec["participants_from_abroad"] = True  # "for young diplomats from Latin America and the Caribbean"
            elif label == "COUNT":
                if two_party_anaphor(doc, offset, m):
                    continue  # "the two sides held ...": says "both", not how many
                rank = count_rank(doc, offset, m, trigger, rules)
                if activity in rules.party_count_activities and (rank in (1, 2) or from_phrase(root, rules)):
                    continue  # "signed practical arrangements ..., attended by more than 650 trainees from 52 countries": people attend courses, not agreements
                if rank < rec["count_rank"]:
                    rec["count"], rec["count_rank"] = m, rank
                if rank in (1, 2, 3, 4):
                    rec["participants"] = True
