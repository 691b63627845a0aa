"""Pure extractors: decoded HTML → facts. No network, no database.

`page_facts` runs on every crawled HTML page (keep it fast: one lxml tree is
shared by all extractors); `derive_site` runs once per site at the end of
its crawl, over all stored pages and links."""
from __future__ import annotations

from typing import Any

_SKIP_TEXT = {"script", "style", "noscript", "template"}


def parse(text: str):
    import lxml.html
    try:
        return lxml.html.document_fromstring(text or "<html></html>")
    except Exception:
        return None


def visible_text(tree) -> str:
    if tree is None:
        return ""
    parts = []
    for el in tree.iter():
        if not isinstance(el.tag, str):
            if el.tail:
                parts.append(el.tail)
            continue
        if el.tag in _SKIP_TEXT:
            if el.tail:
                parts.append(el.tail)
            continue
        if el.text and el.tag not in _SKIP_TEXT:
            parts.append(el.text)
        if el.tail:
            parts.append(el.tail)
    return " ".join(" ".join(parts).split())


def page_facts(url: str, text: str, headers: dict[str, str], is_homepage: bool, tree=None) -> dict[str, Any]:
    """Facts of one page. `tree` is the lxml document when the caller has parsed it already."""
    tree = tree if tree is not None else parse(text)
    facts: dict[str, Any] = {}
    if tree is None:
        return facts
    html = tree if tree.tag == "html" else tree.getroottree().getroot()
    facts["lang"] = (html.get("lang") or html.get("xml:lang") or "").strip()
    meta = {}
    for el in tree.iter("meta"):
        name = (el.get("name") or "").strip()
        if name:
            meta[name] = (el.get("content") or "").strip()
    facts["meta"] = meta
    return facts


def derive_site(pages: list, links: list) -> dict[str, Any]:
    """Site-level facts from all pages and links of one crawl (columns…)."""
    return {"columns": []}
