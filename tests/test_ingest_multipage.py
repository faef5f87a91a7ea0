from __future__ import annotations

from pathlib import Path

import pytest

from pipeline import ingest, segment
from pipeline.ingest.multipage import group_pages, page_patterns
from pipeline.provenance import source_for
from pipeline.records import read_jsonl

from .htmlcheck import slice_matches

FORMATS = {".html": "html", ".htm": "html", ".txt": "txt", ".pdf": "pdf"}


@pytest.mark.parametrize(
    ("names", "groups"),
    [
        (["a.html", "a_2.html", "a_3.html"], [["a.html", "a_2.html", "a_3.html"]]),
        (["a.html", "a_10.html", "a_2.html"], [["a.html", "a_2.html", "a_10.html"]]),
        (["a_1.html", "a_2.html"], [["a_1.html", "a_2.html"]]),
        (["a.html", "a-page2.html"], [["a.html", "a-page2.html"]]),
        (["report_2.html"], [["report_2.html"]]),  # no first page: a document of its own
        (["a.html", "a_2.txt"], [["a.html"], ["a_2.txt"]]),  # txt pages are never merged
        (["a.html", "a_2.htm"], [["a.html", "a_2.htm"]]),  # .htm and .html are one format
        (["a.pdf", "a_2.pdf"], [["a.pdf"], ["a_2.pdf"]]),
        (["report_2021.html", "report.html"], [["report.html"], ["report_2021.html"]]),
        (["a.html", "a_2.html", "a_2_3.html"], [["a.html", "a_2.html"], ["a_2_3.html"]]),  # a page of a page: its own document, not lost
    ],
)
def test_group_pages(config, names, groups):
    paths = sorted(Path("raw") / n for n in names)
    found = group_pages(paths, FORMATS, {"html"}, page_patterns(config))
    assert sorted([[p.name for p in g] for g in found]) == sorted(groups)


PAGE = """<html><head><title>Full text: China's Export Controls</title></head><body>
<nav><a href="/">Home</a></nav>
<h1>Full text: China's Export Controls</h1>
<div class="info">Xinhua | Updated: 2021-12-29</div>
{body}
<div id="pager"><a href="a.html">1</a> <a href="a_2.html">2</a></div>
</body></html>
"""


def test_two_page_article(tmp_path, config):
    raw = tmp_path / "raw"
    raw.mkdir()
    pages = {
        "a.html": PAGE.format(body="<h2>IV. Cooperation</h2><p>China held <b>five</b> rounds of dialogue.</p>"),
        "a_2.html": PAGE.format(body="<p>China joined the NSG in 2004 &amp; the MTCR talks.</p>"),
    }
    for name, text in pages.items():
        (raw / name).write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    result = ingest.run(raw, out, config)
    assert (result.written, result.errors) == (1, [])
    segment.run(out / "documents.jsonl", out, config)
    [doc] = read_jsonl(out / "documents.jsonl")
    assert doc["doc_id"] == "a" and [f["path"] for f in doc["source_files"]] == ["raw/a.html", "raw/a_2.html"]
    assert doc["published"] == "2021-12-29" and doc["publisher"] == "Xinhua"
    assert [p["page"] for p in doc["pages"]] == [1, 2]
    segments = list(read_jsonl(out / "segments.jsonl"))
    titles = [s for s in segments if s["kind"] == "title"]
    assert len(titles) == 1
    repeated = [s for s in segments if s.get("boilerplate_kind") == "repeated"]
    # Page 2 repeats page 1's title, byline and pager: all boilerplate, so no second title.
    assert [s["text"] for s in repeated] == ["Full text: China's Export Controls", "Xinhua | Updated: 2021-12-29", "1 2"]
    sentences = [s for s in segments if s["kind"] == "sentence"]
    assert [s["text"] for s in sentences] == ["China held five rounds of dialogue.", "China joined the NSG in 2004 & the MTCR talks."]
    assert sentences[1]["section_path"] == ["IV"]
    raws = {f"raw/{name}": text for name, text in pages.items()}
    for sentence, file in zip(sentences, ["raw/a.html", "raw/a_2.html"]):
        src = source_for(doc, sentence["start"], sentence["end"])
        assert src["file"] == file
        assert slice_matches(doc, src, sentence["start"], sentence["end"], raws, frozenset({"p", "h2", "div", "br"}))


def test_missing_page_is_flagged(tmp_path, config):
    raw = tmp_path / "raw"
    raw.mkdir()
    for name in ("a.html", "a_3.html"):
        (raw / name).write_text(PAGE.format(body=f"<p>Text of {name}.</p>"), encoding="utf-8")
    result = ingest.run(raw, tmp_path / "out", config)
    assert result.written == 1
    assert [e["message"] for e in result.errors] == ["multi-page article without page(s) 2"]
    [doc] = read_jsonl(tmp_path / "out" / "documents.jsonl")
    assert [(p["page"], p["file"]) for p in doc["pages"]] == [(1, 0), (3, 1)]  # the file of page 3 is page 3, not the second page


def test_a_page_s_warnings_name_its_page_number(config):
    from pipeline.ingest.multipage import merge
    from pipeline.ingest.sourcemap import Extracted

    def page(text, warnings):
        return Extracted(text=text, source_map=[], encoding="utf-8", encoding_fallback=False, warnings=warnings, meta={"title": None})

    merged = merge([page("One.", []), page("Three.", ["truncated"])], 80, [1, 3])
    assert merged.warnings == ["page 3: truncated"] and [p["page"] for p in merged.pages] == [1, 3]
