"""The crawl's storage process (page reading and storing beside Scrapy): the
same rows as reading and storing in the Scrapy process, and a storage process
that dies fails the crawl."""
from __future__ import annotations

import asyncio
import sqlite3

import pytest

from tests.helpers import audit, served

LIST = """<html><head><meta charset="utf-8"><title>通知公告</title></head><body><ul>{items}</ul>
<a href='{nxt}'>下一页</a><a href='/files/a.pdf'>附件</a><a href='http://127.0.0.1:9/x'>外部链接</a>
<img src='/logo.png' alt='标志'><script>createPageHTML(3, 0, "index", "html");</script>
<div class="footer">网站标识码：3301000001 浙ICP备12345678号</div></body></html>"""


def items(start: int) -> str:
    return "".join(f"<li><a href='a{i}.html'>关于第{i}号事项的通知公告</a><span>{{{{date:-{i}}}}}</span></li>"
                   for i in range(start, start + 4))


FILES = {"s": {
    "index.html": "<html><head><title>某某市人民政府</title></head><body><nav><a href='/tzgg/index.html'>通知公告</a>"
                  "</nav><p>网站标识码：3301000001</p></body></html>",
    "tzgg/index.html": LIST.format(items=items(1), nxt="index_1.html"),
    "tzgg/index_1.html": LIST.format(items=items(5), nxt="index_2.html"),
    "tzgg/index_2.html": LIST.format(items=items(9), nxt="index.html"),
    **{f"tzgg/a{i}.html": f"<html><head><title>第{i}号</title><meta name='PubDate' content='{{{{date:-{i}}}}}'></head>"
                          f"<body><h1>关于第{i}号事项的通知公告</h1><p>正文内容。联系电话：0571-88888888</p></body></html>"
       for i in range(1, 13)},
    "files/a.pdf": b"%PDF-1.4\n%%EOF\n", "logo.png": b"\x89PNG fake",
}}


def crawl_rows(tmp_path, monkeypatch, store_process: str):
    monkeypatch.setenv("GOVAUDIT_STORE_PROCESS", store_process)
    monkeypatch.setenv("GOVAUDIT_DATABASE_URL", f"sqlite:///{tmp_path / 'db.sqlite'}")
    monkeypatch.setenv("GOVAUDIT_DATA_DIR", str(tmp_path / "data"))
    with served(tmp_path, {"s": {}}, FILES) as farm:
        db_url, run_id, _ = audit(farm, tmp_path, ["update.stale_columns", "links.dead_site"])
    base = farm.sites[0].url.rstrip("/")
    db = sqlite3.connect(db_url.removeprefix("sqlite:///"))
    pages = db.execute("select url, final_url, role, status, error_kind, depth, is_homepage, title, text, facts, "
                       "headers like '%content-type%', warc_file is not null, warc_length > 0 from pages "
                       "where run_id = ? order by url", (run_id,)).fetchall()
    links = db.execute("select source_url, target_url, tag, text, external from links where run_id = ? "
                       "order by source_url, target_url, tag", (run_id,)).fetchall()
    columns = db.execute("select url, name, type, item_count, blank, details from columns where run_id = ?",
                         (run_id,)).fetchall()
    stage = db.execute("select stage, gathered from run_sites where run_id = ?", (run_id,)).fetchall()
    # the served sites' port differs between the two crawls
    return [tuple(str(v).replace(base, "BASE") if v is not None else None for v in row)
            for row in pages + links + columns + stage]


def test_storage_process_stores_what_the_scrapy_process_would(tmp_path, monkeypatch):
    offloaded = crawl_rows(tmp_path / "a", monkeypatch, "1")
    in_process = crawl_rows(tmp_path / "b", monkeypatch, "0")
    assert offloaded == in_process
    urls = {row[0] for row in offloaded}
    # every list page, its TRS-pager pages, each article, the attachment, the logo, the external link
    assert {f"BASE/tzgg/index{s}.html" for s in ("", "_1", "_2")} | {f"BASE/tzgg/a{i}.html" for i in range(1, 13)} \
        <= urls
    assert {"BASE/files/a.pdf", "BASE/logo.png", "http://127.0.0.1:9/x"} <= urls
    first = next(row for row in offloaded if row[0] == "BASE/tzgg/index.html")
    assert '"page_type": "list"' in first[9] and "网站标识码" in first[8]


def test_a_storage_process_that_dies_fails_the_crawl(tmp_path):
    from crawler.items import SiteDone
    from crawler.storeproc import StoreProcess
    store = StoreProcess(f"sqlite:///{tmp_path / 'missing' / 'dir' / 'db.sqlite'}")
    store.send(SiteDone(run_id=1, site_id=1))
    assert store.close() is False


HOST = "www.example.gov.cn"
CAPTCHA = ('<html><head><title>安全验证</title></head><body><p>请输入验证码</p>'
           '<img src="/captcha.jpg"><form><input name="code"></form></body></html>')


def site_and_run(tmp_path) -> tuple[str, int, int]:
    from sqlalchemy import select
    from sqlalchemy.orm import Session

    from govaudit.registry import SiteRow, upsert
    from govaudit.rounds import start_round
    from storage import models as m
    from storage.db import get_engine
    db_url = f"sqlite:///{tmp_path / 'read.db'}"
    with Session(get_engine(db_url)) as session, session.begin():
        upsert(session, [SiteRow(1, "某某市人民政府", f"http://{HOST}/", "portal", "某某市人民政府")])
        session.flush()
        site_id = session.scalar(select(m.Site.id))
        run_id = start_round(session, [site_id], None).id
    return db_url, run_id, site_id


