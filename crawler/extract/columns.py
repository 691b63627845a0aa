"""Columns (栏目): list pages reached from the homepage or its navigation,
typed by name, with entries merged across the pagination that was crawled."""
from __future__ import annotations

import re
from typing import Any, Iterable

from checks.artifacts import ColumnArt
from crawler.extract.lists import MORE_TEXT, NEXT_TEXT, PAGE_NO, is_more_link
from crawler.extract.html import Anchor, squash, txt

# Order matters: the first family that matches names the type.
TYPES = (
    ("other", re.compile(r"征集|调查|访谈|信箱|留言|直播")),     # interaction columns, whatever else they say
    # 数据解读 / 统计解读 explain statistics releases, not policies
    ("interpretation", re.compile(r"(?<!数据)(?<!统计)解读|回应关切|答记者问")),
    ("personnel", re.compile(r"人事|任免|任职|招录|招聘|干部任前|选调")),
    ("planning", re.compile(r"规划|计划|总结")),
    ("policy", re.compile(r"政策|文件|法规|规章|政府令|通报|决定|意见")),
    ("notice", re.compile(r"通知|公告|公示|通告|告示")),
    ("dynamic", re.compile(r"动态|要闻|新闻|资讯|快讯|头条|热点|播报|信息$|简讯|工作信息|图片")),
)
MAX_NAME = 15
_DATEISH = re.compile(r"\d{4}[-/.年]\d{1,2}|^[\[(（]?\d{1,2}[-/月]\d{1,2}日?[\])）]?$")
HOME_NAME = re.compile(r"^(?:网站|返回)?首\s*页$")
TABLIKE = re.compile(r"tab(?!le)|title|\bhd\b|head", re.I)


def classify(name: str) -> str:
    for kind, rx in TYPES:
        if rx.search(name):
            return kind
    return "other"


HEADING_TAGS = {"h1", "h2", "h3", "h4", "h5", "h6"}


def _heading_before(block, link) -> str | None:
    """The text of the last heading (h1-h6, or an element classed as a title) that
    comes before `link` in `block`, when more than one heading shares the block."""
    found = []
    for el in block.iter():
        if el is link:
            break
        if not isinstance(el.tag, str) or el.tag == "a":
            continue
        if el.tag in HEADING_TAGS or TABLIKE.search(el.get("class") or ""):
            t = txt(el)
            if 2 <= len(t) <= MAX_NAME and not MORE_TEXT.match(t) and not _DATEISH.search(t):
                found.append(t)
    return found[-1] if len(found) >= 2 else None


def _tab_headings(block, mores: list) -> list:
    """Tab headings in a block: innermost elements marked as tabs or titles (class
    or role) with a short text, in document order. Links to content are not tabs."""
    found = []
    for el in block.iter():
        if not isinstance(el.tag, str) or el is block or el in mores:
            continue
        href = (el.get("href") or "").strip().lower()
        if el.tag == "a" and href and not href.startswith(("javascript", "#")):
            continue
        if not TABLIKE.search((el.get("class") or "") + " " + (el.get("role") or "")):
            continue
        t = txt(el)
        if 2 <= len(t) <= MAX_NAME and not MORE_TEXT.match(t) and not _DATEISH.search(t) \
                and not any(m in el.iter("a") for m in mores):
            found.append(el)
    return [el for el in found if not any(o is not el and el in o.iterancestors() for o in found)]


def _tab_names(more_links: list[Anchor]) -> dict[str, str]:
    """A tabbed block (a row of tab headings, then one 更多 per tab): its 更多 links
    name their columns by the tab heading of the same rank. Blocks where headings
    and 更多 links alternate are not tabs (each 更多 closes its own block)."""
    out: dict[str, str] = {}
    els = [a.el for a in more_links]
    by_el = {a.el: a for a in more_links}
    for a in more_links:
        if a.url in out:
            continue
        el = a.el.getparent()
        for _ in range(5):
            if el is None or el.tag in ("body", "html"):
                break
            inside = [x for x in el.iter("a") if x in els]
            if len(inside) >= 2:
                heads = _tab_headings(el, inside)
                order = {x: i for i, x in enumerate(el.iter())}
                if len(heads) == len(inside) and max(order[h] for h in heads) < min(order[m] for m in inside):
                    for x, head in zip(inside, heads):
                        if by_el[x].url:
                            out.setdefault(by_el[x].url, txt(head))
                    break
            el = el.getparent()
    return out


