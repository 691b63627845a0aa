"""Reading label/value pairs, repeated list items and pagers from
Chinese government pages, whatever the markup.

Sites show the same facts as `<th>提问时间</th><td>…</td>`, as
`<dt>提问时间</dt><dd>…</dd>`, as `<span>提问时间：</span><span>…</span>` or
as plain text `提问时间：2024-01-02`. Callers match labels against keyword
families (regular expressions), so pairs with irrelevant labels are harmless.
"""
from __future__ import annotations

import re

from core.dates import parse_date
from core.urls import BadLink, link_target

SPACES = re.compile(r"[\s\u00a0\u3000]+")
COLON = "：:"
BLOCK_TAGS = {"div", "p", "li", "tr", "table", "ul", "ol", "dl", "section", "article", "form",
              "h1", "h2", "h3", "h4", "h5", "h6", "br", "dd", "dt", "td", "th", "header", "footer"}


def parse_tree(html):
    """The crawl's own parse of decoded text (never bytes: lxml misreads the gb2312 meta of GBK
    pages), so tests read pages as the spider does; an already parsed lxml
    element is returned as it is."""
    if html is not None and not isinstance(html, str):
        return html
    from crawler.extract.html import parse
    return parse(html or "")


def clean(text: str | None) -> str:
    return SPACES.sub(" ", text or "").strip()


def compact(text: str | None) -> str:
    """Text without any white space: labels are often spaced out (提 问 时 间)."""
    return SPACES.sub("", text or "")


_last: dict[str, tuple] = {}
_CACHE_KINDS = 8


def _cached(kind: str, root, compute):
    """One-entry cache per kind: the spider hands the same tree to every extractor."""
    hit = _last.get(kind)
    if hit is not None and hit[0] is root:
        return hit[1]
    value = compute()
    if len(_last) >= _CACHE_KINDS:
        _last.clear()
    _last[kind] = (root, value)
    return value


def text_of(el) -> str:
    """Visible text of an element with block boundaries kept as line breaks."""
    if el.getparent() is not None:     # only whole documents are cached (extractors share them)
        return _text_of(el)
    return _cached("text", el, lambda: _text_of(el))


def _text_of(el) -> str:
    parts: list[str] = []

    def walk(node) -> None:
        if not isinstance(node.tag, str) or node.tag in ("script", "style", "noscript", "template"):
            if node.tail and isinstance(node.tag, str):
                parts.append(node.tail)
            return
        block = node.tag in BLOCK_TAGS
        if block:
            parts.append("\n")
        if node.text:
            parts.append(node.text)
        for child in node:
            walk(child)
        if block:
            parts.append("\n")
        if node.tail:
            parts.append(node.tail)

    walk(el)
    lines = (clean(line) for line in "".join(parts).split("\n"))
    return "\n".join(line for line in lines if line)


def next_element(el):
    """The next sibling element, skipping comments and processing instructions."""
    nxt = el.getnext()
    while nxt is not None and not isinstance(nxt.tag, str):
        nxt = nxt.getnext()
    return nxt


def _label(text: str, max_len: int) -> str | None:
    """`text` as a label (colon stripped) when it is short enough to be one."""
    t = compact(text).rstrip(COLON)
    if 0 < len(t) <= max_len and not t[0].isdigit():
        return t
    return None


def label_pairs(root, max_label: int = 12) -> list[tuple[str, str]]:
    """Every (label, value) pair found in tables, definition lists, label/value
    siblings and `label：value` text lines, in document order of discovery."""
    if max_label == 12 and root.getparent() is None:
        return _cached("pairs", root, lambda: _label_pairs(root, max_label))
    return _label_pairs(root, max_label)


