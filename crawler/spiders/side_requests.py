"""Side requests for the open-data and hotline spiders: fetches that feed
extractors (JSON catalogues, sampled downloads, section pages) but are not
pages of the crawl, so they are never recorded as pages or links.

A side request carries `purpose`; its answer goes to `side_<purpose>(state,
response)` and a final failure to `side_failed(state, request, kind)`.

A wall answering a side request is a wall answering the site (crawler/walls.py,
as for pages): a list API that meets a challenge, a rate limit or a CAPTCHA
page makes the site `blocked`, never a platform with no datasets or a board
with no messages.
"""
from __future__ import annotations

import logging
from typing import Any, Iterator

import scrapy

from crawler import errors
from crawler.extract.links import host_of
from crawler.spiders.site import SiteSpider, SiteState

log = logging.getLogger(__name__)
SIDE = "side"
SIDE_MAXSIZE = 5 * 1024 * 1024
# The usual names of the page parameters of list APIs, all sent at once.
FIRST_PAGE_FORM = "pageNo=1&pageNum=1&page=1&current=1&pageIndex=1&pageSize=20&size=20&rows=20&limit=20"
# Side requests whose 2xx HTML answer is judged as a possible wall (an empty page with a CAPTCHA or a
# cookie script): where JSON, XML or code was expected, and the list pages a pager's form posts for.
# Not downloads or section pages: a login page there is the site's own answer.
WALL_WATCHED = {"json", "script", "list_post", "catalog_post"}


