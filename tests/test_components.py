"""The wpx_* components on a blank pipeline (no model), and their serialization round trip."""
from __future__ import annotations

import pytest
import spacy
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from spacy.tokens import Doc

from pipeline.components.base import get_meta, sentence_bounds
from pipeline.components.mentions import MENTIONS_KEY


def mentions(nlp, text):
    doc = nlp(text)
    return [(s.label_, s.text, get_meta(doc, s)["norm"]) for s in doc.spans[MENTIONS_KEY]]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("China officially applied to join the Missile Technology Control Regime (MTCR) in 2004.",
         [("COUNTRY", "China", {"id": "CHN"}), ("REGIME", "Missile Technology Control Regime", {"id": "MTCR"}), ("REGIME", "MTCR", {"id": "MTCR"}), ("DATE", "2004", {"value": "2004"})]),
        ("The Australia Group (AG) met.", [("REGIME", "Australia Group", {"id": "AG"}), ("REGIME", "AG", {"id": "AG"})]),
        ("Talks with the US, Russia and the UK on the NSG Guidelines.",
         [("COUNTRY", "US", {"id": "USA"}), ("COUNTRY", "Russia", {"id": "RUS"}), ("COUNTRY", "UK", {"id": "GBR"}), ("REGIME", "NSG", {"id": "NSG"})]),
        ("In April 2004, the UN Security Council adopted Resolution 1540 (UNSCR 1540).",
         [("DATE", "April 2004", {"value": "2004-04"}), ("ORG", "UN Security Council", {"id": "UNSC"}), ("RESOLUTION", "Resolution 1540", {"id": "UNSCR-1540"}), ("RESOLUTION", "UNSCR 1540", {"id": "UNSCR-1540"})]),
        ("It works with the China Nuclear Energy Association.",
         [("COUNTRY", "China", {"id": "CHN"}), ("ORG", "China Nuclear Energy Association", {"id": None})]),
        ("China amended the Export Control Law.", [("COUNTRY", "China", {"id": "CHN"}), ("LAW", "Export Control Law", {"id": None})]),
        ("Seminars were held in Beijing and Seoul.", [("PLACE", "Beijing", {"id": "CN-BJ"}), ("PLACE", "Seoul", {"id": "KR-11"})]),
        ("It applies Article 26 of Regulation (EU) 2021/821.", [("LAW", "Regulation (EU) 2021/821", {"id": None}), ("ORG", "EU", {"id": "EU"})]),
        ("Japan's Ministry of Economy, Trade and Industry issued it.", [("COUNTRY", "Japan", {"id": "JPN"}), ("ORG", "Ministry of Economy, Trade and Industry", {"id": None})]),
        ("India passed the Foreign Trade (Development and Regulation) Act.", [("COUNTRY", "India", {"id": "IND"}), ("LAW", "Foreign Trade (Development and Regulation) Act", {"id": None})]),
        ("It opened a Center of Excellence on Nuclear Security in Beijing.", [("ORG", "Center of Excellence on Nuclear Security", {"id": None}), ("PLACE", "Beijing", {"id": "CN-BJ"})]),
        ("Courses were run by the Ministry of Emergency Management and the Organisation.", [("ORG", "Ministry of Emergency Management", {"id": None})]),
        ("It met the Nuclear Regulation Authority.", [("ORG", "Nuclear Regulation Authority", {"id": None})]),
        ("The Republic of Singapore Navy took part.", [("COUNTRY", "Republic of Singapore", {"id": "SGP"}), ("ORG", "Republic of Singapore Navy", {"id": None})]),  # the head of the first noun group labels a name
        ("The 1540 Committee in Cartagena met.", [("ORG", "1540 Committee", {"id": "1540-COMMITTEE"})]),  # a registry name ends at the head: no "Committee in Cartagena"
        ("Uzbekistan ratified the CANWFZ Treaty.", [("COUNTRY", "Uzbekistan", {"id": "UZB"}), ("TREATY", "CANWFZ Treaty", {"id": "SEMIPALATINSK"})]),
        # a registry body's fund, bank or service is the body's thing; its secretariat is a body; the AU's council is not the UN's
        ("Norway gave to the IAEA Nuclear Security Fund and the ATT Secretariat.", [("COUNTRY", "Norway", {"id": "NOR"}), ("ORG", "IAEA", {"id": "IAEA"}),
                                                                                    ("TREATY", "ATT", {"id": "ATT"}), ("ORG", "ATT Secretariat", {"id": None})]),
        # a treaty owns no fund; "Unit" heads a body; a registry body keeps the treaty it is named after
        ("Grants from the ATT Voluntary Trust Fund reached the BWC Implementation Support Unit.",
         [("TREATY", "ATT", {"id": "ATT"}), ("ORG", "ATT Voluntary Trust Fund", {"id": None}), ("TREATY", "BWC", {"id": "BWC"}), ("ORG", "BWC Implementation Support Unit", {"id": None})]),
        ("Norway and the Preparatory Commission for the Comprehensive Nuclear-Test-Ban Treaty Organization met.",
         [("COUNTRY", "Norway", {"id": "NOR"}), ("ORG", "Preparatory Commission for the Comprehensive Nuclear-Test-Ban Treaty Organization", {"id": "CTBTO"}),
          ("TREATY", "Comprehensive Nuclear-Test-Ban Treaty", {"id": "CTBT"})]),
        # two nouns sharing their complement ("of and"), a serial comma before "and"; a comma and "and" alone end a name (sixteenth session)
        ("Panama ratified the Inter-American Convention against the Illicit Manufacturing of and Trafficking in Firearms, Ammunition, Explosives, "
         "and Other Related Materials.", [("COUNTRY", "Panama", {"id": "PAN"}), ("TREATY", "Inter-American Convention against the Illicit Manufacturing of and "
                                          "Trafficking in Firearms, Ammunition, Explosives, and Other Related Materials", {"id": None})]),
        ("The Ministry of Economy, Trade, and Industry met the Ministry of Commerce, and China held talks.",
         [("ORG", "Ministry of Economy, Trade, and Industry", {"id": None}), ("ORG", "Ministry of Commerce", {"id": None}), ("COUNTRY", "China", {"id": "CHN"})]),
        # a body's seat needs the model's word list to tell a town from a word: without a model, the name stays whole
        ("Officers of the National Police in Punta Cana met the Forum for Nuclear Cooperation in Asia.",
         [("ORG", "National Police in Punta Cana", {"id": None}), ("ORG", "Forum for Nuclear Cooperation in Asia", {"id": None})]),
        # the IAEA's review services are no bodies ([names] not_bodies); a police service, a bank sending a mission are
        ("An International Physical Protection Advisory Service mission met the Ghana Police Service.",
         [("COUNTRY", "Ghana", {"id": "GHA"}), ("ORG", "Ghana Police Service", {"id": None})]),
        ("It hosted Integrated Regulatory Review Service (IRRS) missions.", []),
        ("A Caribbean Development Bank mission visited Barbados.", [("ORG", "Caribbean Development Bank", {"id": None}), ("COUNTRY", "Barbados", {"id": "BRB"})]),
        ("It sits on the Peace and Security Council and briefs the Security Council.", [("ORG", "Peace and Security Council", {"id": None}), ("ORG", "Security Council", {"id": "UNSC"})]),
        # Kazakhstan's regions by their English names; "Almaty" alone is the city; no country inside "East Kazakhstan Region"
        ("Karaganda Region, Almaty Region, Almaty and East Kazakhstan Region.",
         [("PLACE", "Karaganda Region", {"id": "KZ-35"}), ("PLACE", "Almaty Region", {"id": "KZ-19"}), ("PLACE", "Almaty", {"id": "KZ-75"}),
          ("PLACE", "East Kazakhstan Region", {"id": "KZ-63"})]),
        # numbered national acts: with a capitalized title after "on", not a lowercase one; none in brackets or with a bare year
        ("It rests on Royal Decree 679/2014 and Law No. 185 of 9 July 1990 on the export of arms.",
         [("LAW", "Royal Decree 679/2014", {"id": None}), ("LAW", "Law No. 185", {"id": None}), ("DATE", "9 July 1990", {"value": "1990-07-09"})]),
        ("It applies Act No. 39/2011 Coll. on Dual-Use Items and Decree 603/92.", [("LAW", "Act No. 39/2011 Coll. on Dual-Use Items", {"id": None}), ("LAW", "Decree 603/92", {"id": None})]),
        ("It signed Decree No. 45 on Tuesday and Federal Law No. 183-FZ of 18 July 1999 on Export Control.",
         [("LAW", "Decree No. 45", {"id": None}), ("LAW", "Federal Law No. 183-FZ of 18 July 1999 on Export Control", {"id": None}), ("DATE", "18 July 1999", {"value": "1999-07-18"})]),
        ("Under Act No. 39/2011 Coll. on Dual-Use Items, Slovakia and Poland met; Decree-Law No. 207 applies.",
         [("LAW", "Act No. 39/2011 Coll. on Dual-Use Items", {"id": None}), ("COUNTRY", "Slovakia", {"id": "SVK"}), ("COUNTRY", "Poland", {"id": "POL"}),
          ("LAW", "Decree-Law No. 207", {"id": None})]),
        ("The Nuclear Act, 2015 (Act No. 895) and the Strategic Goods Act 2002 apply.", [("LAW", "Nuclear Act", {"id": None}), ("DATE", "2015", {"value": "2015"}),
                                                                                       ("LAW", "Strategic Goods Act", {"id": None}), ("DATE", "2002", {"value": "2002"})]),
    ],
)
def test_rule_mentions(rules_nlp, text, expected):
    assert mentions(rules_nlp, text) == expected


