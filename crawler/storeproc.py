"""The crawl's storage process: the crawl's store (crawler/store.py: page
reading, database writes, the site-level derivation) beside the Scrapy process.

Scrapy runs on one core. The spider hands this process most pages after the
homepage as a ReadPage (it reads a page itself while enough wait here): this
process parses the page once for its links, facts and text (crawler/reading.py),
stores it, and answers with the links and next pages the spider follows (a
PageRead, on a second pipe); the Scrapy process does no HTML work for those pages.
Items and the responses to archive (WARC) go over the first pipe, widened to
1 MB, in batches and in crawl order: a response's record is written before
its page row, and a site's SiteDone is stored after all of its pages, so a site
still counts as gathered only when everything of it is committed. (The spider
leaves an item alone once yielded.) The storage pipeline forks this process when
the spider opens (nothing is imported again).

The process dies with the crawl (PR_SET_PDEATHSIG): a killed crawl leaves its
unfinished sites pending, as before. A full pipe makes the crawl wait (memory
stays bounded when storing is the slower side); the answers are sent by a thread
of their own, so this process never waits on the crawl while the crawl waits on it.
"""
from __future__ import annotations

import asyncio
import fcntl
import gc
import itertools
import multiprocessing
import os
import pickle
import queue
import threading
import traceback

from core.lifetime import die_with_parent
from crawler.items import ReadPage, SiteDone

BATCH = 32               # items per message: a message's cost (a pickle, a write, a wake-up) is paid once per batch
F_SETPIPE_SZ = getattr(fcntl, "F_SETPIPE_SZ", 1031)
PIPE_SIZE = 1 << 20          # /proc/sys/fs/pipe-max-size by default


class StoreFailed(Exception):
    """The storage process is gone: nothing more of the crawl can be stored or read."""


class StoreProcess:
    reads_pages = True      # the spider hands it pages to read (ReadPage)

    def __init__(self, db_url: str, data_dir: str | None = None, on_failure=None):
        # os.fork, not multiprocessing.Process: a Celery pool process counts as daemonic there,
        # and daemonic processes may not start children
        reader, self.conn = multiprocessing.Pipe(duplex=False)
        self.answers, answers_out = multiprocessing.Pipe(duplex=False)
        widen(self.conn)
        self.batch: list = []
        self.failed = False
        self.on_failure = on_failure          # called once when the process is found gone
        self.waiting: dict[int, asyncio.Future] = {}
        self.tokens = itertools.count(1)
        self.loop: asyncio.AbstractEventLoop | None = None
        self.flush_soon = False
        gc.freeze()       # the collector of either process would otherwise write to every shared object
        self.pid = os.fork()
        if self.pid == 0:
            code = 1
            try:
                self.conn.close()
                self.answers.close()
                serve(reader, answers_out, db_url, data_dir)
                code = 0
            except BaseException:
                traceback.print_exc()
            finally:
                os._exit(code)
        reader.close()
        answers_out.close()

    @property
    def reading(self) -> int:
        """Pages handed to it and not answered yet."""
        return len(self.waiting)

    def read(self, request: ReadPage) -> asyncio.Future:
        """The page read and stored there; the future's result is its PageRead."""
        loop = asyncio.get_running_loop()
        if self.loop is None:
            self.loop = loop
            loop.add_reader(self.answers.fileno(), self._take_answers)
        answer = loop.create_future()
        if self.failed:
            answer.set_exception(StoreFailed())
            return answer
        request.token = next(self.tokens)
        self.waiting[request.token] = answer
        self.batch.append(request)
        if not self.flush_soon:
            # every page read in this turn of the loop goes in one message, sent before the loop waits
            self.flush_soon = True
            loop.call_soon(self._flush_soon)
        return answer

    def _flush_soon(self) -> None:
        self.flush_soon = False
        self.flush()

    def _take_answers(self) -> None:
        try:
            while self.answers.poll():
                for read in pickle.loads(self.answers.recv_bytes()):
                    answer = self.waiting.pop(read.token, None)
                    if answer is not None and not answer.done():
                        answer.set_result(read)
        except (EOFError, OSError):
            self._lost()

    def _lost(self) -> None:
        if self.loop is not None:
            self.loop.remove_reader(self.answers.fileno())
        first = not self.failed
        self.failed = True
        waiting, self.waiting = self.waiting, {}
        for answer in waiting.values():
            if not answer.done():
                answer.set_exception(StoreFailed())
        if first and self.on_failure is not None:
            self.on_failure()

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
            self._lost()

    def close(self) -> bool:
        """Everything sent is stored (True), or the process failed (False)."""
        self.on_failure = None      # the crawl is ending: its caller reads the result
        self.flush()
        self._write(None)
        self.conn.close()
        _, status = os.waitpid(self.pid, 0)
        if self.loop is not None and not self.failed:
            self.loop.remove_reader(self.answers.fileno())
        self.answers.close()
        return not self.failed and os.waitstatus_to_exitcode(status) == 0


def widen(conn) -> None:
    """A pipe of 1 MB instead of 64 KB: a batch of pages is written while the storage process is
    still busy with the last one, instead of the crawl waiting for it (Linux; elsewhere a no-op)."""
    try:
        fcntl.fcntl(conn.fileno(), F_SETPIPE_SZ, PIPE_SIZE)
    except (OSError, AttributeError):
        pass


def serve(conn, answers, db_url: str, data_dir: str | None) -> None:
    die_with_parent()
    from crawler.store import CrawlStore
    from storage import db
    for engine in db._engines.values():      # the crawl's pooled connections are not ours to use
        engine.dispose(close=False)
    db._engines.clear()
    store = CrawlStore(db_url, data_dir)
    outbox: queue.SimpleQueue = queue.SimpleQueue()
    sender = threading.Thread(target=send_answers, args=(outbox, answers), daemon=True)
    sender.start()
    try:
        while True:
            batch = pickle.loads(conn.recv_bytes())
            if batch is None:
                break
            for item in batch:
                read = store.send(item)
                if read is not None:
                    outbox.put(read)
    finally:
        outbox.put(None)
        sender.join()
        stored = store.close()
    if not stored:
        raise RuntimeError("the crawl's database writes failed (see the log above)")


def send_answers(outbox: queue.SimpleQueue, answers) -> None:
    """The answers to the spider, those ready at once in one message. Only this thread waits when
    the answers pipe is full: the process goes on taking the crawl's items meanwhile."""
    while True:
        reads = [outbox.get()]
        while True:
            try:
                reads.append(outbox.get_nowait())
            except queue.Empty:
                break
        last = reads[-1] is None
        reads = [r for r in reads if r is not None]
        try:
            if reads:
                answers.send_bytes(pickle.dumps(reads, protocol=pickle.HIGHEST_PROTOCOL))
        except OSError:
            return        # the crawl is gone
        if last:
            answers.close()
            return
