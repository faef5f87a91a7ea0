"""Who the parties of a trigger's clause are: co-actors, third parties acting among themselves, events abroad.

Whether a record is the actor's own engagement at all ("Russia held a
dialogue with Iran" is not), and which named subjects act on the actor's
side ("ASEAN held ... consultations with the five nuclear-weapon States").
docs/DECISIONS.md gives the rules.
"""
from __future__ import annotations

from typing import Any

import pycountry
from spacy.tokens import Doc, Span, Token

from .anaphora import UNSET, numbered_anaphor
from .clauses import from_phrase
from .rules import Rules
from .syntax import governing_verb, token_at


def drop_co_actors(rec: dict[str, Any], doc: Doc, offset: int, span, rules: Rules, numbered=UNSET) -> None:
    """Drop subject parties when the trigger names its partners after "with": the subject acts with the actor.

    "ASEAN held five rounds of consultation with the five nuclear-weapon States": ASEAN is on the
    actor's side; the partners are the five States (named, or resolved from the anaphor).
    """
    trigger = rec["triggers"][0]
    verb = governing_verb(trigger)
    partners = {t.i for head in (trigger, verb) for child in head.children if child.dep_ == "prep" and child.lower_ == "with" for t in child.subtree}
    partners |= {t.i for prep in trigger.subtree if prep.dep_ == "prep" and prep.lower_ == "with" for t in prep.subtree}  # "consultations on the Protocol ... with China, France, ..."
    if not partners:
        return
    own = {t.i for t in trigger.subtree}  # "The agreement with Korea ... paved the way": the trigger's own partner, not a co-actor
    subject = {t.i for child in verb.children if child.dep_ in ("nsubj", "nsubjpass") for t in child.subtree if t.i < verb.i and t.i not in own}
    numbered = numbered_anaphor(span, rules) if numbered is UNSET else numbered
    at = token_at(doc, offset, numbered[2]) if numbered else None
    named = [cid for cid, (m, _) in rec["counterparts"].items() if (tok := token_at(doc, offset, m["start"])) is not None and tok.i in partners]
    # "Portugal, together with Greece, ..., held two rounds of consultations with the European Commission": a partner with no id still names the other side
    if named or (at is not None and at.i in partners) or rec.get("unnamed"):
        for cid in [cid for cid, (m, _) in rec["counterparts"].items() if (tok := token_at(doc, offset, m["start"])) is not None and tok.i in subject]:
            del rec["counterparts"][cid]


def international(rec: dict[str, Any], rules: Rules) -> bool:
    """Return whether a counted event with no named counterpart was international: "15 regional seminars", held abroad."""
    trigger = rec["triggers"][0]
    nouns = [trigger, trigger.head] if trigger.dep_ == "compound" else [trigger]  # "12 international training courses"
    if any(c.dep_ in ("amod", "compound") and c.lower_ in rules.international_modifiers for noun in nouns for c in noun.children):
        return True
    if rec.get("participants_from_abroad") or rec.get("unnamed_partner"):
        return True
    home = _alpha2(rec.get("actor"))
    return home is not None and any(pid and pid.split("-")[0] != home for _, pid, _ in rec["places"].values())


def _alpha2(alpha3: str | None) -> str | None:
    country = pycountry.countries.get(alpha_3=alpha3) if alpha3 else None
    return country.alpha_2 if country else None


