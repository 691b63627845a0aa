"""Side requests for the open-data and hotline spiders: fetches that feed
extractors (JSON catalogues, sampled downloads, section pages) but are not
pages of the crawl, so they are never recorded as pages or links.

A side request carries `purpose`; its answer goes to `side_<purpose>(state,
response)` and a final failure to `side_failed(state, request, kind)`.
"""
from __future__ import annotations

import logging
from typing import Any, Iterator

import scrapy

from crawler import errors
from crawler.spiders.portal import SiteSpider, SiteState

log = logging.getLogger(__name__)
SIDE = "side"
SIDE_MAXSIZE = 5 * 1024 * 1024


class SideRequests(SiteSpider):
    def extra_requests(self, state: SiteState, response, tree, item) -> Iterator[Any]:
        """Run the kind-specific extraction; a bug in it costs this page's
        extraction (counted in the facts), never the site's crawl."""
        yield from self.guarded(state, response, self.walk(state, response, tree, item))

    @staticmethod
    def guarded(state: SiteState, response, results) -> list[Any]:
        """Everything `results` yields up to a failure: requests already counted as
        pending are always handed to Scrapy, or the site would never finish."""
        out: list[Any] = []
        try:
            for x in results or ():
                out.append(x)
        except Exception:
            log.exception("extraction failed on %s", response.url)
            state.facts["extract_errors"] = state.facts.get("extract_errors", 0) + 1
        return out

    def walk(self, state: SiteState, response, tree, item) -> Iterator[Any]:
        return iter(())

    def side(self, state: SiteState, url: str, purpose: str, attempt: int = 1, **meta: Any) -> Iterator[scrapy.Request]:
        state.pending += 1
        m = {"site_id": state.site_id, "role": SIDE, "purpose": purpose, "attempt": attempt, "ga_depth": 0,
             "homepage": False, "download_maxsize": SIDE_MAXSIZE, **meta}
        if state.hints.get("obey_robots") is False:
            m["dont_obey_robotstxt"] = True
        yield scrapy.Request(url, callback=self.on_side, errback=self.on_error, dont_filter=True, meta=m, priority=3)

    def on_side(self, response):
        state = self.states[response.meta["site_id"]]
        state.pending -= 1
        handler = getattr(self, "side_" + response.meta["purpose"])
        yield from self.guarded(state, response, handler(state, response))
        yield from self.maybe_done(state)

    def on_error(self, failure):
        request = failure.request
        if request.meta.get("role") != SIDE:
            yield from super().on_error(failure)
            return
        state = self.states[request.meta["site_id"]]
        state.pending -= 1
        kind, _message = errors.classify(failure)
        meta = request.meta
        if kind in errors.RETRYABLE and meta["attempt"] == 1:
            extra = {k: v for k, v in meta.items() if k.startswith("odh_")}
            yield from self.side(state, request.url, meta["purpose"], attempt=2, **extra)
        else:
            yield from self.side_failed(state, request, kind) or ()
        yield from self.maybe_done(state)

    def side_failed(self, state: SiteState, request, kind: str):
        return ()

    @staticmethod
    def body_is_html(response) -> bool:
        ctype = response.headers.get("Content-Type", b"").decode("latin-1").lower()
        head = response.body[:512].lstrip().lower()
        return "html" in ctype or head.startswith((b"<!doctype html", b"<html", b"<head", b"<body"))

    @staticmethod
    def text_of_response(response) -> str:
        from crawler import decode
        return decode.response_text(response)