class SideRequests(SiteSpider):
    name = None      # a base of the open_data and hotline spiders, not a spider Scrapy should list
    reads_pages_itself = True      # their walk reads every page's tree
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
        if state.wall is not None:
            return                # a walled site is left alone
        state.pending += 1
        m = {"site_id": state.site_id, "role": SIDE, "purpose": purpose, "attempt": attempt, "ga_depth": 0,
             "homepage": False, "download_maxsize": SIDE_MAXSIZE, **meta}
        if state.hints.get("obey_robots") is False:
            m["dont_obey_robotstxt"] = True
        body = meta.get("odh_body")
        if body is None:
            yield scrapy.Request(url, callback=self.on_side, errback=self.on_error, dont_filter=True, meta=m, priority=3)
        else:
            yield scrapy.Request(url, method="POST", body=body, callback=self.on_side, errback=self.on_error,
                                 dont_filter=True, meta=m, priority=3,
                                 headers={"Content-Type": "application/x-www-form-urlencoded; charset=UTF-8",
                                          "X-Requested-With": "XMLHttpRequest"})

    # -- JSON list endpoints (catalogues, message lists) ---------------------------
    def json_request(self, state: SiteState, tried: set[str], cap: int, url: str, body: str | None = None,
                     **meta: Any) -> Iterator[scrapy.Request]:
        """Fetch a candidate JSON endpoint once (GET, or POST with a form body)."""
        if url.endswith("="):
            url += "1"
        key = url + ("|" + body if body is not None else "")
        if key in tried or len(tried) >= cap:
            return
        tried.add(key)
        yield from self.side(state, url, "json", odh_body=body, **meta)

    def json_payload(self, state: SiteState, tried: set[str], cap: int, response) -> tuple[Any, list]:
        """(parsed JSON or None, follow-up requests): many list APIs answer only POST,
        so a GET that fails or returns no JSON is tried once more as a POST of page 1."""
        import json
        data = None
        if response.status < 400:
            try:
                data = json.loads(self.text_of_response(response))
            except ValueError:
                data = None
        if data is None and response.meta.get("odh_body") is None:
            url = response.request.url
            return None, list(self.json_request(state, tried, cap, url, body=FIRST_PAGE_FORM))
        return data, []

    def scan_scripts(self, state: SiteState, scanned: set[str], page_url: str, tree, limit: int = 6) -> Iterator[Any]:
        """Fetch a page's own external scripts (a few per site) to find list APIs in them."""
        from crawler.extract.json_records import own_scripts
        for src in own_scripts(page_url, tree):
            if src not in scanned and len(scanned) < limit:
                scanned.add(src)
                yield from self.side(state, src, "script", odh_page=page_url)

    def side_script(self, state: SiteState, response) -> Iterator[Any]:
        from crawler.extract.json_records import endpoints_in_js
        if response.status >= 400:
            return
        for endpoint in endpoints_in_js(response.meta["odh_page"], self.text_of_response(response)):
            yield from self.found_endpoint(state, endpoint)

    def found_endpoint(self, state: SiteState, url: str) -> Iterator[Any]:
        return iter(())

    def next_json(self, state: SiteState, tried: set[str], cap: int, response) -> Iterator[scrapy.Request]:
        """The request for the next page of the same JSON list: its page parameter
        (in the query, or in the POST body) plus one."""
        from crawler.extract.json_records import next_page_url
        body = response.meta.get("odh_body")
        url = response.request.url
        if body is not None:
            nxt = next_page_url("http://x/?" + body)
            if nxt:
                yield from self.json_request(state, tried, cap, url, body=nxt.split("?", 1)[1])
            return
        nxt = next_page_url(url)
        if nxt:
            yield from self.json_request(state, tried, cap, nxt)

    def on_side(self, response):
        state = self.states[response.meta["site_id"]]
        state.pending -= 1
        state.responses += 1
        yield from self.watch_side_for_wall(state, response)
        if state.wall is None:     # an answer from behind a wall (or after it went up) is never read
            handler = getattr(self, "side_" + response.meta["purpose"])
            yield from self.guarded(state, response, handler(state, response))
        yield from self.maybe_done(state)

    def watch_side_for_wall(self, state: SiteState, response) -> Iterator[scrapy.Request]:
        """A wall answering a side request on the site's own hosts, judged as on pages: a challenge
        (412 `$_ts`, 521 `__jsl_clearance`…) or a 429 at once, a 403 once the homepage asked again
        answers 403 too, and an empty HTML page with a wall's marks where data was expected."""
        if state.wall is not None or host_of(response.url) not in state.hosts:
            return
        if response.status >= 400:
            yield from self.watch_for_wall(state, response, None)
        elif response.meta["purpose"] in WALL_WATCHED and self.body_is_html(response):
            self.note_wall(state, response, None, self.wall_evidence(response, refusal_is_wall=False))

    def on_error(self, failure):
        request = failure.request
        if request.meta.get("role") != SIDE:
            yield from super().on_error(failure)
            return
        state = self.states[request.meta["site_id"]]
        state.pending -= 1
        kind, _message = errors.classify(failure)
        meta = request.meta
        if state.wall is not None:
            pass                  # dropped or failed after the wall went up: nothing to judge
        elif kind in errors.RETRYABLE and meta["attempt"] == 1:
            extra = {k: v for k, v in meta.items() if k.startswith("odh_")}
            yield from self.side(state, request.url, meta["purpose"], attempt=2, **extra)
        else:
            yield from self.side_failed(state, request, kind) or ()
        yield from self.maybe_done(state)

    # -- list pages a pager's form posts for (catalogues, message lists) ----------------
    def post_list_pages(self, state: SiteState, seen: set[str], cap: int, form_pages: list[tuple[str, str]],
                        purpose: str, depth: int) -> Iterator[scrapy.Request]:
        """POST each (action, body) a list's pager forms ask for, once, while `seen` holds fewer
        than `cap` pages of the list; `side_<purpose>` reads the answer."""
        wanted = dict(((action + "|" + body), (action, body)) for action, body in form_pages)
        for key in self.new_list_pages(seen, cap, list(wanted)):
            action, body = wanted[key]
            yield from self.side(state, action, purpose, odh_body=body, odh_depth=depth)

    @staticmethod
    def new_list_pages(seen: set[str], cap: int, pages: list[str]) -> list[str]:
        """The pages of a list not yet taken, taken now (added to `seen`) while fewer than `cap` are."""
        out = []
        for page in pages:
            if page not in seen and len(seen) < cap:
                seen.add(page)
                out.append(page)
        return out

    def posted_page(self, response) -> str | None:
        """The HTML text of a list page a form post answered, or None when it is no page."""
        if response.status >= 400 or not self.body_is_html(response):
            return None
        return self.text_of_response(response)

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