@pytest.mark.parametrize(("city", "code"), [("Mexico City", "MX-CMX"), ("Kuwait City", "KW-KU"), ("Guatemala City", "GT-01"), ("Panama City", "PA-8"),
                                            ("Washington", "US-DC")])
def test_a_city_holds_no_country(rules_nlp, city, code):
    assert mentions(rules_nlp, f"Talks were held in {city}.") == [("PLACE", city, {"id": code})]


@pytest.mark.parametrize(("text", "expected"), [
    ("The G7 met the Comprehensive Nuclear-Test-Ban Treaty Organization Preparatory Commission.",
     [("ORG", "G7", {"id": "G7"}), ("TREATY", "Comprehensive Nuclear-Test-Ban Treaty", {"id": "CTBT"}),
      ("ORG", "Comprehensive Nuclear-Test-Ban Treaty Organization Preparatory Commission", {"id": "CTBTO"})]),  # a body named after its treaty holds it (configs [combine] registry_hosts)
    ("It met Lao P.D.R., the D.P.R.K. and the R.O.K.", [("COUNTRY", "Lao P.D.R.", {"id": "LAO"}), ("COUNTRY", "D.P.R.K.", {"id": "PRK"}), ("COUNTRY", "R.O.K.", {"id": "KOR"})]),
    # each number of a list of resolutions is one, and no year
    ("It applies resolutions 1718 (2006), 1874 (2009) and 2094 (2013).",
     [("RESOLUTION", "resolutions 1718", {"id": "UNSCR-1718"}), ("DATE", "2006", {"value": "2006"}), ("RESOLUTION", "1874", {"id": "UNSCR-1874"}),
      ("DATE", "2009", {"value": "2009"}), ("RESOLUTION", "2094", {"id": "UNSCR-2094"}), ("DATE", "2013", {"value": "2013"})]),
    ("It follows UNSCRs 1540 and 1977.", [("RESOLUTION", "UNSCRs 1540", {"id": "UNSCR-1540"}), ("RESOLUTION", "1977", {"id": "UNSCR-1977"})]),
    ("It recalls resolutions 76/234 and 77/56.", [("RESOLUTION", "resolutions 76/234", {"id": "UNGA-76-234"}), ("RESOLUTION", "77/56", {"id": "UNGA-77-56"})]),
    ("Both resolutions were adopted in 2004.", [("DATE", "2004", {"value": "2004"})]),
    ("Under resolutions 1718 and 2397, 12 Member States reported.", [("RESOLUTION", "resolutions 1718", {"id": "UNSCR-1718"}), ("RESOLUTION", "2397", {"id": "UNSCR-2397"})]),
    ("It applies resolutions 1540 and 1977 of the Council in full.", [("RESOLUTION", "resolutions 1540", {"id": "UNSCR-1540"}), ("RESOLUTION", "1977", {"id": "UNSCR-1977"})]),
    ("It implements resolutions 1718 and 2397 and 120 enterprises were inspected.",
     [("RESOLUTION", "resolutions 1718", {"id": "UNSCR-1718"}), ("RESOLUTION", "2397", {"id": "UNSCR-2397"}),
      ("COUNT", "120 enterprises", {"value": 120, "qualifier": "exact", "unit": "enterprises", "of": None})]),
    ("Resolutions 2231, 1737 and 1747 were adopted.", [("RESOLUTION", "Resolutions 2231", {"id": "UNSCR-2231"}), ("RESOLUTION", "1737", {"id": "UNSCR-1737"}),
                                                        ("RESOLUTION", "1747", {"id": "UNSCR-1747"})]),
    ("It applies resolutions 2270 and 2321, and 35 States agreed.", [("RESOLUTION", "resolutions 2270", {"id": "UNSCR-2270"}), ("RESOLUTION", "2321", {"id": "UNSCR-2321"}),
                                                                       ("COUNT", "35 States", {"value": 35, "qualifier": "exact", "unit": "States", "of": None})]),
    ("After resolutions 61/89 and 63/240, 153 States voted.", [("RESOLUTION", "resolutions 61/89", {"id": "UNGA-61-89"}), ("RESOLUTION", "63/240", {"id": "UNGA-63-240"}),
                                                                ("COUNT", "153 States", {"value": 153, "qualifier": "exact", "unit": "States", "of": None})]),
])
def test_name_variants(rules_nlp, text, expected):
    """Names a tester wrote as writers of the genre do (tenth session)."""
    assert mentions(rules_nlp, text) == expected


