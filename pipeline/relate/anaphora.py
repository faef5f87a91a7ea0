"""Anaphora for engagements: "the two sides", "the five countries", "the Agency", "they", "it", "the dialogue".

Each resolves to entities named earlier in the sentence, the paragraph or (for a
headed anaphor) the document; docs/DECISIONS.md gives the rules.
"""
from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from spacy.tokens import Doc, Token

from ..fold import OFFSET_KEY, idx
from ..normalize.numbers import parse_number
from .rules import Rules, spaced_pattern
from .syntax import conjuncts, first_conjunct, governing_verb, reporting_participles, token_at

UNSET = object()  # "not computed yet" for a sentence's numbered anaphor, which may itself be None


def object_pronoun(trigger: Token, pronouns: frozenset[str] = frozenset({"it"})) -> Token | None:
    """Return the "it" a verb trigger takes as its object ("ratified it"; "having signed the latter": ``pronouns``, [anaphora] treaty_object_pronouns)."""
    if trigger.pos_ != "VERB":
        return None
    return next((c for c in trigger.children if c.dep_ == "dobj" and c.lower_ in pronouns), None)


def nearest_treaty_before(mentions: list[dict[str, Any]], char: int) -> dict[str, Any] | None:
    """Return the last treaty with an id named before ``char`` in the sentence."""
    before = [m for m in mentions if m["label"] == "TREATY" and m["norm"].get("id") and m["end"] <= char]
    return max(before, key=lambda m: m["start"]) if before else None


def add_coordinated_anaphor(rec: dict[str, Any], doc: Doc, offset: int, text: str, sent: dict[str, Any], span, previous: list[dict[str, Any]],
                             by_sentence: dict[str, list[dict[str, Any]]], rules: Rules, names: dict[str, str], activity: str, partner=lambda token: False) -> None:
    """Add the antecedent of an anaphor coordinated with a named counterpart ("by Kazakhstan, Uzbekistan and the Agency"),
    in the event's subject or agent ("by the National Authority and the Organisation"), or where ``partner`` says a partner stands."""
    verb = governing_verb(rec["triggers"][0])
    subject = {t.i for c in verb.children if c.dep_ in ("nsubj", "nsubjpass", "agent") for t in c.subtree}
    # the actor, and any body in the event's subject ("the SÚJB and the Agency have also organised ...")
    named = [m for m, _ in rec["counterparts"].values()] + [m for m in by_sentence.get(sent["id"], []) if (rec.get("actor") and m["norm"].get("id") == rec["actor"])
                                                            or (m["label"] in rules.labels and (tok := token_at(doc, offset, m["start"])) is not None and tok.i in subject)]
    # "by Kazakhstan, Uzbekistan and the Agency"; "Kenya and the Organisation have held ...": coordinated with the actor, the anaphor is its partner
    roots = {tok.head.i if tok.dep_ == "compound" else tok.i for m in named if (tok := token_at(doc, offset, m["end"] - 1)) is not None}
    for mention, anaphor in resolve(text, sent, span, previous, by_sentence, rules, rec.get("actor"), names, activity, groups=False):
        head = token_at(doc, offset, anaphor["end"] - 1)
        if head is None or mention["norm"]["id"] in rec["counterparts"]:
            continue
        if head.dep_ == "pobj" and head.head.lower_ in rules.framework_preps:
            continue  # "Within the Regime, Belgium and the Netherlands have held ...": a frame, whatever the parser coordinates
        group = conjuncts(head)
        if (len(group) > 1 and group & roots) or head.i in subject or partner(head):
            rec["counterparts"][mention["norm"]["id"]] = (mention, anaphor)


def add_subject_pair(rec: dict[str, Any], text: str, sent: dict[str, Any], span, previous: list[dict[str, Any]],
                      by_sentence: dict[str, list[dict[str, Any]]], rules: Rules, names: dict[str, str], activity: str, numbered=UNSET) -> None:
    """Add the actor's partner named by a subject "the two X" when the sentence names other counterparts too.

    "the two commissions also trained more than 60 ... officials from Bolivia, Paraguay and Uruguay":
    the other commission's country is a counterpart besides the trainees'.
    """
    numbered = numbered_anaphor(span, rules) if numbered is UNSET else numbered
    if numbered is None or numbered[0] != 2 or not numbered[4]:
        return
    for mention, anaphor in resolve(text, sent, span, previous, by_sentence, rules, rec.get("actor"), names, activity, numbered=numbered):
        if anaphor["start"] == numbered[2]:
            rec["counterparts"].setdefault(mention["norm"]["id"], (mention, anaphor))


