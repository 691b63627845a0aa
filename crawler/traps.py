"""Crawler trap guards: session ids, calendars, repeated path segments and
endless query permutations. A URL is canonicalised (session ids dropped,
query parameters sorted) for de-duplication, and refused when it looks like
one more step into a trap."""
from __future__ import annotations

import re
from collections import Counter
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

SESSION_PARAMS = {"jsessionid", "phpsessid", "sid", "sessionid", "session_id", "aspsessionid", "sessid",
                  "cfid", "cftoken", "sess", "token"}
_PATH_SESSION = re.compile(r";(?:jsessionid|phpsessid|sid)=[^/?#]*", re.I)
CALENDAR_PARAMS = {"year", "month", "day", "date", "ym", "ymd", "yearmonth", "cal", "calendar", "week"}
_CALENDAR_PATH = re.compile(r"/(?:calendar|rili|richeng)(?:/|\.|$)|/(?:19|20)\d{2}[-/](?:0?[1-9]|1[0-2])(?:[-/]\d{1,2})?/?$",
                            re.I)


def canonical(url: str) -> str:
    parts = urlsplit(url)
    path = _PATH_SESSION.sub("", parts.path)
    query = sorted((k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k.lower() not in SESSION_PARAMS)
    return urlunsplit((parts.scheme, parts.netloc.lower(), path or "/", urlencode(query), ""))


class TrapGuard:
    """Per-site: admit(url) -> (canonical url, None) or (None, reason)."""

    def __init__(self, max_variants: int = 1000, max_calendar: int = 12, max_repeat: int = 3,
                 max_segments: int = 15, max_length: int = 512):
        self.max_variants, self.max_calendar = max_variants, max_calendar
        self.max_repeat, self.max_segments, self.max_length = max_repeat, max_segments, max_length
        self.patterns: Counter[tuple[str, tuple[str, ...]]] = Counter()
        self.skipped: Counter[str] = Counter()

    def reason(self, url: str) -> str | None:
        if len(url) > self.max_length:
            return "long_url"
        parts = urlsplit(url)
        segments = [s for s in parts.path.split("/") if s]
        if len(segments) > self.max_segments:
            return "deep_path"
        counts = Counter(segments)
        if counts and counts.most_common(1)[0][1] >= self.max_repeat:
            return "repeated_segments"
        if len(segments) >= 4 and segments[-2:] == segments[-4:-2]:
            return "repeated_segments"
        names = tuple(sorted({k.lower() for k, _ in parse_qsl(parts.query, keep_blank_values=True)}
                             - SESSION_PARAMS))
        calendar = bool(CALENDAR_PARAMS & set(names)) or bool(_CALENDAR_PATH.search(parts.path))
        # One parameter (id=, page=) is how many CMSs address their articles and lists:
        # only combinations of parameters (facets, filters) are capped, and calendars.
        if len(names) >= 2 or calendar:
            key = (parts.path if names else _CALENDAR_PATH.sub("/<date>", parts.path), names)
            self.patterns[key] += 1
            if self.patterns[key] > (self.max_calendar if calendar else self.max_variants):
                return "calendar" if calendar else "query_permutations"
        return None

    def admit(self, url: str) -> tuple[str | None, str | None]:
        why = self.reason(url)
        if why:
            self.skipped[why] += 1
            return None, why
        return canonical(url), None
