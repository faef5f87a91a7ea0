from __future__ import annotations

import io
import shutil

import pdfplumber
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline import ingest, segment
from pipeline.ingest.pdf import PdfRules, read_pdf
from pipeline.ingest.txt import IngestError
from pipeline.provenance import source_for
from pipeline.records import read_jsonl
from pipeline.schemas import problems

from .conftest import SEED_RAW
from .renderings import to_pdf
from .test_ingest_html import comparable


@pytest.fixture(scope="module")
def rules(config):
    return PdfRules.from_config(config)


def drawn(pages: list[list[tuple[float, float, str]]], size=(300, 400), header: str | None = None) -> bytes:
    """Draw text lines at exact positions (x, y from the top) on pages, with an optional header and page number."""
    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=size, invariant=1)
    for number, lines in enumerate(pages, 1):
        if header is not None:
            pdf.setFont("Helvetica", 7)
            pdf.drawString(30, size[1] - 20, header)
            pdf.drawString(size[0] / 2, 15, str(number))
        pdf.setFont("Helvetica", 10)
        for x, y, text in lines:
            pdf.drawString(x, size[1] - y, text)
        pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def body(lines: list[str], top: float = 60, step: float = 12) -> list[tuple[float, float, str]]:
    return [(30, top + i * step, line) for i, line in enumerate(lines)]


# Lines are set to the width a typesetter would have wrapped them at: the
# widest line defines the right margin, a line ending early is a hard break.
WRAPPED = [
    "China promotes trading in export-controlled items",
    "consistent with compliance",
    "and non-",
    "proliferation controls.",
]


@pytest.mark.parametrize(
    ("pages", "text"),
    [
        ([body(WRAPPED)], "China promotes trading in export-controlled items consistent with compliance\nand non-proliferation controls."),
        ([body(["IV. Promoting Cooperation", "Heading above a gap"])[:1] + body(["China held five rounds."], top=100)],
         "IV. Promoting Cooperation\n\nChina held five rounds."),
        ([body(["The controlled items and other con-", "trolled goods are listed by the State."])],
         "The controlled items and other controlled goods are listed by the State."),
        ([body(["Full text: Title"]), body(["Second page, whose line is wider than the title."])],
         "Full text: Title\n\nSecond page, whose line is wider than the title."),
        # a capitalized word broken over two lines is one word; a lower-case compound keeps its hyphen
        ([body(["China held five rounds of dialogue with the Wassen-", "aar Arrangement and trained export-", "oriented firms in Kazakh-", "stan."])],
         "China held five rounds of dialogue with the Wassenaar Arrangement and trained export-oriented firms in Kazakhstan."),
        # ... but not an acronym's compound, a participle, a listed compound tail or a prefix
        ([body(["It ran EU-", "funded and IAEA-", "led courses for State-", "owned firms of the Asia-", "pacific region and Sino-", "foreign ventures."])],
         "It ran EU-funded and IAEA-led courses for State-owned firms of the Asia-pacific region and Sino-foreign ventures."),
        # a short "-ed" or "-ing" ending a broken name is no participle
        ([body(["The Uni-", "ted Nations met in Bei-", "jing and the Euro-", "pean Union in Kun-", "ming."])],
         "The United Nations met in Beijing and the European Union in Kunming."),
    ],
)
def test_lines_and_paragraphs(rules, pages, text):
    assert read_pdf(drawn(pages), rules).text == text


def test_furniture_is_marked_and_paragraphs_run_across_pages(rules):
    first = body(["China has held five rounds of dialogue with the Wassenaar Arrangement and", "has maintained communication with the Group on its lists, in the"])
    second = body(["course of which experts met.", "", "A new paragraph starts here."], top=60)
    second = [line for line in second if line[2]]
    second[1] = (30, 90, second[1][2])
    extracted = read_pdf(drawn([first, second], header="China's Export Controls"), rules)
    text = extracted.text
    assert "in the course of which experts met." in text
    kinds = [(text[s:e], kind) for s, e, kind in extracted.boilerplate_spans]
    assert kinds == [("China's Export Controls", "running_header"), ("1", "page_number"), ("China's Export Controls", "running_header"), ("2", "page_number")]
    assert text.index("experts met.") < text.index("China's Export Controls")
    assert [p["page"] for p in extracted.pages] == [1, 2]


@pytest.mark.parametrize(
    ("make", "reason"),
    [
        (lambda: to_pdf("Full text: Secret\n\nChina acted.\n", userPassword="s3cret", ownerPassword="owner"), "encrypted PDF"),
        (lambda: to_pdf("Full text: Cut\n\nChina acted.\n")[:400], "corrupt or unreadable PDF"),
        (lambda: b"%PDF-1.4\n1 0 obj garbage\n%%EOF", "corrupt or unreadable PDF"),
        (lambda: drawn([[], []]), "no text layer"),
    ],
)
def test_unreadable_pdfs_are_errors(rules, make, reason):
    with pytest.raises(IngestError, match=reason):
        read_pdf(make(), rules)


