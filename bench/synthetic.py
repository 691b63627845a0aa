"""Synthetic government-style sites for benchmarks, served by a small asyncio
HTTP/1.1 server (keep-alive) so the server is never the bottleneck.

    python -m bench.synthetic --pages 5000 --sites 1 --latency 0
prints one base URL per site and serves until killed.

Each site has `pages` pages: the homepage links to 10 columns; every page
links to ~12 other pages of the site (a, img), a dated list, an attachment
every 50 pages, a dead link every 100 pages and an external link every 200.
"""
from __future__ import annotations

import argparse
import asyncio
import random
import sys
from datetime import date, timedelta

COLUMNS = ["工作动态", "通知公告", "政策文件", "政策解读", "人事信息", "规划计划", "部门动态", "乡镇动态", "专题专栏", "办事服务"]


def page_html(n: int, pages: int, site: int) -> bytes:
    rnd = random.Random(n * 7919 + site)
    links = sorted({rnd.randrange(pages) for _ in range(10)} | {(n + 1) % pages, (n * 3 + 7) % pages})
    today = date.today()
    items = "".join(
        f'<li><a href="/p/{t}.html">关于第{t}号事项的通知</a><span>{(today - timedelta(days=(t % 40))).isoformat()}</span></li>'
        for t in links)
    extra = ""
    if n % 50 == 0:
        extra += f'<a href="/files/{n}.pdf">附件{n}.pdf</a>'
    if n % 100 == 0:
        extra += f'<a href="/missing/{n}.html">失效链接</a>'
    if n % 200 == 0:
        extra += '<a href="http://127.0.0.1:9/external">外部链接</a>'
    nav = "".join(f'<a href="/p/{i + 1}.html">{name}</a>' for i, name in enumerate(COLUMNS)) if n == 0 else ""
    body = (f'<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><title>第{n}页 - 某某市人民政府</title>'
            f'<meta name="SiteName" content="某某市人民政府"><meta name="SiteIDCode" content="3301000001">'
            f'<meta name="PubDate" content="{(today - timedelta(days=n % 30)).isoformat()}"></head><body>'
            f'<nav>{nav}<a href="/">首页</a></nav><h1>第{n}页</h1><img src="/img/{n % 20}.png" alt="图{n}">'
            f'<ul class="list">{items}</ul>{extra}<p>{"正文内容。" * 40}</p>'
            f'<footer>网站标识码：3301000001 浙ICP备12345678号 浙公网安备33010002000001号</footer></body></html>')
    return body.encode("utf-8")


PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000"
                    "1f15c4890000000d49444154789c6300010000050001a5f645400000000049454e44ae426082")


async def handle(reader, writer, pages: int, site: int, latency: tuple[float, float]):
    try:
        while True:
            line = await reader.readline()
            if not line:
                break
            method, path, _ = line.decode("latin-1").split(" ", 2)
            while (await reader.readline()) not in (b"\r\n", b"\n", b""):
                pass
            if latency[1] > 0:
                await asyncio.sleep(random.uniform(*latency))
            status, ctype, body = 200, "text/html; charset=utf-8", b""
            if path in ("/", "/index.html"):
                body = page_html(0, pages, site)
            elif path.startswith("/p/") and path.endswith(".html"):
                try:
                    n = int(path[3:-5])
                except ValueError:
                    n = -1
                if 0 <= n < pages:
                    body = page_html(n, pages, site)
                else:
                    status, body = 404, b"<html><body>404</body></html>"
            elif path.startswith("/img/"):
                ctype, body = "image/png", PNG
            elif path.startswith("/files/"):
                ctype, body = "application/pdf", b"%PDF-1.4\n%\xe2\xe3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
            elif path == "/robots.txt":
                ctype, body = "text/plain", b"User-agent: *\nAllow: /\n"
            else:
                status, body = 404, b"<html><body>404</body></html>"
            head = (f"HTTP/1.1 {status} {'OK' if status == 200 else 'Not Found'}\r\nContent-Type: {ctype}\r\n"
                    f"Content-Length: {len(body)}\r\nConnection: keep-alive\r\n"
                    # the header that lifts LinkChecker's own per-host throttle (0.1-0.6 s between
                    # requests otherwise), so bench.crawl compares crawlers, not its politeness
                    f"LinkChecker: unthrottled\r\n\r\n").encode()
            writer.write(head if method == "HEAD" else head + body)
            await writer.drain()
    except (ConnectionError, ValueError, asyncio.IncompleteReadError):
        pass
    finally:
        writer.close()


async def serve(pages: int, sites: int, latency: tuple[float, float], ready=None) -> None:
    servers = []
    for site in range(sites):
        server = await asyncio.start_server(lambda r, w, s=site: handle(r, w, pages, s, latency), "127.0.0.1", 0,
                                            backlog=1024)
        servers.append(server)
        print(f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}/", flush=True)
    print("READY", flush=True)
    await asyncio.Event().wait()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--pages", type=int, default=5000)
    ap.add_argument("--sites", type=int, default=1)
    ap.add_argument("--latency", type=float, nargs=2, default=(0.0, 0.0), metavar=("MIN", "MAX"))
    args = ap.parse_args()
    try:
        asyncio.run(serve(args.pages, args.sites, tuple(args.latency)))
    except KeyboardInterrupt:
        sys.exit(0)


class SyntheticFarm:
    """Start the server in a subprocess; `.urls` are the site base URLs."""

    def __init__(self, pages: int, sites: int = 1, latency: tuple[float, float] = (0.0, 0.0)):
        self.args = ["--pages", str(pages), "--sites", str(sites), "--latency", str(latency[0]), str(latency[1])]
        self.urls: list[str] = []

    def __enter__(self) -> "SyntheticFarm":
        import subprocess
        from pathlib import Path
        root = Path(__file__).resolve().parents[1]
        self.proc = subprocess.Popen([sys.executable, "-m", "bench.synthetic", *self.args], cwd=root,
                                     stdout=subprocess.PIPE, text=True)
        for line in self.proc.stdout:
            line = line.strip()
            if line == "READY":
                break
            self.urls.append(line)
        return self

    def __exit__(self, *exc) -> None:
        self.proc.kill()
        self.proc.wait()


if __name__ == "__main__":
    main()
