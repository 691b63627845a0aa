"""The pieces that let a site's probes run at once: the shared first homepage load and the
probes' own browser contexts (real Chromium, a page served on 127.0.0.1)."""
from __future__ import annotations

import asyncio
import threading
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from crawler.probes.pool import BrowserPool, BrowserUnavailable, resolve_executable
from crawler.probes.session import ProbeContext, SiteTarget, goto

pytestmark = pytest.mark.browser


@pytest.fixture()
def site(tmp_path):
    try:
        resolve_executable("")
    except BrowserUnavailable as exc:
        pytest.skip(str(exc))
    (tmp_path / "index.html").write_text('<html><head><meta charset="utf-8"></head><body><p>首页</p></body></html>',
                                         encoding="utf-8")
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(SimpleHTTPRequestHandler, directory=str(tmp_path)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


def test_fresh_homepage_is_read_once_then_reloaded(site, tmp_path: Path):
    async def visit():
        async with BrowserPool(contexts=1) as pool, pool.context() as ctx:
            page = await ctx.new_page()
            await goto(page, site, 5000)
            await page.evaluate("() => { window.mark = 'first load' }")
            p = ProbeContext(site=SiteTarget(1, site, "站点", "portal"), context=ctx, page=page, home_url=site,
                             shot_dir=tmp_path, shot_ref="x", fresh=True)
            await p.home()
            kept = await page.evaluate("() => window.mark || null")
            await p.home()
            return kept, await page.evaluate("() => window.mark || null"), p.fresh
    assert asyncio.run(visit()) == ("first load", None, False)


def test_extra_contexts_share_no_storage_and_all_close(site):
    async def visit():
        async with BrowserPool(contexts=1) as pool:
            async with pool.context() as ctx:
                page = await ctx.new_page()
                await goto(page, site, 5000)
                await page.evaluate("() => localStorage.setItem('elder', '1')")
                async with pool.extra_context() as own:
                    other = await own.new_page()
                    await goto(other, site, 5000)
                    seen = await other.evaluate("() => localStorage.getItem('elder')")
                    during = len(pool._browser.contexts)
            return seen, during, len(pool._browser.contexts)
    assert asyncio.run(visit()) == (None, 2, 0)