@pytest.mark.parametrize(("text", "expected"), [
    # a weekday after a weak connector ends the name (the lead line of a State Council white paper)
    ("The State Council Information Office on Thursday published a white paper.", [("ORG", "State Council Information Office", {"id": None})]),
    # "a" and "or" inside a complement
    ("China acceded to the Convention on Assistance in the Case of a Nuclear Accident or Radiological Emergency in 1987.",
     [("COUNTRY", "China", {"id": "CHN"}), ("TREATY", "Convention on Assistance in the Case of a Nuclear Accident or Radiological Emergency", {"id": None}), ("DATE", "1987", {"value": "1987"})]),
    # "or" never right after the head, nor between two names
    ("It met the Ministry or the Agency.", []),
    ("It informed the Ministry of Commerce or the Agency.", [("ORG", "Ministry of Commerce", {"id": None})]),
    # a registry name's possessive is its owner, not part of the name
    ("It joined the IAEA's Response and Assistance Network.", [("ORG", "IAEA", {"id": "IAEA"}), ("ORG", "Response and Assistance Network", {"id": None})]),
    ("The EU's Dual-Use Regulation applies.", [("ORG", "EU", {"id": "EU"}), ("LAW", "Dual-Use Regulation", {"id": None})]),
    # a registry name opening a hyphenated compound is a word of the name
    ("It acts within the Forum on China-Africa Cooperation.", [("ORG", "Forum on China-Africa Cooperation", {"id": None}), ("COUNTRY", "China", {"id": "CHN"})]),
    # regions of regions.tsv: places with no id, in titles and headings too; inside a name, part of it; a city ends a name
    ("2. A zone free of weapons of mass destruction in the Middle East", [("PLACE", "Middle East", {"id": None})]),
    ("It works with the Regional Centre for Peace and Disarmament in Africa.", [("ORG", "Regional Centre for Peace and Disarmament in Africa", {"id": None})]),
    ("It joined the Agency for the Prohibition of Nuclear Weapons in Latin America and the Caribbean.",
     [("ORG", "Agency for the Prohibition of Nuclear Weapons in Latin America and the Caribbean", {"id": None})]),
    ("Officials came from North Africa and the Sahel.", [("PLACE", "North Africa", {"id": None}), ("PLACE", "Sahel", {"id": None})]),
    # right of the head, a possessive ends the name (an owner), but for the configured words and inside a registry name
    ("With the US Department of State's Export Control and Related Border Security Program, it trained officers.", [("COUNTRY", "US", {"id": "USA"}), ("ORG", "US Department of State", {"id": None})]),
    ("The United States Department of Energy's National Nuclear Security Administration helped.",
     [("COUNTRY", "United States", {"id": "USA"}), ("ORG", "United States Department of Energy", {"id": None}), ("ORG", "National Nuclear Security Administration", {"id": None})]),
    ("The Standing Committee of the National People's Congress met.", [("ORG", "Standing Committee of the National People's Congress", {"id": None})]),
    # organizations with no id (bodies.tsv); a registry name swallows the region it holds
    ("It met Euratom, the League of Arab States and the Africa Centres for Disease Control and Prevention (Africa CDC).",
     [("ORG", "Euratom", {"id": None}), ("ORG", "League of Arab States", {"id": None}), ("ORG", "Africa Centres for Disease Control and Prevention", {"id": None}), ("ORG", "Africa CDC", {"id": None})]),
    # a body's registry name with capitalized words before it is part of a longer name
    ("CONAE and the United States National Aeronautics and Space Administration signed it.",
     [("COUNTRY", "United States", {"id": "USA"}), ("ORG", "United States National Aeronautics and Space Administration", {"id": None})]),
    ("It works with the National Authority Chemical Weapons Convention.", [("ORG", "National Authority", {"id": None}), ("TREATY", "Chemical Weapons Convention", {"id": "CWC"})]),
    # "and the" before capitalized words holding a head word: a second party; a treaty after "for" ends the name
    ("The Ministry of Commerce and the General Administration of Customs issued it.",
     [("ORG", "Ministry of Commerce", {"id": None}), ("ORG", "General Administration of Customs", {"id": None})]),
    ("The National Committee for the Chemical Weapons Convention met.",
     [("ORG", "National Committee for the Chemical Weapons Convention", {"id": None}), ("TREATY", "Chemical Weapons Convention", {"id": "CWC"})]),
    ("The Hellenic Coast Guard patrols the Eastern Mediterranean.", [("ORG", "Hellenic Coast Guard", {"id": None}), ("PLACE", "Eastern Mediterranean", {"id": None})]),
    # a region goes on with a name stating its purpose ("for"), not with one saying where a body is; an event's name holds no place
    ("Courses were organized by the Ministry of Commerce in Africa and Latin America.",
     [("ORG", "Ministry of Commerce", {"id": None}), ("PLACE", "Africa", {"id": None}), ("PLACE", "Latin America", {"id": None})]),
    ("China held talks at the China-Central Asia Summit and the East Asia Summit.", [("COUNTRY", "China", {"id": "CHN"}), ("COUNTRY", "China", {"id": "CHN"})]),
    ("Under the OPCW's Africa Programme, it works within the Commission for the Southeast Asia Nuclear Weapon-Free Zone.",
     [("ORG", "OPCW", {"id": "OPCW"}), ("PLACE", "Africa", {"id": None}), ("ORG", "Commission for the Southeast Asia Nuclear Weapon-Free Zone", {"id": None})]),
    # "or" before a head word: another body
    ("It was issued by the Ministry of Commerce or Provincial Commerce Departments.", [("ORG", "Ministry of Commerce", {"id": None})]),
    ("China and the Arab League held two workshops.", [("COUNTRY", "China", {"id": "CHN"}), ("ORG", "Arab League", {"id": None}),
                                                      ("COUNT", "two workshops", {"value": 2, "qualifier": "exact", "unit": "workshops", "of": None})]),
    # a protocol is a name with a capitalized word before it that is not generic (fourteenth session)
    ("Kenya signed the Nairobi Protocol and the Firearms Protocol.", [("COUNTRY", "Kenya", {"id": "KEN"}), ("TREATY", "Nairobi Protocol", {"id": None}), ("TREATY", "Firearms Protocol", {"id": None})]),
    ("It signed an Additional Protocol and Protocol II to the Treaty of Pelindaba.", [("TREATY", "Treaty of Pelindaba", {"id": "PELINDABA"})]),
    # a focal point is a body with a modifier before it; an act or a bill ends a law's name whatever it names; UNDP has no id
    ("The Kenya National Focal Point on Small Arms and Light Weapons met the national Point of Contact.",
     [("COUNTRY", "Kenya", {"id": "KEN"}), ("ORG", "Kenya National Focal Point on Small Arms and Light Weapons", {"id": None})]),
    ("It was set up by the National Commission on Small Arms and Light Weapons Act; a Small Arms and Light Weapons Bill is pending.",
     [("LAW", "National Commission on Small Arms and Light Weapons Act", {"id": None}), ("LAW", "Small Arms and Light Weapons Bill", {"id": None})]),
    ("It was supported by the United Nations Development Programme (UNDP).", [("ORG", "United Nations Development Programme", {"id": None}), ("ORG", "UNDP", {"id": None})]),
    # a first name is no head; a body on an act keeps its label; a registry name or "Armed" is no modifier of a kind (review)
    ("Canada's Defence Minister Bill Blair met the delegation.", [("COUNTRY", "Canada", {"id": "CAN"})]),
    ("The Parliamentary Committee on the Arms Export Act reviewed the licences.",
     [("ORG", "Parliamentary Committee on the Arms Export Act", {"id": None}), ("LAW", "Arms Export Act", {"id": None})]),
    ("It applies the IAEA Additional Protocol and the Model Additional Protocol.", [("ORG", "IAEA", {"id": "IAEA"})]),
    ("China's Armed Forces serve the UN.", [("COUNTRY", "China", {"id": "CHN"}), ("ORG", "UN", {"id": "UN"})]),
    # forces and divisions are bodies; a country or a demonym before a head word after "of the"/"for the" starts another name; a country's whole name
    ("The Ghana Armed Forces and the Customs Division of the Ghana Revenue Authority met.",
     [("COUNTRY", "Ghana", {"id": "GHA"}), ("ORG", "Ghana Armed Forces", {"id": None}), ("ORG", "Customs Division", {"id": None}), ("COUNTRY", "Ghana", {"id": "GHA"}),
      ("ORG", "Ghana Revenue Authority", {"id": None})]),
    ("It was prepared by the Department of Trade, Industry and Competition for the South African Council for the Non-Proliferation of Weapons of Mass Destruction.",
     [("ORG", "Department of Trade, Industry and Competition", {"id": None}), ("ORG", "South African Council for the Non-Proliferation of Weapons of Mass Destruction", {"id": None})]),
    ("The Office of the United States Trade Representative met the National Commission on Small Arms of Côte d'Ivoire.",
     [("ORG", "Office of the United States Trade Representative", {"id": None}), ("COUNTRY", "United States", {"id": "USA"}),
      ("ORG", "National Commission on Small Arms of Côte d'Ivoire", {"id": None}), ("COUNTRY", "Côte d'Ivoire", {"id": "CIV"})]),
])
def test_names_of_the_genre(rules_nlp, text, expected):
    """Names from State Council white papers (eleventh session)."""
    assert mentions(rules_nlp, text) == expected


