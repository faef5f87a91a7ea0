from __future__ import annotations

import pandas as pd
import pytest
from click.testing import CliRunner

from pipeline import export, stats
from pipeline.cli import cli

from .conftest import REPO
from .consumer_fixtures import consumer_out, consumer_out_ro  # noqa: F401


@pytest.fixture(scope="module")
def tables(consumer_out_ro):
    return export.build_tables(consumer_out_ro)


@pytest.mark.parametrize(
    ("doc", "label", "count"),
    [("alpha", "COUNTRY", 4), ("alpha", "COUNT", 3), ("2021/brief", "REGIME", 1), ("2021/brief", "ORG", 0), ("total", "total", 22)],
)
def test_mentions_per_label(tables, doc, label, count):
    assert stats.mentions_per_label(tables).loc[doc, label] == count


def test_top_counterparts(tables):
    top = stats.top_counterparts(tables, 2)
    assert list(top.index) == ["NSG", "USA"]  # ties keep id order
    assert top.loc["USA", "name"] == "United States"


@pytest.mark.parametrize(("activity", "engagements", "count_sum"), [("consultation", 1, 10), ("dialogue", 1, 5), ("membership", 1, 0), ("total", 3, 15)])
def test_engagement_totals(tables, activity, engagements, count_sum):
    row = stats.engagement_totals(tables).loc[activity]
    assert (row["engagements"], row["count_sum"]) == (engagements, count_sum)


def test_cli_stats(consumer_out):
    (consumer_out / "relations.jsonl").unlink()
    result = CliRunner().invoke(cli, ["--configs", str(REPO / "configs"), "stats", str(consumer_out), "--top", "3"])
    assert result.exit_code == 0, result.output
    assert "Mentions per label and document" in result.output and "alpha" in result.output
    assert f"(not available: no relations.jsonl in {consumer_out})" in result.output


@pytest.mark.parametrize("summary", [stats.mentions_per_label, stats.top_counterparts, stats.engagement_totals])
def test_streamed_summary_tables_give_what_the_full_tables_give(tables, consumer_out_ro, summary):
    """report reads lean tables (two mention columns, streamed); every summary is the same as over the full tables."""
    pd.testing.assert_frame_equal(summary(stats.summary_tables(consumer_out_ro)), summary(tables))
