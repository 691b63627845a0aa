"""JSON list endpoints (catalogues, message lists) that pages call from their
scripts: finding them, the records in a response, its stated total, fields by
key families, and the request for the next page."""
from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from crawler.extract.labelled import absolute, script_texts

TOTAL_KEYS = ("total", "totalcount", "totalelements", "totalnum", "totalrecords", "recordstotal", "count", "totalsize",
              "totalrow", "totalrows")
PAGE_PARAMS = ("pageno", "page", "pagenum", "pageindex", "current", "curpage", "currentpage", "p", "pn")
SCRIPT_URL = re.compile(r"""["'`]((?:https?://[^"'`\s]+)?/[^"'`\s]*?"""
                        r"""(?:api|json|catalog|dataset|list|query|search|letter|message|mail)[^"'`\s]*)["'`]""", re.I)


def norm(key: str) -> str:
    return re.sub(r"[_\-\s]", "", str(key)).lower()


def records(data: Any, depth: int = 0) -> list[dict]:
    """The longest list of objects anywhere in a JSON document."""
    best: list[dict] = []
    if depth > 5:
        return best
    if isinstance(data, list):
        if data and all(isinstance(x, dict) for x in data):
            best = data
        for x in data[:3]:
            cand = records(x, depth + 1)
            if len(cand) > len(best):
                best = cand
    elif isinstance(data, dict):
        for v in data.values():
            cand = records(v, depth + 1)
            if len(cand) > len(best):
                best = cand
    return best


def total(data: Any, depth: int = 0) -> int | None:
    """The total number of records the response states (total, totalCount…)."""
    if depth > 4 or not isinstance(data, dict):
        return None
    for k, v in data.items():
        if norm(k) in TOTAL_KEYS and isinstance(v, (int, str)) and str(v).isdigit():
            return int(v)
    for v in data.values():
        found = total(v, depth + 1)
        if found is not None:
            return found
    return None


def field(record: dict, names: tuple[str, ...], stems: tuple[str, ...] = ()) -> Any:
    """The first non-empty value whose normalised key is one of `names`, else
    whose key contains one of `stems` (resDesc, fileFormat…)."""
    keys = {norm(k): v for k, v in record.items()}
    for name in names:
        if name in keys and keys[name] not in (None, ""):
            return keys[name]
    for stem in stems:
        for key, value in keys.items():
            if stem in key and value not in (None, ""):
                return value
    return None


def json_endpoints(url: str, html) -> list[str]:
    """Candidate JSON endpoints named in a page's inline scripts (fetch, $.ajax, axios);
    `html` is the raw text (or a tree that kept its scripts). A URL ending in '='
    (the script appends the page number) gets page 1 from the spider."""
    out = []
    for body in script_texts(html):
        for m in SCRIPT_URL.finditer(body):
            cand = absolute(url, m.group(1))
            if cand and not re.search(r"\.(js|css|png|jpg|gif|html?)(\?|$)", cand) and cand not in out:
                out.append(cand)
    return out[:10]


def next_page_url(url: str) -> str | None:
    """The same request for the next page, when it has a page parameter."""
    try:
        parts = urlsplit(url)
    except ValueError:      # e.g. an unclosed IPv6 bracket in a URL found in a page
        return None
    query = parse_qsl(parts.query, keep_blank_values=True)
    for i, (key, value) in enumerate(query):
        if key.lower() in PAGE_PARAMS and value.isdigit():
            query[i] = (key, str(int(value) + 1))
            return urlunsplit(parts._replace(query=urlencode(query)))
    return None
