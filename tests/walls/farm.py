"""A farm of walls: one small government site served behind several anti-bot
behaviours, each on its own 127.0.0.1 port, plus the same site without a wall.

The wall pages are our own imitations of how the products behave (status,
cookie names, a script that sets the cookie and reloads), not their code. A
browser that runs the script gets the cookie and then the site, as a person
does; a scanner that does not run scripts stays in front of the wall. The
CAPTCHA wall has no script way through (a person must answer it).

`api_sites()` adds an open-data platform and a hotline board whose pages are
open but whose list API (the JSON the catalogue or letters page loads) meets a
wall, beside the same two sites without one.

Every server counts what reached it: requests in flight at once (max) and the
arrival time of each request, for the politeness tests.
"""
from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from datetime import date, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Callable

import yaml


CORPUS = Path(__file__).resolve().parents[1] / "corpus" / "real"
TOKEN = "passed-7f3a"


def site_pages(today: date) -> dict[str, str]:
    """The site behind every wall: what a person reads on it is in test_walls.py."""
    d = [(today - timedelta(days=n)).isoformat() for n in (1, 3, 9)]
    items = "".join(f'<li><a href="/news/{i}.html">通知{i}</a><span>{d[i - 1]}</span></li>' for i in (1, 2, 3))
    foot = ('<div class="foot">主办单位：某某县人民政府办公室 联系电话：0571-12345678 <a href="/sitemap.html">网站地图</a>'
            '<br>网站标识码：3301000001 浙ICP备12345678号 浙公网安备33010202000123号</div>')
    home = (f'<html lang="zh-CN"><head><meta charset="utf-8"><title>某某县人民政府</title></head><body>'
            f'<h1>某某县人民政府</h1><img src="/logo.png" alt="县徽"><div class="news"><h2>通知公告</h2><ul>{items}</ul>'
            f'<a href="/news/index.html">更多&gt;&gt;</a></div><a href="/gone.html">旧栏目</a>{foot}</body></html>')
    pages = {"/": home, "/index.html": home}
    pages["/news/index.html"] = (f'<html lang="zh-CN"><head><meta charset="utf-8"><title>通知公告</title></head>'
                                 f'<body><h1>通知公告</h1><ul>{items}</ul>{foot}</body></html>')
    for i in (1, 2, 3):
        pages[f"/news/{i}.html"] = (f'<html lang="zh-CN"><head><meta charset="utf-8"><title>通知{i}</title></head>'
                                    f'<body><h1>通知{i}</h1><p>发布时间：{d[i - 1]}</p>'
                                    f'<p>{"关于做好有关工作的通知。" * 20}</p><a href="/">首页</a>{foot}</body></html>')
    pages["/sitemap.html"] = (f'<html lang="zh-CN"><head><meta charset="utf-8"><title>网站地图</title></head>'
                              f'<body><a href="/news/index.html">通知公告</a>{foot}</body></html>')
    return pages


def open_data_pages(today: date) -> dict[str, str | tuple[str, str]]:
    """A data platform whose 数据目录 page loads its catalogue from a JSON API (3 datasets, 2 with an
    API); a tuple is (content type, body)."""
    foot = ('<div class="foot">主办单位：某某市大数据局 <a href="/catalog.html">数据目录</a>'
            '<br>网站标识码：3301000002 浙ICP备12345679号</div>')
    home = (f'<html lang="zh-CN"><head><meta charset="utf-8"><title>某某市公共数据开放平台</title></head><body>'
            f'<h1>某某市公共数据开放平台</h1><a href="/catalog.html">数据目录</a>{foot}</body></html>')
    catalog = ('<html lang="zh-CN"><head><meta charset="utf-8"><title>数据目录 - 某某市公共数据开放平台</title></head>'
               '<body><h2>数据目录</h2><div id="list">正在加载…</div><script>'
               'fetch("/api/datasets?pageNum=1&pageSize=10").then(function (r) { return r.json(); })'
               f'.then(function (d) {{ render(d.data.list); }});</script>{foot}</body></html>')
    rows = [{"id": ident, "dataName": name, "deptName": "某某市统计局", "summary": summary, "updateCycle": "每月",
             "updateDate": f"{(today - timedelta(days=age)).isoformat()} 08:00:00", "openType": "无条件开放",
             "dataFormat": fmt, "apiFlag": api, "fileUrl": ""}
            for ident, name, summary, age, fmt, api in [("d1", "全市人口统计", "按年发布的户籍人口数据", 5, "csv,json", "1"),
                                                         ("d2", "公共停车场名录", "停车场位置和车位数", 20, "xlsx", "0"),
                                                         ("d3", "公交站点", "公交站点位置", 40, "json", "1")]]
    api = json.dumps({"code": 0, "data": {"total": len(rows), "pageNum": 1, "list": rows}}, ensure_ascii=False)
    return {"/": home, "/index.html": home, "/catalog.html": catalog,
            "/api/datasets": ("application/json; charset=utf-8", api)}


