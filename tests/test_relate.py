"""Engagements: contract scores on the seed and unseen documents, and the relation rules one by one."""
from __future__ import annotations

import pytest

from pipeline import api
from pipeline.config import load_config
from pipeline.evaluate import evaluate
from pipeline.records import read_jsonl
from pipeline.schemas import problems

from .conftest import GENRE, GOLD_DIR, REPO


def test_seed_meets_the_relation_scores(seed_run):
    report = evaluate(GOLD_DIR, seed_run)["relations"]
    assert report["counted"]["f1"] >= 0.9
    assert report["all"]["f1"] >= 0.8


def test_relations_are_valid_and_cite_the_text(seed_run):
    [doc] = read_jsonl(seed_run / "documents.jsonl")
    mentions = {m["id"] for m in read_jsonl(seed_run / "mentions.jsonl")}
    relations = list(read_jsonl(seed_run / "relations.jsonl"))
    assert relations
    for rel in relations:
        assert problems("relations.jsonl", rel) == []
        assert doc["text"][rel["start"]:rel["end"]] == rel["evidence"]
        assert doc["text"][rel["trigger"]["start"]:rel["trigger"]["end"]] == rel["trigger"]["text"]
        assert set(rel["mention_ids"]) <= mentions
        assert rel["counterparts"] == sorted(rel["counterparts"])


def by_activity(seed_run, counterpart, activity):
    return next(r for r in read_jsonl(seed_run / "relations.jsonl") if counterpart in r["counterparts"] and r["activity"] == activity)


def test_anaphor_resolves_to_the_previous_sentence(seed_run):
    rel = by_activity(seed_run, "WA", "dialogue")
    [cm] = rel["counterpart_mentions"]
    assert cm["anaphor"]["text"] == "The two sides"
    assert cm["resolved_from"] == cm["mention_id"] and "#mention:7668-7689:REGIME" in cm["mention_id"]
    assert rel["count"]["value"] == 5


def test_aligned_lists_pair_places_with_dates(seed_run):
    rel = by_activity(seed_run, "1540-COMMITTEE", "training")
    assert rel["occasions"] == [{"place": "Qingdao", "date": "2015"}, {"place": "Xi'an", "date": "2017"}, {"place": "Xiamen", "date": "2019"}]
    assert rel["count"] == {"value": 3, "qualifier": "exact", "mention_id": rel["count"]["mention_id"]}


@pytest.mark.parametrize(
    ("split", "counted_floor", "all_floor"),
    [("dev", 0.9, 0.8), ("dev2", 0.85, 0.9), ("dev3", 0.85, 0.8), ("dev4", 0.9, 0.85), ("dev5", 0.85, 0.8), ("dev6", 0.9, 0.85), ("dev7", 0.9, 0.85), ("dev8", 0.9, 0.85), ("dev9", 0.9, 0.9), ("dev10", 0.95, 0.95), ("dev11", 0.85, 0.85), ("dev12", 0.9, 0.9), ("dev13", 0.85, 0.9), ("heldout", 0.85, 0.9), ("heldout3", 0.85, 0.9), ("heldout4", 0.9, 0.9), ("heldout18", 0.9, 0.9), ("heldout20", 0.88, 0.9), ("heldout21", 0.84, 0.84), ("dev14", 0.95, 0.95), ("dev15", 0.9, 0.9), ("dev16", 0.95, 0.95), ("dev17", 0.95, 0.95), ("dev19", 0.9, 0.9), ("dev22", 0.93, 0.92), ("dev23", 0.88, 0.9), ("dev24", 0.93, 0.9), ("heldout25", 0.9, 0.88), ("dev26", 0.9, 0.9), ("heldout27", 0.88, 0.85), ("dev28", 0.92, 0.93), ("heldout29", 0.92, 0.89), ("dev30", 0.92, 0.89), ("heldout31", 0.82, 0.86), ("dev32", 0.93, 0.88), ("heldout32", 0.9, 0.9), ("dev33", 0.93, 0.86), ("heldout33", 0.86, 0.88), ("dev34", 0.87, 0.88), ("heldout34", 0.9, 0.88), ("heldout35", 0.88, 0.79), ("heldout35b", 0.92, 0.83), ("dev36", 0.93, 0.93), ("heldout36", 0.86, 0.85), ("dev37", 0.72, 0.7), ("heldout37", 0.77, 0.8), ("dev38", 0.93, 0.88), ("heldout38", 0.72, 0.76), ("heldout39", 0.84, 0.78), ("heldout39b", 0.74, 0.75)],  # heldout*: never tuned on
)
def test_unseen_documents(tmp_path, split, counted_floor, all_floor):
    api.run_all(GENRE / split / "raw", tmp_path, load_config(REPO / "configs"))
    report = evaluate(GENRE / split / "gold", tmp_path)["relations"]
    assert report["counted"]["f1"] >= counted_floor
    assert report["all"]["f1"] >= all_floor