def subject_anaphor(trigger: Token, rules: Rules) -> bool:
    """Return whether the trigger's subject is an anaphor phrase ("the Agency has carried out ...")."""
    for child in governing_verb(trigger).children:
        if child.dep_ in ("nsubj", "nsubjpass"):
            words = " ".join(t.lower_ for t in child.subtree)
            if any(words == phrase or words.startswith(phrase + " ") for phrase in rules.anaphora):
                return True
    return False


def numbered_anaphor(span, rules: Rules) -> tuple[int, str, int, int, bool] | None:
    """Return (size, plural head, start, end, is subject) of "the two militaries" / "the five countries" / "both sides" in a sentence span."""
    for token in span:
        if token.pos_ not in ("NOUN", "PROPN"):
            continue
        dets = [c for c in token.children if c.dep_ in ("det", "predet", "preconj")]
        numbers = [c for c in token.children if c.dep_ == "nummod"]
        if token.dep_ == "conj" and any(c.dep_ == "amod" and c.lower_ in rules.co_member_modifiers for c in token.children):
            continue  # "Kyrgyzstan and the other four Parties": the named party's fellows, not a group named before
        if token.tag_ not in ("NNS", "NNPS") and not numbers:
            continue  # a number makes "the five nuclear-weapon States" plural whatever its tag
        if any(d.lower_ == "both" for d in dets):
            first = min(d.i for d in dets)
            offset = span.doc.user_data.get(OFFSET_KEY, 0)
            return 2, token.lower_, idx(span.doc[first]) + offset, idx(token) + len(token.text) + offset, token.dep_ in ("nsubj", "nsubjpass")
        if numbers and any(d.lower_ == "the" for d in dets) and (size := parse_number(numbers[0].text)) and size >= 2 and size == int(size):
            first = min(d.i for d in dets if d.lower_ == "the")
            offset = span.doc.user_data.get(OFFSET_KEY, 0)
            return int(size), token.lower_, idx(span.doc[first]) + offset, idx(token) + len(token.text) + offset, token.dep_ in ("nsubj", "nsubjpass")
    return None


def two_party_anaphor(doc: Doc, offset: int, m: dict[str, Any]) -> bool:
    """Return whether a COUNT is "the two X" / "both X" (a way of saying both parties, not a count of them)."""
    first = token_at(doc, offset, m["start"])
    return first is not None and m["norm"].get("value") == 2 and first.i > 0 and doc[first.i - 1].lower_ == "the" and first.lower_ in ("two", "2")


def definite(trigger: Token):
    """Return "the dialogue" when the trigger is a definite noun: the event the paragraph already named."""
    if trigger.pos_ != "NOUN" or not any(c.dep_ == "det" and c.lower_ == "the" for c in trigger.children):
        return None
    if any(c.dep_ in ("prep", "amod", "compound", "nummod", "poss") for c in trigger.children):
        return None  # "the dialogue on export control", "the first dialogue": a description of its own
    return trigger.doc[min(c.i for c in trigger.children if c.dep_ == "det"):trigger.i + 1]


def continuing_subject(trigger: Token, rules: Rules) -> Token | None:
    """Return the subject that continues the paragraph's previous engagement ("they", "the two sides")."""
    for child in governing_verb(trigger).children:
        if child.dep_ in ("nsubj", "nsubjpass"):
            words = {t.lower_ for t in child.subtree}
            if child.lower_ in rules.pronouns or words & rules.any_entity_heads:
                return child
    return None


def ellipsis(span, rules: Rules) -> Token | None:
    """Return a noun such as "round" that stands for the previous activity, when a continuing subject holds it."""
    for token in span:
        if token.lemma_.lower() not in rules.ellipsis_nouns or token.pos_ != "NOUN":
            continue
        if token.dep_ in ("dobj", "nsubj", "nsubjpass", "attr") and continuing_subject(token, rules) is not None:
            return token
        if token.dep_ in ("nsubj", "nsubjpass") and any(c.dep_ == "det" and c.lower_ == "the" for c in token.children) and not _relative(token):
            return token  # "The latest round took place in Rzeszów": the round of the event just told
    for token in span:
        if token.lower_ in rules.ellipsis_pronouns and token.dep_ in ("nsubj", "nsubjpass") and any(c.dep_ == "prep" and c.lower_ in rules.partner_preps for c in token.children):
            return token  # "agreements ... with 33 countries. Those with Uzbekistan and Mongolia were signed in Tashkent ..."
    return None