@pytest.mark.parametrize(("text", "expected"), [
    # after "of the", a body's own name with modifiers is another body; two words stay inside the name (seventeenth session)
    ("The Border Guard Troops of the National Security Service completed the programme.",
     [("ORG", "Border Guard Troops", {"id": None}), ("ORG", "National Security Service", {"id": None})]),
    ("It exchanges data with the Institute of Seismology of the National Academy of Sciences of the Kyrgyz Republic.",
     [("ORG", "Institute of Seismology", {"id": None}), ("ORG", "National Academy of Sciences of the Kyrgyz Republic", {"id": None}), ("COUNTRY", "Kyrgyz Republic", {"id": "KGZ"})]),
    ("The Information Office of the State Council and the Council of the European Union issued it.",
     [("ORG", "Information Office of the State Council", {"id": None}), ("ORG", "Council of the European Union", {"id": None})]),
    ("The National Commission for the Implementation of the Chemical Weapons Convention met.",
     [("ORG", "National Commission for the Implementation of the Chemical Weapons Convention", {"id": None}), ("TREATY", "Chemical Weapons Convention", {"id": "CWC"})]),
    # no name starts with a connector or a number word; an ordinal does start one, and a number word counts what follows the name
    ("Through its Mario Gulich Institute for Advanced Space Studies, it trained engineers.", [("ORG", "Mario Gulich Institute for Advanced Space Studies", {"id": None})]),
    ("The First Committee of the General Assembly met.", [("ORG", "First Committee of the General Assembly", {"id": None})]),
    ("Thirteen Forum members are now party to it.", [("COUNT", "Thirteen Forum members", {"value": 13, "qualifier": "exact", "unit": "Forum members", "of": None})]),
    ("Sessions on the first two days were led by experts.", [("COUNT", "two days", {"value": 2, "qualifier": "exact", "unit": "days", "of": None})]),
    # after digits, acronyms (not names) before a plural or collective noun
    ("Since 2020, more than 60 SLAEB and SLAERC staff have been trained.",
     [("DATE", "2020", {"value": "2020"}), ("COUNT", "more than 60 SLAEB and SLAERC staff", {"value": 60, "qualifier": "gt", "unit": "SLAEB and SLAERC staff", "of": None})]),
    ("The 1540 Committee members met.", [("ORG", "1540 Committee", {"id": "1540-COMMITTEE"})]),
    # left of a law's head: "and their", a serial comma; not after words holding a head (names of their own, review)
    ("The Weapons of Mass Destruction and their Delivery Systems (Prohibition of Unlawful Activities) Act applies.",
     [("LAW", "Weapons of Mass Destruction and their Delivery Systems (Prohibition of Unlawful Activities) Act", {"id": None})]),
    ("At home, the New Zealand Nuclear Free Zone, Disarmament, and Arms Control Act prohibits it.",
     [("COUNTRY", "New Zealand", {"id": "NZL"}), ("LAW", "New Zealand Nuclear Free Zone, Disarmament, and Arms Control Act", {"id": None})]),
    ("China and its Export Control Law are known.", [("COUNTRY", "China", {"id": "CHN"}), ("LAW", "Export Control Law", {"id": None})]),
    ("India regulates exports under the Customs Act, Arms Act, and Explosives Act.",
     [("COUNTRY", "India", {"id": "IND"}), ("LAW", "Customs Act", {"id": None}), ("LAW", "Arms Act", {"id": None}), ("LAW", "Explosives Act", {"id": None})]),
    ("The Ministry of Foreign Affairs, Ministry of Commerce, and General Administration of Customs held a joint seminar.",
     [("ORG", "Ministry of Foreign Affairs", {"id": None}), ("ORG", "Ministry of Commerce", {"id": None}), ("ORG", "General Administration of Customs", {"id": None})]),
    ("The Foreign Trade Act and its Enforcement Decree were amended.", [("LAW", "Foreign Trade Act", {"id": None}), ("LAW", "Enforcement Decree", {"id": None})]),
    ("The Ministry of Defense and its Acquisition, Technology and Logistics Agency met.",
     [("ORG", "Ministry of Defense", {"id": None}), ("ORG", "Acquisition, Technology and Logistics Agency", {"id": None})]),
    # a region describing a noun is no place; new heads, a country's short form
    ("Australia assists Pacific island countries and the Caribbean States.", [("COUNTRY", "Australia", {"id": "AUS"})]),
    ("Samoa joined other Pacific Parties at a Pacific regional workshop in the Pacific Islands.", [("COUNTRY", "Samoa", {"id": "WSM"}), ("PLACE", "Pacific", {"id": None})]),
    ("The PNG Customs Service and the Royal Papua New Guinea Constabulary met the State Nuclear Regulatory Inspectorate.",
     [("COUNTRY", "PNG", {"id": "PNG"}), ("ORG", "PNG Customs Service", {"id": None}), ("ORG", "Royal Papua New Guinea Constabulary", {"id": None}),
      ("COUNTRY", "Papua New Guinea", {"id": "PNG"}), ("ORG", "State Nuclear Regulatory Inspectorate", {"id": None})]),
    # organs of bodies the registry knows keep their name whole, as does a law's title; number words inside names stay (review)
    ("China supports the work of the First Committee of the UN General Assembly.",
     [("COUNTRY", "China", {"id": "CHN"}), ("ORG", "First Committee of the UN General Assembly", {"id": None})]),
    ("Japan informed the Board of Governors of the International Atomic Energy Agency.",
     [("COUNTRY", "Japan", {"id": "JPN"}), ("ORG", "Board of Governors of the International Atomic Energy Agency", {"id": None})]),
    ("It was done under the Regulations of the Atomic Energy Licensing Board on Radiation Protection.",
     [("LAW", "Regulations of the Atomic Energy Licensing Board on Radiation Protection", {"id": None}), ("ORG", "Atomic Energy Licensing Board on Radiation Protection", {"id": None})]),
    ("The Eighteen-Nation Disarmament Committee and the Three Gorges Corporation met.",
     [("ORG", "Eighteen-Nation Disarmament Committee", {"id": None}), ("ORG", "Three Gorges Corporation", {"id": None})]),
    # a body accredited "to" others runs on into the city where they are; another body's seat ends its name, as does a meeting's city
    ("The Permanent Mission of Japan to the International Organizations in Vienna and the Embassy of China in Vienna met.",
     [("ORG", "Permanent Mission of Japan to the International Organizations in Vienna", {"id": None}), ("COUNTRY", "Japan", {"id": "JPN"}),
      ("ORG", "Embassy of China", {"id": None}), ("COUNTRY", "China", {"id": "CHN"}), ("PLACE", "Vienna", {"id": "AT-9"})]),
    ("In 2022, the Chinese Delegation to the Preparatory Committee in Vienna held consultations with Russia.",
     [("DATE", "2022", {"value": "2022"}), ("ORG", "Chinese Delegation to the Preparatory Committee", {"id": None}), ("PLACE", "Vienna", {"id": "AT-9"}),
      ("COUNTRY", "Russia", {"id": "RUS"})]),
])
def test_names_of_the_pacific_set(rules_nlp, text, expected):
    """Names, counts and regions read on the seventeenth session's dev set (dev36)."""
    assert mentions(rules_nlp, text) == expected


