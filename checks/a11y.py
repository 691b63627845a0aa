"""无障碍 (crawl part): image alternative text and the page language."""
from __future__ import annotations

from checks.artifacts import SiteArtifacts
from checks.base import Finding, check, graded, not_applicable, url_evidence
from checks.site_facts import html_pages
from checks.zh import GBT_37668, area_texts

area_texts({
    "a11y.img_alt": ("为内容图片添加准确的替代文本（alt）。",
        GBT_37668),
    "a11y.html_lang": ("为页面声明语言属性（如 lang=\"zh-CN\"）。",
        GBT_37668),
}, reasons={
    "no_content_images": "没有内容图片",
    "no_article_pages": "没有文章页面",
})


@check("a11y.img_alt", "图片替代文本", "Image alternative text", kinds="PDH", needs="crawl", unit="share",
       warn_below=0.9)
def img_alt(a: SiteArtifacts, t: dict) -> Finding:
    """Share of content images (not spacers or role=presentation) with a non-empty alt."""
    content = with_alt = 0
    lacking = []
    for p in html_pages(a):
        im = p.facts.get("images") or {}
        content += im.get("content", 0)
        with_alt += im.get("with_alt", 0)
        if im.get("missing_alt"):
            lacking.append({"page": p.url, "images": im["missing_alt"][:5]})
    if not content:
        return not_applicable("no_content_images")
    share = round(with_alt / content, 4)
    f = Finding(graded(share, warn_below=t["warn_below"]), share, "share",
                details={"images": content, "with_alt": with_alt, "lacking": lacking[:20]})
    f.evidence = url_evidence(x["page"] for x in lacking[:10])
    return f


@check("a11y.html_lang", "页面语言", "Page language declared", kinds="PDH", needs="crawl", unit="share",
       warn_below=1.0)
def html_lang(a: SiteArtifacts, t: dict) -> Finding:
    """Share of crawled HTML pages declaring `<html lang>`; warn below 1.0; `not_applicable` without pages."""
    pages = html_pages(a)
    if not pages:
        return not_applicable("no_pages")
    without = [p.url for p in pages if not p.facts.get("lang")]
    share = round((len(pages) - len(without)) / len(pages), 4)
    f = Finding(graded(share, warn_below=t["warn_below"]), share, "share",
                details={"pages": len(pages), "without_lang": len(without), "examples": without[:20]})
    f.evidence = url_evidence(without[:10])
    return f