def hotline_pages(today: date) -> dict[str, str | tuple[str, str]]:
    """A mayor's mailbox whose 信件公开 page loads its letters from a JSON API: 4 letters, 3 replied."""
    foot = ('<div class="foot">主办单位：某某市人民政府办公室 <a href="/letters.html">信件公开</a>'
            '<br>网站标识码：3301000003 浙ICP备12345670号</div>')
    home = (f'<html lang="zh-CN"><head><meta charset="utf-8"><title>某某市市长信箱</title></head><body>'
            f'<h1>某某市市长信箱</h1><a href="/letters.html">信件公开</a>{foot}</body></html>')
    letters = ('<html lang="zh-CN"><head><meta charset="utf-8"><title>信件公开 - 某某市市长信箱</title></head>'
               '<body><h2>信件公开</h2><div id="list"></div><script>$.ajax({url: "/api/letter/list", type: "post", '
               f'data: {{pageNo: 1, pageSize: 10}}, success: function (res) {{ render(res.rows); }}}});</script>{foot}</body></html>')

    def day(n: int | None) -> str | None:
        return None if n is None else f"{(today - timedelta(days=n)).isoformat()} 10:00:00"
    rows = [{"id": ident, "letterTitle": title, "createTime": day(sub), "replyTime": day(rep), "stateName": state}
            for ident, title, sub, rep, state in [(1, "关于地铁末班车延长的建议", 3, 1, "已回复"),
                                                  (2, "小区物业费上涨问题", 10, 6, "已回复"),
                                                  (3, "学校周边交通拥堵", 14, None, "待回复"),
                                                  (4, "农民工工资拖欠求助", 60, 59, "已办结")]]
    api = json.dumps({"code": 200, "total": len(rows), "rows": rows}, ensure_ascii=False)
    return {"/": home, "/index.html": home, "/letters.html": letters,
            "/api/letter/list": ("application/json; charset=utf-8", api)}


PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000" "1f15c4890000000d4944415478da63f8ffff3f0005fe02fea7d6a4b20000000049454e44ae426082")


# -- the walls (hand-written imitations of each product's behaviour) ------------------
def cookie_reload(name: str) -> str:
    return f'document.cookie="{name}={TOKEN}; path=/";location.reload();'


def ruishu() -> tuple[int, dict, str]:
    # 瑞数: HTTP 412, a `$_ts` state object and an obfuscated script that sets its cookie and reloads
    body = ('<html><head><meta http-equiv="Content-Type" content="text/html; charset=utf-8"><script type="text/javascript">'
            '$_ts=window[\'$_ts\'];if(!$_ts)$_ts={};$_ts.nsd=41325;$_ts.cd="qEkrqAL5rn7aiGgt";</script>'
            f'<script>{cookie_reload("FSSBBIl1UgzbN7N80T")}</script></head><body></body></html>')
    return 412, {"Set-Cookie": "FSSBBIl1UgzbN7N80S=aaa; path=/"}, body


def jiasule() -> tuple[int, dict, str]:
    # 加速乐: HTTP 521 with a `__jsl_clearance` cookie script, `__jsluid` set by header
    body = (f"<script>document.cookie=('__jsl_clearance={TOKEN}')+';max-age=3600;path=/';"
            "location.href=location.pathname+location.search</script>")
    return 521, {"Set-Cookie": "__jsluid_h=0c1d2e3f; max-age=31536000; path=/; HttpOnly"}, body


def aliyun() -> tuple[int, dict, str]:
    # 阿里云盾: HTTP 200, `var arg1=` and a script computing `acw_sc__v2`, then a reload
    body = ("<html><script>var arg1='3A1B2C3D4E5F';var _0x1=function(){return arg1};"
            f"document.cookie='acw_sc__v2={TOKEN}; expires=Thu, 01 Jan 2099 00:00:00 GMT; path=/';"
            "location.reload();</script></html>")
    return 200, {"Set-Cookie": "acw_tc=76b20f6a; path=/; HttpOnly"}, body


