"""The hostile farm: broken, slow, trapping and malicious sites on 127.0.0.1.

Each case is a site on its own ephemeral port, served by raw sockets (one
thread per connection) so that a case can misbehave below HTTP: never answer,
trickle, reset mid-body, lie about Content-Length. A canary server (not in
the allowed ports) counts every request that reaches it: SSRF tests assert
it stays at zero.

    with HostileFarm() as farm:
        farm.sites            # [Case…] with .slug, .url
        farm.allow_hosts()    # the cases' own host:port entries, canary excluded
"""
from __future__ import annotations

import zlib
import os
import socket
import struct
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable

import yaml

BIG = 50 * 1024 * 1024
CHUNK = 64 * 1024


@dataclass
class Req:
    method: str
    path: str
    headers: dict[str, str]


@dataclass
class Case:
    slug: str
    name: str
    handler: Callable[["Case", socket.socket, Req], None]
    hints: dict = field(default_factory=dict)
    port: int = 0
    hits: Counter = field(default_factory=Counter)
    sent: Counter = field(default_factory=Counter)     # body bytes written per path
    throttled: Counter = field(default_factory=Counter)  # 429 answers per path
    farm: "HostileFarm | None" = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def url(self) -> str:
        return self.base + "/"


# -- raw responses -----------------------------------------------------------
def head(conn, status: int, headers: dict[str, str | int] | None = None, reason: str = "X") -> None:
    lines = [f"HTTP/1.1 {status} {reason}"] + [f"{k}: {v}" for k, v in (headers or {}).items()]
    conn.sendall(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1"))


def send(conn, status: int, body: bytes | str, ctype: str = "text/html; charset=utf-8", **extra) -> None:
    if isinstance(body, str):
        body = body.encode("utf-8")
    head(conn, status, {"Content-Type": ctype, "Content-Length": len(body), "Connection": "close", **extra})
    conn.sendall(body)


def page(title: str, body: str) -> str:
    return (f'<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><title>{title}</title></head>'
            f"<body><h1>{title}</h1>{body}<p>{'政务公开 信息公开 办事服务 互动交流 ' * 20}</p></body></html>")


def stream(case: Case, conn, path: str, total: int, piece: bytes) -> None:
    """Write `total` bytes in pieces until done or the client hangs up; count what went out."""
    try:
        while case.sent[path] < total:
            conn.sendall(piece)
            case.sent[path] += len(piece)
    except OSError:
        pass


# -- the cases -----------------------------------------------------------------
def control(case, conn, req):
    if req.path == "/":
        send(conn, 200, page("某某市人民政府", '<a href="/a.html">新闻</a> <a href="/b.html">公告</a>'))
    elif req.path in ("/a.html", "/b.html"):
        send(conn, 200, page("新闻", '<a href="/">首页</a>'))
    else:
        send(conn, 404, page("404", ""))


def calendar(case, conn, req):
    from urllib.parse import parse_qs, urlsplit
    if req.path == "/":
        now = datetime.now(timezone.utc)
        send(conn, 200, page("活动日历", f'<a href="/calendar?year={now.year}&month={now.month}">日历</a>'))
        return
    q = parse_qs(urlsplit(req.path).query)
    y, m = int(q.get("year", ["2026"])[0]), int(q.get("month", ["1"])[0])
    prev_y, prev_m = (y, m - 1) if m > 1 else (y - 1, 12)
    next_y, next_m = (y, m + 1) if m < 12 else (y + 1, 1)
    send(conn, 200, page(f"{y}年{m}月", f'<a href="/calendar?year={prev_y}&month={prev_m}">上月</a> '
                                        f'<a href="/calendar?year={next_y}&month={next_m}">下月</a>'))


def session_ids(case, conn, req):
    sid = os.urandom(8).hex()
    links = (f'<a href="/list;jsessionid={sid}">列表</a> <a href="/view?id=1&amp;sid={sid}">详情</a> '
             f'<a href="/view?sid={sid}&amp;id=2">详情2</a>')
    send(conn, 200, page("会话", links))


def repeated_segments(case, conn, req):
    send(conn, 200, page("目录", '<a href="sub/">下级</a> <a href="./">本级</a>'))


def query_permutations(case, conn, req):
    from urllib.parse import parse_qs, urlsplit
    q = parse_qs(urlsplit(req.path).query)
    a, b = int(q.get("a", ["0"])[0]), int(q.get("b", ["0"])[0])
    send(conn, 200, page("筛选", f'<a href="/filter?b={b}&amp;a={a}">同</a> <a href="/filter?a={a + 1}&amp;b={b}">a+</a> '
                                f'<a href="/filter?b={b + 1}&amp;a={a}">b+</a>'))


def redirect_loop(case, conn, req):
    head(conn, 302, {"Location": "/loop" if req.path == "/" else "/", "Content-Length": 0, "Connection": "close"})


def redirect_chain(case, conn, req):
    n = int(req.path.strip("/").split("/")[-1]) if req.path.startswith("/r/") else 0
    if n < 30:
        head(conn, 302, {"Location": f"/r/{n + 1}", "Content-Length": 0, "Connection": "close"})
    else:
        send(conn, 200, page("终点", ""))


def silent(case, conn, req):
    case.farm.stopping.wait(120)      # accept, read the request, never answer


def trickle(case, conn, req):
    head(conn, 200, {"Content-Type": "text/html; charset=utf-8", "Content-Length": 5000})
    for _ in range(120):
        if case.farm.stopping.wait(1):
            return
        conn.sendall(b"<")


def reset(case, conn, req):
    head(conn, 200, {"Content-Type": "text/html; charset=utf-8", "Content-Length": 100_000})
    conn.sendall(b"<html><body>" + b"x" * 2000)
    conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))   # close → RST


