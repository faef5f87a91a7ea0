from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pipeline.ingest.html import HtmlRules, read_html
from pipeline.provenance import source_for

from .htmlcheck import slice_matches

HTML_DOC = {
    "format": "html",
    "text": "A & B\n\nC",
    # "A" "<b>" " " "&amp;" " B" ... "</p><p>" "C"
    "source_map": [[0, 2, 0, 10, 12], [2, 3, 0, 12, 17], [3, 5, 0, 17, 19], [7, 8, 1, 3, 4]],
    "source_files": [{"path": "raw/a.html", "sha256": "0" * 64}, {"path": "raw/a_2.html", "sha256": "1" * 64}],
}
PDF_DOC = {
    "format": "pdf",
    "text": "one two\n\nthree",
    "source_map": [[0, 3, 1, 10, 20, 30, 30], [4, 7, 1, 35, 20, 60, 30], [9, 14, 2, 10, 5, 40, 15]],
}


@pytest.mark.parametrize(
    ("doc", "start", "end", "expected"),
    [
        ({"format": "txt", "text": "abc", "source_map": None}, 0, 2, None),
        ({"format": "txt", "text": "abc"}, 0, 2, None),
        (HTML_DOC, 0, 1, {"file": "raw/a.html", "start": 10, "end": 11}),
        (HTML_DOC, 2, 3, {"file": "raw/a.html", "start": 12, "end": 17}),
        (HTML_DOC, 0, 5, {"file": "raw/a.html", "start": 10, "end": 19}),
        (HTML_DOC, 4, 5, {"file": "raw/a.html", "start": 18, "end": 19}),
        (HTML_DOC, 7, 8, {"file": "raw/a_2.html", "start": 3, "end": 4}),
        (HTML_DOC, 4, 8, None),  # straddles two files
        (HTML_DOC, 5, 7, None),  # only a made-up paragraph break
        (HTML_DOC, 3, 3, None),
        (PDF_DOC, 0, 3, {"page": 1, "bbox": [10, 20, 30, 30]}),
        (PDF_DOC, 1, 6, {"page": 1, "bbox": [10, 20, 60, 30]}),
        (PDF_DOC, 9, 14, {"page": 2, "bbox": [10, 5, 40, 15]}),
        (PDF_DOC, 4, 14, {"page": 1, "bbox": [35, 20, 60, 30]}),
    ],
)
def test_source_for(doc, start, end, expected):
    assert source_for(doc, start, end) == expected


WORDS = st.sampled_from(["China", "US", "&amp;", "&lt;", "a&nbsp;b", "&#8217;s", "R&D", "&notin;x", "five", "rounds", "Xi&#39;an"])
INLINE = st.sampled_from(["{}", "<b>{}</b>", "<a href='x'>{}</a>", "{}<!-- c -->", "<em>{}</em>", "{}<br>"])
SPACE = st.sampled_from([" ", "  ", "\n  ", " \t"])
PARAGRAPH = st.lists(st.tuples(WORDS, INLINE, SPACE), min_size=1, max_size=8).map(
    lambda items: "".join(inline.format(word) + space for word, inline, space in items))


@given(paragraphs=st.lists(PARAGRAPH, min_size=1, max_size=4), data=st.data())
def test_any_html_span_slices_back(config, paragraphs, data):
    rules = HtmlRules.from_config(config)
    raw = "<html><body>" + "".join(f"<p>{p}</p>\n" for p in paragraphs) + "</body></html>"
    extracted = read_html(raw.encode(), rules, "cp1252")
    doc = {"format": "html", "text": extracted.text, "source_map": extracted.source_map, "source_files": [{"path": "p.html"}]}
    start = data.draw(st.integers(0, len(doc["text"]) - 1))
    end = data.draw(st.integers(start + 1, len(doc["text"])))
    src = source_for(doc, start, end)
    if doc["text"][start:end].strip():
        assert src is not None
        assert slice_matches(doc, src, start, end, {"p.html": raw}, rules.blocks | rules.line_breaks)
        assert raw[src["start"]] != "<" and raw[src["end"] - 1] != ">"


class _CountingRuns(list):
    """A source map that counts the runs read from it (a slice counts every run it copies)."""

    read = 0

    def __getitem__(self, index):
        found = super().__getitem__(index)
        type(self).read += len(found) if isinstance(index, slice) else 1
        return found


@pytest.mark.parametrize("mention", [(0, 3), (5000, 5012), (9990, 10000)])
def test_a_mention_reads_only_the_runs_it_touches(mention):
    """One run per word in a PDF: copying the rest of the map for every mention made provenance quadratic."""
    from pipeline.provenance import SourceLocator

    runs = _CountingRuns([[i * 10, i * 10 + 9, 1, 0.0, 0.0, 1.0, 1.0] for i in range(1000)])  # PDF runs: start, end, page, box
    locate = SourceLocator({"format": "pdf", "source_map": runs, "text": "x" * 10000})
    _CountingRuns.read = 0
    assert locate(*mention) is not None
    assert _CountingRuns.read <= 4
