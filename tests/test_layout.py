from __future__ import annotations

import pytest

from pipeline.config import ConfigError, load_config
from pipeline.layout import classify, iter_lines, metadata
from pipeline.layout_rules import LayoutRules

NBSP = "\u00a0"


@pytest.fixture(scope="module")
def rules(config):
    return LayoutRules.from_config(config)


@pytest.mark.parametrize(
    ("line", "kind", "subkind"),
    [
        ("White Paper", "boilerplate", "label"),
        (f"XinhuaUpdated:{NBSP}December 29, 2021", "boilerplate", "byline"),
        ("Source: Xinhua | Updated: 2021-12-29 10:15", "boilerplate", "byline"),
        ("Published: 24 July 2019", "boilerplate", "byline"),
        (f"<{NBSP}{NBSP}1{NBSP}{NBSP}2{NBSP}{NBSP}3{NBSP}{NBSP}>", "boilerplate", "pagination"),
        ("Page 2 of 7", "boilerplate", "pagination"),
        ("Home > Trade policy > Export controls", "boilerplate", "navigation"),
        ("Home / Foreign policy / Arms control", "boilerplate", "navigation"),
        ("Home :: Policy :: Strategic Trade Control (SCOMET) :: International Engagement", "boilerplate", "navigation"),
        ("Home >> White Papers >> 2025", "boilerplate", "navigation"),
        ("You are here: Home ≫ Foreign Policy ≫ Disarmament", "boilerplate", "navigation"),
        ("Inicio > Política exterior > Desarme y no proliferación", "boilerplate", "navigation"),
        ("Main › Foreign Policy › International Security", "boilerplate", "navigation"),
        ("Home ＞ Foreign Policy ＞ Arms Control", "boilerplate", "navigation"),
        ("Homepage → Foreign Relations → Security Policy", "boilerplate", "navigation"),
        ("Skip to main content", "boilerplate", "label"),
        ("Skip to main content | Screen Reader Access | A- A A+", "boilerplate", "label"),
        ("This website uses cookies. Accept all | Reject | Settings", "boilerplate", "label"),
        ("Download PDF (312 KB)", "boilerplate", "label"),
        ("Download the full report (PDF, 1.2 MB)", "boilerplate", "label"),
        ("Publish date: 13-10-2024 | International Organizations Department", "boilerplate", "byline"),
        ("Date of publication: 03.12.2024 | Last updated: 05.12.2024", "boilerplate", "byline"),
        ("Cookies are dried at the plant.", "content", None),
        ("Home" + ("> " + " " * 12 + "x") * 9 + " >" + "y" * 200, "content", None),  # spaced separators and a long last crumb: no backtracking for minutes
        ("Home > News > Statement: Arms Control", "boilerplate", "navigation"),
        ("Main export partners were Japan and Korea.", "content", None),
        ("Download speeds rose in 2023 and the Ministry published figures.", "content", None),
        ("Posted on: 14 March 2019 | Last modified: 2 April 2019", "boilerplate", "byline"),
        ("Date modified: 2022-06-30", "boilerplate", "byline"),
        ("Last updated: 3 May 2021", "boilerplate", "byline"),
        ("Share this page: Facebook | X | LinkedIn | Email", "boilerplate", "label"),
        ("Compartir: Facebook | X | WhatsApp | Correo electrónico", "boilerplate", "label"),  # in the site's language, items of two words
        ("Partager : Facebook · X · Courriel", "boilerplate", "label"),
        ("Share of exports rose", "content", None),  # no colon, no items
        ("Share: exports of arms rose sharply in the year", "content", None),  # one item of many words
        ("Share: Japan 45, Germany 30, Kenya 25", "content", None),  # a table's row (review)
        ("Share this page: Facebook | X | Copy link", "boilerplate", "label"),  # items of two words in English too (second review)
        ("Compartir en: Facebook | X | WhatsApp", "boilerplate", "label"),
        ("Posted on 21 August 2023 | Strategic Trade Secretariat", "boilerplate", "byline"),
        ("Report | 14-10-2022 | Ministry of Foreign Affairs", "boilerplate", "byline"),
        ("Press release | Date: 14 March 2024 | Ministry of Foreign Affairs", "boilerplate", "byline"),
        ("Bogotá, 12 September 2024 | Press Office", "boilerplate", "byline"),
        ("© State Service for Export Control of Ukraine, 2025 | dsek.gov.ua", "boilerplate", "copyright"),
        ("Copyright © www.gov.cn | About us | Contact us", "boilerplate", "copyright"),
        ("Copyright 2024 Ministry of Defence", "boilerplate", "copyright"),
        ("Copyright law was amended in 2020 to cover exports.", "content", None),
        ("(c) the Ministry shall inform the Council;", "content", None),
        ("Documento de política exterior · Marzo de 2023 · Versión en inglés", "boilerplate", "masthead"),
        ("Lima, 20 de marzo de 2023 · Jr. Lampa 545 · Central telefónica (511) 204-2400", "boilerplate", "masthead"),
        ("Exports · imports · transit are all controlled.", "content", None),
        ("2018 · Vienna · China signed a practical arrangement with the IAEA", "content", None),  # a timeline: fields of prose
        ("Vienna, Geneva and New York hosted the sessions.", "content", None),
        ("Share this information with partners in the region.", "content", None),
        # a Portuguese page head, a report's running header, a statement's occasion and notice (fourteenth session)
        ("Você está aqui: Página Inicial > Canais de Atendimento > Imprensa > Notas à Imprensa > 2024", "boilerplate", "navigation"),
        ("Publicado em 16/10/2024 18h30 Atualizado em 17/10/2024 10h05", "boilerplate", "byline"),
        ("Posted by Communications Office on 9th September 2024", "boilerplate", "byline"),
        ("Publicado a lot of papers.", "content", None),
        ("Nota à imprensa nº 498 | Versão em inglês", "boilerplate", "label"),
        ("Informe Anual 2023 · Versión en inglés", "boilerplate", "label"),
        ("English version of the report is available in Geneva | Vienna", "content", None),
        ("Annual Report 2023 | Chapter 6 | Page 71", "boilerplate", "pagination"),
        ("The page 12 figure was wrong.", "content", None),
        # a report's long title before the chapter and a page range (fifteenth session)
        ("National Report on the Implementation of International Obligations in the Field of Non-Proliferation, 2023 | Chapter 4 | pp. 41-49", "boilerplate", "pagination"),
        ("Page 12 | Ministry of Defence", "boilerplate", "pagination"),
        ("Strategic Trade Secretariat · Annual Report 2024 · Chapter 4 · Page 37", "boilerplate", "masthead"),  # (fields of a masthead too)
        # a paragraph that starts like a byline is content: every part of a boilerplate pattern is bounded (review, fifteenth session)
        ("Beijing (Xinhua) Updated: 2021-12-29 China has held five rounds of dialogue with the Wassenaar Arrangement and trained 300 officials "
         "from Pakistan in 2019.", "content", None),
        ("Source: the Ministry of Foreign Affairs said that China held five rounds of dialogue with Japan between 2015 and 2023.", "content", None),
        ("Last updated: 3 May 2021 | Ministry of Foreign Affairs", "boilerplate", "byline"),
        # a press release's label and its press office's contact line (fifteenth session)
        ("PRESS RELEASE 27/2567 | For immediate release", "boilerplate", "label"),
        ("For immediate release", "boilerplate", "label"),
        ("Media contact: Public Relations Section, Office of Atoms for Peace | Tel. 0 2596 7600 | www.oap.go.th", "boilerplate", "label"),
        ("Contacts: 12 visits | Seminars: 4 with Japan | Courses: 3", "content", None),  # a table's row: no phone, e-mail or site (review)
        ("The press release of 4 May was issued for immediate release.", "content", None),
        ("Contact: the Office met the Agency in Vienna.", "content", None),
        ("Pages 41-49 were revised in 2023.", "content", None),
        ("General debate | Geneva, 19 August 2024 | Delivered by the Vice-Minister for Multilateral Affairs", "boilerplate", "byline"),
        ("The statement was delivered by the Minister in Geneva.", "content", None),
        ("Check against delivery", "boilerplate", "label"),
        ("Statement by Brazil on the Arms Trade Treaty | Unofficial translation", "content", None),  # a title's field is long
        ("ATT implementation course | Delivered by Brazil and Argentina in Buenos Aires in 2023 | 40 officials", "content", None),  # a table's row
        ("Publicado em 2023, o relatório descreve a política.", "content", None),  # no date after it
        ("Publicado el 5 de marzo de 2024", "boilerplate", "byline"),
        ("Chapter 3, Section 4  Arms Control, Disarmament and Non-Proliferation", "heading", "1"),
        ("1 Basic Position", "heading", "2"),
        ("IV. Promoting International Exchanges and Cooperation", "heading", "1"),
        ("1. Conducting Bilateral Exchanges and Cooperation", "heading", "2"),
        ("(2) Export Control Lists", "heading", "3"),
        ("1. China has signed the treaty and ratified it in 2004.", "content", None),
        ("China has held five rounds of dialogue.", "content", None),
    ],
)
def test_line_kinds(rules, line, kind, subkind):
    lines = classify("Full text: T\n" + line + "\n", rules)
    assert (lines[1].kind, lines[1].subkind) == (kind, subkind)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (f"Full text: China's Export Controls\n\nWhite Paper\nXinhuaUpdated:{NBSP}December 29, 2021\n",
         {"title": "China's Export Controls", "publisher": "Xinhua", "published": "2021-12-29"}),
        ("Space Cooperation in a New Era\nSource: Ministry of Foreign Affairs  Published: 24 July 2019\n\nBody text.\n",
         {"title": "Space Cooperation in a New Era", "publisher": "Ministry of Foreign Affairs", "published": "2019-07-24"}),
        ("China has held talks. It went well.\n", {"title": None, "publisher": None, "published": None}),
        ("Ministry of Foreign Affairs of the Russian Federation\nHome / Foreign policy\nPublished: 30 December 2021\n\nOn Strategic Stability\n\nBody.\n",
         {"title": "On Strategic Stability", "publisher": "Ministry of Foreign Affairs of the Russian Federation", "published": "2021-12-30"}),
        ("Republic of the Philippines\nDepartment of Foreign Affairs\nHome / Policy Priorities / Nuclear Security\n\nNuclear Security Cooperation\n\nBody.\n",
         {"title": "Nuclear Security Cooperation", "publisher": "Republic of the Philippines", "published": None}),
        ("Last updated: 3 May 2021\n\nBody text here.\n", {"title": None, "publisher": None, "published": "2021-05-03"}),
        ("Defense of Japan 2022\nDefense of Japan 2022 | Published: 22 July 2022 | Ministry of Defense\n\nBody.\n",
         {"title": "Defense of Japan 2022", "publisher": "Ministry of Defense", "published": "2022-07-22"}),
        # a masthead above its breadcrumb with a switcher or a skip link between, and a dateline after it
        ("Skip to main content\nLT | EN\nMinistry of Foreign Affairs of the Republic of Lithuania\nHome :: Foreign Policy :: Export Control\n\nExport Controls and Partners\n\nBody.\n",
         {"title": "Export Controls and Partners", "publisher": "Ministry of Foreign Affairs of the Republic of Lithuania", "published": None}),
        ("العربية | English\nState of Kuwait | Ministry of Foreign Affairs\nKuwait City 38°C | Sunday, 13 October 2024\nYou are here: Home ≫ Foreign Policy\n"
         "Publish date: 13-10-2024 | International Organizations Department\n\nKuwait and Non-Proliferation\n\nBody.\n",
         {"title": "Kuwait and Non-Proliferation", "publisher": "State of Kuwait | Ministry of Foreign Affairs", "published": "2024-10-13"}),
        ("Royaume du Maroc\nMinistry of Foreign Affairs\nHome ❯ Diplomatic Action\nPress release No. 214/2024 — Rabat, 4 December 2024\nDownload PDF (312 KB)\n\nMorocco and Resolution 1540\n\nBody.\n",
         {"title": "Morocco and Resolution 1540", "publisher": "Royaume du Maroc", "published": "2024-12-04"}),
        ("Government Offices of Sweden\nHome / Government policy\nPublished 14 March 2023 · Updated 2 October 2023\n\nSweden and the NPT\n\nBody.\n",
         {"title": "Sweden and the NPT", "publisher": "Government Offices of Sweden", "published": "2023-03-14"}),
        # a crumb with a colon; a headline above a byline and a breadcrumb; a dated statement with no breadcrumb above (review of the thirteenth session)
        ("Ministry of Foreign Affairs of Japan\nHome > Foreign Policy > Statement: Arms Control\n\nBody.\n",
         {"title": None, "publisher": "Ministry of Foreign Affairs of Japan", "published": None}),
        ("China and Kazakhstan Hold Consultations\nPublished: 12 March 2024\nHome > News > Press releases\n\nBody.\n",
         {"title": "China and Kazakhstan Hold Consultations", "publisher": None, "published": "2024-03-12"}),
        ("Statement by Ambassador Li Song at the IAEA Board of Governors – 4 March 2024\nMr. Chairman,\n\nBody.\n",
         {"title": "Statement by Ambassador Li Song at the IAEA Board of Governors – 4 March 2024", "publisher": None, "published": None}),
        ("[Skip to main content]\nMinistry of Trade · Republic of Korea · Press\nHome > News\n\nKorea and the EU\n\nBody.\n",
         {"title": "Korea and the EU", "publisher": None, "published": None}),  # a bracketed skip link is a label, never the publisher
        # a title with a date but no fields is a title; so is a title with fields but no day or month
        ("The Summit of 12 May 2023 on Export Controls\n\nBody.\n", {"title": "The Summit of 12 May 2023 on Export Controls", "publisher": None, "published": None}),
        ("Annual Report — 2023\n\nBody.\n", {"title": "Annual Report — 2023", "publisher": None, "published": None}),
        # bodies' names in fields above a press release's label and its dateline: the masthead (fifteenth session)
        ("Office of Atoms for Peace | Ministry of Higher Education, Science, Research and Innovation\nPRESS RELEASE 27/2567 | For immediate release\n"
         "Bangkok, 20 December 2024\n\nThailand Deepens Nuclear Safety Cooperation\n\nBody.\n",
         {"title": "Thailand Deepens Nuclear Safety Cooperation", "publisher": "Office of Atoms for Peace | Ministry of Higher Education, Science, Research and Innovation",
          "published": "2024-12-20"}),
        ("Office of Atoms for Peace | Ministry of Energy\nBangkok, 20 December 2024\n\nThailand and ASEANTOM\n\nBody.\n",
         {"title": "Thailand and ASEANTOM", "publisher": "Office of Atoms for Peace | Ministry of Energy", "published": "2024-12-20"}),
        ("REPUBLIC OF KENYA | MINISTRY OF INTERIOR AND NATIONAL ADMINISTRATION\nNairobi, 4 March 2024\n\nKenya and the ATT\n\nBody.\n",
         {"title": "Kenya and the ATT", "publisher": "REPUBLIC OF KENYA | MINISTRY OF INTERIOR AND NATIONAL ADMINISTRATION", "published": "2024-03-04"}),
        # a title whose fields name no body stays the title above a dateline or a label (review, fifteenth session)
        ("China's Export Control Policy | White Paper\nBeijing, 12 March 2024\n\nBody.\n", {"title": "China's Export Control Policy | White Paper", "publisher": None, "published": None}),
        ("China and the Nuclear Suppliers Group — Statement by the Delegation\nFor immediate release\n\nBody.\n",
         {"title": "China and the Nuclear Suppliers Group — Statement by the Delegation", "publisher": None, "published": None}),
        # a title with fields above a paragraph, and a place and a date as the first line, stay what they were
        ("Thailand and ASEANTOM | Annual Review\nThe Office met the Agency in 2024.\n\nBody.\n", {"title": "Thailand and ASEANTOM | Annual Review", "publisher": None, "published": None}),
        ("Bangkok, 20 December 2024\n\nBody.\n", {"title": "Bangkok, 20 December 2024", "publisher": None, "published": None}),
        # a whole document on its "Full text:" line is no title (review, fifteenth session)
        ("Full text: " + "China held five rounds of dialogue with Japan in 2019. " * 8 + "\n\nBody.\n", {"title": None, "publisher": None, "published": None}),
        # a masthead in capitals stacked on a fielded one above a dated reference line; a dateline in the site's language (sixteenth session)
        ("GOVERNMENT OF BARBADOS\nMinistry of Foreign Affairs and Foreign Trade · Disarmament and International Security Unit\n"
         "Ref: MFAFT/DIS/1540/2024 | Submitted: 28 March 2024 | Original: English\n\nNational Report of Barbados\n\nBody.\n",
         {"title": "National Report of Barbados", "publisher": "GOVERNMENT OF BARBADOS", "published": "2024-03-28"}),
        ("DIRECCIÓN GENERAL DE ADUANAS · REPÚBLICA DOMINICANA\nInicio / Sala de prensa / Noticias\nSanto Domingo, 8 de marzo de 2025 | Nota de prensa DGA-047-2025\n\n"
         "Regional Course on Strategic Trade\n\nBody.\n",
         {"title": "Regional Course on Strategic Trade", "publisher": "DIRECCIÓN GENERAL DE ADUANAS · REPÚBLICA DOMINICANA", "published": "2025-03-08"}),
        ("MINISTÉRIO DAS RELAÇÕES EXTERIORES · REPÚBLICA FEDERATIVA DO BRASIL\nBrasília, 17 de outubro de 2024\n\nBrazil and the NPT\n\nBody.\n",
         {"title": "Brazil and the NPT", "publisher": "MINISTÉRIO DAS RELAÇÕES EXTERIORES · REPÚBLICA FEDERATIVA DO BRASIL", "published": "2024-10-17"}),
        # a headline in capitals over its byline or dateline, or a dated headline under a masthead, stays the title (review, sixteenth session)
        ("JOINT STATEMENT OF THE REPUBLIC OF KOREA AND JAPAN\nRelease date: 2024-03-12\n\nBody.\n",
         {"title": "JOINT STATEMENT OF THE REPUBLIC OF KOREA AND JAPAN", "publisher": None, "published": "2024-03-12"}),
        ("STATEMENT BY THE DELEGATION OF THE REPUBLIC OF KOREA\nNew York, 3 October 2024\n\nMr. Chair,\n\nBody.\n",
         {"title": "STATEMENT BY THE DELEGATION OF THE REPUBLIC OF KOREA", "publisher": None, "published": None}),
        ("Ministry of Foreign Affairs | Republic of Peru\nPeru Ratifies the Arms Trade Treaty | 4 March 2024\n\nBody.\n",
         {"title": "Peru Ratifies the Arms Trade Treaty | 4 March 2024", "publisher": "Ministry of Foreign Affairs | Republic of Peru", "published": None}),
        # mastheads in capitals stacked over a label or a dateline, and one alone over its dateline when a title follows (second review)
        ("REPUBLIC OF KENYA\nMINISTRY OF INTERIOR AND NATIONAL ADMINISTRATION\nNairobi, 4 March 2024\n\nKenya hosts ATT workshop\n\nBody text.\n",
         {"title": "Kenya hosts ATT workshop", "publisher": "REPUBLIC OF KENYA", "published": "2024-03-04"}),
        ("MINISTRY OF FOREIGN AFFAIRS OF JAPAN\nTokyo, 4 March 2024\n\nJapan's statement on the NPT\n\nBody text here.\n",
         {"title": "Japan's statement on the NPT", "publisher": "MINISTRY OF FOREIGN AFFAIRS OF JAPAN", "published": "2024-03-04"}),
        ("MINISTRY OF FOREIGN AFFAIRS HOLDS CONSULTATIONS WITH PAKISTAN\nPublished: 12 March 2024\n\nBody.\n",
         {"title": "MINISTRY OF FOREIGN AFFAIRS HOLDS CONSULTATIONS WITH PAKISTAN", "publisher": None, "published": "2024-03-12"}),
        # a body's name is a label of a dateline; a date of another field is not the publication's
        ("Ministry of Foreign Affairs | Republic of Peru\nMay 17, 2024 | Nonproliferation and Disarmament Division\n\nPeru and the ATT\n\nBody.\n",
         {"title": "Peru and the ATT", "publisher": "Ministry of Foreign Affairs | Republic of Peru", "published": "2024-05-17"}),
        ("Published: 2024 | Updated 7 de junio de 2024\n\nBody.\n", {"title": None, "publisher": None, "published": "2024"}),
        # the day of a dateline or byline in the site's language, with a word or two before the date
        ("MINISTÈRE DE L'EUROPE ET DES AFFAIRES ÉTRANGÈRES | RÉPUBLIQUE FRANÇAISE\nParis, le 1er mars 2024\n\nLa France et le TNP\n\nBody.\n",
         {"title": "La France et le TNP", "publisher": "MINISTÈRE DE L'EUROPE ET DES AFFAIRES ÉTRANGÈRES | RÉPUBLIQUE FRANÇAISE", "published": "2024-03-01"}),
        ("GOBIERNO DE MÉXICO | SECRETARÍA DE RELACIONES EXTERIORES\nCiudad de México, a 5 de mayo de 2024\n\nMéxico y el TNP\n\nBody.\n",
         {"title": "México y el TNP", "publisher": "GOBIERNO DE MÉXICO | SECRETARÍA DE RELACIONES EXTERIORES", "published": "2024-05-05"}),
        ("Publicado el 5 de mayo de 2024 | Nota de prensa\n\nBody.\n", {"title": None, "publisher": None, "published": "2024-05-05"}),
        # a line in capitals with a blank line below, a mixed-case single line, a month no table knows, a day no month has: titles as before
        ("REPUBLIC OF KENYA\n\nBody.\n", {"title": "REPUBLIC OF KENYA", "publisher": None, "published": None}),
        ("Ministry of Foreign Affairs Statement\nPublished: 12 March 2024\n\nBody.\n", {"title": "Ministry of Foreign Affairs Statement", "publisher": None, "published": "2024-03-12"}),
        ("Office of Atoms for Peace | Ministry of Energy\nBangkok, 20 de Ramadan de 2024\n\nBody.\n",
         {"title": "Office of Atoms for Peace | Ministry of Energy", "publisher": None, "published": None}),
        ("Office of Atoms for Peace | Ministry of Energy\nBangkok, 31 de febrero de 2024\n\nBody.\n",
         {"title": "Office of Atoms for Peace | Ministry of Energy", "publisher": None, "published": None}),
        # four lines between a masthead and its breadcrumb are too many (masthead_lines = 3)
        ("Masthead One\nLine two\nLine three\nLine four\nHome / Policy\n\nBody.\n", {"title": "Masthead One", "publisher": None, "published": None}),
    ],
)
def test_metadata(rules, text, expected):
    assert metadata(text, classify(text, rules)) == expected


