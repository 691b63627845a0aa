"""Links resolved as a browser resolves them, once, into the one form every row is keyed by.

A page writes the same target many ways: `/政务公开/index.html` raw or percent-encoded,
with spaces, full-width characters, backslashes, dot segments, an IDN host. The WHATWG URL
Standard says what a browser makes of each; the ada parser (`ada_url`) implements it and
passes every http(s) case of the web-platform-tests URL data (tests/data/wpt/). Python's
`urljoin` + w3lib's `safe_url_string` pass 167 of those 446 cases (backslashes, dot
segments, `%2e`, IPv4 forms, ports), so they are not used to resolve links.

One thing the parser leaves to its caller: a page's own encoding for the query. A browser
percent-encodes a GBK page's `?name=通知公告` as GBK bytes (the path is always UTF-8); a
character the encoding lacks becomes `&#N;` (percent-encoded). `resolve` does that before
parsing, so a GBK site's list answers as it does for its readers.

Entry URLs (a registry's, a site named on the command line) are checked by `validate_url` and
spelt one way by `normalise_url`: the registry stores that spelling and `storage.runs.find_site`
looks a site up by it.
"""
from __future__ import annotations

import codecs
import re
from functools import lru_cache
from urllib.parse import urlsplit, urlunsplit

import ada_url

MAX_URL = 4000          # pages.url and links.target_url hold 4,000 characters: longer targets are skipped
# a plain absolute path (ASCII, nothing the path percent-encodes, no dot segment, no query or fragment):
# the result is the base's origin + the path, without asking the parser (5x cheaper; most links are these)
_PLAIN_PATH = re.compile(r"/(?![/\\])[A-Za-z0-9\-._~!$&'()*+,;=:@/%]*\Z")
_DOT_SEGMENT = re.compile(r"/(?:\.|%2e)", re.I)
_QUERY_ESCAPED = frozenset(b"\"#<>'")     # the special-query percent-encode set, beside < 0x21 and > 0x7e


class BadLink(ValueError):
    """A link no browser would fetch over http(s); `reason` says why: `invalid` (the URL parser
    refuses it: a malformed IPv6 host, a bad port, a space in the host…), `not_http` (javascript:,
    mailto:, data:…) or `too_long` (over MAX_URL characters)."""

    def __init__(self, reason: str, href: str):
        super().__init__(f"{reason}: {href[:200]!r}")
        self.reason = reason


@lru_cache(maxsize=64)
def _codec(encoding: str | None) -> str:
    """Python's codec for a page's encoding; UTF-8 for unknown names (as the standard's fallback)."""
    try:
        name = codecs.lookup(encoding or "utf-8").name
    except LookupError:
        return "utf-8"
    return "gbk" if name in ("gb2312", "euc_cn", "hz") else name    # the standard maps these labels to GBK


def _encode_query(href: str, codec: str) -> str:
    """`href` with the non-ASCII characters of its query percent-encoded in `codec`."""
    start = href.find("?")
    hash_at = href.find("#")
    if start < 0 or 0 <= hash_at < start:
        return href
    end = hash_at if hash_at >= 0 else len(href)
    query = href[start + 1:end]
    if query.isascii():
        return href
    out = []
    for ch in query:
        if ch.isascii():
            out.append(ch)
            continue
        try:
            data = b"\x80" if ch == "\u20ac" and codec == "gbk" else ch.encode(codec)    # the standard's GBK has €
        except UnicodeEncodeError:
            out.append(f"%26%23{ord(ch)}%3B")      # the encoder's HTML error mode: &#N;
            continue
        out.append("".join(f"%{b:02X}" if b < 0x21 or b > 0x7E or b in _QUERY_ESCAPED else chr(b) for b in data))
    return href[:start + 1] + "".join(out) + href[end:]


@lru_cache(maxsize=1024)
def _origin_prefix(base: str) -> str:
    """`scheme://[userinfo@]host[:port]` of a parsed base, for plain absolute paths."""
    url = ada_url.URL(base)
    return url.href[:len(url.href) - len(url.pathname) - len(url.search) - len(url.hash)]


def resolve(base: str | None, href: str, encoding: str | None = "utf-8") -> str:
    """The URL (WHATWG href, fragment kept) a browser makes of `href` on a page at `base` (None:
    `href` is absolute) whose document encoding is `encoding`; BadLink("invalid") when the parser
    refuses it."""
    if base and _PLAIN_PATH.match(href) and not _DOT_SEGMENT.search(href) and base.startswith(("http://", "https://")):
        try:
            return _origin_prefix(base) + href
        except ValueError:
            raise BadLink("invalid", base) from None
    codec = _codec(encoding)
    if codec != "utf-8":
        href = _encode_query(href, codec)
    try:
        return ada_url.join_url(base, href) if base else ada_url.URL(href).href
    except ValueError:
        raise BadLink("invalid", href) from None


def link_target(base: str | None, href: str, encoding: str | None = "utf-8") -> str:
    """The http(s) target of a link as the crawl keys it: resolved, fragment dropped; BadLink
    (`invalid`, `not_http`, `too_long`) when it is not something to fetch."""
    url = resolve(base, href, encoding)
    if not url.startswith(("http://", "https://")):
        raise BadLink("not_http", href)
    cut = url.find("#")
    if cut >= 0:
        url = url[:cut]
    if len(url) > MAX_URL:
        raise BadLink("too_long", href)
    return url


def normalize(url: str) -> str:
    """An absolute URL in the crawl's form (the entry URL, a redirect target)."""
    return link_target(None, url)


# -- entry URLs (the registry's, and a site named on the command line) --
def validate_url(url: str) -> str | None:
    """Why `url` is not an acceptable entry URL, or None."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        return f"bad url {url!r}: {exc}"
    if parts.scheme not in ("http", "https"):
        return f"url must be http or https: {url!r}"
    if not parts.hostname:
        return f"url has no host: {url!r}"
    if port == 0:
        return f"url has port 0: {url!r}"
    if any(c.isspace() for c in url):
        return f"url contains white space: {url!r}"
    return None


_ESCAPE = re.compile(r"%([0-9A-Fa-f]{2})")
_UNRESERVED = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")


def normalise_url(url: str) -> str:
    """One spelling per entry URL: the crawl's own form (above: the WHATWG URL a browser
    makes of it: scheme and host in lower case, no default port, an empty path as `/`, no
    fragment), and beyond it two spellings a registry holds of one site: a trailing dot on the
    host, and escapes of unreserved characters (RFC 3986 §6.2.2: %7e, %7E and ~ are one)."""
    try:
        url = normalize(url)
    except BadLink:
        return url          # validate_url has said why
    parts = urlsplit(url)
    host = parts.hostname or ""
    if host.endswith("."):
        url = urlunsplit(parts._replace(netloc=parts.netloc.replace(host, host.rstrip("."), 1)))
    return _ESCAPE.sub(lambda m: chr(int(m.group(1), 16)) if chr(int(m.group(1), 16)) in _UNRESERVED
                       else "%" + m.group(1).upper(), url)
