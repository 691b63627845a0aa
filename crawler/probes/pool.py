"""One Chromium for many sites: a fresh context per site, a bounded number of
contexts at once, the browser relaunched after N sites so memory stays flat.

Playwright's async API; callers run `BrowserPool` inside one event loop.
"""
from __future__ import annotations

import asyncio
import logging
import os
from contextlib import asynccontextmanager
from pathlib import Path
from urllib.parse import urlsplit

log = logging.getLogger(__name__)
CLOSE_TIMEOUT_S = 15

DEBIAN_PATHS = ("/usr/lib/chromium/chromium-headless-shell", "/usr/lib/chromium/chromium")
JS_DIR = Path(__file__).parent / "js"
_js_cache: dict[str, str] = {}


def js(name: str) -> str:
    """A JS snippet shipped as package data (crawler/probes/js/NAME.js)."""
    if name not in _js_cache:
        _js_cache[name] = (JS_DIR / f"{name}.js").read_text(encoding="utf-8")
    return _js_cache[name]


async def install_guard(ctx, refuse) -> None:
    """Abort every request of the context that `refuse(url)` names a reason for (the SSRF guard:
    a page must not make the scanner's browser reach private addresses). Verdicts are cached
    per scheme/host/port and looked up off the event loop (they may resolve names)."""
    if refuse is None:
        return
    verdicts: dict[str, str | None] = {}

    async def handle(route):
        url = route.request.url
        if url.startswith(("data:", "blob:", "about:")):
            await route.continue_()
            return
        parts = urlsplit(url)
        key = f"{parts.scheme}://{parts.netloc}"
        if key not in verdicts:
            verdicts[key] = await asyncio.to_thread(refuse, url)
        if verdicts[key]:
            log.info("browser request refused: %s (%s)", url, verdicts[key])
            await route.abort("blockedbyclient")
        else:
            from crawler.netguard import forward_checked   # redirect hops come back here to be checked
            await forward_checked(route)

    await ctx.route("**/*", handle)


class BrowserUnavailable(Exception):
    """No usable Chromium; the message is one line."""


def playwright_browser_path() -> str | None:
    """Playwright's own Chromium when a user has installed it, else None."""
    try:
        from playwright._impl._driver import compute_driver_executable  # noqa: F401
    except ImportError:
        return None
    root = Path(os.environ.get("PLAYWRIGHT_BROWSERS_PATH") or Path.home() / ".cache" / "ms-playwright")
    for pattern in ("chromium_headless_shell-*/chrome-*/headless_shell", "chromium-*/chrome-linux*/chrome"):
        found = sorted(root.glob(pattern))
        if found:
            return str(found[-1])
    return None


def resolve_executable(configured: str = "") -> str:
    """GOVAUDIT_CHROMIUM when set, else Playwright's own browser, else Debian's headless shell,
    else Debian's full chromium."""
    if configured:
        if not Path(configured).is_file():
            raise BrowserUnavailable(f"GOVAUDIT_CHROMIUM={configured} does not exist")
        return configured
    own = playwright_browser_path()
    if own:
        return own
    for path in DEBIAN_PATHS:
        if Path(path).is_file():
            return path
    raise BrowserUnavailable("no Chromium found: install chromium-headless-shell or set GOVAUDIT_CHROMIUM")


class BrowserPool:
    """`async with BrowserPool(...) as pool:` then `async with pool.context(**opts) as ctx:` per site.

    At most `contexts` contexts are open at once; after `recycle_after` contexts the browser is
    closed and relaunched once the open ones are done."""

    def __init__(self, executable: str = "", contexts: int = 2, recycle_after: int = 50,
                 user_agent: str | None = None, refuse=None, ignore_https_errors: bool = True):
        self.refuse = refuse
        self.ignore_https_errors = ignore_https_errors
        self.executable = resolve_executable(executable)
        self.limit = max(1, contexts)
        self.recycle_after = max(1, recycle_after)
        self.user_agent = user_agent
        self._sem = asyncio.Semaphore(self.limit)
        self._lock = asyncio.Lock()
        self._pw = None
        self._browser = None
        self._served = 0
        self._open = 0
        self._idle = asyncio.Event()
        self._idle.set()
        self.version = ""
        self.launches = 0

    async def __aenter__(self) -> "BrowserPool":
        from playwright.async_api import async_playwright
        self._pw = await async_playwright().start()
        await self._launch()
        return self

    async def __aexit__(self, *exc) -> None:
        if self._browser is not None:
            await self._browser.close()
            self._browser = None
        if self._pw is not None:
            await self._pw.stop()
            self._pw = None

    async def _launch(self) -> None:
        try:
            # Certificates GOVAUDIT_CA_BUNDLE vouches for are valid to Chromium too (their keys are pinned).
            from crawler.cabundle import chromium_args
            self._browser = await self._pw.chromium.launch(executable_path=self.executable,
                                                           args=["--no-sandbox", *chromium_args()])
        except Exception as exc:  # Playwright raises its own Error with a multi-line message
            raise BrowserUnavailable(f"cannot launch {self.executable}: {str(exc).splitlines()[0]}") from None
        self.version = self._browser.version
        self.launches += 1
        log.info("browser %s version %s (launch %d)", self.executable, self.version, self.launches)

    async def _maybe_recycle(self) -> None:
        async with self._lock:
            if not self._browser.is_connected():        # crashed or killed: start a new one
                log.warning("browser disconnected; relaunching")
                self._served = 0
                await self._launch()
                return
            if self._served < self.recycle_after:
                return
            await self._idle.wait()
            await self._browser.close()
            self._served = 0
            await self._launch()

    @asynccontextmanager
    async def _new_context(self, options: dict):
        """A guarded context of this pool's browser, closed (or the browser marked for relaunch) after."""
        if self.user_agent and "user_agent" not in options:
            options["user_agent"] = self.user_agent
        ctx = await self._browser.new_context(ignore_https_errors=self.ignore_https_errors, locale="zh-CN",
                                              **options)
        try:
            await install_guard(ctx, self.refuse)
            yield ctx
        finally:
            try:
                await asyncio.wait_for(ctx.close(), CLOSE_TIMEOUT_S)
            except Exception:  # gone after a crash, or a renderer stuck in a script loop
                log.warning("closing a context failed; the browser will be relaunched", exc_info=True)
                self._served = self.recycle_after

    @asynccontextmanager
    async def extra_context(self, **options):
        """One more context for a site already holding `context()` (a probe of its own: no cookies,
        pop-ups or pages shared with the site's other probes). Not counted against `contexts`."""
        async with self._new_context(options) as ctx:
            yield ctx

    @asynccontextmanager
    async def context(self, **options):
        async with self._sem:
            await self._maybe_recycle()
            self._served += 1
            self._open += 1
            self._idle.clear()
            try:
                async with self._new_context(options) as ctx:
                    yield ctx
            finally:
                self._open -= 1
                if self._open == 0:
                    self._idle.set()