PAGE = "China has held consultations on export control with its partners in every region. " * 6  # a page's worth of text (about 500 characters)


@pytest.mark.parametrize(("text", "running"), [
    # a PDF's running header, recurring with its page number; the last page's footer with the publisher beside it
    (f"Title\n\nAnnual Report 2024 — 7\n\n{PAGE}\n\nAnnual Report 2024 — 8\n\n{PAGE}\n\nAnnual Report 2024 — 9\n\n{PAGE}\n\nCommission for Export Control | Annual Report 2024 — 10\n",
     ["Annual Report 2024 — 7", "Annual Report 2024 — 8", "Annual Report 2024 — 9", "Commission for Export Control | Annual Report 2024 — 10"]),
    (f"Title\n\nAnnual Report 2024 — 7\n\n{PAGE}\n\nAnnual Report 2024 — 8\n", []),  # twice is not enough
    ("Title\n\nAnnual Report 2024 — 7\n\nBody one.\n\nAnnual Report 2024 — 8\n\nBody two.\n\nAnnual Report 2024 — 9\n", []),  # no page between
    ("Title\n\nIt applies these resolutions:\nUN Security Council Resolution 1718 (2006)\nUN Security Council Resolution 1874 (2009)\n"
     "UN Security Council Resolution 2094 (2013)\nUN Security Council Resolution 2270 (2016)\n", []),  # a list's lines follow one another
    ("Title\n\n2022 | 1,412 | 1,206\n2023 | 1,655 | 1,498\n2024 | 1,730 | 1,561\n", []),  # a table's rows of figures
    ("Title\n\nArticle 5\n\nText.\n\nArticle 6\n\nText.\n\nArticle 7\n", []),  # headings of one word
    ("Title\n\nIt met in 2019.\n\nIt met in 2020.\n\nIt met in 2021.\n", []),  # sentences
])
def test_running_headers_of_text_from_a_pdf(rules, text, running):
    assert [text[line.start:line.end] for line in classify(text, rules) if line.subkind == "running_header"] == running


