"""wpx_names: find ORG and LAW names that no registry knows, by their shape.

A name is a run of capitalized words joined by a few connectors ("of",
"the", "and", ...) that contains a head word of its label ("Ministry of
Commerce", "Regulations of the People's Republic of China on the Control
of Nuclear Export"). Head words, connectors and stop words come from
configs/extraction.toml [names].
"""
from __future__ import annotations

from typing import NamedTuple

from spacy.attrs import ORTH
from spacy.language import Language
from spacy.strings import get_string_id
from spacy.tokens import Doc, Token

from ..normalize.numbers import parse_number
from ..normalize.text import singular
from .base import BLOCK_KIND_KEY, SettingsComponent, capitalized_word, indices_of, more_name_follows, registry_spans, sentence_bounds, token_column

RULE = "names"
SEAT_RULE = "seats"  # the town a body's name ended with: a PLACE


class DocRegistry(NamedTuple):
    """One doc's registry names as the scanner consults them: passed along, never kept on the component."""

    spans: list[tuple[int, int, str]]  # (start, end, label)
    starts: set[int]
    ends: set[int]  # the last token of each registry name
    regions: set[int]  # the first token of each region (a registry place with no id)


@Language.factory("wpx_names")
def make_names(nlp: Language, name: str) -> NameScanner:
    return NameScanner(nlp, name)


