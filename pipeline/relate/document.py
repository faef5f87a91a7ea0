"""Relate one document: walk its sentences, find each trigger's engagement, write the records.

The per-trigger work (which mentions attach to a trigger) is the Relater's
in finder.py; this module holds the document-wide parts: the default actor
(masthead, title, capitals), the treaty a pronoun stands for across
sentences, elided events ("The latest round took place in ..."), shared
objects of coordinated verbs, and the record layout.
"""
from __future__ import annotations

import bisect
import re
from collections import Counter, defaultdict
from typing import Any

from spacy.tokens import Doc, Token

from ..fold import OFFSET_KEY, char_span, idx
from ..normalize.text import quoted_ranges
from ..records import SCHEMA_VERSION, record_id
from .anaphora import Prefix, ellipsis, name_lists, nearest_treaty_before, object_pronoun, two_party_anaphor
from .clauses import unit
from .parties import one_party_with_another, third_parties
from .counterparts import SentenceView, resolve_counterparts, took_place_with_someone
from .finder import Relater
from .rules import Rules
from .shapes import actor_subject, table_rows
from .syntax import governing_verb, token_at


def relate_document(document: dict[str, Any], segments: list[dict[str, Any]], mentions: list[dict[str, Any]], docs: list[Doc], rules: Rules, names: dict[str, str] | None = None) -> list[dict[str, Any]]:
    """Return the engagement records of one document."""
    text, doc_id = document["text"], document["doc_id"]
    names = names or rules.entity_names
    defined = _defined_bodies(text, mentions)
    default_actor = _document_actor(document, segments, mentions, rules, defined)
    sentences = sorted((s for s in segments if s["kind"] == "sentence"), key=lambda s: s["start"])
    by_sentence: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for m in mentions:
        if m.get("sentence_id"):
            by_sentence[m["sentence_id"]].append(m)
    offsets = [d.user_data[OFFSET_KEY] for d in docs]
    by_id = {m["id"]: m for m in mentions}
    first_country: dict[str, dict[str, Any]] = {}
    for m in sorted(mentions, key=lambda m: m["start"]):
        if m["label"] == "COUNTRY" and m["norm"].get("id"):
            first_country.setdefault(m["norm"]["id"], m)
    relater = Relater(rules, _owned_short_forms(mentions, defined, first_country))
    last: dict[str, dict[str, Any]] = {}  # paragraph id -> its latest engagement record
    records = []
    for index, sent in enumerate(sentences):
        pos = bisect.bisect_right(offsets, sent["start"]) - 1
        if pos < 0:
            continue
        doc, offset = docs[pos], offsets[pos]
        span = char_span(doc, sent["start"] - offset, sent["end"] - offset, alignment_mode="expand")
        if span is None:
            continue
        if table_rows(text[sent["start"]:sent["end"]], rules):
            continue
        ms = by_sentence.get(sent["id"], [])
        quoted = quoted_ranges(text, sent["start"], sent["end"])
        # Trigger words inside names are no triggers, except a treaty name's last word: "signed the Guadalajara Agreement" is an agreement still,
        # but "Training" in "the ... Agreement for Research, Development and Training Related to Nuclear Science" is none.
        inside = [(m["start"] - offset, m["end"] - offset - (len(m["text"].split()[-1]) if m["label"] == "TREATY" else 0)) for m in ms if m["label"] not in ("COUNT", "DATE")]
        grouped: dict[str, dict[str, Any]] = {}
        found = relater.triggers(span, inside)
        previous = last.get(sent["parent_id"])
        elided_event = None
        if previous is not None and (elided := ellipsis(span, rules)) is not None and (
                not found or (elided.lower_ in rules.ellipsis_pronouns and all(a in rules.treaty_only_activities for _, a in found))):  # "Those with ... were signed": no treaty, the agreements told before
            found = [(elided, previous["activity"])]  # "The two sides held its seventh round in Tokyo", "The latest round took place in Rzeszów"
            elided_event = elided
        prepared = relater.prepare([m for m in ms if not any(s <= m["start"] < e for s, e in quoted)], doc, offset) if found else []
        others = {trigger.i: third_parties(doc, offset, trigger, ms, default_actor, rules, solo=activity in rules.needs_counterpart) for trigger, activity in found}
        for trigger, activity in found:
            if others[trigger.i] and any(a == activity and not others[t.i] for t, a in found):
                continue  # "Rwanda ... ratified it in February 2007; among its neighbours, Burundi ratified the Pelindaba Treaty ...": only the actor's act
            rec = grouped.setdefault(activity, {"triggers": [], "counterparts": {}, "loose": {}, "count": None, "count_rank": 9, "dates": {}, "places": {}, "actor": default_actor})
            rec["triggers"].append(trigger)
            pronoun = object_pronoun(trigger, rules.treaty_object_pronouns) if activity in rules.treaty_activities else None
            if pronoun is not None:
                treaty = nearest_treaty_before(ms, offset + idx(pronoun))
                if treaty is None and index and sentences[index - 1]["parent_id"] == sent["parent_id"] and not any(
                        m["label"] == "TREATY" and m["end"] <= offset + idx(pronoun) for m in ms) and actor_subject(trigger, ms, default_actor, doc, offset):
                    # (not past a treaty with no id, "signed the ICSANT ... and ratified it"; nor for others, "four of them have ratified it")
                    treaty = nearest_treaty_before(by_sentence.get(sentences[index - 1]["id"], []), sentences[index - 1]["end"])  # "... the Treaty of Tlatelolco. Brazil ratified it in 1968"
                if treaty is not None:  # "signed the TPNW ... and ratified it"
                    rec["counterparts"].setdefault(treaty["norm"]["id"], (treaty, {"text": pronoun.text, "start": offset + idx(pronoun), "end": offset + idx(pronoun) + len(pronoun.text)}))
            if activity in rules.treaty_only_activities and any(c.dep_ == "prep" and c.lower_ == "with" for c in trigger.children):
                rec["bilateral"] = True  # "an additional protocol was signed with the Agency": signed with a partner, no treaty signature
            if others[trigger.i]:
                rec["third_parties"] = True  # "Kyrgyzstan, Tajikistan ... signed it": not the actor's engagement
            relater.attach(rec, trigger, activity, prepared, doc, offset, [t for t, _ in found])
            if pronoun is not None:  # "Brazil ratified it in 1968 and acceded to the NPT in 1998": "it" is the treaty, the NPT the other verb's
                own = {t.i for t in rec["triggers"]}  # ("ratified the CTBT ... and ratified it": both the record's)
                for table in (rec["counterparts"], rec["loose"]):
                    for key, (mention, anaphor) in list(table.items()):
                        if anaphor is None and mention["label"] == "TREATY" and (tok := token_at(doc, offset, mention["start"])) is not None and governing_verb(tok).i not in own:
                            del table[key]
        share_objects(grouped, found, rules)
        view = SentenceView(text, sent, span, doc, offset, Prefix(sentences, index), by_sentence, ms, previous, elided_event, by_id, first_country, names or {})
        for activity, rec in sorted(grouped.items()):
            resolve_counterparts(rec, activity, view, {t.i for t, _ in found}, rules)
            if not rec.get("third_parties") and one_party_with_another(doc, offset, rec["triggers"], ms, rec.get("actor"), rec["counterparts"], rules, span):
                rec["third_parties"] = True  # "Russia held a dialogue with Iran in 2020": not the actor's engagement
            if rec["count"] is None or rec["count_rank"] > 0:
                rounds = [m for m, tok, _, blocked in prepared if m["label"] == "COUNT" and not blocked and unit(m) in rules.ellipsis_nouns and not two_party_anaphor(doc, offset, m)]
                if len(rounds) == 1 and len(grouped) == 1:
                    rec["count"], rec["count_rank"] = rounds[0], 0  # "eight rounds were convened between 2012 and 2023", "twelve editions have been held"
            if not took_place_with_someone(rec, activity, rules):
                continue
            records.append(_record(doc_id, text, sent, activity, rec, rules))
            last[sent["parent_id"]] = records[-1]
    return records


