"""Reading a crawled HTML page once: one parse gives the links the crawl stores and
follows, the page's full-audit facts and its text (crawler/extract). The spider reads
the homepage itself (a wall and a script redirect are judged on it); the storage
process reads the other pages (crawler/storeproc.py), so the Scrapy process does no
HTML work for them and each page is parsed once."""
from __future__ import annotations

from crawler import walls
from crawler.extract import extract_page, parse
from crawler.extract.links import host_of, page_links
from crawler.items import PageRead, ReadPage


def read_page(request: ReadPage, tree=None) -> PageRead:
    """Fill `request.item` (links, title, facts, text; its HTML dropped) and say what the spider
    follows. `tree` is the page's parse when the caller has it already."""
    item = request.item
    text = item.html or ""
    if tree is None:
        tree = parse(text)
    links, skipped = page_links(tree, text, item.final_url or item.url, item.encoding)
    item.title = (tree.findtext(".//title") or "").strip()[:500]
    over = max(0, len(links) - request.max_links)
    if over:
        # a page with 100,000 links: the first ones in page order are stored and followed, the rest counted
        item.facts = {**item.facts, "links_not_stored": over}
        links = links[:request.max_links]
    read = PageRead(token=request.token, title=item.title, skipped=dict(skipped), links_over_cap=over)
    wall = request.wall
    if wall is not None and sum(1 for link in links if link["tag"] == "a") <= walls.FEW_LINKS:
        evidence = walls.recognise(wall["status"], wall["headers"], text, tree, wall["cookies"])
        if evidence is not None:
            read.wall = {**evidence, "url": item.final_url or item.url, "homepage": False,
                         "after_requests": wall["after_requests"]}
            item.error_kind = "blocked"
            item.facts = {**item.facts, "wall": read.wall}
            item.html = None          # a wall's page: nothing of it is judged or followed
            return read
    for link in links:
        link["external"] = host_of(link["target_url"]) not in request.hosts
    item.links = read.links = links
    extract_page(item, tree)
    read.pagination = (item.facts.get("list") or {}).get("pagination") or []
    return read
