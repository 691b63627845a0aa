"""Script-built list pages (shells), read as a reader sees them: the list of the rendered
DOM, and the entries of the JSON / XML the page fetched to build it. Pure: the browser
probe (crawler/probes/shells.py) hands in what it rendered and received."""
from __future__ import annotations

import json
from datetime import date, datetime, timezone
from typing import Any

from core.dates import explicit_date
from crawler.extract.datastore import datastore_total, datastore_tree
from crawler.extract.html import anchors
from crawler.extract.json_records import field, records, total
from crawler.extract.lists import entries

SUMMARY_KEYS = ("items", "dated", "newest", "oldest", "placeholder", "stated_total", "date_source", "empty_list", "shell")
TITLE_KEYS = ("title", "articletitle", "doctitle", "vctitle", "subject", "name", "bt", "标题")
DATE_KEYS = ("pubdate", "publishdate", "publishtime", "releasedate", "releasetime", "docreltime", "docpubtime",
             "fbsj", "fbrq", "createtime", "createdate", "inputdate", "writetime", "crtime", "date", "time",
             "updatetime", "发布时间", "发布日期")
DATE_STEMS = ("date", "time", "rq", "sj")
SAMPLE = 3


def list_summary(lf: dict) -> dict:
    """The part of a page's list facts a column is judged on."""
    out = {k: lf.get(k) for k in SUMMARY_KEYS}
    out["sample"] = (lf.get("sample") or [])[:SAMPLE]
    return out


def rendered_list(url: str, html: str, today: date) -> dict:
    """The list of a rendered document (the page, or a frame it filled by script)."""
    from crawler.extract import page_facts
    return list_summary(page_facts(url, html, {}, False, today=today)["list"])


def _record_date(value: Any, today: date) -> date | None:
    if isinstance(value, (int, float)) and not isinstance(value, bool) and value > 10**9:
        seconds = value / 1000 if value > 10**11 else value           # epoch milliseconds or seconds
        try:
            return datetime.fromtimestamp(seconds, timezone.utc).date()
        except (OverflowError, OSError, ValueError):
            return None
    return explicit_date(str(value)[:40], today) if value not in (None, "") else None


def _json_entries(data: Any, today: date) -> tuple[list[dict], int | None]:
    out = []
    for rec in records(data):
        title = field(rec, TITLE_KEYS)
        if not isinstance(title, str) or not title.strip():
            continue
        d = _record_date(field(rec, DATE_KEYS, DATE_STEMS), today)
        out.append({"title": title.strip()[:120], "date": d if d is not None and d <= today else None})
    return out, total(data)


def _xml_entries(url: str, text: str, today: date) -> tuple[list[dict], int | None]:
    tree = datastore_tree(text)
    if tree is None:
        return [], None
    found = [{"title": e["title"], "date": e["date"]} for e in entries(anchors(tree, url), today)]
    return found, datastore_total(text)


def api_list(url: str, bodies: list[dict], today: date) -> dict | None:
    """The list in the data the page fetched: the response with the most dated entries.
    `bodies`: {"url", "content_type", "text"} of the page's XHR / fetch responses."""
    best: tuple[list[dict], int | None, str] | None = None
    empty = None          # a response that states it holds no records (total 0)
    for b in bodies:
        text, ctype = b.get("text") or "", (b.get("content_type") or "").lower()
        found: tuple[list[dict], int | None] = ([], None)
        if "json" in ctype or text.lstrip()[:1] in ("{", "["):
            try:
                found = _json_entries(json.loads(text), today)
            except ValueError:
                continue
        elif "<datastore" in text.lower():
            found = _xml_entries(url, text, today)
        if not found[0] and found[1] == 0:
            empty = b.get("url") or ""
        if found[0] and (best is None or sum(1 for e in found[0] if e["date"]) > sum(1 for e in best[0] if e["date"])):
            best = (found[0], found[1], b.get("url") or "")
    if best is None:
        return None if empty is None else {"items": 0, "dated": 0, "newest": None, "oldest": None, "placeholder": None,
                                           "stated_total": 0, "date_source": "api", "url": empty[:500], "sample": []}
    items, stated, source_url = best
    dated = [e["date"] for e in items if e["date"]]
    return {"items": len(items), "dated": len(dated),
            "newest": max(dated).isoformat() if dated else None,
            "oldest": min(dated).isoformat() if dated else None,
            "placeholder": None, "stated_total": stated, "date_source": "api", "url": source_url[:500],
            "sample": [{"title": e["title"], "date": e["date"].isoformat() if e["date"] else None}
                       for e in items[:SAMPLE]]}


__all__ = ["api_list", "list_summary", "rendered_list"]
