"""Hanweb (大汉) column pages keep their entries in a
<script type="text/xml"><datastore><recordset><record><![CDATA[…]]></record>
block that jpage.js writes into the page: a reader sees a list, the static
HTML shows none. The records are plain HTML fragments."""
from __future__ import annotations

import re

from crawler.extract.html import parse

RECORD = re.compile(r"<record>\s*<!\[CDATA\[(.*?)\]\]>\s*</record>", re.S | re.I)
TOTAL = re.compile(r"totalRecord\s*[:=]\s*['\"]?(\d{1,7})")
MAX_RECORDS = 500


def datastore_tree(html_text: str):
    """The records as one parsed tree (all under one <div>), or None."""
    if "<datastore" not in html_text and "<DATASTORE" not in html_text:
        return None
    records = RECORD.findall(html_text)[:MAX_RECORDS]
    if not records:
        return None
    return parse("<html><body><div class=\"datastore\">" + "".join(records) + "</div></body></html>")


def datastore_total(html_text: str) -> int | None:
    m = TOTAL.search(html_text) if "totalRecord" in html_text else None
    return int(m[1]) if m else None
