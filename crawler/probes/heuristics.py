"""Pure heuristics over HTML and plain data: no browser, no network.

The probes hand these functions the rendered DOM (`page.content()`), in which
`marks.js` has numbered candidate elements (`data-ga-i`) and flagged the
invisible ones (`data-ga-hidden`); tests hand them saved pages. A finder
returns elements best first; the probe maps an element back to the live page
through its `data-ga-i`.
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from urllib.parse import urldefrag, urlsplit

import lxml.html

from crawler.probes import keywords as kw

CLICKABLE = "a, button, input[type=button], input[type=submit], input[type=image], [onclick], [role=button], [role=link], span, div, li, img, em, i, font, label"


def parse(html: str):
    """An lxml tree of decoded HTML (never bytes: lxml would trust a gb2312 meta on a GBK body)."""
    if not html or not html.strip():
        html = "<html></html>"
    try:
        return lxml.html.document_fromstring(html)
    except (ValueError, lxml.etree.ParserError):
        return lxml.html.document_fromstring(re.sub(r"^<\?xml[^>]*>", "", html.strip()) or "<html></html>")


def squash(text: str | None) -> str:
    return re.sub(r"\s+", " ", text or "").strip()


def is_hidden(el) -> bool:
    node = el
    while node is not None:
        if node.get("data-ga-hidden") == "1" or node.get("hidden") is not None:
            return True
        if node.tag == "input" and (node.get("type") or "").lower() == "hidden":
            return True
        node = node.getparent()
    return False


def own_text(el) -> str:
    try:
        return squash(el.text_content())
    except ValueError:
        return ""


def label(el) -> str:
    """What a person reads on or about the element: text, title, alt, aria-label, placeholder, value."""
    parts = [own_text(el)]
    values = [el.get(a) for a in ("title", "aria-label", "placeholder", "value", "alt")]
    values += [img.get(a) for img in el.iter("img") for a in ("alt", "title")]
    for value in values:
        value = squash(value)
        if value and value not in parts[0] and value not in parts:
            parts.append(value)
    return squash(" ".join(parts))


def code_hint(el) -> str:
    """Developer-facing names: id, class, name, href/src/action paths."""
    return " ".join(el.get(a) or "" for a in ("id", "class", "name", "href", "src", "onclick"))


def element_index(el) -> int | None:
    value = el.get("data-ga-i")
    return int(value) if value and value.isdigit() else None


def _innermost(elements):
    """Drop elements that contain another candidate (keep the tightest match)."""
    chosen = set(elements)
    result = []
    for el in elements:
        if any(other is not el and other in chosen and _is_ancestor(el, other) for other in elements):
            continue
        result.append(el)
    return result


def _is_ancestor(parent, child) -> bool:
    node = child.getparent()
    while node is not None:
        if node is parent:
            return True
        node = node.getparent()
    return False


# --- search -----------------------------------------------------------------------------

@dataclass
class SearchBox:
    input: object               # the text input element
    form: object | None         # its form, when it has one
    score: int
    submit: object | None = None


def find_search_boxes(root, include_hidden: bool = False) -> list[SearchBox]:
    """Text inputs that look like a site search, best first."""
    boxes = []
    for inp in root.iter("input", "textarea"):
        kind = (inp.get("type") or "text").lower()
        if kind not in ("text", "search", ""):
            continue
        if not include_hidden and is_hidden(inp):
            continue
        form = next((a for a in inp.iterancestors("form")), None)
        own = label(inp) + " " + code_hint(inp)
        if kw.SEARCH_NOT.search(own) or (form is not None and kw.SEARCH_NOT.search(label(form)[:200])):
            continue
        score = 0
        if kind == "search":
            score += 3
        if kw.SEARCH_LABEL.search(label(inp)):
            score += 4
        if kw.SEARCH_LABEL.search(code_hint(inp)):
            score += 2
        if kw.SEARCH_NAME.match(inp.get("name") or ""):
            score += 1
        container = form if form is not None else inp.getparent()
        submit = _search_submit(container) if container is not None else None
        if form is not None:
            if kw.SEARCH_ACTION.search(form.get("action") or "") or kw.SEARCH_LABEL.search(code_hint(form)):
                score += 3
            texts = [i for i in form.iter("input", "textarea") if (i.get("type") or "text").lower() in ("text", "search", "")]
            if len(texts) > 2:          # a multi-field form (advanced search, message form) is less likely the box
                score -= 2
        if submit is not None and kw.SEARCH_LABEL.search(label(submit) + " " + code_hint(submit)):
            score += 2
        anc = container
        for _ in range(3):
            if anc is None:
                break
            if kw.SEARCH_LABEL.search(" ".join(anc.get(a) or "" for a in ("id", "class", "role", "des", "aria-label"))):
                score += 1
                break
            anc = anc.getparent()
        if score >= 3:
            boxes.append(SearchBox(inp, form, score, submit))
    boxes.sort(key=lambda b: -b.score)
    return boxes


def _search_submit(container):
    for el in container.iter("button", "input", "a", "span", "i", "img", "div"):
        if el.tag == "input" and (el.get("type") or "").lower() not in ("submit", "button", "image"):
            continue
        if el.tag in ("button",) or (el.tag == "input"):
            return el
        if kw.SEARCH_LABEL.search(label(el) + " " + code_hint(el)) and el.tag in ("a", "span", "i", "img", "div"):
            if not list(el.iter("input")):
                return el
    return None


def find_search_links(root, include_hidden: bool = False) -> list:
    """Links or buttons leading to a search page (when no box is on the homepage)."""
    hits = []
    for el in root.iter("a", "button"):
        if not include_hidden and is_hidden(el):
            continue
        text = label(el)
        if len(text) <= 12 and re.search(r"搜索|检索|站内搜|全文检索|search", text, re.I):
            hits.append(el)
    return hits


def find_search_triggers(root) -> list:
    """Visible controls that reveal a hidden search box (a magnifier icon, a 搜索 button outside any form)."""
    hits = []
    for el in root.iter("a", "button", "span", "i", "div", "img", "em", "li"):
        if is_hidden(el) or list(el.iter("input")):
            continue
        text, hint = label(el), " ".join(el.get(a) or "" for a in ("id", "class", "onclick"))
        if (text and len(text) <= 6 and re.search(r"搜索|检索|search", text, re.I)) or \
                (not text.strip() and re.search(r"search|sousuo|souso|ss-btn|icon-ss", hint, re.I)):
            hits.append(el)
    return _innermost(hits)


def is_no_results(text: str) -> bool:
    return bool(kw.NO_RESULTS.search(text or ""))


def correction_offered(text: str) -> bool:
    return bool(kw.CORRECTION.search(text or ""))


def normalize_url(url: str) -> str:
    url, _ = urldefrag(url or "")
    parts = urlsplit(url)
    path = re.sub(r"/(index|default)\.(s?html?|jsp|php|aspx?)$", "/", parts.path) or "/"
    host = (parts.hostname or "").lower()
    port = f":{parts.port}" if parts.port and parts.port not in (80, 443) else ""
    query = f"?{parts.query}" if parts.query else ""
    return f"{host}{port}{path}{query}"


def result_links(page_links: list[dict], chrome_links: set[str], limit: int = 10) -> list[dict]:
    """The first `limit` result links of a results page: links in document order that are not
    site chrome (navigation and footer links also present on the homepage), not paging or
    sorting links, not javascript. Each link is {"href", "text"}."""
    out, seen = [], set()
    for link in page_links:
        href, text = link.get("href") or "", squash(link.get("text"))
        if not href or href.startswith(("javascript:", "mailto:", "tel:")) or href.endswith("#"):
            continue
        norm = normalize_url(href)
        if norm in chrome_links or norm in seen:
            continue
        if len(text) < 4 or re.fullmatch(r"[\d\s上下首尾末页一二三四五六七八九十>»<«.…]+|上一页|下一页|首页|尾页|更多.*|.*排序.*|按.{1,4}排序", text):
            continue
        seen.add(norm)
        out.append({"href": href, "text": text})
        if len(out) >= limit:
            break
    return out


def title_matches(result_text: str, title: str) -> bool:
    """A result anchor names the target page: equal, or a truncated prefix of ≥ 10 characters."""
    a, b = _plain(result_text), _plain(title)
    if not a or not b:
        return False
    if a == b:
        return True
    a = a.rstrip(".…")
    return len(a) >= 10 and b.startswith(a)


def _plain(text: str) -> str:
    return re.sub(r"[\s\u3000]+", "", text or "")


SITE_LIKE = re.compile(r"(人民政府|政府网|门户网站|网站|平台|热线|网|首页|官网)$")
TITLE_SEP = re.compile(r"\s*[_|｜—–\-]+\s*")


def clean_title(title: str, site_name: str = "") -> str:
    """A page title without the site-name suffix/prefix CMSs add (标题_某某市人民政府,
    某某网 - 标题, 标题-某某县人民政府网); hyphens inside the title itself are kept."""
    t = squash(title)

    def site_like(part: str) -> bool:
        part = part.strip()
        return bool(part) and ((site_name and (part in site_name or site_name in part)) or bool(SITE_LIKE.search(part)))

    for _ in range(3):
        parts = TITLE_SEP.split(t)
        if len(parts) < 2:
            break
        seps = TITLE_SEP.findall(t)
        if site_like(parts[-1]):
            t = t[: len(t) - len(parts[-1]) - len(seps[-1])]
        elif site_like(parts[0]):
            t = t[len(parts[0]) + len(seps[0]):]
        else:
            break
    # 标题_栏目: a short column name left behind the title
    m = re.fullmatch(r"(.{4,}?)\s*[_|｜]\s*([^_|｜]{2,6})", t)
    if m:
        t = m.group(1)
    return t.strip()


def pick_known_items(pages: list[dict], site_name: str = "", limit: int = 6) -> list[dict]:
    """Known-item queries from crawled pages: {"url", "title"} with article-like titles
    (8–40 characters, not a column name, distinct), spread over the site. A title shared by
    several pages (the site name used as every <title>) is replaced by the page's anchor text."""
    cleaned = [(page, clean_title(page.get("title") or "", site_name)) for page in pages if not page.get("is_homepage")]
    shared = Counter(_plain(t) for _, t in cleaned)
    seen, items = set(), []
    for page, title in cleaned:
        plain = _plain(title)
        if shared[plain] > 2 or not _article_like(plain, site_name):
            title = clean_title(page.get("anchor") or "", site_name).rstrip(".…")
            plain = _plain(title)
            if not _article_like(plain, site_name):
                continue
        if plain in seen:
            continue
        seen.add(plain)
        items.append({"url": page.get("final_url") or page["url"], "title": title, "depth": page.get("depth", 0)})
    items.sort(key=lambda i: (-i["depth"], i["url"]))
    if len(items) <= limit:
        return items
    step = len(items) / limit
    return [items[int(i * step)] for i in range(limit)]