def more_names(anchor_list: list[Anchor]) -> dict[str, str]:
    """For "更多>>" links, the heading of the block they close: the column's name."""
    mores = [a for a in anchor_list if a.href and is_more_link(a)]
    out = _tab_names(mores) if len(mores) >= 2 else {}
    for a in mores:
        label = a.text
        url = a.url
        if not url or url in out:
            continue
        el = a.el.getparent()
        for _ in range(3):
            if el is None:
                break
            text = txt(el).replace(label, " ") if label else txt(el)
            text = squash(MORE_TEXT.sub("", text))
            if 2 <= len(text) <= MAX_NAME:
                out[url] = text
                break
            if len(text) > MAX_NAME:
                # The heading is the last heading before the link (blocks written one after
                # another in one container), else the first short text of the block.
                heading = _heading_before(el, a.el)
                if heading:
                    out[url] = heading
                    break
                for h in el.iter("h1", "h2", "h3", "h4", "span", "strong", "b", "em", "li", "div", "p"):
                    t = txt(h)
                    if 2 <= len(t) <= MAX_NAME and not MORE_TEXT.match(t) and not _DATEISH.search(t):
                        out[url] = t
                        break
                break
            el = el.getparent()
    return out


def _get(obj: Any, name: str, default=None):
    return obj.get(name, default) if isinstance(obj, dict) else getattr(obj, name, default)


def _is_list(lf: dict | None) -> bool:
    if not lf:
        return False
    return lf.get("dated", 0) >= 3 or bool(lf.get("placeholder")) or lf.get("stated_total") == 0 \
        or bool(lf.get("empty_list")) or bool(lf.get("shell"))


def derive_columns(pages: Iterable[Any], links: Iterable[Any]) -> list[ColumnArt]:
    pages = [p for p in pages if _get(p, "role", "page") == "page"]
    by_url: dict[str, Any] = {}
    for p in pages:
        by_url.setdefault(_get(p, "url"), p)
        if _get(p, "final_url"):
            by_url.setdefault(_get(p, "final_url"), p)
    home = next((p for p in pages if _get(p, "is_homepage")), None)
    home_urls = {_get(home, "url"), _get(home, "final_url")} if home else set()
    nav_depth = {u for p in pages if (_get(p, "depth", 0) or 0) <= 1 for u in (_get(p, "url"), _get(p, "final_url")) if u}
    more = {}
    for p in pages:
        if _get(p, "url") in nav_depth:
            more.update((_get(p, "facts") or {}).get("more_names") or {})

    pagination_targets = set()
    for p in pages:
        lf = (_get(p, "facts") or {}).get("list") or {}
        pagination_targets.update(lf.get("pagination") or [])

    names: dict[str, tuple[int, str]] = {}   # target -> (priority, name); homepage anchors first
    for link in links:
        if _get(link, "tag", "a") != "a" or _get(link, "source_url") not in nav_depth:
            continue
        target = _get(link, "target_url")
        if target in home_urls:
            continue
        text = squash(_get(link, "text") or "")
        if MORE_TEXT.match(text) or not text:
            text = more.get(target, "")
        if not (2 <= len(text) <= MAX_NAME) or NEXT_TEXT.match(text) or PAGE_NO.match(text) or _DATEISH.search(text) \
                or HOME_NAME.match(text):
            continue
        prio = 0 if _get(link, "source_url") in home_urls else 1
        if target not in names or prio < names[target][0]:
            names[target] = (prio, text)

    columns, seen = [], set()
    for target, (_, name) in names.items():
        page = by_url.get(target)
        if page is None:
            continue
        key = _get(page, "final_url") or _get(page, "url")
        facts = _get(page, "facts") or {}
        lf = facts.get("list")
        if key in seen or not _is_list(lf):
            continue
        if target in pagination_targets and key not in names:
            continue
        seen.add(key)
        followed, newest, items = [key], lf.get("newest"), lf.get("items", 0)
        queue = list(lf.get("pagination") or [])
        while queue and len(followed) < 50:
            u = queue.pop(0)
            nxt = by_url.get(u)
            if nxt is None:
                continue
            k = _get(nxt, "final_url") or _get(nxt, "url")
            if k in followed:
                continue
            nlf = (_get(nxt, "facts") or {}).get("list") or {}
            followed.append(k)
            items += nlf.get("items", 0)
            if nlf.get("newest") and (newest is None or nlf["newest"] > newest):
                newest = nlf["newest"]
            queue.extend(x for x in nlf.get("pagination") or [] if x not in followed)
        stated = lf.get("stated_total")
        # A shell (entries loaded by script) is never blank on its static HTML: the browser decides.
        blank = (items == 0 or stated == 0) and bool(lf.get("placeholder") or stated == 0 or lf.get("dated", 0) == 0) \
            and not lf.get("shell")
        columns.append(ColumnArt(
            url=key, name=name, type=classify(name + " " + (facts.get("meta", {}).get("columnname") or "")
                                               if classify(name) == "other" else name),
            newest_date=newest, item_count=stated if stated is not None else items, blank=blank,
            details={"pages_followed": followed, "placeholder": lf.get("placeholder"),
                     "stated_total": stated, "page_count": lf.get("page_count"),
                     "date_source": lf.get("date_source"), "sample": lf.get("sample", [])[:3],
                     **({"shell": lf["shell"]} if lf.get("shell") else {})}))
    return columns
