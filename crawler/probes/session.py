"""What every probe shares for one site: the browser context, the homepage page,
the site's hints and crawl titles, and small browser helpers (mark, settle,
screenshot, follow a click wherever it leads)."""
from __future__ import annotations

import asyncio
import re
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from core.errors import GovauditError
from crawler.extract.html import parse
from crawler.probes.heuristics.dom import element_index
from crawler.probes.pool import js


# a page whose script never yields answers no evaluate/content call: abandon it after this long
# (long enough for a renderer starved by a busy machine to answer, short beside a probe's budget)
UNRESPONSIVE_S = 20


class ProbeError(GovauditError):
    """A probe could not measure; `kind` is a catalog error kind (checks.base.ERROR_KINDS)."""

    def __init__(self, kind: str, message: str):
        super().__init__(message)
        self.kind = kind


def error_kind(exc: BaseException) -> str:
    """Map a Playwright/network failure onto the catalog's error kinds (checks.base.ERROR_KINDS)."""
    if isinstance(exc, ProbeError):
        return exc.kind
    text = str(exc)
    if isinstance(exc, (asyncio.TimeoutError, TimeoutError)) or "Timeout" in type(exc).__name__ or "Timeout " in text:
        return "timeout"
    for pattern, kind in (("ERR_NAME_NOT_RESOLVED|ERR_NAME_RESOLUTION", "dns"), ("ERR_CERT|ERR_SSL", "tls"),
                          ("ERR_TOO_MANY_REDIRECTS", "too_many_redirects"), ("ERR_TIMED_OUT", "timeout"),
                          ("ERR_CONNECTION|ERR_ADDRESS|ERR_EMPTY_RESPONSE|ERR_NETWORK|ERR_INTERNET|ERR_BLOCKED_BY_CLIENT", "connection")):
        if re.search(pattern, text):
            return kind
    return "internal"


def one_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return (text[0] if text else type(exc).__name__)[:300]


@dataclass
class SiteTarget:
    id: int
    url: str
    name: str
    kind: str
    hints: dict[str, Any] = field(default_factory=dict)
    pages: list[dict] = field(default_factory=list)     # crawled pages: url, final_url, title, depth, is_homepage
    home_over_cap: str | None = None    # the homepage URL when the crawl found it over the size cap


@dataclass
class ProbeContext:
    site: SiteTarget
    context: Any                      # playwright BrowserContext
    page: Any                         # the reusable desktop page
    home_url: str
    shot_dir: Path                    # absolute directory for this site's screenshots
    shot_ref: str                     # the same, relative to the data directory
    timeout_ms: int = 15000
    tool_versions: dict[str, str] = field(default_factory=dict)
    load_s: float | None = None       # load-event seconds of the first, cold homepage load
    load_timeout_s: float | None = None   # set when the load event never came within the timeout
    status: int | None = None
    fresh: bool = False               # `page` shows the homepage just loaded and untouched
    new_context: Any = None           # (**options) -> async context manager of one more browser context, or None
    meters: list = field(default_factory=list)   # guard-proxy meters of the contexts this probe used

    async def home(self) -> None:
        """Back to the homepage in the reusable page, closing any pop-up tabs."""
        await self.close_others()
        if self.fresh:
            self.fresh = False
            return
        await goto(self.page, self.home_url, self.timeout_ms)
        await settle(self.page)

    async def close_others(self) -> None:
        for p in list(self.context.pages):
            if p is not self.page:
                try:
                    await p.close()
                except Exception:
                    pass

    async def screenshot(self, page, name: str) -> str | None:
        """Save a viewport screenshot as NAME.png; returns the data-dir-relative path."""
        self.shot_dir.mkdir(parents=True, exist_ok=True)
        try:
            await page.screenshot(path=str(self.shot_dir / f"{name}.png"), timeout=10000)
        except Exception:
            return None
        return f"{self.shot_ref}/{name}.png"


async def goto(page, url: str, timeout_ms: int, load_wait_ms: int = 5000):
    """Navigate: wait for the response to arrive (up to `timeout_ms`), then for the document and
    its load event together at most `load_wait_ms` more. A hanging third-party script (a counter,
    a share widget, even a parser-blocking one) must not make the page unusable: what has been
    rendered by then is what a person sees. Returns (response, load_reached)."""
    response = await page.goto(url, wait_until="commit", timeout=timeout_ms)
    deadline = time.monotonic() + load_wait_ms / 1000
    for state in ("domcontentloaded", "load"):
        left = int((deadline - time.monotonic()) * 1000)
        try:
            if left <= 0:
                raise TimeoutError
            await page.wait_for_load_state(state, timeout=left)
        except Exception:
            return response, False
    return response, True


