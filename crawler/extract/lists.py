"""List pages (栏目页): entries with dates, placeholders, pagination.

An entry is a link with a title-like text inside an item element (li, tr,
dd, p, or a div); its date is the first date printed in the item outside
the link text (a span, a table cell, a bracket), else a date in the link's
URL path. Entries are grouped by the item's parent; the biggest dated group
is the page's main list.
"""
from __future__ import annotations

import re
from datetime import date
from urllib.parse import urlsplit

from core.dates import explicit_date, full_dates, month_day, url_date, years_from_order
from crawler.extract.datastore import datastore_total, datastore_tree
from crawler.extract.html import Anchor, anchors as read_anchors, squash, text_pieces, txt
from core.urls import resolve

ITEM_TAGS = {"li", "tr", "dd", "dt", "p", "div", "h3", "h4"}   # a td is passed over: its row is the item
STOP_TAGS = {"body", "html", "ul", "ol", "table", "tbody", "dl"}
MIN_TITLE = 4
PLACEHOLDER = re.compile(
    r"暂无(?:相关)?(?:信息|数据|内容|记录|文章|结果|栏目信息|公开信息)|没有(?:相关|找到)?(?:信息|数据|记录|内容)"
    r"|无相关(?:信息|数据|内容|记录)|共\s*0\s*条|信息正在(?:更新|完善|整理)中|该栏目(?:暂无|正在建设)|栏目建设中|正在建设中")
STATED_TOTAL = re.compile(r"共\s*(\d{1,7})\s*条")
PAGE_COUNT_TEXT = re.compile(r"共\s*(\d{1,5})\s*页|第\s*\d+\s*/\s*(\d{1,5})\s*页|\d+\s*/\s*(\d{1,5})\s*页")
PAGE_COUNT_JS = re.compile(
    r"createPageHTML\(\s*(?:['\"][A-Za-z_][\w-]*['\"]\s*,\s*)?['\"]?(\d{1,5})|countPage\s*=\s*(\d{1,5})|total_?[Pp]age\s*[:=]\s*['\"]?(\d{1,5})"
    r"|pageCount\s*[:=]\s*['\"]?(\d{1,5})")
_PLACEHOLDER_HINTS = ("暂无", "没有", "无相关", "条", "正在", "建设中")
_PAGER_HINTS = ("createPageHTML", "countPage", "otalPage", "otal_page", "otalpage", "pageCount")


def _after(word: str, part: str) -> str:
    """A regex for `word` once `part` of it is matched: what comes before checked behind, the rest ahead."""
    cut = word.index(part) + len(part)
    return f"(?<={re.escape(word[:cut])}){re.escape(word[cut:])}"


# Any of _PAGER_HINTS in one scan: each holds "age", which the regex engine jumps to, then looks around.
_PAGER_HINT = re.compile("age(?:" + "|".join(_after(k, "age") for k in _PAGER_HINTS) + ")")
TRS_PAGER = re.compile(r"createPageHTML\(|countPage\s*=")
PAGER_LABEL = 6          # the longest label of a pager's link (下一页, 尾页, [12])
NEXT_TEXT = re.compile(r"^(?:下一?页|下页|后一?页|尾页|末页|>|>>|»|›|next|Next|NEXT)$")
PAGE_NO = re.compile(r"^\[?\d{1,4}\]?$")
MORE_TEXT = re.compile(r"^(?:更多|more|MORE|More|查看更多)\s*(?:>+|»+|›|＞+|\+|→|》+)?$|^\+$|^>>$")
MORE_IMAGE = re.compile(r"more", re.I)
_NON_TITLE = re.compile(r"^[\d\s\-/.:\[\]【】()（）>»<«·|]+$")


def is_more_link(a: Anchor) -> bool:
    """A "更多>>" link, also an image button (more.gif) without any text."""
    if a.label:
        return len(a.label) <= 8 and bool(MORE_TEXT.match(a.label))
    return any(MORE_IMAGE.search(img.get("src") or "") for img in a.el.iter("img"))


ROW_TAGS = ("li", "tr", "dd")


def _item_of(a):
    """The entry element holding a link: the nearest li/tr/dd within three
    levels, else the nearest p/div/h3/h4/dt."""
    el, fallback = a.getparent(), None
    for _ in range(4):
        if el is None or not isinstance(el.tag, str) or el.tag in STOP_TAGS:
            break
        if el.tag in ROW_TAGS:
            return el
        if fallback is None and el.tag in ITEM_TAGS:
            fallback = el
        el = el.getparent()
    return fallback


def _title(a: Anchor) -> str | None:
    href = a.href
    if not href or href.startswith(("javascript:", "#", "mailto:")):
        return None
    title = a.text if len(a.text) >= MIN_TITLE else squash(a.el.get("title") or a.text)
    if len(title) < MIN_TITLE or _NON_TITLE.match(title) or NEXT_TEXT.match(title) or MORE_TEXT.match(title):
        return None
    return title