def _article_like(plain: str, site_name: str) -> bool:
    return (8 <= len(plain) <= 40 and bool(re.search(r"[\u4e00-\u9fff]", plain))
            and not (site_name and plain == _plain(site_name)))


def typo_variant(title: str) -> tuple[str, str, str] | None:
    """The title with one character replaced by a homophone or near form (not the first
    character, so the query still starts like the title): (variant, original char, new char)."""
    for i, ch in enumerate(title):
        if i == 0:
            continue
        new = kw.TYPO_MAP.get(ch)
        if new and len(new) == 1:
            return title[:i] + new + title[i + 1:], ch, new
    return None


def service_items(links: list[dict]) -> list[dict]:
    """Result links that are service items: an action wording (在线办理, 办事指南…) or a service-platform URL."""
    out = []
    for link in links:
        text, href = link.get("text") or "", link.get("href") or ""
        if kw.SERVICE_ACTION.search(text) or kw.SERVICE_URL.search(href) or kw.SERVICE_ACTION.search(link.get("context") or ""):
            out.append(link)
    return out


# --- entries (elder mode, Q&A, account) --------------------------------------------------

def _short_label(el) -> str:
    text = label(el)
    return text if len(text) <= 30 else ""


def find_elder_entries(root, include_hidden: bool = False) -> list:
    """Clickable elements offering an elder / care / accessibility mode, real elder versions first."""
    hits = []
    for el in root.iter(*"a button span div li img input em i font label p".split()):
        if not include_hidden and is_hidden(el):
            continue
        text = _short_label(el)
        if len(text) > 12 or re.search(r"[，。；：]", text):      # a sentence, not a switch
            text = ""
            if el.tag not in ("a", "button", "img"):
                continue
        hint = code_hint(el)
        if not text and not (el.tag in ("a", "button", "img") and kw.ELDER_LABEL.search(hint)):
            continue
        if kw.ELDER_NOT.search(text):
            continue
        if text and not kw.ELDER_LABEL.search(text):
            if not (el.tag in ("a", "button") and re.search(r"aged|elder|oldage|older|old_|slb|zhangzhe|guanhuai|shilaohua|wza|barrier", hint, re.I)):
                continue
        hits.append(el)
    hits = _innermost(hits)
    hits = _prefer_clickable(hits)
    return sorted(hits, key=lambda e: 0 if kw.ELDER_STRONG.search(label(e) + " " + code_hint(e)) else 1)


