"""Downloader middlewares.

- BackoffMiddleware, for hostile servers: back off on 429/503 as the server asks (Retry-After,
  seconds or an HTTP date), a bounded number of times, and never wait longer than
  GOVAUDIT_RETRY_AFTER_MAX seconds. The wait holds the whole server's slot, not only the request
  that got the answer.
- MetaRefreshMiddleware: Scrapy's, without decoding the pages that cannot hold a refresh."""
from __future__ import annotations

import asyncio
import codecs
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime

from scrapy.downloadermiddlewares.redirect import MetaRefreshMiddleware as ScrapyMetaRefresh
from scrapy.http import HtmlResponse

from crawler.slots import push_back

BACKOFF_STATUSES = (429, 503)


def retry_after(value: bytes | str | None, default: float) -> float:
    """Seconds to wait from a Retry-After header value (default when absent or unreadable)."""
    if value is None:
        return default
    text = value.decode("latin-1") if isinstance(value, bytes) else value
    text = text.strip()
    if text.isdigit():
        return float(text)
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return default
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return max(0.0, (when - datetime.now(timezone.utc)).total_seconds())


class BackoffMiddleware:
    def __init__(self, max_wait: float, max_tries: int, stats=None, crawler=None):
        self.max_wait, self.max_tries, self.stats, self.crawler = max_wait, max_tries, stats, crawler
        self.strikes: dict[str, int] = {}      # slot -> backoff answers in a row (one count for the whole server)

    @classmethod
    def from_crawler(cls, crawler):
        s = crawler.settings
        return cls(s.getfloat("GOVAUDIT_RETRY_AFTER_MAX", 30.0), s.getint("GOVAUDIT_BACKOFF_TRIES", 3), crawler.stats,
                   crawler)

    async def process_response(self, request, response, spider=None):
        # the site's own requests share one count per server (robots.txt, fetched first, has its own tries)
        slot = request.meta.get("download_slot", "") if "site_id" in request.meta else ""
        if response.status not in BACKOFF_STATUSES:
            self.strikes.pop(slot, None)
            return response
        tries = request.meta.get("ga_backoff", 0)
        self.strikes[slot] = self.strikes.get(slot, 0) + 1
        if tries >= self.max_tries or (slot and self.strikes[slot] > self.max_tries):
            return response          # the server kept refusing after waiting as asked: a rate wall (crawler/walls.py)
        wait = retry_after(response.headers.get("Retry-After"), default=float(2 ** tries))
        if wait > self.max_wait:
            return response          # the server asks for longer than a run can wait: report what it said
        if self.stats is not None:
            self.stats.inc_value("govaudit/backoff")
        if self.crawler is not None and request.meta.get("download_slot"):
            push_back(self.crawler.engine.downloader, request.meta["download_slot"], wait)   # the whole server waits
        await asyncio.sleep(wait)
        retry = request.replace(dont_filter=True)
        retry.meta["ga_backoff"] = tries + 1
        return retry


# Encodings that write each character on its own and every ASCII character as its own byte: in them
# a text that holds "refresh" is a body whose bytes hold b"refresh".
_ASCII_SELF = frozenset({"ascii", "utf-8", "gb18030", "gbk", "gb2312", "big5", "big5hkscs", "cp1252", "iso8859-1"})
_WIDE_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE, codecs.BOM_UTF32_BE)   # UTF-32 LE's starts as UTF-16 LE's
# Scrapy reads a refresh in a page's first 4,096 characters: at most 4 bytes each, after a 3-byte BOM
_REFRESH_SCAN = 4 * 4096 + 3


def _ascii_self(encoding: str) -> bool:
    try:
        return codecs.lookup(encoding).name in _ASCII_SELF
    except LookupError:
        return False


class MetaRefreshMiddleware(ScrapyMetaRefresh):
    """Scrapy's meta-refresh redirects, same answers, without decoding most pages.

    Scrapy decodes every whole HTML body to look for `<meta http-equiv="refresh">` in its first
    4,096 characters: 5 % of the crawl process's CPU on pages of the real corpus's size. A page
    whose first bytes do not spell "refresh", in an encoding where they would have to, has none:
    it is passed on as it came. Any other page goes through Scrapy's own reading."""

    def process_response(self, request, response, spider=None):
        if isinstance(response, HtmlResponse) and not response.body.startswith(_WIDE_BOMS) \
                and b"refresh" not in response.body[:_REFRESH_SCAN].lower() and _ascii_self(response.encoding):
            return response
        return super().process_response(request, response)
