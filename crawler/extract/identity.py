"""Identity marks a government site must show (展现标识): 网站标识码, ICP and
公安 record numbers, the 党政机关 badge, sponsor and contact items."""
from __future__ import annotations

import re

from crawler.extract.html import link_label, meta_map, squash, visible_text

PROVINCES = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼"
SITE_CODE = re.compile(r"网站标识码\s*[:：]?\s*((?:bm|BM)\d{8}|\d{10})(?![\d])")
SITE_CODE_VALUE = re.compile(r"^(?:bm\d{8}|\d{10})$", re.I)
ICP = re.compile(rf"([{PROVINCES}])\s*ICP\s*备\s*(\d{{6,12}})\s*号(?:\s*-\s*(\d+))?")
PSB = re.compile(rf"([{PROVINCES}])\s*公网安备\s*(\d{{14}})\s*号?")
PSB_LOOSE = re.compile(r"(?:公网安备|公安备案|公安机关备案)[号：:\s]*([\d\-]{8,20})")
SPONSOR = re.compile(r"主办单位|主\s*办(?:方|机关|部门)?\s*[:：]")
PHONE_LABEL = re.compile(r"联系电话|电话\s*[:：]|联系方式")
CONTACT_US = re.compile(r"联系我们")
SITEMAP = re.compile(r"网站地图|站点地图")
FULL_WIDTH = {c: c - 0xFEE0 for r in ((0xFF10, 0xFF19), (0xFF21, 0xFF3A), (0xFF41, 0xFF5A)) for c in range(r[0], r[1] + 1)}


_COMMENT = re.compile(r"<!--.*?-->", re.S)
_SCRIPTED_BADGE = re.compile(r"(?:dcs|bszs)\.conac\.cn/(?:js|sitename)[^'\"\s)]*")


def _scripted_badge(raw: str) -> str | None:
    """The badge written by an inline script (document.write of the conac loader)."""
    if "conac" not in raw:
        return None
    m = _SCRIPTED_BADGE.search(_COMMENT.sub("", raw))
    return m[0] if m else None


def _badge(tree) -> dict:
    """The conac.cn badge: a link or image to the verification service, the
    conac script, or an image labelled 党政机关. A 事业单位 (blue) badge is not it."""
    found, institution = [], False
    for el in tree.iter("a", "img", "script", "iframe"):
        ref = (el.get("href") or el.get("src") or "").lower()
        alt = el.get("alt") or el.get("title") or ""
        if "conac" in ref or "党政机关" in alt or (el.get("id") or "").lower() == "imgconac":
            if el.tag == "img" and ("blue" in ref or "事业单位" in alt):
                institution = True
                continue
            found.append(el.get("href") or el.get("src") or alt)
    if found and institution and not any("red" in f.lower() or "党政" in f for f in found):
        return {"present": False, "refs": found[:3], "institution_badge": True}
    return {"present": bool(found), "refs": found[:3], "institution_badge": institution}


def identity_marks(tree, text: str | None = None, raw: str | None = None) -> dict:
    """What a reader finds in the page: codes as shown, plus the meta tag.
    `raw` (the HTML source) lets a badge written by an inline script count."""
    if text is None:
        text = visible_text(tree)
    # Footers show marks as images: 网站标识码 or 公安备案 in an <img alt/title> is what a reader sees.
    alts = [squash(img.get("alt") or img.get("title") or "") for img in tree.iter("img")]
    text = text + " " + " ".join(t for t in alts if t and ("备" in t or "标识码" in t))
    # Full-width letters and digits (ＩＣＰ, ３３０１…) are read as a person copies them.
    text = text.translate(FULL_WIDTH)
    meta = meta_map(tree)
    code = SITE_CODE.search(text)
    icp = ICP.search(text)
    psb = PSB.search(text)
    psb_loose = None if psb else PSB_LOOSE.search(text)
    meta_code = meta.get("siteidcode", "")
    shown = code[1].lower() if code else None
    if not meta_code:
        agreement = "missing"
    elif not SITE_CODE_VALUE.match(meta_code):
        agreement = "invalid"
    elif shown is None:
        agreement = "no_visible_code"
    else:
        agreement = "agrees" if meta_code.lower() == shown else "differs"
    links = {link_label(a) for a in tree.iter("a")}
    badge = _badge(tree)
    if not badge["present"] and not badge["institution_badge"] and raw:
        scripted = _scripted_badge(raw)
        if scripted:
            badge = {"present": True, "refs": [scripted], "institution_badge": False, "scripted": True}
    return {
        "site_code": shown,
        "site_code_meta": meta_code or None,
        "site_code_meta_agreement": agreement,
        "icp": f"{icp[1]}ICP备{icp[2]}号" + (f"-{icp[3]}" if icp[3] else "") if icp else None,
        "psb": f"{psb[1]}公网安备{psb[2]}号" if psb else None,
        "psb_other": psb_loose[0] if psb_loose else None,
        "badge": badge,
        "sponsor": bool(SPONSOR.search(text)),
        "contact": bool(PHONE_LABEL.search(text) or any(CONTACT_US.search(t) for t in links)),
        "sitemap": any(SITEMAP.search(t) for t in links) or bool(SITEMAP.search(text)),
    }


def has_any_mark(marks: dict) -> bool:
    return bool(marks["site_code"] or marks["icp"] or marks["psb"] or marks["badge"]["present"])
