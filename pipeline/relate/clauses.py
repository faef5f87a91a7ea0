"""The role of a mention in a trigger's clause: party, frame, topic, origin; and the count's rank.

Small questions about the parse that decide whether a named entity is the
actor's counterpart (co-actors and third parties are parties.py's);
docs/DECISIONS.md gives the rules.
"""
from __future__ import annotations

from typing import Any

from spacy.tokens import Doc, Token

from ..fold import idx
from ..normalize.text import singular
from .rules import HYPHENS, Rules
from .syntax import first_conjunct, governing_verb, governs, token_at


def across_semicolon(node: Token) -> bool:
    """Return whether a semicolon or colon separates a token from its head (two clauses the parser joined)."""
    if node.dep_ not in ("ccomp", "parataxis", "conj"):
        return False
    low, high = sorted((node.i, node.head.i))
    return any(t.text in (";", ":") for t in node.doc[low + 1:high])


def contrasted(node: Token, rules: Rules) -> bool:
    """Return whether a clause is set against its head: "but", "yet" before a coordinated clause ("is not a member ...,
    but ... has held four rounds"), "although", "though" opening an adverbial one (configs `contrast_words`)."""
    if node.dep_ == "conj":
        return any(c.dep_ == "cc" and c.lower_ in rules.contrast_words for c in node.head.children if c.i < node.i)
    return node.dep_ == "advcl" and any(c.dep_ == "mark" and c.lower_ in rules.contrast_words for c in node.children)


def pronoun_sequel(trigger: Token, target: Token, rules: Rules) -> bool:
    """Return whether a token sits in a later clause whose pronoun subject is the event ("...; it brought together 70 officials")."""
    verb = governing_verb(target)
    if verb.i <= trigger.i or verb.i == governing_verb(trigger).i:
        return False
    subjects = [c.lower_ for c in verb.children if c.dep_ == "nsubj"]
    return ((verb.lemma_.lower() in rules.event_subject_verbs and any(s in rules.event_pronouns for s in subjects))
            or (verb.lemma_.lower() in rules.gathering_verbs and any(s in rules.relative_pronouns for s in subjects)))  # "..., which brought together 48 officials", whatever noun the parser hangs it on


def participle_sequel(trigger: Token, target: Token) -> bool:
    """Return whether a token sits in a participle coordinated with one on the event ("held a seminar ..., co-hosted by Italy and attended by 48 officials from Albania").

    The first participle may hang on any word of the event's clause ("held an outreach seminar in Prague, co-organised by ...": the parser gives it to Prague).
    """
    verb, own = governing_verb(target), governing_verb(trigger)
    head = verb.head
    return (verb.dep_ == "conj" and (verb.tag_ == "VBN" or any(c.dep_ == "agent" for c in verb.children)) and head.dep_ in ("advcl", "acl") and (head.head.i == trigger.i or governing_verb(head.head).i == own.i)
            and not any(c.dep_ in ("nsubj", "nsubjpass", "aux", "auxpass") for node in (verb, head) for c in node.children))


def passive_sequel(trigger: Token, target: Token, rules: Rules) -> bool:
    """Return whether a token sits in a passive clause coordinated with the trigger's ("was co-organised ... and was attended by 70 officials")."""
    verb, own = governing_verb(target), governing_verb(trigger)
    return (verb.dep_ == "conj" and verb.head.i == own.i and not any(c.dep_ in ("nsubj", "nsubjpass") for c in verb.children)
            and (any(c.dep_ == "auxpass" for c in verb.children) or verb.lemma_.lower() in rules.event_subject_verbs))


def excluded(token: Token, rules: Rules) -> bool:
    """Return whether a name sits in a phrase that sets it apart ("Beyond Russia and India", "except") or that it is represented in ("On behalf of ASEAN")."""
    node, after_comma = token, False
    while node.head.i != node.i and node.pos_ not in ("VERB", "AUX"):
        if (node.dep_ == "prep" and node.lower_ in rules.excluding_preps) or (node.dep_ == "pobj" and node.i != token.i and node.lemma_.lower() in rules.excluding_objects):
            # "On the sidelines of the Conference, China and Japan held ...": the parser may hang the clause's subject on
            # the phrase as a conjunct after its comma; with the verb left without a subject, the name is that subject
            return not (after_comma and not any(c.dep_ in ("nsubj", "nsubjpass") for c in governing_verb(token).children))
        if node.dep_ == "conj" and node.i > 0 and node.doc[node.i - 1].text == "," and node.head.i < node.i:
            after_comma = True
        node = node.head
    return False


