"""The site spider: crawls many sites at once, each within its page and depth
caps, records every fetched URL and every link (a, img, iframe) with its
status. Internal pages are crawled; images, attachments and external links
are checked (HEAD, then GET when HEAD fails), never parsed.

Open-data and hotline spiders subclass it and add their own walking.
"""
from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass, field
from typing import Any, Iterator
from collections import Counter
from urllib.parse import urlsplit

import scrapy
from scrapy import signals
from scrapy.exceptions import StopDownload
from scrapy.http import HtmlResponse, Response, TextResponse
from sqlalchemy import select
from sqlalchemy.orm import Session

from crawler import decode, errors, walls
from crawler.extract import parse as parse_html
from crawler.extract.links import host_of, path_of
from crawler.extract.script_redirect import script_redirect
from crawler.traps import TrapGuard
from core.urls import BadLink, normalize
from crawler.items import PageItem, PageRead, ReadPage, SiteDone
from crawler.reading import read_page
from crawler.storeproc import StoreFailed
from crawler.extract.attachment_text import attachment_format
from crawler.spiders.attachment_texts import AttachmentTexts, new_stats
from storage.db import get_engine
from storage.models import Site
from storage.runs import create_run, find_site

RESOURCE_EXT = re.compile(r"\.(jpe?g|png|gif|bmp|webp|svg|ico|mp4|mp3|flv|swf|avi|wmv)$", re.I)
KEEP_HEADERS = ("content-type", "server", "strict-transport-security", "content-security-policy",
                "x-frame-options", "x-content-type-options", "retry-after", "location", "last-modified")
EXTERNAL_TEXT_CAP = 5_000
PAGINATION_FOLLOW = 4      # next pages of a list followed at the list's depth
SCRIPT_HOPS = 3            # script redirects of a homepage followed (as a browser would)
READ_AHEAD = 16           # pages the storage process may have to read before the spider reads the next one itself
WALL_RECHECKS = 3          # times a 403 mid-crawl sends the crawl back to the homepage to see whether a wall went up


def trusted_external(url: str) -> bool:
    from core.content_rules import host_allowed, load
    return host_allowed(urlsplit(url).hostname or "", [r.wrong for r in load("allowed_domains.txt")])


@dataclass
class SiteState:
    site_id: int
    url: str
    kind: str
    hints: dict[str, Any]
    max_pages: int
    max_depth: int
    hosts: set[str] = field(default_factory=set)
    seen: set[str] = field(default_factory=set)
    pending: int = 0
    pages: int = 0
    done: bool = False
    homepage_final: str = ""
    homepage_error: str | None = None
    facts: dict[str, Any] = field(default_factory=dict)
    traps: TrapGuard = field(default_factory=TrapGuard)
    attachments: dict[str, Any] = field(default_factory=new_stats)
    skipped: Counter = field(default_factory=Counter)      # links not followed, by BadLink reason
    max_external: int = 500
    max_links: int = 1000
    fanout: Counter = field(default_factory=Counter)       # what the fan-out caps left out
    responses: int = 0                    # answers received (a wall met mid-crawl says after how many)
    wall: dict[str, Any] | None = None    # the wall's evidence once one answers instead of the site
    wall_suspect: dict[str, Any] | None = None   # a 403 waiting for the homepage re-check
    wall_checks: int = 0
    wall_settled: Any = None              # asyncio.Event, set when the homepage re-check has answered
    max_rps: float = 0.0                  # the site's `max_rps` hint (0: the global rate)
    script_hops: int = 0
    fetch: str = "http"                   # the site's `fetch` hint: http, or browser (crawler/fetch.py)

    def admit_page(self, url: str) -> bool:
        """False for a trap step or a URL already queued under another spelling."""
        return self.traps.admit(url)


def carried(meta: dict[str, Any]) -> dict[str, Any]:
    """Request meta a retry keeps."""
    return {"attachment_format": meta["attachment_format"]} if meta.get("attachment_format") else {}


def hint_rps(hints: dict[str, Any]) -> float:
    try:
        return max(0.0, float(hints.get("max_rps") or 0))
    except (TypeError, ValueError):
        return 0.0


