from __future__ import annotations

import codecs
import shutil

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline import ingest, segment
from pipeline.ingest.html import HtmlRules, read_html
from pipeline.ingest.txt import IngestError
from pipeline.provenance import source_for
from pipeline.records import read_jsonl
from pipeline.schemas import problems

from .conftest import SEED_RAW
from .htmlcheck import slice_matches
from .renderings import to_html


@pytest.fixture(scope="module")
def rules(config):
    return HtmlRules.from_config(config)


@pytest.fixture(scope="module")
def blocks(rules):
    return rules.blocks | rules.line_breaks


def page(body: str, head: str = "", encoding: str = "utf-8") -> bytes:
    return f"<!DOCTYPE html><html><head>{head}</head><body>{body}</body></html>".encode(encoding)


@pytest.mark.parametrize(
    ("body", "text"),
    [
        ("<p>China and the <b>U</b>S</p>", "China and the US"),
        ("<p>Nested <a href='x'><em>inline</em> tags</a> here</p>", "Nested inline tags here"),
        ("<p>one<br>two<br/>three</p>", "one\ntwo\nthree"),
        ("<p>a &amp; b &lt;c&gt; &#8217; &#x2019; &nbsp;x</p>", "a & b <c> \u2019 \u2019 \u00a0x"),
        ("<p>kept <!-- not <p>this</p> --> text</p>", "kept text"),
        ("<p>stray</div> close</span> tags</p><p>next</p>", "stray close tags\n\nnext"),
        ("<p>unclosed<p>paragraphs<li>item", "unclosed\n\nparagraphs\n\nitem"),
        ("<h1>Title</h1><h2>IV. Heading</h2><ul><li>one</li><li>two</li></ul>", "Title\n\nIV. Heading\n\none\n\ntwo"),
        ("<p>  folded \n\t whitespace  </p>", "folded whitespace"),
        ("<nav><p>Home</p></nav><div class='share-box'>Share</div><script>x=1</script><p>body</p><footer>c</footer>", "body"),
        ("<div id='breadcrumb'>Home &gt; News</div><p>AT&T and &notanentity;</p>", "AT&T and \u00acanentity;"),  # HTML5 legacy-entity prefix, as browsers show it
        # ASP.NET WebForms wrap the whole page in a form: its text is read, its controls are not
        ("<form id='aspnetForm'><label>Search</label><input name='q'><main><p>China joined the NSG.</p></main></form>", "China joined the NSG."),
        # furniture words anywhere in a class token or id
        ("<div class='sidebar-right'>a</div><div class='related_articles'>b</div><div id='cookieConsent'>c</div>"
         "<div class='articleBody'><p>kept</p></div><div class='shareholder-report'>too</div>", "kept\n\ntoo"),
        # ... when the word begins the token, and never on the page's containers (WordPress body and post classes)
        ("<div class='has-sidebar'><article class='post category-social-affairs tag-nuclear-sharing'><div class='article-share-content'>"
         "<p>one</p></div><div id='content-with-sidebar'>two</div></article></div>", "one\n\ntwo"),
        # the content's id or role keeps an element from furniture words, not from whole-token patterns; layout classes ending in a
        # navigation word are no furniture, nor are footers of tables and quotes
        ("<div class='navMenu'>d</div><div id='main' class='footer'>e</div><div role='main' class='sidebar-layout'>kept</div>"
         "<div class='site has-sticky-footer'><p>too</p><div class='table-footer'>Note: data of 2019.</div></div>",
         "kept\n\ntoo\n\nNote: data of 2019."),
        # footnote markers are dropped, not glued to the word before them; other superscripts stay
        ("<p>It joined in 2001<sup>1</sup> the Organisation<sup>[2]</sup> for the Prohibition<sup>*</sup> of Chemical Weapons, its 5<sup>th</sup> body.</p>",
         "It joined in 2001 the Organisation for the Prohibition of Chemical Weapons, its 5th body."),
    ],
)
def test_visible_text(rules, blocks, body, text):
    extracted = read_html(page(body), rules, "cp1252")
    assert extracted.text == text
    raw = page(body).decode()
    doc = {"format": "html", "text": extracted.text, "source_map": extracted.source_map, "source_files": [{"path": "p.html"}]}
    for start in range(len(text)):
        for end in range(start + 1, len(text) + 1):
            src = source_for(doc, start, end)
            if text[start:end].strip():
                assert src is not None and slice_matches(doc, src, start, end, {"p.html": raw}, blocks), (start, end)


