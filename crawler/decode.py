"""Decoding Chinese pages right: Scrapy already honours the header, <meta>
and sniffing; this repairs the case a header claims UTF-8 for a GBK body
(a common CMS misconfiguration) by re-decoding with the body's own declaration."""
from __future__ import annotations

from scrapy.http import Response, TextResponse
from w3lib.encoding import html_body_declared_encoding

GB_FAMILY = {"gb2312", "gbk", "gb_2312-80", "gb18030", "x-gbk", "cp936"}


def normalise(name: str | None) -> str | None:
    if not name:
        return None
    name = name.lower().strip()
    return "gb18030" if name in GB_FAMILY else name


def response_text(response: Response) -> str:
    if not isinstance(response, TextResponse):
        return response.body.decode("utf-8", errors="replace")
    text = response.text
    if "\ufffd" in text:
        declared = normalise(html_body_declared_encoding(response.body))
        current = normalise(response.encoding)
        candidates = [c for c in (declared, "gb18030", "utf-8") if c and c != current]
        for enc in candidates:
            try:
                return response.body.decode(enc)
            except (UnicodeDecodeError, LookupError):
                continue
    return text


def used_encoding(response: Response, text: str) -> str | None:
    if isinstance(response, TextResponse) and text is response.text:
        return normalise(response.encoding)
    declared = normalise(html_body_declared_encoding(response.body))
    return declared or "gb18030"
