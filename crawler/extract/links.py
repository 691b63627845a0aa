"""The links of a crawled page, as the crawl stores and follows them: every a, img,
iframe, frame and area (and the entries a Hanweb column writes by script), each
resolved once as a browser would (core/urls.py)."""
from __future__ import annotations

import re
from collections import Counter
from functools import lru_cache
from urllib.parse import urlsplit

from core.urls import BadLink, link_target
from crawler.extract.datastore import datastore_tree
from crawler.extract.html import link_label

ATTACHMENT_EXT = re.compile(r"\.(pdf|docx?|xlsx?|wps|et|pptx?|zip|rar|7z|csv|ofd|txt|json|xml|tif)$", re.I)


# netloc and path of an http(s) URL, cut where urlsplit cuts them; what urlsplit would clean (tabs,
# newlines), check (non-ASCII, IPv6 brackets) or refuse is not matched and goes to urlsplit
_PLAIN_HTTP = re.compile(r"https?://([^/?#\[\]]*)(?=[/?#]|\Z)([^?#]*)")
_CLEANED = re.compile(r"[\t\n\r]")


def _netloc_path(url: str) -> tuple[str, str]:
    """urlsplit(url)'s netloc and path, for every link of every page: the regular expression costs a
    quarter of urlsplit, so the caches below stay small (a cache as large as a site's URLs held
    20 MB in each crawl process of a 20,000-page site) and still answer a page's repeated links."""
    if url.isascii() and not _CLEANED.search(url):
        plain = _PLAIN_HTTP.match(url)
        if plain:
            return plain.group(1), plain.group(2)
    parts = urlsplit(url)
    return parts.netloc, parts.path


@lru_cache(maxsize=4096)
def host_of(url: str) -> str:
    return _netloc_path(url)[0].lower()


@lru_cache(maxsize=4096)
def path_of(url: str) -> str:
    return _netloc_path(url)[1]


def page_links(tree, text: str, page_url: str, encoding: str | None) -> tuple[list[dict[str, str]], Counter]:
    """The page's links in page order, one per (target, tag), and the links no browser could
    fetch, counted by reason (core.urls.BadLink). `text` is the page's HTML, `tree` its parse."""
    base = page_url
    base_href = tree.find(".//base[@href]")
    if base_href is not None:
        try:
            base = link_target(base, base_href.get("href").strip(), encoding)
        except BadLink:
            pass
    found: dict[tuple[str, str], dict[str, str]] = {}
    skipped: Counter = Counter()
    store = datastore_tree(text)      # a Hanweb column's entries, written by script
    elements = [*tree.iter("a", "img", "iframe", "frame", "area"),
                *(store.iter("a", "img") if store is not None else ())]
    for el in elements:
        attr = "src" if el.tag in ("img", "iframe", "frame") else "href"
        raw = (el.get(attr) or "").strip()
        if not raw or raw[0] == "#":
            continue
        try:
            target = link_target(base, raw, encoding)
        except BadLink as bad:
            skipped[bad.reason] += 1
            continue
        tag = "a" if el.tag == "area" else "iframe" if el.tag == "frame" else el.tag
        if tag == "a" and ATTACHMENT_EXT.search(path_of(target)):
            tag = "attachment"
        key = (target, tag)
        if key not in found:
            label = el.get("alt") if el.tag == "img" else link_label(el) if el.tag == "a" else "".join(el.itertext())
            found[key] = {"target_url": target, "tag": tag, "text": " ".join((label or "").split())[:200]}
    return list(found.values()), skipped
