"""Reading the text of a site's attachments (privacy.pii_exposure looks in it).

An attachment link is checked with HEAD like any resource. When its format
is readable (crawler.extract.attachment_text), its Content-Length is within
GOVAUDIT_MAX_ATTACHMENT_BYTES and the site has fetched fewer than
GOVAUDIT_MAX_ATTACHMENT_TEXTS for their text (readable or not: a site of
broken files costs the same bounded work), it is fetched once more with GET,
capped at the same size, and its text stored on its `pages` row with
the facts {"attachment": {format, chars, truncated, reason?}, "pii": […]}.
The HEAD answer's row is held back until then, so each URL is one row.
What was skipped and why is counted in the crawl facts ("attachment_texts").
"""
from __future__ import annotations

import asyncio
import logging
from typing import Any, Iterator

import scrapy
from scrapy.http import Response

from crawler import errors
from crawler.extract.attachment_text import AttachmentText, extract_text
from crawler.extract.pii import find_pii
from crawler.items import PageItem

log = logging.getLogger(__name__)
PROBLEMS_KEPT = 20


def new_stats() -> dict[str, Any]:
    return {"requested": 0, "read": 0, "with_pii": 0, "too_large": 0, "unreadable": 0, "failed": 0,
            "over_budget": 0, "problems": []}


class AttachmentTexts:
    """Mixin of SiteSpider (needs `states`, `run_id`, `maybe_done`, `settings`)."""

    def attachment_limits(self, state) -> tuple[int, int]:
        budget = int(state.hints.get("max_attachment_texts", self.settings.getint("GOVAUDIT_MAX_ATTACHMENT_TEXTS", 50)))
        cap = self.settings.getint("GOVAUDIT_MAX_ATTACHMENT_BYTES", 5 * 1024 * 1024)
        return budget, cap

    def attachment_answered(self, state, response: Response, item: PageItem, fmt: str) -> Iterator[Any]:
        """An attachment answered < 400 with a non-HTML body: read its text now (a GET answer)
        or fetch it for its text (a HEAD answer), within the caps; yields the item now or later."""
        stats = state.attachments
        budget, cap = self.attachment_limits(state)
        length = _content_length(response)
        if length is not None and length > cap:
            self.attachment_skipped(state, item, fmt, "too_large", f"{length} bytes, over the {cap}-byte cap")
            yield item
            return
        if stats["requested"] >= budget:
            stats["over_budget"] += 1
            yield item
            return
        stats["requested"] += 1
        if response.request.method != "HEAD":
            # HEAD was refused and the retry GET brought the body already.
            yield self.attachment_read(state, item, response.body, fmt, cap)
            return
        state.pending += 1
        meta = {"site_id": state.site_id, "role": "attachment_text", "attachment_item": item,
                "attachment_format": fmt, "download_maxsize": cap, "download_warnsize": 0,
                "dont_obey_robotstxt": True}
        yield scrapy.Request(response.url, callback=self.on_attachment_body, errback=self.on_attachment_error,
                             dont_filter=True, meta=meta, priority=-3)

    async def on_attachment_body(self, response: Response):
        state = self.states[response.meta["site_id"]]
        item, fmt = response.meta["attachment_item"], response.meta["attachment_format"]
        if response.status >= 400:
            self.attachment_skipped(state, item, fmt, "failed", f"GET answered {response.status}")
        else:
            item.warc = response.meta.get("warc") or item.warc
            # Parsing a large PDF takes seconds: off the reactor, so the other sites' downloads go on.
            got = await asyncio.to_thread(_extract, response.body, fmt, self.attachment_limits(state)[1])
            self.attachment_store(state, item, fmt, *got)
        state.pending -= 1
        yield item
        for done in self.maybe_done(state):
            yield done

    def on_attachment_error(self, failure):
        meta = failure.request.meta
        state = self.states[meta["site_id"]]
        state.pending -= 1
        kind, message = errors.classify(failure)
        item = meta["attachment_item"]
        self.attachment_skipped(state, item, meta["attachment_format"], "too_large" if kind == "too_large" else "failed",
                                f"{kind}: {message}")
        yield item
        yield from self.maybe_done(state)

    def attachment_read(self, state, item: PageItem, body: bytes, fmt: str, cap: int) -> PageItem:
        self.attachment_store(state, item, fmt, *_extract(body, fmt, cap))
        return item

    def attachment_store(self, state, item: PageItem, fmt: str, got: AttachmentText | None, pii: list[dict]) -> None:
        """`got` None: the body was over the byte cap."""
        stats = state.attachments
        if got is None:
            self.attachment_skipped(state, item, fmt, "too_large", f"over the {self.attachment_limits(state)[1]}-byte cap")
            return
        if got.reason:
            self.attachment_skipped(state, item, fmt, "unreadable", got.reason)
            return
        stats["read"] += 1
        item.text = got.text
        item.facts = {**item.facts, "attachment": got.facts()}
        if pii:
            stats["with_pii"] += 1
            item.facts["pii"] = pii

    @staticmethod
    def attachment_skipped(state, item: PageItem, fmt: str, counter: str, reason: str) -> None:
        stats = state.attachments
        stats[counter] += 1
        reason = " ".join(reason.split())[:300]
        if len(stats["problems"]) < PROBLEMS_KEPT:
            stats["problems"].append({"url": item.final_url or item.url, "kind": counter, "reason": reason})
        item.facts = {**item.facts, "attachment": {"format": fmt, "chars": 0, "truncated": False, "reason": reason}}


def _extract(body: bytes, fmt: str, cap: int) -> tuple[AttachmentText | None, list[dict]]:
    """(text or None when over the byte cap, PII hits); never raises."""
    if len(body) > cap:
        return None, []
    try:
        got = extract_text(body, fmt)
        return got, (find_pii(got.text) if got.text else [])
    except Exception as exc:  # noqa: BLE001 - extract_text never raises; this guards a bug in it
        log.exception("attachment text failed")
        return AttachmentText(fmt, reason=f"internal: {type(exc).__name__}"), []


def _content_length(response: Response) -> int | None:
    raw = response.headers.get("Content-Length")
    try:
        return int(raw) if raw is not None else None
    except ValueError:
        return None