@pytest.mark.parametrize(
    ("paragraph", "expected"),
    [
        ("China held three rounds of consultation with Pakistan in 2019.", [("consultation", ["PAK"], 3, ["2019"])]),
        ("China will hold two rounds of consultation with Pakistan.", []),
        ("China has not held consultations with Brazil.", []),
        ("China supports the accession of Brazil to the NSG.", []),
        ("China is willing to join the MTCR.", []),
        ("China joined the Zangger Committee in 1997. Since then, the Committee has held four seminars with China.",
         [("accession", ["ZC"], None, ["1997"]), ("seminar", ["ZC"], 4, [])]),
        ("China has held consultations with more than ten countries.", [("consultation", [], 10, [])]),
        ("China worked with other member states of the SCO.", []),
        ("China signed the CTBT. Kyrgyzstan, Tajikistan and Uzbekistan signed the CTBT in 1996.", [("signature", ["CTBT"], None, [])]),
        ("The OPCW has carried out over 600 inspections in China.", [("inspection", ["OPCW"], 600, [])]),
        ("The Protocol to the Bangkok Treaty is open for signature by China and France.", []),
        ("China signed an Additional Protocol with the IAEA in 1998.", []),  # signature needs a treaty
        ("China worked with Australia in 2017. The two countries held two ARF seminars in 2018.", [("seminar", ["AUS"], 2, ["2018"])]),
        ("The ASEAN Regional Forum is the main platform for security dialogue.", []),
        ("China applied for membership of the MTCR in 2004.", [("application", ["MTCR"], None, ["2004"])]),
        ("China and Japan held a dialogue on export control in 2017. The two sides held their third round in Tokyo in 2019.",
         [("dialogue", ["JPN"], None, ["2017"]), ("dialogue", ["JPN"], None, ["2019"])]),
        ("China held consultations with Pakistan in 2016. Since then, they have held four rounds of consultation.",
         [("consultation", ["PAK"], None, ["2016"]), ("consultation", ["PAK"], 4, [])]),
        ("More than 3,000 enterprises attended export control training.", []),  # domestic: no counterpart, no count of events or parties
        ("China signed the CTBT in 1996 and ratified the CWC in 1997.", [("ratification", ["CWC"], None, ["1997"]), ("signature", ["CTBT"], None, ["1996"])]),
        # "co-" verbs stay one token, so the parser finds the participants of the event
        ("In 2019, China and Nepal co-organized a workshop on export control in Kathmandu, attended by about 70 participants.",
         [("seminar", ["NPL"], 70, ["2019"])]),
        # a place of origin is not where the event was
        ("China held a seminar with Laos for 40 officials from Asia.", [("seminar", ["LAO"], 40, [])]),
        # "the two X" resolves to the other party, inside the sentence too, and is no count
        ("China and Peru signed a memorandum in 2012, and the two governments have held consultations since 2014.",
         [("agreement", ["PER"], None, ["2012"]), ("consultation", ["PER"], None, ["2014"])]),
        ("The China Atomic Energy Authority and the IAEA signed a safeguards agreement. In 2011, the two agencies held three rounds of talks.",
         [("agreement", ["IAEA"], None, []), ("dialogue", ["IAEA"], 3, ["2011"])]),
        # a clause without a trigger lends no counterpart; a negation after a semicolon stays in its clause
        ("Since 2001, China has run 12 international training courses on customs, and it sent experts to Chile.", [("training", [], 12, ["2001"])]),
        ("China joined the NSG in 2004; it is not a member of the MTCR.", [("accession", ["NSG"], None, ["2004"])]),
        # descriptions and other senses are not events
        ("China applies the control lists of the NSG.", []),
        ("China is the largest contributor among the five permanent members of the Security Council.", []),
        ("China has decided to join the Arms Trade Treaty.", []),
        # a counted domestic event stays out; a named hyphen pair is the partner; a plural name is an agreement
        ("China held 12 outreach seminars for 3,000 enterprises in 2020.", []),
        ("The first China-ASEAN dialogue on arms control was held in May 2018.", [("dialogue", ["ASEAN"], None, ["2018-05"])]),
        ("ASEANTOM and the IAEA signed Practical Arrangements in 2019.", [("agreement", ["IAEA"], None, ["2019"])]),
        # dev5 lessons: a Member State is a member; a thing named by a trigger is no event; people "from" countries are no third parties
        ("China has been a Member State of the IAEA since 1984.", [("membership", ["IAEA"], None, ["1984"])]),
        ("The Commission is building the verification regime of the CTBT.", []),
        ("Since 2016, Chinese experts and their counterparts from Norway and Sweden have conducted four joint verification exercises.",
         [("verification", ["NOR", "SWE"], 4, ["2016"])]),
        # a country inside an unregistered agency's name acts for the country; a relative clause lends no partner
        ("In 2021, a workshop was organised in Xiamen by the United States Department of Energy and the China Atomic Energy Authority.",
         [("seminar", ["USA"], None, ["2021"])]),
        ("The IAEA signed an agreement with China in 1985. Since 2008, the Agency has carried out 30 inspections at a reactor in Beijing, which was converted with the assistance of Russia.",
         [("agreement", ["IAEA"], None, ["1985"]), ("inspection", ["IAEA"], 30, ["2008"])]),
        # conferences are attended, not recorded; "yet to ratify" did not happen; a word inside a treaty's name is no trigger
        ("China attended the Ninth Review Conference of the BWC in Geneva in 2022.", []),
        ("Eight of the 44 States have yet to ratify the CTBT.", []),
        ("Through the Regional Cooperative Agreement for Research and Training, China has hosted 14 regional training courses since 2012.",
         [("training", [], 14, ["2012"])]),
        # "ratified it" and "the Treaty" point back inside the sentence; a rank after an accession is no second event
        ("China signed the TPNW in 2017 and ratified it in 2018.", [("ratification", ["TPNW"], None, ["2018"]), ("signature", ["TPNW"], None, ["2017"])]),
        ("China took part in the negotiations on the CTBT, and signed the Treaty in 1996.", [("signature", ["CTBT"], None, ["1996"])]),
        ("China joined the NSG in 2004, becoming its 45th member.", [("accession", ["NSG"], None, ["2004"])]),
        ("China became the 35th member of the MTCR in 2016.", [("membership", ["MTCR"], None, ["2016"])]),
        # dev6 lessons
        ("China is a member of the IAEA. It concluded a safeguards agreement with the Agency in 1989 and signed an additional protocol in 2007.",
         [("membership", ["IAEA"], None, []), ("agreement", ["IAEA"], None, ["1989"])]),  # "the Agency" is never a treaty to sign
        ("Under an agreement signed with Russia in 2011, China is building a research centre.", [("agreement", ["RUS"], None, ["2011"])]),
        ("China holds consultations with its MTCR partners, notably France and Germany.", [("consultation", ["DEU", "FRA"], None, [])]),
        ("China regards verification by the OPCW as an important means of building trust.", []),
        ("China was one of the seven founding partners of the MTCR in 1987.", [("membership", ["MTCR"], 7, ["1987"])]),
        ("China has signed agreements with 31 partners.", [("agreement", [], 31, [])]),
        ("The two sides redirected their cooperation towards research and training.", []),
        ("China signed a memorandum with Japan's Nuclear Regulation Authority in 2019.", [("agreement", ["JPN"], None, ["2019"])]),
        ("China joined the IAEA in 1984. A workshop was organised in Xi'an by Kazakhstan, Mongolia and the Agency in 2019.",
         [("accession", ["IAEA"], None, ["1984"]), ("seminar", ["IAEA", "KAZ", "MNG"], None, ["2019"])]),
        # dev7 lessons
        ("A planned course for officials from Nepal had to be cancelled.", []),
        ("Today the Zangger Committee has 39 members.", []),
        ("In 2019, China and the EU held a dialogue on export control. At that round the two sides exchanged views.", [("dialogue", ["EU"], None, ["2019"])]),
        ("In 2019, China and Japan co-hosted a regional workshop on export control, which was attended by 70 officials from 12 countries.",
         [("seminar", ["JPN"], 70, ["2019"])]),
        ("Memoranda of understanding were signed with Thailand and Indonesia in 2016 and 2018.", [("agreement", ["IDN", "THA"], None, ["2016", "2018"])]),
        ("China and Pakistan signed a cooperation agreement in 2015. Since 2016, the two commissions have trained 60 officials from Nepal and Laos.",
         [("agreement", ["PAK"], None, ["2015"]), ("training", ["LAO", "NPL", "PAK"], 60, ["2016"])]),
        ("China and the OPANAL have co-organised two summer courses for young diplomats from Latin America, in 2019 and 2022.", [("training", [], 2, ["2019", "2022"])]),
        # dev8 lessons
        ("The agreement with Korea, signed in June 2009, paved the way for the selection in December 2009 of a consortium with partners from France.",
         [("agreement", ["KOR"], None, ["2009-06"])]),
        ("China is not a member of the NSG, but since 2017 it has held four rounds of consultations with the Group.", [("consultation", ["NSG"], 4, ["2017"])]),
        ("Beyond Russia and India, China has signed agreements with eight other countries, among them France and Peru.", [("agreement", ["FRA", "PER"], 8, [])]),
        # a frame's relative clause tells what was done to the frame; an event noun a memorandum covers is its topic
        ("Under the Chemical Weapons Convention, which China ratified on 25 April 1997, the OPCW conducted two industry inspections in Beijing in 2024.",
         [("inspection", ["OPCW"], 2, ["2024"]), ("ratification", ["CWC"], None, ["1997-04-25"])]),
        ("On 6 March 2023, China signed a memorandum of understanding with Morocco covering regulatory training and the exchange of inspectors.", [("agreement", ["MAR"], None, ["2023-03-06"])]),
        # a party represented is no counterpart
        ("On behalf of ASEAN, China held two rounds of consultations with France and the United States in Jakarta in March 2024.", [("consultation", ["FRA", "USA"], 2, ["2024-03"])]),
        # the meeting an engagement took place beside is no counterpart, even when the parser hangs the subject on it; an opening for signature signs nothing
        ("In March 2023, on the margins of the Conference on Disarmament, China held consultations in Geneva with France and the United Kingdom.",
         [("consultation", ["FRA", "GBR"], None, ["2023-03"])]),
        ("On the sidelines of the IAEA General Conference, China and Japan held a dialogue in 2023.", [("dialogue", ["JPN"], None, ["2023"])]),
        ("On the 57th anniversary of the opening for signature of the Treaty of Tlatelolco, China reaffirmed its support.", []),
        ("In 2023, China hosted the opening of a regional training course with the IAEA for 30 officials in Beijing.", [("training", ["IAEA"], 30, ["2023"])]),
        ("In 2023, China hosted the opening for the regional workshop with the IAEA in Beijing.", [("seminar", ["IAEA"], None, ["2023"])]),
        # "the latter" names the treaty told last before it
        ("China ratified the Treaty on the Non-Proliferation of Nuclear Weapons (NPT) on 9 March 1992 and the Comprehensive Nuclear-Test-Ban Treaty (CTBT) "
         "on 12 January 2012, having signed the latter on 24 September 1996.",
         [("ratification", ["CTBT", "NPT"], None, ["1992-03-09", "2012-01-12"]), ("signature", ["CTBT"], None, ["1996-09-24"])]),
        ("In 2022, a workshop was co-organised in Beijing by the IAEA, and was attended by 70 officials.", [("seminar", ["IAEA"], 70, ["2022"])]),
        ("China keeps regular contacts with the African Commission on Nuclear Energy. In 2021 and 2023 the two sides co-hosted two webinars.",
         [("seminar", [], 2, ["2021", "2023"])]),
        # dev9 lessons
        ("China has been a member of the United Nations Committee on the Peaceful Uses of Outer Space since 1980, and it ratified the Outer Space Treaty in 1983.",
         [("ratification", ["OST"], None, ["1983"])]),
        ("Since 2019, more than 500 police officers from 28 African countries have been trained in China.", [("training", [], 500, ["2019"])]),
        ("Small arms control is a standing item of the consultations that China holds with France and the United Kingdom.", [("consultation", ["FRA", "GBR"], None, [])]),
        ("In 2023, the 30th seminar was held in Tokyo and brought together some 250 officials from 32 countries.", [("seminar", [], 250, ["2023"])]),
        ("China is a participating government of the Nuclear Suppliers Group.", [("membership", ["NSG"], None, [])]),
        ("China and Ukraine have held five rounds of consultations since 2016. The latest round took place in Rzeszow in 2023.",
         [("consultation", ["UKR"], 5, ["2016"]), ("consultation", ["UKR"], None, ["2023"])]),
        ("In 2022, Chinese officials held consultations in Beijing with their counterparts from Armenia and Kazakhstan.", [("consultation", ["ARM", "KAZ"], None, ["2022"])]),
        # dev10 lessons
        ("As a founding member of the SCO, China regards it as an important platform for cooperation.", [("membership", ["SCO"], None, [])]),
        ("Iran became a member state of the SCO in July 2023.", []),
        ("China is a State Party to the CWC and the BWC, which it ratified in 1997 and 1984 respectively.", [("ratification", ["BWC", "CWC"], None, ["1997", "1984"])]),
        ("The Regulation applies directly in all 27 EU member states.", []),
        ("In 2022, China and the IAEA signed a Country Programme Framework in Vienna.", [("agreement", ["IAEA"], None, ["2022"])]),
        ("The Graduate School, established in 2006 by the China Atomic Energy Authority, has since trained more than 400 young professionals from Africa.",
         [("training", [], 400, [])]),
        # dev11 lessons
        ("Under an arrangement signed with Laos in October 2021, China has trained 25 officials from Laos and Myanmar.",
         [("agreement", ["LAO"], None, ["2021-10"]), ("training", ["LAO", "MMR"], 25, [])]),
        ("The Treaty of Rarotonga was signed in 1985 by eight members of the South Pacific Forum, China among them.", [("signature", ["RAROTONGA"], 8, ["1985"])]),  # no membership
        ("China joined the MTCR in 2004. Within the Regime, China and Pakistan have held five rounds of consultations since 2016.",
         [("accession", ["MTCR"], None, ["2004"]), ("consultation", ["PAK"], 5, ["2016"])]),
        # dev12 lessons
        ("The Nuclear Safety Authority and the regulators of Ukraine and Georgia held three regional workshops in 2016, 2019 and 2022.",
         [("seminar", ["GEO", "UKR"], 3, ["2016", "2019", "2022"])]),
        ("In 2022, ASEAN held three rounds of consultations on the Protocol with China and France.", [("consultation", ["FRA"], 3, ["2022"])]),
        ("China is not a member of the MTCR, although it applied to join the Wassenaar Arrangement in 2016.", [("application", ["WA"], None, ["2016"])]),
        ("China has concluded such agreements with 14 countries, including Japan and India, with which agreements were signed in 2007 and 2010.",
         [("agreement", ["IND", "JPN"], 14, ["2007", "2010"])]),
        ("Since 2015 the authority has hosted 12 courses for some 140 IAEA inspectors.", [("training", ["IAEA"], 12, ["2015"])]),
        ("China concluded a safeguards agreement with the IAEA in 1988; an additional protocol was signed with the Agency in 2002.",
         [("agreement", ["IAEA"], None, ["1988"])]),
        # dev13 lessons
        ("China has been a partner of the MTCR since 2001, two years after the CTBT was ratified in September 1999.",
         [("membership", ["MTCR"], None, ["2001"]), ("ratification", ["CTBT"], None, ["1999-09"])]),
        ("China joined the NSG in 2004 and has since held eight regional seminars on the NSG Guidelines for partners along the Belt and Road.",
         [("accession", ["NSG"], None, ["2004"]), ("seminar", [], 8, [])]),
        ("Since 2012 China has hosted an international export control seminar in Beijing every year, and twelve editions have been held so far.",
         [("seminar", [], 12, ["2012"])]),
        ("As a member of the Zangger Committee, China hosted a meeting in Xiamen in 2018.", [("membership", ["ZC"], None, [])]),
        # "application of", a trigger under "under": no events; "the dialogue" continues the paragraph's dialogue
        ("China and the IAEA signed an agreement on the application of safeguards in 1988.", [("agreement", ["IAEA"], None, ["1988"])]),
        ("China and Brazil have held consultations under Article 3 of their agreement.", [("consultation", ["BRA"], None, [])]),
        ("China and Japan launched a dialogue on export control in 2015. The fifth round of the dialogue was held in Tokyo in 2019.",
         [("dialogue", ["JPN"], None, ["2015"]), ("dialogue", ["JPN"], None, ["2019"])]),
        # "such" talks are the consultations told before; a drafted memorandum was not signed
        ("In 2023, consultations on arms control were held between China and Japan, the first such talks in five years.", [("consultation", ["JPN"], None, ["2023"])]),
        ("A memorandum with Laos has been drafted but has not yet been signed.", []),
        # partners with no id: the companions "together with" the actor are on its side; the counted events stay, with no counterpart
        ("China, together with Laos and Cambodia, held two rounds of consultations with the Mekong River Commission in 2021.", [("consultation", [], 2, ["2021"])]),
        ("Together with the Asia Pacific Training Institute, China has organised four courses on export control.", [("training", [], 4, [])]),
        # the instrument's year is not the event's; a later "it brought together" clause counts the participants
        ("In 2022, a regional workshop on resolution 1540 (2004) was co-organised by China and the 1540 Committee in Qingdao; it brought together 60 officials.",
         [("seminar", ["1540-COMMITTEE"], 60, ["2022"])]),
        # the number hangs on a modifier of the counted noun
        ("Since 2017, China has trained more than 250 licensing and customs officials from Laos.", [("training", ["LAO"], 250, ["2017"])]),
        # "the depositary States" are the countries listed after the same words; "the other four Parties" are the actor's fellows
        ("The depositary States, Russia, the United Kingdom and the United States, signed the Protocol in 2014. China and the other four Parties have held two rounds of consultations with the depositary States.",
         [("consultation", ["GBR", "RUS", "USA"], 2, [])]),
        # a subject "it" stands for the previous sentence's subject when that is another party
        ("China joined the International Atomic Energy Agency in 1984. Since 2016, the Agency has sent four missions to China. Under its programme, it has trained more than 180 Chinese specialists.",
         [("accession", ["IAEA"], None, ["1984"]), ("training", ["IAEA"], 180, [])]),
        ("China joined the NSG in 2004. It has trained more than 180 specialists from Laos.", [("accession", ["NSG"], None, ["2004"]), ("training", ["LAO"], 180, [])]),
        # two coordinated verbs share their object
        ("China has signed and ratified the protocols to the Treaty of Tlatelolco and the Treaty of Rarotonga.",
         [("ratification", ["RAROTONGA", "TLATELOLCO"], None, []), ("signature", ["RAROTONGA", "TLATELOLCO"], None, [])]),
        # people attend courses, not agreements; a participle coordinated with one on the event tells of the event
        ("In 2023, China and the IAEA signed practical arrangements, and the two sides have since held 17 international training courses in Beijing, attended by more than 650 trainees from 52 countries.",
         [("agreement", ["IAEA"], None, ["2023"]), ("training", ["IAEA"], 17, [])]),
        ("In October 2023 the NSG held a technical outreach seminar in Beijing, co-hosted by China and attended by 48 officials from Laos and Cambodia.",
         [("seminar", ["KHM", "LAO", "NSG"], 48, ["2023-10"])]),
        # "the three countries" named without the actor are all three; the frame "under the Agency's programme" is no party
        ("China signed memorandums with Laos in 2017, with Cambodia in 2019 and with Myanmar in 2021. Under them, Chinese officers and their counterparts from the three countries have carried out nine joint inspections.",
         [("agreement", ["KHM", "LAO", "MMR"], None, ["2017", "2019", "2021"]), ("inspection", ["KHM", "LAO", "MMR"], 9, [])]),
        ("China joined the International Atomic Energy Agency in 1984. Under the Agency's technical cooperation programme, China has hosted 37 regional training courses since 2010.",
         [("accession", ["IAEA"], None, ["1984"]), ("training", [], 37, ["2010"])]),
        # an anaphor coordinated with the actor is its partner
        ("China joined the OPCW in 1997. Since 2014, China and the Organisation have held seven regional courses for first responders from Laos.",
         [("accession", ["OPCW"], None, ["1997"]), ("training", ["LAO", "OPCW"], 7, ["2014"])]),
        # a demonym names a counterpart the document names elsewhere; not in a description in the present tense
        ("China and Laos signed a memorandum in 2019. Chinese and Lao customs officers then carried out five joint inspections in 2021.",
         [("agreement", ["LAO"], None, ["2019"]), ("inspection", ["LAO"], 5, ["2021"])]),
        ("China and Laos signed a memorandum in 2019. Chinese and Lao inspectors verify the installations.", [("agreement", ["LAO"], None, ["2019"])]),
        # a relative clause that gathers people tells of the event wherever the parser hangs it
        ("In 2019, the Committee on Export Control and the 1540 Committee co-organised a national workshop in Beijing on resolution 1540 (2004), which brought together 48 officials from 14 ministries.",
         [("seminar", ["1540-COMMITTEE"], 48, ["2019"])]),
        # the partner of a fronted "Working with", even with no id; an anaphor in the event's subject; a bare "Agency" before a noun
        ("Working with the Asia Pacific Training Institute, the Ministry has run three courses on export control for young diplomats of the region.", [("training", [], 3, [])]),
        ("China joined the International Atomic Energy Agency in 1984. Since 2015 the China Atomic Energy Authority and the Agency have also organised nine regional training courses on the control of radioactive sources for regulators from Laos and Cambodia.",
         [("accession", ["IAEA"], None, ["1984"]), ("training", ["IAEA", "KHM", "LAO"], 9, ["2015"])]),
        ("China joined the International Atomic Energy Agency in 1984. Agency inspectors have also carried out five design information verifications at the reactor in Beijing.",
         [("accession", ["IAEA"], None, ["1984"]), ("verification", ["IAEA"], 5, [])]),
        # joining something that is no party; "Those with ..." continue the paragraph's agreements, and a negotiated one is none
        ("Chinese oncologists have joined 31 missions of the Programme of Action for Cancer Therapy.", []),
        ("China has concluded agreements on the peaceful uses of nuclear energy with 33 countries. Those with Laos and Mongolia were signed in Vientiane in April 2017 and in Ulaanbaatar in May 2018 respectively, while an agreement with Cambodia has been negotiated but has not yet been signed.",
         [("agreement", [], 33, []), ("agreement", ["LAO", "MNG"], None, ["2017-04", "2018-05"])]),
        # whoever a course served counts it, whatever the noun; "24 first responders" is 24, not "24 first"
        ("On March 21, 2023, experts of the CTBTO ran a training course in Beijing for 18 seismologists of the China Earthquake Administration.", [("training", ["CTBTO"], 18, ["2023-03-21"])]),
        ("In 2022, the China Atomic Energy Authority and the OPCW co-hosted a regional course in Beijing for 24 first responders from Laos.", [("training", ["LAO", "OPCW"], 24, ["2022"])]),
        # counts the parser misses: a number before a verb-like modifier, a long run of modifiers before the noun
        ("Between 2015 and 2023, the People's Liberation Army ran 26 demining training courses for more than 1,000 deminers from Cambodia.", [("training", ["KHM"], 26, ["2015", "2023"])]),
        ("Since 2011, the United States Department of Energy has trained more than 450 Chinese customs and border police officers.", [("training", ["USA"], 450, ["2011"])]),
        # "its safeguards agreement ... was signed" is the agreement, no signature; a trailing participle keeps its own event
        ("China acceded to the NPT on 9 March 1992, and its comprehensive safeguards agreement with the International Atomic Energy Agency was signed two months later.",
         [("accession", ["NPT"], None, ["1992-03-09"]), ("agreement", ["IAEA"], None, [])]),
        ("China joined the NSG on 28 May 2004, having subscribed to the Hague Code of Conduct when the Code was launched in November 2002.",
         [("accession", ["NSG"], None, ["2004-05-28"]), ("membership", ["HCOC"], None, ["2002-11"])]),
        # "the three countries" are the list of three, not the first two of four
        ("Together with the United States Department of Energy, China has also organised three regional workshops for border guards from Laos, Cambodia and Myanmar. In all, more than 900 officials from the three countries have been trained since 2015.",
         [("seminar", ["KHM", "LAO", "MMR", "USA"], 3, []), ("training", ["KHM", "LAO", "MMR"], 900, ["2015"])]),
        # a fronted phrase keeps its party and date; a verb coordinated with "opened for signature" is no intent
        ("A founding member of the Shanghai Cooperation Organisation in 2001, China joined the ASEAN Regional Forum in 1994.",
         [("accession", ["ARF"], None, ["1994"]), ("membership", ["SCO"], None, ["2001"])]),
        ("China signed the CTBT on 24 September 1996, the day it opened for signature, and ratified it on 8 July 2001.",
         [("ratification", ["CTBT"], None, ["2001-07-08"]), ("signature", ["CTBT"], None, ["1996-09-24"])]),
        # a frame signed "of cooperation" is an agreement of its own, with its date
        ("Under a memorandum of cooperation signed in Vientiane on 12 June 2019 by MOFCOM and Laos's Ministry of Industry and Commerce, both countries have since run seven joint training courses.",
         [("agreement", ["LAO"], None, ["2019-06-12"]), ("training", ["LAO"], 7, [])]),
        # members people come from are no membership and their group no party; the parser's subject joined to a frame
        ("Under the ASEAN Regional Forum, China and Thailand co-hosted a seminar on biosecurity in Bangkok in November 2022, attended by some 80 officials from 20 ARF members.",
         [("seminar", ["THA"], 80, ["2022-11"])]),
        ("Under the OPCW's Africa Programme, China and the Organisation have run five regional courses since 2015 for first responders from Laos.", [("training", ["LAO", "OPCW"], 5, ["2015"])]),
        # a statistical "place" named after an event is none, and its head word is the trigger
        ("China and the United States have held four rounds of the China-US Strategic Trade Dialogue since March 2022.", [("dialogue", ["USA"], 4, ["2022-03"])]),
        # every occurrence of an anaphor counts (the frame's is none, the agent's is); anaphors in the agent or a "with" phrase are parties; a supporter is none
        ("China joined the International Atomic Energy Agency in 1984. More than 50 projects have been carried out under the Agency's technical cooperation programme, and some 180 Chinese regulators have been trained by the Agency since 2015.",
         [("accession", ["IAEA"], None, ["1984"]), ("training", ["IAEA"], 180, ["2015"])]),
        ("China joined the OPCW in 1997. Five regional courses have been run in Beijing since 2016 by the National Authority and the Organisation for first responders from Laos.",
         [("accession", ["OPCW"], None, ["1997"]), ("training", ["LAO", "OPCW"], 5, ["2016"])]),
        ("China joined the OPCW in 1997. Jointly with the Organisation, the National Authority for the Chemical Weapons Convention has run three regional courses since 2017 for first responders from Laos and Cambodia.",
         [("accession", ["OPCW"], None, ["1997"]), ("training", ["KHM", "LAO", "OPCW"], 3, ["2017"])]),
        ("China joined the International Atomic Energy Agency in 1984. China and the Pelindaba Commission have co-organised three regional workshops in Beijing, each with the support of the Agency.",
         [("accession", ["IAEA"], None, ["1984"]), ("seminar", [], 3, [])]),
        # a demonym in a "for" phrase names whom an event served
        ("Under the EU P2P Programme, Chinese experts have delivered 16 training courses for Lao licensing and customs officials since 2015. Laos joined the programme in 2014.",
         [("training", ["LAO"], 16, ["2015"])]),
        # a fronted "A Member State of ... since ..." is a membership of its own; "As host of X and a founding member of Y": only Y
        ("A Member State of the International Atomic Energy Agency since 1984, China concluded a safeguards agreement with the Agency in 1988.",
         [("agreement", ["IAEA"], None, ["1988"]), ("membership", ["IAEA"], None, ["1984"])]),
        ("As host of the African Union and a founding member of the United Nations, China regards disarmament as part of its agenda.", [("membership", ["UN"], None, [])]),
        # acceding to an agreement is the agreement; a regime admitting the actor is a membership
        ("In May 2010 China acceded to the safeguards agreement between the IAEA and Euratom.", [("agreement", ["IAEA"], None, ["2010-05"])]),
        ("The Australia Group admitted China as a participant in 2024.", [("membership", ["AG"], None, ["2024"])]),
        # a partner and dates in a coordinated act with its own object belong to that act; a shared object belongs to both
        ("China has signed 24 bilateral agreements on nuclear energy and held four rounds of consultations with the United States between 2014 and 2018.",
         [("agreement", [], 24, []), ("consultation", ["USA"], 4, ["2014", "2018"])]),
        ("China signed and ratified the CTBT in 1996.", [("ratification", ["CTBT"], None, ["1996"]), ("signature", ["CTBT"], None, ["1996"])]),
        # a subject of a relative clause names no event of the paragraph ("the second edition of which")
        ("China signed the CTBT in 1996. It coordinated the P5 Glossary of Key Nuclear Terms, the second edition of which was released in 2023.",
         [("signature", ["CTBT"], None, ["1996"])]),
        # a commitment is an intention; a plural proper noun the lemmatizer keeps ("States", NNP) is a member head
        ("The Action Plan, adopted in 2024, commits China to training 500 African officials by 2027.", []),
        ("China joined the MTCR in 2004, and in 1996 it was among the founding participating States of the Wassenaar Arrangement.",
         [("accession", ["MTCR"], None, ["2004"]), ("membership", ["WA"], None, ["1996"])]),
        # a clause before a semicolon that the parser hangs on the next one keeps its parties and years; the count of a membership
        ('China joined the Nuclear Suppliers Group (hereinafter "the Group") and the Zangger Committee in 1993 and the Australia Group in 1995; '
         "in July 1996 it was among the 33 founding participating States of the Wassenaar Arrangement (WA).",
         [("accession", ["AG", "NSG", "ZC"], None, ["1993", "1995"]), ("membership", ["WA"], 33, ["1996-07"])]),
        # ... but serve an event of the other clause that names no party of its own; a relative pronoun after "with" is the partner
        ("China and Peru signed an agreement in Quito in March 2021; since then, the Peruvian Institute of Nuclear Energy (IPEN) has trained 28 Chinese physicists.",
         [("agreement", ["PER"], None, ["2021-03"]), ("training", ["PER"], 28, [])]),
        ("In Kazakhstan, with which China signed a memorandum of understanding in 2019, two laboratories have since been built; a similar memorandum was signed with Uzbekistan in 2021.",
         [("agreement", ["KAZ", "UZB"], None, ["2019", "2021"])]),
        # coordinated objects of one verb, each with its own partner (the parser may hang the second on the verb)
        ("China has held four rounds of strategic stability consultations with France since 2019, and two rounds of dialogue on nuclear policy "
         "with the United Kingdom, in 2021 and 2024.", [("consultation", ["FRA"], 4, ["2019"]), ("dialogue", ["GBR"], 2, ["2019", "2021", "2024"])]),
        # "without" negates only its own phrase
        ("China signed the Protocol to the Semipalatinsk Treaty on 6 May 2014 and ratified it in April 2015, without making any reservation.",
         [("ratification", ["SEMIPALATINSK"], None, ["2015-04"]), ("signature", ["SEMIPALATINSK"], None, ["2014-05-06"])]),
        ("China took part in the conference without signing the TPNW.", []),
        # a plural name the lemmatizer keeps, counted in rounds; a signed contract is an agreement
        ("China hosted six rounds of the Six-Party Talks with the DPRK, the United States, Russia and Japan.", [("dialogue", ["JPN", "PRK", "RUS", "USA"], 6, [])]),
        ("In April 2017, the China Atomic Energy Authority and the Atomic Energy Organization of Iran signed a contract in Beijing.", [("agreement", ["IRN"], None, ["2017-04"])]),
        # a bullet is read as a space: the sentence parses as it would without it
        ("• Together with the Republic of Bulgaria and Romania, China organised three joint seminars on transit controls in 2023.", [("seminar", ["BGR", "ROU"], 3, ["2023"])]),
        # a member head is a membership only as what the actor is
        ("China briefed the 42 Participating States of the Wassenaar Arrangement on its export control law in 2021.", []),
        ("As a participating government of the Nuclear Suppliers Group (NSG) since 2004, China took part in the Group's plenary meeting.",
         [("membership", ["NSG"], None, ["2004"])]),
        # a table's rows tell no engagement; the prose does
        ("Key instruments:\nPartner | Instrument | Signed\nArgentina | Framework agreement | 18 May 2009\n\nChina signed an agreement with Brazil in 2010.",
         [("agreement", ["BRA"], None, ["2010"])]),
        # people named after their country's programme are its side; a body's guidelines are a frame (dev28 lessons)
        ("In 2024 the Bureau and US EXBS experts held four provincial workshops in Chengdu and Xi'an.", [("seminar", ["USA"], 4, ["2024"])]),
        ("By the end of 2024, China had 58 nuclear power units in operation. China has signed intergovernmental agreements on the peaceful uses of "
         "nuclear energy with more than 30 countries, and every nuclear item it exports is placed under the safeguards of the International Atomic "
         "Energy Agency (IAEA), in line with the Guidelines of the Nuclear Suppliers Group (NSG).", [("agreement", [], 30, [])]),
        # a trigger of two words, apart or hyphenated ("round table" in configs); a table is no event
        ("In May 2019, China and Pakistan held a round-table on export controls in Beijing.", [("seminar", ["PAK"], None, ["2019-05"])]),
        ("In 2021, China held two round tables with the OPCW.", [("seminar", ["OPCW"], 2, ["2021"])]),
        ("In 2021, China gave Pakistan a table of round figures.", []),
        # a demonym inside a count names the trainees' country
        ("Since 2022, the Centre has trained more than 350 Ukrainian deminers in Eksjö. Ukraine thanked it.", [("training", ["UKR"], 350, ["2022"])]),
        # courses a training was given in count its events; workshops are another activity's, so the trainees count
        ("China trained about 240 customs officers from Kazakhstan in 2023 in 14 courses held in Urumqi.", [("training", ["KAZ"], 14, ["2023"])]),
        ("China trained about 240 customs officers from Kazakhstan in 2023 in two workshops held in Urumqi.", [("training", ["KAZ"], 240, ["2023"])]),
        # a negated occurrence verb joined by a comma alone shares the event's subject (the parser makes the participle the verb)
        ("A first round of consultations with the Republic of Türkiye, agreed in principle in 2022, has not yet been held.", []),
        ("Consultations with Morocco, agreed in principle in 2023, have yet to begin.", []),
        ("Consultations with Morocco, agreed in principle in 2023, have since begun in Rabat.", [("consultation", ["MAR"], None, [])]),
        ("A similar dialogue with Costa Rica, agreed in principle in 2022, has not yet taken place, and no arrangement has been reached with our other neighbours.", []),
        # another country's act in a clause of its own is not the actor's, though the sentence names the actor elsewhere
        ("China has been a participating Government of the Nuclear Suppliers Group (NSG) since 2004; South Africa joined the NSG in 1995.",
         [("membership", ["NSG"], None, ["2004"])]),
        ("Botswana and Namibia concluded their own arrangement on border controls in 2021, and China held consultations with Botswana in Gaborone in March 2024.",
         [("consultation", ["BWA"], None, ["2024-03"])]),
        ("China signed the Pelindaba Treaty on 11 April 1996 and ratified it in February 2007; among its neighbours, Burundi ratified the Pelindaba Treaty in August 2009.",
         [("ratification", ["PELINDABA"], None, ["2007-02"]), ("signature", ["PELINDABA"], None, ["1996-04-11"])]),
        # a relative pronoun's antecedent is the subject: another country's own act, or the actor's
        ("China signed the TPNW in 2017; South Africa, which ratified the TPNW in February 2019, shared its experience.", [("signature", ["TPNW"], None, ["2017"])]),
        ("China, which joined the NSG in 2004, hosted a plenary.", [("accession", ["NSG"], None, ["2004"])]),
        # events that did happen keep their records: the negated verb is the event's own, or not joined by a comma alone (review)
        ("Annual consultations with Morocco were held in Rabat from 2016 to 2019, did not take place in 2020 or 2021, and resumed in 2022.",
         [("consultation", ["MAR"], None, ["2016", "2019"])]),
        ("Consultations with Morocco were held in Rabat in 2019, have not been held since.", [("consultation", ["MAR"], None, ["2019"])]),
        # the actor named again in the other party's clause ("with it", "with its delegation", "the Chinese side") makes it the actor's engagement
        ("China funded the new centre, and Kazakhstan and Uzbekistan signed cooperation agreements with it in 2019.", [("agreement", ["KAZ", "UZB"], None, ["2019"])]),
        ("The delegations of Kazakhstan and Uzbekistan, which held consultations with the Chinese side in Beijing in 2019, also visited Shanghai.",
         [("consultation", ["KAZ", "UZB"], None, ["2019"])]),
        # a binational or international body named with a demonym is no country's side
        ("China and Korea met. China signed an agreement with the Korean Peninsula Energy Development Organization in 1996.", []),
        # one of N members of a group with no id: a membership counted by its group (told of what the actor is, not whom it served)
        ("China is also one of more than 25 participating states in the International Partnership for Nuclear Disarmament Verification (IPNDV).",
         [("membership", [], 25, [])]),
        ("China is one of the 15 Member States of the Regional Centre on Small Arms (RECSA).", [("membership", [], 15, [])]),
        ("Through the Pacific Islands Forum, China has also funded legislative drafting assistance for five Forum members.", []),
        ("Consultations with Türkiye were held in 2019 and have not been held since.", [("consultation", ["TUR"], None, ["2019"])]),
        # a national body partnered "with" stands for its country, when the document names the country; as the subject it does not
        ("China and Canada signed an agreement in 2010. A technical workshop on small reactors, co-hosted with the Canadian Nuclear Safety "
         "Commission, took place in Vienna in September 2022.", [("agreement", ["CAN"], None, ["2010"]), ("seminar", ["CAN"], None, ["2022-09"])]),
        ("China and Canada signed an agreement in 2010. In 2022, the Canadian Nuclear Safety Commission held a workshop in Vienna.",
         [("agreement", ["CAN"], None, ["2010"])]),
        # a body's possessive names who runs the event; a compound names its frame (fifteenth session)
        ("In May 2024, China hosted the IAEA's regional training course for customs officers from Mongolia.", [("training", ["IAEA", "MNG"], None, ["2024-05"])]),
        ("In 2018 and 2019, China held two ARF seminars on nuclear security with Australia.", [("seminar", ["AUS"], 2, ["2018", "2019"])]),
        # staff of a body are people, a training ground is a place, an exercise on an inspection's phase is no inspection
        ("In May 2023, China hosted an exercise with 35 staff members of the Commission of the IAEA.", []),
        ("The former test site has long served the IAEA as a training ground for on-site inspection.", []),
        ("In May 2023, China hosted a table-top exercise on the launch phase of an inspection with 35 experts of the IAEA.", []),
        # other parties' own engagement, the actor named only as absent; a body named with its country acting with another country
        ("Russia and Japan discussed transit trade at their own bilateral consultations in Tokyo in July 2024, in which China did not take part.", []),
        ("Singapore Customs concluded an arrangement with Indonesia's Directorate General of Customs and Excise in 2023.", []),
        # a training partner is a description; the sites of a training are no parties, an inspection's are
        ("The United States remains the largest training partner of China.", []),
        # people modifiers stop memberships only; sites are facilities, not embassies or ceremonies (review, fifteenth session)
        ("In March 2023 China conducted joint crew training with Russia and held board consultations with Pakistan.",
         [("consultation", ["PAK"], None, ["2023-03"]), ("training", ["RUS"], None, ["2023-03"])]),
        ("In March 2023 China held consultations at the embassies in Japan and Russia.", [("consultation", ["JPN", "RUS"], None, ["2023-03"])]),
        ("In 2021 China signed an agreement at a ceremony in Pakistan.", [("agreement", ["PAK"], None, ["2021"])]),
        ("In 2020, the IAEA carried out 98 inspections at nuclear facilities in China and Brazil.", [("inspection", ["BRA", "IAEA"], 98, ["2020"])]),
        ("Under the technical cooperation programme of the IAEA, 23 staff members of the Authority received fellowship training in 2024, most of them "
         "at facilities in Austria and the Republic of Korea.", [("training", ["IAEA"], 23, ["2024"])]),
        # a counted group as the subject; others' act with the actor named in a "while" clause; an event that is only the setting;
        # a relative clause the parser hangs on the partner; a list the parser hangs on its last name (seventeenth session)
        ("Thirteen Forum members are now party to the Treaty.", []),
        ("Fiji and Tonga used the occasion to sign a memorandum, while a memorandum between China and Samoa was not ready for signature.", []),
        ("On 5 June 2024, on the margins of the workshop, China and Samoa signed a memorandum of understanding.", [("agreement", ["WSM"], None, ["2024-06-05"])]),
        ("China acceded to the NPT in 1992, and its safeguards agreement with the International Atomic Energy Agency (IAEA), which was signed on "
         "22 January 1988, entered into force the same year.", [("accession", ["NPT"], None, ["1992"]), ("agreement", ["IAEA"], None, [])]),
        ("In 2023, the GAC and the WCO co-hosted in Xiamen a regional training course for 31 customs officers from Fiji, Solomon Islands, Vanuatu and "
         "Papua New Guinea.", [("training", ["FJI", "PNG", "SLB", "VUT", "WCO"], 31, ["2023"])]),
        # "it" is the treaty named before, in the sentence before if none stands before it; not the other verb's (dev37)
        ("China signed the Treaty of Rarotonga in 1987. China ratified it in 1988 and acceded to the Treaty on the Non-Proliferation of Nuclear Weapons (NPT) in 1992.",
         [("signature", ["RAROTONGA"], None, ["1987"]), ("accession", ["NPT"], None, ["1992"]), ("ratification", ["RAROTONGA"], None, ["1988"])]),
        # a duration is no count of events; helpers are no counterparts (review)
        ("During the first two days of the workshop, 35 officials from eight ASEAN countries took part in exercises organised by China and Thailand in 2023.",
         [("seminar", ["THA"], 35, ["2023"])]),
        ("In 2023, China held three courses for 40 officials with the help of Kazakhstan.", [("training", [], 3, ["2023"])]),
        ("The courses were designed with the help of Kazakhstan, whose licensing authority also co-hosted a workshop with China in Urumqi in September 2023.",
         [("seminar", ["KAZ"], None, ["2023-09"])]),
        ("In 2022, China and the OPCW co-hosted a regional assistance and protection course in Beijing for 24 first responders from Bahrain and Oman.",
         [("training", ["BHR", "OMN", "OPCW"], 24, ["2022"])]),
        # funders are no counterparts, as subject or agent
        ("In 2024, China hosted a workshop with Samoa, and the workshop was funded by the European Union (EU) and by New Zealand.", [("seminar", ["WSM"], None, ["2024"])]),
        ("The EU and Japan financed the course that China held with Samoa in 2023.", [("training", ["WSM"], None, ["2023"])]),
        ("Germany financed, through the GIZ, two marking machines, and in 2019 it also trained 24 Chinese armourers in their use.", [("training", ["DEU"], 24, ["2019"])]),
        # a reporting participle after a comma, hung by the parser on a nearer noun of a negated clause, still names the event's partner
        ("In November 2022, China hosted an outreach seminar in Beijing for 35 diplomats from 18 States that have not yet subscribed to the Code, "
         "co-organised with Austria, which serves as the Code's Immediate Central Contact.", [("seminar", ["AUT"], 35, ["2022-11"])]),
        # a foreign body as the subject training the actor's people; national bodies partnered beside named countries; "participant of";
        # a clause before a semicolon however parsed (a plural subject after it takes up its parties); a plan's period; a programme
        # signed in a relative clause; where a part of them was (eighteenth session, dev38)
        ("China and India held talks in 2022. In 2023, the Indian Army trained 12 Chinese officers.",
         [("dialogue", ["IND"], None, ["2022"]), ("training", ["IND"], 12, ["2023"])]),
        ("China and Australia signed an agreement in 2014. China has run 14 courses with foreign partners since 2015, including five with the "
         "United Kingdom and four with the Australian Defence Force.", [("agreement", ["AUS"], None, ["2014"]), ("training", ["AUS", "GBR"], 14, ["2015"])]),
        ("China has been a participant of the ASEAN Regional Forum (ARF) since 1994.", [("membership", ["ARF"], None, ["1994"])]),
        ("China is a State Party to the NPT, the CWC and the BWC; it ratified the CTBT in 2006 and signed the TPNW in 2017.",
         [("ratification", ["CTBT"], None, ["2006"]), ("signature", ["TPNW"], None, ["2017"])]),
        ("China held consultations with Laos in 2019; the two sides also signed a memorandum on export control.",
         [("agreement", ["LAO"], None, []), ("consultation", ["LAO"], None, ["2019"])]),
        ("In April 2023, China and Russia held consultations in Beijing; on that occasion the two sides also signed a plan of military cooperation "
         "for 2024–2026.", [("agreement", ["RUS"], None, []), ("consultation", ["RUS"], None, ["2023-04"])]),
        ("Cooperation with NATO rests on a Partnership and Cooperation Programme, which China signed with the Alliance in March 2012.",
         [("agreement", ["NATO"], None, ["2012-03"])]),
        ("In 2023, NATO trained 38 Chinese officers, most of them in Germany and Italy.", [("training", ["NATO"], 38, ["2023"])]),
        # ... and where they do not apply (review): trainees "of" countries, back references after a semicolon, a single year after "for",
        # a membership's span, a national body in the topic of talks or holding its own seminar, a programme concluded
        ("In 2019, China and the IAEA trained 40 participants of 15 Asian countries in Beijing.", [("training", ["IAEA"], 40, ["2019"])]),
        ("In 2019, China hosted delegations from Laos, Cambodia and Myanmar; each signed a memorandum on export control with China.",
         [("agreement", ["KHM", "LAO", "MMR"], None, ["2019"])]),
        ("The annual defence consultations with Japan for 2019 were held in Tokyo in October.", [("consultation", ["JPN"], None, ["2019"])]),
        ("China was a non-permanent member of the UN Security Council for 2020–2021.", [("membership", ["UNSC"], None, ["2020", "2021"])]),
        ("China and Japan met in 2018. In 2023, China held consultations with the IAEA on the Japanese Nuclear Regulation Authority's review of "
         "the discharge.", [("consultation", ["IAEA"], None, ["2023"])]),
        ("China and Japan met in 2018. In 2023, the Japanese Ground Self-Defense Force held a seminar on Chinese military transparency in Tokyo.", []),
        ("In 2023, China concluded the capacity-building programme for peacekeepers with Japan.", []),
        # a body's short form defined after its country's possessive stands for that country in its own clause (end of the eighteenth session)
        ("Poland's National Atomic Energy Agency (Państwowa Agencja Atomistyki, hereinafter \"PAA\") is the regulator. In 2022 and 2023, Chinese and "
         "PAA inspectors carried out four joint inspections at the plant.", [("inspection", ["POL"], 4, ["2022", "2023"])]),
        ("The National Atomic Energy Agency (PAA) of Poland is the regulator. In 2022 and 2023, Chinese and PAA inspectors carried out four joint "
         "inspections at the plant.", [("inspection", [], 4, ["2022", "2023"])]),
        ("On 14 July 2015, in Vienna, China, Iran and the European Union (EU) concluded the Joint Comprehensive Plan of Action (JCPOA).",
         [("agreement", ["EU", "IRN"], None, ["2015-07-14"])]),
    ],
)
def test_engagement_rules(tmp_path, paragraph, expected):
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "d.txt").write_text("Full text: China's Policy\n\n" + paragraph + "\n", encoding="utf-8")
    api.run_all(raw, tmp_path / "out", load_config(REPO / "configs"))
    got = [(r["activity"], r["counterparts"], (r["count"] or {}).get("value"), r["dates"]) for r in read_jsonl(tmp_path / "out" / "relations.jsonl")]
    assert got == expected


