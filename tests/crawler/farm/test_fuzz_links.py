"""Hypothesis, end to end without the network: fuzzed hrefs on a homepage go through the real
spider (link extraction, resolution, scheduling, the answers' handling) and the real storage
pipeline into SQLite, and the link checks judge what was stored. However bad a link, the site's
crawl is stored (gathered), every stored target is one resolved http(s) URL, and the checks give
a verdict. Every request the spider makes is answered here with a 404."""
from __future__ import annotations

import asyncio
import html as html_lib

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scrapy.http import HtmlResponse, Response
from scrapy.utils.test import get_crawler
from sqlalchemy import select
from sqlalchemy.orm import Session

FUZZ = settings(max_examples=40, deadline=None, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                       HealthCheck.function_scoped_fixture])
HOME = "http://www.example.gov.cn/xxgk/index.html"
PIECES = ["javascript:", "JaVaScRiPt:alert(1)", "data:text/html,x", "mailto:a@b", "http://", "https://", "//", "\\\\",
          "http://[::1", "http://[1::2::3]/", "[", "]", ":", ":99999", "@", "%", "%zz", "%E6%94%BF", "%2e%2e/", "../",
          "./", "?", "#", "&", "=", " ", "\t", "\n", "\x00", "\x01", "\x7f", "\u3000", "政务公开", "附件1：通知.doc",
          "ｇｋ", "xn--", "中国", ".", "/", "index.html", "长" * 5000, "\ud7ff", "\ufffd", "\u202e"]
hrefs = st.lists(st.one_of(st.lists(st.sampled_from(PIECES), max_size=6).map("".join), st.text(max_size=40)),
                 min_size=1, max_size=25)


def crawl_homepage(spider, state, body: str, encoding: str) -> list:
    """Items of a one-homepage crawl whose every other request is answered 404."""
    import scrapy
    request = scrapy.Request(HOME, meta={"site_id": state.site_id, "role": "page", "ga_depth": 0, "homepage": True,
                                         "attempt": 1})
    state.pending += 1

    async def answered(response) -> list:
        return [x async for x in spider.on_response(response)]

    out = asyncio.run(answered(HtmlResponse(HOME, body=body.encode(encoding, "xmlcharrefreplace"),
                                            encoding=encoding, request=request)))
    items = []
    while out:
        thing = out.pop(0)
        if isinstance(thing, scrapy.Request):
            assert thing.url.isascii() and thing.url.startswith(("http://", "https://")), thing.url
            out.extend(asyncio.run(answered(Response(thing.url, status=404, request=thing))))
        else:
            items.append(thing)
    return items


@FUZZ
@given(hrefs=hrefs, encoding=st.sampled_from(["utf-8", "gbk"]))
def test_fuzzed_links_never_lose_the_crawl(tmp_path_factory, hrefs, encoding):
    from checks.catalog import all_checks
    from crawler.items import SiteDone
    from crawler.store import CrawlStore
    from crawler.spiders.site import SiteSpider, SiteState
    from govaudit.registry import SiteRow, upsert
    from govaudit.rounds import start_round
    from govaudit.runner import evaluate_site
    from storage import models as m
    from storage.artifacts import load_site_artifacts
    from storage.db import get_engine
    db_url = f"sqlite:///{tmp_path_factory.getbasetemp() / 'fuzz_links.db'}"
    engine = get_engine(db_url)
    with Session(engine) as session, session.begin():
        upsert(session, [SiteRow(1, "某某市人民政府", HOME, "portal", "某某市人民政府")])
        session.flush()
        site_id = session.scalar(select(m.Site.id).where(m.Site.url == HOME))
        run_id = start_round(session, [site_id], None).id
    spider = SiteSpider.from_crawler(get_crawler(SiteSpider, {"GOVAUDIT_MAX_EXTERNAL_LINKS": 5}))
    spider.run_id = run_id
    state = SiteState(site_id, HOME, "portal", {}, 50, 2, max_external=5)
    state.hosts.add("www.example.gov.cn")
    spider.states[site_id] = state
    links = "".join(f'<a href="{html_lib.escape(h)}">链接</a><img src="{html_lib.escape(h)}">' for h in hrefs)
    body = (f'<html><head><meta charset="{encoding}"><title>某某市人民政府</title></head>'
            f"<body>{links}</body></html>")
    items = crawl_homepage(spider, state, body, encoding)
    assert isinstance(items[-1], SiteDone)
    store = CrawlStore(db_url)
    for item in items:
        store.send(item)
    assert store.close() is True and store.failed_sites == {}       # written by the store's writer thread
    with Session(engine) as session:
        art = load_site_artifacts(session, run_id, site_id)
        gathered = session.scalar(select(m.RunSite.gathered).where(m.RunSite.run_id == run_id))
    assert gathered == ["crawl"]
    for link in art.links:
        assert link.target_url.isascii() and link.target_url.startswith(("http://", "https://"))
        assert "#" not in link.target_url and len(link.target_url) <= 4000
    checks = [c for c in all_checks().values() if c.id.startswith("links.") or c.id == "avail.homepage"]
    for chk, finding in evaluate_site(art, checks):
        assert finding.status in ("pass", "fail"), (chk.id, finding.details)