def share_objects(grouped: dict[str, dict[str, Any]], found: list[tuple[Token, str]], rules: Rules) -> None:
    """Give two coordinated verbs that share one object the same counterparts, dates and places.

    "China has also signed and ratified the relevant protocols to the Treaty of
    Tlatelolco, the Treaty of Rarotonga, ...": the parser hangs the object on
    the second verb and some of the list on the first; both acts concern all.
    """
    for first, first_activity in found:
        for second, second_activity in found:
            if (first_activity == second_activity or first.pos_ != "VERB" or second.pos_ != "VERB" or second.dep_ != "conj" or second.head.i != first.i
                    or second.i - first.i != 2 or first.doc[first.i + 1].dep_ != "cc" or any(c.dep_ == "dobj" for c in first.children)
                    or (first_activity in rules.treaty_activities) != (second_activity in rules.treaty_activities)):
                continue
            one, other = grouped[first_activity], grouped[second_activity]
            for key in ("counterparts", "dates", "places"):
                merged = {**one[key], **other[key]}
                one[key], other[key] = dict(merged), dict(merged)


def _document_actor(document: dict[str, Any], segments: list[dict[str, Any]], mentions: list[dict[str, Any]], rules: Rules,
                    defined: dict[str, tuple[str | None, bool]]) -> str | None:
    """Return the party the document speaks for: a country its publisher names ("Ministry of
    Foreign Affairs of the Russian Federation"), else the first country or organization its
    title names ("China's Export Controls", "... in the European Union"; None when that is a body
    with no id; not a partner after "with"), else a country that fills a field of a title in capitals
    ("MINISTRY OF FOREIGN AFFAIRS — JAMAICA"), else its most-named country."""
    publisher = document.get("publisher") or ""
    english, other = rules.country_pattern.search(publisher), rules.masthead_country_pattern.search(publisher)
    if other and (not english or (other.start(), -other.end()) < (english.start(), -english.end())):  # (the longer at one start: "Guinea Ecuatorial")
        return rules.masthead_country_names[" ".join(other.group().split())]  # "Embajada de México en Guatemala": the first country named
    if english:
        return rules.country_names[" ".join(english.group().split())]  # matched across any whitespace ("Republic\u00a0of Ghana")
    if (in_capitals := _capitals_country(publisher, rules)) is not None:
        return in_capitals  # a masthead in capitals: "REPUBLIC OF THE PHILIPPINES", "REPÚBLICA DOMINICANA"
    titles = [(s["start"], s["end"]) for s in segments if s["kind"] == "title"]
    in_title = sorted((m for m in mentions if m["label"] in ("COUNTRY", "ORG") and any(s <= m["start"] < e for s, e in titles)), key=lambda m: (m["start"], -m["end"]))
    if in_title and not in_title[0]["norm"].get("id") and in_title[0]["label"] == "ORG":
        body = in_title[0]
        inner = [m for m in in_title if m["label"] == "COUNTRY" and m["norm"].get("id") and body["start"] <= m["start"] and m["end"] <= body["end"]]
        # "ABACC at 30 Years: ... between Argentina and Brazil": a body with no id speaks (actor null, both
        # countries are counterparts); "Ministry of Foreign Affairs of Japan ..." speaks for Japan, and so does a
        # short form the text defines as a country's body (``defined``: "STUK and Poland's nuclear regulator sign ...", with
        # "Finland's Radiation and Nuclear Safety Authority (STUK)" below).
        return inner[0]["norm"]["id"] if inner else defined.get(body["text"], (None, False))[0]
    text = document["text"]
    partners = _title_partners(text, in_title, rules)
    named = [m for m in in_title if m["norm"].get("id") and m["start"] not in partners]
    if named:
        return named[0]["norm"]["id"]  # "Export Control Dialogues with the United States, ...": a partner, not the speaker
    for start, end in titles:
        if (in_capitals := _capitals_country(text[start:end], rules)) is not None:
            return in_capitals
    countries = Counter(m["norm"]["id"] for m in mentions if m["label"] == "COUNTRY" and m["norm"].get("id"))
    return min(countries, key=lambda c: (-countries[c], c)) if countries else None