async def answer(call, timeout_s: float = UNRESPONSIVE_S):
    """Await a page call that has no timeout of its own (evaluate, content): a page whose script
    never yields is abandoned after `timeout_s` as a probe `timeout`, not held for the budget."""
    try:
        return await asyncio.wait_for(call, timeout_s)
    except (asyncio.TimeoutError, TimeoutError):
        raise ProbeError("timeout", f"the page did not answer within {timeout_s:g} s (a script never yields)") from None


async def marked_tree(page_or_frame):
    """Number the candidate elements in the live DOM and return the parsed DOM."""
    await answer(page_or_frame.evaluate(js("marks")))
    return parse(await answer(page_or_frame.content()))


def live(page_or_frame, el):
    """The live locator of an element found in a marked tree."""
    idx = element_index(el)
    if idx is None:
        return None
    return page_or_frame.locator(f'[data-ga-i="{idx}"]').first


async def body_text(page_or_frame) -> str:
    try:
        return await answer(page_or_frame.evaluate("() => document.body ? document.body.innerText : ''"))
    except ProbeError:
        raise
    except Exception:
        return ""


async def settle(page, quiet_ms: int = 250, max_ms: int = 5000) -> float:
    """Wait until the visible text stops changing (scripts done rendering). Returns the
    monotonic time of the last change seen."""
    last_change = time.monotonic()
    deadline = last_change + max_ms / 1000
    prev = None
    while time.monotonic() < deadline:
        try:
            cur = await answer(page.evaluate("() => location.href + '|' + (document.body ? document.body.innerText.length : -1)"))
        except ProbeError:
            raise
        except Exception:  # navigating: the execution context is being replaced
            cur = None
        if cur != prev:
            prev, last_change = cur, time.monotonic()
        elif cur is not None and time.monotonic() - last_change >= quiet_ms / 1000:
            break
        await asyncio.sleep(0.05)
    return last_change


async def click_and_follow(pctx: ProbeContext, page, locator, wait_s: float = 4.0):
    """Click; return (page showing the outcome, how, t_click, t_rendered) as act_and_follow."""
    async def click():
        # a hidden entry would only make the pointer click wait its 5 s out before the same fallback
        if await locator.is_visible():
            try:
                await locator.click(timeout=5000)
                return
            except Exception:
                pass
        await answer(locator.evaluate("el => el.click()"))
    return await act_and_follow(pctx, page, click, wait_s)


async def act_and_follow(pctx: ProbeContext, page, action, wait_s: float = 4.0):
    """Run `action` (a coroutine function: a click, a key press); then wait for a pop-up, a
    navigation or an in-place change and for it to settle. Returns (page, how, t0, t_rendered)
    where how is popup, navigation, inplace (the text changed) or none."""
    before_pages = set(pctx.context.pages)
    url_before = page.url
    navigating = []

    def on_request(request):
        try:
            if request.is_navigation_request() and request.frame == page.main_frame:
                navigating.append(request.url)
        except Exception:
            pass

    text_before = await _text_len(page)
    page.on("request", on_request)
    t0 = time.monotonic()
    try:
        await action()
        deadline = t0 + wait_s
        target, how = page, "none"
        while time.monotonic() < deadline:
            new = [p for p in pctx.context.pages if p not in before_pages]
            if new:
                target, how = new[-1], "popup"
                break
            if page.url != url_before:
                how = "navigation"
                break
            if navigating:                  # a navigation was requested: wait for it to commit
                try:
                    await page.wait_for_url(lambda u: u != url_before, timeout=pctx.timeout_ms)
                except Exception:
                    pass
                how = "navigation"
                break
            await asyncio.sleep(0.05)
            if await _text_len(page) != text_before:
                how = "inplace"
                break
            if time.monotonic() - t0 > 1.5:
                break
    finally:
        page.remove_listener("request", on_request)
    try:
        await target.wait_for_load_state("load", timeout=pctx.timeout_ms)
    except Exception:
        pass
    t_done = await settle(target)
    return target, how, t0, t_done


async def _text_len(page) -> int:
    try:
        return await answer(page.evaluate("() => document.body ? document.body.innerText.length : -1"))
    except ProbeError:
        raise
    except Exception:
        return -2


async def open_entry(pctx: ProbeContext, page, el):
    """Click an entry found in a marked tree; when the click shows nothing and the entry is a plain
    link, go to its address (some entries only react to real pointer events or open windows
    a headless browser refuses)."""
    target, how, t0, t_done = await click_and_follow(pctx, page, live(page, el))
    href = _href_of(el)
    if how == "none" and href:
        url = await answer(page.evaluate("(h) => new URL(h, location.href).href", href))
        await goto(page, url, pctx.timeout_ms)
        t_done = await settle(page)
        target, how = page, "navigation"
    return target, how, t0, t_done


def _href_of(el) -> str | None:
    node = el if el.tag == "a" else next(el.iterancestors("a"), None)
    href = (node.get("href") or "").strip() if node is not None else ""
    if not href or href.startswith(("javascript", "#", "mailto:", "tel:")):
        return None
    return href
