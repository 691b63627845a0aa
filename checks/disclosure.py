"""政府信息公开: the three disclosure columns and the annual report."""
from __future__ import annotations

import re

from checks.artifacts import SiteArtifacts
from checks.base import Finding, check, graded, url_evidence
from checks.site_facts import feature_hits, html_pages
from checks.zh import GUIDE_2017, area_texts

area_texts({
    "disclosure.columns": ("设置政府信息公开指南、目录、年报、法定主动公开内容等栏目并保持更新。",
        GUIDE_2017 + "：政府信息公开"),
})

KINDS = ("guide", "catalog", "annual_report")
REPORT_TITLE = re.compile(r"((?:19|20)\d{2})\s*年(?:度)?.{0,30}(?:信息公开|年度报告|年报)")


@check("disclosure.columns", "政府信息公开", "Information disclosure columns", kinds="P", needs="crawl",
       unit="items", min_items=3, report_due_month=1, report_due_day=31)
def columns(a: SiteArtifacts, t: dict) -> Finding:
    """Present among: 信息公开指南, 信息公开目录/法定主动公开内容, 信息公开年报."""
    hits = feature_hits(a, "disclosure")
    found = {k: next((h for h in hits if h["kind"] == k), None) for k in KINDS}
    years = set()
    for p in html_pages(a):
        feats = p.facts.get("features") or {}
        years.update(feats.get("report_years") or [])
        m = REPORT_TITLE.search(p.facts.get("title") or "")
        if m:
            years.add(int(m[1]))
        for item in (p.facts.get("list") or {}).get("sample") or []:
            m = REPORT_TITLE.search(item.get("title") or "")
            if m:
                years.add(int(m[1]))
    n = sum(1 for v in found.values() if v)
    newest = max(years) if years else None
    now = a.now
    due = (now.month, now.day) > (t["report_due_month"], t["report_due_day"])
    previous_missing = bool(found["annual_report"]) and due and (newest is None or newest < now.year - 1)
    status = graded(n, fail_below=t["min_items"])
    if status == "pass" and previous_missing:
        status = "warn"
    f = Finding(status, n, "items", details={
        "present": {k: bool(v) for k, v in found.items()}, "newest_report_year": newest,
        "previous_year_report_missing": previous_missing,
        "links": {k: v["url"] for k, v in found.items() if v}})
    f.evidence = url_evidence(v["url"] for v in found.values() if v and v.get("url"))
    return f