def _segment(a) -> str:
    """The text after a link up to the next link: its line in a <br>-separated list."""
    parts = [a.tail or ""]
    for sib in a.itersiblings():
        if not isinstance(sib.tag, str):
            continue
        if sib.tag == "a" or sib.find(".//a") is not None:
            break
        parts.append(txt(sib) + " " + (sib.tail or ""))
    return squash(" ".join(parts))


def _time_date(item) -> date | None:
    """<time datetime="…"> in an entry: the machine-readable date wins."""
    for el in item.iter("time"):
        found = full_dates(el.get("datetime") or "")
        if found:
            return found[0]
    return None


def entries(links: list[Anchor], today: date) -> list[dict]:
    """Every title-like link in an item element, with the item's date (or None).
    An item holding several entries (lines split by <br>) gives each its own line."""
    titled = [(a, t, _item_of(a.el)) for a in links if (t := _title(a))]
    items: dict = {}
    for a, _, item in titled:
        if item is not None:
            items.setdefault(item, []).append(a)
    out, seen = [], set()   # holds the elements themselves: lxml proxies die and ids get reused
    for a, title, item in titled:
        if item is None:
            continue
        row = items[item]
        several = False
        if len(row) >= 2:
            parent = a.el.getparent()
            several = all(x.el.getparent() is parent for x in row) and parent.find("br") is not None
        if item in seen and not several:
            continue
        seen.add(item)
        if several:
            outside = _segment(a.el)
        else:
            whole = txt(item)
            outside = whole.replace(a.text, " ", 1) if a.text else whole
        d = _time_date(item) if not several else None
        md = None
        # only space outside the link: no date to read there
        if d is None and len(outside) < 200 and not outside.isspace():
            d, md = explicit_date(outside, today), month_day(outside)
        if d is None and md is None and len(a.el):
            # The whole row is the link: its date is a short part of the link's own text.
            for part in a.el.iterdescendants():
                if isinstance(part.tag, str):
                    short = txt(part)
                    if len(short) <= 20:
                        d, md = explicit_date(short, today), month_day(short)
                        if d or md:
                            break
        source = "text"
        linked = url_date(a.href.split("?", 1)[0])
        if d is None and linked is not None and (md is None or md == (linked.month, linked.day)):
            # the URL carries the date (and the year of a year-less one shown in the text)
            d, md, source = linked, None, "text" if md else "url"
        out.append({"title": title[:120], "anchor": a, "date": d, "md": md, "date_source": source,
                    "group": item.getparent()})
    by_group: dict = {}
    for e in out:
        by_group.setdefault(e["group"], []).append(e)
    for group in by_group.values():
        dated = years_from_order([(e["date"], e.pop("md")) for e in group], today)
        for e, d in zip(group, dated):
            e["date"] = d if d is not None and d <= today else None
            if e["date"] is None:
                e["date_source"] = None
    return out


def _pagination(anchor_list: list[Anchor], page_url: str, html_text: str, text: str) -> tuple[list[str], int | None]:
    links = []
    for a in anchor_list:
        t = a.label
        if len(t) > PAGER_LABEL or not (NEXT_TEXT.match(t) or PAGE_NO.match(t)):
            continue
        u = a.url
        if u and u.split("#")[0] != page_url and u not in links:
            links.append(u)
    count = None
    m = (PAGE_COUNT_TEXT.search(text) if "页" in text and ("共" in text or "/" in text) else None) or \
        (PAGE_COUNT_JS.search(html_text) if _PAGER_HINT.search(html_text) else None)
    if m:
        count = int(next(g for g in m.groups() if g))
    if count and count > 1 and TRS_PAGER.search(html_text):
        path = urlsplit(page_url).path
        ext = path.rsplit(".", 1)[-1] if "." in path.rsplit("/", 1)[-1] else "html"
        stem = path.rsplit("/", 1)[-1].rsplit(".", 1)[0] if "." in path.rsplit("/", 1)[-1] else "index"
        if "_" not in stem:
            for i in range(1, min(count, 5)):
                u = resolve(page_url, f"{stem}_{i}.{ext}")
                if u not in links:
                    links.append(u)
    return links[:20], count


LIST_CONTAINER = re.compile(r"list|news|article|(?:^|[-_\s])lb(?:$|[-_\s])", re.I)
# A page that fetches its entries by script: an empty container there says nothing.
# (fetch's word boundary is checked behind it: with every alternative starting with a literal
# character, the regex engine skips to the candidates, five times faster on a long page)
SCRIPTED_DATA = re.compile(r"\$\.(?:ajax|get|post|getJSON)\b|fetch\((?<!\wfetch\()|axios|XMLHttpRequest|dataproxy"
                           r"|\.jpage\(|/api/")
PAGER_WORDS = re.compile(r"上一页|下一页|尾页|末页|共\s*\d+\s*页")
LONG_TEXT = 150


def _empty_container(tree):
    """A list container (ul/ol/tbody, or a div named like a list) with nothing in it."""
    for el in tree.iter("ul", "ol", "tbody", "div"):
        if len(el) == 0 and not (el.text or "").strip() \
                and LIST_CONTAINER.search((el.get("class") or "") + " " + (el.get("id") or "")):
            return el
    return None


