"""A farm of sites whose links are spelled the ways real government pages spell them: Chinese
paths raw and percent-encoded, spaces, full-width characters, a GBK page's Chinese query, and
hrefs no browser could follow. Served by the hostile farm's raw-socket server on 127.0.0.1.

The servers decode like common government web servers: the path's percent-encoding as UTF-8,
the query in the site's own encoding (a GBK site's list.jsp reads `name` as GBK)."""
from __future__ import annotations

import time
from urllib.parse import parse_qs, unquote_to_bytes

from tests.hostile.farm import Case, HostileFarm, head, send, stream

RAW = "/政务公开/index.html"
ENCODED = "/%E6%94%BF%E5%8A%A1%E5%85%AC%E5%BC%80/index.html"
NAME = "通知公告"
NOT_FOUND = "<html><body><h1>404 Not Found</h1></body></html>"


def html(title: str, body: str, charset: str = "utf-8") -> str:
    return (f'<!DOCTYPE html><html lang="zh-CN"><head><meta charset="{charset}"><title>{title}</title></head>'
            f"<body><h1>{title}</h1>{body}<p>{'政务公开 信息公开 办事服务 互动交流 ' * 20}</p></body></html>")


def links(*hrefs: str) -> str:
    return " ".join(f'<a href="{h}">链接{i}</a>' for i, h in enumerate(hrefs))


def split(target: str, query_encoding: str) -> tuple[str, dict[str, list[str]]]:
    path, _, query = target.partition("?")
    return (unquote_to_bytes(path).decode("utf-8", "replace"),
            parse_qs(query, encoding=query_encoding, errors="replace"))


def utf8_site(case, conn, req):
    path, query = split(req.path, "utf-8")
    if path == "/":
        send(conn, 200, html("某某市人民政府", links(
            RAW, ENCODED, "/附件/附件1：通知.doc", "/files/a b.pdf", "/ｇｋ/全角.html",
            "/政务公开/%E9%80%9A知.html", f"/list.jsp?name={NAME}",
            "/list.jsp?name=%E9%80%9A%E7%9F%A5%E5%85%AC%E5%91%8A")))
    elif path == "/政务公开/index.html":
        send(conn, 200, html("政务公开", links("./附件2.pdf", "../政务公开/index.html", "通知.html")))
    elif path == "/政务公开/通知.html":
        send(conn, 200, html("通知", links("/")))
    elif path == "/list.jsp" and query.get("name") == [NAME]:
        send(conn, 200, html(NAME, links("/")))
    else:
        send(conn, 404, NOT_FOUND)


def gbk_site(case, conn, req):
    path, query = split(req.path, "gbk")
    ctype = "text/html; charset=gbk"
    if path == "/":
        body = html("某某县人民政府", links(f"/list.jsp?name={NAME}", "/list.jsp?name=%CD%A8%D6%AA%B9%AB%B8%E6", RAW,
                                          ENCODED, "/附件/不存在.pdf", "附件/附件 1.doc"), "gbk")
        send(conn, 200, body.encode("gbk"), ctype)
    elif path == "/list.jsp" and query.get("name") == [NAME]:
        send(conn, 200, html(NAME, "", "gbk").encode("gbk"), ctype)
    elif path == RAW:
        send(conn, 200, html("政务公开", "", "gbk").encode("gbk"), ctype)
    else:
        send(conn, 404, NOT_FOUND)


BAD_HREFS = ["http://[::1", "http://[1::2::3]/", "https://[0:0:0:0:0:0:0:0:1/x", "javascript:void(0)",
             "data:text/html,<b>x</b>", "/a\x01b\x7f.html", "http://exa mple.gov.cn/", "/" + "长" * 100_000 + ".html",
             "http://%zz/", "ok.html"]


def bad_hrefs(case, conn, req):
    path, _ = split(req.path, "utf-8")
    if path == "/":
        send(conn, 200, html("某某镇人民政府", links(*BAD_HREFS)))
    elif path == "/ok.html":
        send(conn, 200, html("正常页面", links("/")))
    else:
        send(conn, 404, NOT_FOUND)


def two_spellings(case, conn, req):
    """One page linked raw from the homepage and percent-encoded from a page two links further
    that holds many images, so the two spellings reach storage in different write batches."""
    path, _ = split(req.path, "utf-8")
    if path == "/":
        send(conn, 200, html("某某州人民政府", links(RAW)))
    elif path == "/more.html":
        send(conn, 200, html("更多", links(ENCODED) + "".join(f'<img src="/i/{n}.png" alt="图{n}">' for n in range(600))))
    elif path == RAW:
        send(conn, 200, html("政务公开", links("/more.html")))
    elif path.startswith("/i/"):
        send(conn, 200, b"\x89PNG", "image/png")
    else:
        send(conn, 404, NOT_FOUND)


def control(case, conn, req):
    """A plain site whose crawl is still under way when another site's storage fails."""
    if req.path == "/":
        send(conn, 200, html("某某区人民政府", links("/a.html", "/gone.html")))
    elif req.path == "/a.html":
        time.sleep(1)
        send(conn, 200, html("新闻", links("/")))
    else:
        send(conn, 404, NOT_FOUND)


SIZE = 12 * 1024 * 1024


def big(case, conn, req):
    """A homepage of 12 MiB (declared), over the 10 MiB cap."""
    if req.path == "/":
        head(conn, 200, {"Content-Type": "text/html; charset=utf-8", "Content-Length": SIZE, "Connection": "close"})
        stream(case, conn, "/", SIZE, b"<p>" + "政务公开".encode() * 5000)


def endless(case, conn, req):
    """A homepage that streams without end (no length)."""
    if req.path == "/":
        head(conn, 200, {"Content-Type": "text/html; charset=utf-8", "Connection": "close"})
        stream(case, conn, "/", 10 * SIZE, b"<p>" + "政务公开".encode() * 5000)


def wide(case, conn, req):
    """A homepage with 20 links to another site's pages (each 404), then 20 to its own (each 200)."""
    other = case.farm.by_slug["control"].base
    if req.path == "/":
        send(conn, 200, html("某某市人民政府", links(*(f"{other}/e{i}.html" for i in range(20)),
                                               *(f"/p{i}.html" for i in range(20)))))
    else:
        send(conn, 200, html("页面", ""))


CASES = [("utf8", "中文链接", utf8_site), ("gbk", "GBK链接", gbk_site), ("bad-hrefs", "坏链接", bad_hrefs),
         ("two-spellings", "两种写法", two_spellings), ("control", "对照", control),
         ("big", "超大首页", big), ("endless", "无尽首页", endless),
         ("wide", "链接众多", wide, {"max_external_links": 5, "max_links_per_page": 30})]


def nul_header(case, conn, req):
    """A NUL byte in a response header: PostgreSQL refuses it in a JSON column, so storing this
    site's crawl fails (a real storage failure, for containment tests)."""
    body = html("某某乡人民政府", links("/x.html")).encode("utf-8")
    head(conn, 200, {"Content-Type": "text/html; charset=utf-8", "Server": "IIS\x00/6.0", "Content-Length": len(body),
                     "Connection": "close"})
    conn.sendall(body)


class UrlFarm(HostileFarm):
    def __init__(self, cases: list | None = None):
        super().__init__(only=[])
        self.sites = [Case(*case) for case in cases or CASES]      # (slug, name, handler[, hints])
        for case in self.sites:
            case.farm = self
        self.by_slug = {c.slug: c for c in self.sites}