def test_bad_pdfs_fail_alone(raw_dir, tmp_path, config):
    (raw_dir / "secret.pdf").write_bytes(to_pdf("Full text: Secret\n\nChina acted.\n", userPassword="pw", ownerPassword="pw2"))
    (raw_dir / "corrupt.pdf").write_bytes(b"%PDF-1.7\nnot really")
    (raw_dir / "scanned.pdf").write_bytes(drawn([[]]))
    (raw_dir / "half.pdf").write_bytes(drawn([body(["Full text: Half", "", "China acted."]), []]))
    result = ingest.run(raw_dir, tmp_path / "out", config)
    assert result.written == 2
    errors = {e["doc_id"]: e for e in read_jsonl(tmp_path / "out" / "errors.jsonl")}
    assert set(errors) == {"secret", "corrupt", "scanned", "half"}
    assert "encrypted" in errors["secret"]["message"] and "corrupt" in errors["corrupt"]["message"]
    assert "no text layer" in errors["scanned"]["message"]
    assert errors["half"]["error"] == "IngestWarning" and "page 2 has no text layer" in errors["half"]["message"]


@pytest.fixture(scope="module")
def seed_pdf(tmp_path_factory, config):
    raw = tmp_path_factory.mktemp("formats") / "raw"
    raw.mkdir()
    shutil.copy(SEED_RAW, raw / "seed.txt")
    (raw / "seed_pdf.pdf").write_bytes(to_pdf(SEED_RAW.read_text(encoding="utf-8")))
    out = tmp_path_factory.mktemp("out")
    assert ingest.run(raw, out, config).errors == []
    segment.run(out / "documents.jsonl", out, config)
    docs = {d["doc_id"]: d for d in read_jsonl(out / "documents.jsonl")}
    return raw, docs, list(read_jsonl(out / "segments.jsonl"))


def test_seed_pdf_matches_txt(seed_pdf):
    _, docs, segments = seed_pdf
    pdf = docs["seed_pdf"]
    assert problems("documents.jsonl", pdf) == []
    assert (pdf["format"], pdf["title"], pdf["publisher"], pdf["published"]) == ("pdf", "China's Export Controls", "Xinhua", "2021-12-29")
    assert len(pdf["pages"]) > 1
    furniture = {"running_header", "page_number"}
    got = [s for s in comparable(segments, "seed_pdf") if not (s[0] == "boilerplate" and s[2] in furniture)]
    want = comparable(segments, "seed")
    # The pagination line loses its no-break spaces: PDF text has no NBSP, only word gaps.
    fold = lambda rows: [tuple(" ".join(v.split()) if isinstance(v, str) else v for v in row) for row in rows]  # noqa: E731
    assert fold(got) == fold(want)
    assert {s["boilerplate_kind"] for s in segments if s["doc_id"] == "seed_pdf" and s["kind"] == "boilerplate"} >= furniture


def _page_words(raw_dir, number, bbox):
    with pdfplumber.open(raw_dir / "seed_pdf.pdf") as pdf:
        page = pdf.pages[number - 1]
        return page.within_bbox(bbox).extract_text()


def test_every_pdf_segment_is_on_its_page(seed_pdf):
    raw_dir, docs, segments = seed_pdf
    doc = docs["seed_pdf"]
    sizes = {p["page"]: (p["width"], p["height"]) for p in doc["pages"]}
    for seg in segments:
        if seg["doc_id"] != "seed_pdf" or seg["kind"] != "sentence":
            continue
        src = source_for(doc, seg["start"], seg["end"])
        x0, top, x1, bottom = src["bbox"]
        width, height = sizes[src["page"]]
        assert 0 <= x0 <= x1 <= width and 0 <= top <= bottom <= height
        first_word = seg["text"].split()[0]
        assert first_word in _page_words(raw_dir, src["page"], src["bbox"]), seg["text"]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_any_span_has_a_page_and_box_inside_it(seed_pdf, data):
    _, docs, _ = seed_pdf
    doc = docs["seed_pdf"]
    text = doc["text"]
    start = data.draw(st.integers(0, len(text) - 1))
    end = data.draw(st.integers(start + 1, min(len(text), start + 400)))
    src = source_for(doc, start, end)
    if not text[start:end].strip():
        return
    assert src is not None
    page = next(p for p in doc["pages"] if p["page"] == src["page"])
    x0, top, x1, bottom = src["bbox"]
    assert 0 <= x0 <= x1 <= page["width"] and 0 <= top <= bottom <= page["height"]
    words = [r for r in doc["source_map"] if r[0] < end and r[1] > start]
    assert src["page"] == words[0][2]


def test_every_page_s_cache_is_freed_once_its_lines_are_read(rules, monkeypatch):
    """pdfplumber keeps each page object, with its characters and layout, until the file closes: 13 KB per word of a whole PDF."""
    from pdfplumber.page import Page

    from pipeline.ingest import pdf as pdf_module

    events = []
    close, lines = Page.close, pdf_module._lines

    def closing(page):
        events.append(("close", page.page_number))
        close(page)

    def reading(page, number, rules):
        events.append(("lines", number))
        return lines(page, number, rules)

    monkeypatch.setattr(Page, "close", closing)
    monkeypatch.setattr(pdf_module, "_lines", reading)
    pdf = drawn([[(40, 350, "China held five rounds of dialogue.")], [(40, 350, "The NSG met in 2019.")], [(40, 350, "MTCR.")]])
    read_pdf(pdf, rules)
    assert events[:6] == [("lines", 1), ("close", 1), ("lines", 2), ("close", 2), ("lines", 3), ("close", 3)]
