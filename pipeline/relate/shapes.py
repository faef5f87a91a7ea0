"""Tell the shapes of an event's sentence: phrases, fronted and coordinated parts, relative clauses, table rows.

Helpers of finder.py's Relater, on the dependency parse: which noun heads a
trigger's phrase, whether a phrase is fronted or coordinated with another
event's, whether a member head tells what a party is, whether a sentence is
a table's rows.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from spacy.tokens import Doc, Token

from ..normalize.text import singular
from .clauses import across_semicolon
from .rules import Rules
from .syntax import governing_verb, token_at


def phrase_head(trigger: Token) -> Token:
    """Return the head of a trigger noun's phrase: the noun it modifies when it is a compound ("Member" in "A Member State of the IAEA")."""
    return trigger.head if trigger.dep_ == "compound" else trigger


def fronted_phrase(trigger: Token) -> bool:
    """Return whether a trigger noun heads a phrase set before its clause ("A founding member of the OAU in 1963, Morocco rejoined ...",
    "A Member State of the IAEA since 1957, Romania concluded ...")."""
    head = phrase_head(trigger)
    return head.pos_ in ("NOUN", "PROPN") and head.dep_ in ("advcl", "npadvmod", "dep") and head.i < head.head.i


def inside_other_event(verb: Token, own: Token, triggers: set[int]) -> bool:
    """Return whether ``verb`` is, or sits inside, a trailing participle clause of ``own`` that is an event of its own ("..., having subscribed to the HCoC")."""
    node = verb
    while node.i != own.i and node.head.i != node.i:
        if node.i in triggers and node.dep_ == "advcl" and node.i > node.head.i:
            return True
        node = node.head
    return False


def noun_phrase_top(trigger: Token) -> Token:
    """Return the noun heading a trigger noun's phrase: "rounds" in "four rounds of consultations" (up through of-complements and compounds)."""
    node = trigger
    while node.dep_ in ("pobj", "compound") and node.head.i != node.i:
        up = node.head.head if node.dep_ == "pobj" and node.head.dep_ == "prep" and node.head.lower_ == "of" else node.head if node.dep_ == "compound" else None
        if up is None or up.pos_ not in ("NOUN", "PROPN"):
            break
        node = up
    return node


def sibling_phrase(token: Token, trigger: Token, tops: set[int]) -> bool:
    """Return whether a token belongs to another trigger's noun phrase coordinated with the trigger's own.

    The nearest phrase top above the token owns it; "four rounds of consultations with France ..., and two rounds of
    dialogue with the United Kingdom" coordinates two phrases, each with its own partner (and dates).
    """
    if trigger.pos_ != "NOUN":
        return False
    own = noun_phrase_top(trigger)
    node = token
    while node.i not in tops and node.head.i != node.i:
        node = node.head
    if node.i not in tops or node.i == own.i:
        return False
    return (node.dep_ == "conj" and node.head.i in (own.i, own.head.i)) or (own.dep_ == "conj" and own.head.i in (node.i, node.head.i))  # (the parser may hang
    # the second object on the verb: "held four rounds of ..., and two rounds of ...")


def partner_relative(verb: Token, rules: Rules) -> Token | None:
    """Return a relative clause whose relative pronoun is the partner ("Kazakhstan, with which China signed ..."), else None."""
    if verb.dep_ != "relcl":
        return None
    partner = any(c.dep_ == "prep" and c.lower_ in rules.partner_preps and any(g.tag_ in ("WDT", "WP") for g in c.children) for c in verb.children)
    return verb if partner else None


def before_own_clause(token: Token, verb: Token, back_references: frozenset[str]) -> bool:
    """Return whether a semicolon stands between ``token`` and ``verb``, whose clause has a singular subject of its own after it
    and refers back to nothing: the token is another clause's.

    The parser may hang words of the clause before the semicolon on the verb after it in any way (as a
    conjunct of a comma: "Viet Nam is a State Party to the NPT, the CWC and the BWC; it ratified ..."). A
    plural subject ("the two sides", "both countries") or a word of ``back_references`` in the clause ("they",
    "each", "with them", "with all three") takes up the parties of the clause before.
    """
    if token.i >= verb.i:
        return False
    semicolons = [t.i for t in token.doc[token.i + 1:verb.i] if t.text == ";"]
    if not semicolons:
        return False
    clause = verb
    while clause.dep_ in ("conj", "advcl", "xcomp") and clause.head.i > semicolons[-1]:
        clause = clause.head  # "...; it ratified the CTBT ... and signed the TPNW ..., ratifying it ...": the subject of the first verb
    if any(t.lower_ in back_references for t in token.doc[semicolons[-1] + 1:clause.right_edge.i + 1]):
        return False
    return any(c.dep_ in ("nsubj", "nsubjpass") and semicolons[-1] < c.i < clause.i and c.tag_ not in ("NNS", "NNPS") for c in clause.children)