def _prefer_clickable(elements) -> list:
    """Replace a matched text node (span/font) by its clickable ancestor (a/button) when it has one."""
    out = []
    for el in elements:
        node = el
        for anc in el.iterancestors():
            if anc.tag in ("a", "button") or anc.get("onclick") or anc.get("role") in ("button", "link"):
                node = anc
                break
            if anc.tag in ("body", "ul", "nav", "header", "footer"):
                break
        if node not in out:
            out.append(node)
    return out


def find_qa_entries(root, include_hidden: bool = False) -> list:
    """Clickable elements or frames that open an intelligent Q&A (智能问答 / 智能客服)."""
    hits = []
    for el in root.iter(*"a button span div li img input iframe em i p".split()):
        if not include_hidden and is_hidden(el):
            continue
        text = _short_label(el)
        if el.tag == "iframe":
            if kw.QA_LABEL.search(code_hint(el) + " " + (el.get("title") or "")):
                hits.append(el)
            continue
        if text and kw.QA_LABEL.search(text) and not kw.QA_NOT.search(text):
            hits.append(el)
        elif not text and el.tag in ("a", "img", "button") and kw.QA_LABEL.search(code_hint(el)):
            hits.append(el)
    return _prefer_clickable(_innermost(hits))


def find_account_entries(root, include_hidden: bool = False) -> dict[str, list]:
    """Registration and login entries: {"register": [...], "login": [...]}."""
    found = {"register": [], "login": []}
    for el in root.iter("a", "button", "span", "div", "li", "em"):
        if not include_hidden and is_hidden(el):
            continue
        text = _short_label(el)
        if not text or len(text) > 12 or kw.ACCOUNT_NOT.search(text) or kw.PRIVACY_LINK.search(text):
            continue
        if kw.ACCOUNT_REGISTER.search(text):
            found["register"].append(el)
        elif kw.ACCOUNT_LOGIN.search(text):
            found["login"].append(el)
    return {k: _prefer_clickable(_innermost(v)) for k, v in found.items()}