class NameScanner(SettingsComponent):
    """Propose ORG and LAW candidates from capitalized runs around configured head words."""

    def _prepare(self) -> None:
        s = self.settings
        self.heads: dict[str, str] = {word: label for label, words in s.get("heads", {}).items() for word in words}
        self.head_labels: dict[int, str] = {get_string_id(word): label for word, label in self.heads.items()}  # by string id
        self.head_ids = frozenset(self.head_labels)
        self.connectors = frozenset(s.get("connectors", ()))
        self.coordinators = frozenset(s.get("coordinators", ()))
        self.body_coordinators = frozenset(s.get("body_coordinators", ()))
        self.possessive_words = frozenset(s.get("possessive_words", ()))
        self.owned_heads = frozenset(s.get("owned_heads", ()))
        self.instrument_connectors = frozenset(s.get("instrument_connectors", ()))
        self.left_connectors = frozenset(s.get("left_connectors", ()))
        self.strong_connectors = frozenset(s.get("strong_connectors", ()))
        self.left_by_label = {label: frozenset(words) for label, words in s.get("left_connectors_by_label", {}).items()}
        self.calendar_words = frozenset(s.get("months", ())) | frozenset(s.get("weekdays", ()))
        self.never_first = frozenset(s.get("never_first", ()))
        self.min_modifiers = int(s.get("min_modifiers", 1))
        self.left_modified_heads = frozenset(s.get("left_modified_heads", ()))
        self.generic_modifiers = frozenset(s.get("generic_modifiers", ()))
        self.demonyms = frozenset(s.get("demonyms", ()))
        self.closing_heads = frozenset(s.get("closing_heads", ()))
        self.seat_connectors = frozenset(s.get("seat_connectors", ()))
        self.accredited_connectors = frozenset(s.get("accredited_connectors", ()))
        self.mission_heads = frozenset(s.get("mission_heads", ()))
        self.title_determiners = frozenset(s.get("title_determiners", ()))
        self.complement_connectors = frozenset(s.get("complement_connectors", ("of", "for", "on")))
        self._words: frozenset[str] | None = None  # the model's English words (_english_words), read when first needed
        self.given_names = frozenset(get_string_id(word) for word in s.get("given_names", ()))
        self.final_heads = frozenset(get_string_id(word) for word in s.get("final_heads", ()))
        self._cap_memo: dict[int, bool] = {}

    def __call__(self, doc: Doc) -> Doc:
        heads = indices_of(doc, ORTH, self.head_ids)
        if not heads:
            return doc  # no head word: no name
        found: dict[tuple[int, int], str] = {}
        seats: set[tuple[int, int]] = set()
        spans = registry_spans(doc)
        registry = [(start, end, label) for start, end, label, _ in spans]
        regions = {start for start, _, label, span_id in spans if label == "PLACE" and not span_id}
        names = DocRegistry(registry, {start for start, _, _ in registry}, {end - 1 for _, end, _ in registry}, regions)
        in_places = {i for start, end, label in registry if label in ("COUNTRY", "PLACE") for i in range(start, end)}
        # "the 1540 Committee in Cartagena": the registry's name ends at the head; unless capitalized words go on before it
        # ("United States National Aeronautics and Space Administration": a longer name holds it)
        in_places |= {end - 1 for start, end, label in registry if not self._modified_name(doc, start)}
        sentences = doc.has_annotation("SENT_START")
        orths = token_column(doc, ORTH)
        for i in heads:
            if i in in_places:
                continue  # "Russian Federation" is a country, not a federation's name
            if orths[i] in self.given_names and i + 1 < len(doc) and self._is_cap(doc[i + 1]):
                continue  # "Defence Minister Bill Blair": a first name
            if orths[i] in self.final_heads and more_name_follows(doc, i, self.coordinators):
                continue  # "Nuclear Command and Control", "a Joint Command Post Exercise": a common noun of a name's words, not its head
            span = self._grow(doc, names, sentence_bounds(doc, i) if sentences else (0, len(doc)), i, self.head_labels[orths[i]])
            if span is not None and self.head_labels[orths[i]] == "ORG" and (seat := self._seat(doc, names, i, span)) is not None:
                seats.add(seat)
                span = (span[0], seat[0] - 1)
            if span is not None:
                found[(span[0], span[1])] = self._label(doc, orths, span)
        bodies = {start: end for start, end, label, span_id in spans if label in ("ORG", "REGIME") and span_id}  # a treaty owns no fund ("ATT Voluntary Trust Fund")
        for (start, end), label in _maximal(found).items():
            if bodies.get(start, end) < end and doc[end - 1].text in self.owned_heads:
                continue  # "the IAEA Nuclear Security Fund": the Agency's fund; the registry name is the mention
            self.add(doc, start, end, label, RULE)
        for start, end in sorted(seats):
            self.add(doc, start, end, "PLACE", SEAT_RULE)
        return doc

    def _seat(self, doc: Doc, names: DocRegistry, head: int, span: tuple[int, int]) -> tuple[int, int] | None:
        """Return the town a body's name ends with, which is a place and not part of the name ("the National Police in Punta Cana").

        The tail is one or two capitalized words after a seat connector, no head word and no registry name
        among them (a region goes on with the name: "Forum for Nuclear Cooperation in Asia"), and it reads as
        a place: the statistical NER tags it as one, or none of its words is an English word (the model's
        lemmatizer tables: "Punta Cana", "Seawell"; not "the Office in Charge", "the Centre of Excellence in
        Border Security", "Trafficking in Persons"). What is left must still be a name ("Office" alone is not).
        """
        start, end = span
        connector = end - 2 if end - 2 > head and not self._is_cap(doc[end - 2]) else end - 3
        if connector <= head or doc[connector].text not in self.seat_connectors:
            return None
        tail = range(connector + 1, end)
        if not all(self._is_cap(doc[k]) and doc[k].text not in self.heads and k not in names.starts for k in tail):
            return None
        words = self._english_words()
        if not (any(doc[k].ent_type_ in ("GPE", "LOC", "FAC") for k in tail) or (words and not any(w in words for k in tail for w in (doc[k].lower_, singular(doc[k].lower_))))):
            return None
        if sum(1 for k in range(start, connector) if k != head and self._is_cap(doc[k])) < self.min_modifiers or connector - start < 2:
            return None  # "the Court in Session": no name without the tail
        return connector + 1, end

    def _english_words(self) -> frozenset[str]:
        """Return the English words the model's lemmatizer knows (nouns, verbs, adjectives, adverbs), once; none without a model."""
        if self._words is None:
            words: set[str] = set()
            if "lemmatizer" in getattr(self.nlp, "pipe_names", ()):
                lookups = self.nlp.get_pipe("lemmatizer").lookups
                if lookups.has_table("lemma_index"):
                    words = {word.lower() for forms in lookups.get_table("lemma_index").values() for word in forms}
            self._words = frozenset(words)
        return self._words

    def _label(self, doc: Doc, orths: list[int], span: tuple[int, int]) -> str:
        """Label a name by the head of its first noun group: the last head word before the first lowercase word.

        "Nuclear Regulation Authority" is an ORG (Authority), "UN Trust Facility
        Supporting Cooperation on Arms Regulation" an ORG (Facility), "Regulations
        of the People's Republic of China on ..." a LAW; a name that ends with a
        closing head is of its label, unless the head's own name follows "the"
        ("the Parliamentary Committee on the Arms Export Act" is a body).
        """
        start, end = span
        if doc[end - 1].text in self.closing_heads and not any(doc[k].lower_ == "the" for k in range(start + 1, end - 1)):
            return self.heads[doc[end - 1].text]  # "National Commission on Small Arms and Light Weapons Act" is a law ("Committee on the Arms Export Act" a body)
        first = next((k for k in range(start + 1, end) if not self._cap(orths[k], doc)), end)
        heads = [k for k in range(start, end) if orths[k] in self.head_labels and not (orths[k] in self.final_heads and k + 1 < end)]  # ("Chain of Command Rules")
        group = [k for k in heads if k < first]
        return self.head_labels[orths[group[-1] if group else heads[0]]]

    def _is_cap(self, token: Token) -> bool:
        """Return whether a token is a capitalized word (remembered per string id)."""
        return self._cap(token.orth, token.doc)

    def _cap(self, orth: int, doc: Doc) -> bool:
        """Return whether the word with string id ``orth`` is capitalized (remembered per string id)."""
        known = self._cap_memo.get(orth)
        if known is None:
            text = doc.vocab.strings[orth]
            known = self._cap_memo[orth] = capitalized_word(text)
        return known

    def _weak_stop(self, doc: Doc, names: DocRegistry, nxt: int, purpose: bool = False) -> bool:
        """Return whether a name stops before a weak connector: another name, a place, an acronym, a number, a month or a weekday follows.

        A region goes on with a name that states its purpose (``purpose``: a "for" complement: "Regional Centre for Peace
        and Disarmament in Africa"), not one that says where a body is ("Ministry of Commerce in Africa"); a city or a province ends it
        ("Center of Excellence on Nuclear Security in Beijing"). A place the NER found must start after the
        connector: its span running on from the name ("the People's Republic of China on Export Control of
        Dual", one GPE) names nothing new.
        """
        if nxt in names.regions and purpose and not any(start == nxt and label != "PLACE" for start, _, label in names.spans):
            return False  # (a region opening another registry name, "Africa Centres for Disease Control", is that name)
        token = doc[nxt]
        return ((nxt in names.starts and not self._compound_start(doc, names, nxt)) or (token.ent_type_ in ("GPE", "LOC") and token.ent_iob_ == "B") or token.like_num
                or token.lower_ in self.calendar_words or (len(token.text) > 1 and token.text.isupper()))

    def _modified_name(self, doc: Doc, start: int) -> bool:
        """Return whether capitalized words with no head word among them come right before a registry name ("United States National
        Aeronautics and Space Administration"); not "The 1540 Committee", nor "National Authority Chemical Weapons Convention"."""
        run = self._left_run(doc, start - 1, 0, connectors=False)
        return bool(run) and not any(t.text in self.heads for t in run)

    def _left_run(self, doc: Doc, k: int, low: int, connectors: bool) -> list[Token]:
        """Return the capitalized words (and connectors, when asked; never a connector when not) running left from ``k`` down to ``low``."""
        run = []
        while k >= low and (self._is_cap(doc[k]) and doc[k].lower_ not in self.connectors if not connectors else self._is_cap(doc[k]) or doc[k].text in self.connectors):
            run.append(doc[k])
            k -= 1
        return run

    def _run_has_head(self, doc: Doc, start: int, end: int, first: bool = False) -> bool:
        """Return whether the capitalized words from ``start`` hold a head word (singular or plural; the first one too with
        ``first``): they name a party of their own."""
        k = start
        while k < end and (self._is_cap(doc[k]) or (doc[k].text in self.connectors and doc[k].text not in self.coordinators)):
            if (doc[k].text in self.heads or singular(doc[k].text) in self.heads) and (first or k > start):
                return True
            k += 1
        return False

    def _names_its_instrument(self, doc: Doc, names: DocRegistry, connector: Token, start: int, end: int) -> bool:
        """Return whether a registry treaty or regime after "for" ends the name: "National Authority for the Chemical Weapons Convention"."""
        if connector.lower_ not in self.instrument_connectors:
            return False
        return any(s == start and label in ("TREATY", "REGIME") and (e >= end or not self._is_cap(doc[e])) for s, e, label in names.spans)

    def _named_owner(self, doc: Doc, sent_start: int, possessive: int) -> bool:
        """Return whether the words before a possessive "'s" hold a head word: another name owns this one
        ("the Department of Energy's National Nuclear Security Administration"), unlike "National People's Congress"."""
        return any(t.text in self.heads for t in self._left_run(doc, possessive - 1, sent_start, connectors=True))

    def _compound_start(self, doc: Doc, names: DocRegistry, start: int) -> bool:
        """Return whether the registry name at ``start`` opens a hyphenated compound ("Forum on China-Africa Cooperation"): a word of the name, not another name."""
        return any(s == start and e + 1 < len(doc) and doc[e].text == "-" and self._is_cap(doc[e + 1]) for s, e, _ in names.spans)

    def _grow(self, doc: Doc, names: DocRegistry, sent: tuple[int, int], head: int, label: str) -> tuple[int, int] | None:
        """Return the name around the head word ``head`` within the sentence ``sent`` (token start, end), else None."""
        sent_start, sent_end = sent
        left = head
        j = head - 1
        while j >= sent_start:
            token = doc[j]
            if self._is_cap(token):
                left = j
            elif token.text == ")" and (opening := self._parenthetical(doc, sent_start, j)) is not None:
                j = opening  # "Foreign Trade (Development and Regulation) Act"
                left = j
            elif token.text == "," and j - 1 >= sent_start and self._is_cap(doc[j - 1]) and any(t.lower_ == "and" for t in doc[j:head]):
                pass  # "Foreign, Commonwealth and Development Office": a serial list left of the head
            elif (token.text in self.left_connectors or token.text in self.left_by_label.get(label, ())) and j - 1 >= sent_start and (
                    j < head - 1 or doc[j - 1].text in self.possessive_words) and (
                    self._is_cap(doc[j - 1]) or self._joined_before(doc, names, sent_start, j)):
                if token.text in ("'s", "’s") and (j - 1 in names.ends or self._named_owner(doc, sent_start, j)):
                    break  # "China's Export Control Law", "the IAEA's Response and Assistance Network": the possessor is not part of the name
            else:
                break
            j -= 1
        while left < head and (doc[left].text in self.never_first or doc[left].text in self.connectors or doc[left].text in self.left_connectors
                               or left + 1 == head and doc[left].like_num and doc[left].is_alpha and parse_number(doc[left].text) is not None):
            left += 1  # "Through its Mario Gulich Institute", "Thirteen Forum members": no name starts with a connector, nor a head with a number word
            # ("First Committee", "Three Gorges Corporation", "Eighteen-Nation Disarmament Committee" are names)
        if doc[head].text in self.left_modified_heads and not any(self._names_one(doc[k], names) for k in range(left, head)):
            return None  # "an Additional Protocol", "the IAEA Additional Protocol", "Protocol II to the Treaty": an instrument of a kind, not a name
        for start, end, span_label in names.spans:
            if span_label == "COUNTRY" and start < left < end <= head and all(self._is_cap(t) or t.text in self.connectors for t in doc[start:left]):
                left = start  # "Republic of Singapore Navy": the whole country name, not "Singapore Navy" crossing it
        right = head + 1
        k = head + 1
        after_connector = False
        while k < sent_end:
            token = doc[k]
            if self._is_cap(token):
                if not after_connector:
                    break  # "Security Council Resolutions": words right after the head belong to another head's name
                right = k = max(k + 1, min(self._country_at(names, k) or 0, sent_end))  # a country's whole name ("... of Côte d'Ivoire")
                continue
            if token.text == "," and after_connector and (stop := self._serial(doc, k, sent_end, label != "ORG")) is not None:
                right = k = stop  # "Ministry of Economy, Trade and Industry"
                continue
            if token.text == "-" and k + 1 < sent_end and self._is_cap(doc[k - 1]):
                right = k = k + 2  # "Dual-use": the word after the hyphen belongs to the name
                continue
            if token.text in ("'s", "’s") and doc[k - 1].text not in self.possessive_words and not any(start <= k < end for start, end, _ in names.spans):
                break  # "US Department of State's Export Control ... Program": an owner; "People's Republic of China", "... of the National People's Congress" go on
            if token.text in self.connectors and (after_connector or (token.text not in ("'s", "’s", "-") and token.text not in self.coordinators)):
                nxt = k + 1
                while nxt < sent_end and doc[nxt].text in self.connectors and doc[nxt].text not in self.coordinators:
                    nxt += 1
                if (token.lower_ == "of" and nxt == k + 1 and nxt + 1 < sent_end and doc[nxt].lower_ in self.coordinators and after_connector
                        and self._is_cap(doc[nxt + 1])):
                    nxt += 1  # "the Illicit Manufacturing of and Trafficking in Firearms": two nouns share their complement
                if label != "ORG" and nxt > k + 1 and nxt + 1 < sent_end and doc[nxt].lower_ in self.title_determiners and self._is_cap(doc[nxt + 1]):
                    nxt += 1  # "... Anti-Personnel Mines and on their Destruction": a title's words (not "the Treaty of Rarotonga and their Additional Protocols")
                if nxt >= sent_end or not self._is_cap(doc[nxt]):
                    break
                if token.lower_ in self.coordinators and doc[k + 1].lower_ == "the" and (
                        (doc[nxt].text in self.heads and (nxt + 1 >= sent_end or not self._is_cap(doc[nxt + 1]))) or self._run_has_head(doc, nxt, sent_end)):
                    break  # "the Ministry of Emergency Management and the Organisation", "the Ministry of Commerce and the General Administration of Customs": a second party
                if (token.lower_ in self.coordinators or token.lower_ in ("for", "under") or (token.lower_ == "of" and nxt > k + 1)) and self._starts_other_name(doc, names, nxt, sent_end, token.lower_ == "of" and label == "ORG"):
                    break  # "... of the (US) Department of Commerce" is another name; "General Administration of Customs of China" is one
                if (token.lower_ == "of" and (owner := self._country_at(names, nxt)) is not None and owner < sent_end and doc[owner].text in ("'s", "’s")
                        and self._run_has_head(doc, owner + 1, sent_end, first=True)):
                    break  # "the Strategic Trade Secretariat of Malaysia's Ministry of ...": the country owns the next name (not "... of Iran's officials")
                if token.lower_ in self.body_coordinators and self._run_has_head(doc, nxt, sent_end, first=True):
                    break  # "the Ministry of Commerce or Provincial Commerce Departments", "... or Customs": another body
                purpose = any(t.lower_ in self.instrument_connectors for t in doc[head + 1:k + 1])
                accredited = (token.lower_ in self.seat_connectors and nxt in names.starts and doc[k - 1].text.endswith("s") and self._is_cap(doc[k - 1])
                              and any(t.lower_ in self.accredited_connectors for t in doc[head + 1:k]))  # (to organizations, not to one meeting in the city)
                sent_to = (token.lower_ in self.seat_connectors and doc[head].text in self.mission_heads and self._country_at(names, nxt) is not None
                           and any(start == left and label == "ORG" for start, _, label in names.spans))  # "United Nations Interim Force in Lebanon"
                if token.lower_ not in self.strong_connectors and not accredited and not sent_to and self._weak_stop(doc, names, nxt, purpose) and not self._names_its_instrument(doc, names, token, nxt, sent_end):
                    break
                k = nxt
                after_connector = True
                continue
            break
        orths = token_column(doc, ORTH)
        modifiers = sum(1 for k in range(left, right) if k != head and self._cap(orths[k], doc))
        if modifiers < self.min_modifiers or right - left < 2:
            return None
        if left == head and doc.user_data.get(BLOCK_KIND_KEY) in ("title", "heading") and self._complement_is_a_name(doc, names, head, right):
            return None  # "Upholding the Authority of the United Nations": title case makes a common noun look like a name
        return left, right

    def _complement_is_a_name(self, doc: Doc, names: DocRegistry, head: int, right: int) -> bool:
        """Return whether everything after the head's connectors is one registry name."""
        k = head + 1
        while k < right and doc[k].text in self.connectors:
            k += 1
        return any(start == k and end == right for start, end, _ in names.spans)

    def _parenthetical(self, doc: Doc, sent_start: int, close: int) -> int | None:
        """Return the index of the "(" of a short capitalized parenthetical ending at ``close``."""
        for i in range(close - 1, max(sent_start, close - 10) - 1, -1):
            if doc[i].text == "(":
                inner = doc[i + 1:close]
                return i if len(inner) and all(self._is_cap(t) or t.text in self.connectors for t in inner) and i - 1 >= sent_start and self._is_cap(doc[i - 1]) else None
        return None

    def _serial(self, doc: Doc, comma: int, end: int, title: bool = False) -> int | None:
        """Return the end of ", Cap (, Cap)* and Cap" after ``comma`` (a serial list inside a name), else None.

        In a title (``title``: a treaty's or a law's) an item may start with a determiner ("Small Arms, Light
        Weapons, their Ammunition and Other Related Materials").
        """
        k = comma
        while k < end and doc[k].text == "," and k + 1 < end and (self._is_cap(doc[k + 1]) or (
                title and k + 2 < end and doc[k + 1].lower_ in self.title_determiners and self._is_cap(doc[k + 2]))):
            k += 3 if not self._is_cap(doc[k + 1]) else 2
            while k < end and self._is_cap(doc[k]):
                k += 1
        if k > comma and k + 2 < end and doc[k].text == "," and doc[k + 1].lower_ == "and" and self._is_cap(doc[k + 2]):
            k += 1  # a serial comma: "Firearms, Ammunition, Explosives, and Other Related Materials"
        if k + 1 < end and doc[k].lower_ == "and" and self._is_cap(doc[k + 1]):
            k += 2
            while k < end and self._is_cap(doc[k]):
                k += 1
            return k
        return None

    def _starts_other_name(self, doc: Doc, names: DocRegistry, start: int, end: int, after_of: bool = False) -> bool:
        """Return whether ``start`` begins a name of its own.

        A head word with a complement ("Ministry of Commerce"), maybe after a
        country ("US Department of Commerce"); or a country or a demonym and
        capitalized words up to a head word ("... of the Ghana Revenue
        Authority", "... for the South African Council for the ..."); after "of the", also a body's name
        with modifiers ("... of the National Security Service").
        """
        owner = self._country_at(names, start) or self._demonym_at(doc, start, end)
        begin = owner or start
        if begin < end and doc[begin].text in self.heads and begin + 1 < end and doc[begin + 1].lower_ in self.complement_connectors:
            return True
        if owner is None:
            return after_of and self._modified_body_at(doc, names, start, end)
        k = owner
        while k < end and self._is_cap(doc[k]) and doc[k].text not in self.heads:
            k += 1
        return k < end and doc[k].text in self.heads

    def _joined_before(self, doc: Doc, names: DocRegistry, sent_start: int, j: int) -> bool:
        """Return whether the connector at ``j`` follows another connector or a serial comma that follows a capitalized word of the name.

        "Weapons of Mass Destruction and their Delivery Systems ... Act", "Nuclear Free Zone, Disarmament, and
        Arms Control Act"; not "China and its Export Control Law" (a registry name owns what follows), nor after words
        holding a head ("the Customs Act, Arms Act, and Explosives Act": a list of names).
        """
        before = doc[j - 1].text
        if not (before == "," or before in self.left_connectors) or before in ("'s", "’s") or doc[j].text in ("'s", "’s"):
            return False
        if not (j - 2 >= sent_start and self._is_cap(doc[j - 2]) and j - 2 not in names.ends):
            return False
        k = j - 2
        while k >= sent_start and (self._is_cap(doc[k]) or doc[k].text in self.connectors or doc[k].text == ","):
            if doc[k].text in self.heads:
                return False  # "the Customs Act, Arms Act, and Explosives Act", "the Foreign Trade Act and its Enforcement Decree": names of their own
            k -= 1
        return True

    def _modified_body_at(self, doc: Doc, names: DocRegistry, start: int, end: int) -> bool:
        """Return whether a body's own name begins at ``start``: two modifiers before an ORG head, or one and the head's complement, no registry name among them.

        "the Border Guard Troops of the National Security Service", "the Institute of Seismology of the
        National Academy of Sciences of ..." are two bodies; "the Council of the European Union", "the
        Information Office of the State Council", "... of the Chemical Weapons Convention" (no body) and an organ of an
        organization the registry knows ("the Board of Governors of the International Atomic Energy Agency",
        "the First Committee of the UN General Assembly") one name. (Only an ORG's name is parted: "Regulations of
        the Atomic Energy Licensing Board on ..." is a law's title.)
        """
        k = start
        while k < end and self._is_cap(doc[k]) and doc[k].text not in self.heads:
            k += 1
        if any(s < k + 1 and start < e for s, e, _ in names.spans):
            return False
        modifiers = k - start
        if k >= end or self.heads.get(doc[k].text) != "ORG" or modifiers == 0:
            return False
        return modifiers >= 2 or (k + 1 < end and doc[k + 1].lower_ in self.complement_connectors)

    def _names_one(self, token: Token, names: DocRegistry) -> bool:
        """Return whether a word before a left-modified head makes it one thing's name: capitalized, not generic, not a registry body's name ("the Nairobi Protocol"; not "the IAEA Additional Protocol")."""
        return self._is_cap(token) and token.text not in self.generic_modifiers and not any(
            start <= token.i < end and label not in ("COUNTRY", "PLACE") for start, end, label in names.spans)

    def _demonym_at(self, doc: Doc, start: int, end: int) -> int | None:
        """Return the end of the demonym of one or two words that begins at ``start``, if one does ("South African")."""
        if start + 1 < end and f"{doc[start].text} {doc[start + 1].text}" in self.demonyms:
            return start + 2
        return start + 1 if start < end and doc[start].text in self.demonyms else None

    @staticmethod
    def _country_at(names: DocRegistry, start: int) -> int | None:
        """Return the end of the registry country name that begins at ``start``, if one does."""
        return next((e for s, e, label in names.spans if s == start and label == "COUNTRY"), None)


def _maximal(found: dict[tuple[int, int], str]) -> dict[tuple[int, int], str]:
    """Keep only spans not contained in a longer span of the same label or starting where it starts.

    "Nuclear Regulation" (a LAW head) inside "Nuclear Regulation Authority" is no
    name of its own; "Ministry of Commerce" inside "Regulations of the Ministry
    of Commerce on ..." is.
    """
    keep = {}
    for (start, end), label in found.items():
        if not any(s <= start and end <= e and (s, e) != (start, end) and (l == label or s == start) for (s, e), l in found.items()):
            keep[(start, end)] = label
    return dict(sorted(keep.items()))
