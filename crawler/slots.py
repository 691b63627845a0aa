"""Per-site download slots. Scrapy keys its per-domain concurrency and
autothrottle by host name only, so sites that share a host on different ports
(several government systems behind one address, or a farm on 127.0.0.1) would
share one slot of CONCURRENT_REQUESTS_PER_DOMAIN. Keying by host:port gives
each server its own slot; sites on the same host and port still share one,
which is the politeness we want."""
from __future__ import annotations

from scrapy.utils.httpobj import urlparse_cached


class SiteSlotMiddleware:
    def process_request(self, request, spider=None):
        if "download_slot" not in request.meta:
            parts = urlparse_cached(request)
            if parts.port:
                request.meta["download_slot"] = f"{parts.hostname}:{parts.port}"
        return None
