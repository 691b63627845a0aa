"""The registration-privacy probe's heuristics: the registration and login
entries, and on their page the privacy / agreement links and consent controls."""
from __future__ import annotations

from crawler.probes import keywords as kw
from crawler.probes.heuristics import dom


def find_account_entries(root, include_hidden: bool = False) -> dict[str, list]:
    """Registration and login entries: {"register": [...], "login": [...]}."""
    found = {"register": [], "login": []}
    for el in root.iter("a", "button", "span", "div", "li", "em"):
        if not include_hidden and dom.is_hidden(el):
            continue
        text = dom.short_label(el)
        if not text or len(text) > 12 or kw.ACCOUNT_NOT.search(text) or kw.PRIVACY_LINK.search(text):
            continue
        if kw.ACCOUNT_REGISTER.search(text):
            found["register"].append(el)
        elif kw.ACCOUNT_LOGIN.search(text):
            found["login"].append(el)
    return {k: dom.prefer_clickable(dom.innermost(v)) for k, v in found.items()}


def privacy_notice(root) -> dict:
    """On a registration/login page: privacy/agreement links and consent controls (a checkbox
    whose label says 同意/已阅读…, or consent wording next to a privacy link)."""
    links, consents = [], []
    for a in root.iter("a"):
        if dom.is_hidden(a):
            continue
        text = dom.label(a)
        if text and len(text) <= 40 and kw.PRIVACY_LINK.search(text):
            links.append({"text": text, "href": a.get("href") or ""})
    for box in root.iter("input"):
        if (box.get("type") or "").lower() not in ("checkbox", "radio") or dom.is_hidden(box):
            continue
        context = _checkbox_label(root, box)
        if kw.CONSENT.search(context) or kw.PRIVACY_LINK.search(context):
            consents.append(context[:80])
    return {"links": links, "consents": consents, "present": bool(links or consents)}


def _checkbox_label(root, box) -> str:
    if box.get("id"):
        for lab in root.iter("label"):
            if lab.get("for") == box.get("id"):
                return dom.label(lab)
    parent = box.getparent()
    for _ in range(2):
        if parent is None:
            break
        text = dom.own_text(parent)
        if text:
            return text[:120]
        parent = parent.getparent()
    return (box.tail or "").strip()