def read_by_the_storage_process(db_url: str, run_id: int, site_id: int, pages: list[tuple[str, str]]):
    """Each (url, html) handed to a real storage process as the spider hands it a page; its answers,
    and whether everything was stored."""
    from crawler.items import PageItem, ReadPage, SiteDone
    from crawler.storeproc import StoreProcess

    async def crawl():
        store = StoreProcess(db_url)
        answers = await asyncio.gather(*(store.read(ReadPage(
            PageItem(run_id=run_id, site_id=site_id, url=url, final_url=url, status=200, depth=1,
                     content_type="text/html; charset=utf-8", encoding="utf-8", html=html),
            frozenset({HOST}), 1000, {"status": 200, "headers": {}, "cookies": [], "after_requests": 7}))
            for url, html in pages))
        store.send(SiteDone(run_id=run_id, site_id=site_id, facts={"kind": "portal"}))
        return answers, store.close()
    return asyncio.run(crawl())


def test_the_storage_process_reads_a_page_once_and_answers_what_the_spider_follows(tmp_path):
    db_url, run_id, site_id = site_and_run(tmp_path)
    url = f"http://{HOST}/tzgg/index.html"
    html = LIST.format(items=items(1), nxt="index_1.html").replace("{{date:-", "2026-11-0").replace("}}", "")
    (read, wall), stored = read_by_the_storage_process(db_url, run_id, site_id,
                                                       [(url, html), (f"http://{HOST}/check.html", CAPTCHA)])
    assert stored is True
    assert read.title == "通知公告" and read.wall is None and read.skipped == {} and read.links_over_cap == 0
    assert [(link["target_url"], link["tag"], link["external"]) for link in read.links] == [
        *((f"http://{HOST}/tzgg/a{i}.html", "a", False) for i in range(1, 5)),
        (f"http://{HOST}/tzgg/index_1.html", "a", False),
        (f"http://{HOST}/files/a.pdf", "attachment", False),
        ("http://127.0.0.1:9/x", "a", True),
        (f"http://{HOST}/logo.png", "img", False)]
    assert read.pagination == [f"http://{HOST}/tzgg/index_1.html", f"http://{HOST}/tzgg/index_2.html"]
    # a page with no links that is a CAPTCHA: the site's wall, with the spider's count of answers
    assert (wall.wall["reason"], wall.wall["url"], wall.wall["after_requests"], wall.links) == \
        ("HTTP 200 challenge page", f"http://{HOST}/check.html", 7, [])
    db = sqlite3.connect(db_url.removeprefix("sqlite:///"))
    rows = db.execute("select url, error_kind, title, json_extract(facts, '$.page_type'), text like '%网站标识码%' "
                      "from pages where run_id = ? order by url", (run_id,)).fetchall()
    assert rows == [(f"http://{HOST}/check.html", "blocked", "安全验证", None, None),     # a wall: no text kept
                    (url, None, "通知公告", "list", 1)]
    assert db.execute("select count(*) from links where run_id = ?", (run_id,)).fetchone() == (8,)
    assert db.execute("select gathered from run_sites where run_id = ?", (run_id,)).fetchone()[0] is not None


def test_a_page_read_by_a_storage_process_that_died_fails_instead_of_waiting(tmp_path):
    import os
    import signal

    from crawler.items import PageItem, ReadPage
    from crawler.storeproc import StoreFailed, StoreProcess
    db_url, run_id, site_id = site_and_run(tmp_path)
    died = []

    async def crawl():
        store = StoreProcess(db_url, on_failure=lambda: died.append(True))
        os.kill(store.pid, signal.SIGKILL)
        os.waitpid(store.pid, 0)
        page = PageItem(run_id=run_id, site_id=site_id, url=f"http://{HOST}/a.html", html="<html></html>")
        with pytest.raises(StoreFailed):
            await asyncio.wait_for(store.read(ReadPage(page, frozenset({HOST}), 1000)), 30)
    asyncio.run(crawl())
    assert died == [True]


@pytest.mark.postgres
def test_a_database_gone_mid_crawl_fails_the_store():
    """The database is written by the store's writer thread: when not even a site's failure can be
    recorded there, the next item raises and close() says the crawl was not stored."""
    import time

    from sqlalchemy import create_engine, text

    from crawler.items import PageItem, SiteDone
    from crawler.store import BATCH, CrawlStore
    from tests.conftest import PG_ADMIN, fresh_pg_database
    with fresh_pg_database() as url:
        store = CrawlStore(url)
        admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE "{url.rsplit("/", 1)[1]}" WITH (FORCE)'))
        admin.dispose()
        page = PageItem(run_id=1, site_id=1, url=f"http://{HOST}/a.html",
                        links=[{"target_url": f"http://{HOST}/{i}.html", "tag": "a"} for i in range(BATCH)])
        store.send(page)                 # a full batch: handed to the writer, which cannot write it
        deadline = time.monotonic() + 30
        while store.broken is None and time.monotonic() < deadline:
            time.sleep(0.05)
        assert store.broken is not None
        with pytest.raises(type(store.broken)):
            store.send(SiteDone(run_id=1, site_id=2))
        assert store.close() is False
