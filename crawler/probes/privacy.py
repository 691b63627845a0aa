"""Registration-privacy probe: open the registration (or else login / 用户中心)
page as a person would and record whether a privacy policy / user agreement is
linked or a consent control is shown there.

Hints: `register_url`, `login_url`.
"""
from __future__ import annotations

from crawler.probes.heuristics import privacy as h
from crawler.probes.session import ProbeContext, goto, marked_tree, open_entry, settle


async def _notice(page, exclude: set) -> dict:
    links, consents = [], []
    for frame in page.frames:
        try:
            tree = await marked_tree(frame)
        except Exception:
            continue
        found = h.privacy_notice(tree)
        links += [l for l in found["links"] if (l["text"], l["href"]) not in exclude]
        consents += found["consents"]
    return {"links": links[:10], "consents": consents[:10], "present": bool(links or consents)}


async def run(p: ProbeContext) -> dict:
    hints = p.site.hints or {}
    await p.home()
    page = p.page
    tree = await marked_tree(page)
    home_links = {(l["text"], l["href"]) for l in h.privacy_notice(tree)["links"]}
    result: dict = {"visited": [], "present": None}
    targets = []
    for key in ("register_url", "login_url"):
        if hints.get(key):
            targets.append(("hint", key.split("_")[0], hints[key]))
    if not targets:
        entries = h.find_account_entries(tree)
        for kind in ("register", "login"):
            for el in entries[kind][:1]:
                targets.append(("click", kind, el))
    if not targets:
        result["reason"] = "no_registration"
        return result
    for how, kind, what in targets:
        await p.home()
        if how == "hint":
            await goto(page, what, p.timeout_ms)
            await settle(page)
            target, moved = page, "hint_url"
        else:
            tree = await marked_tree(page)
            fresh = h.find_account_entries(tree)[kind]
            if not fresh:
                continue
            target, moved, _, _ = await open_entry(p, page, fresh[0])
        # the same page after an in-place click (a modal) still shows the homepage footer links
        notice = await _notice(target, home_links if moved in ("inplace", "none") else set())
        if kind == "login" and not notice["present"]:
            # a login page usually leads on to registration: follow it once
            sub = h.find_account_entries(await marked_tree(target))["register"]
            if sub:
                target, moved, _, _ = await open_entry(p, target, sub[0])
                notice = await _notice(target, set())
                kind = "register"
        visit = {"kind": kind, "how": moved, "url": target.url, **notice}
        visit["screenshot"] = await p.screenshot(target, f"privacy-{len(result['visited']) + 1}")
        result["visited"].append(visit)
        if kind == "register":
            break               # the registration page is the one that must inform
    if not result["visited"]:
        result["reason"] = "no_registration"
        return result
    judged = next((v for v in result["visited"] if v["kind"] == "register"), result["visited"][0])
    result["judged"] = judged["url"]
    result["present"] = judged["present"]
    result["screenshot"] = judged["screenshot"]
    return result
