"""Shells (pages whose list a script builds) as the static HTML shows them, and the list in the
data such a page fetches (JSON, Hanweb dataproxy XML)."""
from __future__ import annotations

import json
from datetime import date

import pytest

from crawler.extract import page_facts
from crawler.extract.shells import api_list

TODAY = date(2026, 11, 22)
URL = "https://www.example.gov.cn/col/col123/index.html"


def shell_of(body: str, head: str = "") -> str | None:
    html = f"<html><head><title>通知公告</title>{head}</head><body><div class='nav'><a href='/'>首页</a></div>{body}</body></html>"
    return page_facts(URL, html, {}, False, today=TODAY)["list"]["shell"]


@pytest.mark.parametrize("body,loader", [
    ("<ul class='list' id='list'></ul><script>$.ajax({url:'/api/list'})</script>", "$.ajax"),
    ("<div id='div1234' class='news-list'></div><script>$('#div1234').jpage({dataproxy:'/module/web/jpage/dataproxy.jsp'})</script>",
     ".jpage"),
    ("<p>政务公开 通知公告 栏目列表</p><table><tbody id='newsList'></tbody></table><script>var x = new XMLHttpRequest();</script>", "XMLHttpRequest"),
    ("<div id='app'></div><script src='/js/app.3f2a.js'></script>", "app"),
    ("<div class='container' id='sy_719'></div><script src='/js/load.js'></script>", "script"),
    ("<noscript>We're sorry but tcweb doesn't work properly without JavaScript enabled.</noscript>"
     "<script src='/js/chunk.js'></script>", "script"),
])
def test_a_list_built_by_script_is_a_shell(body, loader):
    assert shell_of(body) == loader


@pytest.mark.parametrize("body", [
    # entries in the static page: no shell, whatever the scripts do
    "<ul class='list'><li><a href='/a/1.html'>关于做好冬季安全生产工作的通知</a><span>2026-11-20</span></li>"
    "<li><a href='/a/2.html'>关于开展消防安全检查的通知</a><span>2026-11-10</span></li></ul><script>fetch('/api/x')</script>",
    # a placeholder is what the page says
    "<ul class='list'></ul><p>暂无信息</p><script>fetch('/api/x')</script>",
    # an empty list without any script: an empty list, not a shell
    "<ul class='list'></ul><p>下一页 尾页</p>",
])
def test_what_is_not_a_shell(body):
    assert shell_of(body) is None


def test_records_of_a_json_response():
    body = {"code": 0, "data": {"total": 57, "rows": [
        {"docTitle": "关于公布第一批示范单位名单的公告", "pubDate": "2026-11-03 10:00:00"},
        {"docTitle": "关于开展消防安全检查的通知", "pubDate": 1760000000000},        # epoch milliseconds: 2025-10-09
        {"docTitle": "关于印发工作要点的通知", "pubDate": ""}]}}
    found = api_list(URL, [{"url": "https://www.example.gov.cn/api/list", "content_type": "application/json",
                            "text": json.dumps(body, ensure_ascii=False)}], TODAY)
    assert (found["items"], found["dated"], found["newest"], found["oldest"], found["stated_total"]) == \
        (3, 2, "2026-11-03", "2025-10-09", 57)


def test_records_of_a_hanweb_dataproxy_response():
    xml = ("<datastore><nextgroup><![CDATA[]]></nextgroup><recordset>"
           "<record><![CDATA[<li><a href='/art/2026/11/5/art_1.html'>某某县召开安全生产工作会议</a><span>2026-11-05</span></li>]]></record>"
           "<record><![CDATA[<li><a href='/art/2026/10/9/art_2.html'>某某县开展防汛应急演练</a><span>2026-10-09</span></li>]]></record>"
           "</recordset></datastore><script>totalRecord:120</script>")
    found = api_list(URL, [{"url": "https://www.example.gov.cn/module/web/jpage/dataproxy.jsp", "content_type": "text/xml",
                            "text": xml}], TODAY)
    assert (found["items"], found["newest"], found["stated_total"]) == (2, "2026-11-05", 120)


def test_a_response_stating_no_records_is_an_empty_list():
    found = api_list(URL, [{"url": "u", "content_type": "application/json", "text": '{"total": 0, "list": []}'}], TODAY)
    assert (found["items"], found["stated_total"]) == (0, 0)
    assert api_list(URL, [{"url": "u", "content_type": "application/json", "text": "not json"}], TODAY) is None


def test_data_responses_in_gbk_without_a_charset_are_read():
    from crawler.probes.shells import decoded
    body = json.dumps({"total": 1, "list": [{"title": "关于做好冬季安全生产工作的通知", "pubDate": "2026-11-03"}]},
                      ensure_ascii=False)
    assert decoded("application/json", body.encode("gbk")) == body
    assert decoded("application/json;charset=GBK", body.encode("gbk")) == body
    assert decoded("application/json", b"\xef\xbb\xbf" + body.encode()) == body
