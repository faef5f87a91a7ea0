from __future__ import annotations

import pytest

from pipeline.normalize.dates import find_dates, parse_date, reread_slashed, slashed_order
from pipeline.normalize.numbers import parse_number


@pytest.mark.parametrize(
    ("text", "value"),
    [("five", 5), ("twenty-one", 21), ("3,000", 3000), ("12", 12), ("one hundred", 100), ("1.5 million", 1500000),
     ("ten", 10), ("76th", None), ("first", None), ("several", None), ("1.5", None), ("", None), ("3 000", 3000), ("12 500 000", 12500000),
     ("3\u00a0000", 3000), ("3\u2009000", 3000), ("30 00", None),
     ("3 hundred", 300), ("2 billion", 2000000000), ("2024 two", None), ("2 dozen", None), ("1.5 twenty", None)],  # a digit times a scale word only
)
def test_parse_number(text, value):
    assert parse_number(text) == value


@pytest.mark.parametrize(
    ("text", "iso"),
    [("2004", "2004"), ("April 2004", "2004-04"), ("December 29, 2021", "2021-12-29"), ("29 December 2021", "2021-12-29"),
     ("Dec. 29, 2021", "2021-12-29"), ("2021-12-29", "2021-12-29"), ("Sept 2019", "2019-09"), ("1540", None), ("Wednesday", None),
     ("29.12.2021", "2021-12-29"), ("05.03.2022", "2022-03-05"),  # dotted: the day first
     ("29/12/2021", "2021-12-29"), ("12/29/2021", "2021-12-29"), ("05/03/2022", "2022"),  # slashed: only what one of them cannot be decides; else the year
     ("13-10-2024", "2024-10-13"), ("10-13-2024", "2024-10-13"), ("05-03-2022", "2022")],  # dashed: read as slashed
)
def test_parse_date(text, iso):
    assert parse_date(text) == iso


@pytest.mark.parametrize(("text", "order"), [
    ("signed on 28/10/2004 and 12/03/2022", "dmy"), ("signed on 10/28/2004 and 12/03/2022", "mdy"), ("12/03/2022 only", None),
    ("28/10/2004 and 10/28/2004", None), ("no dates here", None), ("Ref. 03-11/27 of 1/13/2025", "mdy"), ("page 3/14/2020/5", None),
])
def test_slashed_order_is_what_the_unambiguous_dates_say(text, order):
    assert slashed_order(text) == order


@pytest.mark.parametrize(("text", "order", "iso"), [
    ("12/03/2022", "dmy", "2022-03-12"), ("12/03/2022", "mdy", "2022-12-03"), ("28/10/2004", "mdy", None),  # already read by its own numbers
    ("12 March 2022", "dmy", None), ("31/02/2022", "dmy", None), ("02/31/2022", "dmy", None),
])
def test_reread_slashed(text, order, iso):
    assert reread_slashed(text, order) == iso


def test_find_dates_splits_lists():
    text = "in 2015, 2017 and 2019"
    assert [(text[s:e], iso) for s, e, iso in find_dates(text)] == [("2015", "2015"), ("2017", "2017"), ("2019", "2019")]


def test_a_range_of_dotted_dates_is_two_dates():
    text = "on 1.12.2019-3.12.2019 and 31.12.2020-1.1.2021"
    assert [iso for _, _, iso in find_dates(text)] == ["2019-12-01", "2019-12-03", "2020-12-31", "2021-01-01"]


def test_impossible_day_is_not_a_full_date():
    assert parse_date("February 30, 2020") is None


def _full_scan(text):
    """Reference: every pattern over the whole text (what find_dates must equal)."""
    from pipeline.normalize import dates

    taken = []
    for pattern, form in dates._patterns():
        for match in pattern.finditer(text):
            start, end = match.span()
            if dates._bounded(text, start, end) and not any(s < end and start < e for s, e, _ in taken):
                iso = dates._iso(match, form)
                if iso:
                    taken.append((start, end, iso))
    return sorted(taken)


from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

PIECES = st.sampled_from(["In", "Summar", "March", "Mar.", "Sept", "29", "1st", "of", "December", "2021", "1999", "12345", "2004-04-01", ",", " ", "  ", "and", "Mayor", "May", "-", "1540",
                          ".", "/", "12", "05", "31",
                          "janov", "Mayjun", "noV", "ſep", "20211", "٢٠٢١", "\n"])  # overlapping month stems, a long s that re.I reads as "s", non-ASCII digits


@settings(max_examples=300, deadline=None)
@given(st.lists(PIECES, max_size=40), st.sampled_from([" ", ""]))
def test_find_dates_equals_a_full_scan(pieces, glue):
    text = glue.join(pieces)
    assert find_dates(text) == _full_scan(text)


@pytest.mark.parametrize(("text", "iso"), [("ſep 2021", "2021-09"), ("12 ſept. 2021", "2021-09-12")])
def test_month_names_re_i_matches_do_not_crash(text, iso):
    assert [found[2] for found in find_dates(text)] == [iso]
