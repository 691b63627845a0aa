"""Entries from a portal to its open-data platform and its message channels
(数据开放, 12345, 信箱, 留言, 政民互动), read from link text, titles, image
alt text and URL words. 信访 and 纪检/举报 channels are not message boards."""
from __future__ import annotations

import re
from urllib.parse import urlsplit

from crawler.extract.labelled import links, parse_tree

OPEN_DATA_TEXT = re.compile(r"数据开放|开放数据|公共数据|数据资源开放|政府数据")
OPEN_DATA_URL = re.compile(r"opendata|open-data|/sjkf|//data\.|//opendata\.|dataopen", re.I)
HOTLINE_TEXT = re.compile(r"12345|政民互动|互动交流|我要(留言|写信|咨询|投诉)|留言|信箱|咨询投诉|网上咨询|诉求|热线")
HOTLINE_URL = re.compile(r"12345|mailwrite|mailbox|liuyan|/hdjl|/zmhd|/xjxx|/gzhd|/message|/letter", re.I)
NOT_BOARD = re.compile(r"信访|纪检|监察|举报|廉政")


def find_entries(url: str, html: str) -> dict[str, list[dict[str, str]]]:
    """{'open_data': [...], 'hotline': [...]} each a list of {url, text}, in page order."""
    root = parse_tree(html)
    out: dict[str, list[dict[str, str]]] = {"open_data": [], "hotline": []}
    for target, text in links(root, url):
        if urlsplit(target).scheme not in ("http", "https"):
            continue
        if OPEN_DATA_TEXT.search(text) or (not text or len(text) < 3) and OPEN_DATA_URL.search(target):
            kind = "open_data"
        elif OPEN_DATA_URL.search(target) and not HOTLINE_TEXT.search(text):
            kind = "open_data"
        elif (HOTLINE_TEXT.search(text) or HOTLINE_URL.search(target) and (not text or text.isascii())) \
                and not NOT_BOARD.search(text):
            kind = "hotline"
        else:
            continue
        if all(e["url"] != target for e in out[kind]):
            out[kind].append({"url": target, "text": text})
    return out
