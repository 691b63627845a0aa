"""The crawl's storage process: the crawl's store (crawler/store.py: page
extraction, database writes, the site-level derivation) beside the Scrapy process.

Scrapy runs on one core; a page's full-audit extraction (page_facts) and
storing it were about a third of the crawl's CPU. The storage pipeline forks
this process when the spider opens (nothing is imported again) and hands it
the items and the responses to archive (WARC) over a pipe, in batches and in
crawl order: a response's record is written before its page row, and a site's
SiteDone is stored after all of its pages, so a site still counts as gathered
only when everything of it is committed. (The spider leaves an item alone once
yielded.)

The process dies with the crawl (PR_SET_PDEATHSIG): a killed crawl leaves its
unfinished sites pending, as before. A full pipe makes the crawl wait
(memory stays bounded when storing is the slower side).
"""
from __future__ import annotations

import ctypes
import multiprocessing
import os
import pickle
import signal
import traceback

from crawler.items import SiteDone

BATCH = 32               # items per message: a message's cost (a pickle, a write, a wake-up) is paid once per batch
PR_SET_PDEATHSIG = 1


class StoreProcess:
    def __init__(self, db_url: str, data_dir: str | None = None):
        # os.fork, not multiprocessing.Process: a Celery pool process counts as daemonic there,
        # and daemonic processes may not start children
        reader, self.conn = multiprocessing.Pipe(duplex=False)
        self.batch: list = []
        self.failed = False
        self.pid = os.fork()
        if self.pid == 0:
            code = 1
            try:
                self.conn.close()
                serve(reader, db_url, data_dir)
                code = 0
            except BaseException:
                traceback.print_exc()
            finally:
                os._exit(code)
        reader.close()

    def send(self, item) -> None:
        self.batch.append(item)
        if len(self.batch) >= BATCH or isinstance(item, SiteDone):
            self.flush()

    def flush(self) -> None:
        batch, self.batch = self.batch, []
        if batch:
            self._write(batch)

    def _write(self, message) -> None:
        # a blocking write: when storing is the slower side the crawl waits (bounded memory)
        if self.failed:
            return
        try:
            self.conn.send_bytes(pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL))
        except (BrokenPipeError, OSError):
            self.failed = True

    def close(self) -> bool:
        """Everything sent is stored (True), or the process failed (False)."""
        self.flush()
        self._write(None)
        self.conn.close()
        _, status = os.waitpid(self.pid, 0)
        return not self.failed and os.waitstatus_to_exitcode(status) == 0


def _die_with_parent() -> None:
    try:
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    except OSError:
        pass


def serve(conn, db_url: str, data_dir: str | None) -> None:
    _die_with_parent()
    from crawler.store import CrawlStore
    from storage import db
    for engine in db._engines.values():      # the crawl's pooled connections are not ours to use
        engine.dispose(close=False)
    db._engines.clear()
    store = CrawlStore(db_url, data_dir)
    try:
        while True:
            batch = pickle.loads(conn.recv_bytes())
            if batch is None:
                break
            for item in batch:
                store.send(item)
    finally:
        store.close()