_SHORT_FORM = re.compile(r"\s*\(\s*(?:[^()\n]{0,80}?,\s*)?(?:hereinafter\s+)?[\"“]?(?:the\s+)?([A-Z][A-Za-z]{1,11})[\"”]?\s*\)")
_OF_THE_END = re.compile(r"\bof\s+(?:the\s+)?$")


def _defined_bodies(text: str, mentions: list[dict[str, Any]]) -> dict[str, tuple[str | None, bool]]:
    """Map each short form the text defines for a body with no id (its first definition) to the country owning the body and
    whether a possessive says so: "Finland's Radiation and Nuclear Safety Authority (STUK)" (FIN, True), "Poland's ... (Państwowa
    Agencja Atomistyki, hereinafter "PAA")" (POL, True), "the State Nuclear Regulatory Inspectorate of Ukraine (SNRIU)" (UKR,
    False); a country elsewhere in the name owns nothing ("the Lake Chad Basin Commission (LCBC)", "the China-ASEAN Centre (CAC)")."""
    countries = [m for m in mentions if m["label"] == "COUNTRY" and m["norm"].get("id")]
    defined: dict[str, tuple[str | None, bool]] = {}
    for long_form in sorted((m for m in mentions if m["label"] == "ORG" and not m["norm"].get("id")), key=lambda m: m["start"]):
        if (match := _SHORT_FORM.match(text, long_form["end"])) is None or match.group(1) == long_form["text"] or match.group(1) in defined:
            continue
        owner = next(((c["norm"]["id"], True) for c in countries if c["end"] < long_form["start"] and text[c["end"]:long_form["start"]] in ("'s ", "’s ")),
                     next(((c["norm"]["id"], False) for c in countries if c["end"] == long_form["end"] and _OF_THE_END.search(text[long_form["start"]:c["start"]])),
                          (None, False)))
        defined[match.group(1)] = owner
    return defined