def test_a_furniture_word_in_the_body_s_classes_drops_nothing(rules):
    raw = b"<!DOCTYPE html><html><head></head><body class='has-sidebar cookies-not-set related-posts-enabled'><h1>White Paper</h1><p>Japan hosted experts.</p></body></html>"
    assert read_html(raw, rules, "cp1252").text == "White Paper\n\nJapan hosted experts."


@pytest.mark.parametrize(
    ("raw", "encoding", "fallback", "text"),
    [
        (codecs.BOM_UTF8 + page("<p>Caf\u00e9</p>"), "utf-8-sig", False, "Caf\u00e9"),
        (page("<p>Caf\u00e9 \u201cq\u201d</p>", '<meta charset="windows-1252">', "cp1252"), "windows-1252", False, "Caf\u00e9 \u201cq\u201d"),
        (page("<p>Caf\u00e9</p>", '<meta http-equiv="Content-Type" content="text/html; charset=iso-8859-1">', "latin-1"), "cp1252", False, "Caf\u00e9"),
        (page("<p>Caf\u00e9</p>", "", "cp1252"), "cp1252", True, "Caf\u00e9"),
        (page("<p>\u4e2d\u56fd</p>", '<meta charset="gb2312">', "gb18030"), "gb18030", False, "\u4e2d\u56fd"),
        (page("<p>\u00e9</p>", '<meta charset="utf-8">', "cp1252"), "cp1252", True, "\u00e9"),
        # a <meta> that declares UTF-16 on an ASCII-compatible page: UTF-8, as browsers read it (it had been mojibake)
        (page("<p>China and Japan caf\u00e9</p>", '<meta charset="utf-16">', "utf-8"), "utf-8", False, "China and Japan caf\u00e9"),
        (page("<p>China</p>", '<meta charset="UTF-16LE">', "utf-8"), "utf-8", False, "China"),
    ],
)
def test_charset(rules, raw, encoding, fallback, text):
    extracted = read_html(raw, rules, "cp1252")
    assert (extracted.text, extracted.encoding, extracted.encoding_fallback) == (text, encoding, fallback)


def test_mojibake_is_reported_not_fixed(rules):
    extracted = read_html(page("<p>China\u00e2\u20ac\u2122s \u00e2\u20ac\u0153export\u00e2\u20ac\u009d</p>"), rules, "cp1252")
    assert "\u00e2\u20ac\u2122" in extracted.text
    assert any("mojibake" in w for w in extracted.warnings)


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (b"", "empty file"),
        (page("<nav>Home</nav><script>var x;</script>"), "no article text"),
        (b"\x00\x01<html>", "binary file"),
    ],
)
def test_unusable_pages_are_errors(rules, raw, reason):
    with pytest.raises(IngestError, match=reason):
        read_html(raw, rules, "cp1252")


@pytest.mark.parametrize(
    ("raw", "text"),
    [
        (b"<html><body><p>China has held five rounds</p><p class=\"x", "China has held five rounds"),
        (b"<html><body><p>China has held five rou", "China has held five rou"),
    ],
)
def test_truncated_html_is_flagged(rules, raw, text):
    extracted = read_html(raw, rules, "cp1252")
    assert extracted.text == text
    assert [f for f in extracted.flagged if f.startswith("truncated HTML")]