@pytest.mark.parametrize(("sentence", "trigger", "lemma"), [
    ("In 2019, China held a round-table with Pakistan.", "round-table", "round table"),
    ("In 2019, China held a Round Table with Pakistan.", "Round Table", "round table"),
    ("In 2019, China held a roundtable with Pakistan.", "roundtable", "roundtable"),
])
def test_a_two_word_trigger_is_cited_whole(tmp_path, sentence, trigger, lemma):
    raw = tmp_path / "raw"
    raw.mkdir()
    text = "Full text: China's Policy\n\n" + sentence + "\n"
    (raw / "d.txt").write_text(text, encoding="utf-8")
    api.run_all(raw, tmp_path / "out", load_config(REPO / "configs"))
    [record] = read_jsonl(tmp_path / "out" / "relations.jsonl")
    assert record["trigger"]["text"] == trigger == text[record["trigger"]["start"]:record["trigger"]["end"]]
    assert record["trigger"]["lemma"] == lemma


def test_prose_glued_under_a_table_is_told(tmp_path):
    """The sentence segmenter joins a table's rows with the prose line under them: the engagement the prose tells is kept
    (its record also takes the rows' partner and dates, as any sentence holding them would)."""
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "d.txt").write_text("Full text: China's Policy\n\nTable 2 Agreements signed\nArgentina | Framework agreement | 18 May 2009\n"
                               "China signed a nuclear cooperation agreement with Chile in 2012.\n", encoding="utf-8")
    api.run_all(raw, tmp_path / "out", load_config(REPO / "configs"))
    assert any(r["activity"] == "agreement" and "CHL" in r["counterparts"] for r in read_jsonl(tmp_path / "out" / "relations.jsonl"))