def sizes(case, conn, req):
    if req.path == "/":
        send(conn, 200, page("大文件", '<a href="/big.html">大页面</a> <a href="/stream.html">流</a> '
                                     '<a href="/bomb.html">压缩</a>'))
    elif req.path == "/big.html":
        head(conn, 200, {"Content-Type": "text/html", "Content-Length": BIG, "Connection": "close"})
        stream(case, conn, req.path, BIG, b"<p>" + b"x" * (CHUNK - 3))
    elif req.path == "/stream.html":
        head(conn, 200, {"Content-Type": "text/html", "Connection": "close"})
        stream(case, conn, req.path, BIG, b"<p>" + b"y" * (CHUNK - 3))
    elif req.path == "/bomb.html":
        body = case.farm.bomb()
        head(conn, 200, {"Content-Type": "text/html", "Content-Encoding": "gzip", "Content-Length": len(body),
                         "Connection": "close"})
        conn.sendall(body)
        case.sent[req.path] += len(body)
    else:
        send(conn, 404, "")


def waf_wall(case, conn, req):
    send(conn, 403, "<html><head><title>403 Forbidden</title></head><body>访问被拦截 Web应用防火墙 WAF</body></html>")


def storm(case, conn, req):
    if case.hits[req.path] <= 2:
        case.throttled[req.path] += 1
        send(conn, 429, "Too Many Requests", "text/plain", **{"Retry-After": 1})
    elif req.path == "/":
        send(conn, 200, page("限流", '<a href="/a.html">新闻</a>'))
    else:
        send(conn, 200, page("新闻", ""))


def storm_endless(case, conn, req):
    case.throttled[req.path] += 1
    send(conn, 429, "Too Many Requests", "text/plain", **{"Retry-After": 1})


def gbk_labelled_utf8(case, conn, req):
    body = ('<html><head><meta charset="gbk"><title>某某县人民政府</title></head><body><h1>某某县人民政府</h1>'
            + "<p>政务公开 镕 喆 堃</p>" * 30 + "</body></html>").encode("gbk")
    send(conn, 200, body, "text/html; charset=utf-8")


def utf8_labelled_gbk(case, conn, req):
    body = ('<html><head><meta charset="utf-8"><title>某某镇人民政府</title></head><body><h1>某某镇人民政府</h1>'
            + "<p>政务公开 信息公开</p>" * 30 + "</body></html>").encode("utf-8")
    send(conn, 200, body, "text/html; charset=gbk")


