"""Plain data a check reads: one site's gathered artifacts of one run.

Built from storage by `storage.artifacts.load_site_artifacts`, or by hand in
tests. Nothing here touches the network or the database.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any


@dataclass
class SiteInfo:
    id: int
    url: str
    name: str
    kind: str                      # portal | open_data | hotline
    unit: str = ""
    hints: dict[str, Any] = field(default_factory=dict)


@dataclass
class PageArt:
    """One fetched URL: a crawled page, a checked resource or external link."""
    url: str
    status: int | None = None      # HTTP status of the final response
    error_kind: str | None = None  # timeout, dns, tls, connection, too_many_redirects, blocked…
    final_url: str = ""
    role: str = "page"             # page (crawled), resource (img/attachment), external
    depth: int = 0
    is_homepage: bool = False
    content_type: str = ""
    title: str = ""
    text: str = ""                 # visible text (capped), for content checks
    headers: dict[str, str] = field(default_factory=dict)
    facts: dict[str, Any] = field(default_factory=dict)   # extractor output
    elapsed_ms: int | None = None
    attempts: int = 1
    warc: dict[str, Any] | None = None   # {"file":…, "offset":…, "length":…}

    @property
    def ok(self) -> bool:
        return self.error_kind is None and self.status is not None and self.status < 400

    @property
    def failure(self) -> str | None:
        """Why this URL counts as failing (None when it answered < 400)."""
        if self.error_kind:
            return self.error_kind
        if self.status is None:
            return "not_fetched"
        if self.status >= 400:
            return f"http_{self.status}"
        return None


@dataclass
class LinkArt:
    source_url: str
    target_url: str
    tag: str = "a"                 # a | img | iframe | script | link | attachment
    text: str = ""
    external: bool = False


@dataclass
class ColumnArt:
    url: str
    name: str
    type: str = "other"            # dynamic notice policy personnel planning interpretation other
    newest_date: str | None = None  # ISO date
    item_count: int = 0
    blank: bool = False
    details: dict[str, Any] = field(default_factory=dict)


@dataclass
class MessageArt:
    url: str
    title: str = ""
    submitted_at: str | None = None   # ISO date(time)
    replied_at: str | None = None
    status: str = ""
    reply_unit: str = ""
    follow_up: bool = False
    satisfaction: str = ""
    details: dict[str, Any] = field(default_factory=dict)   # details.status_replied: what the status says

    @property
    def replied(self) -> bool | None:
        """Whether a reply is published: a reply time, or a 办理状态 the extractor read as replied
        (details.status_replied). None when a status is shown but its reading was not stored
        (rows of runs before it was): unknown, not unanswered."""
        if self.replied_at:
            return True
        if not self.status:
            return False
        if "status_replied" not in self.details:
            return None
        return self.details["status_replied"] is True


@dataclass
class DatasetArt:
    url: str
    title: str = ""
    summary: str = ""
    provider: str = ""
    frequency: str = ""
    updated_at: str | None = None
    open_condition: str = ""
    formats: list[str] = field(default_factory=list)
    has_api: bool = False
    download_url: str = ""
    download_ok: bool | None = None   # None: not sampled
    details: dict[str, Any] = field(default_factory=dict)


@dataclass
class SampleArt:
    taken_at: str
    ok: bool
    status: int | None = None
    elapsed_ms: int | None = None
    error_kind: str | None = None


@dataclass
class SiteArtifacts:
    site: SiteInfo
    run_id: int | None = None
    now: datetime = field(default_factory=lambda: datetime.now(timezone.utc))
    gathered: set[str] = field(default_factory=set)   # crawl, monitor, net, probe:search…
    pages: list[PageArt] = field(default_factory=list)
    links: list[LinkArt] = field(default_factory=list)
    columns: list[ColumnArt] = field(default_factory=list)
    messages: list[MessageArt] = field(default_factory=list)
    datasets: list[DatasetArt] = field(default_factory=list)
    samples: list[SampleArt] = field(default_factory=list)
    probes: dict[str, dict[str, Any]] = field(default_factory=dict)  # name -> result
    site_facts: dict[str, Any] = field(default_factory=dict)          # spider-level facts (kind-specific)

    @property
    def homepage(self) -> PageArt | None:
        return next((p for p in self.pages if p.is_homepage), None)

    def page(self, url: str) -> PageArt | None:
        return self._by_url().get(url)

    def crawled_pages(self) -> list[PageArt]:
        return [p for p in self.pages if p.role == "page"]

    def _by_url(self) -> dict[str, PageArt]:
        cache = self.__dict__.get("_url_index")
        if cache is None or len(cache) != len(self.pages):
            cache = {p.url: p for p in self.pages}
            self.__dict__["_url_index"] = cache
        return cache
