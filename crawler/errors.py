"""Map download failures to the catalog's error kinds (walls: crawler/walls.py)."""
from __future__ import annotations

import re
from urllib.parse import urlsplit

from core.errors import ErrorKind

RETRYABLE = {ErrorKind.TIMEOUT, ErrorKind.CONNECTION, ErrorKind.TLS}
_TOO_LARGE = re.compile(r"max size|DOWNLOAD_MAXSIZE|maxsize", re.I)


def classify(failure) -> tuple[str, str]:
    """(error_kind, one-line message) for a Twisted failure from a download."""
    from scrapy.exceptions import IgnoreRequest
    from twisted.internet import error as terr
    from twisted.web._newclient import ResponseFailed, ResponseNeverReceived
    from crawler.netguard import REFUSED_NAMES
    exc = failure.value
    message = (str(exc).strip().splitlines() or [type(exc).__name__])[0][:300]
    name = type(exc).__name__
    if name == "Refused":
        return "refused", message
    if _TOO_LARGE.search(message):
        return ErrorKind.TOO_LARGE, message
    if isinstance(exc, IgnoreRequest):
        if "redirect" in message.lower():
            return ErrorKind.TOO_MANY_REDIRECTS, message
        if "robots" in message.lower() or "Forbidden by robots.txt" in message:
            return "robots", message
        return "ignored", message
    if isinstance(exc, terr.DNSLookupError) or name in ("CannotResolveHostError", "DNSLookupError"):
        request = getattr(failure, "request", None)
        host = (urlsplit(request.url).hostname or "") if request is not None else ""
        if host in REFUSED_NAMES:   # the guarded resolver dropped every (non-public) answer
            return "refused", REFUSED_NAMES[host]
        return ErrorKind.DNS, message
    if isinstance(exc, (terr.TimeoutError, terr.TCPTimedOutError)) or "timeout" in name.lower() or "took longer" in message:
        return ErrorKind.TIMEOUT, message
    if "SSL" in name or "TLS" in name or "ssl" in message.lower() or "certificate" in message.lower():
        return ErrorKind.TLS, message
    if isinstance(exc, (ResponseFailed, ResponseNeverReceived)):
        reasons = " ".join(str(r.value) for r in getattr(exc, "reasons", []) if hasattr(r, "value"))
        if "SSL" in reasons or "certificate" in reasons:
            return ErrorKind.TLS, message
        return ErrorKind.CONNECTION, message
    if "Cancelled" in name:      # Scrapy cancels a body that grows past DOWNLOAD_MAXSIZE
        return ErrorKind.TOO_LARGE, message
    return ErrorKind.CONNECTION, message