def nested(case, conn, req):
    body = ("<html><head><title>嵌套</title><body><table><tr><td>" + "<div><b><i><span class='x" * 20000
            + "深处 <a href='/a.html'>链接</a>" + "</p></td>" * 500 + "<<>><!-- unterminated")
    send(conn, 200, body)


def garbage(case, conn, req):
    send(conn, 200, case.farm.garbage, "text/html")


def bad_length(case, conn, req):
    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 12abc\r\nConnection: close\r\n\r\n"
                 + page("长度", "").encode())


# links no crawler should follow and no page should ever render as links (the console's XSS test uses them too)
SCHEME_LINKS = ['javascript:alert(1)', ' JaVaScRiPt:alert(2)', 'data:text/html,<script>alert(3)</script>',
                'file:///etc/passwd', 'ftp://127.0.0.1/', 'vbscript:msgbox(1)', 'about:blank', 'gopher://127.0.0.1:6379/_x']


def schemes(case, conn, req):
    send(conn, 200, page("协议", " ".join(f'<a href="{h}">{i}</a>' for i, h in enumerate(SCHEME_LINKS))
                        + '<img src="file:///etc/hostname"><iframe src="javascript:1"></iframe>'))


def private_links(case, conn, req):
    canary = case.farm.canary_port
    if req.path == "/go":
        head(conn, 302, {"Location": f"http://127.0.0.1:{canary}/secret", "Content-Length": 0, "Connection": "close"})
        return
    if req.path == "/go2":
        head(conn, 302, {"Location": f"http://localhost:{canary}/secret", "Content-Length": 0, "Connection": "close"})
        return
    targets = [f"http://127.0.0.1:{canary}/", f"http://localhost:{canary}/", f"http://[::1]:{canary}/",
               f"http://0x7f000001:{canary}/", f"http://127.1:{canary}/", f"http://2130706433:{canary}/",
               f"http://[::ffff:127.0.0.1]:{canary}/", "http://10.0.0.1/", "http://192.168.1.1/admin",
               "http://169.254.169.254/latest/meta-data/", "http://[fe80::1]/", "http://0.0.0.0:%d/" % canary,
               "/go", "/go2", f"http://localhost.:{canary}/", f"http://%31%32%37.0.0.1:{canary}/",
               f"http://[::7f00:1]:{canary}/", f"http://[64:ff9b::7f00:1]:{canary}/"]
    body = " ".join(f'<a href="{t}">{i}</a>' for i, t in enumerate(targets))
    body += f'<img src="http://127.0.0.1:{canary}/pixel.gif"><iframe src="http://localhost:{canary}/frame"></iframe>'
    send(conn, 200, page("内网", body))


def popups(case, conn, req):
    send(conn, 200, page("弹窗", "<script>setInterval(function(){window.open('/?p='+Math.random())},10);"
                                "for(var i=0;i<50;i++){window.open('/?q='+i)}</script>"))


def js_loop(case, conn, req):
    send(conn, 200, page("死循环", "<script>while(true){}</script>"))


CASES: list[tuple[str, str, Callable, dict]] = [
    ("control", "某某市人民政府", control, {}),
    ("calendar", "日历陷阱", calendar, {"max_depth": 1000, "max_pages": 500}),
    ("session-ids", "会话陷阱", session_ids, {"max_depth": 50}),
    ("repeated-path", "重复路径", repeated_segments, {"max_depth": 50}),
    ("query-perms", "查询排列", query_permutations, {"max_depth": 1000, "max_pages": 500}),
    ("redirect-loop", "重定向循环", redirect_loop, {}),
    ("redirect-chain", "重定向链", redirect_chain, {}),
    ("silent", "不应答", silent, {}),
    ("trickle", "涓流", trickle, {}),
    ("reset", "连接重置", reset, {}),
    ("sizes", "超大页面", sizes, {}),
    ("waf-wall", "防火墙", waf_wall, {}),
    ("storm", "限流", storm, {}),
    ("storm-endless", "持续限流", storm_endless, {}),
    ("gbk-as-utf8", "编码谎称UTF8", gbk_labelled_utf8, {}),
    ("utf8-as-gbk", "编码谎称GBK", utf8_labelled_gbk, {}),
    ("nested", "嵌套", nested, {}),
    ("garbage", "二进制", garbage, {}),
    ("bad-length", "长度错误", bad_length, {}),
    ("schemes", "协议链接", schemes, {}),
    ("private-links", "内网链接", private_links, {}),
    ("popups", "弹窗", popups, {}),
    ("js-loop", "脚本死循环", js_loop, {}),
]


