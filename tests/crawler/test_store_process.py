"""The crawl's storage process (page extraction and storing beside Scrapy): the
same rows as storing in the Scrapy process, the pages the spider follows are
those the full extraction names, and a storage process that dies fails the crawl."""
from __future__ import annotations

import sqlite3

import pytest

from crawler.extract import page_facts, parse
from crawler.extract.lists import pagination_only
from tests.conftest import CORPUS
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


def _manifest_urls() -> dict[str, str]:
    lines = (CORPUS / "MANIFEST.tsv").read_text(encoding="utf-8").splitlines()[1:]
    return {cols[0]: cols[2].split()[0] for cols in (line.split("\t") for line in lines) if len(cols) > 2}


@pytest.mark.skipif(not CORPUS.is_dir(), reason=f"no corpus at {CORPUS}")
def test_the_spider_follows_the_pagination_the_extraction_names():
    urls = _manifest_urls()
    pagers = 0
    for path in sorted(CORPUS.glob("*.html")):
        text = path.read_bytes().decode("utf-8-sig", "replace")
        url = urls.get(path.name, "https://x.gov.cn/list/index.html")
        expected = page_facts(url, text, {}, False)["list"]["pagination"]
        assert pagination_only(parse(text), url, text) == expected, path.name
        pagers += bool(expected)
    assert pagers >= 2


def test_a_storage_process_that_dies_fails_the_crawl(tmp_path):
    from crawler.items import SiteDone
    from crawler.storeproc import StoreProcess
    store = StoreProcess(f"sqlite:///{tmp_path / 'missing' / 'dir' / 'db.sqlite'}")
    store.send(SiteDone(run_id=1, site_id=1))
    assert store.close() is False
