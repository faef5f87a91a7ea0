"""The engagement rules of configs/relations.toml, with the registry names relate needs."""
from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import Any

from ..config import Config, ConfigError
from ..registry import Registry


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
    framework_nouns: frozenset[str]
    framework_preps: frozenset[str]
    not_as_compound: frozenset[str]
    anaphora: tuple[str, ...]
    any_entity_heads: frozenset[str]
    country_heads: frozenset[str]
    numbered_heads: frozenset[str]
    pronouns: frozenset[str]
    ellipsis_nouns: frozenset[str]
    window: int
    entity_names: dict[str, str] = field(default_factory=dict)  # registry id -> canonical name
    country_names: dict[str, str] = field(default_factory=dict)  # country name or alias -> alpha-3

    @classmethod
    def from_config(cls, config: Config) -> Rules:
        """Load configs/relations.toml, naming the file and the missing key on error."""
        data = config.toml("relations.toml")
        registry = Registry.from_config(config)
        try:
            return replace(cls._from_tables(data), entity_names={e.id: e.name for e in registry.entities.values()}, country_names=dict(registry.country_names))
        except KeyError as exc:
            raise ConfigError(f"{config.root / 'relations.toml'}: missing key {exc}") from None

    @classmethod
    def _from_tables(cls, data: dict[str, Any]) -> Rules:
        trig = {lemma: activity for activity, lemmas in data["activities"].items() for lemma in lemmas}
        f, c, a = data["filters"], data["counterparts"], data["anaphora"]
        return cls(
            trigger_activity=trig,
            labels=frozenset(c["labels"]),
            treaty_only_activities=frozenset(c["treaty_only_activities"]),
            copula_activities=frozenset(c["copula_activities"]),
            compound_counterpart_activities=frozenset(c["compound_counterpart_activities"]),
            needs_counterpart=frozenset(c["needs_counterpart"]),
            no_country_activities=frozenset(c["no_country_activities"]),
            party_units=frozenset(c["party_units"]),
            topic_governors=frozenset(c["topic_governors"]),
            treaty_activities=frozenset(c["treaty_activities"]),
            participant_units=frozenset(c["participant_units"]),
            blockers=frozenset(f["modal_lemmas"] + f["intent_lemmas"]),
            negations=frozenset(f["negation_words"]),
            topic_preps=frozenset(f["topic_preps"]),
            framework_nouns=frozenset(c["framework_nouns"]),
            framework_preps=frozenset(c["framework_preps"]),
            not_as_compound=frozenset(f["not_as_compound"]),
            anaphora=tuple(sorted(a["phrases"], key=len, reverse=True)),
            any_entity_heads=frozenset(a["any_entity_heads"]),
            country_heads=frozenset(a["country_heads"]),
            numbered_heads=frozenset(a["numbered_heads"]),
            pronouns=frozenset(a["pronouns"]),
            ellipsis_nouns=frozenset(a["ellipsis_nouns"]),
            window=int(a["window"]),
        )

    @cached_property
    def country_pattern(self) -> re.Pattern[str]:
        """Return one regular expression matching any country name or alias of four letters or more."""
        names = sorted((n for n in self.country_names if len(n) > 3), key=len, reverse=True)
        return re.compile(r"(?<!\w)(?:" + "|".join(map(re.escape, names)) + r")(?!\w)")
