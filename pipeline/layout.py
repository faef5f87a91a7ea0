"""Classify the lines of a canonical text: boilerplate, title, heading or content.

Both ingest (which lifts title, publisher and date into the document's
metadata) and segment (which writes the segments) read the same rules from
configs/segmentation.toml, so the two can never disagree.
"""
from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator, Sequence
from typing import Any

from .layout_rules import LayoutRules, Line
from .normalize.dates import find_dates


def iter_lines(text: str) -> Iterator[tuple[int, int]]:
    """Yield (start, end) of each line's content with surrounding whitespace trimmed."""
    pos = 0
    for raw in text.splitlines(keepends=True):
        body = raw.rstrip("\r\n\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029")
        lead = len(body) - len(body.lstrip())
        stripped = body.strip()
        start = pos + lead
        yield start, start + len(stripped)
        pos += len(raw)


def classify(text: str, rules: LayoutRules, marked: Sequence[Sequence[Any]] = ()) -> list[Line]:
    """Classify every line of ``text``; only the first non-blank line may be the title.

    ``marked`` lists ``[start, end, kind]`` spans the reader already knows are
    boilerplate (a PDF's running headers, a later page's repeated title); a
    line inside one is boilerplate of that kind whatever it says.
    """
    spans = sorted((int(s), int(e), str(k)) for s, e, k in marked)
    return _classify(text, rules, spans)


def _classify(text: str, rules: LayoutRules, spans: list[tuple[int, int, str]]) -> list[Line]:
    raw = list(iter_lines(text))
    running = _running_headers(text, raw, rules)
    boiler: list[Line | None] = []
    for index, (start, end) in enumerate(raw):
        kind = next((k for s, e, k in spans if s <= start and end <= e), None) or ("running_header" if index in running else None)
        body = text[start:end]
        boiler.append(None if not body else Line(start, end, "boilerplate", kind) if kind else _boilerplate(body, start, rules))
    lines: list[Line] = []
    seen_content = seen_navigation = False
    for index, (start, end) in enumerate(raw):
        body = text[start:end]
        if not body:
            lines.append(Line(start, end, "blank"))
            continue
        line = boiler[index]
        seen_navigation = seen_navigation or (line is not None and line.subkind == "navigation")
        if line is None and not seen_content:
            line = _title(body, start, rules)
            if line is not None and not rules.title.fullmatch(body) and _above_breadcrumb(text, raw, boiler, index, rules):
                # Short lines glued to a breadcrumb below them are the site's masthead, not the title
                # ("Republic of the Philippines" / "Department of Foreign Affairs" / "Home / Policy ...");
                # a line of another script or a language switcher ("LT | EN") names no publisher.
                named = rules.publisher_shape.search(body) is not None
                line = Line(start, end, "boilerplate", "masthead", (("publisher", body, start, end),) if named else ())
            elif (line is not None and not rules.title.fullmatch(body) and (dated := _dateline(body, rules)) is not None
                  and (seen_navigation or (_below_masthead(lines) and _label_fields(body, dated, rules)))):
                # Below a web page's breadcrumb or masthead, a dated line with fields is its dateline ("May 17, 2024 | ... Division",
                # "Ref: MFAFT/DIS/1540/2024 | Submitted: 28 March 2024"); a document's first line with a date is its title
                # ("Statement by ... – 4 March 2024")
                line = Line(start, end, "boilerplate", "byline", _date_group(body, start, dated))
            elif line is not None and not rules.title.fullmatch(body) and _fielded_masthead(text, raw, boiler, index, rules):
                # Bodies' names in fields above the page's labels or dateline are its masthead, not its title
                # ("Office of Atoms for Peace | Ministry of Higher Education, ..." / "PRESS RELEASE 27/2567 | For immediate release")
                line = Line(start, end, "boilerplate", "masthead", (("publisher", body, start, end),))
            elif line is not None and lines and (dated_line := rules.head_dateline.fullmatch(body)) is not None and dated_line.group("date"):
                # A place and a date alone under the page's masthead or labels: its dateline ("Bangkok, 20 December 2024")
                line = _with_date_value(Line(start, end, "boilerplate", "byline", _groups(dated_line, start)), body, rules)
            elif line is not None and lines and (foreign := _foreign_dateline(body, rules)) is not None:
                # ... or in the site's language ("Santo Domingo, 8 de marzo de 2025")
                line = Line(start, end, "boilerplate", "byline", _date_group(body, start, foreign))
        if line is None:
            line = _heading(body, start, rules)
        if line is None:
            line = Line(start, end, "content")
        if line.kind != "boilerplate":
            seen_content = True
        lines.append(line)
    return lines