def _owned_short_forms(mentions: list[dict[str, Any]], defined: dict[str, tuple[str | None, bool]], first_country: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Map the mentions of a body's short form to the first mention of the country whose possessive opens its definition:
    "Poland's National Atomic Energy Agency (Państwowa Agencja Atomistyki, hereinafter "PAA")" makes "PAA inspectors" Poland's."""
    owned = {short: first_country[owner] for short, (owner, possessive) in defined.items() if possessive and owner in first_country}
    return {m["id"]: owned[m["text"]] for m in mentions if m["label"] == "ORG" and not m["norm"].get("id") and m["text"] in owned}


def _capitals_country(line: str, rules: Rules) -> str | None:
    """Return the country a field of a line in capitals names whole ("REPUBLIC OF THE PHILIPPINES": names in capitals escape the rules)."""
    line = " ".join(line.split())
    if not line.isupper():
        return None
    for field in rules.masthead_fields.split(line):
        field = next((field[len(p):] for p in rules.capitals_country_prefixes if field.startswith(p)), field)
        if field in rules.capitals_country_names:
            return rules.capitals_country_names[field]  # a whole field: "IN THE SOUTH CHINA SEA" names no speaker
    return None


def _title_partners(text: str, in_title: list[dict[str, Any]], rules: Rules) -> set[int]:
    """Return the starts of the title's mentions that a partner preposition governs, with the list it opens ("with the United States, the EU and ASEAN")."""
    partners: set[int] = set()
    for run in name_lists(text, in_title, rules):
        words = [w for w in text[max(0, run[0]["start"] - 40):run[0]["start"]].lower().split() if w not in rules.list_separators]
        if words and words[-1] in rules.partner_preps:
            partners.update(m["start"] for m in run)
    return partners


def _trigger(text: str, trigger: Token, rules: Rules) -> dict[str, Any]:
    """Describe a trigger word, or the two words of a two-word trigger ("round-table", lemma "round table")."""
    first = rules.two_word_modifier(trigger)
    lemma = trigger.lemma_.lower() if first is None else f"{first.lower_} {trigger.lemma_.lower()}"
    first = trigger if first is None else first
    start = trigger.doc.user_data[OFFSET_KEY] + idx(first)
    end = trigger.doc.user_data[OFFSET_KEY] + idx(trigger) + len(trigger.text)
    return {"text": text[start:end], "lemma": lemma, "start": start, "end": end}


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
        "trigger": _trigger(text, trigger, rules),
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
