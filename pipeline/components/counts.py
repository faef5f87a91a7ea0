"""wpx_counts: explicit cardinal quantities with their comparator and counted noun.

"more than ten countries" -> value 10, qualifier gt, unit "country";
"five rounds of dialogue" -> value 5, unit "round", of "dialogue". Numbers
that are identifiers ("1540 Committee", "Resolution 1540"), money, shares,
ordinals and numbers with no counted noun are not counts. Comparators,
excluded units and identifier words come from configs/extraction.toml
[counts]. Works with the tagger and parser when present, and falls back to
lexical cues when they are not (rules-only mode).
"""
from __future__ import annotations

from spacy.attrs import LIKE_NUM, LOWER
from spacy.language import Language
from spacy.strings import get_string_id
from spacy.tokens import Doc, Token

from ..normalize.dates import YEAR_MAX, YEAR_MIN, month_numbers
from ..normalize.numbers import parse_number
from ..normalize.text import quoted_ranges, singular
from ..fold import gap
from .base import SettingsComponent, doc_text, registry_spans, token_column

RULE = "counts"


@Language.factory("wpx_counts")
def make_counts(nlp: Language, name: str) -> CountFinder:
    return CountFinder(nlp, name)


class CountFinder(SettingsComponent):
    """Propose COUNT candidates with their normalization."""

    def _prepare(self) -> None:
        s = self.settings
        self.qualifiers = {tuple(k.split()): v for k, v in s.get("qualifiers", {}).items()}
        self.qualifier_ids = {tuple(get_string_id(w) for w in k): v for k, v in self.qualifiers.items()}
        self.max_qualifier = max((len(k) for k in self.qualifiers), default=0)
        self.excluded_units = frozenset(s.get("excluded_units", ()))
        self.verbs_never_nouns = frozenset(s.get("verbs_never_nouns", ()))
        self.identifier_before = frozenset(s.get("identifier_before", ()))
        self.collective_nouns = frozenset(s.get("collective_nouns", ()))
        self.of_heads = frozenset(s.get("of_heads", ()))
        self.max_gap = int(s.get("max_gap", 4))
        self.modifier_nouns = frozenset(s.get("modifier_nouns", ()))
        self.group_separators = frozenset(s.get("group_separators", ()))
        self.footnote_after = frozenset(s.get("footnote_after", ()))
        self.year_determiners = frozenset(s.get("year_determiners", ()))
        self.year_prepositions = frozenset(s.get("year_prepositions", ()))

    def __call__(self, doc: Doc) -> Doc:
        like_num = token_column(doc, LIKE_NUM)
        if 1 not in like_num:
            return doc  # most paragraphs: nothing to look at
        numbers = [i for i, flag in enumerate(like_num) if flag]
        tagged, parsed = doc.has_annotation("TAG"), doc.has_annotation("DEP")
        quoted = None
        done = 0
        registry = registry_spans(doc)
        named = {k for start, end, _, _ in registry for k in range(start, end)}  # "the 1540 Committee meetings": a name's number
        names_at: dict[int, int] = {}
        for start, end, _, _ in registry:
            if end > names_at.get(start, start):
                names_at[start] = end  # the end of the longest registry name starting at each token
        for i in numbers:
            if i < done or i in named:
                continue  # inside the number phrase found before ("twenty - one")
            if i and not doc[i - 1].whitespace_ and (doc[i - 1].is_alpha or doc[i - 1].text in self.footnote_after):
                continue  # glued to the word before it: a footnote marker ("Regime,1 in", "Group2"), not a count
            if i and doc[i].is_alpha and doc[i].is_title and doc[i - 1].is_alpha and doc[i - 1].is_title:
                continue  # "the Hualong One design", "The Two Countries and ...": a number word inside a name or a title-case title
            if len(doc[i].text) > 1 and doc[i].text[0] == "0" and doc[i].text.isdigit():
                continue  # "000 villages": a group of a number split apart ("3\u200b000"), never a count of its own
            end = self._number_end(doc, i)
            if end == i:
                continue
            done = end
            if end >= len(doc) or not (doc[end].is_alpha or doc[end].text == "-"):
                continue  # no word follows ("in 2019, ...", "the figure was 121."): nothing is counted
            if quoted is None:
                quoted = quoted_ranges(doc_text(doc))
            if quoted and any(s <= doc[i].idx < e for s, e in quoted):
                continue  # "Training Course for the 1540 Points of Contact": a title, not a count
            found = self._count(doc, i, end, tagged, parsed, names_at)
            if found:
                start, stop, norm = found
                self.add(doc, start, stop, "COUNT", RULE, norm)
        return doc

    @staticmethod
    def _is_number(token: Token) -> bool:
        return token.like_num

    def _number_end(self, doc: Doc, i: int) -> int:
        """Return the end of the number phrase starting at token i (i when none starts there)."""
        if not self._is_number(doc[i]) or doc[i].is_alpha and parse_number(doc[i].text) is None:
            return i  # "the first two days": spaCy reads ordinal words as numbers; the count is "two days"
        j = i + 1
        while j < len(doc):
            if self._is_number(doc[j]) and not (doc[j].text[:1].isdigit() and doc[j - 1].text[-1:].isdigit()) \
                    and not (doc[j].is_alpha and doc[j - 1].text[-1:].isdigit() and parse_number(doc[i:j + 1].text) is None):
                j += 1  # "1.5 million", but not "24 first responders" (spaCy reads ordinal words as numbers)
            elif doc[j].text in ("-", "and") and j + 1 < len(doc) and self._is_number(doc[j + 1]) and not doc[j + 1].text[:1].isdigit():
                j += 2
            elif _thousands(doc, i, j) and gap(doc, j - 1) in self.group_separators:  # as the paper has it: a tab sets columns apart
                j += 1  # "3 000 enterprises": one number, not 3 and a count of 0
            else:
                break
        return j

    def _is_noun(self, token: Token, tagged: bool) -> bool:
        if tagged:
            return token.pos_ == "NOUN" or (token.pos_ in ("PROPN", "VERB") and token.is_lower and token.tag_ in ("NNS", "NN"))
        # Rules-only mode: a lowercase content word that does not look like a past-tense verb.
        return token.is_alpha and token.is_lower and not token.is_stop and not (token.lower_.endswith("ed") and len(token) > 4)

    def _count(self, doc: Doc, i: int, end: int, tagged: bool, parsed: bool, names_at: dict[int, int]):
        value = parse_number(doc[i].text if end - i == 1 else doc[i:end].text)
        if value is None:
            return None
        before = doc[i - 1] if i > 0 else None
        if before is not None and (before.text in self.identifier_before or before.is_currency or before.text in ("#", "No.")):
            return None
        if end < len(doc) and doc[end].is_title and doc[end].lower_ in month_numbers():
            return None  # "31 December 2022": a date's day, whatever the parser hangs the number on (a table's caption above its header row)
        if before is not None and before.text == "." and i > 1 and not doc[i - 2].whitespace_ and doc[i - 2].text + "." in self.identifier_before:
            return None  # "Law No. 57 of 27 May 2011 and its ... regulations": the tokenizer may part "No" from its period
        if end < len(doc) and doc[end].text == "-" and end + 1 < len(doc) and doc[end + 1].is_lower and doc[end + 1].is_alpha:
            head, unit_tokens = doc[end + 1], [doc[end + 1]]  # "90-day", "five-year"
        elif (found := self._after_name(doc, end, names_at)) is not None:
            head, unit_tokens = found
        elif parsed and (found := self._parsed_noun(doc, end, value)) is not None:
            head, unit_tokens = found
            if head is None and end < len(doc) and doc[end].text[:1].isupper():
                head, unit_tokens = self._after_capitalized(doc, end, acronyms_only=not doc[end - 1].is_alpha) or (None, [])  # "more than 60 SLAEB and SLAERC staff"
            if head is None:
                return None
        else:
            head, unit_tokens = self._counted_noun(doc, end, tagged)
        if head is None:
            return None
        if end - i == 1 and len(doc[i].text) == 4 and doc[i].text.isdigit() and YEAR_MIN <= value <= YEAR_MAX \
                and (not _plural(head, tagged) or any(t.is_punct or t.is_stop for t in doc[end:unit_tokens[0].i])
                     or (before is not None and ((before.lower_ in self.year_determiners and value % 100) or before.lower_ in self.year_prepositions
                                                 or (before.is_title and before.lower_ in month_numbers())))):
            return None  # "its 2021 meeting", "the 2023 meetings of the Group", "of 27 May 2011 and its ... regulations", "In 2024 RMCD officers screened",
            # "in September 2024 two Office experts": a year (not "the 2000 participants", "some 2000 young diplomats")
        while (first := unit_tokens[0].i) - 2 >= end and doc[first - 1].text == "-" and not doc[first - 1].whitespace_ and not doc[first - 2].whitespace_ and doc[first - 2].is_alpha:
            unit_tokens = [doc[first - 2], doc[first - 1], *unit_tokens]  # "nuclear-weapon States": the hyphenated word is whole
        contiguous = [t.i for t in unit_tokens] == list(range(unit_tokens[0].i, head.i + 1))
        prefix = doc[unit_tokens[0].i:head.i].text if contiguous else " ".join(t.text for t in unit_tokens[:-1])
        unit = f"{prefix} {_lemma(head, tagged)}" if prefix else _lemma(head, tagged)
        if head.lower_ in self.excluded_units or unit in self.excluded_units or _lemma(head, tagged) in self.excluded_units or head.lower_.removesuffix("s") in self.excluded_units:
            return None
        start, qualifier = self._qualifier(doc, i)
        if parsed and start < i and doc[start].dep_ == "prt":
            start, qualifier = i, "exact"  # "handed over four patrol boats": the verb's particle, no comparator
        of = self._of(doc, head, tagged, parsed) if _lemma(head, tagged) in self.of_heads else None
        return start, head.i + 1, {"value": value, "qualifier": qualifier, "unit": unit, "of": of}

    def _plural_read_as_verb(self, token: Token) -> bool:
        """Return whether the tagger read a plural noun as a verb ("12 outreach seminars": VBZ); never an auxiliary or a "has"."""
        return token.tag_ == "VBZ" and token.is_lower and token.lower_.endswith("s") and token.pos_ != "AUX" and token.lemma_ not in self.verbs_never_nouns

    def _modified(self, noun: Token, end: int, reach: int | None = None) -> Token:
        """Return the noun that ``noun`` modifies (through nmod/compound, to the right, within ``reach`` of the number), else ``noun``.

        A singular noun the parser made an adjective ("33 founding participating States": "founding" is an
        amod) modifies its head too, also a capitalized plural one; so does a modifier noun ("18 safeguards
        inspections"). ``reach`` is ``max_gap`` unless given.
        """
        reach = self.max_gap if reach is None else reach
        while noun.head.i > noun.i and noun.head.i - end <= reach and (
                ((noun.dep_ in ("nmod", "compound") or (noun.dep_ == "amod" and noun.lower_ in self.modifier_nouns)) and noun.head.pos_ == "NOUN" and noun.head.is_lower)
                or (noun.dep_ == "amod" and noun.tag_ == "NN" and _plural_noun(noun.head))):
            noun = noun.head
        return noun

    def _after_name(self, doc: Doc, end: int, names_at: dict[int, int]):
        """Return the plural noun after a registry name that follows the number ("two Australia Group outreach workshops")."""
        name_end = names_at.get(end)
        if name_end is None:
            return None
        for k in range(name_end, min(len(doc), name_end + self.max_gap)):
            token = doc[k]
            if not (token.is_lower and token.is_alpha) or token.is_stop:
                return None
            if _plural(token, False):
                return token, list(doc[end:k + 1])
        return None

    def _parsed_noun(self, doc: Doc, end: int, value: float = 2):
        """Return the noun the parser says the number counts, with its compound nouns.

        (None, []) means "an identifier, not a count" ("1540 Committee"); None
        means the parse does not say, and the linear scan decides.
        """
        number = doc[end - 1]
        head = number.head
        if number.dep_ != "nummod" or not end <= head.i <= end + 2 * self.max_gap or head.pos_ not in ("NOUN", "PROPN"):
            return None
        if head.i > end + self.max_gap and not all(head in t.ancestors for t in doc[end:head.i]):
            return None  # a long way to the noun only through its own modifiers ("450 South African customs and border police officers")
        modifier = head.lower_ in self.modifier_nouns or (head.tag_ == "NN" and value != 1)  # the number cannot count this noun
        if modifier:
            # "some 600 Kenyan customs, police and port officers", "1,500 Thai licensing, customs and enforcement officials":
            # the parser coordinates the modifiers; the counted noun is the last conjunct (or the noun they modify)
            last = self._modified(head, end, 2 * self.max_gap)  # "260 customs, port and economic zone officials": a list of modifiers is long
            if last.i == head.i:
                while (nxt := [c for c in last.children if c.dep_ == "conj" and c.i > last.i]):
                    last = max(nxt, key=lambda c: c.i)
            if last.i != head.i and _plural_noun(last) and last.lower_ not in self.modifier_nouns and last.i - end <= 2 * self.max_gap and all(
                    t.is_lower or t.text in (",", "-") or (t.i == end and t.pos_ in ("ADJ", "PROPN")) or (t.i == last.i and t.tag_ != "NNS") for t in doc[end:last.i + 1]):
                return last, list(doc[end:last.i + 1])
        outer = self._modified(head, end)
        if outer.i != head.i and all(t.is_lower and (t.is_alpha or t.text == "-") for t in doc[end:outer.i + 1]):
            return outer, list(doc[end:outer.i + 1])  # "250 licensing and customs officials": the number hangs on a modifier of the counted noun
        plural = head.tag_ in ("NNS", "NNPS") or (head.text.endswith("s") and not head.text.endswith("ss"))
        if head.text[:1].isupper() and not plural:
            return None, []  # a singular capitalized head names something: "1540 Committee"
        between = doc[end:head.i]
        if any(t.text in (",", ";", "(") for t in between):
            return None
        if any(t.lower_ in self.excluded_units for t in between):
            return None, []  # "five times the illegal proceeds": a multiplier, not a count
        nouns = [t for t in between if t.dep_ == "compound" and t.pos_ in ("NOUN", "PROPN") and t.head.i == head.i]
        for conj in head.children:
            # "some 300 customs and licensing officers": coordinated modifiers of one noun (the conjunct has its
            # own modifier); "30 countries and regions" stays "30 countries".
            kids = list(conj.children)
            if (modifier and conj.dep_ == "conj" and conj.pos_ == "NOUN" and conj.i - head.i <= 4 and any(k.dep_ in ("compound", "amod") for k in kids)
                    and not any(k.dep_ in ("nummod", "det") for k in kids) and all(t.dep_ in ("cc", "compound", "amod", "punct") for t in doc[head.i + 1:conj.i])):
                return conj, nouns + list(doc[head.i:conj.i + 1])
        after = doc[head.i + 1] if head.i + 1 < len(doc) else None
        if after is not None and head.tag_ not in ("NNS", "NNPS") and self._plural_read_as_verb(after):
            return after, nouns + [head, after]  # "12 outreach seminars": the tagger reads the plural head as a verb
        return head, nouns + [head]

    def _counted_noun(self, doc: Doc, end: int, tagged: bool):
        """Return the head noun right after the number and the compound nouns leading to it."""
        if end >= len(doc):
            return None, []
        first = doc[end]
        if first.text[:1].isupper() and first.is_alpha and first.text.endswith("s") and not first.text.endswith("ss"):
            return first, [first]  # "25 Years" in a title: a capitalized plural still counts
        if first.text[:1].isupper() and (found := self._after_capitalized(doc, end, acronyms_only=not doc[end - 1].is_alpha)) is not None:
            return found  # "Thirteen Forum members": a number word identifies nothing; "more than 60 SLAEB and SLAERC staff"
        if first.text[:1].isupper() or first.text in ("%",) or first.like_num:
            return None, []  # "1540 Committee", "30%": identifiers and shares
        head, nouns = None, []
        k = end
        while k < len(doc) and k - end < self.max_gap:
            token = doc[k]
            if self._is_noun(token, tagged) and token.is_lower:
                head = token
                nouns.append(token)
            elif tagged and head is not None and self._plural_read_as_verb(token):
                head = token  # "12 outreach seminars": the tagger reads the plural head as a verb
                nouns.append(token)
                break
            elif head is None and (token.pos_ == "ADJ" or token.dep_ == "amod" or (token.tag_ == "VBG" and token.is_lower) if tagged else token.is_alpha and token.is_lower) or token.text == "-" and head is None:
                nouns = []
            else:
                break
            k += 1
        return head, nouns

    def _after_capitalized(self, doc: Doc, end: int, acronyms_only: bool = False):
        """Return the lowercase plural (or collective) noun right after one or two capitalized words after the number, with those words.

        "Thirteen Forum members"; after digits only acronyms, maybe two joined by "and" ("more than 60 SLAEB and
        SLAERC staff"): "1540 Committee members" and "2005 Amendment parties" name things by their number.
        """
        k = end
        words = 0
        while k < len(doc) and words < 2 and doc[k].is_alpha and doc[k].text[:1].isupper() and (not acronyms_only or (doc[k].is_upper and len(doc[k]) > 1)):
            k += 1
            words += 1
            if acronyms_only and k + 1 < len(doc) and doc[k].lower_ == "and" and doc[k + 1].is_upper and doc[k + 1].is_alpha:
                k += 1  # "SLAEB and SLAERC"
        noun = doc[k] if k < len(doc) else None
        if noun is not None and noun.is_alpha and noun.is_lower and not noun.is_stop and (_plural(noun, False) or noun.lower_ in self.collective_nouns):
            return noun, list(doc[end:k + 1])
        return None

    def _qualifier(self, doc: Doc, i: int) -> tuple[int, str]:
        """Return where the count starts and its qualifier: the longest configured phrase right before the number (by string ids)."""
        lowers = token_column(doc, LOWER)[max(0, i - self.max_qualifier):i]
        for size in range(min(self.max_qualifier, i), 0, -1):
            found = self.qualifier_ids.get(tuple(lowers[len(lowers) - size:]))
            if found is not None:
                return i - size, found
        return i, "exact"

    def _of(self, doc: Doc, head: Token, tagged: bool, parsed: bool) -> str | None:
        if tagged and parsed:
            for prep in head.children:
                if prep.lower_ == "of":
                    for obj in prep.children:
                        if obj.dep_ == "pobj":
                            return _lemma(obj, tagged)
        nxt = head.i + 1
        if nxt < len(doc) and doc[nxt].lower_ == "of":
            for token in doc[nxt + 1:nxt + 1 + self.max_gap]:
                if self._is_noun(token, tagged):
                    return _lemma(token, tagged)
        return None


