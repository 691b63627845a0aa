"""Accessibility probe: axe-core (the copy bundled in axe-playwright-python,
so it works offline) on the homepage and two sampled article pages; WCAG 2.x
A/AA rules, the basis of GB/T 37668."""
from __future__ import annotations

import asyncio

from axe_playwright_python.base import AXE_SCRIPT

from crawler.probes.heuristics.search import normalize_url, pick_known_items
from crawler.probes.session import ProbeContext, answer, goto, settle

AXE_OPTIONS = {"resultTypes": ["violations"],
               "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}
PAGES = 2
AXE_RUN_S = 60      # injecting axe (≈ 0.5 MB) and its run take a while on a busy machine; a looping page never ends


async def axe_page(page) -> tuple[str, list[dict]]:
    await answer(page.evaluate(AXE_SCRIPT), AXE_RUN_S)
    res = await answer(page.evaluate(
        "(o) => axe.run(document, o).then(r => ({version: r.testEngine.version, violations: r.violations}))",
        AXE_OPTIONS), AXE_RUN_S)
    rules = []
    for v in res["violations"]:
        node = v["nodes"][0] if v["nodes"] else {}
        rules.append({"id": v["id"], "impact": v.get("impact"), "count": len(v["nodes"]), "help": v.get("help"),
                      "sample": {"target": node.get("target"), "html": (node.get("html") or "")[:300]}})
    return res["version"], rules


def sample_articles(pages: list[dict], home_url: str, limit: int = PAGES) -> list[str]:
    """Article pages to test: the deepest distinct known-item pages of the crawl."""
    items = pick_known_items(pages, limit=limit * 3)
    urls = [i["url"] for i in items if normalize_url(i["url"]) != normalize_url(home_url)]
    return urls[:limit]


async def run(p: ProbeContext) -> dict:
    """The homepage and the articles are tested at once, each article in a page of its own."""
    await p.home()

    async def home() -> tuple[str, list[dict]]:
        return await axe_page(p.page)

    async def article(url: str) -> dict:
        page = await p.context.new_page()
        try:
            await goto(page, url, p.timeout_ms)
            await settle(page)
            _, rules = await axe_page(page)
            return {"url": url, "rules": rules}
        except Exception as exc:
            return {"url": url, "error": str(exc).splitlines()[0][:200]}
        finally:
            try:
                await page.close()
            except Exception:
                pass

    (version, rules), *articles = await asyncio.gather(
        home(), *(article(u) for u in sample_articles(p.site.pages or [], p.home_url)))
    p.tool_versions["axe-core"] = version
    return {"axe_version": version, "pages": [{"url": p.page.url, "rules": rules}, *articles]}
