"""The extract stage with the full model: contract quality on the seed and on unseen documents of the genre."""
from __future__ import annotations

import shutil

import pytest
import spacy
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from spacy.language import Language

from pipeline import api
from pipeline.config import load_config
from pipeline.evaluate import evaluate
from pipeline.extract import Extractor
from pipeline.nlp import add_rules
from pipeline.records import read_jsonl
from pipeline.schemas import problems

from .conftest import GENRE, GOLD_DIR, REPO, SEED_RAW


def test_seed_meets_the_contract_scores(seed_run):
    report = evaluate(GOLD_DIR, seed_run)["mentions"]
    assert report["micro"]["span_norm"]["f1"] >= 0.97
    for label in ("COUNTRY", "REGIME", "TREATY", "COUNT"):
        assert report["per_label"][label]["span_norm"]["f1"] >= 0.98, label


def test_mentions_are_valid_and_cite_the_text(seed_run):
    [doc] = read_jsonl(seed_run / "documents.jsonl")
    mentions = list(read_jsonl(seed_run / "mentions.jsonl"))
    assert mentions
    for m in mentions:
        assert problems("mentions.jsonl", m) == []
        assert doc["text"][m["start"]:m["end"]] == m["text"]
    assert [(m["start"], m["end"], m["label"]) for m in mentions] == sorted((m["start"], m["end"], m["label"]) for m in mentions)


def test_nothing_is_extracted_from_boilerplate(seed_run):
    boiler = [s for s in read_jsonl(seed_run / "segments.jsonl") if s["kind"] == "boilerplate"]
    assert {b["boilerplate_kind"] for b in boiler} >= {"byline", "pagination"}
    for m in read_jsonl(seed_run / "mentions.jsonl"):
        assert all(m["end"] <= b["start"] or b["end"] <= m["start"] for b in boiler), m


def test_every_mention_has_its_sentence_and_section(seed_run):
    sentences = {s["id"]: s for s in read_jsonl(seed_run / "segments.jsonl") if s["kind"] == "sentence"}
    for m in read_jsonl(seed_run / "mentions.jsonl"):
        if m["sentence_id"] is not None:
            sent = sentences[m["sentence_id"]]
            assert sent["start"] <= m["start"] and m["end"] <= sent["end"]
            assert sent["section_path"] == m["section_path"]
    six = next(m for m in read_jsonl(seed_run / "mentions.jsonl") if m["text"] == "six rounds")
    assert six["section_path"] == ["IV", "2"] and six["extractor"] == "rule:counts"


def test_outputs_are_byte_identical_across_runs(seed_run, tmp_path):
    (tmp_path / "raw").mkdir()
    shutil.copy(SEED_RAW, tmp_path / "raw" / SEED_RAW.name)
    api.run_all(tmp_path / "raw", tmp_path / "out", load_config(REPO / "configs"))
    for name in ("documents.jsonl", "segments.jsonl", "mentions.jsonl"):
        assert (tmp_path / "out" / name).read_bytes() == (seed_run / name).read_bytes(), name


@pytest.mark.parametrize(("split", "floor"), [("dev", 0.95), ("dev2", 0.95), ("dev3", 0.95), ("dev4", 0.95), ("dev5", 0.95), ("dev6", 0.95), ("dev7", 0.95), ("dev8", 0.95), ("dev9", 0.94), ("dev10", 0.94), ("dev11", 0.95), ("dev12", 0.95), ("dev13", 0.95), ("heldout", 0.95), ("heldout3", 0.95), ("heldout4", 0.95), ("heldout18", 0.92), ("heldout20", 0.93), ("heldout21", 0.94), ("dev14", 0.93), ("dev15", 0.96), ("dev16", 0.93), ("dev17", 0.935), ("dev19", 0.92), ("dev22", 0.96), ("dev23", 0.95), ("dev24", 0.94), ("heldout25", 0.95), ("dev26", 0.95), ("heldout27", 0.95), ("dev28", 0.95), ("heldout29", 0.95), ("dev30", 0.95), ("heldout31", 0.95), ("dev32", 0.95), ("heldout32", 0.95), ("dev33", 0.97), ("heldout33", 0.95), ("dev34", 0.97), ("heldout34", 0.95), ("heldout35", 0.95), ("heldout35b", 0.95), ("dev36", 0.96), ("heldout36", 0.95), ("dev37", 0.95), ("heldout37", 0.95), ("dev38", 0.96), ("heldout38", 0.94), ("heldout39", 0.94), ("heldout39b", 0.95)])
def test_unseen_documents_of_the_genre(tmp_path, split, floor):
    out = tmp_path / split
    result = api.run_all(GENRE / split / "raw", out, load_config(REPO / "configs"))
    assert result.errors == []
    report = evaluate(GENRE / split / "gold", out)["mentions"]
    assert report["micro"]["span_norm"]["f1"] >= floor


