"""Retries through a real `govaudit worker` on Redis and PostgreSQL: a homepage
that answers 503 throughout the first crawl is retried after the backoff and
ends `checked` with its findings exactly once; a host that does not resolve
is not retried and gets typed `dns` errors at once."""
from __future__ import annotations

import re
import threading
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from storage import models as m
from storage.db import get_engine
from tests.helpers import http_server

pytestmark = [pytest.mark.postgres, pytest.mark.redis]
PAGE = ("<!DOCTYPE html><html lang='zh-CN'><head><meta charset='utf-8'><title>某某县人民政府</title></head>"
        "<body><a href='/a.html'>关于开展专项检查工作的通知</a></body></html>").encode()


class FlakyHome(BaseHTTPRequestHandler):
    """The homepage answers 503 until the second crawl starts (a crawl fetches robots.txt once)."""
    robots = 0
    home: list[int] = []
    lock = threading.Lock()

    def do_GET(self):
        with self.lock:
            if self.path == "/robots.txt":
                FlakyHome.robots += 1
                return self.answer(404, b"")
            if self.path == "/":
                status = 503 if FlakyHome.robots < 2 else 200
                FlakyHome.home.append(status)
                return self.answer(status, PAGE if status == 200 else b"busy", {"Retry-After": "0"})
        self.answer(200 if self.path == "/a.html" else 404, PAGE)

    do_HEAD = do_GET

    def answer(self, status: int, body: bytes, headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def flaky_server():
    with http_server(ThreadingHTTPServer(("127.0.0.1", 0), FlakyHome)) as port:
        yield port


def test_transient_failure_is_retried_and_dns_failure_is_not(cluster, flaky_server):
    from checks.catalog import all_checks
    port = flaky_server
    flaky, dead = f"http://127.0.0.1:{port}/", "http://www.unreachable.invalid/"
    registry = cluster.tmp / "retry-sites.yaml"
    registry.write_text("sites:\n"
                        f"  - name: 某某县人民政府\n    url: {flaky}\n    kind: portal\n"
                        f"  - name: 某某镇人民政府\n    url: {dead}\n    kind: portal\n", encoding="utf-8")
    only = sorted(c.id for c in all_checks().values() if c.needs == "crawl" and c.applies_to("portal"))
    env = {"GOVAUDIT_ALLOW_HOSTS": f"{cluster.env['GOVAUDIT_ALLOW_HOSTS']},127.0.0.1:{port}"}
    out = cluster.cli("run", "--sites", str(registry), *[a for c in only for a in ("--only", c)], "--distributed")
    assert out.returncode == 0, out.stderr
    run_id = int(re.search(r"run (\d+): 2 site task\(s\) queued", out.stdout)[1])
    cluster.start_worker("r", loglevel="info", env=env)
    try:
        cluster.wait_finished(run_id, timeout=120)
    finally:
        cluster.stop_workers()

    with Session(get_engine(cluster.db_url)) as session:
        ids = dict(session.execute(select(m.Site.url, m.Site.id).where(m.Site.url.in_([flaky, dead]))).all())
        stages = dict(session.execute(select(m.RunSite.site_id, m.RunSite.stage)
                                      .where(m.RunSite.run_id == run_id)).all())
        counts = Counter(dict(((s, c), n) for s, c, n in session.execute(
            select(m.Finding.site_id, m.Finding.check_id, func.count()).where(m.Finding.run_id == run_id)
            .group_by(m.Finding.site_id, m.Finding.check_id)).all()))
        findings = {(f.site_id, f.check_id): f for f in session.scalars(
            select(m.Finding).where(m.Finding.run_id == run_id))}
    assert stages == {ids[flaky]: "checked", ids[dead]: "checked"}
    assert counts == Counter({(sid, c): 1 for sid in ids.values() for c in only})

    home = findings[(ids[flaky], "avail.homepage")]
    assert (home.status, home.value) == ("pass", 1.0)
    # every try of the first crawl got 503, the one of the second crawl 200
    assert FlakyHome.robots == 2
    assert FlakyHome.home[-1] == 200 and set(FlakyHome.home[:-1]) == {503}

    # the homepage check judges the site unavailable; every other check is an error of the same kind
    dead_home = findings[(ids[dead], "avail.homepage")]
    assert (dead_home.status, dead_home.value, dead_home.details["error_kind"]) == ("fail", 0.0, "dns")
    others = [findings[(ids[dead], c)] for c in only if c != "avail.homepage"]
    assert {(f.status, f.details.get("error_kind")) for f in others} == {("error", "dns")}

    log = (cluster.tmp / "worker-r.log").read_text(errors="replace")
    retries = re.findall(r"site (\d+) of run (\d+): (.+); retry (\d+) in (\S+) s", log)
    assert retries == [(str(ids[flaky]), str(run_id), "homepage answered HTTP 503", "1", "1")]
