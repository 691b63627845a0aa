"""walls.recognise on single responses: what is a wall and what is not (no network, fast)."""
from __future__ import annotations

import pytest

from crawler.extract.html import parse
from crawler.walls import recognise

CONTENT = ("<html><body><h1>某某市人民政府</h1>" + "".join(f'<a href="/a{i}.html">新闻{i}</a>' for i in range(8))
           + "<p>" + "政务公开 " * 80 + "</p></body></html>")


def wall(status, body, cookies=(), refusal_is_wall=True):
    return recognise(status, {}, body, parse(body) if body else None, cookies, refusal_is_wall)


@pytest.mark.parametrize("status,body,cookies", [
    (200, CONTENT, ["__jsluid_h=1; path=/", "__cf_bm=2; path=/"]),     # products' cookies on a real page
    (503, "", ["__jsluid_h=1; path=/"]),                               # a server down behind 加速乐: not a wall
    (404, "<html><body><h1>404 页面不存在</h1></body></html>", []),
    (200, '<html><body><div id="app"></div><script src="/js/app.js"></script></body></html>', []),   # a script shell
    (200, '<html><script>window.location.href="/index.html";</script></html>', []),   # a script redirect
    (500, "<html><body>Internal Server Error</body></html>", []),
])
def test_not_a_wall(status, body, cookies):
    assert wall(status, body, cookies) is None


def test_waf_status_with_a_product_signature_is_a_wall():
    found = wall(521, "", ["__jsluid_h=1; path=/"])
    assert (found["product"], found["reason"], found["cookies"]) == ("加速乐", "HTTP 521 challenge page", ["__jsluid_h"])


def test_a_403_is_a_wall_only_where_a_blanket_refusal_is_meant():
    page = "<html><head><title>403 Forbidden</title></head><body>Forbidden</body></html>"
    assert wall(403, page)["reason"] == "HTTP 403"
    assert wall(403, page, refusal_is_wall=False) is None      # a page's 403: a dead link until the homepage confirms
    assert wall(429, "Too Many Requests", refusal_is_wall=False)["reason"] == "HTTP 429 (rate limit)"


def test_snippet_shows_the_signature():
    body = "<html><script>var arg1='3A1B';document.cookie='acw_sc__v2='+arg1;location.reload();</script></html>"
    found = wall(200, body)
    assert found["product"] == "阿里云盾" and "acw_sc__v2" in found["snippet"]