def clause_on(trigger: Token, target: Token, strict: bool = False) -> bool:
    """Return whether a token sits in a relative or participial clause on the trigger ("a workshop ..., which was attended by 70 officials").

    A clause coordinated with such a clause counts too ("a seminar ..., co-hosted by Poland and attended by some 60 officials");
    ``strict`` wants the clause on the trigger itself, not on a noun of its phrase.
    """
    verb = governing_verb(target)
    while verb.dep_ == "conj" and verb.head.pos_ in ("VERB", "AUX") and verb.head.i != verb.i:
        verb = verb.head
    if verb.dep_ not in ("relcl", "acl"):
        return False
    return verb.head.i == trigger.i or (not strict and trigger.pos_ == "NOUN" and trigger.i in {a.i for a in verb.head.ancestors})


def own_clause(trigger: Token) -> bool:
    """Return whether a trigger sits in a coordinated clause with its own subject ("..., and the two countries have held ...")."""
    node = trigger
    while node.head.i != node.i:
        if node.dep_ == "conj" and node.pos_ in ("VERB", "AUX") and any(c.dep_ in ("nsubj", "nsubjpass") for c in node.children):
            return True
        node = node.head
    return False


def clause_has_trigger(token: Token, triggers: list[Token]) -> bool:
    """Return whether the clause of a mention holds a trigger (else it reports something else: "sent experts to Laos")."""
    verb = governing_verb(token)
    above = {a.i for a in verb.ancestors} | {verb.i}
    if verb.dep_ == "relcl":
        return any(t.i == verb.i or verb.i in {a.i for a in t.ancestors} for t in triggers)  # a relative clause lends only to its own triggers
    return any(t.i in above or verb.i in {a.i for a in t.ancestors} for t in triggers)


def fronted_partner(token: Token, trigger: Token, rules: Rules) -> bool:
    """Return whether a name is the partner of a fronted participle on the trigger's verb ("Working with OPANAL, the Ministry has run ...")."""
    participle = token.head.head if token.dep_ == "pobj" and token.head.lower_ in rules.partner_preps else None
    return (participle is not None and participle.dep_ == "advcl" and participle.tag_ == "VBG" and participle.i < participle.head.i
            and participle.head.i == governing_verb(trigger).i)


def partner_slot(token: Token, trigger: Token, rules: Rules) -> bool:
    """Return whether a name fills the slot of the trigger's partner: its verb's object, or "with"/"to" after the trigger or its verb."""
    if fronted_partner(token, trigger, rules):
        return True
    verb = governing_verb(trigger)
    if token.dep_ in ("dobj", "nsubjpass") and token.head.i in (verb.i, trigger.i):
        return True
    if token.dep_ == "pobj" and token.head.lower_ == "of" and token.head.head.i == trigger.i and trigger.pos_ == "NOUN":
        return True  # "a member of the United Nations Committee on the Peaceful Uses of Outer Space"
    return token.dep_ == "pobj" and token.head.lower_ in rules.partner_preps and token.head.head.i in (verb.i, trigger.i)


def origin(token: Token, trigger: Token, rules: Rules) -> bool:
    """Return whether a place is where participants come from ("officials from the Americas"), not where the activity was."""
    node = token
    for _ in range(12):
        if node.i == trigger.i or node.head.i == node.i or node.pos_ in ("VERB", "AUX"):
            return False
        if node.dep_ == "prep" and node.lower_ in rules.origin_preps:
            return True
        node = node.head
    return False


