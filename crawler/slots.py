"""Politeness per server: download slots, their rate floors and AutoThrottle.

The unit of politeness is the server, host:port. Scrapy keys its slots by host
name only, so sites that share a host on different ports (several government
systems behind one address, or a test farm on 127.0.0.1) would share one slot;
keying by host:port gives each server its own, and sites on the same host and
port share one, which is the politeness we want. A real site on the default
port is keyed by its host name alone, as Scrapy does.

Each slot has at most GOVAUDIT_HOST_CONCURRENCY requests in flight (2) and a
delay between request starts of at least 1 / GOVAUDIT_MAX_RPS (5 per second),
raised by a site's `max_rps` hint and by its robots.txt `Crawl-delay` (never
lowered by AutoThrottle, which aims at 1.5 requests in flight from the
latencies it sees). A Retry-After pushes the whole slot back, not only the
request that got it (crawler/middlewares.py)."""
from __future__ import annotations

from time import monotonic

from scrapy import signals
from scrapy.core.downloader import Downloader
from scrapy.extensions.throttle import AutoThrottle
from scrapy.utils.defer import deferred_from_coro
from scrapy.utils.httpobj import urlparse_cached


def raise_floor(downloader, key: str, delay: float, concurrency: int | None = None) -> None:
    """At least `delay` seconds between request starts on slot `key` (and at most `concurrency` in flight),
    now and for a slot made again later (never below the global DOWNLOAD_DELAY: a hint can slow a site
    down, not speed it up)."""
    floor = downloader.per_slot_settings.setdefault(key, {})
    floor["delay"] = max(float(floor.get("delay", 0.0)), delay, downloader.settings.getfloat("DOWNLOAD_DELAY"))
    if concurrency is not None:
        floor["concurrency"] = concurrency
    slot = downloader.slots.get(key)
    if slot is not None:
        slot.delay = max(slot.delay, floor["delay"])
        if concurrency is not None:
            slot.concurrency = concurrency


class SlotDownloader(Downloader):
    """Scrapy's downloader, keeping each slot's concurrency when there is no delay between requests
    (GOVAUDIT_MAX_RPS=0). Scrapy 2.19 starts a download as an asyncio task and counts it as
    transferring only once the task runs, so one pass over a slot's queue started every request
    queued there: 102 in flight to one server where 16 were allowed (bench.crawl), and the
    connections beyond the pool's 16 were closed after one request each. With a delay Scrapy
    starts one request a pass, and its own loop is kept."""

    def get_slot_key(self, request) -> str:
        """host:port for a URL with an explicit port, else Scrapy's key (the host, or the request's
        `download_slot`). The scheduler's queue (DownloaderAwarePriorityQueue) asks this too, before
        any middleware has seen the request."""
        if self.DOWNLOAD_SLOT not in request.meta:
            parts = urlparse_cached(request)
            if parts.port:
                return f"{parts.hostname}:{parts.port}"
        return super().get_slot_key(request)

    def _process_queue(self, slot) -> None:
        if slot.latercall or slot.download_delay():
            super()._process_queue(slot)
            return
        while slot.queue and slot.free_transfer_slots() > 0:
            slot.lastseen = monotonic()
            request, queue_dfd = slot.queue.popleft()
            slot.transferring.add(request)      # counted now, not when the task first runs
            deferred_from_coro(self._wait_for_download(slot, request, queue_dfd))


def push_back(downloader, key: str, wait: float) -> None:
    """The server asked for `wait` seconds of quiet (Retry-After): no request starts on the slot before.
    The slot's delay is raised to `wait`; AutoThrottle brings it down again as answers come back."""
    slot = downloader.slots.get(key)
    if slot is not None:
        slot.delay = max(slot.delay, wait)
        slot.lastseen = monotonic()


class SiteSlotMiddleware:
    def __init__(self, crawler=None):
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def process_request(self, request, spider=None):
        if self.crawler is None:
            return None
        downloader = self.crawler.engine.downloader
        max_rps = request.meta.get("ga_max_rps")
        if max_rps:      # the site's own hint: slower than the global rate
            raise_floor(downloader, downloader.get_slot_key(request), 1.0 / max_rps)
        if request.meta.get("ga_fetch") == "browser":      # one page at a time, at a person's pace
            raise_floor(downloader, downloader.get_slot_key(request),
                        self.crawler.settings.getfloat("GOVAUDIT_BROWSER_PACE"), concurrency=1)
        return None


class PoliteThrottle(AutoThrottle):
    """Scrapy's AutoThrottle that keeps each slot at or above its floor (the site's `max_rps`, its
    Crawl-delay) and reads Crawl-delay from every robots.txt the crawl fetches (capped at
    AUTOTHROTTLE_MAX_DELAY, so a robots.txt cannot stall a round). Off in the unthrottled mode
    (GOVAUDIT_MAX_RPS=0), as AutoThrottle is."""

    def __init__(self, crawler):
        super().__init__(crawler)
        crawler.signals.connect(self._robots_parsed, signal=signals.robots_parsed)

    def _response_downloaded(self, response, request, spider=None) -> None:
        super()._response_downloaded(response, request, spider)
        key = request.meta.get("download_slot")
        downloader = self.crawler.engine.downloader
        floor = downloader.per_slot_settings.get(key, {}).get("delay")
        slot = downloader.slots.get(key)
        if floor and slot is not None and slot.delay < floor:
            slot.delay = floor

    def _robots_parsed(self, robotparser, request) -> None:
        user_agent = self.crawler.settings.get("ROBOTSTXT_USER_AGENT") or self.crawler.settings.get("USER_AGENT")
        try:
            delay = robotparser.crawl_delay(user_agent)
        except (AttributeError, NotImplementedError, ValueError, TypeError):
            return
        if delay:
            downloader = self.crawler.engine.downloader
            raise_floor(downloader, downloader.get_slot_key(request), min(float(delay), self.maxdelay))