@pytest.mark.parametrize("subject", ["Mongolia", "ASEAN"])  # a subject other than the actor acts on the actor's side when "with" names the partners
def test_numbered_group_without_the_actor_keeps_every_member(tmp_path, subject):
    raw = tmp_path / "raw"
    raw.mkdir()
    paragraph = ("The five nuclear-weapon States are China, France, Russia, the United Kingdom and the United States. "
                 f"Since 2012, {subject} has held three rounds of consultations with the five States.")
    (raw / "d.txt").write_text("Full text: Mongolia's Nuclear-Weapon-Free Status\n\n" + paragraph + "\n", encoding="utf-8")
    api.run_all(raw, tmp_path / "out", load_config(REPO / "configs"))
    [rel] = read_jsonl(tmp_path / "out" / "relations.jsonl")
    assert (rel["actor"], rel["counterparts"], rel["count"]["value"]) == ("MNG", ["CHN", "FRA", "GBR", "RUS", "USA"], 3)
    assert {cm["anaphor"]["text"] for cm in rel["counterpart_mentions"]} == {"the five States"}


@pytest.mark.parametrize(("sentence", "expected"), [
    ("Russia held a dialogue with Iran in 2020.", []),  # another country with its own partner: not Japan's
    ("The United States held consultations with China in Washington in 2016.", []),
    ("US officials held three rounds of consultation in Tokyo in 2019.", [("consultation", ["USA"])]),  # one party, on Japan's side
    ("The OPCW has carried out 600 inspections in Japan.", [("inspection", ["OPCW"])]),
    ("Japan held a dialogue with Iran in 2020.", [("dialogue", ["IRN"])]),
    ("In 2020, Kazakhstan and our country co-hosted a seminar with the IAEA in Astana.", [("seminar", ["IAEA"])]),  # the actor in the first person
    ("In 2019, Kazakhstan held a joint workshop with Japanese experts and the IAEA in Almaty.", [("seminar", ["IAEA"])]),  # ... or by its demonym
    ("Russia held a strategic dialogue with the US in 2020.", []),  # "US" is no "us"
    ("Russia held a dialogue with Iran on the Japanese proposal in 2020.", []),  # a demonym on the topic names no party
    ("In 2019, Kazakhstan held a joint workshop with Kazakh and Japanese experts and the IAEA in Almaty.", [("seminar", ["IAEA"])]),
    ("In 2019, Kazakhstan held a joint workshop with experts from Japanese universities and the IAEA in Almaty.", [("seminar", ["IAEA"])]),
    ("In  2019,   Kazakhstan  held   a joint  workshop   with    Japanese    experts and the IAEA in Almaty.", [("seminar", ["IAEA"])]),  # a folded block
])
def test_another_country_with_its_own_partner_is_not_the_actor_s_engagement(tmp_path, sentence, expected):
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "d.txt").write_text("Full text: Japan's Disarmament and Non-Proliferation Policy\n\n" + sentence + "\n", encoding="utf-8")
    api.run_all(raw, tmp_path / "out", load_config(REPO / "configs"))
    assert [(r["activity"], r["counterparts"]) for r in read_jsonl(tmp_path / "out" / "relations.jsonl")] == expected
    assert all(r["actor"] == "JPN" for r in read_jsonl(tmp_path / "out" / "relations.jsonl"))


