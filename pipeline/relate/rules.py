"""The engagement rules of configs/relations.toml, with the registry names relate needs."""
from __future__ import annotations

import gettext
import re
from dataclasses import dataclass, field, fields, replace
from functools import cached_property
from pathlib import Path
from typing import Any

import pycountry
from spacy.strings import get_string_id
from spacy.tokens import Token

from ..config import POSITIVE, TEXT, TEXTS, Config, ConfigError, Kind, check_value, where_in
from ..registry import Registry

HYPHENS = ("-", "\u2010", "\u2011", "–")  # hyphen, hyphen, non-breaking hyphen, en dash: what joins a hyphenated pair of words


@dataclass(frozen=True)
class Rules:
    trigger_activity: dict[str, str]
    labels: frozenset[str]
    treaty_only_activities: frozenset[str]
    copula_activities: frozenset[str]
    compound_counterpart_activities: frozenset[str]
    needs_counterpart: frozenset[str]
    no_country_activities: frozenset[str]
    party_units: frozenset[str]
    topic_governors: frozenset[str]
    treaty_activities: frozenset[str]
    participant_units: frozenset[str]
    blockers: frozenset[str]
    negations: frozenset[str]
    topic_preps: frozenset[str]
    topic_verbs: frozenset[str]
    framework_nouns: frozenset[str]
    framework_preps: frozenset[str]
    international_modifiers: frozenset[str]
    not_event_preps: frozenset[str]
    object_blocked: frozenset[str]
    complement_preps: frozenset[str]
    needs_of: frozenset[str]
    member_modifiers: frozenset[str]
    member_heads: frozenset[str]
    member_verbs: frozenset[str]
    member_preps: frozenset[str]
    member_complement_preps: frozenset[str]
    table_cell_separators: frozenset[str]
    scoped_negation_words: frozenset[str]
    member_activity: str
    signed_activity: str
    signed_nouns: frozenset[str]
    signing_verbs: frozenset[str]
    finished_nouns: frozenset[str]
    finishing_verbs: frozenset[str]
    ranked_activity: str
    origin_preps: frozenset[str]
    excluding_preps: frozenset[str]
    excluding_objects: frozenset[str]
    contrast_words: frozenset[str]
    temporal_marks: frozenset[str]
    partner_preps: frozenset[str]
    source_preps: frozenset[str]
    funding_verbs: frozenset[str]  # "the workshop was funded by the EU": a funder, no counterpart
    duration_units: frozenset[str]  # "the first two days of the workshop": how long, not how many events
    supporter_nouns: frozenset[str]  # "with the help of Kazakhstan": a supporter, no counterpart (as under "support")
    qualifier_preps: frozenset[str]
    event_subject_verbs: frozenset[str]
    occurrence_verbs: frozenset[str]
    relative_report_verbs: frozenset[str]
    not_as_compound: frozenset[str]
    people_modifiers: frozenset[str]
    site_preps: frozenset[str]
    site_inner_preps: frozenset[str]
    site_nouns: frozenset[str]
    site_party_activities: frozenset[str]
    non_event_heads: frozenset[str]
    back_reference_modifiers: frozenset[str]
    instrument_labels: frozenset[str]
    period_preps: frozenset[str]
    singular_triggers: frozenset[str]
    back_references: frozenset[str]
    event_pronouns: frozenset[str]
    gathering_verbs: frozenset[str]
    relative_pronouns: frozenset[str]
    co_member_modifiers: frozenset[str]
    party_count_activities: frozenset[str]
    audience_activities: frozenset[str]
    audience_preps: frozenset[str]
    named_object_activities: frozenset[str]
    report_preps: frozenset[str]
    list_separators: frozenset[str]
    anaphora: tuple[str, ...]
    any_entity_heads: frozenset[str]
    country_heads: frozenset[str]
    pronouns: frozenset[str]
    ellipsis_nouns: frozenset[str]
    ellipsis_pronouns: frozenset[str]
    actor_pronouns: frozenset[str]
    actor_back_pronouns: frozenset[str]
    international_body_heads: frozenset[str]
    masthead_field_separators: frozenset[str]
    masthead_country_prefixes: frozenset[str]
    opened_for_lemmas: frozenset[str]  # "the opening for signature of the Treaty": no one signed
    treaty_object_pronouns: frozenset[str]  # "ratified it", "having signed the latter": the treaty named last before
    masthead_languages: frozenset[str]  # pycountry's translations a masthead may name its country in ("REPÚBLICA DOMINICANA")
    window: int
    headed_window: int
    entity_names: dict[str, str] = field(default_factory=dict)  # registry id -> canonical name
    country_names: dict[str, str] = field(default_factory=dict)  # country name or alias -> alpha-3
    demonyms: dict[str, str | None] = field(default_factory=dict)  # "Maltese" -> MLT (registries/demonyms.tsv)

    @classmethod
    def from_config(cls, config: Config, registry: Registry | None = None) -> Rules:
        """Load configs/relations.toml, naming the file and the missing key on error (``registry``: the one already loaded, if any)."""
        data = config.toml("relations.toml")
        registry = registry or Registry.from_config(config)
        try:
            rules = cls._from_tables(data, config.root / "relations.toml")
            for language in sorted(rules.masthead_languages):
                if gettext.find(ISO3166_DOMAIN, pycountry.LOCALES_DIR, [language]) is None:
                    raise ConfigError(f"{where_in(config.root / 'relations.toml', 'anaphora', 'masthead_languages')}: pycountry has no country names in {language!r}")
            return replace(rules, entity_names={e.id: e.name for e in registry.entities.values()}, country_names=dict(registry.country_names), demonyms=dict(registry.demonyms))
        except KeyError as exc:
            reason = exc.args[0] if str(exc.args[0]).startswith("unknown") else f"missing key {exc.args[0]!r}"
            raise ConfigError(f"{config.root / 'relations.toml'}: {reason}") from None

    @classmethod
    def _from_tables(cls, data: dict[str, Any], path: Path) -> Rules:
        """Build the rules from the TOML tables; a key no field takes is an error (typos do not pass silently).

        Every value is checked as it is taken: lists of words (a string would be read as its characters), the
        windows positive integers, the activity names strings.
        """
        for name in ("activities", "counterparts", "filters", "anaphora"):
            if name in data and not isinstance(data[name], dict):
                raise ConfigError(f"{where_in(path, '', name)}: {name} must be a table [{name}], got {type(data[name]).__name__}")
        tables = {name: dict(data[name]) for name in ("counterparts", "filters", "anaphora")}
        unknown = sorted(set(data) - set(tables) - {"activities"})
        if unknown:
            raise KeyError(f"unknown table(s) {unknown}")

        def take(table: str, key: str, kind: Kind = TEXTS) -> Any:
            return check_value(path, table, key, tables[table].pop(key), kind)

        for activity, lemmas in data["activities"].items():
            check_value(path, "activities", activity, lemmas, TEXTS)
        singles = {lemma for lemmas in data["activities"].values() for lemma in lemmas if " " not in lemma}
        for activity, lemmas in data["activities"].items():
            for lemma in lemmas:
                words = lemma.split(" ")
                if len(words) > 2 or "" in words:
                    raise ConfigError(f"{where_in(path, 'activities', activity)}: [activities] {activity}: {lemma!r} must be one word, or two parted by one space")
                if len(words) == 2 and words[1] in singles:
                    raise ConfigError(f"{where_in(path, 'activities', activity)}: [activities] {activity}: the head of {lemma!r} is a trigger of one word already,"
                                      " so the pair would never be read")
        special = {
            "blockers": frozenset(take("filters", "modal_lemmas") + take("filters", "intent_lemmas")),
            "negations": frozenset(take("filters", "negation_words")),
            "anaphora": tuple(sorted(take("anaphora", "phrases"), key=len, reverse=True)),
            "window": take("anaphora", "window", POSITIVE),
            "member_activity": take("filters", "member_activity", TEXT),
            "signed_activity": take("filters", "signed_activity", TEXT),
            "ranked_activity": take("filters", "ranked_activity", TEXT),
            "headed_window": take("anaphora", "headed_window", POSITIVE),
            "trigger_activity": {lemma: activity for activity, lemmas in data["activities"].items() for lemma in lemmas},
        }
        values: dict[str, Any] = {}
        for f in fields(cls):
            if f.name in special:
                values[f.name] = special[f.name]
            elif f.name not in ("entity_names", "country_names", "demonyms"):
                table = next((name for name, t in tables.items() if f.name in t), None)
                if table is None:
                    raise KeyError(f.name)
                values[f.name] = frozenset(take(table, f.name))
        for key in ("member_activity", "ranked_activity", "signed_activity"):
            if special[key] not in data["activities"]:
                raise KeyError(f"unknown activity {special[key]!r} in [filters] {key}")
        leftover = sorted(f"[{name}] {key}" for name, table in tables.items() for key in table)
        if leftover:
            raise KeyError(f"unknown key(s) {', '.join(leftover)}")
        return cls(**values)

    @cached_property
    def country_pattern(self) -> re.Pattern[str]:
        """Return one regular expression matching any country name or alias of four letters or more."""
        return _whole_words(n for n in self.country_names if len(n) > 3)

    @cached_property
    def masthead_fields(self) -> re.Pattern[str]:
        """Return the pattern that parts the fields of a masthead line ("MINISTRY OF FOREIGN AFFAIRS — JAMAICA")."""
        return re.compile(r"\s(?:" + "|".join(map(re.escape, sorted(self.masthead_field_separators))) + r")\s")

    @cached_property
    def capitals_country_prefixes(self) -> tuple[str, ...]:
        """Return the words that may stand before a country in a masthead field, in capitals with a space, longest first."""
        return tuple(sorted((p.upper() + " " for p in self.masthead_country_prefixes), key=len, reverse=True))

    @cached_property
    def capitals_country_names(self) -> dict[str, str]:
        """Return the country names and aliases, also in the masthead languages, in capitals -> alpha-3 (the first name wins where two fold together)."""
        out: dict[str, str] = {}
        for name, code in sorted(self.country_names.items()) + sorted(self.masthead_country_names.items()):
            out.setdefault(name.upper(), code)
        return out

    @cached_property
    def masthead_country_names(self) -> dict[str, str]:
        """Return the countries' names in the masthead languages -> alpha-3, from pycountry's translations ("República Dominicana")."""
        found: dict[str, set[str]] = {}
        codes = sorted(set(self.country_names.values()))
        for language in sorted(self.masthead_languages):
            translation = gettext.translation(ISO3166_DOMAIN, pycountry.LOCALES_DIR, languages=[language])
            for code in codes:
                country = pycountry.countries.get(alpha_3=code)
                for english in (getattr(country, attr, None) for attr in ("name", "official_name", "common_name")):
                    if english and (name := translation.gettext(english)) != english and "," not in name:
                        found.setdefault(name, set()).add(code)
        # a name two countries' translations share names neither (one translation file gives Afghanistan Pakistan's official name)
        return {name: next(iter(codes)) for name, codes in sorted(found.items()) if len(codes) == 1}

    @cached_property
    def masthead_country_pattern(self) -> re.Pattern[str]:
        """Return one regular expression matching a country's name in a masthead language ("Ministerio de Relaciones Exteriores de la República de Guatemala")."""
        return _whole_words(n for n in self.masthead_country_names if len(n) > 3)

    @cached_property
    def trigger_word_ids(self) -> frozenset[int]:
        """Return the string ids of every case form a trigger lemma or word can take: most tokens are skipped on one integer lookup."""
        words = {w.split()[-1] for w in self.trigger_activity} | self.member_heads | self.signed_nouns
        return frozenset(get_string_id(form) for w in words for form in (w, w.capitalize(), w.upper()))

    @cached_property
    def two_word_triggers(self) -> dict[str, dict[str, str]]:
        """Return the triggers written as two words ("round table"): head word -> modifier -> activity."""
        out: dict[str, dict[str, str]] = {}
        for words, activity in self.trigger_activity.items():
            if " " in words:
                modifier, head = words.split(" ")
                out.setdefault(head, {})[modifier] = activity
        return out

    def activity_of(self, token: Token) -> str | None:
        """Return the activity a trigger word names: by its lemma, its form, or as the head of a two-word trigger."""
        activity = self.trigger_activity.get(token.lemma_.lower()) or self.trigger_activity.get(token.lower_)
        if activity is None:
            modifier = self.two_word_modifier(token)
            if modifier is not None:
                activity = self.two_word_triggers[token.lemma_.lower()][modifier.lower_]
        return activity

    def two_word_modifier(self, token: Token) -> Token | None:
        """Return the first word of the two-word trigger ``token`` heads ("round" of "round table"), if it heads one.

        The modifier stands right before the head, alone or hyphenated ("a
        national round-table", "a round table"): the tagger makes "round" an
        adjective or a compound, so the pair is read from the words, not the parse.
        """
        modifiers = self.two_word_triggers.get(token.lemma_.lower())
        if not modifiers or token.lemma_.lower() in self.trigger_activity or token.lower_ in self.trigger_activity:
            return None
        doc, i = token.doc, token.i - 1
        if i > 0 and doc[i].text in HYPHENS and not doc[i].whitespace_ and not doc[i - 1].whitespace_:
            i -= 1
        return doc[i] if i >= 0 and doc[i].lower_ in modifiers else None

    @cached_property
    def negation_ids(self) -> frozenset[int]:
        """Return the string ids of the negation words (compared with a token's LOWER)."""
        return frozenset(get_string_id(w) for w in self.negations)

    @cached_property
    def blocking_words(self) -> frozenset[str]:
        """Return the modal, intent and negation words that block an engagement as an aux, neg or det."""
        return self.blockers | self.negations

    @cached_property
    def anaphor_patterns(self) -> tuple[tuple[str, re.Pattern[str], str | None, re.Pattern[str] | None], ...]:
        """Return, per anaphor phrase: the phrase, its pattern, and its bare capitalized head with a pattern ("Agency inspectors"), if it has one.

        Words are matched across any whitespace: a hard-wrapped paragraph
        breaks "the\\nAgency" over two lines.
        """
        out = []
        for phrase in self.anaphora:
            words = phrase.split()
            bare = words[-1].capitalize() if len(words) == 2 and words[-1] not in self.any_entity_heads else None
            out.append((phrase, spaced_pattern(phrase), bare, re.compile(rf"(?<![\w'’-]){re.escape(bare)}(?=\s+[a-z])") if bare else None))
        return tuple(out)

    @cached_property
    def anaphor_heads(self) -> frozenset[str]:
        """Return the last words of the anaphor phrases ("group", "agency", "treaty", ...)."""
        return frozenset(phrase.split()[-1] for phrase in self.anaphora)

    @cached_property
    def demonym_pattern(self) -> re.Pattern[str]:
        """Return one regular expression matching any demonym, longest first ("Latin American" before "American")."""
        return _whole_words(self.demonyms)


ISO3166_DOMAIN = "iso3166-1"  # the gettext domain of pycountry's country names


def _whole_words(names) -> re.Pattern[str]:
    """Return one regular expression matching any of ``names`` as whole words, longest first (one that never matches when there are none)."""
    body = "|".join(map(_spaced, sorted(names, key=len, reverse=True))) or "(?!)"
    return re.compile(rf"(?<!\w)(?:{body})(?!\w)")


def spaced_pattern(phrase: str) -> re.Pattern[str]:
    """Compile ``phrase`` to a pattern whose words may stand apart by any whitespace (a line break of a wrapped paragraph)."""
    return re.compile(_spaced(phrase))


def _spaced(phrase: str) -> str:
    return r"\s+".join(map(re.escape, phrase.split()))