def privacy_notice(root) -> dict:
    """On a registration/login page: privacy/agreement links and consent controls (a checkbox
    whose label says 同意/已阅读…, or consent wording next to a privacy link)."""
    links, consents = [], []
    for a in root.iter("a"):
        if is_hidden(a):
            continue
        text = label(a)
        if text and len(text) <= 40 and kw.PRIVACY_LINK.search(text):
            links.append({"text": text, "href": a.get("href") or ""})
    for box in root.iter("input"):
        if (box.get("type") or "").lower() not in ("checkbox", "radio") or is_hidden(box):
            continue
        context = _checkbox_label(root, box)
        if kw.CONSENT.search(context) or kw.PRIVACY_LINK.search(context):
            consents.append(context[:80])
    return {"links": links, "consents": consents, "present": bool(links or consents)}


def _checkbox_label(root, box) -> str:
    if box.get("id"):
        for lab in root.iter("label"):
            if lab.get("for") == box.get("id"):
                return label(lab)
    parent = box.getparent()
    for _ in range(2):
        if parent is None:
            break
        text = own_text(parent)
        if text:
            return text[:120]
        parent = parent.getparent()
    return (box.tail or "").strip()


# --- Q&A answers ---------------------------------------------------------------------------

def is_fallback_answer(text: str) -> bool:
    return bool(kw.QA_FALLBACK.search(text or ""))


