"""附件可下载: attachment links that fail or answer with an HTML page."""
from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlsplit

from checks.artifacts import SiteArtifacts
from checks.base import Finding, check, graded, table, url_evidence
from checks.site_facts import find_page
from checks.zh import GUOBAN_2019, area_texts

area_texts({
    "links.attachments": ("恢复无法下载的附件，附件地址应直接返回文件而非网页或登录页。",
        GUOBAN_2019 + "：附件可下载"),
})

ATTACHMENT = re.compile(r"\.(?:pdf|docx?|xlsx?|wps|et|dps|pptx?|zip|rar|7z|csv|ofd|txt|tif|ceb|xml|json)$", re.I)


def is_attachment(url: str, text: str = "") -> bool:
    """By the path's extension, a download script's file parameter (download.jsp?file=a.pdf),
    or the file name the link shows (download.jsp?id=2 labelled 汇总表.xls)."""
    if text and ATTACHMENT.search(text.strip()):
        return True
    parts = urlsplit(url)
    if ATTACHMENT.search(parts.path):
        return True
    return any(ATTACHMENT.search(v) for _, v in parse_qsl(parts.query)) if parts.query else False


def failing_table(details: dict) -> dict:
    """The failing attachments of a links.attachments finding's details as a typed table."""
    return table("无法下载的附件", [("url", "附件地址", "url"), ("reason", "原因", "code"), ("linked_from", "所在页面", "urls")],
                 details.get("failing") or [])


@check("links.attachments", "附件可下载", "Attachments downloadable", kinds="PD", needs="crawl", unit="links")
def attachments(a: SiteArtifacts, t: dict) -> Finding:
    """Failing attachment links; a 200 answer with an HTML page (a login wall,
    an error page) counts as failing."""
    targets: dict[str, set[str]] = {}
    for link in a.links:
        if link.tag in ("a", "attachment") and is_attachment(link.target_url, link.text):
            targets.setdefault(link.target_url, set()).add(link.source_url)
    failing, unchecked = [], []
    for url, sources in sorted(targets.items()):
        page = find_page(a, url)
        if page is None:
            unchecked.append(url)
            continue
        why = page.failure
        if why is None and "html" in (page.content_type or "").lower() and not url.lower().endswith((".xml", ".txt")):
            why = "html_instead_of_file"
        if why:
            failing.append({"url": url, "reason": why, "status": page.status, "linked_from": sorted(sources)[:5]})
    f = Finding(graded(len(failing), fail_above=0), len(failing), "links",
                details={"total": len(targets), "failing": failing, "unchecked": unchecked[:20]})
    if failing:
        f.details["table"] = failing_table(f.details)
    f.evidence = url_evidence(x["url"] for x in failing)
    return f
