"""Dynamic parts of the neglected probe demo site: a search that never finds
anything, and a 智能客服 that never understands."""
import json
from html import escape


def handle(req):
    if req.path == "/search":
        q = (req.query.get("keyword") or [""])[0]
        body = ("<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>搜索结果</title>"
                "<link rel=\"stylesheet\" href=\"/style.css\"></head><body><div class=\"wrap\"><h1>某某镇人民政府</h1>"
                "<nav><a href=\"/\">首页</a> <a href=\"/news/index.html\">新闻中心</a></nav>"
                f"<p>搜索“{escape(q)}”：未找到相关结果，请更换关键词。</p></div></body></html>")
        return 200, {"Content-Type": "text/html; charset=utf-8"}, body
    if req.path == "/api/qa":
        return 200, {"Content-Type": "application/json"}, json.dumps({"answer": "抱歉，没有理解您的意思，请换个问法。"},
                                                                     ensure_ascii=False)
    if req.path == "/app/zhen.apk":
        return 200, {"Content-Type": "application/vnd.android.package-archive"}, b"PK\x03\x04demo"
    return None
