"""Synthetic government-style sites for benchmarks, served by a small asyncio
HTTP/1.1 server (keep-alive) so the server is never the bottleneck.

    python -m bench.synthetic --pages 5000 --sites 1 --latency 0 [--realistic]
prints one base URL per site and serves until killed.

Tiny pages (the default): each site has `pages` pages of about 1.5 KB; the homepage
links to 10 columns; every page links to ~12 other pages of the site (a, img), a
dated list, an attachment every 50 pages, a dead link every 100 pages and an
external link every 200.

Realistic pages (`--realistic`) follow the real-page corpus (tests/corpus/real,
21 government pages, measured with lxml: every <a href>, scripts and styles
dropped for the text):
- page size: median 27.6 KB, mean 90 KB, from 5 KB to 423 KB (a long tail of
  browser-saved article pages with inline data) — drawn log-normally with median
  28 KB and sigma 1.3, clipped to 5-420 KB (generated: median 28 KB, mean 61 KB);
  the bulk that is not text is inline script/style and navigation markup, as on
  the real pages (median 12 <script>s);
- links per page: median 50, mean 72, up to 384 — log-normal, median 50, sigma
  0.7, clipped to 8-380; a fixed header/footer navigation (30 links shared by every
  page, as on a CMS template) plus list and related items;
- external share: median 16 % of a page's links point to other hosts (mean 18 %):
  drawn from 60 external targets per site (gov.cn, the province, ministries —
  the same few repeat across a site's pages), served by a second server (with
  several sites, by the next site's server, so the round's external checks are
  spread over the farm's servers as a national round's are over many hosts);
- visible text: median 1,331 Chinese characters, mean 3,274, from 6 to 10,734 —
  the prose is log-normal (median 500, sigma 1.2, clipped to 20-10,000) and the
  navigation and list texts add the rest (generated: median 1,680, mean 2,230);
- images: median 8 a page; attachments: about 1 in 10 pages links one, named in
  Chinese (附件1：关于…的通知.pdf/.docx/.xlsx), percent-encoded in the href as a
  CMS writes it;
- dead links: 1 in 100 links points to a missing page of the site, 1 in 20
  external targets is dead;
- one page in 5 is GBK-encoded (declared in <meta> only, as older CMS pages are;
  the corpus has no page left in its original GBK bytes, so this share is a guess
  from the generality farm's TRS/Hanweb sites, not a measurement).
Pages are deterministic per (site, page number).
"""
from __future__ import annotations

import argparse
import asyncio
import math
import random
import sys
from datetime import date, timedelta
from urllib.parse import quote

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


NAV = ["首页", "政务公开", "政府信息公开", "政策文件", "政策解读", "新闻动态", "通知公告", "人事信息", "办事服务",
       "互动交流", "领导信箱", "在线咨询", "征集调查", "专题专栏", "数据开放", "走进本市", "网站地图", "无障碍",
       "长者模式", "English", "联系我们", "隐私声明", "网站纠错", "信息公开指南", "信息公开目录", "依申请公开",
       "规划计划", "统计数据", "财政预决算", "应急管理"]
PROSE = ("为深入贯彻落实党中央、国务院决策部署，进一步优化营商环境，提升政务服务水平，根据有关法律法规规定，"
         "结合本市实际，现就有关事项通知如下。各地区各部门要高度重视，加强组织领导，明确责任分工，"
         "确保各项工作任务落到实处。对工作中遇到的问题，请及时与市政府办公室联系。")
ATTACHMENT_EXT = ["pdf", "docx", "xlsx", "doc"]


def _lognormal(rnd: random.Random, median: float, sigma: float, lo: int, hi: int) -> int:
    return int(min(hi, max(lo, median * math.exp(rnd.gauss(0.0, sigma)))))