sentence = st.sampled_from([
    "China held five rounds of dialogue with the Wassenaar Arrangement.",
    "In April 2004, the UN Security Council adopted Resolution 1540.",
    "More than 3,000 enterprises attended seminars in Beijing.",
    "The “Nuclear Suppliers Group” met in Seoul on 29 December 2021.",
    "Ça va — the EU’s 12 members signed the CWC.",
])


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(sentence, min_size=1, max_size=4), st.sampled_from(["\n\n", "\r\n\r\n", "\n\n\u00a0\n"]), st.text(alphabet=" \t\u00a0", max_size=3))
def test_offset_invariant_on_generated_documents(rules_nlp, config, segmenter, sentences, gap, pad):
    text = "Full text: A Paper\n\n" + gap.join(pad + s for s in sentences)
    doc = {"doc_id": "g", "text": text, "format": "txt", "source_map": None}
    segments = segmenter(doc)
    mentions, _ = Extractor(config, nlp=rules_nlp).process(doc, segments)
    for m in mentions:
        assert text[m["start"]:m["end"]] == m["text"]
        assert m["text"] == m["text"].strip()


@pytest.fixture(scope="module")
def segmenter(config):
    from pipeline import segment
    from pipeline.layout_rules import LayoutRules

    rules, nlp = LayoutRules.from_config(config), segment.sentencizer(config)
    return lambda doc: segment.segment_document(doc, rules, nlp)


@pytest.mark.parametrize(("text", "expected"), [
    ("Ghana trained officers in Tema and Takoradi. The course in Tema was the first.", [("Tema", "rule:towns"), ("Takoradi", "rule:towns"), ("Tema", "rule:towns")]),
    ("The United States named it. Commerce added 33 entities, Harvard and Stanford briefed it, and Sale of the items needs a licence.", []),  # one-word towns told as no place
    ("France trained officers in Tema and Takoradi.", []),  # no Ghana named: no town of Ghana
    ("Namibia hosted it in Windhoek. Windhoek hosted it again, and in Oranjemund too.", [("Windhoek", "rule:towns"), ("Oranjemund", "rule:towns")]),
])
def test_towns_of_the_countries_a_document_names_are_places(rules_nlp, config, segmenter, text, expected):
    doc = {"doc_id": "t", "text": text, "format": "txt", "source_map": None}
    mentions, _ = Extractor(config, nlp=rules_nlp).process(doc, segmenter(doc))
    assert [(r["text"], r["extractor"]) for r in mentions if r["label"] == "PLACE"] == expected


@pytest.mark.parametrize(("sentence", "places"), [
    ("In 2023, officers of the Customs and their Slovak colleagues carried out four joint inspections in Prague.", ["Prague"]),  # a demonym is no place
    ("Slovak seminars were held in Prague and Vienna.", ["Prague", "Vienna"]),
])
def test_demonyms_are_no_places(tmp_path, sentence, places):
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "d.txt").write_text("Full text: Policy\n\n" + sentence + "\n", encoding="utf-8")
    api.run_all(raw, tmp_path / "out", load_config(REPO / "configs"))
    assert [m["text"] for m in read_jsonl(tmp_path / "out" / "mentions.jsonl") if m["label"] == "PLACE"] == places


