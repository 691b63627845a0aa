"""The crawl's store: items → database rows and WARC records. Rows are written in
batches; a site counts as gathered only when its crawl ended (SiteDone) and
everything of it is committed, so a killed crawl leaves a site `pending` and
`--resume` crawls it again.

One CrawlStore runs in the storage process (crawler/storeproc.py), or in the
Scrapy process itself with GOVAUDIT_STORE_PROCESS=0; the Scrapy item pipeline
(crawler/pipelines.py) only hands it the items."""
from __future__ import annotations

import logging
import queue
import threading
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from crawler.items import PageItem, PageRead, ReadPage, RowsItem, SiteDone
from crawler.reading import read_page
from crawler.warc import Record, WarcStore, warc_path
from storage import models as m
from storage.db import get_engine, insert_many, insert_new
from storage.runs import clear_crawl, store_probe_result

log = logging.getLogger(__name__)
BATCH = 500
WRITES_AHEAD = 4      # batches of rows waiting for the writer thread before the reading side waits for it


def failure(exc: Exception) -> str:
    return f"storing the crawl failed: {type(exc).__name__}: {(str(exc).splitlines() or [''])[0][:300]}"


@dataclass
class Rows:
    """A site's rows taken out of the store, to be written together."""
    pages: list[dict]
    links: list[dict]
    other: dict[str, list[dict]]     # messages, datasets