def _label_pairs(root, max_label: int) -> list[tuple[str, str]]:
    pairs: list[tuple[str, str]] = []
    for row in root.iter("tr"):
        cells = [c for c in row if isinstance(c.tag, str) and c.tag in ("td", "th")]
        for i in range(0, len(cells) - 1, 2):
            lab = _label(cells[i].text_content(), max_label)
            if lab:
                pairs.append((lab, clean(cells[i + 1].text_content())))
    for dt in root.iter("dt"):
        dd = next_element(dt)
        lab = _label(dt.text_content(), max_label)
        if lab and dd is not None and dd.tag == "dd":
            pairs.append((lab, clean(dd.text_content())))
    for el in root.iter("span", "label", "em", "b", "strong", "i", "div", "p", "th", "td"):
        if el.tag in ("div", "p", "th", "td") and any(isinstance(c.tag, str) and c.tag in BLOCK_TAGS for c in el):
            continue
        own = clean(el.text_content())
        if own and own[-1] in COLON and len(compact(own)) <= max_label + 1:
            nxt = next_element(el)
            value = clean(nxt.text_content()) if nxt is not None else clean(el.tail)
            if el.tail and clean(el.tail):
                value = clean(el.tail)
            lab = _label(own, max_label)
            if lab and value:
                pairs.append((lab, value))
    for line in text_of(root).split("\n"):
        for chunk in re.split(r"\s(?=[^\s\d：:][^\s：:]{1,7}[：:])", line):
            m = re.match(r"^([^：:]{1,%d})[：:]\s*(.+)$" % (max_label + 4), chunk.strip())
            if m:
                lab = _label(m.group(1), max_label)
                if lab:
                    pairs.append((lab, clean(m.group(2))))
    # Last (weakest): a short leaf element followed by a sibling, without any colon,
    # as in <span class="k">数据提供方</span><span class="v">市统计局</span>.
    for el in root.iter("span", "label", "em", "b", "strong", "i", "div", "p", "th"):
        if len(el) or not el.text:
            continue
        lab = _label(el.text, max_label)
        if not lab or len(lab) < 2 or lab[-1] in COLON or clean(el.tail):
            continue
        nxt = next_element(el)
        if nxt is not None:
            value = clean(nxt.text_content())
            if value and len(value) <= 300:
                pairs.append((lab, value))
    return pairs


def pick(pairs: list[tuple[str, str]], family: re.Pattern, exclude: re.Pattern | None = None) -> str | None:
    """Value of the first pair whose label fully matches `family` (and not `exclude`)."""
    for lab, value in pairs:
        if family.fullmatch(lab) and not (exclude and exclude.search(lab)):
            return value
    return None


def absolute(base_url: str, href: str | None) -> str | None:
    if not href:
        return None
    href = href.strip()
    if not href or href[0] == "#":
        return None
    try:
        return link_target(base_url, href)
    except BadLink:      # e.g. a malformed IPv6 host, javascript:: no usable link
        return None


def links(root, base_url: str) -> list[tuple[str, str]]:
    """(absolute url, anchor text or title) of every <a href>."""
    return _cached("links " + base_url, root, lambda: _links(root, base_url))


def _links(root, base_url: str) -> list[tuple[str, str]]:
    out = []
    for a in root.iter("a"):
        url = absolute(base_url, a.get("href"))
        if url:
            out.append((url, clean(a.text_content()) or clean(a.get("title")) or clean(
                " ".join(img.get("alt") or "" for img in a.iter("img")))))
    return out


# Page chrome: navigation, menus, header, footer, breadcrumbs, banners (by tag, class or id).
CHROME = re.compile(r"nav|menu|header|footer|head\b|foot\b|top\b|bottom|crumb|banner", re.I)


CONTENT_TABS = re.compile(r"tab", re.I)


def in_chrome(el) -> bool:
    """`el` sits in the page chrome (a menu, header, footer…), not in the page's own content:
    a site-wide "API服务" menu item or a menu's list items say nothing about this page's content.
    Tabs (`nav nav-tabs`, `tab-nav`) switch the page's own content: they are not chrome."""
    for anc in [el, *el.iterancestors()]:
        names = (anc.get("class") or "") + " " + (anc.get("id") or "")
        if anc.tag in ("nav", "header", "footer") or (CHROME.search(names) and not CONTENT_TABS.search(names)):
            return True
    return False


def table_columns(table, families: dict[str, re.Pattern]) -> dict[str, int]:
    """Column index per field from a list table's header row (the first row without links):
    each header cell goes to the first family (in the given order) whose pattern it fully matches."""
    header = None
    for row in table.iter("tr"):
        cells = row_cells(row)
        if cells and all(c.find(".//a[@href]") is None for c in cells):
            header = cells
            break
    cols: dict[str, int] = {}
    for i, cell in enumerate(header or []):
        lab = compact(cell.text_content()).rstrip(COLON)
        key = next((k for k, fam in families.items() if fam.fullmatch(lab)), None)
        if key is not None and key not in cols:
            cols[key] = i
    return cols


def row_cells(row) -> list:
    return [c for c in row if isinstance(c.tag, str) and c.tag in ("td", "th")]


def _path(el) -> str:
    return "/".join(f"{e.tag}.{e.get('class') or ''}" for e in reversed(list(el.iterancestors())))