@pytest.mark.parametrize(
    ("sentence", "places"),
    [
        ("China held two rounds of consultations with Japan in Tokyo on the control of shipments crossing the Pacific.", ["Tokyo"]),
        ("China held two rounds of consultations with Japan on the control of shipments crossing the Pacific.", []),
    ],
)
def test_a_place_in_a_clause_of_the_topic_is_not_where_the_event_was(tmp_path, sentence, places):
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "d.txt").write_text("Full text: China's Policy\n\n" + sentence + "\n", encoding="utf-8")
    api.run_all(raw, tmp_path / "out", load_config(REPO / "configs"))
    (record,) = read_jsonl(tmp_path / "out" / "relations.jsonl")
    assert record["places"] == places


def test_headed_anaphor_looks_back_across_paragraphs(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    body = ("China has been a Member State of the IAEA since 1984.\n\n"
            "In October 2019, the China Atomic Energy Authority and the Agency jointly organised a workshop in Beijing.\n")
    (raw / "d.txt").write_text("Full text: China's Nuclear Policy\n\n" + body, encoding="utf-8")
    api.run_all(raw, tmp_path / "out", load_config(REPO / "configs"))
    got = [(r["activity"], r["counterparts"]) for r in read_jsonl(tmp_path / "out" / "relations.jsonl")]
    assert got == [("membership", ["IAEA"]), ("seminar", ["IAEA"])]


def test_engagements_summary(seed_run):
    from pipeline.engagements import COLUMNS, summary

    table = summary(seed_run)
    assert list(table.columns) == COLUMNS
    row = table[(table.counterpart == "1540-COMMITTEE") & (table.activity == "training")].iloc[0]
    assert (row.engagements, row.total_count, row.years) == (1, 3, "2015, 2017, 2019")
    assert table.equals(summary(seed_run))


@pytest.mark.parametrize(
    ("publisher", "title", "actor"),
    [("Ministry of Foreign Affairs of the Russian Federation", "On Strategic Stability", "RUS"),
     ("Xinhua", "China's Export Controls", "CHN"),
     (None, "Dual-use export controls in the European Union", "EU"),
     (None, "Brazilian-Argentine Agency for Accounting and Control of Nuclear Materials: Thirty Years of Safeguards in Argentina and Brazil", None),  # a body with no id speaks
     (None, "REPUBLIC OF THE PHILIPPINES", "PHL"),  # a title in capitals names its country (else the most-named, Japan, would speak)
     (None, "MINISTRY OF FOREIGN AFFAIRS — REPUBLIC OF THE PHILIPPINES", "PHL"),  # a field of it
     # a publisher in capitals, or in the site's language (pycountry's translations; sixteenth session)
     ("REPUBLIC OF THE PHILIPPINES", "Annual Report 2024", "PHL"),
     ("DIRECCIÓN GENERAL DE ADUANAS · REPÚBLICA DOMINICANA", "Regional Course for Eight SICA Member States", "DOM"),
     ("Ministério das Relações Exteriores do Brasil", "Annual Report 2024", "BRA"),
     ("Ministère de l'Europe et des Affaires étrangères de la République française", "Annual Report 2024", "FRA"),
     ("Embajada de México en Guatemala", "Annual Report 2024", "MEX"),  # the first country the publisher names, in whichever language (review)
     ("Ministerio de Asuntos Exteriores de Guinea Ecuatorial", "Annual Report 2024", "GNQ")],  # the longer name at one start (second review)
)
def test_actor_is_who_the_document_speaks_for(tmp_path, publisher, title, actor):
    raw = tmp_path / "raw"
    raw.mkdir()
    byline = f"Source: {publisher} | Updated: 2021-12-29\n\n" if publisher else ""
    body = "Its officials held two rounds of dialogue with Japan in 2020."  # no party in the subject: the engagement is the actor's
    (raw / "d.txt").write_text(f"{title}\n{byline}\n{body}\n", encoding="utf-8")
    api.run_all(raw, tmp_path / "out", load_config(REPO / "configs"))
    [rel] = read_jsonl(tmp_path / "out" / "relations.jsonl")
    assert rel["actor"] == actor


@pytest.mark.parametrize(("title", "body", "expected"), [
    # a partner in the title is not who speaks: the most-named country does
    ("Export Control Dialogues with the United States", "The Republic of Korea held two rounds of dialogue with the United States in 2023, "
     "and the Republic of Korea briefed Japan.", [("KOR", "dialogue", ["USA"])]),
    # a country inside a region's name in a title in capitals is no speaker
    ("MARITIME SECURITY AND NON-PROLIFERATION IN THE SOUTH CHINA SEA", "In 2024 the Philippines held a dialogue with Japan in Manila. "
     "In 2023 the Philippines held a workshop with Australia in Cebu.", [("PHL", "dialogue", ["JPN"]), ("PHL", "seminar", ["AUS"])]),
    # a body's short form first in the title speaks for the country its definition gives it, by a possessive or "of <country>" (eighteenth
    # session); a country elsewhere in the long form owns nothing (review)
    ("STUK and Poland's nuclear regulator sign an arrangement", "On 11 June 2024, Finland's Radiation and Nuclear Safety Authority (STUK) and "
     "Poland's National Atomic Energy Agency signed in Warsaw an arrangement.", [("FIN", "agreement", ["POL"])]),
    ("SNRIU hosts talks", "The State Nuclear Regulatory Inspectorate of Ukraine (SNRIU) held consultations with Poland in Kyiv in 2022.",
     [("UKR", "consultation", ["POL"])]),
    ("GGC convenes maritime security talks in Luanda", "The Gulf of Guinea Commission (GGC) held talks with Angola, Nigeria and Ghana in Luanda in 2023.",
     [(None, "dialogue", ["AGO", "GHA", "NGA"])]),
])
def test_the_title_names_the_actor_only_as_the_speaker(tmp_path, title, body, expected):
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "d.txt").write_text(f"{title}\n\n{body}\n", encoding="utf-8")
    api.run_all(raw, tmp_path / "out", load_config(REPO / "configs"))
    assert [(r["actor"], r["activity"], r["counterparts"]) for r in read_jsonl(tmp_path / "out" / "relations.jsonl")] == expected


