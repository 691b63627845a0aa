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
    # decoded HTML whose facts (and text) the storage pipeline extracts; None once extracted
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