def repeated_items(root, min_items: int = 2, prefer_dates: bool = True, skip_chrome: bool = False) -> list:
    """The elements of the page's main repeated list: siblings of one tag and
    class under one parent, each holding a link. Navigation menus repeat too,
    so groups whose items carry dates or longer text win; with `skip_chrome`
    lists in the page chrome (menus, header, footer) are never taken."""
    best, best_score = [], 0.0
    for parent in root.iter():
        if not isinstance(parent.tag, str) or parent.tag in ("nav", "select", "head"):
            continue
        if skip_chrome and in_chrome(parent):
            continue
        groups: dict[tuple, list] = {}
        for child in parent:
            if isinstance(child.tag, str) and child.tag in ("li", "tr", "div", "dl", "dd", "article", "section", "p"):
                groups.setdefault((child.tag, child.get("class") or ""), []).append(child)
        for (tag, _cls), items in groups.items():
            linked = [i for i in items if i.find(".//a[@href]") is not None and not (skip_chrome and in_chrome(i))]
            if len(linked) < min_items:
                continue
            if any(anc.tag == "nav" or "nav" in (anc.get("class") or "").split() for anc in parent.iterancestors()):
                continue
            dated = sum(1 for i in linked if parse_date(i.text_content()))
            avg_len = sum(len(compact(i.text_content())) for i in linked) / len(linked)
            score = len(linked) * (1 + (2 * dated / len(linked) if prefer_dates else 0) + min(avg_len, 60) / 30)
            if score > best_score:
                best, best_score = linked, score
    return best


NEXT_WORDS = re.compile(r"^(下一页|下页|后一页|next|›|»|>|>>)$", re.I)
PREV_WORDS = re.compile(r"^(首页|第一页|上一页|上页|前一页|prev|previous|‹|«|<|<<)$", re.I)


# TRS CMS pagers write their links from script: createPageHTML(pages, current, "index", "htm")
# → index.htm, index_1.htm … index_{pages-1}.htm (often left in a comment beside the inlined code).
_TRS_PAGER = re.compile(r"""createPageHTML\(\s*(\d+)\s*,\s*(\d+)\s*,\s*["'](\w+)["']\s*,\s*["'](\w+)["']""")


_SCRIPT = re.compile(r"<script\b[^>]*>(.*?)</script\s*>", re.S | re.I)


def script_texts(html) -> list[str]:
    """Inline script bodies: from the raw text when given a string (shared parsed
    trees have their script bodies dropped), else from the tree."""
    if isinstance(html, str):
        return _SCRIPT.findall(html)
    return [s.text or "" for s in html.iter("script")]


def script_pager_links(base_url: str, html) -> list[str]:
    """The pages a TRS createPageHTML pager script would write."""
    out: list[str] = []
    for body in script_texts(html):
        m = _TRS_PAGER.search(body)
        if m:
            pages, current, name, ext = int(m.group(1)), int(m.group(2)), m.group(3), m.group(4)
            for i in range(min(pages, 500)):
                if i != current:
                    out.append(absolute(base_url, f"{name}.{ext}" if i == 0 else f"{name}_{i}.{ext}"))
            break
    return out


def _in_pager(parent, a) -> bool:
    """The element holding `a` is a pager: other page links, or 第2/5页 / 共5页 / 共12条 text."""
    if re.search(r"第\s*\d+\s*/\s*\d+\s*页|共\s*\d+\s*(页|条)", parent.text_content()):
        return True
    for b in parent.iter("a"):
        t = compact(b.text_content())
        if b is not a and (NEXT_WORDS.match(t) or PREV_WORDS.match(t) or re.fullmatch(r"\d{1,4}", t) or t in ("尾页", "末页")):
            return True
    return False


def pager_links(root, base_url: str, html=None) -> list[str]:
    """URLs of other pages of the same list: 下一页 links, numbered page links,
    and the pages a TRS pager script writes (read from `html`, the raw text, when given)."""
    out: list[str] = script_pager_links(base_url, html if html is not None else root)
    for a in root.iter("a"):
        text = compact(a.text_content())
        if not (NEXT_WORDS.match(text) or re.fullmatch(r"\d{1,4}", text) or text in ("尾页", "末页", "最后一页")):
            # 首页 / 上一页 are pages of the list only inside a pager (首页 elsewhere is the site's home)
            parent = a.getparent()
            if not (PREV_WORDS.match(text) and parent is not None and _in_pager(parent, a)):
                continue
        url = absolute(base_url, a.get("href"))
        if url and url != base_url:
            if url not in out:
                out.append(url)
    for url in _script_pager_targets(root, base_url, html if html is not None else root):
        if url != base_url and url not in out:
            out.append(url)
    return out


PAGE_FIELD = re.compile(r"^(page|pageno|pagenum|pageindex|curpage|currentpage|current|p|pn)$", re.I)