@pytest.mark.parametrize(("text", "kept"), [("³ The Commission", "Commission"), ("Nuclear Suppliers Group²", "Nuclear Suppliers Group"), ("† Euratom ‡", "Euratom")])
def test_footnote_markers_are_trimmed_like_punctuation(rules_nlp, text, kept):
    doc = rules_nlp.make_doc(text)
    start, end = rules_nlp.get_pipe("wpx_mentions")._trim(doc, [t.orth for t in doc], 0, len(doc))
    assert doc[start:end].text == kept


@pytest.mark.parametrize(("name", "code"), [("Tianjin City", "CN-TJ"), ("Jilin Province", "CN-JL"), ("Quezon City", None), ("Cebu City", None),
                                             ("Ninh Thuan Province", "VN-36"), ("Dong Nai", "VN-39")])  # diacritics folded: "Ninh Thuận", "Đồng Nai"
def test_city_suffix_names_only_city_subdivisions(rules_nlp, name, code):
    assert rules_nlp.get_pipe("wpx_mentions")._place_id(name) == code


@pytest.mark.parametrize(
    ("text", "count"),
    [
        ("China has established consultation mechanisms with more than ten countries.", ("more than ten countries", {"value": 10, "qualifier": "gt", "unit": "countries", "of": None})),
        ("It trained 3,000 enterprises.", ("3,000 enterprises", {"value": 3000, "qualifier": "exact", "unit": "enterprises", "of": None})),
        ("It lasts up to 90 days.", ("up to 90 days", {"value": 90, "qualifier": "le", "unit": "days", "of": None})),
        ("nearly twenty-one members joined.", ("nearly twenty-one members", {"value": 21, "qualifier": "lt", "unit": "members", "of": None})),
        ("It held 2019 seminars.", ("2019 seminars", {"value": 2019, "qualifier": "exact", "unit": "seminars", "of": None})),  # a year-like number counting a plural
        ("It trained 3 000 enterprises.", ("3 000 enterprises", {"value": 3000, "qualifier": "exact", "unit": "enterprises", "of": None})),  # UN style: not a count of 0
        ("Some 12 500 000 people were screened.", ("Some 12 500 000 people", {"value": 12500000, "qualifier": "approx", "unit": "people", "of": None})),
        ("In 2019 150 officials attended.", ("150 officials", {"value": 150, "qualifier": "exact", "unit": "officials", "of": None})),  # a year is no thousands group
        ("It trained some 2000 young diplomats.", ("some 2000 young diplomats", {"value": 2000, "qualifier": "approx", "unit": "young diplomats", "of": None})),
    ],
)
def test_counts_without_a_tagger(rules_nlp, text, count):
    found = [(t, n) for label, t, n in mentions(rules_nlp, text) if label == "COUNT"]
    assert found == [count]


