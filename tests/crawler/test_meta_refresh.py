"""crawler.middlewares.MetaRefreshMiddleware gives Scrapy's answer on every page: the same page
passed on, or the same redirect. It only skips decoding the pages that cannot hold a refresh."""
from __future__ import annotations

from pathlib import Path

import pytest
from scrapy import Request
from scrapy.downloadermiddlewares.redirect import MetaRefreshMiddleware as ScrapyMetaRefresh
from scrapy.http import HtmlResponse
from scrapy.utils.test import get_crawler

from crawler.middlewares import MetaRefreshMiddleware

CORPUS = Path(__file__).resolve().parents[1] / "corpus" / "real"
REFRESH = '<meta http-equiv="refresh" content="0; url=/next.html">'
CRAFTED = {
    # (body, Content-Type header): whether a person's browser would go on to /next.html
    "plain": (f"<html><head>{REFRESH}</head></html>".encode(), "text/html; charset=utf-8", True),
    "upper case": (b'<META HTTP-EQUIV="REFRESH" CONTENT="0;URL=/next.html">', "text/html", True),
    "gbk": (f"<html><head><title>某某县</title>{REFRESH}</head></html>".encode("gbk"), "text/html; charset=gbk", True),
    "3,000 characters in": (("<!--" + "政务" * 1500 + "-->" + REFRESH).encode(), "text/html; charset=utf-8", True),
    # Scrapy reads the first 4,096 characters only
    "5,000 characters in": (("<!--" + "政务" * 2500 + "-->" + REFRESH).encode(), "text/html; charset=utf-8", False),
    "utf-16": (REFRESH.encode("utf-16"), "text/html", True),
    "utf-16 declared, no BOM": (REFRESH.encode("utf-16-le"), "text/html; charset=utf-16le", True),
    "none": ("<html><body>刷新</body></html>".encode(), "text/html; charset=utf-8", False),
}


def answers(body: bytes, content_type: str) -> tuple[str | None, str | None]:
    """(our redirect's URL, Scrapy's redirect's URL); None where the page is passed on."""
    request = Request("http://www.example.gov.cn/index.html")
    results = []
    for cls in (MetaRefreshMiddleware, ScrapyMetaRefresh):
        response = HtmlResponse(request.url, body=body, headers={"Content-Type": content_type}, request=request)
        out = cls.from_crawler(get_crawler()).process_response(request, response)
        results.append(None if out is response else out.url)
    return results[0], results[1]


@pytest.mark.parametrize("name", sorted(CRAFTED))
def test_crafted_pages(name):
    body, content_type, follows = CRAFTED[name]
    ours, scrapys = answers(body, content_type)
    assert ours == scrapys == ("http://www.example.gov.cn/next.html" if follows else None)


def test_real_pages_as_scrapy():
    pages = sorted(CORPUS.glob("*.html"))
    assert len(pages) == 21
    for page in pages:
        ours, scrapys = answers(page.read_bytes(), "text/html")
        assert ours == scrapys, page.name
