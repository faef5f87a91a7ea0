"""Normalize absolute calendar dates to ISO strings ("2004", "2004-04", "2021-12-29").

Month names come from the standard library's calendar module (C locale), so
no list of month names is typed here.
"""
from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Iterator
from functools import lru_cache

YEAR_MIN, YEAR_MAX = 1800, 2100
_DIGITS = re.compile(r"\d+")


@lru_cache(maxsize=1)
def month_numbers() -> dict[str, int]:
    """Map lowercased English month names and abbreviations (with or without a dot) to 1-12."""
    table: dict[str, int] = {}
    for number in range(1, 13):
        full = calendar.month_name[number].lower()
        abbr = calendar.month_abbr[number].lower()
        table[full] = number
        table[abbr] = number
        table[abbr + "."] = number
    table["sept"] = table["sept."] = 9
    return table


def weekday_names() -> set[str]:
    """Return the lowercased English weekday names, in full (abbreviations such as "Sun" are words of names too)."""
    return {calendar.day_name[day].lower() for day in range(7)}


@lru_cache(maxsize=1)
def _patterns() -> list[tuple[re.Pattern[str], str]]:
    month = "|".join(sorted((re.escape(m) for m in month_numbers()), key=len, reverse=True))
    return [
        (re.compile(rf"(?P<m>{month})\s+(?P<d>\d{{1,2}})(?:st|nd|rd|th)?,?\s+(?P<y>\d{{4}})", re.I), "mdy"),
        (re.compile(rf"(?P<d>\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?(?P<m>{month}),?\s+(?P<y>\d{{4}})", re.I), "dmy"),
        (re.compile(r"(?P<y>\d{4})(?P<s>[-/.])(?P<m>\d{1,2})(?P=s)(?P<d>\d{1,2})"), "ymd"),  # one separator twice: "1.12.2019-3.12.2019" is two dates
        (re.compile(r"(?P<d>\d{1,2})\.(?P<m>\d{1,2})\.(?P<y>\d{4})"), "dotted"),  # "29.12.2021": with dots, the day comes first
        (re.compile(r"(?P<a>\d{1,2})/(?P<b>\d{1,2})/(?P<y>\d{4})"), "slashed"),  # "29/12/2021", "12/29/2021": see _iso
        (re.compile(r"(?P<a>\d{1,2})-(?P<b>\d{1,2})-(?P<y>\d{4})"), "dashed"),  # "13-10-2024" (a web page's date line): read as slashed
        (re.compile(rf"(?P<m>{month}),?\s+(?P<y>\d{{4}})", re.I), "my"),
        (re.compile(r"(?P<y>\d{4})"), "y"),
    ]


def parse_date(text: str) -> str | None:
    """Return the ISO form of an absolute date written in ``text`` (the whole string), else None."""
    stripped = text.strip()
    found = find_dates(stripped)
    if len(found) == 1 and found[0][0] == 0 and found[0][1] == len(stripped):
        return found[0][2]
    return None


def find_dates(text: str) -> list[tuple[int, int, str]]:
    """Find absolute dates in ``text``: (start, end, iso) triples, longest forms first, no overlaps."""
    taken: list[tuple[int, int, str]] = []
    windows = _windows(text)  # every absolute date has a year: look only around the years
    if not windows:
        return taken
    stems = _month_stem_pattern()
    named = [(lo, hi, starts) for lo, hi in windows if (starts := [m.start() for m in stems.finditer(text, lo, hi)])]
    for pattern, form in _patterns():
        if form in _MONTH_FIRST_FORMS:
            matches = (m for lo, hi, starts in named for m in _matches_at(pattern, text, starts, hi))
        elif form in _NAMED_FORMS:
            matches = (m for lo, hi, _ in named for m in pattern.finditer(text, lo, hi))
        else:
            matches = (m for lo, hi in windows for m in pattern.finditer(text, lo, hi))
        for match in matches:
            start, end = match.span()
            if _bounded(text, start, end) and not any(s < end and start < e for s, e, _ in taken):
                iso = _iso(match, form)
                if iso:
                    taken.append((start, end, iso))
    return sorted(taken)


_NAMED_FORMS = frozenset({"mdy", "dmy", "my"})  # forms with a month name: only where a month's first three letters occur
_MONTH_FIRST_FORMS = frozenset({"mdy", "my"})  # forms that begin with the month name