def captcha() -> tuple[int, dict, str]:
    # a CAPTCHA page: no script way through
    body = ('<html><head><meta charset="utf-8"><title>安全验证</title></head><body><h3>请输入验证码后继续访问</h3>'
            '<form method="post" action="/verify"><img src="/captcha.jpg"><input name="code">'
            '<button>提交</button></form></body></html>')
    return 200, {}, body


def empty_script() -> tuple[int, dict, str]:
    # an empty page running a large obfuscated inline script (which, run, sets the cookie and reloads)
    noise = "".join(f"var _0x{i:04x}=[{i * 7 % 251},{i * 13 % 251},'\\x{i % 255:02x}'];" for i in range(160))
    body = (f'<html><head><meta charset="utf-8"><title></title><script>{noise}'
            f'(function(){{{cookie_reload("_wafv")}}})();</script></head><body><div id="app"></div></body></html>')
    return 200, {}, body


def rate_403() -> tuple[int, dict, str]:
    return 403, {}, "<html><head><title>403 Forbidden</title></head><body><h1>403 Forbidden</h1></body></html>"


def rate_429() -> tuple[int, dict, str]:
    return 429, {"Retry-After": "1"}, "Too Many Requests"


def real_page(name: str) -> Callable[[], tuple[int, dict, str]]:
    """A real anti-bot page of the corpus, served byte for byte."""
    def wall():
        return 200, {}, (CORPUS / name).read_bytes().decode("utf-8")
    return wall


@dataclass
class Site:
    slug: str
    name: str
    wall: Callable[[], tuple[int, dict, str]] | None = None
    cookie: str = ""                # the cookie that lets a client through (empty: nothing does)
    after: int = 0                  # the wall goes up after this many requests
    hints: dict = field(default_factory=dict)
    extra: int = 0                  # politeness sites: a homepage linking N small pages /p/1.html…
    latency: float = 0.02           # seconds the server takes per request
    robots: str = "User-agent: *\nAllow: /\n"
    retry_after: tuple[str, int] | None = None   # (path, seconds): that path answers 429 once with Retry-After
    root: str = ""                  # served at / instead of the homepage (which stays at /index.html)
    kind: str = "portal"
    pages: Callable[[date], dict] | None = None   # the site's own pages (default: the county portal)
    wall_paths: str = ""            # only paths starting with this meet the wall (an API behind its own rule)…
    blanket: bool = False           # …until the wall has answered once: then every path does (a tripped rate wall)
    port: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)
    in_flight: int = 0
    max_in_flight: int = 0
    arrivals: list[tuple[float, str, str]] = field(default_factory=list)   # (monotonic time, method, path)
    answers: dict[str, str] = field(default_factory=dict)                 # path -> "site" | "wall" (last one)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    def walled(self, cookie_header: str, path: str) -> bool:
        if self.wall is None:
            return False
        if self.cookie and f"{self.cookie}={TOKEN}" in cookie_header:
            return False
        if self.wall_paths and not path.startswith(self.wall_paths):
            return self.blanket and "wall" in self.answers.values()
        return len(self.arrivals) > self.after


WALLS = {
    "ruishu": ("瑞数", ruishu, "FSSBBIl1UgzbN7N80T"),
    "jiasule": ("加速乐", jiasule, "__jsl_clearance"),
    "aliyun": ("阿里云盾", aliyun, "acw_sc__v2"),
    "captcha": (None, captcha, ""),
    "empty-script": (None, empty_script, "_wafv"),
}


def default_sites() -> list[Site]:
    sites = [Site("control", "某某县人民政府")]
    sites += [Site(slug, f"某某县人民政府({slug})", wall, cookie) for slug, (_, wall, cookie) in WALLS.items()]
    sites += [Site("after-n", "某某县人民政府(after-n)", ruishu, "FSSBBIl1UgzbN7N80T", after=3),
              Site("rate-403", "某某县人民政府(rate-403)", rate_403, after=3),
              Site("rate-429", "某某县人民政府(rate-429)", rate_429, after=3),
              Site("corpus-wall", "体彩(corpus)", real_page("other_001.html"))]
    return sites


