"""The crawl's storage process: page extraction, database writes and the
site-level derivation, beside the Scrapy process.

Scrapy runs on one core; a page's full-audit extraction (page_facts) and
storing it were about a third of the crawl's CPU. The storage pipeline forks
this process when the spider opens (nothing is imported again) and hands it
the items, pickled at once (the spider keeps using its objects) and sent in
batches, in crawl order: a site's SiteDone is stored after all of its pages,
so a site still counts as gathered only when everything of it is committed.
(Archiving the responses there too cost more in pickling than it saved.)

The process dies with the crawl (PR_SET_PDEATHSIG): a killed crawl leaves its
unfinished sites pending, as before. A full queue makes the crawl wait
(memory stays bounded when storing is the slower side).
"""
from __future__ import annotations

import ctypes
import logging
import multiprocessing
import pickle
import queue
import signal

from crawler.items import SiteDone

log = logging.getLogger(__name__)
BATCH = 32               # items per message: the queue's per-message cost is paid once per batch
QUEUE_BATCHES = 64       # batches in flight at most
PR_SET_PDEATHSIG = 1


class StoreProcess:
    def __init__(self, db_url: str):
        ctx = multiprocessing.get_context("fork")
        self.queue = ctx.Queue(maxsize=QUEUE_BATCHES)
        self.batch: list[bytes] = []
        self.failed = False
        self.proc = ctx.Process(target=serve, args=(self.queue, db_url), name="govaudit-store", daemon=True)
        self.proc.start()

    def send(self, item) -> None:
        self.batch.append(pickle.dumps(item, protocol=pickle.HIGHEST_PROTOCOL))
        if len(self.batch) >= BATCH or isinstance(item, SiteDone):
            self.flush()

    def flush(self) -> None:
        batch, self.batch = self.batch, []
        if batch:
            self._put(batch)

    def _put(self, message) -> None:
        while not self.failed:
            try:
                self.queue.put(message, timeout=1.0)
                return
            except queue.Full:
                if not self.proc.is_alive():
                    self.failed = True

    def close(self) -> bool:
        """Everything sent is stored (True), or the process failed (False)."""
        self.flush()
        self._put(None)
        self.queue.close()
        self.queue.join_thread()
        self.proc.join()
        return not self.failed and self.proc.exitcode == 0


def _die_with_parent() -> None:
    try:
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    except OSError:
        pass


def serve(q, db_url: str) -> None:
    _die_with_parent()
    from crawler.pipelines import StoragePipeline
    from storage import db
    for engine in db._engines.values():      # the crawl's pooled connections are not ours to use
        engine.dispose(close=False)
    db._engines.clear()
    pipeline = StoragePipeline(db_url)
    pipeline.open_spider()
    while True:
        batch = q.get()
        if batch is None:
            break
        for data in batch:
            pipeline.store_item(pickle.loads(data))
