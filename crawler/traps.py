"""Crawler traps: URL spaces that never end (calendars, session ids in URLs,
repeated path segments, endless query permutations). `TrapGuard.admit` says
whether a page URL is worth crawling; refusals are counted by reason in the
site's crawl facts (`traps`).

Rules are structural, not fitted to any site:
- a canonical form (session parameters dropped, query sorted, fragment and
  default port removed) is crawled once;
- a path where one segment repeats MAX_SEGMENT_REPEATS times or that is
  deeper than MAX_SEGMENTS is a loop of relative links;
- a date in the URL (query value or path) more than a year ahead, or before
  EARLIEST_YEAR, is a calendar running off;
- one path with the same query keys gets at most MAX_QUERY_VARIANTS values.
"""
from __future__ import annotations

import re
from collections import Counter
from datetime import datetime, timezone
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

SESSION_KEYS = {"jsessionid", "phpsessid", "sid", "sessionid", "session_id", "sessid", "cfid", "cftoken",
                "aspsessionid", "zoneid", "_t", "timestamp", "random", "rnd", "utm_source", "utm_medium",
                "utm_campaign", "utm_term", "utm_content"}
PATH_SESSION = re.compile(r";(jsessionid|sid|phpsessid)=[^/?#]*", re.I)
MAX_SEGMENT_REPEATS = 3
MAX_SEGMENTS = 15
MAX_QUERY_VARIANTS = 40
EARLIEST_YEAR = 1980
_YEAR_KEYS = re.compile(r"^(y|yy|yyyy|year|nian|date|day|month|m|ym|ymd|rq|riqi)$", re.I)
_DATE_IN_VALUE = re.compile(r"(?<!\d)((?:19|20|21|22|23|24|25|26|27|28|29)\d{2})(?:[-/_.年]?(0[1-9]|1[0-2])(?!\d))?")
_DATE_IN_PATH = re.compile(r"/((?:19|2\d)\d{2})[-/_]?(0[1-9]|1[0-2])(?:[-/_]?([0-2]\d|3[01]))?(?=/|$|\.)")


def _session_key(key: str) -> bool:
    k = key.lower()
    return k in SESSION_KEYS or k.startswith("aspsessionid") or k.startswith("utm_")


def _has_session(url: str) -> bool:
    parts = urlsplit(url)
    return bool(PATH_SESSION.search(parts.path)) or any(_session_key(k) for k, _ in parse_qsl(parts.query))


def canonical(url: str) -> str:
    """The URL with session parameters, fragment and default port dropped and the query sorted."""
    parts = urlsplit(url)
    path = PATH_SESSION.sub("", parts.path) or "/"
    query = sorted((k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not _session_key(k))
    netloc = (parts.hostname or "").lower()
    if parts.port and parts.port != {"http": 80, "https": 443}.get(parts.scheme):
        netloc += f":{parts.port}"
    return urlunsplit((parts.scheme.lower(), netloc, path, urlencode(query), ""))


def _calendar_year(url: str) -> int | None:
    """A year the URL points at, from date-like query values or a /YYYY/MM/ path."""
    parts = urlsplit(url)
    for key, value in parse_qsl(parts.query):
        if _YEAR_KEYS.match(key) or re.fullmatch(r"\d{4}[-/_.]\d{1,2}([-/_.]\d{1,2})?", value):
            found = _DATE_IN_VALUE.search(value)
            if found:
                return int(found.group(1))
    found = _DATE_IN_PATH.search(parts.path)
    return int(found.group(1)) if found else None


class TrapGuard:
    """One site's trap bookkeeping."""

    def __init__(self, now: datetime | None = None):
        self.seen: set[str] = set()
        self.variants: Counter[tuple[str, tuple[str, ...]]] = Counter()
        self.refused: Counter[str] = Counter()
        self.latest_year = (now or datetime.now(timezone.utc)).year + 1

    def reason(self, url: str) -> str | None:
        """Why `url` looks like a trap (or a duplicate), or None. Records it when admitted."""
        try:
            key = canonical(url)
        except ValueError:
            return "bad_url"
        if key in self.seen:
            return "session" if _has_session(url) else "duplicate"
        parts = urlsplit(key)
        segments = [s for s in parts.path.split("/") if s]
        if len(segments) > MAX_SEGMENTS or (segments and max(Counter(segments).values()) >= MAX_SEGMENT_REPEATS):
            return "repeated_path"
        year = _calendar_year(key)
        if year is not None and not (EARLIEST_YEAR <= year <= self.latest_year):
            return "calendar"
        if parts.query:
            shape = (parts.path, tuple(sorted({k for k, _ in parse_qsl(parts.query, keep_blank_values=True)})))
            if self.variants[shape] >= MAX_QUERY_VARIANTS:
                return "query_variants"
            self.variants[shape] += 1
        self.seen.add(key)
        return None

    def admit(self, url: str) -> bool:
        why = self.reason(url)
        if why and why != "duplicate":
            self.refused[why] += 1
        return why is None

    def report(self) -> dict[str, int]:
        return dict(sorted(self.refused.items()))