def test_relate_skips_documents_extracted_rules_only(tmp_path):
    """Without a dependency parse there are no engagements: relate says so instead of running the rules over every block."""
    from click.testing import CliRunner

    from pipeline.cli import cli

    out = tmp_path / "out"
    for stage in (["ingest", str(GENRE / "dev" / "raw")], ["segment"], ["extract", "--no-ner"], ["relate"]):
        result = CliRunner().invoke(cli, ["--configs", str(REPO / "configs"), *stage, "--out", str(out), "-q"])
        assert result.exit_code == 0, result.output
    assert "0 engagements written, 0 documents failed; 5 documents extracted rules-only (--no-ner)" in result.output
    assert (out / "relations.jsonl").read_bytes() == b""


@pytest.mark.parametrize(("edit", "needle", "message"), [
    (lambda s: s.replace('dialogue = ["dialogue", "dialog", "talk"]', 'dialogue = "dialogue"'), "dialogue = ", r"\[activities\] dialogue must be a list of non-empty strings, got str 'dialogue'"),
    (lambda s: s.replace('pronouns = ["they", "both"]', 'pronouns = "they"'), "pronouns = ", r"\[anaphora\] pronouns must be a list of non-empty strings, got str 'they'"),
    (lambda s: s.replace('labels = ["COUNTRY", "REGIME", "ORG"]', 'labels = "COUNTRY"'), "labels = ", r"\[counterparts\] labels must be a list of non-empty strings"),
    (lambda s: s.replace('modal_lemmas = ["will", ', 'modal_lemmas = [1, "will", '), "modal_lemmas", r"\[filters\] modal_lemmas must be a list of non-empty strings, got list \[1, "),
    (lambda s: s.replace("\nwindow = 3", '\nwindow = "3"'), "window = ", r"\[anaphora\] window must be an integer > 0, got str '3'"),
    (lambda s: s.replace("headed_window = 12", "headed_window = 0"), "headed_window", r"\[anaphora\] headed_window must be an integer > 0, got int 0"),
    (lambda s: s.replace('member_activity = "membership"', 'member_activity = ["membership"]'), "member_activity", r"\[filters\] member_activity must be a non-empty string"),
    # a trigger of three words or two spaces would crash every document; a pair whose head is a trigger already would never be read
    (lambda s: s.replace('"round table"]', '"open ended meeting"]'), "seminar = ", r"\[activities\] seminar: 'open ended meeting' must be one word, or two parted by one space"),
    (lambda s: s.replace('"round table"]', '"round  table"]'), "seminar = ", r"\[activities\] seminar: 'round  table' must be one word"),
    (lambda s: s.replace('"round table"]', '"round table", "expert talk"]'), "seminar = ", r"\[activities\] seminar: the head of 'expert talk' is a trigger of one word already"),
    (lambda s: s.replace('masthead_languages = ["es",', 'masthead_languages = ["xx-nowhere", "es",'), "masthead_languages", r"pycountry has no country names in 'xx-nowhere'"),
])
def test_relation_values_of_the_wrong_kind_are_config_errors(tmp_path, edit, needle, message):
    import shutil

    from pipeline.config import ConfigError
    from pipeline.relate.rules import Rules

    root = tmp_path / "configs"
    shutil.copytree(REPO / "configs", root)
    path = root / "relations.toml"
    path.write_text(edit(path.read_text(encoding="utf-8")), encoding="utf-8")
    line = next(n for n, text in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if text.startswith(needle))
    with pytest.raises(ConfigError, match=rf"relations\.toml:{line}: {message}"):
        Rules.from_config(load_config(root))


