"""Accessibility probe: axe-core (the copy bundled in axe-playwright-python,
so it works offline) on the homepage and two sampled article pages; WCAG 2.x
A/AA rules, the basis of GB/T 37668."""
from __future__ import annotations

from axe_playwright_python.base import AXE_SCRIPT

from crawler.probes import heuristics as h
from crawler.probes.session import ProbeContext, settle

AXE_OPTIONS = {"resultTypes": ["violations"],
               "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}
PAGES = 2


async def axe_page(page) -> tuple[str, list[dict]]:
    await page.evaluate(AXE_SCRIPT)
    res = await page.evaluate("(o) => axe.run(document, o).then(r => ({version: r.testEngine.version, violations: r.violations}))",
                              AXE_OPTIONS)
    rules = []
    for v in res["violations"]:
        node = v["nodes"][0] if v["nodes"] else {}
        rules.append({"id": v["id"], "impact": v.get("impact"), "count": len(v["nodes"]), "help": v.get("help"),
                      "sample": {"target": node.get("target"), "html": (node.get("html") or "")[:300]}})
    return res["version"], rules


def sample_articles(pages: list[dict], home_url: str, limit: int = PAGES) -> list[str]:
    """Article pages to test: the deepest distinct known-item pages of the crawl."""
    items = h.pick_known_items(pages, limit=limit * 3)
    urls = [i["url"] for i in items if h.normalize_url(i["url"]) != h.normalize_url(home_url)]
    return urls[:limit]


async def run(p: ProbeContext) -> dict:
    await p.home()
    version, rules = await axe_page(p.page)
    p.tool_versions["axe-core"] = version
    pages = [{"url": p.page.url, "rules": rules}]
    for url in sample_articles(p.site.pages or [], p.home_url):
        try:
            await p.page.goto(url, wait_until="load", timeout=p.timeout_ms)
            await settle(p.page)
            _, rules = await axe_page(p.page)
            pages.append({"url": url, "rules": rules})
        except Exception as exc:
            pages.append({"url": url, "error": str(exc).splitlines()[0][:200]})
    return {"axe_version": version, "pages": pages}
