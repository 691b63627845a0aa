"""host_of and path_of, asked for every link of every page, answer what urlsplit answers."""
from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from crawler.extract.html import parse
from crawler.extract.links import host_of, page_links, path_of
from tests.conftest import CORPUS

CASES = [
    # (URL, its host as the crawl compares hosts, its path)
    ("http://www.gov.cn/zhengce/content.htm", "www.gov.cn", "/zhengce/content.htm"),
    ("https://WWW.Example.GOV.cn:8443/a/b.pdf?x=1#f", "www.example.gov.cn:8443", "/a/b.pdf"),
    ("http://www.example.gov.cn?x=1", "www.example.gov.cn", ""),
    ("http://www.example.gov.cn#top/x", "www.example.gov.cn", ""),
    ("http://www.example.gov.cn", "www.example.gov.cn", ""),
    ("http://user:pw@www.example.gov.cn:81/p", "user:pw@www.example.gov.cn:81", "/p"),
    ("http://www.example.gov.cn/p[1]/q.doc", "www.example.gov.cn", "/p[1]/q.doc"),
    ("http://[::1]:8080/p", "[::1]:8080", "/p"),                # urlsplit's: it checks the brackets
    ("http://www.exam\tple.gov.cn/p\n", "www.example.gov.cn", "/p"),   # urlsplit drops tabs and newlines
    ("http://政府.cn/路径/文件.pdf", "政府.cn", "/路径/文件.pdf"),
    ("HTTP://WWW.Example.gov.cn/P", "www.example.gov.cn", "/P"),
    ("mailto:office@example.gov.cn", "", "office@example.gov.cn"),
]


@pytest.mark.parametrize("url, host, path", CASES)
def test_host_and_path(url, host, path):
    assert (host_of(url), path_of(url)) == (host, path)


def test_every_corpus_link_is_split_as_urlsplit_splits_it():
    targets = set()
    for page in sorted(CORPUS.glob("*.html")):
        text = page.read_bytes().decode("utf-8-sig")
        links, _ = page_links(parse(text), text, f"http://www.example.gov.cn/{page.stem}/index.html", "utf-8")
        targets.update(link["target_url"] for link in links)
    assert len(targets) == 1205
    for url in targets:
        parts = urlsplit(url)
        assert (host_of(url), path_of(url)) == (parts.netloc.lower(), parts.path), url