@pytest.mark.parametrize(
    "text",
    ["The 76th Session opened.", "Resolution 1540 was adopted.", "The 1540 Committee met.", "Exports rose 30 percent.", "It cost 5 million yuan.",
     "Several countries and dozens of firms joined.", "In 2004, China acted.", "At its 2021 meeting, the Group agreed.", "It has a 10-megawatt reactor.", "It removed about 2 kilograms of uranium.",
     "It joined the Nuclear Suppliers Group2 members agreed.", "It met the Regime,1 experts agreed.", "The 1540 Committee.3 Experts met.", "It met the Treaty² experts.",  # footnote markers
     "Its Hualong One design was adopted.", "The Two Countries and the Non-Proliferation Regime",  # a number word inside a name or a title-case title
     "Experts attended the 2023 meetings of the Group.", "Exports are governed by Law No. 57 of 27 May 2011 and its implementing regulations."],  # a year; "No" parted from its period
)
def test_not_counts(rules_nlp, text):
    assert [m for m in mentions(rules_nlp, text) if m[0] == "COUNT"] == []


@pytest.mark.parametrize("name", ["wpx_names", "wpx_counts", "wpx_dates", "wpx_resolutions", "wpx_mentions"])
def test_serialization_round_trip(rules_nlp, tmp_path, name):
    component = rules_nlp.get_pipe(name)
    fresh = spacy.blank("en").add_pipe(name)
    fresh.from_bytes(component.to_bytes())
    assert fresh.settings == component.settings
    component.to_disk(tmp_path / name)
    again = spacy.blank("en").add_pipe(name).from_disk(tmp_path / name)
    assert again.settings == component.settings


