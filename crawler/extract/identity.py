"""Identity marks a government site must show (展现标识): 网站标识码, ICP and
公安 record numbers, the 党政机关 badge, sponsor and contact items."""
from __future__ import annotations

import re

from crawler.extract.html import link_label, meta_map, squash, visible_text

# The 31 provinces' abbreviations as record numbers print them, with the alternative ones
# in use (滇 云南, 黔 贵州, 蜀 四川, 陇 甘肃, 秦 陕西): MIIT's ICP records use 滇黔蜀 …
PROVINCES = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼" + "滇黔蜀陇秦"
_GAP = r"[\s\u200b]*"          # what lies between the characters once spaces (&ensp; &nbsp; …) are squashed
SITE_CODE = re.compile(rf"网{_GAP}站{_GAP}标{_GAP}识{_GAP}码{_GAP}[:：]?{_GAP}"
                       rf"((?:bm|BM){_GAP}(?:\d{_GAP}){{7}}\d|(?:\d{_GAP}){{9}}\d)(?!\d)")
SITE_CODE_VALUE = re.compile(r"^(?:bm\d{8}|\d{10})$", re.I)
ICP = re.compile(rf"([{PROVINCES}])\s*ICP\s*备\s*[:：]?\s*(\d{{6,12}})\s*号(?:\s*[-－—–]\s*(\d+))?", re.I)
PSB = re.compile(rf"([{PROVINCES}])\s*公网安备\s*[:：]?\s*(\d{{14}})\s*号?")
PSB_LOOSE = re.compile(r"(?:公网安备|公安备案|公安机关备案)[号：:\s]*([\d\-]{8,20})")
SPONSOR = re.compile(r"主办单位|主\s*办(?:方|机关|部门)?\s*[:：]")
PHONE_LABEL = re.compile(r"联系电话|电话\s*[:：]|联系方式")
CONTACT_US = re.compile(r"联系我们")
SITEMAP = re.compile(r"网站地图|站点地图")
FULL_WIDTH = {c: c - 0xFEE0 for r in ((0xFF10, 0xFF19), (0xFF21, 0xFF3A), (0xFF41, 0xFF5A)) for c in range(r[0], r[1] + 1)}
ANY_FULL_WIDTH = re.compile("[\uff10-\uff19\uff21-\uff3a\uff41-\uff5a]")


# An inline script is kept whole (old pages wrap their code in <!-- … //-->); any other
# comment is dropped. Alternation order matters: a comment that holds a script is a comment.
# The "<" both start with stays outside the groups: the regex engine then jumps from one "<" to the next.
_SCRIPT_OR_COMMENT = re.compile(r"<(?:(script\b[^>]*>.*?</script\s*>)|!--(.*?)-->)", re.S | re.I)
_SCRIPTED_BADGE = re.compile(r"(?:dcs|bszs)\.conac\.cn/(?:js|sitename)[^'\"\s)]*")
_WRITE = re.compile(r"document\s*\.\s*write(?:ln)?\s*\(")
_JS_STRING = re.compile(r"""\s*\+?\s*(?:'((?:[^'\\\n]|\\.)*)'|"((?:[^"\\\n]|\\.)*)")""")
_JS_ESCAPE = re.compile(r"\\(?:u([0-9a-fA-F]{4})|x([0-9a-fA-F]{2})|(.))", re.S)
MAX_WRITTEN = 20_000


def split_comments(raw: str) -> tuple[str, str]:
    """The HTML source without its comments, and the comments' own text (kept apart:
    a mark a reader cannot see does not count, but the finding says it is there)."""
    if "<!--" not in raw:
        return raw, ""
    comments: list[str] = []

    def keep(m):
        if m[1]:
            return "<" + m[1]
        comments.append(m[2])
        return " "
    return _SCRIPT_OR_COMMENT.sub(keep, raw), "\n".join(comments)


def _unescape_js(s: str) -> str:
    def one(m):
        if m[1] or m[2]:
            return chr(int(m[1] or m[2], 16))
        return {"n": "\n", "t": " ", "r": ""}.get(m[3], m[3])
    return _JS_ESCAPE.sub(one, s)


def written_by_script(uncommented: str) -> str:
    """The HTML that inline scripts write in place with document.write('…' + "…") of
    string literals, as a browser shows it (a footer's marks are often written so)."""
    if "write" not in uncommented:
        return ""
    out: list[str] = []
    size = 0
    for m in _WRITE.finditer(uncommented):
        pos = m.end()
        while size < MAX_WRITTEN:
            lit = _JS_STRING.match(uncommented, pos)
            if not lit:
                break
            piece = _unescape_js(lit[1] if lit[1] is not None else lit[2])
            out.append(piece)
            size += len(piece)
            pos = lit.end()
    return "".join(out)


def _scripted_badge(uncommented: str) -> str | None:
    """The badge written by an inline script (document.write of the conac loader)."""
    if "conac" not in uncommented:
        return None
    m = _SCRIPTED_BADGE.search(uncommented)
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


def _codes(text: str) -> dict:
    """The record numbers in a reader's text (full-width letters and digits read as a person copies them)."""
    if ANY_FULL_WIDTH.search(text):       # translate() is ten times slower than the search
        text = text.translate(FULL_WIDTH)
    code = SITE_CODE.search(text)
    icp = ICP.search(text)
    psb = PSB.search(text)
    psb_loose = None if psb else PSB_LOOSE.search(text)
    return {
        "site_code": re.sub(r"[\s\u200b]", "", code[1]).lower() if code else None,
        "icp": f"{icp[1]}ICP备{icp[2]}号" + (f"-{icp[3]}" if icp[3] else "") if icp else None,
        "psb": f"{psb[1]}公网安备{psb[2]}号" if psb else None,
        "psb_other": psb_loose[0] if psb_loose else None,
    }