_DIGIT_RUN = re.compile(r"\d+")
_WORD = re.compile(r"[^\W\d_]{3,}")


def _running_headers(text: str, raw: list[tuple[int, int]], rules: LayoutRules) -> set[int]:
    """Return the indices of the lines that repeat a page's running header or footer in text converted from a PDF.

    Such a line comes back with only its numbers changed ("Annual Report 2024 — 7", "... — 8"): a short line
    with a number and words, no sentence-final punctuation, whose shape (digits aside) recurs
    ``running_min_repeats`` times, a page's worth of text (``running_min_gap_chars``) apart each time. A table's rows
    of figures have no words; a heading does not recur; a list's lines ("Resolution 1718 (2006)", "Resolution 1874
    (2009)", ...) follow one another.
    """
    shapes: dict[str, list[int]] = {}
    for index, (start, end) in enumerate(raw):
        if not (0 < end - start <= rules.running_max_chars):
            continue
        body = text[start:end]
        if body[-1] in rules.title_final or not any(ch.isdigit() for ch in body) or len(_WORD.findall(body)) < rules.running_min_words:
            continue
        shapes.setdefault(_DIGIT_RUN.sub("#", body), []).append(index)
    found = {shape: indices for shape, indices in shapes.items()
             if len(indices) >= rules.running_min_repeats and all(raw[b][0] - raw[a][1] >= rules.running_min_gap_chars for a, b in zip(indices, indices[1:]))}
    marked = {index for indices in found.values() for index in indices}
    if found:  # a page's footer with the publisher beside it: "Commission ... | Annual Report 2024 — 10"
        for index, (start, end) in enumerate(raw):
            if index not in marked and " | " in (body := text[start:end]) and end - start <= 2 * rules.running_max_chars:
                shape = _DIGIT_RUN.sub("#", body)
                marked.update(index for header in found if shape.endswith(" | " + header) or shape.startswith(header + " | "))
    return marked


def _above_breadcrumb(text: str, raw: list[tuple[int, int]], boiler: list[Line | None], index: int, rules: LayoutRules) -> bool:
    """Return whether a navigation line follows ``index`` within ``masthead_lines`` lines, with no blank line between.

    The lines between are short and title-like ("LT | EN", "Kuwait City 38°C |
    Sunday, 13 October 2024"), labels ("Skip to main content") or masthead lines; a
    byline between tells a headline above it ("... Hold Consultations" / "Published: 12 March 2024").
    """
    for below in range(index + 1, min(len(raw), index + 1 + rules.masthead_lines)):
        start, end = raw[below]
        if boiler[below] is not None:
            if boiler[below].subkind == "navigation":
                return True
            if boiler[below].subkind in ("label", "masthead"):
                continue  # "Skip to main content", "Policy Briefing · Press Releases · Open Data"
            return False
        if start == end or _title(text[start:end], start, rules) is None:
            return False
    return False


