"""Items the spiders yield; the storage pipeline writes them."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class PageItem:
    run_id: int
    site_id: int
    url: str
    role: str = "page"
    final_url: str = ""
    status: int | None = None
    error_kind: str | None = None
    depth: int = 0
    is_homepage: bool = False
    content_type: str = ""
    encoding: str | None = None
    title: str = ""
    text: str = ""
    headers: dict[str, str] = field(default_factory=dict)
    facts: dict[str, Any] = field(default_factory=dict)
    elapsed_ms: int | None = None
    attempts: int = 1
    warc: dict[str, Any] | None = None
    links: list[dict[str, Any]] = field(default_factory=list)
    # decoded HTML, until the page is read (crawler/reading.py: links, facts and text); None once read
    html: str | None = None


@dataclass
class RowsItem:
    """Extracted rows of another table (messages, datasets) for one site."""
    run_id: int
    site_id: int
    table: str                 # "messages" | "datasets"
    rows: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class SiteDone:
    """The crawl of one site has ended; `facts` are its site-level crawl facts."""
    run_id: int
    site_id: int
    facts: dict[str, Any] = field(default_factory=dict)


@dataclass
class ReadPage:
    """A crawled HTML page (`item.html` set) to be read once — its links, facts and text, from one
    parse (crawler/reading.py) — and stored. The storage process reads the pages the spider
    hands it this way and answers each with a PageRead the spider follows."""
    item: PageItem
    hosts: frozenset[str]                 # the site's own hosts: a link elsewhere is external
    max_links: int                        # links stored and followed, in page order
    wall: dict[str, Any] | None = None    # status, headers, cookies, after_requests: a page with
                                          # (almost) no links is judged as a possible wall
    token: int = 0                        # pairs the answer with the request


@dataclass
class PageRead:
    """What the spider needs of a page it did not read itself."""
    token: int = 0
    title: str = ""
    links: list[dict[str, Any]] = field(default_factory=list)
    pagination: list[str] = field(default_factory=list)
    skipped: dict[str, int] = field(default_factory=dict)   # links no browser could fetch, by reason
    links_over_cap: int = 0
    wall: dict[str, Any] | None = None    # the wall this page turned out to be
