"""Crawl speed of the hotline spider on a synthetic message board.

    python -m bench.odh_board [--messages 2000]
serves a board on 127.0.0.1 (list pages of 20 with 下一页, one page per
message with labelled times, status, unit and 回访), audits it with the
normal runner (crawl subprocess, SQLite) and prints the wall time, the
messages stored and messages per second."""
from __future__ import annotations

import argparse
import os
import tempfile
import threading
import time
from datetime import date, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

PER_PAGE = 20


def board_handler(messages: int):
    today = date.today()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):
            pass

        def do_GET(self):
            path = self.path.split("?")[0]
            status, body = 200, ""
            if path in ("/", "/index.html"):
                body = '<h1>某某市12345</h1><a href="/list/1.html">留言选登</a>'
            elif path.startswith("/list/"):
                page = int(path[6:-5])
                first = (page - 1) * PER_PAGE
                rows = "".join(f'<li><a href="/m/{n}.html">第{n}号留言</a><span>{today - timedelta(days=n % 300)}</span></li>'
                               for n in range(first, min(first + PER_PAGE, messages)))
                more = f'<a href="/list/{page + 1}.html">下一页</a>' if first + PER_PAGE < messages else ""
                body = f'<title>留言选登</title><h2>留言选登</h2><ul class="list">{rows}</ul>{more}'
            elif path.startswith("/m/"):
                n = int(path[3:-5])
                sub = today - timedelta(days=n % 300)
                reply = (f'<p><span>答复单位：</span><span>市某局</span> <span>答复时间：</span><span>{sub + timedelta(days=n % 9)}</span></p>'
                         if n % 10 else "")
                body = (f'<title>第{n}号留言</title><h2>第{n}号留言</h2><p><span>留言时间：</span><span>{sub}</span> '
                        f'<span>办理状态：</span><span>{"已办结" if n % 10 else "办理中"}</span></p>{reply}'
                        f'{"<p>回访情况：满意</p>" if n % 3 == 0 else ""}')
            else:
                status, body = 404, "not found"
            data = f'<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"></head><body>{body}</body></html>'.encode()
            self.send_response(status)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    return Handler


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--messages", type=int, default=2000)
    args = ap.parse_args()
    server = ThreadingHTTPServer(("127.0.0.1", 0), board_handler(args.messages))
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    port = server.server_address[1]
    tmp = Path(tempfile.mkdtemp(prefix="odh-bench-"))
    os.environ.update(GOVAUDIT_DATABASE_URL=f"sqlite:///{tmp / 'b.db'}", GOVAUDIT_DATA_DIR=str(tmp / "data"),
                      GOVAUDIT_ALLOW_HOSTS=f"127.0.0.1:{port}")
    from sqlalchemy import func, select
    from sqlalchemy.orm import Session

    from govaudit import rounds, runner
    from core.config import load
    from govaudit.registry import parse, upsert
    from storage import models as m
    from storage.db import get_engine
    settings = load()
    reg = tmp / "sites.yaml"
    reg.write_text(f"sites:\n  - name: 合成热线\n    url: http://127.0.0.1:{port}/\n    kind: hotline\n"
                   f"    hints: {{max_messages: {args.messages}, max_list_pages: {args.messages // PER_PAGE + 1}}}\n",
                   encoding="utf-8")
    with Session(get_engine(settings.database_url)) as session, session.begin():
        upsert(session, parse(reg))
        session.flush()
        run_id = rounds.start_round(session, [session.scalar(select(m.Site.id))], ["hotline.*"]).id
    start = time.perf_counter()
    runner.execute(run_id, settings)
    elapsed = time.perf_counter() - start
    with Session(get_engine(settings.database_url)) as session:
        stored = session.scalar(select(func.count()).select_from(m.Message))
        pages = session.scalar(select(func.count()).select_from(m.Page))
    server.shutdown()
    print(f"messages served {args.messages}, stored {stored}, pages recorded {pages}")
    print(f"wall time {elapsed:.1f} s (crawl + checks), {stored / elapsed:.0f} messages/s")


if __name__ == "__main__":
    main()