def _relative(token: Token) -> bool:
    """Return whether a subject belongs to a relative clause ("the glossary, the second edition of which was released"): it names no event of the paragraph."""
    return token.head.dep_ == "relcl" or any(t.tag_ in ("WDT", "WP", "WP$") for t in token.subtree)


def paragraph_window(previous: Sequence[dict[str, Any]], sent: dict[str, Any], rules: Rules) -> list[dict[str, Any]]:
    """Return the last ``rules.window`` sentences before ``sent`` in its paragraph (``previous``: the document's sentences before it).

    A paragraph's sentences are consecutive in text order, so they are the
    run at the end of ``previous`` with its parent_id, found walking back
    (filtering all of ``previous`` for every sentence made relate quadratic).
    """
    first = len(previous)
    while first and previous[first - 1]["parent_id"] == sent["parent_id"]:
        first -= 1
    return list(previous[first:])[-rules.window:]


class Prefix(Sequence):
    """The first ``stop`` items of a list, not copied: relate gives every sentence the document's sentences before it.

    ``prefix[:k]`` is a Prefix too (``before[:-1]``); any other slice is a list.
    """

    __slots__ = ("items", "stop")

    def __init__(self, items: list[Any], stop: int) -> None:
        self.items, self.stop = items, stop

    def __len__(self) -> int:
        return self.stop

    def __getitem__(self, index):
        if isinstance(index, slice):
            start, stop, step = index.indices(self.stop)
            if step == 1:
                return Prefix(self.items, stop) if start == 0 else self.items[start:max(start, stop)]
            return self.items[:self.stop][index]  # a step (reversed, every other): rare, copied
        if index < 0:
            index += self.stop
        if not 0 <= index < self.stop:
            raise IndexError("Prefix index out of range")
        return self.items[index]

    def __eq__(self, other: object) -> bool:
        return list(self) == list(other) if isinstance(other, (list, Prefix)) else NotImplemented

    __hash__ = None  # type: ignore[assignment]  # like the list it stands for


def resolve(text: str, sent: dict[str, Any], span, previous: list[dict[str, Any]], by_sentence: dict[str, list[dict[str, Any]]], rules: Rules, actor: str | None, names: dict[str, str], activity: str, groups: bool = True, numbered=UNSET) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    """Resolve an anaphor of the sentence to the entities it stands for in the preceding sentences of its paragraph."""
    body = text[sent["start"]:sent["end"]].lower()
    same_paragraph = paragraph_window(previous, sent, rules)

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

    numbered = (numbered_anaphor(span, rules) if numbered is UNSET else numbered) if groups else None
    if numbered is not None:
        size, head, start, end, subject = numbered
        ids_here = {m["norm"].get("id") for m in by_sentence.get(sent["id"], [])}
        before = [m for m in by_sentence.get(sent["id"], []) if m["end"] <= start]  # "China and Russia submitted ..., and the two countries ..."
        for named in [sorted(before, key=lambda m: m["start"])] + [sorted(by_sentence.get(prior["id"], []), key=lambda m: m["start"]) for prior in reversed(same_paragraph)]:
            group = list({m["norm"]["id"]: m for m in named if (fits(m, head) if head in rules.country_heads else fits(m, "sides"))}.values())
            listed = next((run for run in name_lists(text, group, rules) if len(run) == size), None)
            if size > 2 and listed is not None:
                return [(m, anaphor(start - sent["start"], end - start)) for m in listed]  # "for border guards from Ukraine, Moldova and Georgia ... the three countries"
            # The actor is one of them when named with them, or named in this sentence while they are its subject
            # ("China hosted ..., where the five countries held ..."), not when it engages with them ("held ... with the five States").
            actor_among = size == 2 or (actor is not None and ((actor in ids_here and subject) or any(m["norm"].get("id") == actor for m in named)))
            wanted = size - 1 if actor_among and not (size > 2 and len(group) == size) else size  # "with Uganda, Tanzania and Ethiopia ... the three countries"
            if wanted and len(group) >= wanted:
                return [(m, anaphor(start - sent["start"], end - start)) for m in group[:wanted]]
    named_spans = [(m["start"] - sent["start"], m["end"] - sent["start"]) for m in by_sentence.get(sent["id"], [])]
    for phrase, at, length in _anaphor_occurrences(text, sent, body, rules):
        if any(s < at + length and at < e for s, e in named_spans):
            continue  # "the Agency for the Prohibition of Nuclear Weapons ...": a name, not an anaphor
        if span is not None and _in_frame(last := token_at(span.doc, span.doc.user_data.get(OFFSET_KEY, 0), sent["start"] + at + length - 1), rules):
            continue  # "Under the Agency's technical cooperation programme, Thailand has hosted ...": the frame, not a party
        if span is not None and _supporting(last, rules):
            continue  # "each with the support of the Agency": a supporter, not a party
        head = phrase.split()[-1]
        earlier = [m for m in by_sentence.get(sent["id"], []) if m["end"] <= sent["start"] + at]  # "negotiations on the CTBT ..., and signed the Treaty"
        further = [] if head in rules.any_entity_heads or head in rules.country_heads else [s for s in previous[-rules.headed_window:] if s not in same_paragraph]
        for named in [earlier] + [by_sentence.get(prior["id"], []) for prior in [*reversed(same_paragraph), *reversed(further)]]:
            for m in sorted(named, key=lambda m: -m["start"]):
                if fits(m, head):
                    return [(m, anaphor(at, length))]
    return []


