"""Shapes of an event's sentence (pipeline/relate/shapes.py); the parse-based helpers are exercised through test_relate's sentences."""
from __future__ import annotations

import pytest

from pipeline.relate.rules import Rules
from pipeline.relate.shapes import table_rows

from .conftest import REPO


@pytest.fixture(scope="module")
def rules():
    from pipeline.config import load_config

    return Rules.from_config(load_config(REPO / "configs"))


@pytest.mark.parametrize(("sentence", "rows"), [
    ("Argentina | Framework agreement | 18 May 2009\nChile | Memorandum | 2012", True),
    ("Argentina | Framework agreement | 18 May 2009\nChina signed a memorandum with Chile in 2012.", False),  # prose glued under the table is told
    ("China signed it | in 2012.", False),  # one separator: no row of three cells
    ("China signed a memorandum with Chile in 2012.", False),
])
def test_table_rows(rules, sentence, rows):
    assert table_rows(sentence, rules) is rows
