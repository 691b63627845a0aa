"""The search probe's heuristics: the site search box (or the link or icon that
leads to it), what a results page shows, and the known-item, typo and service
queries picked from the crawl's pages. The accessibility probe samples its
article pages with the same known-item pick."""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from urllib.parse import urldefrag, urlsplit

from crawler.extract.html import squash
from crawler.probes import keywords as kw
from crawler.probes.heuristics import dom


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
        if not include_hidden and dom.is_hidden(inp):
            continue
        form = next((a for a in inp.iterancestors("form")), None)
        own = dom.label(inp) + " " + dom.code_hint(inp)
        if kw.SEARCH_NOT.search(own) or (form is not None and kw.SEARCH_NOT.search(dom.label(form)[:200])):
            continue
        score = 0
        if kind == "search":
            score += 3
        if kw.SEARCH_LABEL.search(dom.label(inp)):
            score += 4
        if kw.SEARCH_LABEL.search(dom.code_hint(inp)):
            score += 2
        if kw.SEARCH_NAME.match(inp.get("name") or ""):
            score += 1
        container = form if form is not None else inp.getparent()
        submit = _search_submit(container) if container is not None else None
        if form is not None:
            if kw.SEARCH_ACTION.search(form.get("action") or "") or kw.SEARCH_LABEL.search(dom.code_hint(form)):
                score += 3
            texts = [i for i in form.iter("input", "textarea") if (i.get("type") or "text").lower() in ("text", "search", "")]
            if len(texts) > 2:          # a multi-field form (advanced search, message form) is less likely the box
                score -= 2
        if submit is not None and kw.SEARCH_LABEL.search(dom.label(submit) + " " + dom.code_hint(submit)):
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
        if kw.SEARCH_LABEL.search(dom.label(el) + " " + dom.code_hint(el)) and el.tag in ("a", "span", "i", "img", "div"):
            if not list(el.iter("input")):
                return el
    return None


def find_search_links(root, include_hidden: bool = False) -> list:
    """Links or buttons leading to a search page (when no box is on the homepage)."""
    hits = []
    for el in root.iter("a", "button"):
        if not include_hidden and dom.is_hidden(el):
            continue
        text = dom.label(el)
        if len(text) <= 12 and re.search(r"搜索|检索|站内搜|全文检索|search", text, re.I):
            hits.append(el)
    return hits


def find_search_triggers(root) -> list:
    """Visible controls that reveal a hidden search box (a magnifier icon, a 搜索 button outside any form)."""
    hits = []
    for el in root.iter("a", "button", "span", "i", "div", "img", "em", "li"):
        if dom.is_hidden(el) or list(el.iter("input")):
            continue
        text, hint = dom.label(el), " ".join(el.get(a) or "" for a in ("id", "class", "onclick"))
        if (text and len(text) <= 6 and re.search(r"搜索|检索|search", text, re.I)) or \
                (not text.strip() and re.search(r"search|sousuo|souso|ss-btn|icon-ss", hint, re.I)):
            hits.append(el)
    return dom.innermost(hits)


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