def _fielded_masthead(text: str, raw: list[tuple[int, int]], boiler: list[Line | None], index: int, rules: LayoutRules, depth: int = 0) -> bool:
    """Return whether a page's first line is its masthead: each field naming a body (`masthead_bodies`), glued to a boilerplate line, a dateline or another such line below.

    The line has two fields or more, or it is in capitals. A line in capitals on top of another masthead line
    ("GOVERNMENT OF BARBADOS" above "Ministry of ... · ... Unit" above "Ref: ... | Submitted: 28 March 2024"), or
    under one, is a masthead line; alone above a byline or a dateline it is one only when it starts with a body's
    word and a title follows the block ("MINISTRY OF FOREIGN AFFAIRS OF JAPAN" / "Tokyo, 4 March 2024" / blank /
    "Japan's statement on the NPT"); else it is a headline ("MINISTRY OF FOREIGN AFFAIRS HOLDS CONSULTATIONS WITH
    PAKISTAN" / "Published: ..." / blank / a paragraph). A headline in mixed case glued to its byline has no fields.
    """
    start, end = raw[index]
    body = text[start:end]
    fields = rules.dateline_fields.split(body)
    single = len(fields) < 2
    if single and any(ch.islower() for ch in body):
        return False
    if not all(rules.publisher_shape.search(field) and rules.masthead_bodies.search(field) for field in fields) or index + 1 >= len(raw):
        return False  # ("China's Export Control Policy | White Paper" above a dateline is a title: its fields name no bodies)
    below_start, below_end = raw[index + 1]
    if below_end == below_start:
        return False  # a blank line: the masthead is glued to what it heads
    stacked = depth + 1 < rules.masthead_lines and _fielded_masthead(text, raw, boiler, index + 1, rules, depth + 1)
    below = text[below_start:below_end]
    dated_or_boiler = (boiler[index + 1] is not None or rules.head_dateline.fullmatch(below) is not None or _dateline(below, rules) is not None
                       or _foreign_dateline(below, rules) is not None)
    if single and not stacked and depth == 0:
        # alone in capitals: "JOINT STATEMENT OF THE REPUBLIC OF KOREA AND JAPAN" over its date stays the title
        return dated_or_boiler and rules.masthead_bodies.match(body) is not None and _title_follows(text, raw, index, rules)
    return dated_or_boiler or stacked


def _title_follows(text: str, raw: list[tuple[int, int]], index: int, rules: LayoutRules) -> bool:
    """Return whether the first line after the block of glued lines holding ``index`` reads as a title (short, no sentence end)."""
    k = index
    while k < len(raw) and raw[k][1] > raw[k][0]:
        k += 1
    while k < len(raw) and raw[k][1] == raw[k][0]:
        k += 1
    return k < len(raw) and _title(text[raw[k][0]:raw[k][1]], raw[k][0], rules) is not None


def _label_fields(body: str, dated: tuple[int, int, str], rules: LayoutRules) -> bool:
    """Return whether every field of a dated line but the date's is a label ("Ref: MFAFT/DIS/1540/2024", "Original: English", "Nota de prensa
    DGA-047-2025", "Nonproliferation and Disarmament Division"): with a colon, a digit, a body's word or at most three words. "Peru Ratifies the
    Arms Trade Treaty | 4 March 2024" is a headline."""
    position = 0
    for field in rules.dateline_fields.split(body):
        start = body.find(field, position)
        position = start + len(field)
        if start <= dated[0] < position:
            continue
        if ":" not in field and not any(ch.isdigit() for ch in field) and len(field.split()) > 3 and rules.masthead_bodies.search(field) is None:
            return False
    return True


def _below_masthead(lines: list[Line]) -> bool:
    """Return whether the line before is a masthead line (no blank line between)."""
    return bool(lines) and lines[-1].kind == "boilerplate" and lines[-1].subkind == "masthead"


def _dateline(body: str, rules: LayoutRules) -> tuple[int, int, str] | None:
    """Return where the date is, and its ISO form, when a short line of a page's head is its dateline: fields, one with a date of a day or a month."""
    if rules.dateline_fields.search(body) is None:
        return None
    return next(((s, e, value) for s, e, value in find_dates(body) if len(value) >= 7), None) or _foreign_date(body, rules)


def _foreign_dateline(body: str, rules: LayoutRules) -> tuple[int, int, str] | None:
    """Return the date of a page head's line of a place and a date in the site's language alone ("Santo Domingo, 8 de marzo de 2025")."""
    place, comma, rest = body.partition(",")
    if not comma or not place.strip() or any(ch.isdigit() for ch in place) or len(place) > 40:
        return None
    found = _foreign_date(rest, rules)
    if found is None or rest[found[1]:].strip() or len(before := rest[:found[0]].split()) > 2 or any(ch.isdigit() for ch in "".join(before)):
        return None  # (a word or two may stand before the date: "Paris, le 1er mars 2024", "Santo Domingo, D.N., 8 de marzo de 2025")
    offset = len(place) + 1
    return found[0] + offset, found[1] + offset, found[2]


