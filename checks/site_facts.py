"""Helpers the crawl-based checks share: reading extractor facts off pages."""
from __future__ import annotations

from datetime import date
from typing import Any, Iterable

from checks.artifacts import PageArt, SiteArtifacts


def html_pages(a: SiteArtifacts) -> list[PageArt]:
    """Crawled pages that answered and were parsed (they carry facts)."""
    return [p for p in a.crawled_pages() if p.ok and p.facts]


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
    """Hits on the homepage; else anywhere in the crawl, saying which."""
    home = a.homepage
    hits = feature_hits(a, family, [home] if home else [])
    if hits:
        return hits, "homepage"
    hits = feature_hits(a, family)
    return hits, "site" if hits else "none"


def find_page(a: SiteArtifacts, url: str) -> PageArt | None:
    p = a.page(url)
    if p is not None:
        return p
    return next((q for q in a.pages if q.final_url == url), None)
