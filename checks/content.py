"""内容正确性: wording errors, typos, sensitive words, suspicious external links.
Every hit is a candidate for a person to confirm: URL, snippet and rule."""
from __future__ import annotations

from urllib.parse import urlsplit

from checks.artifacts import SiteArtifacts
from checks.base import Finding, check, graded, not_applicable, snippet_evidence, table
from core.content_rules import Matcher, host_allowed, load, user_list_exists
from checks.site_facts import html_pages, page_text
from checks.zh import GUIDE_2017, GUOBAN_2019, area_texts

area_texts({
    "content.wording_errors": ("核实并更正表中的严重表述错误（须经人工确认）。",
        GUOBAN_2019 + "：严重表述错误属单项否决（经人工确认）"),
    "content.typos": ("核实并更正表中的错别字。",
        GUOBAN_2019 + "：内容准确性"),
    "content.sensitive_words": ("核实并处理表中的敏感词。",
        GUOBAN_2019 + "：内容安全"),
    "content.external_links": ("清理指向非政府、商业或可疑网站的外链，外链应经审核。",
        GUIDE_2017 + "：外链管理"),
}, reasons={
    "no_list": "未配置敏感词表",
})


def _scan(a: SiteArtifacts, matcher: Matcher) -> tuple[list[dict], list[dict]]:
    """Distinct (rule, clause) hits over the crawled pages, with the pages showing each."""
    hits: dict[tuple[str, str], dict] = {}
    shown_on: dict[tuple[str, str], set[str]] = {}
    for p in html_pages(a):
        for rule, snippet, clause in matcher.find_in_clauses(f"{p.title} {page_text(p)}" if p.title else page_text(p)):
            key = (rule.label, clause)
            if key not in hits:
                hits[key] = {"rule": rule.label, "source": rule.source, "snippet": snippet, "url": p.url, "pages": 0}
            shown_on.setdefault(key, set()).add(p.url)
            hits[key]["pages"] = len(shown_on[key])
    rows = list(hits.values())
    evidence = [snippet_evidence(h["url"], h["snippet"], h["rule"]) for h in rows[:50]]
    return rows, evidence


def matches_table(details: dict) -> dict:
    """The matches of a content.wording_errors / typos / sensitive_words finding as a typed table."""
    return table("命中内容（候选，须人工确认）", [("snippet", "原文片段"), ("rule", "规则（错误 => 正确）"), ("url", "页面", "url"),
                                           ("pages", "出现页数", "number")],
                 details.get("matches") or [])


def _matches(rows: list[dict], **details) -> dict:
    out = {"matches": rows[:100], **details}
    if rows:
        out["table"] = matches_table(out)
    return out


def _text_check(a: SiteArtifacts, list_name: str, bad_status: str) -> Finding:
    rows, evidence = _scan(a, Matcher(load(list_name)))
    return Finding(graded(len(rows), **{f"{bad_status}_above": 0}), len(rows), "matches",   # fail_above / warn_above
                   details=_matches(rows, rules=len(load(list_name))), evidence=evidence)


@check("content.wording_errors", "严重表述错误", "Serious wording errors", kinds="P", needs="crawl", unit="matches")
def wording_errors(a: SiteArtifacts, t: dict) -> Finding:
    """Matches of the curated wrong forms of fixed political formulations and names."""
    return _text_check(a, "wording_errors.txt", "fail")


@check("content.typos", "常见错别字", "Common typos", kinds="P", needs="crawl", unit="matches")
def typos(a: SiteArtifacts, t: dict) -> Finding:
    """Matches of the curated confusion pairs (typos.txt, extendable in GOVAUDIT_RULES_DIR); warn if > 0. Each
    hit is a candidate for a person to confirm."""
    return _text_check(a, "typos.txt", "warn")


@check("content.sensitive_words", "敏感词", "Sensitive words", kinds="PDH", needs="crawl", unit="matches")
def sensitive_words(a: SiteArtifacts, t: dict) -> Finding:
    """Matches of the user's sensitive_words.txt (none is shipped)."""
    if not user_list_exists("sensitive_words.txt"):
        return not_applicable("no_list", hint="put sensitive_words.txt in GOVAUDIT_RULES_DIR")
    rows, evidence = _scan(a, Matcher(load("sensitive_words.txt", shipped=False)))
    return Finding(graded(len(rows), fail_above=0), len(rows), "matches", details=_matches(rows), evidence=evidence)


@check("content.external_links", "外链规范", "External link targets", kinds="P", needs="crawl", unit="links")
def external_links(a: SiteArtifacts, t: dict) -> Finding:
    """External targets outside the allowed domains whose page shows gambling or
    pornography keywords."""
    allowed = [r.wrong for r in load("allowed_domains.txt")] + list((a.site.hints or {}).get("allowed_domains") or [])
    own = {urlsplit(u).netloc.lower() for u in (a.site.url, a.homepage.final_url if a.homepage else "") if u}
    matcher = Matcher(load("suspicious_keywords.txt"))
    sources: dict[str, set[str]] = {}
    for link in a.links:
        if link.external:
            sources.setdefault(link.target_url, set()).add(link.source_url)
    checked = outside = 0
    suspicious, evidence = [], []
    for url, linked_from in sorted(sources.items()):
        host = (urlsplit(url).hostname or "").lower()
        if not host or urlsplit(url).netloc.lower() in own or host_allowed(host, allowed):
            continue
        outside += 1
        page = a.page(url)
        if page is None:
            continue
        content = " ".join(x for x in (page.title, page_text(page)) if x)
        if content:
            checked += 1
        hits = matcher.find(content, limit=3)
        if hits:
            suspicious.append({"url": url, "keywords": sorted({r.wrong for r, _ in hits}),
                               "linked_from": sorted(linked_from)[:5]})
            evidence.append(snippet_evidence(url, hits[0][1], hits[0][0].label))
    return Finding(graded(len(suspicious), fail_above=0), len(suspicious), "links",
                   details={"external_targets": len(sources), "outside_allowed": outside,
                            "with_content": checked, "suspicious": suspicious}, evidence=evidence)