def test_iter_lines_trims_and_keeps_offsets():
    text = f"  a b \r\n{NBSP}c{NBSP}\n\nlast"
    assert [text[s:e] for s, e in iter_lines(text)] == ["a b", "c", "", "last"]


@pytest.mark.parametrize(("pattern", "needs"), [
    (r"(?i)source:\s*(?P<who>.+)", {":"}),
    (r"[^|]+\|\s*(?:a|b):", {"|", ":"}),
    (r"(?:x|y)?:?a", set()),  # optional: nothing required
    (r"(?:a,b|c,d)", {","}),  # every branch needs ","
    (r"(?:a,b|c;d)", set()),
    (r"(?:-\d)+|x", set()),  # one branch needs nothing
    (r"(?:-\d){2,}", {"-"}),
    (r"(?:-\d)*", set()),
    (r"(?=a|b)\(c\)", {"(", ")"}),
])
def test_required_punctuation(pattern, needs):
    import re

    from pipeline.layout_rules import required_punctuation

    assert required_punctuation(re.compile(pattern)) == needs


from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

LINE_PIECES = st.sampled_from(["Source", "source:", "Updated", "updated:", "Published", "Posted on", "|", ":", ",", "-", "/", ".", " ", "12", "2021",
                               "2021-12-29", "May", "Xinhua", "Home", ">", "Page", "Share", "Follow us", "Last modified", "Date", "Bogotá", "ſ", "K"])