@pytest.mark.parametrize(("body", "dates"), [
    ("It signed on 28/10/2004. It met on 12/03/2022.", ["2004-10-28", "2022-03-12"]),  # the paper writes its days first
    ("It signed on 10/28/2004. It met on 12/03/2022.", ["2004-10-28", "2022-12-03"]),
    ("It signed on 28/10/2004 and 10/28/2005. It met on 12/03/2022.", ["2004-10-28", "2005-10-28", "2022"]),  # both orders: only the year
    ("It met on 12/03/2022.", ["2022"]),
    ("It met on 05/04/2019.\n\nLast updated: 10/28/2023", ["2019"]),  # a site's footer tells nothing of the paper's dates
])
def test_an_ambiguous_slashed_date_is_read_as_its_document_writes_dates(rules_nlp, config, segmenter, body, dates):
    text = "Full text: A Paper\n\n" + body + "\n"
    doc = {"doc_id": "d", "text": text, "format": "txt", "source_map": None}
    mentions, _ = Extractor(config, nlp=rules_nlp).process(doc, segmenter(doc))
    assert [m["norm"]["value"] for m in mentions if m["label"] == "DATE"] == dates


@pytest.mark.parametrize(("sentence", "label", "text", "norm"), [
    # the NER's GPE running on past "China" over "on Export Control of Dual" does not end the name
    ("China enforces the Regulations of the People's Republic of China on Export Control of Dual-use Items.", "LAW",
     "Regulations of the People's Republic of China on Export Control of Dual-use Items", {"id": None}),
    # "of" + a head word is another name only after "the"
    ("The General Administration of Customs of China inspects exports.", "ORG", "General Administration of Customs of China", {"id": None}),
    ("The Chinese Academy of International Trade of the Ministry of Commerce held a seminar.", "ORG", "Ministry of Commerce", {"id": None}),
    # a noun the parser made an adjective leads to the counted plural; a hyphenated word stays whole in the unit
    ("In 1996 it was one of the 33 founding participating States of the Wassenaar Arrangement.", "COUNT", "33 founding participating States",
     {"value": 33, "qualifier": "exact", "unit": "founding participating State", "of": None}),
    ("China consulted the five nuclear-weapon states in 2020.", "COUNT", "five nuclear-weapon states",
     {"value": 5, "qualifier": "exact", "unit": "nuclear-weapon state", "of": None}),
    ("In 2023, 193 States Parties met in The Hague.", "COUNT", "193 States Parties", {"value": 193, "qualifier": "exact", "unit": "States Party", "of": None}),
    # a country before a head word starts another name; a country's possessive owns what follows (dev28 lessons)
    ("In 2024 the Bureau of Industry and Security of the US Department of Commerce signed a memorandum.", "ORG", "Bureau of Industry and Security", {"id": None}),
    ("In 2024 the Bureau of Industry and Security of the US Department of Commerce signed a memorandum.", "ORG", "US Department of Commerce", {"id": None}),
    ("The Strategic Trade Secretariat of Malaysia's Ministry of Investment, Trade and Industry held consultations.", "ORG", "Strategic Trade Secretariat", {"id": None}),
    ("China held consultations with the Atomic Energy Organization of Iran's senior officials.", "ORG", "Atomic Energy Organization of Iran", {"id": None}),
    # a long list of modifiers before the counted noun; a modifier noun the parser made an adjective (thirteenth session)
    ("The Office trained some 260 customs, port and economic zone officials in 2024.", "COUNT", "some 260 customs, port and economic zone officials",
     {"value": 260, "qualifier": "approx", "unit": "customs, port and economic zone official", "of": None}),
    ("It has trained more than 700 police, customs and coast guard officers since 2014.", "COUNT", "more than 700 police, customs and coast guard officers",
     {"value": 700, "qualifier": "gt", "unit": "police, customs and coast guard officer", "of": None}),
    ("In 2023 and 2024, IAEA inspectors carried out 18 safeguards inspections at Chinese facilities.", "COUNT", "18 safeguards inspections",
     {"value": 18, "qualifier": "exact", "unit": "safeguards inspection", "of": None}),
    # a plural counted noun before a verb in -s: the verb is no part of the unit (fourteenth session)
    ("Its roster of some 90 inspectors includes 41 ARN specialists.", "COUNT", "some 90 inspectors", {"value": 90, "qualifier": "approx", "unit": "inspector", "of": None}),
    ("Exports are governed by Law No. 57 of 27 May 2011 and its implementing regulations.", "LAW", "Law No. 57", {"id": None}),
    # a round number after "the" still counts (a year after a determiner does not: "the 2023 meetings"); an adjective between (review)
    ("The 2000 participants came from 40 countries.", "COUNT", "2000 participants", {"value": 2000, "qualifier": "exact", "unit": "participant", "of": None}),
    ("In 2023, China trained some 2000 young diplomats from 40 countries.", "COUNT", "some 2000 young diplomats",
     {"value": 2000, "qualifier": "approx", "unit": "diplomat", "of": None}),
    # a year after a preposition or a month, whatever follows; a year and a number word are two numbers (fifteenth session)
    ("In 2024 RMCD officers screened some 54,000 export declarations.", "DATE", "2024", {"value": "2024"}),
    ("In September 2024 two Office experts joined an IAEA mission.", "COUNT", "two Office experts", {"value": 2, "qualifier": "exact", "unit": "Office expert", "of": None}),
    ("In September 2024 two Office experts joined an IAEA mission.", "DATE", "September 2024", {"value": "2024-09"}),
    # the town a body sits in ends its name and is a place when none of its words is English (sixteenth session)
    ("The ATF trained 45 officers of the DGA and the National Police in Punta Cana in 2024.", "ORG", "National Police", {"id": None}),
    ("The ATF trained 45 officers of the DGA and the National Police in Punta Cana in 2024.", "PLACE", "Punta Cana", {"id": None}),
    ("In 2023 the BPS co-hosted at the Regional Police Training Centre in Seawell a workshop.", "PLACE", "Seawell", {"id": None}),
    # the NER's "X Port" and "X Airport" give way to the facility rule's place; a relative date holds no name; a verb's particle is no comparator;
    # a subdivision's generic word; a name found up to a word of an acronym's first words runs on (seventeenth session)
    ("Kuwait and the United States held 12 joint inspections, most of them at Shuwaikh Port.", "PLACE", "Shuwaikh", {"id": None}),
    ("Customs trained 40 officers at Changi Airport in 2023.", "PLACE", "Changi", {"id": None}),
    ("Jordan trained officers at the Jaber and Omari border crossings in 2024.", "PLACE", "Jaber", {"id": None}),
    ("Australia also handed over four Guardian-class patrol boats to Papua New Guinea in 2023.", "COUNT", "four Guardian-class patrol boats",
     {"value": 4, "qualifier": "exact", "unit": "patrol boat", "of": None}),
    ("Papua New Guinea collected 1,300 firearms in Hela Province and Southern Highlands Province.", "PLACE", "Southern Highlands Province", {"id": "PG-SHM"}),
    ("Officers of Vanuatu Customs and Inland Revenue (VCIR) demonstrated handheld detectors.", "ORG", "Vanuatu Customs and Inland Revenue", {"id": None}),
    ("Since 2020, more than 60 SLAEB and SLAERC staff have been trained in India.", "COUNT", "more than 60 SLAEB and SLAERC staff",
     {"value": 60, "qualifier": "gt", "unit": "SLAEB and SLAERC staff", "of": None}),
    # "People's" before a head; military commands; a mission's country; treaty titles with "their"; a date's day above a table (eighteenth session)
    ("The Viet Nam People's Navy sent two ships to the first exercise.", "ORG", "Viet Nam People's Navy", {"id": None}),
    ("In 2023 it trained 410 peacekeepers with the United States Indo-Pacific Command.", "ORG", "United States Indo-Pacific Command", {"id": None}),
    ("The battalion with the United Nations Interim Force in Lebanon (UNIFIL) is deployed near Naqoura.", "ORG", "United Nations Interim Force in Lebanon", {"id": None}),
    ("It served with the United Nations Mission in the Republic of South Sudan (UNMISS) in Bentiu.", "ORG", "United Nations Mission in the Republic of South Sudan", {"id": None}),
    ("It ratified the Convention on the Prohibition of the Use, Stockpiling, Production and Transfer of Anti-Personnel Mines and on their Destruction in 1998.",
     "TREATY", "Convention on the Prohibition of the Use, Stockpiling, Production and Transfer of Anti-Personnel Mines and on their Destruction", {"id": None}),
    ("Marking is required by the ECOWAS Convention on Small Arms, Light Weapons, their Ammunition and Other Related Materials, which Ghana ratified in 2010.",
     "TREATY", "ECOWAS Convention on Small Arms, Light Weapons, their Ammunition and Other Related Materials", {"id": None}),
    ("It is party to the Convention on the Prohibition of the Development, Production and Stockpiling of Bacteriological (Biological) and Toxin "
     "Weapons and on their Destruction.", "TREATY", "Convention on the Prohibition of the Development, Production and Stockpiling of Bacteriological "
     "(Biological) and Toxin Weapons and on their Destruction", {"id": "BWC"}),
    ("Table 4.1. GAF contingents in UN peacekeeping operations, 31 December 2022\nMission | Host country | Personnel\nUNIFIL | Lebanon | 872",
     "DATE", "31 December 2022", {"value": "2022-12-31"}),
    ("Viet Nam hosted port calls, and in 2019 the Cam Ranh International Port received 19 foreign naval ships.", "PLACE", "Cam Ranh", {"id": None}),
    # ... and where they do not apply (review): a registry treaty before "and their", "Command" inside a name's words
    ("China ratified the Convention on Certain Conventional Weapons and their Protocols in 1982.", "TREATY", "Convention on Certain Conventional Weapons", {"id": "CCW"}),
    ("Under the Chain of Command Rules of 2019 the Ministry acted.", "LAW", "Chain of Command Rules", {"id": None}),
    ("Six courses were conducted in 2022 by the GAF and the United States Africa Command, under the Initiative.", "ORG", "United States Africa Command", {"id": None}),
])
def test_mentions_read_with_the_model(tmp_path, sentence, label, text, norm):
    """Names, counts and places read with the model (eleventh session)."""
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "d.txt").write_text("Full text: Policy\n\n" + sentence + "\n", encoding="utf-8")
    api.run_all(raw, tmp_path / "out", load_config(REPO / "configs"))
    assert (text, norm) in [(m["text"], m["norm"]) for m in read_jsonl(tmp_path / "out" / "mentions.jsonl") if m["label"] == label]