def named_group(text: str, sent: dict[str, Any], span, previous: list[dict[str, Any]], by_sentence: dict[str, list[dict[str, Any]]],
                rules: Rules, actor: str | None) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    """Resolve "the nuclear-weapon States" to the countries listed after the same words earlier in the paragraph.

    "The five nuclear-weapon States, China, France, Russia, the United Kingdom
    and the United States, signed the Protocol ... Kyrgyzstan ... held five
    rounds of consultations with the nuclear-weapon States": the list that
    followed the words names the group.
    """
    offset = span.doc.user_data.get(OFFSET_KEY, 0)
    same_paragraph = paragraph_window(previous, sent, rules)
    for token in span:
        if token.lower_ not in rules.country_heads or not any(c.dep_ == "det" and c.lower_ == "the" for c in token.children) or any(c.dep_ == "nummod" for c in token.children):
            continue
        modifiers = [c for c in token.children if c.dep_ in ("amod", "compound") and c.i < token.i]
        if not modifiers:
            continue
        first = min(t.i for m in modifiers for t in m.subtree)
        words = spaced_pattern(text[offset + idx(span.doc[first]):offset + idx(token) + len(token.text)].lower())
        anaphor = {"text": text[offset + idx(span.doc[first - 1]):offset + idx(token) + len(token.text)], "start": offset + idx(span.doc[first - 1]), "end": offset + idx(token) + len(token.text)}
        for prior in reversed(same_paragraph):
            found = words.search(text[prior["start"]:prior["end"]].lower())
            if found is None:
                continue
            listed = _list_after(text, prior["start"] + found.end(), sorted(by_sentence.get(prior["id"], []), key=lambda m: m["start"]), rules)
            group = [m for m in listed if m["norm"].get("id") and m["norm"]["id"] != actor]
            if len(group) >= 2:
                return [(m, anaphor) for m in group]
    return []


def _separated(text: str, end: int, start: int, rules: Rules) -> bool:
    """Return whether only list separators (configs `list_separators`) stand between two offsets (", and the")."""
    gap = re.findall(r"\w+|[^\w\s]", text[end:start].lower())
    return bool(gap) and set(gap) <= rules.list_separators


def name_lists(text: str, mentions: list[dict[str, Any]], rules: Rules) -> list[list[dict[str, Any]]]:
    """Split mentions (in text order) into runs written as one list ("Ukraine, Moldova and Georgia")."""
    runs: list[list[dict[str, Any]]] = []
    for m in sorted(mentions, key=lambda m: m["start"]):
        if runs and _separated(text, runs[-1][-1]["end"], m["start"], rules):
            runs[-1].append(m)
        else:
            runs.append([m])
    return runs


def _list_after(text: str, end: int, mentions: list[dict[str, Any]], rules: Rules) -> list[dict[str, Any]]:
    """Return the COUNTRY mentions listed right after ``end`` (", China, France ... and the United States")."""
    listed = []
    for m in mentions:
        if m["start"] < end:
            continue
        if m["label"] != "COUNTRY" or not _separated(text, end, m["start"], rules):
            break
        listed.append(m)
        end = m["end"]
    return listed


def pronoun_subject(trigger: Token, rules: Rules) -> Token | None:
    """Return the pronoun ("it") that is the subject of the trigger's clause."""
    return next((c for c in governing_verb(trigger).children if c.dep_ in ("nsubj", "nsubjpass") and c.lower_ in rules.event_pronouns), None)


