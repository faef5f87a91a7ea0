"""Small questions about a dependency parse: which verb governs a token, does one token govern another."""
from __future__ import annotations

from spacy.tokens import Doc, Token

from ..fold import char_span


def governing_verb(token: Token) -> Token:
    """Return the nearest verb at or above ``token`` (the root if none)."""
    while token.pos_ not in ("VERB", "AUX") and token.head.i != token.i:
        token = token.head
    return token


def governs(upper: Token, lower: Token) -> bool:
    """Return whether ``upper`` governs ``lower`` without crossing a coordinated verb."""
    node = lower
    while True:
        if node.i == upper.i:
            return True
        if node.head.i == node.i or (node.dep_ == "conj" and node.pos_ in ("VERB", "AUX")) or node.dep_ == "relcl" or (node.dep_ == "advcl" and node.i < node.head.i):
            return False  # another clause: a coordinated verb, a relative clause, a fronted purpose clause ("To strengthen ... in Asia, China ...")
        node = node.head


def prev_lower(token: Token) -> str:
    """Return the lowercased text of the token before ``token`` ("" at the start)."""
    return token.doc[token.i - 1].lower_ if token.i > 0 else ""


def token_at(doc: Doc, offset: int, char: int) -> Token | None:
    span = char_span(doc, char - offset, char - offset + 1, alignment_mode="expand")
    return span[0] if span is not None and len(span) else None


def first_conjunct(token: Token) -> Token:
    """Return the first of the conjuncts ``token`` is coordinated with (itself when none)."""
    while token.dep_ == "conj" and token.head.i != token.i:
        token = token.head
    return token


def conjuncts(token: Token) -> set[int]:
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


def reports_with(token: Token, verbs: frozenset[str]) -> bool:
    """Return whether a verb or participle is one of ``verbs``, also when the tagger or lemmatizer missed it ("co-hosted" -> "co-hoste", "hosted" tagged JJ)."""
    low = token.lower_
    return token.lemma_.lower() in verbs or (low.endswith("ed") and (low[:-1] in verbs or low[:-2] in verbs))  # "organised" -> "organise", "hosted" -> "host"


def loose_participle(trigger: Token, token: Token, verbs: frozenset[str], partner_preps: frozenset[str]) -> bool:
    """Return whether ``token`` is the "with" partner of a reporting participle set off by a comma inside the trigger's phrase, which the parser hung on a nearer noun.

    ("an outreach seminar ... for diplomats from 18 States that have not yet subscribed to the Code, co-organised with Austria":
    the seminar was co-organised, not the Code.)
    """
    part = token.head.head if token.dep_ == "pobj" and token.head.lower_ in partner_preps else None
    if part is None or part.dep_ not in ("acl", "advcl") or part.i <= trigger.i or not reports_with(part, verbs):
        return False
    if part.i == 0 or part.doc[part.i - 1].text != "," or any(c.dep_ in ("nsubj", "nsubjpass") for c in part.children):
        return False
    verb = governing_verb(trigger)
    return verb.left_edge.i <= part.i <= verb.right_edge.i and not any(t.pos_ in ("VERB", "AUX") and t.dep_ in ("conj", "ROOT") and t.i != verb.i for t in part.doc[trigger.i:part.i])


def reporting_participles(trigger: Token, verbs: frozenset[str]) -> list[Token]:
    """Return the participles after the trigger, on it or its verb, that report the event itself with one of ``verbs`` and no subject of their own.

    ("hosted an outreach seminar ..., co-organised with Austria"; "A workshop ..., co-hosted with ..., took place").
    """
    verb = governing_verb(trigger)
    return [c for head in ({trigger.i: trigger, verb.i: verb}.values()) for c in head.children
            if c.dep_ in ("advcl", "acl") and c.i > trigger.i and reports_with(c, verbs) and not any(g.dep_ in ("nsubj", "nsubjpass") for g in c.children)]
