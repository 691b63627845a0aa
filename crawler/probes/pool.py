"""One Chromium for many sites: a fresh context per site, a bounded number of
contexts at once, the browser relaunched after N sites so memory stays flat.

Every request of the browser goes through the guard proxy (crawler/probes/guardproxy.py):
the network guard and the download caps apply browser-wide, at the network layer, so no
request path (speculation rules, WebSocket, redirects, beacons) can bypass them and no
body passes through Playwright's driver. Launch flags turn off what would bypass a
proxy or spend work on the scanner's behalf: WebRTC's non-proxied UDP, prerendering and
speculative prefetches.

Playwright's async API; callers run `BrowserPool` inside one event loop.
"""
from __future__ import annotations

import asyncio
import logging
import os
from contextlib import asynccontextmanager
from pathlib import Path
from core.errors import GovauditError
from crawler.probes.guardproxy import GuardProxy, Meter

log = logging.getLogger(__name__)
CLOSE_TIMEOUT_S = 15
RESPONSE_CAP = 10 * 1024 * 1024     # bytes per response, as the crawl's DOWNLOAD_MAXSIZE
CONTEXT_CAP = 50 * 1024 * 1024      # bytes per browser context (one probe's pages)
PAGES_PER_CONTEXT = 8               # a probe opens a few tabs; a pop-up storm opens hundreds a second
LAUNCH_ARGS = [
    "--no-sandbox",
    "--force-webrtc-ip-handling-policy=disable_non_proxied_udp",   # WebRTC only over the proxy (TURN/TCP)
    "--disable-features=Prerender2,SpeculationRulesPrefetchFuture,PreloadingHeuristicsMLModel,"
    "NetworkPrediction,LinkPreview",
    "--dns-prefetch-disable", "--disable-background-networking",
]

DEBIAN_PATHS = ("/usr/lib/chromium/chromium-headless-shell", "/usr/lib/chromium/chromium")
JS_DIR = Path(__file__).parent / "js"
_js_cache: dict[str, str] = {}


def js(name: str) -> str:
    """A JS snippet shipped as package data (crawler/probes/js/NAME.js)."""
    if name not in _js_cache:
        _js_cache[name] = (JS_DIR / f"{name}.js").read_text(encoding="utf-8")
    return _js_cache[name]


async def _close_quietly(page) -> None:
    try:
        await asyncio.wait_for(page.close(), CLOSE_TIMEOUT_S)
    except Exception:
        pass          # gone with its context already


class BrowserUnavailable(GovauditError):
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
                 user_agent: str | None = None, allow_private: bool = True, allow_hosts: list[str] | tuple = (),
                 ignore_https_errors: bool = True, timeout_s: float = 15.0,
                 response_cap: int = RESPONSE_CAP, context_cap: int = CONTEXT_CAP):
        """`allow_private`/`allow_hosts`: the network guard's settings (by default nothing is refused,
        as for the demo's loopback sites; the probes gatherer passes the run's settings)."""
        self.proxy = GuardProxy(allow_private, list(allow_hosts), timeout_s, response_cap, context_cap)
        self.meters: dict[object, Meter] = {}      # open context -> what the proxy did for it
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
        try:
            self._proxy_port, _ = await self.proxy.listen()     # the browser-wide default route out
            await self._launch()
        except BaseException:
            await self.__aexit__()
            raise
        return self

    async def __aexit__(self, *exc) -> None:
        try:
            if self._browser is not None:
                browser, self._browser = self._browser, None
                await asyncio.wait_for(browser.close(), CLOSE_TIMEOUT_S)
        except Exception:
            log.warning("closing the browser failed; the driver's exit ends it", exc_info=True)
        finally:
            if self._pw is not None:
                pw, self._pw = self._pw, None
                await pw.stop()
            await self.proxy.__aexit__()

    async def _launch(self) -> None:
        try:
            # Certificates GOVAUDIT_CA_BUNDLE vouches for are valid to Chromium too (their keys are pinned).
            from crawler.cabundle import chromium_args
            self._browser = await self._pw.chromium.launch(
                executable_path=self.executable, args=[*LAUNCH_ARGS, *chromium_args()],
                proxy={"server": f"http://127.0.0.1:{self._proxy_port}"})
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
        port, meter = await self.proxy.listen()      # its own listener: its downloads are counted apart
        try:
            ctx = await self._browser.new_context(ignore_https_errors=self.ignore_https_errors, locale="zh-CN",
                                                  proxy={"server": f"http://127.0.0.1:{port}"}, **options)
        except BaseException:
            await self.proxy.close(port)
            raise
        self.meters[ctx] = meter

        def on_page(page) -> None:       # pop-ups beyond the budget are closed as they open
            if len(ctx.pages) > PAGES_PER_CONTEXT:
                meter.popups_closed += 1
                asyncio.ensure_future(_close_quietly(page))
        ctx.on("page", on_page)
        try:
            yield ctx
        finally:
            try:
                await asyncio.wait_for(ctx.close(), CLOSE_TIMEOUT_S)
            except Exception:  # gone after a crash, or a renderer stuck in a script loop
                log.warning("closing a context failed; the browser will be relaunched", exc_info=True)
                self._served = self.recycle_after
            finally:
                self.meters.pop(ctx, None)
                await self.proxy.close(port)

    def meter(self, ctx) -> Meter | None:
        """What the guard proxy refused or cut off for an open context of this pool."""
        return self.meters.get(ctx)

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
