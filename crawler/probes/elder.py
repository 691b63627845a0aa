"""Elder-mode probe: find the elder / care / accessibility entry, switch it on
(a class toggle, a separate version or a toolbar), and measure the main text
size before and after, text contrast, the tools offered and pop-ups shown.

Hints: `elder_selector` (CSS of the entry to click), `elder_url` (the
separate elder version).
"""
from __future__ import annotations

from crawler.probes import contrast
from crawler.probes.heuristics import dom, elder as h
from crawler.probes import keywords as kw
from crawler.probes.pool import js
from crawler.probes.session import (ProbeContext, ProbeError, answer, click_and_follow, goto, live, marked_tree,
                                    open_entry, settle)

TEXT_SAMPLES = 1500


async def measure(page) -> dict:
    samples = await answer(page.evaluate(js("text_samples"), TEXT_SAMPLES))
    return {"font_px": h.main_font_px(samples), "contrast": contrast.text_contrast(samples)}


async def control_labels(page) -> list[str]:
    """Short labels of visible controls (text, title, alt, aria-label) in every frame."""
    labels = []
    for frame in page.frames:
        try:
            tree = await marked_tree(frame)
        except Exception:
            continue
        for el in tree.iter("a", "button", "span", "li", "img", "input", "i", "div", "label", "em"):
            if dom.is_hidden(el):
                continue
            text = dom.label(el)
            if text and len(text) <= 20:
                labels.append(text)
    return labels


async def ads(page) -> list[dict]:
    found = []
    for frame in page.frames:
        try:
            data = await answer(frame.evaluate(js("overlays")))
        except ProbeError:
            raise
        except Exception:
            continue
        for item in data["items"]:
            item["tools"] = len(h.elder_tools([l for l in item.get("label", "").split() if len(l) <= 20])) >= 2
        found.extend(h.ad_items(data["items"], tuple(data["viewport"])))
    return [{k: v for k, v in a.items() if k in ("why", "kind", "label", "hint", "w", "h")} for a in found]


async def run(p: ProbeContext) -> dict:
    hints = p.site.hints or {}
    await p.home()
    page = p.page
    before = await measure(page)
    labels_before = await control_labels(page)
    result: dict = {"entry": None, "switched": False, "before_px": before["font_px"],
                    "screenshot_before": await p.screenshot(page, "elder-before")}
    tree = await marked_tree(page)
    loc = entry_el = None
    if hints.get("elder_url"):
        target = page
        await goto(page, hints["elder_url"], p.timeout_ms)
        await settle(page)
        result["entry"] = {"how": "hint_url", "label": hints["elder_url"]}
    else:
        if hints.get("elder_selector"):
            loc, label = page.locator(hints["elder_selector"]).first, hints["elder_selector"]
            if not await loc.count():
                loc = None
        else:
            entries = h.find_elder_entries(tree)
            result["candidates"] = [dom.label(e)[:30] or dom.code_hint(e)[:60] for e in entries[:5]]
            loc = live(page, entries[0]) if entries else None
            entry_el = entries[0] if entries else None
            label = (dom.label(entries[0]) or dom.code_hint(entries[0]))[:60] if entries else ""
        if loc is None:
            result.update(_final(result, before, labels_before, [], await ads(page)))
            result["reason"] = "no_entry"
            result["screenshot"] = result["screenshot_before"]
            return result
        if entry_el is not None:
            target, how, _, _ = await open_entry(p, page, entry_el)
        else:
            target, how, _, _ = await click_and_follow(p, page, loc)
        result["entry"] = {"how": how, "label": label, "url": target.url}
    result["switched"] = True
    after = await measure(target)
    steps = []
    if not _bigger(after["font_px"], before["font_px"]):
        # a toolbar (无障碍) opened: use its enlarge control, as a person would
        for _ in range(2):
            zoom = await _zoom_control(target)
            if zoom is None:
                break
            try:
                await zoom.click(timeout=3000)
            except Exception:
                break
            await settle(target)
            steps.append("zoom_in")
            after = await measure(target)
            if after["font_px"] and after["font_px"] >= 18:
                break
    result["steps"] = steps
    labels_after = await control_labels(target)
    result.update(_final(result, after, labels_before, labels_after, await ads(target)))
    result["screenshot"] = await p.screenshot(target, "elder")
    return result


def _bigger(after, before) -> bool:
    return bool(after and before and after > before * 1.05)


def _final(result: dict, m: dict, labels_before: list[str], labels_after: list[str], ad_list: list[dict]) -> dict:
    before = result.get("before_px")
    after = m["font_px"]
    return {"after_px": after, "ratio": round(after / before, 3) if after and before else None,
            "contrast": m["contrast"], "tools": h.elder_tools(labels_before + labels_after), "ads": ad_list,
            "mode": "elder" if result.get("switched") else "homepage"}


async def _zoom_control(page):
    for frame in page.frames:
        try:
            tree = await marked_tree(frame)
        except Exception:
            continue
        for el in tree.iter("a", "button", "span", "li", "img", "i", "div", "input"):
            if dom.is_hidden(el):
                continue
            text = dom.label(el)
            if text and len(text) <= 8 and kw.ZOOM_IN.search(text) and not list(el.iter("a", "button")) [1:]:
                return live(frame, el)
    return None
