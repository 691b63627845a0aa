"""Dates as Chinese government pages print them: the one place they are read, by the
crawl's extractors (crawler/extract) and by the checks (the ISO dates stored).

Formats: 2023-12-20, 2023/12/20, 2023.12.20, 2023年12月20日, 2023-12/20,
dates inside URL paths (/art/2026/8/28/, t20260904_, /202109/t20210924_),
bare month-day ([12-20], 12-20, 12月20日) whose year is inferred from the list's
order and its dated entries (`years_from_order`), alone: the latest year that does
not put the date in the future, and relative dates
(3天前, 昨天, 今天) counted back from today. A labelled field's value
(提问时间：2024-01-02 09:30) is read with its time by `parse_date`, as ISO text.
"""
from __future__ import annotations

import re
from datetime import date, datetime

MIN_YEAR = 1990

_FULL = re.compile(
    r"(?<!\d)((?:19|20)\d{2})\s*(?:[-/.]|年)\s*(\d{1,2})\s*(?:[-/.]|月)\s*(\d{1,2})(?:\s*日)?(?!\d)")
_COMPACT = re.compile(r"(?<!\d)((?:19|20)\d{2})(\d{2})(\d{2})(?!\d)")
# A bare month-day counts only as a whole token at the start or end of an
# entry's own text ("[12-20]", "12-20", "(12月20日)"), never inside a sentence.
_MONTH_DAY = re.compile(
    r"(?:^|[\[(（【]\s*)(\d{1,2})\s*(?:-|/|月)\s*(\d{1,2})(?:\s*日)?\s*(?:[\])）】]|$)"
    r"|(?:^|\s)(\d{1,2})\s*(?:-|/)\s*(\d{1,2})\s*$")
_RELATIVE = re.compile(r"^\s*(?:(\d{1,3})\s*天前|(今天|今日|刚刚|\d{1,2}\s*(?:小时|分钟)前)|(昨天|昨日)|(前天))\s*$")
# a labelled field's date, with the time of day when one follows (no digit guards: 提问时间2024-01-02)
_STAMP = re.compile(
    r"(?P<y>(?:19|20)\d{2})\s*(?:[-/.]|年)\s*(?P<m>\d{1,2})\s*(?:[-/.]|月)\s*(?P<d>\d{1,2})\s*日?"
    r"(?:[\sT]*(?P<H>\d{1,2})[:：时](?P<M>\d{2})(?:[:：分](?P<S>\d{2}))?)?")
_URL_PATH = re.compile(r"/((?:19|20)\d{2})[-/_]?(\d{1,2})[-/_](\d{1,2})/")
_URL_T = re.compile(r"(?:^|[/_t])((?:19|20)\d{2})(\d{2})(\d{2})(?:[_./]|\d{0,6}[_.])")


def make_date(y: int, m: int, d: int) -> date | None:
    if y < MIN_YEAR:
        return None
    try:
        return date(y, m, d)
    except ValueError:
        return None


def infer_year(month: int, day: int, today: date) -> date | None:
    """[12-20] read on `today`: this year unless that lies in the future."""
    for year in range(today.year, today.year - 5, -1):   # 02-29 needs a leap year
        d = make_date(year, month, day)
        if d is not None and d <= today:
            return d
    return None


def full_dates(text: str) -> list[date]:
    """Dates with a year, in reading order."""
    out = []
    for m in _FULL.finditer(text):
        d = make_date(int(m[1]), int(m[2]), int(m[3]))
        if d:
            out.append(d)
    return out


def explicit_date(text: str, today: date) -> date | None:
    """A date an entry shows with its year (full or compact), or a relative one (3天前)."""
    found = full_dates(text)
    if found:
        return found[-1]
    for m in _COMPACT.finditer(text):
        d = make_date(int(m[1]), int(m[2]), int(m[3]))
        if d:
            return d
    m = _RELATIVE.search(text)
    if m:
        back = int(m[1]) if m[1] else 0 if m[2] else 1 if m[3] else 2
        return date.fromordinal(today.toordinal() - back)
    return None


