"""The crawl keeps its per-server concurrency (GOVAUDIT_HOST_CONCURRENCY) when unthrottled
(GOVAUDIT_MAX_RPS=0). Scrapy 2.19 alone started every request queued for a server at once
(crawler.slots.SlotDownloader). The server counts the requests it holds at the same time."""
from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

ROOT = Path(__file__).resolve().parents[3]
PAGES = 60
LINKS = "".join(f"<a href='/p/{i}.html'>第{i}篇文章</a>" for i in range(PAGES))


class CountingServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self):
        super().__init__(("127.0.0.1", 0), Handler)
        self.lock = threading.Lock()
        self.now = self.most = self.served = 0


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self):
        server = self.server
        with server.lock:
            server.now += 1
            server.most = max(server.most, server.now)
        try:
            time.sleep(0.05)      # long enough for requests to overlap: the limit, not the server, bounds them
            body = f"<html><head><title>页面</title></head><body>{LINKS}</body></html>".encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        finally:
            with server.lock:
                server.now -= 1
                server.served += 1

    def log_message(self, *args):
        pass


def test_an_unthrottled_crawl_keeps_the_per_server_concurrency(tmp_path):
    from govaudit.registry import SiteRow, upsert
    from storage import models as m
    from storage.db import get_engine
    from storage.runs import create_run
    server = CountingServer()
    threading.Thread(target=server.serve_forever, daemon=True).start()
    host = f"127.0.0.1:{server.server_address[1]}"
    db_url = f"sqlite:///{tmp_path / 'c.db'}"
    try:
        env = {**{k: v for k, v in os.environ.items() if not k.startswith("GOVAUDIT_")},
               "GOVAUDIT_DATABASE_URL": db_url, "GOVAUDIT_DATA_DIR": str(tmp_path / "data"),
               "GOVAUDIT_ALLOW_HOSTS": host, "GOVAUDIT_MAX_RPS": "0", "GOVAUDIT_HOST_CONCURRENCY": "3",
               "PYTHONPATH": str(ROOT), "SCRAPY_SETTINGS_MODULE": "crawler.settings"}
        with Session(get_engine(db_url)) as session, session.begin():
            upsert(session, [SiteRow(1, "某某市人民政府", f"http://{host}/", "portal", "某某市人民政府")])
            session.flush()
            site_id = session.scalar(select(m.Site.id))
            run_id = create_run(session, [site_id], ["*"]).id
        res = subprocess.run([sys.executable, "-m", "crawler.run", "--run", str(run_id), "--sites", str(site_id)],
                             env=env, cwd=ROOT, capture_output=True, text=True, timeout=300)
        assert res.returncode == 0, res.stderr[-2000:]
        with Session(get_engine(db_url)) as session:
            pages = session.scalar(select(func.count()).select_from(m.Page).where(m.Page.status == 200))
    finally:
        server.shutdown()
    assert pages == PAGES + 1          # the homepage and every page it links
    assert server.served >= PAGES + 1
    assert server.most <= 3