def realistic_page(n: int, pages: int, site: int, ext_base: str) -> tuple[bytes, str]:
    """A page shaped like the real corpus (see the module docstring): (body, charset)."""
    rnd = random.Random(n * 104729 + site * 7 + 1)
    today = date.today()
    size = _lognormal(rnd, 28_000, 1.3, 5_000, 420_000)
    n_links = _lognormal(rnd, 50, 0.7, 8, 380)
    n_text = _lognormal(rnd, 500, 1.2, 20, 10_000)
    charset = "gbk" if n % 5 == 4 else "utf-8"
    nav = "".join(f'<li><a href="/col/{i}/index.html">{name}</a></li>' for i, name in enumerate(NAV))
    own = n_links - len(NAV)
    n_ext = round(n_links * 0.16)
    items = []
    targets = sorted({rnd.randrange(pages) for _ in range(max(2, own - n_ext))} | {(n + 1) % pages, (n * 3 + 7) % pages})
    for t in targets:
        day = (today - timedelta(days=t % 90)).isoformat()
        if rnd.random() < 0.01:
            items.append(f'<li><a href="/p/missing-{n}-{t}.html">关于第{t}号事项的补充通知</a><span>{day}</span></li>')
        else:
            items.append(f'<li><a href="/p/{t}.html">关于印发第{t}号事项实施方案的通知</a><span>{day}</span></li>')
    ext = "".join(f'<li><a href="{ext_base}gov/{rnd.randrange(60)}.html" target="_blank">相关链接{k}</a></li>'
                  for k in range(n_ext))
    attachment = ""
    if n % 10 == 3:
        name = f"附件1：关于第{n}号事项的通知.{ATTACHMENT_EXT[n % 4]}"
        attachment = f'<p><a href="/files/{quote(name)}">{name}</a></p>'
    imgs = "".join(f'<img src="/img/{(n + k) % 20}.png" alt="图片{k}">' for k in range(rnd.randint(3, 14)))
    text = (PROSE * (n_text // len(PROSE) + 1))[:n_text]
    paras = "".join(f"<p>{text[i:i + 200]}</p>" for i in range(0, len(text), 200))
    head = (f'<!DOCTYPE html><html lang="zh-CN"><head><meta http-equiv="Content-Type" content="text/html; charset={charset}">'
            f'<title>关于印发第{n}号事项实施方案的通知_某某市人民政府</title>'
            f'<meta name="SiteName" content="某某市人民政府"><meta name="SiteDomain" content="www.example.gov.cn">'
            f'<meta name="SiteIDCode" content="3301000001"><meta name="ColumnName" content="通知公告">'
            f'<meta name="PubDate" content="{(today - timedelta(days=n % 30)).isoformat()} 09:00">'
            f'<link rel="stylesheet" href="/css/main.css">')
    body = (f'</head><body><div class="header"><ul class="nav">{nav}</ul></div>'
            f'<div class="main"><h1>关于印发第{n}号事项实施方案的通知</h1><div class="info">发布时间：'
            f'{(today - timedelta(days=n % 30)).isoformat()} 来源：市政府办公室</div>{imgs}<div class="content">{paras}'
            f'{attachment}</div><div class="related"><h3>相关文章</h3><ul>{"".join(items)}</ul></div>'
            f'<div class="links"><h3>政府网站</h3><ul>{ext}</ul></div></div>'
            f'<div class="footer">主办：某某市人民政府办公室 网站标识码：3301000001 浙ICP备12345678号 '
            f'浙公网安备33010002000001号</div></body></html>')
    # the rest of the page's weight: inline scripts and styles, as CMS templates carry
    filler = size - len((head + body).encode(charset, "replace"))
    scripts = []
    k = 0
    while filler > 0:
        chunk = min(filler, 8_000)
        scripts.append(f"<script>var cfg{k}={{'a':'{'x' * max(0, chunk - 40)}'}};</script>")
        filler -= chunk
        k += 1
    return (head + "".join(scripts) + body).encode(charset, "replace"), charset


def external_page(path: str) -> tuple[int, bytes]:
    """The external hosts' pages: 1 target in 20 is dead."""
    try:
        k = int(path.rsplit("/", 1)[1].split(".")[0])
    except ValueError:
        return 404, b"<html><body>404</body></html>"
    if k % 20 == 19:
        return 404, b"<html><body>404</body></html>"
    return 200, f"<html><head><title>外部网站{k}</title></head><body>外部网站{k}</body></html>".encode()


PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000"
                    "1f15c4890000000d49444154789c6300010000050001a5f645400000000049454e44ae426082")


async def handle(reader, writer, pages: int, site: int, latency: tuple[float, float], ext_base: str | None):
    """One site's server; `ext_base` set = realistic pages linking to the external server there."""
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
            page = -1
            if path in ("/", "/index.html"):
                page = 0
            elif path.startswith("/p/") and path.endswith(".html"):
                try:
                    page = int(path[3:-5])
                except ValueError:
                    page = -1
                page = page if 0 <= page < pages else -1
            if path in ("/", "/index.html") or path.startswith("/p/"):
                if page < 0:
                    status, body = 404, b"<html><body>404</body></html>"
                elif ext_base is None:
                    body = page_html(page, pages, site)
                else:
                    body, charset = realistic_page(page, pages, site, ext_base)
                    # GBK pages declare their charset in <meta> only, as older CMS pages do
                    ctype = "text/html" if charset == "gbk" else ctype
            elif path.startswith("/col/"):
                # a column's index is the list page of its first entries
                body = realistic_page(1 + sum(map(ord, path)) % max(1, pages - 1), pages, site, ext_base or "/")[0] \
                    if ext_base is not None else page_html(1, pages, site)
            elif path.startswith("/gov/"):
                status, body = external_page(path)
            elif path.startswith("/img/"):
                ctype, body = "image/png", PNG
            elif path.startswith("/css/"):
                ctype, body = "text/css", b"body{font-family:sans-serif}"
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


async def serve(pages: int, sites: int, latency: tuple[float, float], realistic: bool = False) -> None:
    ext_base = None
    if realistic and sites == 1:
        # the "other hosts" that realistic pages link to: one server on another port
        external = await asyncio.start_server(lambda r, w: handle(r, w, 0, 0, (0.0, 0.0), "/"), "127.0.0.1", 0)
        ext_base = f"http://127.0.0.1:{external.sockets[0].getsockname()[1]}/"
    # With several sites, a site's external links go to the next site's server (every server answers /gov/):
    # one server shared by every site would measure the polite per-server rate of a single host, not the round.
    bases: list[str] = []
    servers = []
    for site in range(sites):
        server = await asyncio.start_server(
            lambda r, w, s=site: handle(r, w, pages, s, latency, ext_base or (bases[(s + 1) % sites] if realistic else None)),
            "127.0.0.1", 0, backlog=1024)
        servers.append(server)
        bases.append(f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}/")
        print(bases[-1], flush=True)
    if ext_base:
        print(f"EXTERNAL {ext_base}", flush=True)
    print("READY", flush=True)
    await asyncio.Event().wait()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--pages", type=int, default=5000)
    ap.add_argument("--sites", type=int, default=1)
    ap.add_argument("--latency", type=float, nargs=2, default=(0.0, 0.0), metavar=("MIN", "MAX"))
    ap.add_argument("--realistic", action="store_true", help="pages shaped like the real corpus (see the docstring)")
    args = ap.parse_args()
    try:
        asyncio.run(serve(args.pages, args.sites, tuple(args.latency), args.realistic))
    except KeyboardInterrupt:
        sys.exit(0)


class SyntheticFarm:
    """Start the server in a subprocess; `.urls` are the site base URLs, `.external`
    the external hosts' base URL of realistic sites (else None)."""

    def __init__(self, pages: int, sites: int = 1, latency: tuple[float, float] = (0.0, 0.0), realistic: bool = False):
        self.args = ["--pages", str(pages), "--sites", str(sites), "--latency", str(latency[0]), str(latency[1])]
        self.args += ["--realistic"] if realistic else []
        self.urls: list[str] = []
        self.external: str | None = None

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
            if line.startswith("EXTERNAL "):
                self.external = line.split(" ", 1)[1]
            else:
                self.urls.append(line)
        return self

    def __exit__(self, *exc) -> None:
        self.proc.kill()
        self.proc.wait()


if __name__ == "__main__":
    main()