def previous_subject(text: str, sent: dict[str, Any], prior_span, previous: list[dict[str, Any]], by_sentence: dict[str, list[dict[str, Any]]],
                     rules: Rules, actor: str | None, names: dict[str, str], activity: str) -> list[dict[str, Any]]:
    """Return the entity that is the subject of the sentence before: what a subject "it" stands for.

    "Since 2016, the Agency has also sent four review missions ... Under its
    technical cooperation programme, it has trained more than 180 Kyrgyz
    specialists": "it" is the Agency. The actor itself is never returned (its
    "it" is the actor acting).
    """
    root = prior_span.root
    subject = next((c for c in root.children if c.dep_ in ("nsubj", "nsubjpass")), None)
    if subject is None:
        return []
    offset = prior_span.doc.user_data.get(OFFSET_KEY, 0)
    low, high = offset + idx(subject.left_edge), offset + idx(subject.right_edge) + len(subject.right_edge.text)
    named = [m for m in by_sentence.get(sent["id"], []) if low <= m["start"] and m["end"] <= high and m["label"] in rules.labels]
    if named:
        return [m for m in named if m["norm"].get("id") and m["norm"]["id"] != actor and len(named) == 1]
    return [m for m, anaphor in resolve(text, sent, prior_span, previous, by_sentence, rules, actor, names, activity, groups=False) if low <= anaphor["start"] < high]


def _anaphor_occurrences(text: str, sent: dict[str, Any], body: str, rules: Rules) -> list[tuple[str, int, int]]:
    """Return every anaphor phrase of a sentence with its offset and length there, phrase by phrase in the configured order.

    Every occurrence counts ("under the Agency's programme, ... trained by the Agency": the first is a
    frame, the second a party); a bare capitalized head before a lowercase word is one too ("Agency
    inspectors have also carried out ...").
    """
    found = []
    sentence = text[sent["start"]:sent["end"]]
    for phrase, pattern, bare, bare_pattern in rules.anaphor_patterns:
        ats = [(m.start(), m.end() - m.start()) for m in pattern.finditer(body)] if phrase.rsplit(maxsplit=1)[-1] in body else []
        if not ats and bare is not None and bare in sentence:
            found += [(bare.lower(), m.start(), len(bare)) for m in bare_pattern.finditer(sentence)]
        found += [(phrase, at, length) for at, length in ats]
    return found


def _up_to_verb(token: Token | None):
    """Yield a token and its heads up to (not including) the nearest verb."""
    node = token
    while node is not None and node.head.i != node.i and node.pos_ not in ("VERB", "AUX"):
        yield node
        node = node.head


def _comma_joined(node: Token) -> bool:
    """Return whether a conjunct follows a comma: the parser may have joined the clause's subject to a fronted phrase."""
    return node.dep_ == "conj" and node.left_edge.i > 0 and node.doc[node.left_edge.i - 1].text == ","


def _supporting(token: Token | None, rules: Rules) -> bool:
    """Return whether a token sits under a supporting noun before any verb ("with the support of the Agency")."""
    for node in _up_to_verb(token):
        if _comma_joined(node):
            return False  # "With the support of UNODA, Kenya and the Committee co-organised ...": the subject, joined to the phrase
        if node.head.pos_ == "NOUN" and (node.head.lemma_.lower() in rules.blockers or (node.head.lemma_.lower() in rules.supporter_nouns and node.lower_ == "of")):
            return True
    return False


def _in_frame(token: Token | None, rules: Rules) -> bool:
    """Return whether a token sits in a phrase headed by a frame preposition ("under the Agency's programme")."""
    for node in _up_to_verb(token):
        if node.dep_ == "pobj" and node.head.lower_ in rules.framework_preps:
            return True
        if _comma_joined(node) and node.head.dep_ == "pobj" and node.head.head.lower_ in rules.framework_preps:
            return False  # "Under the OPCW's Africa Programme, Morocco and the Organisation have run ...": the subject, joined to the frame
    return False


def _fills(doc: Doc, offset: int, mention: dict[str, Any], slot: Token) -> bool:
    """Return whether a name fills a slot itself: the subject, or the object of the partner preposition, or a conjunct of either
    (not a name inside the object's topic: "consultations with the IAEA on the Japanese Nuclear Regulation Authority's review")."""
    head = token_at(doc, offset, mention["end"] - 1)
    if head is None:
        return False
    head = first_conjunct(head)
    return head.i == slot.i or (head.dep_ == "pobj" and head.head.i == slot.i)