def _reader_text(tree, text: str) -> str:
    # Footers show marks as images: 网站标识码 or 公安备案 in an <img alt/title> is what a reader sees.
    alts = [squash(img.get("alt") or img.get("title") or "") for img in tree.iter("img")]
    return text + " " + " ".join(t for t in alts if t and ("备" in t or "标识码" in t))


def _fragment_text(html: str) -> tuple[object, str]:
    from crawler.extract.html import parse
    tree = parse(f"<html><body>{html}</body></html>")
    return tree, _reader_text(tree, visible_text(tree))


def identity_marks(tree, text: str | None = None, raw: str | None = None, labels: set[str] | None = None) -> dict:
    """What a reader finds in the page: codes as shown, plus the meta tag.
    `raw` (the HTML source) adds what inline scripts write with document.write (a badge,
    a footer: details.by_script names them) and the marks that exist only inside an HTML
    comment (details.commented_out: a reader does not see them, so they do not count).
    `labels`: the link_label of every <a> when the caller has them already."""
    if text is None:
        text = visible_text(tree)
    found = _codes(_reader_text(tree, text))
    uncommented, comments = split_comments(raw) if raw else ("", "")
    written = written_by_script(uncommented) if raw else ""
    written_tree = None
    by_script: list[str] = []
    if written:
        written_tree, written_text = _fragment_text(written)
        for key, value in _codes(written_text).items():
            if value and not found[key]:
                found[key] = value
                by_script.append(key)
    meta = meta_map(tree)
    meta_code = meta.get("siteidcode", "")
    shown = found["site_code"]
    if not meta_code:
        agreement = "missing"
    elif not SITE_CODE_VALUE.match(meta_code):
        agreement = "invalid"
    elif shown is None:
        agreement = "no_visible_code"
    else:
        agreement = "agrees" if meta_code.lower() == shown else "differs"
    links = labels if labels is not None else {link_label(a) for a in tree.iter("a")}
    badge = _badge(tree)
    if not badge["present"] and written_tree is not None:
        written_badge = _badge(written_tree)
        if written_badge["present"]:
            badge = {**written_badge, "scripted": True}
            by_script.append("badge")
    if not badge["present"] and not badge["institution_badge"] and raw:
        scripted = _scripted_badge(uncommented)
        if scripted:
            badge = {"present": True, "refs": [scripted], "institution_badge": False, "scripted": True}
    out = {
        "site_code": shown,
        "site_code_meta": meta_code or None,
        "site_code_meta_agreement": agreement,
        **{k: found[k] for k in ("icp", "psb", "psb_other")},
        "badge": badge,
        "sponsor": bool(SPONSOR.search(text)),
        "contact": bool(PHONE_LABEL.search(text) or any(CONTACT_US.search(t) for t in links)),
        "sitemap": any(SITEMAP.search(t) for t in links) or bool(SITEMAP.search(text)),
    }
    if by_script:
        out["by_script"] = by_script
    if not (has_any_mark(out) or out["sponsor"]):
        injected = footer_by_script(tree, text)
        if injected:
            out["footer_by_script"] = injected
    if comments:
        commented = _commented_out(comments, out)
        if commented:
            out["commented_out"] = commented
    return out


def _commented_out(comments: str, marks: dict) -> dict:
    """Marks written only inside HTML comments: what is there, for the finding to say why it does not count."""
    tree, text = _fragment_text(comments)
    written = written_by_script(comments)       # a commented-out script that would write a mark
    if written:
        text += " " + _fragment_text(written)[1]
    hidden = {k: v for k, v in _codes(text).items() if v and not marks.get(k) and k != "psb_other"}
    if not marks["badge"]["present"] and (_badge(tree)["present"] or _scripted_badge(comments)):
        hidden["badge"] = True
    return hidden


FOOTER_NAME = re.compile(r"foot|bottom|copyright|banquan|dibu", re.I)
FOOTER_WORDS = re.compile(r"版权所有|版权归|Copyright|©|主办|承办|技术支持|联系我们|网站地图|ICP", re.I)
FOOTER_TAIL = 500        # a footer is what a page ends with


def footer_by_script(tree, text: str) -> str | None:
    """The evidence that a script writes the page's footer (called for a page without any mark
    or sponsor): a script named for it (footer.js, bottom.js), an empty footer container
    (<footer>, div#footer …), or no footer words at the end of the page while it runs external scripts."""
    scripts = [(el.get("src") or "").strip() for el in tree.iter("script")]
    for src in scripts:
        if src and FOOTER_NAME.search(src.split("?")[0].rsplit("/", 1)[-1]):
            return src[:300]
    for el in tree.iter("footer", "div"):
        name = ((el.get("class") or "") + " " + (el.get("id") or "")).strip()
        if len(el) == 0 and not (el.text or "").strip() and (el.tag == "footer" or FOOTER_NAME.search(name)):
            return f"<{el.tag} {name}> (empty)".replace(" >", ">")
    external = [s for s in scripts if s]
    if external and not FOOTER_WORDS.search(text[-FOOTER_TAIL:]):
        return f"no footer in the static page ({len(external)} external scripts)"
    return None


def has_any_mark(marks: dict) -> bool:
    return bool(marks["site_code"] or marks["icp"] or marks["psb"] or marks["badge"]["present"])
