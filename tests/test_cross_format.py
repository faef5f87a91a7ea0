"""The seed document saved as .txt, .html and .pdf gives the same mentions, each with its provenance."""
from __future__ import annotations

import shutil

import pytest

from pipeline import api
from pipeline.records import read_jsonl

from .conftest import SEED_RAW
from .renderings import to_html, to_pdf


@pytest.fixture(scope="module")
def mentions(tmp_path_factory, config):
    raw = tmp_path_factory.mktemp("formats") / "raw"
    raw.mkdir()
    text = SEED_RAW.read_text(encoding="utf-8")
    shutil.copy(SEED_RAW, raw / "seed.txt")
    (raw / "seed_html.html").write_text(to_html(text), encoding="utf-8")
    (raw / "seed_pdf.pdf").write_bytes(to_pdf(text))
    out = tmp_path_factory.mktemp("out")
    assert api.run_all(raw, out, config).errors == []
    found = list(read_jsonl(out / "mentions.jsonl"))
    return {doc: [m for m in found if m["doc_id"] == doc] for doc in ("seed", "seed_html", "seed_pdf")}


@pytest.mark.parametrize("doc_id", ["seed_html", "seed_pdf"])
def test_same_mentions_in_the_same_order(mentions, doc_id):
    want = [(m["label"], m["text"], m["norm"]) for m in mentions["seed"]]
    assert want
    assert [(m["label"], m["text"], m["norm"]) for m in mentions[doc_id]] == want


@pytest.mark.parametrize(("doc_id", "keys"), [("seed", None), ("seed_html", {"file", "start", "end"}), ("seed_pdf", {"page", "bbox"})])
def test_mentions_carry_their_source(mentions, doc_id, keys):
    for mention in mentions[doc_id]:
        assert (mention["source"] is None) if keys is None else (set(mention["source"]) == keys)
