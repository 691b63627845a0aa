"""Links resolved as browsers resolve them (core/urls.py): the web-platform-tests URL data
as the oracle (tests/data/wpt/README.md), and a GBK page's query encoded in GBK."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from core.urls import BadLink, link_target, normalize, resolve

WPT = Path(__file__).resolve().parents[2] / "data" / "wpt" / "urltestdata.json"
HTTP = re.compile(r"[\x00-\x20]*https?:", re.I)


def http_cases() -> list[dict]:
    cases = [c for c in json.loads(WPT.read_text(encoding="utf-8")) if isinstance(c, dict)]
    return [c for c in cases if (c.get("href") or "").startswith(("http:", "https:"))
            or (c.get("failure") and (HTTP.match(c.get("base") or "") or HTTP.match(c["input"])))]


def test_every_http_case_of_the_web_platform_tests():
    cases = http_cases()
    assert len(cases) == 446
    wrong = []
    for case in cases:
        try:
            got = resolve(case.get("base"), case["input"])
        except BadLink:
            got = None
        if case.get("failure") and got is not None and not got.startswith(("http:", "https:")):
            got = None       # parsed as another scheme: the crawl never fetches it either
        want = None if case.get("failure") else case["href"]
        if got != want:
            wrong.append((case["input"], case.get("base"), got, want))
    assert wrong == []


PAGE = "http://www.example.gov.cn/xxgk/index.html"


@pytest.mark.parametrize("href, target", [
    ("/政务公开/index.html", "http://www.example.gov.cn/%E6%94%BF%E5%8A%A1%E5%85%AC%E5%BC%80/index.html"),
    ("/%E6%94%BF%E5%8A%A1%E5%85%AC%E5%BC%80/index.html",
     "http://www.example.gov.cn/%E6%94%BF%E5%8A%A1%E5%85%AC%E5%BC%80/index.html"),
    ("/政务公开/%E9%80%9A知.html",
     "http://www.example.gov.cn/%E6%94%BF%E5%8A%A1%E5%85%AC%E5%BC%80/%E9%80%9A%E7%9F%A5.html"),
    ("附件1：通知.doc", "http://www.example.gov.cn/xxgk/%E9%99%84%E4%BB%B61%EF%BC%9A%E9%80%9A%E7%9F%A5.doc"),
    ("../files/a b.pdf#page=2", "http://www.example.gov.cn/files/a%20b.pdf"),
    ("\\ｇｋ\\全角.html", "http://www.example.gov.cn/%EF%BD%87%EF%BD%8B/%E5%85%A8%E8%A7%92.html"),
    ("//政府.中国/a", "http://xn--mxtq1m.xn--fiqs8s/a"),
    ("HTTP://WWW.Example.GOV.cn:80/./a/../b", "http://www.example.gov.cn/b"),
    ("?name=通知公告", "http://www.example.gov.cn/xxgk/index.html?name=%E9%80%9A%E7%9F%A5%E5%85%AC%E5%91%8A"),
])
def test_spellings_of_a_utf8_page(href, target):
    assert link_target(PAGE, href) == target


@pytest.mark.parametrize("encoding", ["gbk", "GB2312", "gb18030"])
def test_a_gbk_page_query_is_sent_in_gbk_and_its_path_in_utf8(encoding):
    assert link_target(PAGE, "/政务公开/list.jsp?name=通知公告#top", encoding) == (
        "http://www.example.gov.cn/%E6%94%BF%E5%8A%A1%E5%85%AC%E5%BC%80/list.jsp?name=%CD%A8%D6%AA%B9%AB%B8%E6")


def test_gbk_query_bytes_and_characters_gbk_lacks():
    # 丂 is 0x81 0x40 in GBK: the ASCII trail byte stays as it is; € is 0x80 in the standard's GBK;
    # 😀 is not in GBK: sent as the HTML error mode's &#128512; (percent-encoded), as browsers do
    assert link_target(PAGE, "?t=丂€😀", "gbk") == PAGE + "?t=%81@%80%26%23128512%3B"
    assert link_target(PAGE, "?t=丂€😀", "gb18030") == PAGE + "?t=%81@%A2%E3%949%FC6"


@pytest.mark.parametrize("href, reason", [
    ("http://[::1", "invalid"), ("http://[1::2::3]/", "invalid"), ("http://exa mple.gov.cn/", "invalid"),
    ("http://%zz/", "invalid"), ("http://a:99999/", "invalid"), ("javascript:void(0)", "not_http"),
    ("data:text/html,x", "not_http"), ("mailto:xxgk@example.gov.cn", "not_http"), ("ftp://example.gov.cn/", "not_http"),
    ("/" + "长" * 2000, "too_long"),
])
def test_links_no_browser_would_fetch_are_refused_with_a_reason(href, reason):
    with pytest.raises(BadLink) as refused:
        link_target(PAGE, href)
    assert refused.value.reason == reason


def test_normalize_is_idempotent_on_what_it_gives():
    for href in ("/政务公开/index.html?name=通知公告", "//政府.中国/a b", "/a/./b/../c?x=%zz"):
        once = link_target(PAGE, href)
        assert normalize(once) == once
