"""WARC archive: records written while crawling, offsets stored, evidence reopened."""
from __future__ import annotations

import sqlite3

from warcio.archiveiterator import ArchiveIterator

from crawler.warc import WarcStore
from storage.archive import read_record
from tests.helpers import audit, served


def test_store_round_trip_and_append(tmp_path):
    store = WarcStore(tmp_path)
    a = store.write("runs/1/warc/site-1.warc.gz", "http://x.gov.cn/", 200, "OK",
                    [("Content-Type", "text/html"), ("Transfer-Encoding", "chunked")], "<p>首页</p>".encode())
    store.close()
    store = WarcStore(tmp_path)        # reopened in append mode: still one valid file
    b = store.write("runs/1/warc/site-1.warc.gz", "http://x.gov.cn/a.pdf", 404, "Not Found", [], b"gone")
    store.close()
    assert a["offset"] == 0 and b["offset"] == a["length"]
    first = read_record(tmp_path, a["file"], a["offset"])
    assert (first["url"], first["status"], first["body"].decode()) == ("http://x.gov.cn/", 200, "<p>首页</p>")
    assert "Transfer-Encoding" not in first["headers"]
    assert read_record(tmp_path, b["file"], b["offset"])["status"] == 404
    with (tmp_path / a["file"]).open("rb") as fh:
        assert [r.rec_headers.get_header("WARC-Target-URI") for r in ArchiveIterator(fh)] == \
            ["http://x.gov.cn/", "http://x.gov.cn/a.pdf"]


def test_crawl_archives_every_response(tmp_path, monkeypatch):
    monkeypatch.setenv("GOVAUDIT_DATABASE_URL", f"sqlite:///{tmp_path / 'w.db'}")
    monkeypatch.setenv("GOVAUDIT_DATA_DIR", str(tmp_path / "data"))
    files = {"w": {"index.html": "<html><body><a href='/a.html'>一篇文章标题</a><img src='/logo.png' alt='x'></body></html>",
                   "a.html": "<html><body><p>正文内容</p></body></html>", "logo.png": b"\x89PNG fake"}}
    with served(tmp_path, {"w": {}}, files) as farm:
        db_url, run_id, ids = audit(farm, tmp_path, ["identity.icp"])
    rows = sqlite3.connect(db_url.removeprefix("sqlite:///")).execute(
        "select url, status, warc_file, warc_offset from pages where run_id=? order by url", (run_id,)).fetchall()
    assert len(rows) == 3 and all(r[2] == f"runs/{run_id}/warc/site-{ids['w']}.warc.gz" for r in rows)
    by_path = {r[0].rsplit("/", 1)[-1]: r for r in rows}
    record = read_record(tmp_path / "data", by_path["a.html"][2], by_path["a.html"][3])
    assert record["status"] == 200 and "正文内容" in record["body"].decode("utf-8")
