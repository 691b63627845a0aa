"""Links spelled the ways government pages spell them, crawled for real (tests/crawler/farm/url_farm.py)
in one multi-site run: each target is fetched, stored and judged in one form.

What a person reads on the farm's pages, before running the tool:
- utf8 (某某市人民政府): the homepage links 政务公开 twice (raw and percent-encoded), a 通知 page
  (mixed spelling) and the 通知公告 list (raw and encoded query): all open. Three of its links
  give 404: 附件1：通知.doc, files/a b.pdf and the full-width ｇｋ/全角.html. 政务公开 links
  附件2.pdf, which gives 404. Dead links: 3 on the homepage, 1 elsewhere; 3 dead attachments.
- gbk (某某县人民政府, a GBK page): its 通知公告 list, linked raw and GBK-percent-encoded, opens
  (the server reads the query as GBK, as the site's own pages send it); 政务公开 (raw and
  UTF-8-encoded) opens; 附件/不存在.pdf and 附件/附件 1.doc give 404: 2 dead links.
- bad-hrefs (某某镇人民政府): hrefs no browser can follow (broken IPv6 hosts, a space in a host,
  `%zz` host, javascript:, data:, a 100,000-character path) and ok.html, which opens; the
  control characters of /a\\x01b\\x7f.html leave /ab%7F.html, which gives 404: 1 dead link.
- two-spellings (某某州人民政府): 政务公开 linked raw from the homepage and percent-encoded two
  pages further on: one page, nothing dead.
- control (某某区人民政府): gone.html gives 404: 1 dead link.
"""
from __future__ import annotations

import pytest

from tests.crawler.farm.url_farm import ENCODED

LINKS = ("avail.homepage", "links.dead_homepage", "links.dead_site", "links.attachments")


@pytest.fixture
def spelled(url_audit):
    return url_audit


def statuses(audit, slug):
    return {c: (s, v) for c, (s, v, _) in audit.findings(slug).items() if c in LINKS}


def test_dead_links_with_chinese_spaces_and_full_width_names_are_counted(spelled):
    assert statuses(spelled, "utf8") == {"avail.homepage": ("pass", 1), "links.dead_homepage": ("fail", 3),
                                         "links.dead_site": ("fail", 1), "links.attachments": ("fail", 3)}
    base = spelled.farm.by_slug["utf8"].base
    pages = spelled.pages("utf8")
    assert sorted((u.removeprefix(base), p[1]) for u, p in pages.items()) == [
        ("/", 200),
        ("/%E6%94%BF%E5%8A%A1%E5%85%AC%E5%BC%80/%E9%80%9A%E7%9F%A5.html", 200),
        ("/%E6%94%BF%E5%8A%A1%E5%85%AC%E5%BC%80/%E9%99%84%E4%BB%B62.pdf", 404),
        ("/%E6%94%BF%E5%8A%A1%E5%85%AC%E5%BC%80/index.html", 200),
        ("/%E9%99%84%E4%BB%B6/%E9%99%84%E4%BB%B61%EF%BC%9A%E9%80%9A%E7%9F%A5.doc", 404),
        ("/%EF%BD%87%EF%BD%8B/%E5%85%A8%E8%A7%92.html", 404),
        ("/files/a%20b.pdf", 404),
        ("/list.jsp?name=%E9%80%9A%E7%9F%A5%E5%85%AC%E5%91%8A", 200)]
    # each target was asked for once: the raw and the encoded spelling are one request
    assert spelled.farm.by_slug["utf8"].hits[ENCODED] == 1


def test_a_gbk_page_query_reaches_the_server_in_gbk(spelled):
    assert statuses(spelled, "gbk") == {"avail.homepage": ("pass", 1), "links.dead_homepage": ("fail", 2),
                                        "links.dead_site": ("pass", 0), "links.attachments": ("fail", 2)}
    base = spelled.farm.by_slug["gbk"].base
    assert sorted((u.removeprefix(base), p[1]) for u, p in spelled.pages("gbk").items()) == [
        ("/", 200), ("/%E6%94%BF%E5%8A%A1%E5%85%AC%E5%BC%80/index.html", 200),
        ("/%E9%99%84%E4%BB%B6/%E4%B8%8D%E5%AD%98%E5%9C%A8.pdf", 404),
        ("/%E9%99%84%E4%BB%B6/%E9%99%84%E4%BB%B6%201.doc", 404),
        ("/list.jsp?name=%CD%A8%D6%AA%B9%AB%B8%E6", 200)]
    assert spelled.farm.by_slug["gbk"].hits["/list.jsp?name=%CD%A8%D6%AA%B9%AB%B8%E6"] == 1


def test_bad_hrefs_are_skipped_with_a_reason_and_the_crawl_goes_on(spelled):
    assert statuses(spelled, "bad-hrefs") == {"avail.homepage": ("pass", 1), "links.dead_homepage": ("fail", 1),
                                              "links.dead_site": ("pass", 0), "links.attachments": ("pass", 0)}
    base = spelled.farm.by_slug["bad-hrefs"].base
    assert sorted((u.removeprefix(base), p[1]) for u, p in spelled.pages("bad-hrefs").items()) == [
        ("/", 200), ("/ab%7F.html", 404), ("/ok.html", 200)]
    assert spelled.crawl_facts("bad-hrefs")["links_skipped"] == {"invalid": 5, "not_http": 2, "too_long": 1}


def test_one_page_linked_in_two_spellings_is_one_row(spelled):
    assert statuses(spelled, "two-spellings") == {
        "avail.homepage": ("pass", 1), "links.dead_homepage": ("pass", 0), "links.dead_site": ("pass", 0),
        "links.attachments": ("pass", 0)}
    case = spelled.farm.by_slug["two-spellings"]
    pages = spelled.pages("two-spellings")
    assert sorted(u for u in pages if "/i/" not in u) == [case.base + "/", case.base + ENCODED, case.base + "/more.html"]
    assert len(pages) == 603 and case.hits[ENCODED] == 1


def test_the_control_site_is_judged_as_alone(spelled):
    assert statuses(spelled, "control") == {"avail.homepage": ("pass", 1), "links.dead_homepage": ("fail", 1),
                                            "links.dead_site": ("pass", 0), "links.attachments": ("pass", 0)}