def _empty_list(tree, text: str, scripted: re.Match | None) -> bool:
    """An empty list container: how many CMSs render a column without entries and
    without any placeholder text. Only on a page that looks like a list shell (a pager,
    or no long text at all): an intro page's empty decorative <div class="news-line">
    is not a list. A page that loads its entries by script (`scripted`: SCRIPTED_DATA found
    in the HTML) is a shell (`script_shell`)."""
    if scripted:
        return False
    if not PAGER_WORDS.search(text) and any(len(t) > LONG_TEXT and len(t.strip()) > LONG_TEXT
                                            for t in text_pieces(tree)):
        return False
    return _empty_container(tree) is not None


# The mount point of a script-built page (Vue, React, Nuxt, Next): empty until its bundle runs.
APP_ROOT = re.compile(r"^(?:app|root|__nuxt|__next|main-app)$", re.I)
NEEDS_SCRIPT = re.compile(r"(?:enable|requires?)\s+JavaScript|JavaScript\s+(?:enabled|is\s+required)|(?:启用|开启|打开|支持)\s*(?:JavaScript|JS|脚本)", re.I)
NO_TEXT = 50


def script_shell(tree, html_text: str, text: str, scripted: re.Match | None) -> str | None:
    """What builds the page's list by script while the static page shows no entries: the loader
    seen in the page (`scripted`: SCRIPTED_DATA found in the HTML: dataproxy, $.ajax, fetch…)
    next to an empty list container, "app" for an empty app root, "script" for a page with
    scripts and no text of its own (or only a notice asking for JavaScript). Called only for a
    page without entries: a reader sees them in a browser."""
    if scripted and _empty_container(tree) is not None:
        return scripted[0].strip("(").strip()
    scripts = any(s.get("src") or (s.text or "").strip() for s in tree.iter("script")) or "<script" in html_text
    if not scripts:
        return None
    for el in tree.iter("div"):
        if APP_ROOT.match(el.get("id") or "") and len(el) == 0 and not (el.text or "").strip():
            return "app"
    # every notice NEEDS_SCRIPT knows names JavaScript, JS or 脚本 (no other letter matches j, even ignoring case)
    if len(text) <= NO_TEXT or (("j" in text or "J" in text or "脚本" in text) and NEEDS_SCRIPT.search(text)):
        return "script"
    return None


def list_facts(tree, page_url: str, html_text: str, today: date,
               anchor_list: list[Anchor] | None = None, text: str | None = None) -> dict:
    """The page's main list, if it has one; else what tells it is empty."""
    if anchor_list is None:
        anchor_list = read_anchors(tree, page_url)
    if text is None:
        body = tree.find("body")
        text = txt(body if body is not None else tree)
    items = entries(anchor_list, today)
    groups: dict = {}
    for e in items:
        groups.setdefault(e.pop("group"), []).append(e)
    store = datastore_tree(html_text)
    if store is not None:
        # Every record is one entry of the same list, whatever its own markup.
        recorded = entries(read_anchors(store, page_url), today)
        for e in recorded:
            e.pop("group")
        groups["datastore"] = recorded
        items = items + recorded
    dated_groups = [g for g in groups.values() if sum(1 for e in g if e["date"]) >= 2]
    main = max(dated_groups, key=lambda g: sum(1 for e in g if e["date"]), default=[])
    if not main:
        # A page with one dated entry only (the last page of a column): that entry's group.
        single = [g for g in groups.values() if any(e["date"] for e in g)]
        if len(single) == 1 and sum(1 for e in single[0] if e["date"]) == 1:
            main = single[0]
    dated = [e["date"] for e in main if e["date"]]
    # Cheap substring guards first: these regexes are long alternations.
    placeholder = PLACEHOLDER.search(text) if any(k in text for k in _PLACEHOLDER_HINTS) else None
    total = STATED_TOTAL.search(text) if "条" in text else None
    pages, page_count = _pagination(anchor_list, page_url, html_text, text)
    all_dated = [e["date"] for e in items if e["date"]]
    for e in main[:5]:
        e["url"] = e["anchor"].url
    unlisted = not all_dated and not main
    scripted = SCRIPTED_DATA.search(html_text) if unlisted else None
    return {
        "items": len(main),
        "dated": len(dated),
        "newest": max(dated).isoformat() if dated else None,
        "oldest": min(dated).isoformat() if dated else None,
        "newest_any": max(all_dated).isoformat() if all_dated else None,
        "dated_any": len(all_dated),
        "date_source": "url" if main and all(e["date_source"] == "url" for e in main if e["date"]) else "text",
        "placeholder": placeholder[0] if placeholder else None,
        "empty_list": unlisted and _empty_list(tree, text, scripted),
        "shell": script_shell(tree, html_text, text, scripted) if unlisted and not placeholder else None,
        "stated_total": int(total[1]) if total else datastore_total(html_text) if store is not None else None,
        "page_count": page_count,
        "pagination": pages,
        "sample": [{"title": e["title"], "url": e["url"], "date": e["date"].isoformat() if e["date"] else None}
                   for e in main[:5]],
    }
