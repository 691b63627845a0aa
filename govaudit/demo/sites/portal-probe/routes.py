"""Dynamic parts of the probe demo site: a typo-tolerant site search with
service cards, and the 智能问答 bot's answers."""
import json
import re
from html import escape
from pathlib import Path

HERE = Path(__file__).parent
SERVICES = {"社保": ("社会保障卡申领", "/zwfw/sbk.html"), "公积金": ("住房公积金提取", "/zwfw/gjj.html"),
            "营业执照": ("营业执照办理", "/zwfw/yyzz.html")}
ANSWERS = {"社保卡": "社保卡可在区政务服务中心或“浙里办”在线申领，需携带身份证。",
           "公积金": "住房公积金提取可登录公积金网上服务大厅在线申请，一般3个工作日到账。",
           "营业执照": "营业执照可通过企业开办一网通办平台在线申请，材料齐全当日办结。",
           "居住证": "居住证请到居住地派出所申领，需提供居住证明和身份证。"}
FALLBACK = "抱歉，我没有理解您的问题，请换个问法试试。"


def _articles():
    out = []
    for path in sorted((HERE / "news").glob("n*.html")):
        title = re.search(r"<h2>(.*?)</h2>", path.read_text(encoding="utf-8")).group(1)
        out.append((title, f"/news/{path.name}"))
    return out


def _near(a: str, b: str) -> bool:
    return len(a) == len(b) and sum(x != y for x, y in zip(a, b)) <= 1


def _page(title: str, body: str) -> str:
    return ("<!DOCTYPE html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\">"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
            f"<title>{title}</title><link rel=\"stylesheet\" href=\"/style.css\"></head><body>"
            "<header><h1>某某区人民政府</h1></header>"
            "<nav><a href=\"/\">首页</a><a href=\"/news/index.html\">政务动态</a><a href=\"/zwfw/index.html\">政务服务</a></nav>"
            f"<main>{body}</main><footer><p>主办单位：某某区人民政府办公室</p></footer></body></html>")


def search(q: str) -> str:
    hits, note = [], ""
    for title, url in _articles():
        if q and q in title:
            hits.append((title, url))
    if not hits:
        near = [(t, u) for t, u in _articles() if _near(q, t)]
        if near:
            note = f"<p class=\"tip\">您是不是要找：{escape(near[0][0])}</p>"
            hits = near
    cards = "".join(f"<div class=\"card\"><h3>{escape(name)}</h3><a href=\"{url}\">在线办理</a></div>"
                    for key, (name, url) in SERVICES.items() if key in q)
    rows = "".join(f"<li><a href=\"{u}\">{escape(t)}</a></li>" for t, u in hits)
    if not hits and not cards:
        body = f"<h2>搜索结果</h2><p>未找到与“{escape(q)}”相关的结果。</p>"
    else:
        body = f"<h2>搜索结果</h2>{note}{cards}<p>共{len(hits)}条结果</p><ul class=\"results\">{rows}</ul>"
    return _page("搜索结果_某某区人民政府", body)


def handle(req):
    if req.path == "/search":
        q = (req.query.get("q") or [""])[0].strip()
        return 200, {"Content-Type": "text/html; charset=utf-8"}, search(q)
    if req.path == "/api/qa":
        q = (req.query.get("q") or [""])[0]
        answer = next((a for k, a in ANSWERS.items() if k in q), FALLBACK)
        return 200, {"Content-Type": "application/json"}, json.dumps({"answer": answer}, ensure_ascii=False)
    return None