def third_parties(doc: Doc, offset: int, trigger: Token, mentions: list[dict[str, Any]], actor: str | None, rules: Rules, solo: bool = False) -> bool:
    """Return whether other parties act among themselves: the trigger's subject names two or
    more of them and the sentence never names the actor ("Kyrgyzstan, Tajikistan, Turkmenistan
    and Uzbekistan signed it"). One named party acting on the actor ("The OPCW has carried out
    600 inspections in China", "US officials held three rounds of consultation") stays, except
    with ``solo``: one other country joining, signing or ratifying something acts for itself.
    The actor named in another clause does not count ("Brazil has been a participating
    Government of the NSG since 1996; South Africa joined both regimes in 1995")."""
    verb = governing_verb(trigger)
    named = [token_at(doc, offset, m["start"]) for m in mentions if m["norm"].get("id") == actor]
    if any(tok is None or not (_apart(tok, verb) or _denied(tok, verb)) for tok in named):
        return False  # the actor named in the trigger's own clause (or where the parse cannot tell)
    if any((t.text in rules.actor_pronouns or rules.demonyms.get(t.text) == actor or (named and t.text in rules.actor_back_pronouns and _partner_word(t, rules)))
           and not _apart(t, verb) for t in trigger.sent):
        return False  # "..., and Kazakhstan and Uzbekistan signed agreements with it", "... with the Chinese side": the actor again
    parties = subject_parties(doc, offset, trigger, mentions, rules)
    if parties is None:
        return False  # "SSM and the regulators of Ukraine, Georgia and Armenia held ...": the actor's own body acts with them
    if solo and any(m["label"] == "COUNTRY" and m["norm"].get("id") in parties for m in mentions):
        return True  # "Iran became a member state of the SCO in July 2023": another country's own accession
    return len(parties) >= 2  # "Dutch experts and their counterparts from Norway and Sweden": people acting, not the parties


def _partner_word(token: Token, rules: Rules) -> bool:
    """Return whether a word names a partner: after "with"/"to", itself or as its noun's possessor ("with it", "with its delegation"; not "among its neighbours")."""
    node = token.head if token.dep_ == "poss" else token
    return node.dep_ == "pobj" and node.head.lower_ in rules.partner_preps


def _denied(token: Token, verb: Token) -> bool:
    """Return whether a token's own clause, not ``verb``'s, is negated ("..., in which Malaysia did not take part")."""
    other = governing_verb(token)
    return other.i != verb.i and any(c.dep_ == "neg" for c in other.children)


def _apart(token: Token, verb: Token) -> bool:
    """Return whether a token stands in another clause than ``verb``'s: a coordinated or adverbial clause with its own subject
    ("..., while a memorandum between Vanuatu and Papua New Guinea was not ready"), or across a semicolon."""
    other = governing_verb(token)
    if other.i == verb.i:
        return False
    low, high = sorted((token.i, verb.i))
    if any(t.text == ";" for t in token.doc[low:high]):
        return True
    clauses = [v for v in (other, verb) if v.dep_ in ("conj", "advcl") and any(c.dep_ in ("nsubj", "nsubjpass") for c in v.children)]
    return bool(clauses) and (other.head.i == verb.i or verb.head.i == other.i or other.head.i == verb.head.i)


def subject_parties(doc: Doc, offset: int, trigger: Token, mentions: list[dict[str, Any]], rules: Rules) -> set[str] | None:
    """Return the ids of the parties the trigger's subject names; None when a body with no id is among them (the actor's own)."""
    verb = governing_verb(trigger)
    while verb.dep_ == "xcomp" and verb.head.i != verb.i and not any(c.dep_ in ("nsubj", "nsubjpass") for c in verb.children):
        verb = verb.head  # "Fiji and Tonga used the occasion to sign a memorandum": the subject of the verb it completes
    subject = {t.i for child in verb.children if child.dep_ in ("nsubj", "nsubjpass") for t in child.subtree if t.i < verb.i}  # after the verb: a parse error
    if verb.dep_ == "relcl" and len(subject) == 1 and doc[min(subject)].tag_ in ("WDT", "WP"):
        subject = {t.i for t in verb.head.subtree if t.i < min(subject)}  # "South Africa, which ratified the TPNW in 2019": the pronoun's antecedent
    subject -= {t.i for i in subject if (prep := doc[i]).dep_ == "prep" and prep.lower_ in rules.partner_preps for t in prep.subtree}  # "Those with Uzbekistan and Mongolia were signed"
    countries = [(m["start"], m["end"]) for m in mentions if m["label"] == "COUNTRY" and m["norm"].get("id")]
    if any(m["label"] == "ORG" and not m["norm"].get("id") and (tok := token_at(doc, offset, m["start"])) is not None and tok.i in subject
           and not any(m["start"] <= s and e <= m["end"] for s, e in countries) for m in mentions):
        return None  # (a body named with a country, "Singapore Customs", is that country's: the country is among the parties)
    return {m["norm"]["id"] for m in mentions if m["label"] in ("COUNTRY", "ORG", "REGIME") and m["norm"].get("id")
            and (tok := token_at(doc, offset, m["start"])) is not None and tok.i in subject and not from_phrase(tok, rules)}