def test_bad_pages_fail_alone(raw_dir, tmp_path, config):
    (raw_dir / "cut.html").write_bytes(b"<html><body><h1>Cut</h1><p>China acted.</p><p class=\"x")
    (raw_dir / "empty.html").write_bytes(page("<nav><a>Home</a></nav>"))
    (raw_dir / "pager.htm").write_bytes(page("<div>&lt; 1 2 3 &gt;</div>"))
    result = ingest.run(raw_dir, tmp_path / "out", config)
    assert result.written == 2
    on_disk = {e["doc_id"]: e for e in read_jsonl(tmp_path / "out" / "errors.jsonl")}
    assert set(on_disk) == {"cut", "empty", "pager"}
    assert on_disk["cut"]["error"] == "IngestWarning" and "truncated" in on_disk["cut"]["message"]
    assert "no article text" in on_disk["empty"]["message"] and "no article text" in on_disk["pager"]["message"]
    assert all(problems("errors.jsonl", e) == [] for e in on_disk.values())


@pytest.fixture(scope="module")
def seed_outputs(tmp_path_factory, config):
    raw = tmp_path_factory.mktemp("formats") / "raw"
    raw.mkdir()
    shutil.copy(SEED_RAW, raw / "seed.txt")
    (raw / "seed_html.html").write_text(to_html(SEED_RAW.read_text(encoding="utf-8")), encoding="utf-8")
    out = tmp_path_factory.mktemp("out")
    assert ingest.run(raw, out, config).errors == []
    segment.run(out / "documents.jsonl", out, config)
    docs = {d["doc_id"]: d for d in read_jsonl(out / "documents.jsonl")}
    segments = list(read_jsonl(out / "segments.jsonl"))
    return raw, docs, segments


def comparable(segments, doc_id):
    return [(s["kind"], s.get("text"), s.get("boilerplate_kind"), s["section_path"], s.get("heading"), s.get("level"))
            for s in segments if s["doc_id"] == doc_id and s["kind"] != "section"] + \
           [(s["kind"], s["heading"], s["section_path"], s["level"]) for s in segments if s["doc_id"] == doc_id and s["kind"] == "section"]


def test_seed_html_matches_txt(seed_outputs):
    _, docs, segments = seed_outputs
    txt, htm = docs["seed"], docs["seed_html"]
    assert all(problems("documents.jsonl", d) == [] for d in docs.values())
    assert (htm["format"], htm["title"], htm["publisher"], htm["published"]) == ("html", "China's Export Controls", "Xinhua", "2021-12-29")
    assert (txt["source_map"], txt["pages"], txt["boilerplate_spans"]) == (None, None, [])
    assert htm["text"] == txt["text"].rstrip("\n")
    assert comparable(segments, "seed_html") == comparable(segments, "seed")


def test_every_html_segment_slices_back(seed_outputs, blocks):
    raw_dir, docs, segments = seed_outputs
    doc = docs["seed_html"]
    raws = {doc["source_path"]: (raw_dir / "seed_html.html").read_text(encoding="utf-8")}
    for seg in segments:
        if seg["doc_id"] == "seed_html":
            src = source_for(doc, seg["start"], seg["end"])
            assert src is not None and src["file"] == "raw/seed_html.html"
            assert slice_matches(doc, src, seg["start"], seg["end"], raws, blocks), seg


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_any_span_slices_back(seed_outputs, blocks, data):
    raw_dir, docs, _ = seed_outputs
    doc = docs["seed_html"]
    raws = {doc["source_path"]: (raw_dir / "seed_html.html").read_text(encoding="utf-8")}
    start = data.draw(st.integers(0, len(doc["text"]) - 1))
    end = data.draw(st.integers(start + 1, min(len(doc["text"]), start + 300)))
    src = source_for(doc, start, end)
    if doc["text"][start:end].strip():
        assert src is not None and slice_matches(doc, src, start, end, raws, blocks)
