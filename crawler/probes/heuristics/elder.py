"""The elder-mode probe's heuristics: the entry that switches the mode on, the
tools it offers, the main text size, and the pop-ups and ads on the page
(text contrast: crawler/probes/contrast.py)."""
from __future__ import annotations

import re

from crawler.probes import keywords as kw
from crawler.probes.heuristics import dom


def find_elder_entries(root, include_hidden: bool = False) -> list:
    """Clickable elements offering an elder / care / accessibility mode, real elder versions first."""
    hits = []
    for el in root.iter(*"a button span div li img input em i font label p".split()):
        if not include_hidden and dom.is_hidden(el):
            continue
        text = dom.short_label(el)
        if len(text) > 12 or re.search(r"[，。；：]", text):      # a sentence, not a switch
            text = ""
            if el.tag not in ("a", "button", "img"):
                continue
        hint = dom.code_hint(el)
        if not text and not (el.tag in ("a", "button", "img") and kw.ELDER_LABEL.search(hint)):
            continue
        if kw.ELDER_NOT.search(text):
            continue
        if text and not kw.ELDER_LABEL.search(text):
            if not (el.tag in ("a", "button") and re.search(r"aged|elder|oldage|older|old_|slb|zhangzhe|guanhuai|shilaohua|wza|barrier", hint, re.I)):
                continue
        hits.append(el)
    hits = dom.innermost(hits)
    hits = dom.prefer_clickable(hits)
    return sorted(hits, key=lambda e: 0 if kw.ELDER_STRONG.search(dom.label(e) + " " + dom.code_hint(e)) else 1)


def elder_tools(labels: list[str]) -> list[str]:
    """Tool families offered among the labels of visible controls."""
    found = []
    for name, pattern in kw.ELDER_TOOLS.items():
        if any(len(l) <= 20 and pattern.search(l) for l in labels):
            found.append(name)
    return found


def main_font_px(samples: list[dict]) -> float | None:
    """Font size of the main body text: the size carrying the most characters among text
    blocks (each sample {"px", "chars"}); ties go to the smaller size."""
    weight: dict[float, int] = {}
    for s in samples:
        if s.get("chars", 0) > 0 and s.get("px"):
            px = round(float(s["px"]), 1)
            weight[px] = weight.get(px, 0) + int(s["chars"])
    if not weight:
        return None
    return max(weight, key=lambda px: (weight[px], -px))


# --- pop-ups and ads ------------------------------------------------------------------------

def ad_items(candidates: list[dict], viewport: tuple[int, int]) -> list[dict]:
    """Pop-ups, floating ads, ad iframes and download baits among visible candidates reported
    by overlays.js ({"kind": fixed|iframe|link, "label", "hint", "w", "h", "has_close", "tools"})."""
    vw, vh = viewport
    area = max(vw * vh, 1)
    out = []
    for c in candidates:
        text, hint = c.get("label") or "", c.get("hint") or ""
        if c["kind"] == "link":
            if kw.DOWNLOAD_BAIT.search(text) or re.search(r"\.(apk|exe|ipa)(\?|$)", hint, re.I):
                out.append({**c, "why": "download_bait"})
        elif c["kind"] == "iframe":
            if kw.AD_HOSTS.search(hint) or kw.AD_WORDS.search(hint):
                out.append({**c, "why": "ad_iframe"})
        elif c["kind"] == "fixed":
            share = c.get("w", 0) * c.get("h", 0) / area
            if c.get("tools"):                         # the elder toolbar itself
                continue
            if kw.AD_WORDS.search(hint) or re.search(r"广告|飘窗", text):
                out.append({**c, "why": "ad_marked"})
            elif share >= 0.25 and c.get("w", 0) < vw * 0.98:
                out.append({**c, "why": "overlay"})
            elif c.get("has_close") and share >= 0.01:
                out.append({**c, "why": "popup"})
    return out
