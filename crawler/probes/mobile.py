"""Mobile probe: the homepage at a 375 px wide phone viewport (viewport meta,
horizontal overflow) in its own context; plus the homepage's load-event time
measured on the site's first, cold desktop load."""
from __future__ import annotations

from crawler.probes.pool import js
from crawler.probes.session import ProbeContext, answer, goto, settle

PHONE = {"viewport": {"width": 375, "height": 812}, "device_scale_factor": 2, "is_mobile": True, "has_touch": True,
         "user_agent": "Mozilla/5.0 (Linux; Android 13; Pixel 7) AppleWebKit/537.36 (KHTML, like Gecko) "
                       "Chrome/120.0 Mobile Safari/537.36 govaudit"}


def responsive(facts: dict) -> bool:
    meta = (facts.get("viewport_meta") or "").replace(" ", "").lower()
    return "width=device-width" in meta and facts["scroll_width"] <= facts["inner_width"] + 1


async def run(p: ProbeContext) -> dict:
    async with p.new_context(**PHONE) as ctx:
        page = await ctx.new_page()
        await goto(page, p.home_url, p.timeout_ms)
        await settle(page)
        facts = await answer(page.evaluate(js("mobile")))
        shot_dir = p.shot_dir
        shot_dir.mkdir(parents=True, exist_ok=True)
        await page.screenshot(path=str(shot_dir / "mobile.png"))
        facts.update({"url": page.url, "responsive": responsive(facts), "load_s": p.load_s, "load_timeout_s": p.load_timeout_s,
                      "screenshot": f"{p.shot_ref}/mobile.png"})
        return facts