def resolve_targets(settings, run_arg, sites_arg: str, site_arg: str) -> tuple[int, list[dict[str, Any]]]:
    """The run id and the registry rows to crawl: `-a run=ID -a sites=1,2,3`, or `-a site=URL_OR_ID`
    alone (a run of kind crawl is made for it)."""
    engine = get_engine(settings.get("GOVAUDIT_DATABASE_URL"))
    with Session(engine) as session:
        if site_arg:
            ids = [find_site(session, site_arg).id]
        else:
            ids = [int(x) for x in str(sites_arg).split(",") if x.strip()]
        if run_arg:
            run_id = int(run_arg)
        else:
            run_id = create_run(session, ids, only=["*"], options={"via": "scrapy crawl"}, kind="crawl").id
            session.commit()
        rows = session.execute(select(Site.id, Site.url, Site.kind, Site.hints)
                               .where(Site.id.in_(ids))).mappings().all()
    return run_id, [dict(r) for r in rows]


class SiteSpider(AttachmentTexts, scrapy.Spider):
    """The site crawl every kind builds on (`scrapy crawl site -a site=URL_OR_ID` or
    `-a run=ID -a sites=1,2,3`); portals use PortalSpider, which adds their message boards."""
    name = "site"
    kind = "portal"
    reads_pages_itself = False     # True: every page is read here (a kind whose walk needs each page's tree)

    def __init__(self, run: str | int | None = None, sites: str = "", site: str = "", *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.run_arg, self.sites_arg, self.site_arg = run, sites, site
        self.states: dict[int, SiteState] = {}

    @classmethod
    def from_crawler(cls, crawler, *args, **kwargs):
        spider = super().from_crawler(crawler, *args, **kwargs)
        crawler.signals.connect(spider.cap_homepage, signal=signals.headers_received)
        crawler.signals.connect(spider.cap_homepage, signal=signals.bytes_received)
        return spider

    def cap_homepage(self, request, data: bytes = b"", body_length: int = -1, **kwargs) -> None:
        """A homepage over the size cap is cut there, not failed: the site answered (its status is
        kept) but its content is not read (`too_large`). Other URLs keep Scrapy's DOWNLOAD_MAXSIZE
        failure (never downloaded whole)."""
        meta = request.meta
        if not meta.get("homepage"):
            return
        cap = meta.get("download_maxsize") or self.settings.getint("DOWNLOAD_MAXSIZE")
        meta["ga_bytes"] = meta.get("ga_bytes", 0) + len(data)
        if meta["ga_bytes"] > cap or (isinstance(body_length, int) and body_length > cap):   # length may be unknown
            meta["ga_truncated"] = cap
            raise StopDownload(fail=False)

    # -- start ---------------------------------------------------------
    async def start(self):
        for request in self.start_requests():
            yield request

    def start_requests(self) -> Iterator[scrapy.Request]:
        run_id, rows = resolve_targets(self.settings, self.run_arg, self.sites_arg, self.site_arg)
        self.run_id = run_id
        for row in rows:
            hints = row["hints"] or {}
            state = SiteState(row["id"], row["url"], row["kind"], hints,
                              int(hints.get("max_pages", self.settings.getint("GOVAUDIT_MAX_PAGES"))),
                              int(hints.get("max_depth", self.settings.getint("GOVAUDIT_MAX_DEPTH"))),
                              max_external=int(hints.get("max_external_links",
                                                         self.settings.getint("GOVAUDIT_MAX_EXTERNAL_LINKS", 500))),
                              max_links=int(hints.get("max_links_per_page",
                                                      self.settings.getint("GOVAUDIT_MAX_LINKS_PER_PAGE", 1000))))
            state.max_rps = hint_rps(hints)
            state.fetch = "browser" if hints.get("fetch") == "browser" else "http"
            try:
                entry = normalize(row["url"])
            except BadLink:
                entry = row["url"]       # refused by schedule(): the site ends with no homepage
            state.hosts.add(host_of(entry))
            state.admit_page(entry)
            self.states[state.site_id] = state
            yield from self.schedule(state, row["url"], role="page", depth=0, homepage=True)

    def schedule(self, state: SiteState, url: str, role: str, depth: int, homepage: bool = False,
                 method: str = "GET", attempt: int = 1, callback=None, **meta) -> Iterator[scrapy.Request]:
        if state.wall is not None:
            return                # a walled site is left alone: nothing more is asked of it
        try:
            url = normalize(url)      # the one form requests, pages and links are keyed by
        except BadLink as bad:
            state.skipped[bad.reason] += 1
            return
        state.pending += 1
        state.seen.add(url)
        if role == "page" and attempt == 1:
            state.pages += 1
        m = {"site_id": state.site_id, "role": role, "ga_depth": depth, "homepage": homepage,
             "attempt": attempt, **meta}
        if state.max_rps and role != "external":
            m["ga_max_rps"] = state.max_rps        # the site's own rate (crawler/slots.py)
        if (state.fetch == "browser" or meta.get("ga_fetch") == "browser") and role != "external":
            m["ga_fetch"] = "browser"              # through Chromium (crawler/fetch.py)
        if role != "page" or state.hints.get("obey_robots") is False:
            # robots.txt governs crawling; checking that a linked URL answers is not crawling it
            m["dont_obey_robotstxt"] = True
        priority = 10 if homepage else (5 - depth if role == "page" else -depth)
        yield scrapy.Request(url, method=method, callback=callback or self.on_response, errback=self.on_error,
                             dont_filter=True, meta=m, priority=priority)

    # -- responses -----------------------------------------------------
    async def on_response(self, response: Response):
        state = self.states[response.meta["site_id"]]
        state.responses += 1
        for out in self.handle_response(state, response):
            if not isinstance(out, ReadPage):
                yield out
                continue
            try:
                read = await self.reader().read(out)
            except StoreFailed:
                break             # nothing more of this crawl can be stored (the pipeline closes the spider)
            self.note_read(state, read)
            for follow_up in self.follow_read(state, response, out.item, read):
                yield follow_up
        # a page is pending until what it leads to is scheduled: its site is not done while it is read elsewhere
        state.pending -= 1
        for done in self.maybe_done(state):
            yield done

    def on_error(self, failure):
        request = failure.request
        state = self.states[request.meta["site_id"]]
        state.pending -= 1
        kind, message = errors.classify(failure)
        meta = request.meta
        if meta["role"] == "wallcheck":
            state.wall_suspect = None      # the homepage did not answer: no evidence of a wall either way
            state.wall_settled.set()
        elif state.wall is not None:
            pass                           # dropped or failed after the wall went up: nothing to judge
        elif kind in errors.RETRYABLE and meta["attempt"] == 1:
            yield from self.schedule(state, meta.get("redirect_urls", [request.url])[0], meta["role"], meta["ga_depth"], meta["homepage"],
                                     "GET", 2, request.callback if request.callback != self.on_response else None,
                                     **carried(meta))
        else:
            if meta["homepage"]:
                state.homepage_error = kind
            # keyed by the URL that was linked, as for answered requests; a redirect's failing target is final_url
            yield PageItem(run_id=self.run_id, site_id=state.site_id, url=meta.get("redirect_urls", [request.url])[0],
                           final_url=request.url, role=meta["role"],
                           depth=meta["ga_depth"], is_homepage=meta["homepage"], error_kind=kind,
                           attempts=meta["attempt"], facts={"error": message})
        yield from self.maybe_done(state)

    def handle_response(self, state: SiteState, response: Response) -> Iterator[Any]:
        meta = response.meta
        role, attempt = meta["role"], meta["attempt"]
        status = response.status
        if role == "wallcheck":
            self.wall_rechecked(state, response)
            return
        if status >= 400 and not meta["homepage"] and role != "external" and host_of(response.url) in state.hosts:
            # a challenge or a rate wall is one before any retry; a 403 sends the crawl back to the homepage
            item = self.base_item(state, response)
            yield from self.watch_for_wall(state, response, item)
            if state.wall is not None:
                yield item
                return
        if status >= 400 and attempt == 1 and not (meta["homepage"] and status in (403, 429)):
            # HEAD refused or a transient failure: one more try, with GET.
            yield from self.schedule(state, response.request.url, role, meta["ga_depth"], meta["homepage"], "GET", 2,
                                     response.request.callback if response.request.callback != self.on_response else None,
                                     **carried(meta))
            return
        item = self.base_item(state, response)
        if meta.get("ga_truncated") and "download_stopped" in response.flags:
            item.error_kind = "too_large"
            item.facts = {"truncated": True, "cap_bytes": meta["ga_truncated"],
                          "error": f"the homepage is larger than the {meta['ga_truncated']}-byte size cap"}
            state.homepage_final, state.homepage_error = response.url, "too_large"
            yield item
            return
        if state.wall is not None:
            item.facts = {**item.facts, "after_wall": True}     # answered after the wall went up: kept, never judged or followed
            yield item
            return
        if role == "external" and status < 400 and response.body and self.is_html(response):
            self.note_external(item, response)
        if role != "page" or not self.is_html(response) or status >= 400:
            if meta["homepage"]:
                self.note_homepage(state, response, item, html=False)
            if meta.get("attachment_format") and status < 400 and not self.is_html(response):
                yield from self.attachment_answered(state, response, item, meta["attachment_format"])
                return
            yield item
            return
        if meta["homepage"]:
            state.hosts.add(host_of(response.url))
        elif host_of(response.url) not in state.hosts:
            item.role = "external"      # redirected off-site: checked, not parsed
            yield item
            return
        text = decode.response_text(response)
        item.encoding = decode.used_encoding(response, text)
        item.html = text
        request = ReadPage(item, frozenset(state.hosts), state.max_links, None if meta["homepage"] else {
            "status": status, "headers": self.wall_headers(response), "after_requests": state.responses,
            "cookies": response.headers.getlist("Set-Cookie")})
        reader = None if meta["homepage"] or self.reads_pages_itself else self.reader()
        if reader is not None and reader.reading < READ_AHEAD:
            yield request       # read and stored by the storage process; on_response follows its answer
            return
        # read here: the homepage, a kind that reads every page itself, or while the storage
        # process has enough to read (so both processes read pages when reading is the slower side)
        tree = parse_html(text)
        read = read_page(request, tree)
        self.note_read(state, read)
        if meta["homepage"]:
            self.note_homepage(state, response, item, html=True, tree=tree, text=text)
            if item.error_kind == "blocked":
                yield item
                return
            hop = script_redirect(tree, response.url) if state.script_hops < SCRIPT_HOPS else None
            if hop is not None:
                # the page sends the visitor on by script: follow it as a browser would, as a redirect of the
                # homepage (its own row is the target's, as for an HTTP redirect); a computed target is run in Chromium
                state.script_hops += 1
                chain = [*meta.get("redirect_urls", []), response.url]
                yield from self.schedule(state, hop["target"] or response.url, "page", 0, homepage=True,
                                         redirect_urls=chain, redirected_by="script",
                                         **({} if hop["target"] else {"ga_fetch": "browser"}))
                return
        yield item
        yield from self.follow_read(state, response, item, read, tree)

    def reader(self):
        """The storage process, which reads pages for the spider (crawler/reading.py), or None when
        the store runs in this process (GOVAUDIT_STORE_PROCESS=0, tests)."""
        store = getattr(self.crawler, "govaudit_store", None)
        return store if getattr(store, "reads_pages", False) else None

    @staticmethod
    def note_read(state: SiteState, read: PageRead) -> None:
        """What the site's crawl facts count of a read page: the links no browser could fetch, those
        over the per-page cap, and the wall the page turned out to be."""
        state.skipped.update(read.skipped)
        if read.links_over_cap:
            state.fanout["pages_over_link_cap"] += 1
            state.fanout["links_not_stored"] += read.links_over_cap
        if read.wall is not None and state.wall is None:
            state.wall = read.wall

    def follow_read(self, state: SiteState, response: Response, item: PageItem, read: PageRead,
                    tree=None) -> Iterator[Any]:
        """What a read page leads to: its links, its list's next pages and the kind's own requests.
        `tree` is None when the storage process read the page."""
        if read.wall is not None:
            return
        item.title, item.links = read.title, read.links     # what the kind's own walk reads of the page
        yield from self.follow(state, response, read.links)
        yield from self.follow_pagination(state, response, read.pagination)
        yield from self.extra_requests(state, response, tree, item)

    def extra_requests(self, state: SiteState, response: Response, tree, item: PageItem) -> Iterator[Any]:
        """Hook for kind-specific spiders (catalogues, message lists)."""
        return iter(())

    def note_external(self, item: PageItem, response: Response) -> None:
        """Title and some text of a linked external page (content.external_links reads them)."""
        tree = parse_html(decode.response_text(response))
        item.title = (tree.findtext(".//title") or "").strip()[:500]
        body = tree.find("body")
        item.text = " ".join(" ".join((body if body is not None else tree).itertext()).split())[:EXTERNAL_TEXT_CAP]

    def base_item(self, state: SiteState, response: Response) -> PageItem:
        meta = response.meta
        headers = {}
        for key in KEEP_HEADERS:
            value = response.headers.get(key)
            if value is not None:
                headers[key] = value.decode("latin-1")
        return PageItem(run_id=self.run_id, site_id=state.site_id, url=response.request.meta.get("redirect_urls", [response.url])[0],
                        final_url=response.url, role=meta["role"], status=response.status, depth=meta["ga_depth"],
                        is_homepage=meta["homepage"], content_type=headers.get("content-type", ""),
                        headers=headers, elapsed_ms=int(1000 * meta.get("download_latency", 0)),
                        attempts=meta["attempt"], warc=meta.get("warc"),
                        facts={k: v for k, v in (("fetched_by", "browser" if meta.get("ga_fetch") else None),
                                                 ("redirected_by", meta.get("redirected_by"))) if v})

    def note_homepage(self, state: SiteState, response: Response, item: PageItem, html: bool,
                      tree=None, text: str | None = None) -> None:
        state.homepage_final = response.url
        if text is None:
            evidence = self.wall_evidence(response)
        else:
            evidence = walls.recognise(response.status, self.wall_headers(response), text, tree,
                                       response.headers.getlist("Set-Cookie"))
        self.note_wall(state, response, item, evidence)
        if state.wall is not None:
            state.homepage_error = "blocked"

    # -- walls -----------------------------------------------------------
    @staticmethod
    def wall_headers(response: Response) -> dict[str, str]:
        return {k: response.headers.get(k, b"").decode("latin-1") for k in ("server", "cf-mitigated")}

    def wall_evidence(self, response: Response, refusal_is_wall: bool = True) -> dict | None:
        """walls.recognise() on a response whose text the spider has not decoded yet."""
        text = decode.response_text(response) if isinstance(response, TextResponse) else ""
        tree = parse_html(text) if text and self.is_html(response) else None
        return walls.recognise(response.status, self.wall_headers(response), text, tree,
                               response.headers.getlist("Set-Cookie"), refusal_is_wall=refusal_is_wall)

    def note_wall(self, state: SiteState, response: Response, item: PageItem | None, evidence: dict | None) -> None:
        """The site is walled from this answer on: its page row (if the answer is a page) says so and
        nothing more is fetched."""
        if evidence is None or state.wall is not None:
            return
        evidence = {**evidence, "url": response.url, "homepage": bool(response.meta.get("homepage")),
                    "after_requests": state.responses}
        state.wall = evidence
        if item is not None:
            item.error_kind = "blocked"
            item.facts = {**item.facts, "wall": evidence}

    def watch_for_wall(self, state: SiteState, response: Response, item: PageItem | None) -> Iterator[scrapy.Request]:
        """A refusal or challenge met after the homepage (a rate wall, a wall after N requests), on a page
        or on a side request (a list API: crawler/spiders/side_requests.py). A 429 or a challenge is a
        wall at once; a 403 only when the homepage, asked again, answers 403 too (a person would reload
        the homepage to tell a forbidden page from a wall)."""
        status = response.status
        if status < 400 or (response.request.method == "HEAD" and status != 429):
            return      # a refused HEAD (405…) says nothing: its GET retry is judged
        evidence = self.wall_evidence(response, refusal_is_wall=False)
        if evidence is not None:
            self.note_wall(state, response, item, evidence)
        elif status == 403 and response.meta["role"] in ("page", "side") and state.wall_suspect is None \
                and state.wall_checks < WALL_RECHECKS:
            state.wall_checks += 1
            state.wall_suspect = {"url": response.url, "status": status, "after_requests": state.responses}
            state.wall_settled = asyncio.Event()      # the site's other requests wait for the answer (crawler/fetch.py)
            # a slot of its own: the re-check must not queue behind the requests it holds back
            yield from self.schedule(state, state.homepage_final or state.url, "wallcheck", 0,
                                     download_slot="wallcheck:" + host_of(state.homepage_final or state.url))

    def wall_rechecked(self, state: SiteState, response: Response) -> None:
        suspect, state.wall_suspect = state.wall_suspect, None
        state.wall_settled.set()
        evidence = self.wall_evidence(response)
        if evidence is not None and suspect is not None and state.wall is None:
            state.wall = {**evidence, "url": suspect["url"], "homepage": False, "after_requests": suspect["after_requests"],
                          "confirmed_by": f"the homepage, asked again, answered {evidence['reason']}"}

    @staticmethod
    def is_html(response: Response) -> bool:
        ctype = response.headers.get("Content-Type", b"").decode("latin-1").lower()
        if isinstance(response, HtmlResponse) or "html" in ctype:
            return True
        return not ctype and isinstance(response, TextResponse)

    # -- links ---------------------------------------------------------
    def follow(self, state: SiteState, response: Response, links: list[dict[str, str]]) -> Iterator[scrapy.Request]:
        depth = response.meta["ga_depth"]
        for link in links:
            target = link["target_url"]
            external = link["external"]
            if target in state.seen:
                continue
            if external:
                if state.fanout["external_checked"] >= state.max_external:
                    state.seen.add(target)      # counted once
                    state.fanout["external_unchecked"] += 1
                    continue
                state.fanout["external_checked"] += 1
                # Outside the trusted domains the page itself is read (GET), to spot a hijacked target.
                method = "HEAD" if trusted_external(target) else "GET"
                yield from self.schedule(state, target, "external", depth + 1, method=method)
            elif link["tag"] in ("img", "attachment") or RESOURCE_EXT.search(path_of(target)):
                fmt = attachment_format(target) if link["tag"] == "attachment" else None
                yield from self.schedule(state, target, "resource", depth + 1, method="HEAD",
                                         **({"attachment_format": fmt} if fmt else {}))
            elif depth + 1 <= state.max_depth and state.pages < state.max_pages and state.admit_page(target):
                yield from self.schedule(state, target, "page", depth + 1)

    def follow_pagination(self, state: SiteState, response: Response, pagination: list[str]) -> Iterator[scrapy.Request]:
        """A column's next pages (also those a JS pager would write) at the list's own depth, so the
        column's count and dates are known even where the depth cap would stop plain links."""
        depth = response.meta["ga_depth"]
        for target in pagination[:PAGINATION_FOLLOW]:
            if target in state.seen or host_of(target) not in state.hosts or state.pages >= state.max_pages \
                    or not state.admit_page(target):
                continue
            yield from self.schedule(state, target, "page", depth)

    # -- end of a site ---------------------------------------------------
    def maybe_done(self, state: SiteState) -> Iterator[SiteDone]:
        if state.pending == 0 and not state.done:
            state.done = True
            yield SiteDone(run_id=self.run_id, site_id=state.site_id, facts=self.site_facts(state))

    def site_facts(self, state: SiteState) -> dict[str, Any]:
        return {"kind": state.kind, "entry_url": state.url, "homepage_final": state.homepage_final,
                "homepage_error": state.homepage_error, "pages_requested": state.pages, "wall": state.wall,
                "fetch": state.fetch,
                "max_pages": state.max_pages, "max_depth": state.max_depth,
                "traps": state.traps.report(),
                "attachment_texts": state.attachments,
                "links_skipped": dict(sorted(state.skipped.items())),
                "fanout": {"max_external_links": state.max_external, "max_links_per_page": state.max_links,
                           **{k: state.fanout[k] for k in ("external_checked", "external_unchecked",
                                                           "pages_over_link_cap", "links_not_stored")}},
                "user_agent": self.settings.get("USER_AGENT"),
                "obey_robots": state.hints.get("obey_robots") is not False and self.settings.getbool("ROBOTSTXT_OBEY"),
                **state.facts}

    def closed(self, reason):
        for state in self.states.values():
            state.done = True