def _foreign_date(body: str, rules: LayoutRules) -> tuple[int, int, str] | None:
    """Return the first date of a day in another language (`dateline_date`, `dateline_months`) in ``body``, with its ISO form."""
    for match in rules.dateline_date.finditer(body):
        month = rules.dateline_months.get(match.group("m").lower())
        try:
            value = dt.date(int(match.group("y")), month, int(match.group("d"))).isoformat() if month else None
        except ValueError:
            value = None  # "31 de febrero"
        if value is not None:
            return match.start(), match.end(), value
    return None


def _date_group(body: str, start: int, dated: tuple[int, int, str]) -> tuple[tuple[str, str, int, int], ...]:
    """Return a dateline's groups: its date as written, and the date's ISO form (the written one may be in another language)."""
    s, e, value = dated
    return (("date", body[s:e], start + s, start + e), ("date_value", value, start + s, start + e))


def _groups(match: re.Match[str], offset: int) -> tuple[tuple[str, str, int, int], ...]:
    return tuple(
        (name, value, offset + match.start(name), offset + match.end(name))
        for name, value in match.groupdict().items()
        if value is not None
    )


def _boilerplate(body: str, start: int, rules: LayoutRules) -> Line | None:
    for (kind, pattern), needs in zip(rules.boilerplate, rules.boilerplate_needs):
        if needs and not all(ch in body for ch in needs):
            continue  # "Source: ... | Updated: ..." needs its ":" and "|": most paragraphs are rejected without the regex
        match = pattern.fullmatch(body)
        if match:
            line = Line(start, start + len(body), "boilerplate", kind, _groups(match, start))
            return _with_date_value(line, body, rules) if "date" in match.groupdict() else line
    return None


def _with_date_value(line: Line, body: str, rules: LayoutRules) -> Line:
    """Add the ISO form of the date group of a line (whose text is ``body``) when only the site's language tells its day
    ("Publicado el 5 de mayo de 2024", "Paris, 3 mars 2024")."""
    date = line.group("date")
    if date is None or any(len(value) >= 7 for _, _, value in find_dates(date[0])):
        return line
    found = _foreign_date(date[0], rules)
    if found is None:  # the date group may hold only part of the date ("Publicado el 5 de mayo de 2024"): read its own field, around the group
        group_start, group_end = date[1] - line.start, date[2] - line.start
        field_start = max((m.end() for m in rules.dateline_fields.finditer(body, 0, group_start)), default=0)
        field_end = next((m.start() for m in rules.dateline_fields.finditer(body, group_start)), len(body))
        found = _foreign_date(body[field_start:field_end], rules)
        if found is None or not (field_start + found[0] < group_end and group_start < field_start + found[1]):
            return line  # ("Published: 2024 | Updated 7 de junio de 2024": the update's date is not the publication's)
    return Line(line.start, line.end, line.kind, line.subkind, (*line.groups, ("date_value", found[2], date[1], date[2])))


def _title(body: str, start: int, rules: LayoutRules) -> Line | None:
    match = rules.title.fullmatch(body)
    if match:
        return Line(start, start + len(body), "title", None, _groups(match, start))
    if len(body) <= rules.title_max_chars and body[-1] not in rules.title_final and _heading(body, start, rules) is None:
        return Line(start, start + len(body), "title", None, (("title", body, start, start + len(body)),))
    return None


def _heading(body: str, start: int, rules: LayoutRules) -> Line | None:
    if len(body) > rules.heading_max_chars or body[-1] in rules.heading_final:
        return None
    for level, pattern in rules.headings:
        match = pattern.fullmatch(body)
        if match:
            return Line(start, start + len(body), "heading", str(level), _groups(match, start))
    return None


def metadata(text: str, lines: list[Line]) -> dict[str, str | None]:
    """Lift title, publisher and publication date from the classified lines."""
    meta: dict[str, str | None] = {"title": None, "publisher": None, "published": None}
    for line in lines:
        if line.kind == "title" and meta["title"] is None:
            found = line.group("title")
            meta["title"] = found[0].strip() if found else text[line.start:line.end]
        elif line.kind == "boilerplate":
            publisher = line.group("publisher")
            if publisher and publisher[0].strip() and meta["publisher"] is None:
                meta["publisher"] = publisher[0].strip()
            date, value = line.group("date"), line.group("date_value")
            if value and meta["published"] is None:
                meta["published"] = value[0]
            elif date and meta["published"] is None:
                found_dates = find_dates(date[0])
                if found_dates:
                    meta["published"] = found_dates[0][2]
    return meta
