"""Recognise a wall (反爬 / WAF / CAPTCHA) answering instead of the site.

A wall is judged by the response, as a person at a browser would tell it:
the answer is not the site's page (a challenge status such as 412 or 521, a
blanket 403/429, or a page with no readable content and no links) *and* it
shows what a wall does (a script that sets a cookie or reloads the same
page, a CAPTCHA, a large inline script on an empty page, a product's
signature). Product signatures alone never make a wall: several products set
their cookies (加速乐's `__jsluid`, Cloudflare's `__cf_bm`) on the site's real
pages too, so they only name the product of a response already judged a wall.

`recognise()` returns the evidence (product when known, status, cookie names,
a snippet) or None.
"""
from __future__ import annotations

import re
from typing import Any, Iterable

from crawler.extract.html import squash, visible_shape

# statuses walls answer with; 403/429 refuse every client alike ("blanket"), the others carry a challenge
CHALLENGE_STATUSES = {202, 405, 412, 503, 521}
REFUSAL_STATUSES = {403, 429}
WAF_STATUSES = {412, 521}  # used by walls only: with a product's signature, a wall even without a script
EMPTY_TEXT = 200           # at most this many visible characters: not a content page
FEW_LINKS = 3
LARGE_SCRIPT = 2000        # inline script characters on an otherwise empty page
SNIPPET = 240

# (product, pattern over cookie names, Server header and body); the first match names the product
PRODUCTS: list[tuple[str, re.Pattern]] = [
    ("瑞数", re.compile(r"\$_ts\b|\$_ts\s*=|\b[0-9A-Za-z]{13,}(?:80S|80T)\b")),
    ("加速乐", re.compile(r"__jsl_clearance|__jsluid")),
    ("阿里云盾", re.compile(r"acw_sc__v2|aliyun_waf|acw_tc")),
    ("安全狗", re.compile(r"safedog|安全狗", re.I)),
    ("云锁", re.compile(r"yunsuo|云锁", re.I)),
    ("360网站卫士", re.compile(r"wzws(?:_cid|confirm|challenge|tid)|360wzb|网站卫士")),
    ("腾讯云 WAF", re.compile(r"waf\.tencent|tencent-cloud\.com/waf|T-Sec|腾讯云.{0,20}(?:防火墙|WAF)", re.I)),
    ("Cloudflare", re.compile(r"cf_clearance|__cf_bm|/cdn-cgi/challenge-platform|cf-chl-|Just a moment\.\.\.")),
]
_SETS_COOKIE = re.compile(r"document\s*(?:\.\s*cookie|\[\s*['\"]cookie['\"]\s*\])\s*=")
_COOKIE_NAME = re.compile(r"document\s*\.\s*cookie\s*=\s*\(?\s*['\"]\s*([A-Za-z0-9_$\-]{2,60})\s*=")
_RELOADS = re.compile(r"location\s*\.\s*reload\s*\(|location(?:\.href)?\s*=\s*(?:window\.|document\.)?location"
                      r"(?:\.href|\.pathname)?\b|location\.replace\s*\(\s*(?:window\.)?location")
_CAPTCHA = re.compile(r"captcha|验证码|人机验证|滑动验证|拖动滑块|安全验证|verify you are human|are you a robot|"
                      r"访问验证|请完成验证|geetest|tcaptcha", re.I)
_BLOCK_WORDS = re.compile(r"访问被拦截|访问被阻断|拦截|防火墙|\bWAF\b|Access Denied|Forbidden|请求过于频繁|访问过于频繁|"
                          r"Too Many Requests|rate limit", re.I)


def cookie_names(set_cookies: Iterable[bytes | str], body: str = "") -> list[str]:
    """Names of the cookies a response sets, by header and by inline script."""
    names = []
    for raw in set_cookies:
        text = raw.decode("latin-1") if isinstance(raw, bytes) else raw
        name = text.split("=", 1)[0].strip()
        if name and name not in names:
            names.append(name)
    for name in _COOKIE_NAME.findall(body):
        if name not in names:
            names.append(name)
    return names


def _snippet(body: str, match: re.Match | None, text: str) -> str:
    """Around what gave the wall away, else the page's text, else its start."""
    if match is not None:
        start = max(0, match.start() - SNIPPET // 3)
        return squash(match.string[start:start + SNIPPET])
    return squash(text or body)[:SNIPPET]


def recognise(status: int | None, headers: dict[str, Any], body: str, tree=None,
              set_cookies: Iterable[bytes | str] = (), refusal_is_wall: bool = True) -> dict[str, Any] | None:
    """Evidence that this response is a wall, or None.

    `body` is the decoded response (its first 64 KB are enough), `tree` its parse when it is
    HTML, `headers` lower-case names → values. A 429 (after the backoff the server asked for) is
    always a wall. `refusal_is_wall`: a bare 403 counts (the homepage, or the homepage re-checked
    mid-crawl); on another page a 403 is a dead link until the homepage answers 403 too."""
    if status is None:
        return None
    body = body[:65536]
    cookies = cookie_names(set_cookies, body)
    haystack = "\n".join([" ".join(cookies), str(headers.get("server", "")), body])
    product, product_match = None, None
    for name, pattern in PRODUCTS:
        product_match = pattern.search(haystack)
        if product_match:
            product = name
            break
    text, links, script = visible_shape(tree) if tree is not None else (squash(body), 0, 0)
    empty = len(text) <= EMPTY_TEXT and links <= FEW_LINKS
    signals = []
    if _SETS_COOKIE.search(body):
        signals.append("script sets a cookie")
    if _RELOADS.search(body):
        signals.append("script reloads the page")
    captcha = _CAPTCHA.search(body)
    if captcha and empty:
        signals.append("CAPTCHA")
    if tree is not None and not text and links == 0 and script >= LARGE_SCRIPT:
        signals.append(f"empty page running {script} characters of inline script")
    if headers.get("cf-mitigated"):
        signals.append(f"cf-mitigated: {headers['cf-mitigated']}")
    reason = None
    if status == 429 or (status in REFUSAL_STATUSES and refusal_is_wall):
        reason = f"HTTP {status}" + (" (rate limit)" if status == 429 else "")
    elif (status in CHALLENGE_STATUSES or 200 <= status < 300) and empty and (signals or (product and status in WAF_STATUSES)):
        reason = f"HTTP {status} challenge page"
    if reason is None:
        return None
    match = product_match if product else captcha or _SETS_COOKIE.search(body) or _BLOCK_WORDS.search(body)
    return {"product": product, "reason": reason, "status": status, "signals": signals, "cookies": cookies[:10],
            "snippet": _snippet(body, match, text)}
