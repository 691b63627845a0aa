"""隐私 (crawl part): privacy statement link and content, exposed personal data."""
from __future__ import annotations

from checks.artifacts import SiteArtifacts
from checks.base import Finding, binary, check, error, graded, snippet_evidence, table, url_evidence
from checks.site_facts import feature_hits, find_page, homepage_first, homepage_view, html_pages
from checks.zh import GUOBAN_2019, PIPL, area_texts

area_texts({
    "privacy.policy_link": ("在首页显著位置提供隐私政策（个人信息保护政策）链接。",
        PIPL),
    "privacy.policy_content": ("隐私政策应说明收集的个人信息、目的、方式、存储、共享、用户权利与联系方式等。",
        PIPL),
    "privacy.pii_exposure": ("立即删除或遮盖表中页面与附件里的身份证号、手机号等个人信息，并排查同类公示。",
        GUOBAN_2019 + "：泄露个人信息属单项否决（经人工确认）；" + PIPL),
}, reasons={
    "no_policy": "未发现隐私政策",
})

TOPICS = ("purpose_scope", "use", "sharing", "storage", "security", "rights", "contact")


@check("privacy.policy_link", "隐私政策入口", "Privacy policy link", kinds="PDH", needs="crawl", unit="bool")
def policy_link(a: SiteArtifacts, t: dict) -> Finding:
    """1 if the homepage links to a privacy / personal-information statement (隐私政策, 隐私声明, 个人信息保护…), else 0."""
    hits = feature_hits(a, "privacy", homepage_view(a))
    f = binary(bool(hits), "bool", links=[{"text": h["text"], "url": h["url"]} for h in hits[:5]])
    f.evidence = url_evidence(h["url"] for h in hits[:5] if h["url"])
    return f


@check("privacy.policy_content", "隐私政策内容", "Privacy policy content", kinds="PDH", needs="crawl",
       unit="topics", min_topics=5)
def policy_content(a: SiteArtifacts, t: dict) -> Finding:
    """Topics covered: purpose and scope, use, sharing, storage, security, rights, contact."""
    hits, where = homepage_first(a, "privacy")
    pages = []
    for h in hits:
        p = find_page(a, h["url"]) if h.get("url") else None
        if p is not None and p.ok and p.facts and p not in pages:
            pages.append(p)
    if not pages:
        # A statement page reached some other way (its title says so).
        pages = [p for p in html_pages(a) if "privacy_topics" in p.facts and "隐私" in (p.facts.get("title") or "")]
    if not pages:
        if hits:
            return error("not_gathered", "the privacy statement page was linked but not fetched",
                         links=[h["url"] for h in hits[:5]])
        return Finding("fail", 0, "topics", details={"reason": "no_policy"})
    best = max(pages, key=lambda p: len(p.facts.get("privacy_topics") or []))
    covered = best.facts.get("privacy_topics") or []
    f = Finding(graded(len(covered), fail_below=t["min_topics"]), len(covered), "topics",
                details={"url": best.url, "covered": covered, "missing": [x for x in TOPICS if x not in covered],
                         "found_on": where})
    f.evidence = url_evidence([best.url])
    return f


def attachment_texts(a: SiteArtifacts) -> list:
    """Attachments whose text the crawl read (or tried to: the facts say why not)."""
    return sorted((p for p in a.pages if p.role == "resource" and "attachment" in (p.facts or {})), key=lambda p: p.url)


PII_WORDS = {"id_number": "身份证号", "mobile": "手机号"}
SOURCE_WORDS = {"page": "网页", "attachment": "附件"}


def pii_table(details: dict) -> dict:
    """The pages and attachments of a privacy.pii_exposure finding's details as a typed table. The
    finding does not store it (its details are pinned by tests): the report builds it from them."""
    return table("含个人信息的页面与附件", [("url", "地址", "url"), ("source", "位置", "code", {"words": SOURCE_WORDS}),
                                         ("types", "信息类型", "codes", {"words": PII_WORDS}), ("hits", "处数", "number")],
                 details.get("pages") or [])


@check("privacy.pii_exposure", "个人信息泄露", "Personal data exposure", kinds="PDH", needs="crawl", unit="pages",
       version="2")
def pii_exposure(a: SiteArtifacts, t: dict) -> Finding:
    """Pages and attachments whose text shows a valid 18-digit ID number or a
    private person's mobile. Evidence is masked; the full number is never stored here."""
    exposed = [(p, "page") for p in html_pages(a) if p.facts.get("pii")]
    files = attachment_texts(a)
    exposed += [(p, "attachment") for p in files if p.facts.get("pii")]
    evidence, rows = [], []
    for p, source in exposed:
        kinds = sorted({h["type"] for h in p.facts["pii"]})
        rows.append({"url": p.url, "source": source, "types": kinds, "hits": len(p.facts["pii"])})
        for h in p.facts["pii"][:3]:
            evidence.append(snippet_evidence(p.url, h["snippet"], h["type"]))
    read = sum(1 for p in files if not p.facts["attachment"].get("reason"))
    unread = [{"url": p.url, "reason": p.facts["attachment"]["reason"]} for p in files if p.facts["attachment"].get("reason")]
    return Finding(graded(len(exposed), fail_above=0), len(exposed), "pages",
                   details={"pages": rows, "attachments_read": read, "attachments_unread": unread[:20]},
                   evidence=evidence[:50])