def month_day(text: str) -> tuple[int, int] | None:
    """A bare month-day ([11-05], 11月05日) as an entry's whole date."""
    for m in _MONTH_DAY.finditer(text.strip()):
        month, day = (int(m[1]), int(m[2])) if m[1] else (int(m[3]), int(m[4]))
        if 1 <= month <= 12 and 1 <= day <= 31 and make_date(2000, month, day):   # 2000: a leap year
            return month, day
    return None


def item_date(text: str, today: date) -> date | None:
    """The date a list entry shows: a full date, else a compact one, else a
    month-day with the year inferred. Short texts only (an entry, a cell)."""
    d = explicit_date(text, today)
    if d is None:
        md = month_day(text)
        d = infer_year(md[0], md[1], today) if md else None
    return d


def _on_or_after(month: int, day: int, floor: date, today: date) -> date | None:
    """The earliest date with this month-day that is not before `floor` nor after `today`."""
    for year in range(floor.year, today.year + 1):
        d = make_date(year, month, day)
        if d is not None and floor <= d <= today:
            return d
    return None


def years_from_order(items: list[tuple[date | None, tuple[int, int] | None]], today: date) -> list[date | None]:
    """Dates of a list's entries read in the list's order (newest first), as a person reads
    year-less ones ([11-05]): each takes the latest year that keeps it no later than the entry
    above it, the page's own dated entries and today being the bounds; entries above the first
    dated one take the earliest year that keeps them no earlier than the one below. In a list
    whose dated entries are not newest-first, each year-less date is the most recent past one.
    `items`: (date shown with its year, else None; (month, day) shown without a year, else None)."""
    out = [d for d, _ in items]
    shown = [d for d in out if d is not None and d <= today]
    mds = [md for _, md in items if md is not None]
    rising = sum(1 for a, b in zip(mds, mds[1:]) if b > a)       # a newest-first list rises once a year at most
    if any(a < b for a, b in zip(shown, shown[1:])) or rising > len(mds) - 1 - rising:
        return [d if d is not None or md is None else infer_year(md[0], md[1], today) for d, md in items]
    first = next((i for i, d in enumerate(out) if d is not None and d <= today), None)
    ceiling = today
    for i in range(first or 0, len(items)):
        d, md = items[i]
        if d is not None:
            ceiling = d if d <= today else ceiling
        elif md is not None:
            out[i] = infer_year(md[0], md[1], ceiling)
            ceiling = out[i] or ceiling
    if first:
        floor = out[first]
        for i in range(first - 1, -1, -1):
            d, md = items[i]
            if d is None and md is not None:
                out[i] = _on_or_after(md[0], md[1], floor, today) or infer_year(md[0], md[1], today)
            floor = out[i] if out[i] is not None and out[i] <= today else floor
    return out


def url_date(url: str) -> date | None:
    """A publication date carried by the URL path (many CMSs put it there)."""
    if "19" not in url and "20" not in url:     # both patterns need a year's first two digits
        return None
    m = _URL_PATH.search(url)
    if m:
        d = make_date(int(m[1]), int(m[2]), int(m[3]))
        if d:
            return d
    m = _URL_T.search(url)
    if m:
        return make_date(int(m[1]), int(m[2]), int(m[3]))
    return None


def meta_date(value: str | None) -> date | None:
    if not value:
        return None
    found = full_dates(value)
    if found:
        return found[0]
    m = _COMPACT.search(value)
    return make_date(int(m[1]), int(m[2]), int(m[3])) if m else None


def parse_date(text: str | None) -> str | None:
    """First date in `text` as ISO (YYYY-MM-DD, or YYYY-MM-DDTHH:MM:SS when a time follows)."""
    if not text:
        return None
    for m in _STAMP.finditer(text):
        try:
            d = date(int(m["y"]), int(m["m"]), int(m["d"]))
        except ValueError:
            continue
        if m["H"] is not None and int(m["H"]) < 24:
            return datetime(d.year, d.month, d.day, int(m["H"]), int(m["M"]), int(m["S"] or 0)).isoformat()
        return d.isoformat()
    return None


def as_date(iso: str | None) -> date | None:
    """The day of a stored ISO date or date-time; None when there is none or it does not read."""
    if not iso:
        return None
    try:
        return date.fromisoformat(iso[:10])
    except ValueError:
        return None