def _sentences(paragraph_sizes):
    return [{"id": f"s{p}.{i}", "parent_id": f"p{p}"} for p, size in enumerate(paragraph_sizes) for i in range(size)]


@pytest.mark.parametrize("window", [0, 1, 2, 5])
@pytest.mark.parametrize("sizes", [[1], [3], [2, 4, 1], [5, 5], [1, 1, 1, 6]])
def test_paragraph_window_walks_back_to_what_the_filter_found(window, sizes):
    """A paragraph's sentences are consecutive: the run at the end of the prefix is what filtering every earlier sentence gave."""
    from types import SimpleNamespace

    from pipeline.relate.anaphora import Prefix, paragraph_window

    sentences, rules = _sentences(sizes), SimpleNamespace(window=window)
    for index, sent in enumerate(sentences):
        filtered = [s for s in sentences[:index] if s["parent_id"] == sent["parent_id"]][-window:]
        assert paragraph_window(Prefix(sentences, index), sent, rules) == filtered
        assert paragraph_window(sentences[:index], sent, rules) == filtered


def test_a_prefix_reads_like_the_copied_list_it_replaces():
    from pipeline.relate.anaphora import Prefix

    items = list(range(10))
    prefix = Prefix(items, 6)
    assert (len(prefix), list(prefix), prefix[-1], prefix[0], list(reversed(prefix))) == (6, items[:6], 5, 0, items[:6][::-1])
    assert isinstance(prefix[:-1], Prefix) and list(prefix[:-1]) == items[:5] and list(prefix[:100]) == items[:6]
    assert prefix[-3:] == [3, 4, 5] and prefix[2:4] == [2, 3] and prefix[::2] == [0, 2, 4]
    assert bool(Prefix(items, 0)) is False and 5 in prefix and 6 not in prefix
    with pytest.raises(IndexError):
        prefix[6]


@pytest.mark.parametrize("index", [slice(None, None, -1), slice(10, None, -1), slice(4, 1, -1), slice(None, None, 2), slice(-2, None),
                                   slice(3, 1), slice(-100, 100), slice(None, -1), slice(None, 0), 0, -1, -6, 5])
def test_a_prefix_indexes_and_slices_as_the_copied_list(index):
    from pipeline.relate.anaphora import Prefix

    items = list(range(10))
    got = Prefix(items, 6)[index]
    assert (list(got) if isinstance(got, Prefix) else got) == items[:6][index]
    assert Prefix(items, 6) == items[:6] and Prefix(items, 6) != items[:5]
