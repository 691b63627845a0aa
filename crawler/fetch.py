"""How a site's requests are fetched (Scrapy's download handler for http/https).

Plain HTTP by default (Scrapy's own handler). Nothing at all for a site a wall
answered for: requests it still had queued when the wall went up are dropped
as they reach the front of the queue, so the crawl leaves the site alone; while
a 403 is being re-checked on the homepage, the site's other requests wait.

Through the real browser for a site whose registry hint says `fetch: browser`
(an evaluator's authorised audit of a walled site, and a homepage that sends
the visitor on by a computed script): Chromium loads each page with the honest
User-Agent in one context per site, so a challenge runs as the site intends and
its cookie serves the site's later pages; links and attachments are checked
with that context's own request client (same cookies). The site's slot then
has one request in flight and GOVAUDIT_BROWSER_PACE seconds between requests:
a person's pace (crawler/slots.py). The page given to the spider is the DOM
after the page's scripts ran, as a person sees it."""
from __future__ import annotations

import asyncio
import logging
import time

from scrapy.core.downloader.handlers.http11 import HTTP11DownloadHandler
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Headers
from scrapy.responsetypes import responsetypes

log = logging.getLogger(__name__)
CHALLENGE_WAIT_MS = 8000      # a challenge's reload must come within this


class BrowserFetcher:
    """One Chromium for the crawl (crawler.probes.pool: the same guard as the probes), a context per site."""

    def __init__(self, settings):
        self.settings = settings
        self.pool = None
        self.contexts: dict[int, tuple[object, object]] = {}     # site id -> (context manager, context)
        self.lock = asyncio.Lock()

    async def context(self, site_id: int):
        async with self.lock:
            if self.pool is None:
                from crawler.probes.pool import BrowserPool
                self.pool = BrowserPool(self.settings.get("GOVAUDIT_CHROMIUM") or "", contexts=64,
                                        user_agent=self.settings.get("USER_AGENT"),
                                        allow_private=self.settings.getbool("GOVAUDIT_ALLOW_PRIVATE"),
                                        allow_hosts=self.settings.getlist("GOVAUDIT_ALLOW_HOSTS"))
                await self.pool.__aenter__()
            if site_id not in self.contexts:
                manager = self.pool.context()
                self.contexts[site_id] = (manager, await manager.__aenter__())
            return self.contexts[site_id][1]

    async def close(self) -> None:
        for manager, _ in self.contexts.values():
            try:
                await manager.__aexit__(None, None, None)
            except Exception:
                log.warning("closing a browser context failed", exc_info=True)
        self.contexts.clear()
        if self.pool is not None:
            await self.pool.__aexit__(None, None, None)
            self.pool = None

    async def fetch(self, request):
        ctx = await self.context(request.meta["site_id"])
        timeout_ms = 1000 * self.settings.getfloat("DOWNLOAD_TIMEOUT")
        if request.method == "GET" and request.meta.get("role") == "page":
            return await self.page(ctx, request, timeout_ms)
        from crawler.netguard import arefusal, Refused
        why = await arefusal(request.url)
        if why:       # the context's request client is not routed through the guard: checked here
            raise Refused(why)
        # the context's cookie jar (the challenge's cookie) is the one that counts, not Scrapy's
        headers = {k.decode("latin-1"): b", ".join(v).decode("latin-1") for k, v in request.headers.items()
                   if k.lower() not in (b"cookie", b"accept-encoding")}
        answer = await ctx.request.fetch(request.url, method=request.method, data=request.body or None,
                                         headers=headers, max_redirects=0, timeout=timeout_ms, fail_on_status_code=False)
        body = await answer.body() if request.method != "HEAD" else b""
        return self.response(request, answer.url, answer.status, answer.headers_array, body)

    async def page(self, ctx, request, timeout_ms: float):
        from crawler import walls
        from crawler.extract.html import parse
        page = await ctx.new_page()
        last = {}

        def on_response(response):
            if response.request.is_navigation_request() and response.frame == page.main_frame:
                last["response"] = response
        page.on("response", on_response)
        try:
            await page.goto(request.url, wait_until="load", timeout=timeout_ms)
            if request.meta.get("redirected_by") == "script":      # the page's script sends the visitor on
                try:
                    await page.wait_for_url(lambda url: url != request.url, timeout=CHALLENGE_WAIT_MS)
                except Exception:
                    pass      # it did not: the page is what it is
            deadline = time.monotonic() + CHALLENGE_WAIT_MS / 1000
            while True:
                # a challenge page's script sets its cookie and reloads, as the site intends: wait for the site
                try:
                    await page.wait_for_load_state("load", timeout=CHALLENGE_WAIT_MS)
                    html = await page.content()
                except Exception:      # the document went away under us: a navigation is under way
                    html = None
                if html is not None:
                    status = last["response"].status if "response" in last else 200
                    if walls.recognise(status, {}, html, parse(html)) is None or time.monotonic() > deadline:
                        break
                elif time.monotonic() > deadline:
                    html = await page.content()
                    break
                await asyncio.sleep(0.25)
            answer = last.get("response")
            headers = await answer.headers_array() if answer is not None else []
            headers = [h for h in headers if h["name"].lower() not in ("content-encoding", "content-length",
                                                                       "content-type", "transfer-encoding")]
            headers.append({"name": "Content-Type", "value": "text/html; charset=utf-8"})
            return self.response(request, page.url, answer.status if answer is not None else 200, headers,
                                 html.encode("utf-8"))
        finally:
            await page.close()

    @staticmethod
    def response(request, url: str, status: int, headers: list[dict], body: bytes):
        scrapy_headers = Headers()
        for h in headers:
            scrapy_headers.appendlist(h["name"], h["value"])
        cls = responsetypes.from_args(headers=scrapy_headers, url=url, body=body)
        return cls(url=url, status=status, headers=scrapy_headers, body=body, request=request)


class SiteDownloadHandler(HTTP11DownloadHandler):
    def __init__(self, crawler):
        super().__init__(crawler)
        self.crawler = crawler

    def _state(self, request):
        states = getattr(self.crawler.spider, "states", None) or {}
        return states.get(request.meta.get("site_id"))

    def _browser(self) -> BrowserFetcher:
        # one per crawl, shared by the http and https handlers
        if getattr(self.crawler, "govaudit_browser", None) is None:
            self.crawler.govaudit_browser = BrowserFetcher(self.crawler.settings)
        return self.crawler.govaudit_browser

    async def download_request(self, request):
        state = self._state(request)
        if state is not None and request.meta.get("role") != "wallcheck":
            settled = state.wall_settled
            if settled is not None and not settled.is_set():     # a 403 is being re-checked on the homepage
                await asyncio.wait_for(settled.wait(), self.crawler.settings.getfloat("DOWNLOAD_TIMEOUT") * 2)
            if state.wall is not None:
                raise IgnoreRequest("the site is walled")
        if request.meta.get("ga_fetch") == "browser" or (
                state is not None and state.fetch == "browser" and request.meta.get("role") != "external"):
            return await self._browser().fetch(request)      # also the site's JSON lists and attachment texts
        return await super().download_request(request)

    async def close(self) -> None:
        browser = getattr(self.crawler, "govaudit_browser", None)
        if browser is not None:
            self.crawler.govaudit_browser = None
            await browser.close()
        await super().close()