def site_country(token: Token, rules: Rules) -> bool:
    """Return whether a country only says where the sites of the event are ("... at facilities in Austria and the Republic of Korea",
    "most of them in Germany"), not who took part."""
    lead = first_conjunct(token)
    place = lead.head
    if not (lead.dep_ == "pobj" and place.dep_ == "prep" and place.lower_ in rules.site_inner_preps):
        return False
    if any(c.dep_ == "prep" and c.lower_ == "of" and any(g.dep_ == "pobj" and g.tag_ == "PRP" for g in c.children) for c in place.head.children):
        return True  # "trained 38 officers ..., most of them in Germany and Italy": where a part of them was
    return (place.head.pos_ == "NOUN" and place.head.lemma_.lower() in rules.site_nouns and place.head.dep_ == "pobj" and place.head.head.lower_ in rules.site_preps)


def topic_clause(token: Token, trigger: Token, rules: Rules) -> bool:
    """Return whether a place or date sits in a clause inside the trigger's topic phrase.

    "consultations ... on the interdiction of shipments crossing the
    Mediterranean": the Mediterranean is what the shipments cross, not where
    the consultations were held.
    """
    verb = governing_verb(token)
    if verb.i == trigger.i or verb.dep_ not in ("acl", "relcl"):
        return False
    node = verb
    for _ in range(12):
        if node.head.i == node.i or node.i == trigger.i:
            return False
        if node.dep_ == "prep" and node.lower_ in rules.topic_preps and node.lower_ not in ("of", "under") and node.head.i in (trigger.i, governing_verb(trigger).i):
            return True
        node = node.head
    return False


def instrument_year(doc: Doc, offset: int, date: dict[str, Any], mentions: list[dict[str, Any]], rules: Rules) -> bool:
    """Return whether a date is the year of an instrument named right before it: "resolution 1540 (2004)"."""
    first, last = token_at(doc, offset, date["start"]), token_at(doc, offset, date["end"] - 1)
    if first is None or last is None or first.i < 2 or last.i + 1 >= len(doc) or doc[first.i - 1].text != "(" or doc[last.i + 1].text != ")":
        return False
    before = doc[first.i - 2]  # the instrument's last word, right before "("
    return any(m["label"] in rules.instrument_labels and m["end"] == offset + idx(before) + len(before.text) for m in mentions)


def period_date(token: Token, rules: Rules) -> bool:
    """Return whether a date is a year of a span of years after a period preposition ("for 2024–2026"; not "for 2019", "scheduled for 12 May 2023")."""
    doc = token.doc
    ranged = token.i + 1 < len(doc) and (doc[token.i + 1].text in HYPHENS or doc[token.i + 1].lower_ == "to") and token.i + 2 < len(doc) and doc[token.i + 2].like_num
    k = token.i - 1
    while k >= 0 and (doc[k].like_num or doc[k].text in HYPHENS or doc[k].lower_ == "to"):
        ranged |= doc[k].text in HYPHENS or doc[k].lower_ == "to"
        k -= 1
    return ranged and k >= 0 and doc[k].lower_ in rules.period_preps


def reported(token: Token, rules: Rules) -> bool:
    """Return whether a noun carries a clause of its own that reports it ("an agreement signed in Hanoi in 2011").

    The clause may hang on the noun's "of" complement ("a memorandum of cooperation signed in Putrajaya").
    """
    return any(c.dep_ in ("acl", "relcl") and c.pos_ == "VERB" for noun in (token, *noun_complements(token, rules)) for c in noun.children)


def noun_complements(token: Token, rules: Rules, depth: int = 3) -> list[Token]:
    """Return the nouns of the noun's prepositional complements, nested ("cooperation" in "a memorandum of cooperation",
    "energy" in "an agreement on the peaceful uses of nuclear energy")."""
    found = []
    for p in token.children:
        if p.dep_ == "prep" and p.lower_ in rules.report_preps:
            for g in p.children:
                if g.dep_ == "pobj":
                    found.append(g)
                    if depth > 1:
                        found += noun_complements(g, rules, depth - 1)
    return found


def under_frame(token: Token, rules: Rules) -> bool:
    """Return whether a noun sits in a phrase headed by a frame preposition ("under Article 3 of their agreement")."""
    if reported(token, rules):
        return False  # "Under an agreement signed in Hanoi in 2011": the frame's own signing is an event
    node = token
    while node.head.i != node.i and node.pos_ not in ("VERB", "AUX"):
        if node.dep_ == "pobj" and node.head.lower_ in rules.framework_preps:
            return True
        node = node.head
    return False


