"""Q&A probe: open the intelligent Q&A (智能问答 / 智能客服: a button, a floating
panel, an iframe or a separate page), ask common questions, record each answer,
its latency and whether it is a fallback.

Hints: `qa_url` (the Q&A page), `qa_selector` (CSS of the entry to click),
`qa_input_selector` (CSS of the question input, in any frame).
"""
from __future__ import annotations

import asyncio
import re
import time

from crawler.probes.heuristics import dom, qa as h
from crawler.probes import keywords as kw
from crawler.probes.session import (ProbeContext, ProbeError, answer, body_text, click_and_follow, goto, live,
                                    marked_tree, open_entry, settle)

ANSWER_WAIT_S = 10.0
TYPING = re.compile(r"正在输入|思考中|请稍[候等]|加载中|typing|loading", re.I)


async def run(p: ProbeContext) -> dict:
    hints = p.site.hints or {}
    result: dict = {"present": False, "entry": None, "questions": [], "screenshot": None}
    await p.home()
    page = p.page
    before_inputs = await _input_keys(page)
    if hints.get("qa_url"):
        await goto(page, hints["qa_url"], p.timeout_ms)
        await settle(page)
        result["entry"] = {"how": "hint_url", "url": hints["qa_url"]}
        target, before_inputs = page, set()
    else:
        tree = await marked_tree(page)
        entry_el = None
        if hints.get("qa_selector"):
            loc, label = page.locator(hints["qa_selector"]).first, hints["qa_selector"]
            if not await loc.count():
                loc = None
        else:
            entries = h.find_qa_entries(tree)
            entry_el = entries[0] if entries else None
            loc = live(page, entries[0]) if entries else None
            label = dom.label(entries[0])[:60] if entries else ""
            if entries and entries[0].tag == "iframe":          # an embedded chat: no click needed
                result["entry"] = {"how": "iframe", "label": label}
                found = await _find_chat(p, page, set())
                return await _ask_all(p, result, found)
        if loc is None:
            result["reason"] = "no_entry"
            return result
        if entry_el is not None:
            target, how, _, _ = await open_entry(p, page, entry_el)
        else:
            target, how, _, _ = await click_and_follow(p, page, loc)
        result["entry"] = {"how": how, "label": label, "url": target.url}
        if how != "inplace" and how != "none":
            before_inputs = set()
    found = await _find_chat(p, target, before_inputs)
    return await _ask_all(p, result, found)


async def _ask_all(p: ProbeContext, result: dict, found) -> dict:
    if found is None:
        result["reason"] = "no_input"
        return result
    frame, box, send = found
    state = {"click": False}            # learnt on the first question: Enter does nothing, the button sends
    for question in kw.QA_QUESTIONS:
        entry = await _ask(frame, box, send, question, state)
        result["questions"].append(entry)
        if entry.get("accepted"):
            result["present"] = True
    shot_page = frame.page if hasattr(frame, "page") else frame
    result["screenshot"] = await p.screenshot(shot_page, "qa")
    return result


async def _input_keys(page) -> set:
    """Identify the text inputs already on the page (so the chat's new input can be told apart)."""
    try:
        return set(await answer(page.evaluate(
            "() => Array.from(document.querySelectorAll('input,textarea')).filter(e => e.getClientRects().length > 0).map(e => e.tagName + '|' + (e.name||'') + '|' + (e.id||'') + '|' + (e.placeholder||''))")))
    except ProbeError:
        raise
    except Exception:
        return set()


async def _find_chat(p: ProbeContext, page, before_inputs: set):
    """(frame, input locator, send locator or None) of the chat, searching every frame."""
    hints = p.site.hints or {}
    for _ in range(3):                  # chat panels often build themselves after a moment
        frames = list(page.frames)
        if hints.get("qa_input_selector"):
            for frame in frames:
                loc = frame.locator(hints["qa_input_selector"]).first
                if await loc.count():
                    return frame, loc, None
        best = None
        for frame in frames:
            try:
                tree = await marked_tree(frame)
            except Exception:
                continue
            for inp in list(tree.iter("textarea")) + list(tree.iter("input")):
                if inp.tag == "input" and (inp.get("type") or "text").lower() not in ("text", "search", ""):
                    continue
                if dom.is_hidden(inp):
                    continue
                key = f"{inp.tag.upper()}|{inp.get('name') or ''}|{inp.get('id') or ''}|{inp.get('placeholder') or ''}"
                if frame is page.main_frame and key in before_inputs:
                    continue
                text = dom.label(inp) + " " + dom.code_hint(inp)
                if kw.SEARCH_NOT.search(text):
                    continue
                score = (3 if kw.QA_INPUT.search(text) else 0) + (2 if inp.tag == "textarea" else 0) + (1 if frame is not page.main_frame else 0)
                if kw.SEARCH_LABEL.search(text) and not kw.QA_INPUT.search(text):
                    score -= 3
                if best is None or score > best[0]:
                    best = (score, frame, inp, tree)
        if best is not None and best[0] >= 0:
            _, frame, inp, tree = best
            send = None
            for el in tree.iter("button", "a", "span", "div", "input", "i"):
                if dom.is_hidden(el):
                    continue
                if el.tag == "input" and (el.get("type") or "").lower() not in ("button", "submit"):
                    continue
                if kw.QA_SEND.match(dom.label(el)) or ("send" in (el.get("class") or "").lower() and not list(el.iter("input", "textarea"))):
                    send = live(frame, el)
                    break
            return frame, live(frame, inp), send
        await asyncio.sleep(0.7)
    return None


async def _ask(frame, box, send, question: str, state: dict) -> dict:
    entry = {"question": question, "accepted": False, "answer": "", "latency_s": None, "fallback": False, "ok": False}
    before = await body_text(frame)
    try:
        await box.fill(question, timeout=5000)
        if state["click"] and send is not None:
            await send.click(timeout=3000)
        else:
            await box.press("Enter")
    except Exception as exc:
        entry["error"] = str(exc).splitlines()[0][:200]
        return entry
    t0 = time.monotonic()
    sent_by_click = state["click"]
    answer, stable_since, first_seen = "", None, None
    while time.monotonic() - t0 < ANSWER_WAIT_S:
        await asyncio.sleep(0.2)
        now = await body_text(frame)
        if not sent_by_click and send is not None and time.monotonic() - t0 > 0.8 and now == before:
            try:                          # Enter did nothing: use the send button
                await send.click(timeout=3000)
            except Exception:
                pass
            sent_by_click = state["click"] = True
            t0 = time.monotonic()
            continue
        if now != before:
            entry["accepted"] = True
        fresh = h.new_text(before, now, question)
        if fresh and not _typing(fresh):
            if fresh != answer:
                answer, stable_since = fresh, time.monotonic()
                first_seen = first_seen or stable_since
            elif time.monotonic() - stable_since >= 0.6:
                break
    if answer:
        entry["answer"] = answer[:500]
        entry["latency_s"] = round(first_seen - t0, 3)
        entry["fallback"] = h.is_fallback_answer(answer)
        entry["ok"] = not entry["fallback"] and entry["latency_s"] <= ANSWER_WAIT_S
    return entry


def _typing(text: str) -> bool:
    """A 'bot is typing' placeholder, not yet the answer."""
    return bool(TYPING.search(text)) and len(text) < 30