def _thousands(doc: Doc, i: int, j: int) -> bool:
    """Return whether token ``j`` continues a number written in groups of three digits set apart by a space ("3 000", "12 500 000").

    Which separator stands between the groups is the caller's test (fold.gap).
    """
    group, first = doc[j].text, doc[i].text
    if not (len(group) == 3 and group.isdigit() and group.isascii()):
        return False
    return first.isdigit() and first.isascii() and len(first) <= 3 and all(len(t.text) == 3 and t.text.isdigit() for t in doc[i + 1:j])


def _lemma(token: Token, tagged: bool) -> str:
    """Return the singular lemma, keeping a capitalized head's case ("State" in "nuclear-weapon States")."""
    lemma = token.lemma_ if tagged and token.lemma_ else token.text
    if tagged and _plural_noun(token) and token.tag_ != "NNS" and lemma == token.text:
        lemma = singular(lemma)  # "States" tagged NNP keeps its plural as its lemma ("Parties": "Party")
    return lemma if lemma[:1].isupper() and token.text[:1].isupper() else lemma.lower()


def _plural_noun(token: Token) -> bool:
    """Return whether a parsed token is a plural noun: NNS, or a capitalized plural ("States", tagged NNP or NNPS)."""
    return token.tag_ in ("NNS", "NNPS") or (token.tag_ == "NNP" and token.text.endswith("s") and not token.text.endswith("ss"))


def _plural(token: Token, tagged: bool) -> bool:
    """Return whether a counted noun is plural (by its tag, or by its ending in rules-only mode)."""
    return token.tag_ in ("NNS", "NNPS") if tagged else token.lower_.endswith("s")