def new_text(before: str, after: str, question: str) -> str:
    """Text that appeared in a chat after a question was sent, minus the echoed question and
    lines that were there before (counted, so a repeated fallback answer still shows as new)."""
    old = Counter(squash(l) for l in (before or "").splitlines() if squash(l))
    q = squash(question)
    lines = []
    for line in (after or "").splitlines():
        line = squash(line)
        if not line:
            continue
        if old[line] > 0:
            old[line] -= 1
            continue
        if q and (line == q or line.endswith(q) or q in line and len(line) <= len(q) + 12):
            continue
        if re.fullmatch(r"[\d:：\-/\s]+|发送|提交", line):      # timestamps, buttons
            continue
        lines.append(line)
    return " ".join(lines)


# --- elder mode measurements --------------------------------------------------------------

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


_RGB = re.compile(r"rgba?\(\s*([\d.]+)[,\s]+([\d.]+)[,\s]+([\d.]+)(?:\s*[,/]\s*([\d.]+%?))?\s*\)")


def parse_color(value: str) -> tuple[float, float, float, float] | None:
    """Computed-style colour rgb()/rgba() → (r, g, b, alpha)."""
    m = _RGB.match((value or "").strip())
    if not m:
        return None
    alpha = m.group(4)
    a = 1.0 if alpha is None else (float(alpha[:-1]) / 100 if alpha.endswith("%") else float(alpha))
    return float(m.group(1)), float(m.group(2)), float(m.group(3)), a


def blend(top, bottom):
    """`top` (r, g, b, a) composited over an opaque `bottom` (r, g, b)."""
    r, g, b, a = top
    return tuple(a * c + (1 - a) * d for c, d in zip((r, g, b), bottom[:3]))


def luminance(rgb) -> float:
    def chan(c):
        c = c / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4
    r, g, b = (chan(c) for c in rgb[:3])
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(fg, bg) -> float:
    l1, l2 = sorted((luminance(fg), luminance(bg)), reverse=True)
    return (l1 + 0.05) / (l2 + 0.05)


def is_large_text(px: float, weight: int) -> bool:
    """WCAG large text: ≥ 18 pt (24 px), or ≥ 14 pt (18.66 px) bold."""
    return px >= 24 or (px >= 18.66 and weight >= 700)


def text_contrast(samples: list[dict]) -> dict:
    """Share of text samples meeting WCAG AA. Each sample: {"color", "bgs": [colours from the element
    up to the root], "px", "weight", "text"}; samples over background images are skipped."""
    passed = total = 0
    worst = []
    for s in samples:
        if s.get("bg_image"):
            continue
        fg = parse_color(s.get("color", ""))
        if fg is None or fg[3] == 0:
            continue
        bg = (255.0, 255.0, 255.0)
        for layer in reversed(s.get("bgs") or []):
            c = parse_color(layer)
            if c and c[3] > 0:
                bg = blend(c, bg)
        ratio = contrast_ratio(blend(fg, bg), bg)
        need = 3.0 if is_large_text(float(s.get("px") or 0), int(s.get("weight") or 400)) else 4.5
        total += 1
        if ratio + 1e-9 >= need:
            passed += 1
        else:
            worst.append({"text": (s.get("text") or "")[:40], "ratio": round(ratio, 2), "need": need,
                          "color": s.get("color"), "background": "rgb(%d, %d, %d)" % tuple(round(c) for c in bg)})
    worst.sort(key=lambda w: w["ratio"])
    return {"total": total, "passed": passed, "share": round(passed / total, 4) if total else None, "failing": worst[:10]}


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