@pytest.mark.parametrize(("body", "label", "unwanted"), [
    ("A country visit by the 1540 Committee has not yet taken place³.", "PLACE", "place³."),  # a place's name is capitalized
    ("It met in 2023.\n\n³ The Commission is chaired by a Deputy Minister.", "ORG", "³ The Commission"),  # a footnote's marker is no word of a name
    ("Since 2020, a fund of 30 million yuan has supported training.", "COUNT", "30 million yuan has"),  # "has" is no plural noun
    ("A network of 30 laboratories has 12 branches in Asia.", "COUNT", "30 laboratories has"),  # nor as the main verb
    ("In 2024 RMCD officers screened 300 containers.", "COUNT", "2024 RMCD officers"),  # a year after "in"
    ("In September 2024 two Office experts joined a mission.", "COUNT", "2024 two Office experts"),  # (was counted as 4048)
    ("Greece contributed EUR 250,000 to the IAEA Nuclear Security Fund in 2023, some 12 percent more than in 2022.", "ORG", "EUR"),  # a currency code is no body
    # an English word after "in" is no seat: the name stays whole (review of the sixteenth session)
    ("In 2023 it met the Office in Charge and the Centre for Excellence in Border Security.", "PLACE", "Charge"),
    ("In 2023 it met the Office in Charge and the Centre for Excellence in Border Security.", "PLACE", "Border Security"),
    ("In 2023 it met the Court in Session and the Regional Centre in Chemical Safety.", "PLACE", "Session"),
    ("In 2024 officials met the Office to Monitor and Combat Trafficking in Persons.", "PLACE", "Persons"),  # a plural of a word (second review)
    ("Peace on the Korean Peninsula matters. The Peninsula is calm.", "PLACE", "Peninsula"),
    ("Saudi Arabia signed it. As it prepares to build its first nuclear power plant, the Kingdom is deepening its cooperation with the IAEA.", "PLACE", "Kingdom"),  # the country in other words
    ("Belgium has organised 11 courses on sampling and analysis for first responders from African States since 2015.", "PLACE", "African States"),
    # a body's head and its complement; a region describing a noun; a port's whole name (seventeenth session)
    ("France holds regular consultations and organises the reinforced meetings of the Point of Contact.", "PLACE", "Point of Contact"),
    ("Australia assists Pacific island countries in implementing resolution 1540.", "PLACE", "Pacific island"),
    ("Kuwait and the United States held 12 joint inspections, most of them at Shuwaikh Port.", "PLACE", "Shuwaikh Port"),
    ("Japan held a Pacific regional workshop with the Central Asia countries in Tokyo in 2023.", "PLACE", "Pacific"),
    ("Japan held a Pacific regional workshop with the Central Asia countries in Tokyo in 2023.", "PLACE", "Central Asia"),
    ("In 2021, China held a Regional Workshop on Export Control Law in Xi'an for officials from 12 countries.", "LAW", "Regional Workshop on Export Control Law"),
    # a sea named after a country; a meeting's short form; a date's day above a table (eighteenth session)
    ("Ghana took part in an exercise held across the Gulf of Guinea in March 2022 with 32 countries.", "COUNTRY", "Guinea"),
    ("Viet Nam attended the inaugural ASEAN Defence Ministers' Meeting (ADMM) in Kuala Lumpur in May 2006.", "ORG", "ADMM"),
    ("Table 4.1. GAF contingents in UN peacekeeping operations, 31 December 2022\nMission | Host country | Personnel\nUNIFIL | Lebanon | 872",
     "COUNT", "31 December 2022\nMission | Host country"),
    ("China held a Nuclear Command and Control dialogue with Russia in 2023.", "ORG", "Nuclear Command"),
    ("In 2023 they ran a Joint Command Post Exercise.", "ORG", "Joint Command"),
    ("In 2023 China discussed Nuclear Command, Control and Communications with Russia.", "ORG", "Nuclear Command"),
])
def test_footnote_markers_and_common_nouns_are_no_names(tmp_path, body, label, unwanted):
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "d.txt").write_text("Full text: Policy\n\n" + body + "\n", encoding="utf-8")
    api.run_all(raw, tmp_path / "out", load_config(REPO / "configs"))
    assert unwanted not in [m["text"] for m in read_jsonl(tmp_path / "out" / "mentions.jsonl") if m["label"] == label]