def _counted_part_of(number: Token, heads: tuple[int, ...]) -> bool:
    """Return whether a number (or a conjunct of one) is the object of a preposition on one of ``heads`` ("including five with ...")."""
    number = first_conjunct(number)
    return number.dep_ == "pobj" and number.head.dep_ == "prep" and number.head.head.i in heads


def demonym_parties(trigger: Token, text: str, rules: Rules, actor: str | None, countries: dict[str, dict[str, Any]],
                    mentions: list[dict[str, Any]], bodies_only: bool = False) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    """Return the countries the trigger's parties are named after by a demonym ("Thai and Malaysian customs officers").

    Only countries the document names somewhere count: the record cites that
    mention, with the demonym as the anaphor. The actor's own demonym is no
    counterpart, nor is a demonym inside a name ("Myanmar", "the Danish
    Customs Agency conducted ..."), except a national body's that is the
    partner after "with" ("co-hosted with the Canadian Nuclear Safety
    Commission": Canada's side; ``bodies_only`` asks for those alone, when
    the record has a partner with no id or named partners already; the body
    must fill the slot itself, not its topic; as the subject, when the object
    is the actor's people: "the Indian Army trained 12 Mongolian officers" in
    Mongolia's paper), nor one in a sentence in the simple
    present ("Argentine inspectors verify Brazilian installations": how a
    system works, not an event).
    """
    verb = governing_verb(trigger)
    if verb.tag_ in ("VBP", "VBZ"):
        return []
    offset = trigger.doc.user_data.get(OFFSET_KEY, 0)
    slots = [c for node in {verb.i: verb, trigger.i: trigger}.values() for c in node.children
             if c.dep_ in ("nsubj", "nsubjpass", "dobj", "agent") or (c.dep_ == "prep" and (c.lower_ in rules.partner_preps or c.lower_ in rules.audience_preps))]
    slots += [c for p in reporting_participles(trigger, rules.relative_report_verbs) for c in p.children if c.dep_ == "prep" and c.lower_ in rules.partner_preps]
    # "has run 14 courses ..., including five with the United Kingdom and four with the Australian Defence Force"
    slots += [t for t in verb.subtree if t.dep_ == "prep" and t.lower_ in rules.partner_preps and t.head.pos_ == "NUM" and _counted_part_of(t.head, (verb.i, trigger.i))]
    found: dict[str, tuple[dict[str, Any], dict[str, Any]]] = {}
    # a body named after its country as the subject stands for it when the event's other slot names the actor's people
    # ("the Indian Army trained 12 Mongolian officers" in Mongolia's paper; not "the Canadian Nuclear Safety Commission held a workshop")
    served = actor is not None and any(slot.dep_ == "dobj" and slot.lemma_.lower() in rules.participant_units and any(
        c.dep_ in ("amod", "compound") and rules.demonyms.get(c.text) == actor for c in slot.children) for slot in slots)  # (not "a seminar on Chinese military transparency")
    for slot in slots:
        low, high = offset + idx(slot.left_edge), offset + idx(slot.right_edge) + len(slot.right_edge.text)
        partner = (slot.dep_ == "prep" and slot.lower_ in rules.partner_preps) or (served and slot.dep_ == "nsubj")
        for match in rules.demonym_pattern.finditer(text, low, high):
            code = rules.demonyms.get(" ".join(match.group().split()))  # "Costa\nRican": matched across any whitespace
            body = partner and text[match.end():match.end() + 1].isspace() and any(
                m["label"] == "ORG" and m["start"] == match.start() and not m["norm"].get("id") and m["text"].split()[-1] not in rules.international_body_heads
                and _fills(trigger.doc, offset, m, slot) for m in mentions)
            # (not "the Brazilian-Argentine Agency ...", "the Korean Peninsula Energy Development Organization", "the American Nuclear Society")
            if (bodies_only and not body) or (not body and any(m["start"] < match.end() and match.start() < m["end"] and m["label"] != "COUNT" for m in mentions)):
                continue  # inside a name (but a national body partnered "with" stands for its country); a count's span holds its noun's modifiers ("more than 350 Ukrainian deminers")
            if code and code != actor and code in countries and code not in found:
                found[code] = (countries[code], {"text": match.group(), "start": match.start(), "end": match.end()})
    return list(found.values())
