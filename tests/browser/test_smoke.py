"""Browser smoke test: Chromium starts and draws Chinese text (not blank, not tofu boxes)."""
import asyncio

import pytest

from crawler.probes.pool import BrowserPool, BrowserUnavailable, resolve_executable

pytestmark = pytest.mark.browser

PAGE = """<html lang="zh-CN"><body style="margin:0;background:#fff">
<div id="blank" style="width:200px;height:60px;font-size:40px"></div>
<div id="cjk" style="width:200px;height:60px;font-size:40px">政府网站</div>
<div id="tofu" style="width:200px;height:60px;font-size:40px">\u25a1\u25a1\u25a1\u25a1</div></body></html>"""


def test_cjk_screenshot_is_not_blank_nor_boxes(tmp_path):
    try:
        resolve_executable("")
    except BrowserUnavailable as exc:
        pytest.skip(str(exc))

    async def shoot():
        async with BrowserPool(contexts=1) as pool:
            async with pool.context() as ctx:
                page = await ctx.new_page()
                await page.set_content(PAGE)
                shots = {name: await page.locator(f"#{name}").screenshot(path=str(tmp_path / f"{name}.png"))
                         for name in ("blank", "cjk", "tofu")}
                width = await page.evaluate("() => { const r = document.createRange(); "
                                            "r.selectNodeContents(document.getElementById('cjk')); "
                                            "return r.getBoundingClientRect().width }")
                return shots, width, pool.version
    shots, width, version = asyncio.run(shoot())
    assert version
    assert shots["cjk"] != shots["blank"]
    assert shots["cjk"] != shots["tofu"]
    assert width >= 4 * 30          # four glyphs drawn at about their em width