def _segmented(segmenter, path):
    doc = {"doc_id": path.stem, "text": path.read_text(encoding="utf-8"), "format": "txt", "source_map": None}
    return doc, segmenter(doc)


def _annotations(docs):
    return [[(t.tag_, t.dep_, t.head.i, t.ent_iob_, t.ent_type_, t.lemma_, t.is_sent_start) for t in doc] for doc in docs]


@pytest.fixture(scope="module")
def model_extractor(config):
    return Extractor(config)


@pytest.mark.parametrize("batch_size", [64, 5])
def test_blocks_piped_together_give_what_each_document_gives_alone(model_extractor, segmenter, batch_size, monkeypatch):
    # The batch engine pipes the blocks of a chunk's documents together; the model's annotations must not depend on the batch.
    monkeypatch.setattr(model_extractor, "batch_size", batch_size)
    items = [_segmented(segmenter, path) for path in [SEED_RAW, *sorted((GENRE / "dev" / "raw").glob("*.txt"))[:3]]]
    together = model_extractor.process_many([(doc, segments, None) for doc, segments in items])
    for (doc, segments), result in zip(items, together):
        alone = model_extractor.process(doc, segments)
        assert result[0] == alone[0] and result[0], doc["doc_id"]
        assert _annotations(result[1]) == _annotations(alone[1]), doc["doc_id"]


@Language.component("wpx_test_boom")
def _boom(doc):
    if "BOOM" in doc.text:
        raise RuntimeError("boom")
    return doc


def test_a_document_that_breaks_the_shared_pipe_fails_alone(config, segmenter):
    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    add_rules(nlp, config)
    nlp.add_pipe("wpx_test_boom")
    extractor = Extractor(config, nlp=nlp)
    texts = ["Full text: One\n\nChina held five rounds of dialogue with Japan in 2019.", "Full text: Two\n\nThe BOOM paragraph.",
             "Full text: Three\n\nKazakhstan joined the Nuclear Suppliers Group in 2002."]
    items = [(doc, segmenter(doc)) for doc in ({"doc_id": f"d{i}", "text": text, "format": "txt", "source_map": None} for i, text in enumerate(texts))]
    results = extractor.process_many([(doc, segments, None) for doc, segments in items])
    assert isinstance(results[1], RuntimeError)
    for index in (0, 2):
        assert results[index][0] == extractor.process(*items[index])[0] and results[index][0]