def one_party_with_another(doc: Doc, offset: int, triggers: list[Token], mentions: list[dict[str, Any]], actor: str | None, counterparts, rules: Rules,
                           sentence: Span) -> bool:
    """Return whether another country acts with a counterpart of its own, the actor unnamed ("Russia held a dialogue with Iran" in Japan's paper).

    One party acting alone on the actor's side stays ("US officials held
    three rounds of consultation", "The OPCW has carried out 600
    inspections in China"): its counterparts are its own id only. So does a
    body the actor belongs to ("ASEAN held three rounds of consultations
    with China, France, ..." in Indonesia's paper): only a country is
    another party for sure. A sentence that names the actor by its demonym
    or in the first person ("with Japanese experts", "Kazakhstan and our
    country co-hosted ...") is the actor's.
    """
    if actor is None or any(m["norm"].get("id") == actor for m in mentions):
        return False
    if any(t.text in rules.actor_pronouns for t in sentence) or _actor_demonym(doc, offset, sentence, actor, rules):
        return False
    countries = {m["norm"].get("id") for m in mentions if m["label"] == "COUNTRY"}
    for trigger in triggers:
        parties = subject_parties(doc, offset, trigger, mentions, rules)
        if parties and len(parties) == 1 and parties <= countries and (any(cid not in parties for cid in counterparts)
                                                                        or _partner_country(doc, offset, trigger, mentions, parties, rules)):
            return True
    return False


def _partner_country(doc: Doc, offset: int, trigger: Token, mentions: list[dict[str, Any]], parties: set[str], rules: Rules) -> bool:
    """Return whether the trigger's partner phrase names another country, as its body's possessor too ("with Indonesia's Directorate General of Customs")."""
    verb = governing_verb(trigger)
    spans = [(p.left_edge.i, p.right_edge.i) for head in {trigger.i: trigger, verb.i: verb}.values() for p in head.children if p.dep_ == "prep" and p.lower_ in rules.partner_preps]
    return any(m["label"] == "COUNTRY" and m["norm"].get("id") not in parties and (tok := token_at(doc, offset, m["start"])) is not None
               and any(low <= tok.i <= high for low, high in spans) for m in mentions)


def _actor_demonym(doc: Doc, offset: int, sentence: Span, actor: str, rules: Rules) -> bool:
    """Return whether the actor's demonym qualifies a party of the event: in the subject or after a partner preposition ("with Japanese experts")."""
    for match in rules.demonym_pattern.finditer(sentence.text):  # the Doc's text (folded): its offsets are the Doc's, not the document's
        if rules.demonyms.get(" ".join(match.group().split())) != actor:
            continue
        found = doc.char_span(sentence.start_char + match.start(), sentence.start_char + match.end(), alignment_mode="expand")
        node = found[-1] if found is not None and len(found) else None
        for _ in range(8):  # up from the demonym through what it qualifies: "with Kazakh and Japanese experts", "with experts from Japanese universities"
            if node is None:
                break
            if node.dep_ in ("nsubj", "nsubjpass") or (node.dep_ == "pobj" and node.head.lower_ in rules.partner_preps):
                return True
            if node.dep_ in ("amod", "compound", "conj", "appos", "nmod", "poss") and node.head.i != node.i:
                node = node.head
            elif node.dep_ == "pobj" and node.head.dep_ == "prep" and node.head.lower_ in rules.qualifier_preps and node.head.head.i != node.head.i:
                node = node.head.head
            else:
                break
    return False
