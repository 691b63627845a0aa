"""Dates as Chinese government pages print them.

Formats: 2023-12-20, 2023/12/20, 2023.12.20, 2023年12月20日, 2023-12/20,
dates inside URL paths (/art/2026/8/28/, t20260904_, /202109/t20210924_),
bare month-day ([12-20], 12-20, 12月20日) whose year is inferred: the
latest year that does not put the date in the future, and relative dates
(3天前, 昨天, 今天) counted back from today.
"""
from __future__ import annotations

import re
from datetime import date

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


def item_date(text: str, today: date) -> date | None:
    """The date a list entry shows: a full date, else a compact one, else a
    month-day with the year inferred. Short texts only (an entry, a cell)."""
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
    for m in _MONTH_DAY.finditer(text.strip()):
        month, day = (int(m[1]), int(m[2])) if m[1] else (int(m[3]), int(m[4]))
        if 1 <= month <= 12 and 1 <= day <= 31:
            d = infer_year(month, day, today)
            if d:
                return d
    return None


def url_date(url: str) -> date | None:
    """A publication date carried by the URL path (many CMSs put it there)."""
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