def _matches_at(pattern: re.Pattern[str], text: str, starts: list[int], endpos: int) -> Iterator[re.Match[str]]:
    """Yield what ``pattern.finditer`` would yield over [starts[0], endpos) when matches can begin only at ``starts``.

    A month-first form's match begins with a month stem, so trying the stem
    positions alone finds the same leftmost, non-overlapping matches without
    the regex engine trying the month alternation at every character.
    """
    done = 0
    for at in starts:
        if at >= done and (match := pattern.match(text, at, endpos)):
            done = match.end()
            yield match


@lru_cache(maxsize=1)
def _month_stems() -> tuple[str, ...]:
    """Return the first three letters of every month name (each name and abbreviation starts with one)."""
    return tuple(sorted({name[:3] for name in month_numbers()}))


@lru_cache(maxsize=1)
def _month_stem_pattern() -> re.Pattern[str]:
    """Return one case-insensitive pattern finding every position where a month stem begins (overlapping ones too)."""
    stems = _month_stems()
    first = "".join(sorted({re.escape(stem[0]) for stem in stems}))
    # the one-letter class first lets the engine skip most positions before trying the alternation
    return re.compile(f"(?=[{first}])(?=" + "|".join(map(re.escape, stems)) + ")", re.I)


def _windows(text: str, before: int = 32, after: int = 12) -> list[tuple[int, int]]:
    """Return merged character windows around each four-digit number, wide enough for any date form."""
    windows: list[tuple[int, int]] = []
    for match in _DIGITS.finditer(text):
        if match.end() - match.start() != 4:
            continue  # a run of exactly four digits, as (?<!\d)\d{4}(?!\d) finds, but one regex step per run
        lo, hi = max(0, match.start() - before), min(len(text), match.end() + after)
        if windows and lo <= windows[-1][1]:
            windows[-1] = (windows[-1][0], hi)
        else:
            windows.append((lo, hi))
    return windows


def _bounded(text: str, start: int, end: int) -> bool:
    before = text[start - 1] if start else " "
    after = text[end] if end < len(text) else " "
    return not (before.isalnum() or after.isalnum())


def _iso(match: re.Match[str], form: str) -> str | None:
    year = int(match.group("y"))
    if not YEAR_MIN <= year <= YEAR_MAX:
        return None
    if form == "y":
        return f"{year:04d}"
    if form in ("slashed", "dashed"):
        return _slashed(int(match.group("a")), int(match.group("b")), year)
    raw_month = match.group("m")
    month = int(raw_month) if raw_month.isdigit() else month_numbers().get(raw_month.casefold(), 0)  # casefold: re.I also matches "ſep"
    if not 1 <= month <= 12:
        return None
    if form == "my":
        return f"{year:04d}-{month:02d}"
    try:
        return dt.date(year, month, int(match.group("d"))).isoformat()
    except ValueError:
        return None


def _slashed(a: int, b: int, year: int) -> str | None:
    """Return the ISO date of "a/b/year": day first (29/12/2021) or month first (12/29/2021) when one of them cannot be a month.

    "05/03/2022" is the 5th of March in Europe and the 3rd of May in the
    United States: only its year is sure.
    """
    if a > 12 >= b:
        day, month = a, b
    elif b > 12 >= a:
        day, month = b, a
    else:
        return f"{year:04d}" if a <= 12 and b <= 12 else None
    try:
        return dt.date(year, month, day).isoformat()
    except ValueError:
        return None


_SLASHED = re.compile(r"(?<![\d/])(\d{1,2})/(\d{1,2})/(\d{4})(?![\d/])")


def slashed_order(text: str) -> str | None:
    """Return "dmy" or "mdy" when the slashed dates of ``text`` that only one order can read all use that one, else None.

    A paper that writes "28/10/2004" writes its "12/03/2022" day first too.
    """
    if "/" not in text:
        return None
    orders = set()
    for a, b, _ in _SLASHED.findall(text):
        first, second = int(a), int(b)
        if first > 12 >= second >= 1:
            orders.add("dmy")
        elif second > 12 >= first >= 1:
            orders.add("mdy")
    return orders.pop() if len(orders) == 1 else None


def reread_slashed(text: str, order: str) -> str | None:
    """Return the ISO date of a slashed date that both orders can read ("12/03/2022"), read in ``order``; None for any other text."""
    match = _SLASHED.fullmatch(text)
    if match is None:
        return None
    first, second, year = (int(g) for g in match.groups())
    if not (1 <= first <= 12 and 1 <= second <= 12 and YEAR_MIN <= year <= YEAR_MAX):
        return None
    day, month = (first, second) if order == "dmy" else (second, first)
    try:
        return dt.date(year, month, day).isoformat()
    except ValueError:
        return None
