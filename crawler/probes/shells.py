"""Script-built list pages (shells) rendered in the browser: the columns the crawl found
with a list container but no entries while a script loads them (`facts.list.shell`). At most
`max_rendered_pages` of them per site (registry hint; MAX_RENDERED by default) are opened
once each, and read from the rendered DOM (and the frames it filled) and from the JSON/XML
the page fetched. A page not rendered, or whose render or data request failed, stays unknown:
the checks never call such a column blank."""
from __future__ import annotations

import asyncio
import time
from datetime import datetime, timezone

from w3lib.encoding import html_body_declared_encoding, http_content_type_encoding, read_bom

from crawler.decode import normalise
from crawler.extract.shells import api_list, rendered_list
from crawler.probes.session import ProbeContext, error_kind, goto, one_line, settle

MAX_RENDERED = 5
BODY_CAP = 1_000_000          # bytes of one fetched response that are read
MAX_BODIES = 20               # data responses kept per page
MAX_FRAMES = 5
PAGE_BUDGET_S = 30            # one page: load, scripts, reading
PROBE_BUDGET_S = 160          # below the probe's own budget: the pages left over are reported, not lost
DATA_TYPES = ("xhr", "fetch")


def decoded(content_type: str, body: bytes) -> str:
    """A data response's text: the charset its header or its own declaration names, else UTF-8,
    else GB18030 (old CMSs answer in GBK without saying so)."""
    declared = http_content_type_encoding(content_type) or read_bom(body)[0] or html_body_declared_encoding(body)
    for enc in (normalise(declared), "utf-8", "gb18030"):
        if enc:
            try:
                return body.decode(enc).lstrip("\ufeff")
            except (UnicodeDecodeError, LookupError):
                continue
    return body.decode("utf-8", "replace")


def render_limit(hints: dict) -> int:
    try:
        return max(0, int(hints.get("max_rendered_pages", MAX_RENDERED)))
    except (TypeError, ValueError):
        return MAX_RENDERED


async def run(pctx: ProbeContext) -> dict:
    # the shallowest first: columns are reached from the homepage and its navigation
    shells = sorted((p for p in pctx.site.pages if p.get("shell")), key=lambda p: p.get("depth") or 0)
    limit = render_limit(pctx.site.hints)
    out: dict = {"limit": limit, "pages": {}, "over_limit": [p["final_url"] for p in shells[limit:]]}
    started = time.monotonic()
    for p in shells[:limit]:
        url = p["final_url"] or p["url"]
        if time.monotonic() - started > PROBE_BUDGET_S - PAGE_BUDGET_S:
            out["pages"][url] = {"error": "the probe's time ran out before this page", "error_kind": "timeout"}
            continue
        try:
            out["pages"][url] = await asyncio.wait_for(_render(pctx, url), PAGE_BUDGET_S)
        except Exception as exc:
            kind = "timeout" if isinstance(exc, (asyncio.TimeoutError, TimeoutError)) else error_kind(exc)
            out["pages"][url] = {"error": one_line(exc) or f"rendering exceeded {PAGE_BUDGET_S} s", "error_kind": kind}
    return out


async def _render(pctx: ProbeContext, url: str) -> dict:
    today = datetime.now(timezone.utc).date()
    page = await pctx.context.new_page()
    bodies: list[dict] = []
    failed: list[str] = []
    pending: list[asyncio.Task] = []

    async def keep(response):
        try:
            headers = await response.all_headers()
            if int(headers.get("content-length") or 0) > BODY_CAP:
                return                      # not read: a list's data is far smaller
            ctype = headers.get("content-type", "")
            body = await response.body()
        except Exception:
            return
        if len(body) <= BODY_CAP:
            bodies.append({"url": response.url, "content_type": ctype, "text": decoded(ctype, body)})

    def on_response(response):
        if response.request.resource_type not in DATA_TYPES:
            return
        if response.status >= 400:
            failed.append(f"{response.status} {response.url}"[:300])
        elif len(pending) < MAX_BODIES:
            pending.append(asyncio.ensure_future(keep(response)))

    def on_failed(request):
        if request.resource_type in DATA_TYPES:
            failed.append(f"{request.failure or 'failed'} {request.url}"[:300])

    page.on("response", on_response)
    page.on("requestfailed", on_failed)
    try:
        response, _ = await goto(page, url, pctx.timeout_ms)
        await settle(page, quiet_ms=500)
        status = response.status if response else None
        if status is not None and status >= 400:
            return {"url": page.url, "status": status, "error": f"the page answered HTTP {status}",
                    "error_kind": "connection"}
        html = await asyncio.wait_for(page.content(), 10)
        found = rendered_list(page.url, html, today)
        # a list the page's script put into a frame (src set by script) is the page's list too
        for frame in page.frames[1:MAX_FRAMES + 1]:
            try:
                framed = rendered_list(frame.url, await asyncio.wait_for(frame.content(), 10), today)
            except Exception:
                continue
            if (framed["dated"] or 0) > (found["dated"] or 0):
                found = {**framed, "frame": frame.url[:500]}
        if pending:
            await asyncio.wait(pending, timeout=5)
        return {"url": page.url, "status": status, "rendered": found, "api": api_list(page.url, bodies, today),
                "data_requests": len(bodies) + len(failed), "failed_requests": failed[:10]}
    finally:
        for task in pending:
            task.cancel()
        try:
            await asyncio.wait_for(page.close(), 10)
        except Exception:
            pass