class CrawlStore:
    """Reads the pages the spider hands it (ReadPage) and stores every item.

    A database server (PostgreSQL) is written by a thread of its own, in the order the items came:
    a batch of rows is handed to it and the next pages are read while it waits on the server (a
    quarter of a page's time here was spent waiting on it). SQLite is written in line."""

    def __init__(self, db_url: str, data_dir: str | None = None):
        self.engine = get_engine(db_url)
        self.data_dir = data_dir
        self.warc: WarcStore | None = None
        self.warc_at: dict[int, dict[int, dict]] = {}     # site -> record token -> where it was written
        self.pages: dict[int, list[dict]] = {}
        self.links: dict[int, list[dict]] = {}
        self.rows: dict[tuple[int, str], list[dict]] = {}
        self.done: set[int] = set()
        self.failed_sites: dict[int, str] = {}       # sites whose artifacts could not be stored, and why
        self.writes: queue.Queue = queue.Queue(maxsize=WRITES_AHEAD)
        self.broken: Exception | None = None         # set when even a failure could not be recorded
        # SQLite is written by this process's own CPU, nothing to wait on: a thread would only add GIL handoffs
        self.writer = None
        if self.engine.dialect.name != "sqlite":
            self.writer = threading.Thread(target=self._write_loop, name="crawl-store-writer", daemon=True)
            self.writer.start()

    def send(self, item) -> PageRead | None:
        """Store one item; a page to read (ReadPage) is read first, and what the spider follows of
        it is returned. A failure is contained to its site: the site's partial rows are
        dropped, it is recorded on its run_sites row (error_kind internal) and left ungathered,
        and the other sites' items go on being stored (a page of the failed site is answered with nothing to follow)."""
        page = item.item if isinstance(item, ReadPage) else item
        site_id = getattr(page, "site_id", None)
        nothing = PageRead(token=item.token) if isinstance(item, ReadPage) else None
        if self.broken is not None:
            raise self.broken
        if site_id in self.failed_sites:
            self._take(site_id)          # failed in the writer: what was gathered since is dropped
            return nothing
        try:
            return self._store(item)
        except Exception as exc:
            if site_id is None:
                raise
            log.exception("storing the crawl of site %s failed", site_id)
            self._fail_site(page.run_id, site_id, failure(exc))
            return nothing

    def close(self) -> bool:
        """Everything sent is stored (True; a site that failed is recorded as such), or the
        database writes failed beyond a site (False)."""
        if self.writer is not None:
            self.writes.put(None)
            self.writer.join()
        if self.warc is not None:
            self.warc.close()
        return self.broken is None

    # -- the writer thread ---------------------------------------------------------
    def _write(self, run_id: int, site_id: int, job, *args) -> None:
        """A database write of one site: queued for the writer thread (waiting while WRITES_AHEAD
        are queued: bounded memory), or done here without one."""
        if self.writer is None:
            self._run(run_id, site_id, job, args)
        else:
            self.writes.put((run_id, site_id, job, args))

    def _write_loop(self) -> None:
        while (task := self.writes.get()) is not None:
            self._run(*task)

    def _run(self, run_id: int, site_id: int, job, args) -> None:
        recording = job == self._clear_site      # a failure being recorded
        if self.broken is not None or (site_id in self.failed_sites and not recording):
            return                  # what a failed site gathered later is dropped
        try:
            try:
                job(run_id, site_id, *args)
            except Exception as exc:
                if recording:
                    raise
                log.exception("storing the crawl of site %s failed", site_id)
                self.failed_sites[site_id] = reason = failure(exc)
                self._clear_site(run_id, site_id, reason)
        except Exception as exc:
            # not even the failure could be recorded (the database is gone): the store fails
            log.exception("recording the failure of site %s failed", site_id)
            self.broken = exc

    def _fail_site(self, run_id: int, site_id: int, reason: str) -> None:
        self.failed_sites[site_id] = reason
        self._take(site_id)
        self.warc_at.pop(site_id, None)
        self._write(run_id, site_id, self._clear_site, reason)

    def _clear_site(self, run_id: int, site_id: int, reason: str) -> None:
        with Session(self.engine) as session, session.begin():
            clear_crawl(session, run_id, site_id)
            rs = session.scalar(select(m.RunSite).where(m.RunSite.run_id == run_id, m.RunSite.site_id == site_id))
            if rs is not None:
                rs.error_kind, rs.error, rs.updated_at = "internal", reason, m.utcnow()

    # -- items -----------------------------------------------------------------------
    def _store(self, item) -> PageRead | None:
        if isinstance(item, ReadPage):
            read = read_page(item)
            self._add_page(item.item)
            return read
        if isinstance(item, PageItem):
            self._add_page(item)
        elif isinstance(item, RowsItem):
            self.rows.setdefault((item.site_id, item.table), []).extend(
                {**row, "run_id": item.run_id, "site_id": item.site_id} for row in item.rows)
        elif isinstance(item, SiteDone):
            if item.site_id not in self.done:
                self.done.add(item.site_id)
                self._write(item.run_id, item.site_id, self._finish_site, self._take(item.site_id), item.facts)
            self.warc_at.pop(item.site_id, None)
        elif isinstance(item, Record):
            if self.warc is None:
                self.warc = WarcStore(self.data_dir)
            self.warc_at.setdefault(item.site_id, {})[item.token] = self.warc.write(
                warc_path(item.run_id, item.site_id), item.url, item.status, item.reason, item.headers, item.body)

    def _add_page(self, item: PageItem) -> None:
        warc = item.warc or {}
        if "token" in warc:         # archived by the storage process (a Record sent before this item)
            warc = self.warc_at.get(item.site_id, {}).pop(warc["token"], {})     # one page row per record
        self.pages.setdefault(item.site_id, []).append(dict(
            run_id=item.run_id, site_id=item.site_id, url=item.url[:4000], final_url=(item.final_url or None),
            role=item.role, status=item.status, error_kind=item.error_kind, depth=item.depth,
            is_homepage=item.is_homepage, content_type=item.content_type[:200] or None, encoding=item.encoding,
            title=item.title or None, text=item.text or None, headers=item.headers, facts=item.facts,
            elapsed_ms=item.elapsed_ms, attempts=item.attempts, warc_file=warc.get("file"),
            warc_offset=warc.get("offset"), warc_length=warc.get("length"), fetched_at=m.utcnow()))
        source = item.final_url or item.url
        self.links.setdefault(item.site_id, []).extend(dict(
            run_id=item.run_id, site_id=item.site_id, source_url=source[:4000], target_url=l["target_url"][:4000],
            tag=l["tag"], text=l.get("text") or None, external=bool(l.get("external"))) for l in item.links)
        if len(self.pages[item.site_id]) + len(self.links[item.site_id]) >= BATCH:
            self._write(item.run_id, item.site_id, self._write_rows, self._take(item.site_id))

    def _take(self, site_id: int) -> Rows:
        """The site's rows gathered so far, taken out of the store."""
        return Rows(self.pages.pop(site_id, []), self.links.pop(site_id, []),
                    {key[1]: self.rows.pop(key) for key in [k for k in self.rows if k[0] == site_id]})

    # -- database writes (in the writer thread) ---------------------------------------
    def _write_rows(self, run_id: int, site_id: int, rows: Rows) -> None:
        with Session(self.engine) as session, session.begin():
            self._insert(session, rows)

    @staticmethod
    def _insert(session: Session, rows: Rows) -> None:
        if rows.pages:
            # A URL can be recorded twice (HEAD then redirect target); keep the last answer, but never
            # in place of the homepage's (a self-link `?` is fetched as the homepage's URL: Scrapy drops
            # an empty query)
            unique: dict[str, dict] = {}
            for page in rows.pages:
                if not unique.get(page["url"], {}).get("is_homepage"):
                    unique[page["url"]] = page
            # and across batches the first answer stays (the spider keys URLs in one form, so this is rare)
            insert_new(session, m.Page.__table__, list(unique.values()), ["run_id", "site_id", "url"])
        insert_many(session, m.Link.__table__, rows.links)
        for table, other in rows.other.items():
            if other:
                model = {"messages": m.Message, "datasets": m.Dataset}[table]
                session.execute(model.__table__.insert(), other)

    def _finish_site(self, run_id: int, site_id: int, rows: Rows, facts: dict[str, Any]) -> None:
        with Session(self.engine) as session, session.begin():
            self._insert(session, rows)
            session.flush()
            derived = self._derive(session, run_id, site_id)
            for column in derived.pop("columns", []):
                session.add(m.Column(run_id=run_id, site_id=site_id, url=column.url, name=column.name[:300],
                                     type=column.type, newest_date=column.newest_date, item_count=column.item_count,
                                     blank=column.blank, details=column.details))
            store_probe_result(session, run_id, site_id, "crawl", {**facts, **derived}, gathered="crawl")

    def _derive(self, session: Session, run_id: int, site_id: int) -> dict[str, Any]:
        from crawler.site_derive import derive_from_db
        try:
            return derive_from_db(session, run_id, site_id)
        except Exception:
            log.exception("derive_site failed for site %s", site_id)
            return {"columns": [], "derive_error": "internal"}