@settings(max_examples=400, deadline=None)
@given(st.lists(LINE_PIECES, min_size=1, max_size=12), st.sampled_from([" ", ""]))
def test_boilerplate_prefilter_never_skips_a_match(rules, pieces, glue):
    """A pattern the prefilter skips (a required character is missing) could not have matched."""
    body = glue.join(pieces).strip() or "x"
    for (kind, pattern), needs in zip(rules.boilerplate, rules.boilerplate_needs):
        if pattern.fullmatch(body):
            assert all(ch in body for ch in needs), (kind, pattern.pattern, body)


@pytest.mark.parametrize(("edit", "needle", "message"), [
    (lambda s: s.replace("unwrapped_line_chars = 160", "unwrapped_line_chars = 0"), "unwrapped_line_chars =",
     r"\[paragraphs\] unwrapped_line_chars must be an integer > 0, got int 0"),
    (lambda s: s.replace("unwrapped_line_chars = 160", 'unwrapped_line_chars = "160"'), "unwrapped_line_chars =",
     r"\[paragraphs\] unwrapped_line_chars must be an integer > 0, got str '160'"),
    (lambda s: s.replace('sentence_final = ".;:!?"\nclosers', 'sentence_final = ""\nclosers'), 'sentence_final = ""',
     r"\[paragraphs\] sentence_final must be a non-empty string"),
    (lambda s: s.replace("unwrapped_line_chars = 160", "unwrapped_line_chars = 160\nwrap = 80"), "wrap = 80", r"\[paragraphs\] unknown key 'wrap'"),
    (lambda s: s.replace("wrap_tolerance = 0.15", "wrap_tolerance = 1"), "wrap_tolerance =", r"\[paragraphs\] wrap_tolerance must be a number >= 0 and < 1, got int 1"),
    (lambda s: s.replace("unwrapped_line_chars = 160\n", ""), "[paragraphs]", r"\[paragraphs\] missing key 'unwrapped_line_chars'"),
    (lambda s: s.replace("masthead_lines = 3", "masthead_lines = 0"), "masthead_lines =", r"\[title\] masthead_lines must be an integer > 0, got int 0"),
    (lambda s: s.replace("masthead_lines = 3", "masthead_lines = true"), "masthead_lines =", r"\[title\] masthead_lines must be an integer > 0, got bool True"),
])
def test_paragraphs_table_is_checked_with_file_and_line(tmp_path, edit, needle, message):
    root = _segmentation_with(tmp_path, edit)
    line = next(n for n, body in enumerate((root / "segmentation.toml").read_text(encoding="utf-8").splitlines(), 1) if needle in body)
    with pytest.raises(ConfigError, match=rf"segmentation\.toml:{line}: {message}"):
        LayoutRules.from_config(load_config(root))


