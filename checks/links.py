"""链接可用性: failing link targets on the homepage and elsewhere."""
from __future__ import annotations

from collections import defaultdict

from checks.artifacts import PageArt, SiteArtifacts
from checks.base import Finding, check, graded, table
from checks.site_facts import homepage_frames, homepage_urls
from checks.zh import GUOBAN_2019, area_texts

area_texts({
    "links.dead_homepage": ("逐条修复或删除首页上的错误链接（见下表的目标地址与原因）。",
        GUOBAN_2019 + "：首页链接可用性"),
    "links.dead_site": ("逐条修复或删除表中页面上的错误链接，并定期巡检链接。",
        GUOBAN_2019 + "：其他页面链接可用性"),
})

CONFIRMED = {404, 403, 410}
NOT_TESTED = {"refused", "robots", "ignored", "not_fetched", "too_large"}   # we did not (or may not) test it: not dead


def failing(page: PageArt | None) -> str | None:
    """Why a target counts as failing after its retry, or None (ok or untested)."""
    if page is None:
        return None
    why = page.failure
    if why in NOT_TESTED or why is None:
        return None
    return why


def _dead_targets(a: SiteArtifacts, sources: set[str] | None, exclude: set[str] | None = None):
    """({target: (reason, status, [sources])}, unchecked details or None) for links from `sources`
    (None: any non-homepage page)."""
    # The homepage as a reader sees it: its aliases and the pages it shows in frames (a footer iframe).
    home_urls = homepage_urls(a) | {p.url for p in homepage_frames(a)}
    dead: dict[str, list[str]] = defaultdict(list)
    unchecked: set[str] = set()
    source_pages: set[str] = set()
    for link in a.links:
        from_home = link.source_url in home_urls
        if sources is not None and not from_home:
            continue
        if sources is None and from_home:
            continue
        source_pages.add(link.source_url)
        target = a.page(link.target_url)
        if target is None and link.external:
            unchecked.add(link.target_url)
        if failing(target) and link.source_url not in dead[link.target_url]:
            dead[link.target_url].append(link.source_url)
    dead_targets = {t: (failing(a.page(t)), a.page(t).status, src) for t, src in dead.items()}
    return dead_targets, _unchecked(a, unchecked, source_pages)


def _unchecked(a: SiteArtifacts, externals: set[str], source_pages: set[str]) -> dict | None:
    """What the crawl's fan-out caps left unchecked among these links, with the reason: external
    targets beyond the per-site cap, and links beyond the per-page cap (never stored)."""
    fanout = (a.probes.get("crawl") or {}).get("fanout") or {}
    not_stored = sum((p.facts or {}).get("links_not_stored", 0) for p in a.pages
                     if p.role == "page" and (p.url in source_pages or p.final_url in source_pages))
    if not externals and not not_stored:
        return None
    return {"external_targets": len(externals), "links_not_stored": not_stored,
            "reason": f"over the crawl's fan-out caps: {fanout.get('max_external_links')} external targets checked "
                      f"per site (max_external_links), {fanout.get('max_links_per_page')} links stored per page "
                      f"(max_links_per_page)",
            "examples": sorted(externals)[:20]}


VERDICT_WORDS = {"confirmed": "确认", "suspected": "疑似"}


def dead_link_table(details: dict) -> dict:
    """The dead targets of a links.dead_* finding's details as a typed table."""
    confirmed = set(details.get("confirmed") or [])
    return table("错误链接", [("url", "目标地址", "url"), ("reason", "HTTP 状态或原因", "code"),
                             ("linked_from", "所在页面", "urls"), ("verdict", "判定", "code", {"words": VERDICT_WORDS})],
                 [{**t, "verdict": "confirmed" if t.get("url") in confirmed else "suspected"}
                  for t in details.get("targets") or []])


def _finding(found: tuple[dict, dict | None], with_sources: bool) -> Finding:
    dead, unchecked = found
    confirmed = sorted(t for t, (_, status, _) in dead.items() if status in CONFIRMED)
    suspected = sorted(t for t in dead if t not in confirmed)
    details = {"confirmed": confirmed, "suspected": suspected,
               "targets": [{"url": t, "reason": why, "linked_from": src[:20]} for t, (why, _, src) in sorted(dead.items())]}
    if unchecked:
        details["unchecked"] = unchecked
    if dead:
        details["table"] = dead_link_table(details)
    evidence = []
    for target, (why, _, src) in sorted(dead.items())[:100]:
        item = {"kind": "url", "ref": target, "reason": why}
        if with_sources:
            item["linked_from"] = src[:10]
        evidence.append(item)
    return Finding(graded(len(dead), fail_above=0), len(dead), "links", details, evidence)


@check("links.dead_homepage", "首页链接可用性", "Dead links on the homepage", kinds="PDH", needs="crawl", unit="links")
def dead_homepage(a: SiteArtifacts, t: dict) -> Finding:
    """Distinct failing targets (a, img, attachments, external) referenced by the homepage, after one retry.
    details split `confirmed` (404/403/410) and `suspected` (timeouts, connection errors, other statuses);
    `unchecked` counts what the crawl's fan-out caps left out (never counted as dead or alive)."""
    return _finding(_dead_targets(a, sources=set()), with_sources=False)


@check("links.dead_site", "其他页面链接可用性", "Dead links on other pages", kinds="PDH", needs="crawl", unit="links")
def dead_site(a: SiteArtifacts, t: dict) -> Finding:
    """Distinct failing targets referenced by any crawled page other than the homepage; evidence names the
    pages linking to each; `unchecked` as for links.dead_homepage."""
    return _finding(_dead_targets(a, sources=None), with_sources=True)