def form_pages(root, base_url: str) -> list[tuple[str, str]]:
    """Other pages of a list reached by a pager that submits a form (method POST): each
    form whose page field (pageNo, page…) holds a number and whose button is a pager
    word (下一页, 上一页, 2, 尾页) asks for that page. Returns (action URL, form body) as
    the browser would send them when the button is pressed."""
    from urllib.parse import urlencode
    out: list[tuple[str, str]] = []
    for form in root.iter("form"):
        if (form.get("method") or "get").lower() != "post":
            continue
        fields = [(i.get("name"), i.get("value") or "") for i in form.iter("input")
                  if i.get("name") and (i.get("type") or "text").lower() not in ("submit", "button", "image", "checkbox", "radio")]
        if not any(PAGE_FIELD.match(name) and value.isdigit() for name, value in fields):
            continue
        buttons = [compact(b.text_content()) or compact(b.get("value")) for b in form.iter("button", "input")
                   if b.tag == "button" or (b.get("type") or "").lower() in ("submit", "button")]
        if not any(NEXT_WORDS.match(t) or PREV_WORDS.match(t) or re.fullmatch(r"\d{1,4}", t) or t in ("尾页", "末页")
                   for t in buttons):
            continue
        action = absolute(base_url, form.get("action")) or base_url
        page = (action, urlencode(fields))
        if page not in out:
            out.append(page)
    return out


# A script pager: links that run `goPage(2)` (no address of their own) and a page script that
# builds the address from the number: location.href = "/catalog.html?page=" + n.
_SCRIPT_PAGE_URL = re.compile(
    r"""["']([^"'\s]*[?&](?:page|pageno|pagenum|pageindex|curpage|currentpage|current|p|pn)=)["']\s*\+""", re.I)


_PAGE_ARG = re.compile(r"\((\d{1,4})\)")


def _script_pager_targets(root, base_url: str, html) -> list[str]:
    """The pages a script pager goes to: the number each pager link hands to the
    page's script (its onclick argument, else its own digits), put into the address
    the script builds — as a person clicking the link would arrive there."""
    numbered = []
    for a in root.iter("a"):
        arg = _PAGE_ARG.search(a.get("onclick") or a.get("href") or "")
        if not arg or absolute(base_url, a.get("href")):
            continue                      # no page number handed to a script, or a real address
        text = compact(a.text_content())
        if NEXT_WORDS.match(text) or re.fullmatch(r"\d{1,4}", text) or text in ("尾页", "末页"):
            numbered.append(arg.group(1))
    if not numbered:
        return []
    prefix = next((m.group(1) for body in script_texts(html) for m in _SCRIPT_PAGE_URL.finditer(body)), None)
    if prefix is None:
        return []
    return [u for u in dict.fromkeys(absolute(base_url, prefix + n) for n in numbered) if u]


_TOTAL = re.compile(r"共\s*(?:有\s*)?(\d[\d,]*)\s*(?:条|个|项|件|封)")


def stated_count(text: str) -> int | None:
    """A list's own '共 N 条' figure."""
    m = _TOTAL.search(text or "")
    return int(m.group(1).replace(",", "")) if m else None


def placeholder(text: str) -> bool:
    """The page says it has no entries (暂无信息, 暂无数据, 共0条…)."""
    return bool(re.search(r"暂无(信息|数据|内容|记录|留言|相关)|没有(找到)?(相关)?(数据|记录|信息)|共\s*0\s*条", compact(text)))


def page_heading(root) -> str:
    """The page's own title: a heading that the first part of <title> repeats
    (titles read "page - site"), else any heading the <title> repeats, else the
    first part of <title>, else the first heading."""
    title = clean(root.findtext(".//title"))
    first = re.split(r"\s+[-_|｜—]+\s+|\s*[_|｜]\s*", title)[0] if title else ""
    heads = [clean(h.text_content()) for tag in ("h1", "h2", "h3", "h4") for h in root.iter(tag)]
    for pool in ([h for h in heads if h and h in first], [h for h in heads if h and h in title]):
        if pool:
            return max(pool, key=len)
    return first or next((h for h in heads if h), "")


def select(root, selector: str | None) -> list | None:
    """Elements matching a CSS selector hint; None when there is no usable hint
    (absent or not valid CSS), so the heuristics take over."""
    if not selector:
        return None
    try:
        return root.cssselect(selector)
    except Exception:      # cssselect's SelectorError and lxml's XPath errors on odd selectors
        return None


def hint_int(hints: dict, key: str, default: int) -> int:
    """A whole-number hint, or the default when absent or not a number."""
    try:
        value = int(hints.get(key, default))
    except (TypeError, ValueError):
        return default
    return value if value >= 0 else default