def test_whole_pipeline_round_trip(rules_nlp, tmp_path):
    rules_nlp.to_disk(tmp_path / "nlp")
    loaded = spacy.load(tmp_path / "nlp")
    text = "China and the 1540 Committee hosted three training sessions in Qingdao in 2015."
    assert mentions(loaded, text) == mentions(rules_nlp, text)


@pytest.mark.parametrize(("edit", "message"), [
    (lambda s: s.replace("max_gap = 4", "max_gap = 4\nmax_gapp = 5"), r"\[counts\] unknown key 'max_gapp'; allowed: "),
    (lambda s: s + "\n[oops]\nx = 1\n", r"unknown table \[oops\]; allowed: "),
])
def test_extraction_config_is_strict(tmp_path, edit, message):
    import shutil

    from pipeline.config import ConfigError, load_config
    from pipeline.nlp import extraction_settings

    from .conftest import REPO

    root = tmp_path / "configs"
    shutil.copytree(REPO / "configs", root)
    path = root / "extraction.toml"
    path.write_text(edit(path.read_text(encoding="utf-8")), encoding="utf-8")
    with pytest.raises(ConfigError, match=message):
        extraction_settings(load_config(root))


@pytest.fixture(scope="module")
def rows_only_nlp(config):
    import spacy

    from pipeline.nlp import add_rules

    return add_rules(spacy.blank("en"), config, span_groups=False)