@pytest.mark.parametrize(("edit", "message"), [
    (lambda s: s.replace("publisher_shape = '", "publisher_shape = '(", 1), r"\[title\] publisher_shape"),
    (lambda s: s.replace("dateline_fields = '", "dateline_fields = '[", 1), r"\[title\] dateline_fields"),
    (lambda s: s.replace("masthead_lines = 3\n", ""), r"\[title\]: expected exactly the keys .* got \['dateline_date', 'dateline_fields', 'dateline_months', 'head_dateline', 'masthead_bodies', 'max_chars'"),
    (lambda s: s.replace("dateline_date = '(?i)\\b(?P<d>", "dateline_date = '(?i)\\b(?P<day>", 1), r"\[title\] dateline_date: the pattern needs the named groups d, m and y"),
    (lambda s: s.replace("enero = 1,", "enero = 13,", 1), r"\[title\] dateline_months: expected a table of month names to numbers 1-12"),
    (lambda s: s.replace("masthead_lines = 3", "masthead_lines = 3\nmasthead = 2"), r"\[title\].*masthead"),
])
def test_the_title_table_is_checked(tmp_path, edit, message):
    root = _segmentation_with(tmp_path, edit)
    with pytest.raises(ConfigError, match=message):
        LayoutRules.from_config(load_config(root))


def test_a_segmentation_file_without_paragraphs_names_the_table(tmp_path):
    root = _segmentation_with(tmp_path, lambda s: s[:s.index("[paragraphs]")])
    with pytest.raises(ConfigError, match=r"segmentation\.toml: missing table \[paragraphs\]"):
        LayoutRules.from_config(load_config(root))


def _segmentation_with(tmp_path, edit):
    """Copy configs/ to tmp_path with ``edit`` applied to segmentation.toml; return the folder."""
    import shutil

    from .conftest import REPO

    root = tmp_path / "configs"
    shutil.copytree(REPO / "configs", root)
    path = root / "segmentation.toml"
    text = path.read_text(encoding="utf-8")
    assert edit(text) != text
    path.write_text(edit(text), encoding="utf-8")
    return root
