"""Helpers the crawl-based checks share: reading extractor facts off pages."""
from __future__ import annotations

from datetime import date
from typing import Any, Iterable

from checks.artifacts import PageArt, SiteArtifacts


def homepage_urls(a: SiteArtifacts) -> set[str]:
    """The homepage's URLs, with its aliases: crawled pages showing the very same
    text (/index.html linked as 首页 from a homepage served at /)."""
    home = a.homepage
    if home is None:
        return set()
    urls = {home.url, home.final_url} - {""}
    text = page_text(home)
    if text:
        urls.update(u for p in a.crawled_pages() if not p.is_homepage and page_text(p) == text
                    for u in (p.url, p.final_url) if u)
    return urls


def html_pages(a: SiteArtifacts) -> list[PageArt]:
    """Crawled pages that answered and were parsed (they carry facts); a homepage
    alias is the homepage, not one more page."""
    home = a.homepage
    aliases = homepage_urls(a) - {home.url} if home else set()
    return [p for p in a.crawled_pages() if p.ok and p.facts and (p.is_homepage or p.url not in aliases)]


def homepage_frames(a: SiteArtifacts) -> list[PageArt]:
    """Pages the homepage shows inside itself (iframe, frame): a footer or header
    served apart is part of the homepage a reader sees."""
    home = a.homepage
    if home is None:
        return []
    sources = {home.url, home.final_url}
    out = []
    for link in a.links:
        if link.tag == "iframe" and link.source_url in sources:
            p = find_page(a, link.target_url)
            if p is not None and p.role == "page" and p.ok and p.facts and p not in out and not p.is_homepage:
                out.append(p)
    return out


def homepage_view(a: SiteArtifacts) -> list[PageArt]:
    home = a.homepage
    return ([home] if home else []) + homepage_frames(a)


def home_facts(a: SiteArtifacts) -> dict[str, Any]:
    home = a.homepage
    return (home.facts or {}) if home else {}


def page_text(p: PageArt) -> str:
    return p.text or (p.facts or {}).get("text") or ""


def today(a: SiteArtifacts) -> date:
    return a.now.date()


def days_since(a: SiteArtifacts, iso: str | None) -> int | None:
    if not iso:
        return None
    return (today(a) - date.fromisoformat(iso[:10])).days


def feature_hits(a: SiteArtifacts, family: str, pages: Iterable[PageArt] | None = None) -> list[dict]:
    """Links of one keyword family (see crawler.extract.features) with the page they sit on."""
    out = []
    for p in pages if pages is not None else html_pages(a):
        for hit in ((p.facts or {}).get("features") or {}).get(family) or []:
            out.append({**hit, "page": p.url})
    return out


def homepage_first(a: SiteArtifacts, family: str) -> tuple[list[dict], str]:
    """Hits on the homepage (with its frames); else anywhere in the crawl, saying which."""
    hits = feature_hits(a, family, homepage_view(a))
    if hits:
        return hits, "homepage"
    hits = feature_hits(a, family)
    return hits, "site" if hits else "none"


def find_page(a: SiteArtifacts, url: str) -> PageArt | None:
    p = a.page(url)
    if p is not None:
        return p
    return next((q for q in a.pages if q.final_url == url), None)