def api_sites() -> list[Site]:
    """Open-data and hotline sites whose pages answer but whose list API meets a wall, and their controls."""
    def od(slug: str, **wall) -> Site:
        return Site(slug, f"某某市公共数据开放平台({slug})", kind="open_data", pages=open_data_pages, **wall)

    def hl(slug: str, **wall) -> Site:
        return Site(slug, f"某某市市长信箱({slug})", kind="hotline", pages=hotline_pages, **wall)
    return [od("od-control"), od("od-ruishu", wall=ruishu, wall_paths="/api/"),
            od("od-jiasule", wall=jiasule, wall_paths="/api/"), od("od-rate-429", wall=rate_429, wall_paths="/api/"),
            hl("hl-control"), hl("hl-captcha", wall=captcha, wall_paths="/api/"),
            hl("hl-rate-403", wall=rate_403, wall_paths="/api/", blanket=True)]


class WallFarm:
    def __init__(self, sites: list[Site] | None = None, today: date | None = None):
        self.sites = sites if sites is not None else default_sites()
        self.by_slug = {s.slug: s for s in self.sites}
        self.today = today or date.today()
        self.pages = site_pages(self.today)
        self._servers: list[ThreadingHTTPServer] = []

    def __enter__(self) -> "WallFarm":
        for site in self.sites:
            server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler(site))
            server.daemon_threads = True
            site.port = server.server_address[1]
            threading.Thread(target=server.serve_forever, daemon=True).start()
            self._servers.append(server)
        return self

    def __exit__(self, *exc) -> None:
        for server in self._servers:
            server.shutdown()
            server.server_close()

    def allow_hosts(self) -> list[str]:
        return [f"127.0.0.1:{s.port}" for s in self.sites]

    def write_registry(self, path: Path, hints: dict[str, dict] | None = None) -> Path:
        rows = [{"name": s.name, "url": s.url, "kind": s.kind, "unit": s.name,
                 "hints": {**s.hints, **(hints or {}).get(s.slug, {})}} for s in self.sites]
        path.write_text(yaml.safe_dump({"sites": rows}, allow_unicode=True, sort_keys=False), encoding="utf-8")
        return path

    def _handler(self, site: Site):
        pages = site.pages(self.today) if site.pages else self.pages

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.0"

            def log_message(self, *args):
                pass

            def answer(self, with_body: bool):
                with site.lock:
                    site.arrivals.append((time.monotonic(), self.command, self.path))
                    site.in_flight += 1
                    site.max_in_flight = max(site.max_in_flight, site.in_flight)
                try:
                    time.sleep(site.latency)      # a server takes a moment: requests in flight can overlap
                    status, headers, body = self.choose(self.path.split("?")[0])
                finally:
                    with site.lock:       # no longer in flight once the answer leaves: the client may go on at once
                        site.in_flight -= 1
                data = body if isinstance(body, bytes) else body.encode("utf-8")
                self.send_response(status)
                for k, v in {"Content-Type": "text/html; charset=utf-8", **headers}.items():
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                if with_body:
                    self.wfile.write(data)

            def choose(self, path: str) -> tuple[int, dict, str | bytes]:
                if site.retry_after and path == site.retry_after[0] and not site.answers.get(path):
                    site.answers[path] = "429"
                    return 429, {"Retry-After": str(site.retry_after[1])}, "Too Many Requests"
                if site.root and path == "/":
                    return 200, {}, site.root
                if site.extra and path in ("/", "/index.html"):
                    links = "".join(f'<li><a href="/p/{i}.html">第{i}页</a></li>' for i in range(1, site.extra + 1))
                    return 200, {}, f"<html><body><h1>{site.name}</h1><ul>{links}</ul></body></html>"
                if site.extra and path.startswith("/p/"):
                    return 200, {}, f"<html><body><h1>{path}</h1>{'正文' * 200}</body></html>"
                if site.walled(self.headers.get("Cookie", ""), path):
                    site.answers[path] = "wall"
                    return site.wall()
                if path == "/robots.txt":
                    return 200, {"Content-Type": "text/plain"}, site.robots
                if path == "/logo.png":
                    return 200, {"Content-Type": "image/png"}, PNG
                if path in pages:
                    site.answers[path] = "site"
                    page = pages[path]
                    return (200, {"Content-Type": page[0]}, page[1]) if isinstance(page, tuple) else (200, {}, page)
                return 404, {}, "<html><body><h1>404 页面不存在</h1></body></html>"

            def do_GET(self):
                self.answer(True)

            def do_HEAD(self):
                self.answer(False)

            def do_POST(self):
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                self.answer(True)

        return Handler