@pytest.mark.parametrize("text", [
    "China officially applied to join the Missile Technology Control Regime (MTCR) in 2004.",
    "In April 2004, the UN Security Council adopted Resolution 1540 (UNSCR 1540), and more than ten countries' Ministry of Commerce officials met 3,000 enterprises.",
    "The Republic of Singapore Navy and \"the\" Australia Group's 1540 Committee met in Qingdao on 12 May 2015.",
    "",
])
def test_span_groups_off_finds_the_same(rules_nlp, rows_only_nlp, text):
    """The extractor's setting (no doc.spans) hands on exactly what the span groups hold."""
    from pipeline.components.base import SPANS_KEY, REGISTRY_KEY
    from pipeline.components.mentions import MENTION_ROWS_KEY

    with_groups, without = rules_nlp(text), rows_only_nlp(text)
    assert without.user_data[MENTION_ROWS_KEY] == with_groups.user_data[MENTION_ROWS_KEY]
    assert [(s.start, s.end, s.label_, get_meta(with_groups, s)["rule"], get_meta(with_groups, s)["norm"]) for s in with_groups.spans[MENTIONS_KEY]] == with_groups.user_data[MENTION_ROWS_KEY]
    assert not any(key in without.spans for key in (SPANS_KEY, REGISTRY_KEY, MENTIONS_KEY))
    assert len(with_groups.spans[MENTIONS_KEY]) == len(mentions(rules_nlp, text)) > 0 or not text


@pytest.mark.parametrize("groups", [True, False])
def test_docs_round_trip_through_bytes(config, groups):
    """What the components leave in user_data survives Doc.to_bytes and a DocBin (msgpack keys must be strings or ints)."""
    import spacy
    from spacy.tokens import Doc, DocBin

    from pipeline.components.mentions import MENTION_ROWS_KEY
    from pipeline.nlp import add_rules

    nlp = add_rules(spacy.blank("en"), config, span_groups=groups)
    doc = nlp("In April 2004, China and the 1540 Committee hosted more than three training sessions in Qingdao (UNSCR 1540).")
    again = Doc(nlp.vocab).from_bytes(doc.to_bytes())
    binned = next(DocBin(store_user_data=True, docs=[doc]).get_docs(nlp.vocab))
    for copy in (again, binned):
        assert [list(row) for row in copy.user_data[MENTION_ROWS_KEY]] == [list(row) for row in doc.user_data[MENTION_ROWS_KEY]]
        assert copy.user_data["wpx_meta"] == doc.user_data["wpx_meta"]
    assert len(doc.user_data[MENTION_ROWS_KEY]) >= 5


_BLANK = spacy.blank("en")


@given(words=st.lists(st.sampled_from(["China", "met", "Japan", ".", ",", "twice", "(", ")"]), min_size=1, max_size=30), data=st.data())
@settings(max_examples=200, deadline=None)
def test_sentence_bounds_are_token_sent(words, data):
    """sentence_bounds gives every token the range Token.sent gives it, whatever the sentence starts."""
    doc = Doc(_BLANK.vocab, words=words, sent_starts=[True] + [data.draw(st.sampled_from([True, False, None])) for _ in words[1:]])
    assume(doc.has_annotation("SENT_START"))  # without it there is no Token.sent (wpx_names then takes the whole block)
    for token in doc:
        assert sentence_bounds(doc, token.i) == (token.sent.start, token.sent.end)


GENRE_TEXTS = [
    "China officially applied to join the Missile Technology Control Regime (MTCR) in 2004.",
    "In April 2004, the UN Security Council adopted Resolution 1540 (UNSCR 1540), and more than ten countries' Ministry of Commerce officials met 3,000 enterprises.",
    "The Republic of Singapore Navy and \"the\" Australia Group's 1540 Committee met in Qingdao on 12 May 2015, in Beijing on 3 June 2016 and in Xi'an in 2017.",
    "\n".join(["China met Japan and the IAEA in Vienna in 2019"] * 40),
]


@pytest.mark.parametrize("text", GENRE_TEXTS)
def test_looking_accepted_mentions_up_by_token_accepts_the_same(rules_nlp, monkeypatch, text):
    """The combiner's token index (blocks dense with candidates) accepts exactly what scanning every accepted mention does."""
    from pipeline.components import mentions as combiner

    monkeypatch.setattr(combiner, "_INDEX_FROM", 10**9)
    scanned = rules_nlp(text).user_data[combiner.MENTION_ROWS_KEY]
    monkeypatch.setattr(combiner, "_INDEX_FROM", 0)
    assert rules_nlp(text).user_data[combiner.MENTION_ROWS_KEY] == scanned


def test_a_block_dense_with_names_costs_conflict_tests_in_proportion(rules_nlp, monkeypatch):
    """A paragraph of short lines of names: the conflict tests grow with its length, not its square (review: 213 KB took 58 s)."""
    from pipeline.components import mentions as combiner

    calls = {"n": 0}
    conflict = combiner._conflict

    def counted(*args, **kwargs):
        calls["n"] += 1
        return conflict(*args, **kwargs)

    monkeypatch.setattr(combiner, "_conflict", counted)
    found = []
    for lines in (200, 400):
        calls["n"] = 0
        rules_nlp("\n".join(["China met Japan"] * lines))
        found.append(calls["n"])
    assert found[1] <= 2.2 * found[0]
