"""Search probe: find the site search, run known-item, typo and service queries
through it as a person would, record what the results pages show.

Hints (registry): `search_url` (a results URL with `{q}`, or the page holding
the search box), `search_selector` (CSS of the query input),
`search_submit_selector` (CSS of the submit control).
"""
from __future__ import annotations

import asyncio
import dataclasses
import statistics
import time
from urllib.parse import quote, unquote

from core.errors import GovauditError
from crawler.probes.heuristics import search as h
from crawler.probes import keywords as kw
from crawler.probes.pool import js
from crawler.probes.session import ProbeContext, ProbeError, act_and_follow, answer, goto, live, marked_tree, settle

RESULTS_WAIT_S = 5.0
BASELINE_QUERY = "虚构词条甲乙丙丁壬癸"  # nonsense: its results page shows only the site chrome


class SearchUnavailable(GovauditError):
    pass


async def run(p: ProbeContext) -> dict:
    hints = p.site.hints or {}
    result: dict = {"present": False, "how": None, "queries": [], "screenshot": None}
    template = hints.get("search_url") if "{q}" in (hints.get("search_url") or "") else None
    start_url = p.home_url
    if hints.get("search_url") and not template:
        start_url = hints["search_url"]
    if template:
        result["how"] = "hint_url"
    else:
        found = await _locate(p, start_url, hints)
        if found is None:
            result["reason"] = "no_search_box"
            return result
        start_url, result["how"], result["box"] = found
    runner = _Searcher(p, start_url, template, hints)

    baseline = await runner.query(BASELINE_QUERY)
    if baseline is None:
        result["reason"] = "submit_failed"
        return result
    result["present"] = True
    runner.chrome = {h.normalize_url(l["href"]) for l in baseline["links"]}
    result["baseline"] = {"no_results": baseline["no_results"], "url": baseline["url"], "links": len(baseline["links"])}

    items = h.pick_known_items(p.site.pages or [], p.site.name)
    result["known_items"] = len(items)
    jobs: list[tuple] = []             # (kind, query or typo variant, item)
    for item in items:
        jobs.append(("known", item["title"], item))
        variant = h.typo_variant(item["title"])
        if variant:
            jobs.append(("typo", variant, item))
    jobs += [("service", text, None) for text in kw.SERVICE_QUERIES]
    entries: list[dict | None] = [None] * len(jobs)

    async def worker(searcher: "_Searcher", todo: list[int]) -> None:
        while todo:
            i = todo.pop(0)
            kind, text, item = jobs[i]
            q = await searcher.query(text[0] if kind == "typo" else text)
            entry = _judge(q, kind, text[0] if kind == "typo" else text, item)
            if kind == "typo":
                entry["replaced"] = [text[1], text[2]]
            if kind == "service" and q:
                entry["service_items"] = h.service_items(q["results"])[:5]
            entries[i] = entry
            if kind == "service" and searcher.last_page is not None and not result["screenshot"]:
                result["screenshot"] = "taking"
                result["screenshot"] = await p.screenshot(searcher.last_page, "search")

    todo = list(range(len(jobs)))
    if p.new_context is None:
        await worker(runner, todo)
    else:
        # the queries are independent: two searchers, the second in a browser context of its own
        # (no pop-ups or tabs shared), take them from one queue; the search takes about half the time
        async with p.new_context() as ctx2:
            page2 = await ctx2.new_page()
            p2 = dataclasses.replace(p, context=ctx2, page=page2, fresh=False)
            second = _Searcher(p2, start_url, template, hints)
            second.chrome = runner.chrome
            await asyncio.gather(worker(runner, todo), worker(second, todo))
    result["queries"] = entries
    latencies = [q["latency_s"] for q in result["queries"] if q.get("latency_s") is not None]
    result["median_latency_s"] = round(statistics.median(latencies), 3) if latencies else None
    return result


def _judge(q: dict | None, kind: str, text: str, item: dict | None) -> dict:
    entry = {"kind": kind, "query": text}
    if q is None:
        entry["failed"] = True
        return entry
    entry.update({"latency_s": q["latency_s"], "url": q["url"], "count": len(q["results"]),
                  "results": [r["href"] for r in q["results"]], "no_results": q["no_results"],
                  "correction": q["correction"]})
    if item is not None:
        entry["target"] = item["url"]
        entry["found"] = any(_same_target(r, item) for r in q["results"])
    return entry


def _same_target(link: dict, item: dict) -> bool:
    target = h.normalize_url(item["url"])
    href = link.get("href") or ""
    if h.normalize_url(href) == target:
        return True
    # result links wrapped by a click-tracking URL carry the target in their query string
    if "?" in href and target.split("/", 1)[-1] and item["url"] in unquote(href.split("?", 1)[1]):
        return True
    return h.title_matches(link.get("text") or link.get("title") or "", item["title"])