def in_subject_of(token: Token, trigger: Token) -> bool:
    """Return whether a token sits in the subject of the trigger's verb."""
    verb = governing_verb(trigger)
    return any(token.i in {t.i for t in child.subtree} for child in verb.children if child.dep_ in ("nsubj", "nsubjpass"))


def from_phrase(token: Token, rules: Rules, sources_only: bool = False) -> bool:
    """Return whether a token sits in a "from" phrase inside a noun phrase ("counterparts from Norway").

    With ``sources_only``, a "from" phrase of people ("officials from Cambodia") does not count: they took part;
    a "from" phrase of a thing does ("with funding from the EU").
    """
    node = token
    while node.head.i != node.i and node.pos_ not in ("VERB", "AUX"):
        if node.dep_ == "prep" and node.lower_ in rules.source_preps:
            if not sources_only:
                return True
            before = node.doc[node.i - 1] if node.i else node
            if singular(before.lemma_.lower()) in rules.participant_units:
                return False  # "courses on the control of radioactive sources for regulators from Ukraine": the parser hangs "from" on "sources"
            return node.head.pos_ in ("NOUN", "PROPN") and singular(node.head.lemma_.lower()) not in rules.participant_units
        node = node.head
    return False


def funder(token: Token, trigger: Token, rules: Rules) -> bool:
    """Return whether a party pays for the activity: the subject or the agent of a funding verb the trigger is an argument of
    ("the workshop was funded by the EU and by New Zealand"; not "Germany financed ..., and in 2019 it also trained 24 armourers")."""
    verb = governing_verb(trigger)
    if verb.lemma_.lower() not in rules.funding_verbs:
        return False
    node = token
    while node.dep_ in ("conj", "appos") and node.head.i != node.i:
        node = node.head
    if node.dep_ == "nsubj":
        return node.head.i == verb.i
    if node.dep_ != "pobj":
        return False
    prep = node.head
    prep = first_conjunct(prep)  # "by the EU and by New Zealand"
    return prep.dep_ == "agent" and prep.head.i == verb.i


def topic(token: Token, rules: Rules) -> bool:
    """Return whether a mention is what an activity is about ("consultations ... on Iran"), not a party to it."""
    while token.dep_ in ("compound", "appos", "flat") and token.head.i != token.i:
        token = token.head
    return token.dep_ == "pobj" and token.head.lower_ in rules.topic_preps and token.head.lower_ not in ("of", "under")


def framework(token: Token, rules: Rules) -> bool:
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
    if hyphen_pair(token):
        return False  # "the China-EU dialogue": the pair names the two parties
    if token.dep_ in ("nmod", "compound") and token.head.pos_ == "PROPN" and any(c.dep_ == "cc" for c in token.children):
        return False  # "from Fiji, Solomon Islands, Vanuatu and Papua New Guinea": the parser hangs a listed name on the next one
    if token.dep_ in ("compound", "poss", "nmod", "amod") and token.head.pos_ in ("NOUN", "PROPN"):
        noun = token.head.lemma_.lower()
        activity = rules.trigger_activity.get(noun)
        if noun in rules.needs_of and not any(c.dep_ == "prep" and c.lower_ == "of" for c in token.head.children):
            activity = None  # "its MTCR partners": partners, not a partnership
        named = token.head
        while named.pos_ == "PROPN" and named.dep_ in ("compound", "conj", "nmod") and named.head.i != named.i and named.head.pos_ in ("NOUN", "PROPN"):
            named = named.head  # "(the STMO and) US EXBS experts": people named after their programme too
        if activity is None and noun not in rules.participant_units and named.lemma_.lower() not in rules.participant_units:
            return True  # "the NSG decision", "the CTBT verification regime": the entity qualifies a thing
        group = token.head
        while group.dep_ == "compound" and group.head.i != group.i:
            group = group.head  # "SCO member states": the group is "states"
        kind = group.lemma_.lower()
        if (kind in rules.party_units or kind in rules.member_heads) and group.dep_ == "pobj" and group.head.lower_ in rules.origin_preps:
            return True  # "officials from 20 ARF members": the members come, not the Forum
        if ((activity if group.i == token.head.i else rules.trigger_activity.get(kind)) is None and rules.trigger_activity.get(group.head.lemma_.lower()) not in rules.compound_counterpart_activities and group.dep_ == "pobj"
                and (kind in rules.party_units or kind in rules.member_heads)):
            return True  # "consultations with its MTCR partners", "officers from SCO member states": the group the partners belong to ("IAEA inspectors" are the IAEA's)
        if activity is not None and activity not in rules.compound_counterpart_activities and token.dep_ != "poss":
            return True  # "two ARF seminars": held under the ARF, not with it (but "the Commission's regional training course" is the Commission's own)
    return head.dep_ == "pobj" and head.head.lower_ == "of" and head.head.head.lemma_.lower() in rules.framework_nouns


