"""The Scrapy item pipeline: hands every item to the crawl's store (crawler/store.py).

With `GOVAUDIT_STORE_PROCESS` (the default) the store runs in a second process
(crawler/storeproc.py), which also writes the WARC records, so the crawl uses both
cores; with GOVAUDIT_STORE_PROCESS=0 it runs here. A storage failure is reported the
Scrapy way: the stat `govaudit/store_failed` (crawler.run exits non-zero on it), and a
store that died mid-crawl closes the spider (reason `store_failed`)."""
from __future__ import annotations

import logging

from scrapy.utils.defer import deferred_from_coro

from crawler.items import PageItem, SiteDone
from crawler.store import CrawlStore

log = logging.getLogger(__name__)
STORE_FAILED = "govaudit/store_failed"      # the stat that says why the crawl's storage failed


class StoragePipeline:
    def __init__(self, crawler):
        self.crawler = crawler
        settings = crawler.settings
        self.url, self.data_dir = settings.get("GOVAUDIT_DATABASE_URL"), settings.get("GOVAUDIT_DATA_DIR")
        self.offload = settings.getbool("GOVAUDIT_STORE_PROCESS")
        self.store = None          # a CrawlStore, or the StoreProcess that runs one
        self.done: set[int] = set()
        self.run_id: int | None = None

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def open_spider(self, spider=None):
        if not self.offload:
            self.store = CrawlStore(self.url, self.data_dir)
            return
        from crawler.storeproc import StoreProcess
        try:
            self.store = StoreProcess(self.url, self.data_dir, on_failure=self.store_died)
        except Exception as exc:
            # Scrapy logs it and the crawl does not start; the crawl must not look successful
            self.crawler.stats.set_value(STORE_FAILED, f"the storage process did not start: {exc}")
            raise
        # the WARC middleware sends its records there too, and the spider the pages it reads (crawler/reading.py)
        self.crawler.govaudit_store = self.store

    def store_died(self) -> None:
        """The storage process is gone: nothing more of this crawl can be stored."""
        if not self.crawler.stats.get_value(STORE_FAILED):
            self.crawler.stats.set_value(STORE_FAILED, "the storage process died")
            deferred_from_coro(self.crawler.engine.close_spider_async(reason="store_failed"))

    def process_item(self, item, spider=None):
        if isinstance(item, (PageItem, SiteDone)):
            self.run_id = item.run_id
        if isinstance(item, SiteDone):
            self.done.add(item.site_id)
        self.store.send(item)
        return item

    def close_spider(self, spider=None):
        # The crawl ended normally: sites that never reported done (e.g. no requests) are finished here.
        states = getattr(spider, "states", {}) if spider is not None else {}
        for site_id, state in states.items():
            if site_id not in self.done and self.run_id is not None:
                self.done.add(site_id)
                self.store.send(SiteDone(run_id=self.run_id, site_id=site_id, facts=spider.site_facts(state)))
        if not self.store.close():
            self.crawler.stats.set_value(STORE_FAILED, self.crawler.stats.get_value(STORE_FAILED)
                                         or "the storage process failed")
            log.error("the storage process failed: the crawl's unfinished sites stay pending")