async def _locate(p: ProbeContext, start_url: str, hints: dict):
    """(page URL holding the box, how, description) or None."""
    page = p.page
    await p.close_others()
    await goto(page, start_url, p.timeout_ms)
    await settle(page)
    if hints.get("search_selector"):
        if await page.locator(hints["search_selector"]).count():
            return start_url, "hint_selector", {"selector": hints["search_selector"]}
    tree = await marked_tree(page)
    boxes = h.find_search_boxes(tree)
    if boxes:
        return start_url, "box", _describe(boxes[0])
    revealed = await reveal_box(page, tree)
    if revealed is not None:
        return start_url, "revealed_box", _describe(revealed)
    for link in h.find_search_links(tree)[:2]:      # a search page behind a link
        href = link.get("href") or ""
        if not href or href.startswith("javascript") or href == "#":
            continue
        url = await answer(page.evaluate("(h) => new URL(h, location.href).href", href))
        await goto(page, url, p.timeout_ms)
        await settle(page)
        tree = await marked_tree(page)
        boxes = h.find_search_boxes(tree)
        if boxes:
            return url, "search_page", _describe(boxes[0])
    return None


async def reveal_box(page, tree) -> h.SearchBox | None:
    """A search box that exists but is hidden until its icon is clicked: click the icon, re-read."""
    if not h.find_search_boxes(tree, include_hidden=True):
        return None
    for trigger in h.find_search_triggers(tree)[:3]:
        loc = live(page, trigger)
        try:
            if not await loc.is_visible():      # its click would wait 3 s and fail
                continue
            await loc.click(timeout=3000)
        except Exception:
            continue
        await settle(page)
        boxes = h.find_search_boxes(await marked_tree(page))
        if boxes:
            return boxes[0]
    return None


def _describe(box: h.SearchBox) -> dict:
    return {"name": box.input.get("name"), "placeholder": box.input.get("placeholder"),
            "action": box.form.get("action") if box.form is not None else None, "score": box.score}


class _Searcher:
    def __init__(self, p: ProbeContext, start_url: str, template: str | None, hints: dict):
        self.p, self.start_url, self.template, self.hints = p, start_url, template, hints
        self.chrome: set[str] = set()
        self.last_page = None

    async def query(self, text: str) -> dict | None:
        p = self.p
        await p.close_others()
        page = p.page
        if self.template:
            t0 = time.monotonic()
            await goto(page, self.template.replace("{q}", quote(text)), p.timeout_ms)
            target, t_done = page, await settle(page)
        else:
            if page.url != self.start_url:
                await goto(page, self.start_url, p.timeout_ms)
            box, submit = await self._box(page)
            if box is None:                     # a box built by script after the load event
                await settle(page)
                box, submit = await self._box(page)
            if box is None:
                return None
            await box.fill(text, timeout=5000)

            async def submit_query():
                await box.press("Enter")

            target, how, t0, t_done = await act_and_follow(p, page, submit_query)
            if how == "none" and submit is not None:
                async def click_submit():
                    await submit.click(timeout=5000)
                target, how, t0, t_done = await act_and_follow(p, page, click_submit)
        self.last_page = target
        # results fetched by script after the page settled ("正在检索…"): wait until results or a
        # no-results message show, up to RESULTS_WAIT_S
        deadline = time.monotonic() + RESULTS_WAIT_S
        while True:
            links = await _all_links(target)
            text_now = await _all_text(target)
            results = h.result_links(links, self.chrome)
            if results or h.is_no_results(text_now) or not self.chrome or time.monotonic() > deadline:
                break
            await asyncio.sleep(0.25)
            await settle(target)
            if await _all_text(target) != text_now:     # the results arrived: that is when they rendered
                t_done = time.monotonic()
        return {"latency_s": round(max(t_done - t0, 0.0), 3), "url": target.url, "links": links,
                "results": results, "no_results": h.is_no_results(text_now) and not results,
                "correction": h.correction_offered(text_now)}

    async def _box(self, page):
        if self.hints.get("search_selector"):
            box = page.locator(self.hints["search_selector"]).first
            sub = self.hints.get("search_submit_selector")
            return box, (page.locator(sub).first if sub else None)
        tree = await marked_tree(page)
        boxes = h.find_search_boxes(tree)
        best = boxes[0] if boxes else await reveal_box(page, tree)
        if best is None:
            return None, None
        return live(page, best.input), (live(page, best.submit) if best.submit is not None else None)


async def _all_links(page) -> list[dict]:
    out = []
    for frame in page.frames:
        try:
            out.extend(await answer(frame.evaluate(js("links"))))
        except ProbeError:
            raise
        except Exception:
            continue
    return out


async def _all_text(page) -> str:
    parts = []
    for frame in page.frames:
        try:
            parts.append(await answer(frame.evaluate("() => document.body ? document.body.innerText : ''")))
        except ProbeError:
            raise
        except Exception:
            continue
    return "\n".join(parts)
