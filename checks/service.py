"""在线服务: the online service entry and the 办事指南 elements."""
from __future__ import annotations

from checks.artifacts import SiteArtifacts
from checks.base import Finding, binary, check, graded, not_applicable, table, url_evidence
from checks.site_facts import homepage_first, html_pages
from checks.zh import GUOBAN_2019, area_texts

area_texts({
    "service.entry": ("在首页提供统一的办事服务入口，链接到政务服务平台。",
        GUOBAN_2019 + "：办事服务入口"),
    "service.guide_elements": ("办事指南应列明办理依据、条件、材料、流程、时限、收费、地点、咨询方式等要素。",
        GUOBAN_2019 + "：办事指南要素"),
}, reasons={
    "no_guide_pages": "没有办事指南页面",
})


@check("service.entry", "办事服务入口", "Online service entry", kinds="P", needs="crawl", unit="bool")
def entry(a: SiteArtifacts, t: dict) -> Finding:
    """1 if a link to 办事服务 / 政务服务 / 网上办事 or a 政务服务网 exists."""
    hits, where = homepage_first(a, "service")
    f = binary(bool(hits), "bool", found_on=where, links=[{"text": h["text"], "url": h["url"]} for h in hits[:5]])
    f.evidence = url_evidence(h["url"] for h in hits[:5] if h["url"])
    return f


@check("service.guide_elements", "办事指南要素", "Service guide elements", kinds="P", needs="crawl", unit="share",
       warn_below=1.0, fail_below=0.8, sample=20)
def guide_elements(a: SiteArtifacts, t: dict) -> Finding:
    """Share of the ten guide elements present on the sampled 办事指南 pages."""
    guides = [p for p in html_pages(a) if p.facts.get("guide")][: t["sample"]]
    if not guides:
        return not_applicable("no_guide_pages")
    total = sum(len(p.facts["guide"]["present"]) for p in guides)
    size = sum(len(p.facts["guide"]["present"]) + len(p.facts["guide"]["missing"]) for p in guides)
    share = round(total / size, 4)
    status = graded(share, fail_below=t["fail_below"], warn_below=t["warn_below"])
    f = Finding(status, share, "share", details={
        "pages": [{"url": p.url, "missing": p.facts["guide"]["missing"]} for p in guides]})
    lacking = [row for row in f.details["pages"] if row["missing"]]
    if lacking:
        f.details["table"] = table("要素不全的办事指南", [("url", "页面", "url"), ("missing", "缺少的要素", "codes")], lacking)
    f.evidence = url_evidence(p.url for p in guides if p.facts["guide"]["missing"])
    return f