class HostileFarm:
    def __init__(self, only: list[str] | None = None):
        self.sites = [Case(slug, name, fn, dict(hints)) for slug, name, fn, hints in CASES
                      if only is None or slug in only]
        for case in self.sites:
            case.farm = self
        self.by_slug = {c.slug: c for c in self.sites}
        self.stopping = threading.Event()
        self.canary_hits: list[str] = []
        self.canary_port = 0
        self.garbage = bytes((i * 7919 + 13) % 256 for i in range(200_000))
        self._bomb: bytes | None = None
        self._socks: list[socket.socket] = []

    def bomb(self) -> bytes:
        if self._bomb is None:   # 100 MB of zeros in ≈ 100 KB
            packer = zlib.compressobj(9, zlib.DEFLATED, 31)
            zeros = bytes(1024 * 1024)
            self._bomb = b"".join(packer.compress(zeros) for _ in range(100)) + packer.flush()
        return self._bomb

    def __enter__(self) -> "HostileFarm":
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def _listen(self) -> socket.socket:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", 0))
        sock.listen(64)
        self._socks.append(sock)
        return sock

    def start(self) -> None:
        if "sizes" in self.by_slug:
            self.bomb()
        canary = self._listen()
        self.canary_port = canary.getsockname()[1]
        threading.Thread(target=self._accept, args=(canary, None), daemon=True).start()
        for case in self.sites:
            sock = self._listen()
            case.port = sock.getsockname()[1]
            threading.Thread(target=self._accept, args=(sock, case), daemon=True).start()

    def stop(self) -> None:
        self.stopping.set()
        for sock in self._socks:
            try:
                sock.close()
            except OSError:
                pass

    def allow_hosts(self) -> list[str]:
        return [f"127.0.0.1:{c.port}" for c in self.sites]

    def write_registry(self, path: Path) -> Path:
        rows = [{"name": c.name, "url": c.url, "kind": "portal", "unit": c.name, "hints": c.hints} for c in self.sites]
        path.write_text(yaml.safe_dump({"sites": rows}, allow_unicode=True, sort_keys=False), encoding="utf-8")
        return path

    def _accept(self, sock: socket.socket, case: Case | None) -> None:
        while not self.stopping.is_set():
            try:
                conn, _ = sock.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(conn, case), daemon=True).start()

    def _serve(self, conn: socket.socket, case: Case | None) -> None:
        try:
            conn.settimeout(30)
            data = b""
            while b"\r\n\r\n" not in data and len(data) < 65536:
                chunk = conn.recv(4096)
                if not chunk:
                    return
                data += chunk
            lines = data.split(b"\r\n\r\n", 1)[0].decode("latin-1").split("\r\n")
            method, path = (lines[0].split(" ") + ["", ""])[:2]
            headers = {k.strip().lower(): v.strip() for k, _, v in (ln.partition(":") for ln in lines[1:])}
            if case is None:
                self.canary_hits.append(f"{method} {path}")
                send(conn, 200, "canary")
                return
            case.hits[path] += 1
            case.handler(case, conn, Req(method, path, headers))
        except OSError:
            pass
        finally:
            try:
                conn.close()
            except OSError:
                pass


def serve_forever() -> None:
    """`python -m tests.hostile.farm`: serve the farm and print its sites (for bench/hostile.py and by hand)."""
    with HostileFarm() as farm:
        for case in farm.sites:
            print(case.slug, case.url, flush=True)
        print("allow", ",".join(farm.allow_hosts()), flush=True)
        while True:
            time.sleep(3600)


if __name__ == "__main__":
    serve_forever()
