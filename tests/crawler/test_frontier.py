"""crawler.frontier.CompactLifoQueue hands back the requests it was given, field for field, in
Scrapy's LifoMemoryQueue order; what is not plain data comes back as the very object queued."""
from __future__ import annotations

import scrapy
from scrapy.squeues import LifoMemoryQueue
from scrapy.utils.test import get_crawler

from crawler.frontier import CompactLifoQueue
from crawler.items import PageItem


class Spider(scrapy.Spider):
    name = "frontier"

    def on_response(self, response):
        pass

    def on_error(self, failure):
        pass


def elsewhere(response):
    pass


FIELDS = ("url", "method", "body", "meta", "priority", "dont_filter", "flags", "cookies", "cb_kwargs",
          "encoding", "callback", "errback")


def requests(spider: Spider) -> list[scrapy.Request]:
    page = {"site_id": 3, "role": "page", "ga_depth": 2, "homepage": False, "attempt": 1, "ga_max_rps": 5.0,
            "dont_obey_robotstxt": True, "redirect_urls": ["http://www.example.gov.cn/a"]}
    return [
        scrapy.Request("http://www.example.gov.cn/col/col123/index.html?uid=7&pageNum=2", callback=spider.on_response,
                       errback=spider.on_error, dont_filter=True, meta=page, priority=3,
                       headers={"Referer": "http://www.example.gov.cn/"}),
        scrapy.Request("http://www.example.gov.cn/政务公开/通知.html", meta={"site_id": 3, "role": "external"},
                       priority=-4, callback=spider.on_response),
        scrapy.Request("http://www.example.gov.cn/api/list", method="POST", body=b'{"page":1}',
                       headers={"Content-Type": "application/json", "Referer": "http://www.example.gov.cn/"},
                       cookies={"JSESSIONID": "abc"}, flags=["side"], cb_kwargs={"n": 1}, encoding="gbk",
                       callback=spider.on_response, errback=spider.on_error),
        scrapy.Request("http://www.example.gov.cn/no-callback"),
    ]


def test_plain_requests_come_back_field_for_field_in_lifo_order():
    crawler = get_crawler(Spider)
    spider = crawler.spider = Spider()
    ours, scrapys = CompactLifoQueue.from_crawler(crawler, "key"), LifoMemoryQueue.from_crawler(crawler, "key")
    for request in requests(spider):
        ours.push(request)
        scrapys.push(request)
    assert len(ours) == 4
    assert isinstance(ours.records[0], bytes)           # kept as a record, not as the object
    assert ours.peek().url == "http://www.example.gov.cn/no-callback"
    while len(scrapys):
        want, got = scrapys.pop(), ours.pop()
        assert got is not want
        for field in FIELDS:
            assert getattr(got, field) == getattr(want, field), field
        assert got.headers.to_unicode_dict() == want.headers.to_unicode_dict()
    assert len(ours) == 0
    assert ours.pop() is None and ours.peek() is None


def test_what_is_not_plain_data_stays_the_object_queued():
    crawler = get_crawler(Spider)
    spider = crawler.spider = Spider()
    item = PageItem(run_id=1, site_id=3, url="http://www.example.gov.cn/a.pdf")
    kept = [
        scrapy.Request("http://www.example.gov.cn/a.pdf", meta={"attachment_item": item}, callback=spider.on_response),
        scrapy.Request("http://www.example.gov.cn/b", callback=elsewhere),          # not the spider's method
        scrapy.FormRequest("http://www.example.gov.cn/c", formdata={"q": "政务"}),    # a Request subclass
    ]
    queue = CompactLifoQueue.from_crawler(crawler, "key")
    for request in kept:
        queue.push(request)
    popped = [queue.pop() for _ in kept]
    assert all(got is want for got, want in zip(popped, kept[::-1]))
    assert kept[0].meta["attachment_item"] is item
