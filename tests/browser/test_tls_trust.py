"""Chromium and the HTTPS demo site: the farm's CA, named by GOVAUDIT_CA_BUNDLE, is trusted
through its pinned public key, with certificate errors *not* ignored; without it the
same page is a `tls` error."""
from __future__ import annotations

import asyncio

import pytest

from crawler.probes.pool import BrowserPool, BrowserUnavailable, resolve_executable
from crawler.probes.session import error_kind, goto

pytestmark = pytest.mark.browser


async def _open(url: str) -> tuple[int | None, str, str | None]:
    async with BrowserPool(contexts=1, ignore_https_errors=False) as pool:
        async with pool.context() as ctx:
            page = await ctx.new_page()
            try:
                response, _ = await goto(page, url, 15000)
            except Exception as exc:   # Playwright's navigation error
                return None, "", error_kind(exc)
            return response.status, await page.title(), None


def test_chromium_trusts_the_farm_ca_only_when_configured(monkeypatch):
    try:
        resolve_executable("")
    except BrowserUnavailable as exc:
        pytest.skip(str(exc))
    from govaudit.demo.server import DemoFarm, load_sites
    with DemoFarm([s for s in load_sites() if s.slug == "portal-tls"]) as farm:
        url = farm.sites[0].url
        monkeypatch.setenv("GOVAUDIT_CA_BUNDLE", farm.ca_bundle)
        assert asyncio.run(_open(url)) == (200, "某某新区管理委员会门户网站", None)
        monkeypatch.delenv("GOVAUDIT_CA_BUNDLE")
        assert asyncio.run(_open(url)) == (None, "", "tls")