def hyphen_pair(token: Token) -> bool:
    """Return whether a name is one side of a hyphenated pair of parties ("China-EU", "Canada-US")."""
    doc = token.doc
    before = token.i >= 2 and doc[token.i - 1].text in HYPHENS and doc[token.i - 2].pos_ == "PROPN"
    after = token.i + 2 < len(doc) and doc[token.i + 1].text in HYPHENS and doc[token.i + 2].pos_ == "PROPN"
    return before or after


def premodifies(last: Token, trigger: Token) -> bool:
    """Return whether a name stands right before the trigger noun with only common words between ("a joint AG outreach seminar")."""
    if trigger.pos_ != "NOUN" or not last.i < trigger.i or trigger.i - last.i > 4:
        return False
    return all(t.is_lower and t.pos_ in ("NOUN", "ADJ") for t in last.doc[last.i + 1:trigger.i])


def count_rank(doc: Doc, offset: int, m: dict[str, Any], trigger: Token, rules: Rules) -> int:
    """Rank a COUNT for a trigger: 0 counts the events, 1-4 participants (people before parties, near before far), 5 an audience, 9 unrelated."""
    first = token_at(doc, offset, m["start"])
    last = token_at(doc, offset, m["end"] - 1)
    if first is None or last is None:
        return 9
    if first.i <= trigger.i <= last.i or (trigger.head.i != trigger.i and trigger.head.head.i == last.i and trigger.head.lower_ == "of"
                                          and unit(m) not in rules.duration_units):
        return 0  # ("two rounds of consultations"; not "the first two days of the workshop")
    singular = unit(m)
    if last.pos_ == "NOUN" and last.dep_ == "pobj" and last.head.head.i == trigger.i and rules.trigger_activity.get(singular) == rules.activity_of(trigger):
        return 0  # "trained about 240 customs officers ... in 14 courses": the courses are the training's events
    if singular in rules.participant_units:
        # participants of this very event ("a seminar ..., attended by about 150 participants") before parties named elsewhere
        # people before the parties they come from ("500 officers from 28 African countries" counts 500)
        verb = governing_verb(last)
        own_clause = verb.dep_ in ("relcl", "acl") and verb.head.i == trigger.i  # "a regional workshop ..., which was attended by 70 officials"
        near = own_clause or governs(trigger, last) or governs(governing_verb(trigger), verb)
        party = singular in rules.party_units
        return (3 if party else 1) if near else (4 if party else 2)
    activity = rules.activity_of(trigger)
    if activity in rules.audience_activities and last.pos_ == "NOUN" and last.tag_ == "NNS" and (
            (last.dep_ == "pobj" and last.head.lower_ in rules.audience_preps and last.head.head.i in (trigger.i, governing_verb(trigger).i))
            or (last.dep_ == "dobj" and trigger.pos_ == "VERB" and last.head.i == trigger.i)):
        return 5  # "a training course ... for 18 seismologists", "has trained 28 Ecuadorian physicists": whoever the event served (no participants of their own)
    return 9


def unit(mention: dict[str, Any]) -> str:
    """Return the singular head word of a COUNT's unit, lowercased ("Southeast Asian States" -> "state")."""
    return singular((mention["norm"].get("unit") or "").split(" ")[-1].lower())