def event_across_semicolon(verb: Token, own: Token, trigger: Token, triggers: set[int]) -> bool:
    """Return whether ``verb`` is, or sits inside, a clause hung on ``own`` across a semicolon that holds another event.

    The parser may hang the clause before a semicolon on the one after it ("Romania joined the NSG ... in 1993 and
    the Australia Group in 1995; in July 1996 it was among the 33 founding participating States of the WA"):
    the accession's regimes and years are not the membership's.
    """
    return _branch_with_other_event(verb, own, trigger, triggers, across_semicolon)


def _branch_with_other_event(verb: Token, own: Token, trigger: Token, triggers: set[int], apart: Callable[[Token], bool]) -> bool:
    """Return whether ``verb`` sits in a branch hung right on ``own`` that ``apart`` sets apart and that holds another trigger, not this one."""
    node = verb
    while node.i != own.i and node.head.i != node.i:
        if node.head.i == own.i and apart(node):
            inside = {t.i for t in node.subtree}
            return trigger.i not in inside and any(i in inside for i in triggers if i != trigger.i)
        node = node.head
    return False


def table_rows(sentence: str, rules: Rules) -> bool:
    """Return whether a sentence is a table's rows: a line of three or more cells set apart by a configured separator, and no
    line of prose (one ending like a sentence without cells: "China signed ... with Chile in 2012." glued under a table is told)."""
    if not any(sep in sentence for sep in rules.table_cell_separators):
        return False  # (most sentences)
    lines = [line.strip() for line in sentence.splitlines() if line.strip()]
    rows = [any(line.count(sep) >= 2 for sep in rules.table_cell_separators) for line in lines]
    return any(rows) and not any(not row and line[-1] in ".;!?" for row, line in zip(rows, lines))


def as_member(token: Token, rules: Rules) -> bool:
    """Return whether a member head tells what a party is: with "be" ("it was among the ... participating States"), after "as" (configs)
    ("As a participating government of the NSG since 2004, ..."), or fronted ("A founding Member State of the Agency, ...");
    not an audience ("China briefed the 42 Participating States"), nor the subject ("Thirteen Forum members are now party to it": the group)."""
    if token.dep_ in ("nsubj", "nsubjpass"):
        return False
    if governing_verb(token).lemma_ in rules.member_verbs or fronted_phrase(token):
        return True
    node = token
    for _ in range(3):
        if node.dep_ == "pobj" and node.head.lower_ in rules.member_preps:
            return True
        node = node.head
    return False


def names_group(token: Token, rules: Rules) -> bool:
    """Return whether a member head names the group it belongs to ("participating government of the NSG", "participating states in the IPNDV")."""
    return any(c.dep_ == "prep" and c.lower_ in rules.member_complement_preps for c in token.children)


def noun_lemma(token: Token) -> str:
    """Return a noun's lowercased lemma, singular also for a plural proper noun the lemmatizer keeps ("participating States", tagged NNP or NNPS)."""
    lemma = token.lemma_.lower()
    return singular(lemma) if token.tag_ in ("NNP", "NNPS") else lemma


def coordinated_event(verb: Token, own: Token, trigger: Token, triggers: set[int]) -> bool:
    """Return whether ``verb`` is, or sits inside, a verb coordinated with ``own`` that has an object and another event of its own.

    Both verbs must have their objects ("signed 24 agreements ... and held four rounds of consultations with ..."):
    in "signed and ratified the CTBT" the treaty is the object of both.
    """
    def with_object(node: Token) -> bool:
        return any(c.dep_ == "dobj" for c in node.children)

    return with_object(own) and _branch_with_other_event(verb, own, trigger, triggers, lambda node: node.dep_ == "conj" and node.pos_ == "VERB" and with_object(node))


def mention_tokens(doc: Doc, offset: int, m: dict[str, Any], first: Token) -> list[Token]:
    """Return the tokens of a mention (the parser may hang a long name's parts on different heads)."""
    last = token_at(doc, offset, m["end"] - 1)
    return list(doc[first.i:(last.i if last is not None else first.i) + 1])


def antecedent_noun(relative_clause: Token) -> Token:
    """Return the noun a relative clause tells of: its head, or the event noun whose partner the parser hung it on.

    "its safeguards agreement with the IAEA, which was signed on ...": the parser hangs the clause on the
    Agency, a name that nobody signs; the agreement was.
    """
    head = relative_clause.head
    while head.dep_ == "appos":
        head = head.head
    if head.pos_ == "PROPN" and head.dep_ == "pobj" and head.head.dep_ == "prep" and head.head.head.pos_ == "NOUN":
        return head.head.head
    return relative_clause.head


def actor_subject(trigger: Token, mentions: list[dict[str, Any]], actor: str | None, doc: Doc, offset: int) -> bool:
    """Return whether the actor's name is the subject of the trigger's verb ("Brazil ratified it in January 1968")."""
    subject = {t.i for c in governing_verb(trigger).children if c.dep_ in ("nsubj", "nsubjpass") for t in c.subtree}
    return actor is not None and any(m["norm"].get("id") == actor and (tok := token_at(doc, offset, m["start"])) is not None and tok.i in subject for m in mentions)
