"""How a site's requests are fetched (Scrapy's download handler for http/https).

Plain HTTP by default (Scrapy's own handler). Nothing at all for a site a wall
answered for: requests it still had queued when the wall went up are dropped
as they reach the front of the queue, so the crawl leaves the site alone; while
a 403 is being re-checked on the homepage, the site's other requests wait."""
from __future__ import annotations

import asyncio

from scrapy.core.downloader.handlers.http11 import HTTP11DownloadHandler
from scrapy.exceptions import IgnoreRequest


class SiteDownloadHandler(HTTP11DownloadHandler):
    def __init__(self, crawler):
        super().__init__(crawler)
        self.crawler = crawler

    def _state(self, request):
        states = getattr(self.crawler.spider, "states", None) or {}
        return states.get(request.meta.get("site_id"))

    async def download_request(self, request):
        state = self._state(request)
        if state is not None and request.meta.get("role") != "wallcheck":
            settled = state.wall_settled
            if settled is not None and not settled.is_set():     # a 403 is being re-checked on the homepage
                await asyncio.wait_for(settled.wait(), self.crawler.settings.getfloat("DOWNLOAD_TIMEOUT") * 2)
            if state.wall is not None:
                raise IgnoreRequest("the site is walled")
        return await super().download_request(request)
