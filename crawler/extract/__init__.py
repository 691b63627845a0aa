"""Pure HTML → facts. `extract_page` runs `page_facts` on every crawled HTML page
(one parse, shared by every extractor) and keeps the result in `pages.facts`;
the crawl's store calls `derive_site` when a site's crawl ends.

`page_facts` returns the page's visible text (at most TEXT_CAP characters) under
the key "text": `extract_page` moves it into `pages.text` (it is not kept twice). Parse with
`parse` here (it repairs what libxml2 gets wrong on real CMS output and
drops script bodies) and pass the tree in.
"""
from __future__ import annotations

import re
from datetime import date, datetime, timezone
from typing import Any, Iterable

from crawler.extract.columns import derive_columns, more_names
from core.dates import full_dates, meta_date, url_date
from crawler.extract.features import guide_elements, link_features
from crawler.extract.html import anchors, code_muted, meta_map, node_text, parse, txt, visible_text  # noqa: F401  (visible_text: public)
from crawler.extract.identity import identity_marks
from crawler.extract.lists import list_facts
from crawler.extract.pii import find_pii
from crawler.extract.privacy import privacy_topics

TEXT_CAP = 200_000
META_KEYS = ("sitename", "siteidcode", "articletitle", "pubdate", "columnname")
PUBLISHED = re.compile(r"(?:发布|发文|成文|印发|更新|公开)(?:时间|日期)\s*[:：]?\s*")
DECORATIVE_SRC = re.compile(r"spacer|blank|pixel|transparent|clear\.gif|dot\.gif|line\.gif|/space", re.I)
# The same on a lower-cased ASCII src (nearly every one): five times faster than ignoring case,
# and equal there (ignoring case, the regex also takes a few non-ASCII letters: ſ for s, K for k, İ ı for i).
DECORATIVE_ASCII = re.compile(DECORATIVE_SRC.pattern)
SUBRESOURCE_TAGS = {"script": "src", "img": "src", "iframe": "src", "frame": "src", "embed": "src",
                    "video": "src", "audio": "src", "source": "src", "object": "data"}
PRIVACY_PAGE = re.compile(r"隐私|个人信息|声明|用户协议|服务条款")
CHROME = re.compile(r"foot|header|^head|nav|menu|topbar|bottom|copyright|banquan", re.I)


def _today() -> date:
    return datetime.now(timezone.utc).date()


def _images(tree) -> dict:
    content, with_alt, missing = 0, 0, []
    for img in tree.iter("img"):
        src = img.get("src") or img.get("data-src") or ""
        if (img.get("role") or "").lower() in ("presentation", "none") or img.get("aria-hidden") == "true":
            continue
        try:
            if int(img.get("width") or 99) <= 5 or int(img.get("height") or 99) <= 5:
                continue
        except ValueError:
            pass
        if DECORATIVE_ASCII.search(src.lower()) if src.isascii() else DECORATIVE_SRC.search(src):
            continue
        content += 1
        if (img.get("alt") or "").strip():
            with_alt += 1
        elif len(missing) < 10:
            missing.append(src[:300])
    return {"content": content, "with_alt": with_alt, "missing_alt": missing}


def _insecure_subresources(tree) -> list[dict]:
    out = []
    for el in tree.iter(*SUBRESOURCE_TAGS, "link"):
        if el.tag == "link":
            if "stylesheet" not in (el.get("rel") or "").lower():
                continue
            ref = el.get("href") or ""
        else:
            ref = el.get(SUBRESOURCE_TAGS[el.tag]) or ""
        if ref.strip().lower().startswith("http://"):
            out.append({"tag": el.tag, "url": ref.strip()[:500]})
    return out[:30]


def _main_text(tree, text: str) -> str:
    """Page text without header, footer and navigation blocks (outermost ones)."""
    skip = set()
    for el in tree.iter("header", "footer", "nav", "div", "ul", "table"):
        if el.getparent() in skip:
            skip.add(el)
            continue
        if el.tag in ("header", "footer", "nav") or CHROME.search((el.get("class") or "") + " " + (el.get("id") or "")):
            skip.add(el)
            chrome = node_text(el)
            if chrome and len(chrome) < len(text) * 0.6:
                text = text.replace(chrome, " ")
    return text


def page_facts(url: str, text: str, headers: dict | None = None, is_homepage: bool = False,
               tree=None, today: date | None = None, encoding: str | None = None) -> dict[str, Any]:
    """Facts of one page; `tree` is `parse(text)` when the caller has it already; `encoding` is the
    page's (its links' queries are resolved in it)."""
    today = today or _today()
    own = tree is None
    if own:
        tree = parse(text)
    with code_muted(tree, restore=not own):
        return _facts(url, text, tree, is_homepage, today, encoding)


def _facts(url: str, text: str, tree, is_homepage: bool, today: date, encoding: str | None) -> dict[str, Any]:
    meta = meta_map(tree)
    body = tree.find("body")
    visible = node_text(body if body is not None else tree)
    title_el = tree.find(".//title")
    title = txt(title_el) if title_el is not None else ""
    links = anchors(tree, url, encoding)
    lists = list_facts(tree, url, text, today, links, visible)
    facts: dict[str, Any] = {
        "title": title[:300],
        "lang": (tree.get("lang") or tree.get("{http://www.w3.org/XML/1998/namespace}lang") or "").strip() or None,
        "meta": {k: meta[k] for k in META_KEYS if k in meta},
        "list": lists,
        "features": link_features(tree, links),
        "images": _images(tree),
    }
    more = more_names(links)
    if more:
        facts["more_names"] = more
    pub = meta_date(meta.get("pubdate"))
    if pub is None:
        m = PUBLISHED.search(visible)
        found = full_dates(visible[m.end():m.end() + 40]) if m else []
        pub = found[0] if found else url_date(url)
    if pub:
        facts["pub_date"] = pub.isoformat()
    if is_homepage:
        if not lists["newest_any"]:
            # No dated entry: a date printed anywhere (a ticker, "更新时间：…") still tells the age.
            printed = [d for d in full_dates(visible) if d <= today]
            lists["newest_printed"] = max(printed).isoformat() if printed else None
        facts["page_type"] = "home"
    elif lists["dated"] >= 3 or lists["placeholder"] or lists["stated_total"] == 0:
        facts["page_type"] = "list"
    elif pub or meta.get("articletitle"):
        facts["page_type"] = "article"
    elif lists["empty_list"] or lists["shell"]:
        facts["page_type"] = "list"
    else:
        facts["page_type"] = "other"
    # Every page: a homepage may show its footer from another page (an iframe or frame).
    facts["identity"] = identity_marks(tree, visible, text, {a.label for a in links})
    guide = guide_elements(tree, title, visible)
    if guide:
        facts["guide"] = guide
    if url.lower().startswith("https://"):
        facts["insecure_subresources"] = _insecure_subresources(tree)
    pii = find_pii(visible, today)
    if pii:
        facts["pii"] = pii
    heading = title + " ".join(txt(h) for h in tree.iter("h1", "h2"))
    if PRIVACY_PAGE.search(heading):
        facts["privacy_topics"] = privacy_topics(_main_text(tree, visible))
    facts["text"] = visible[:TEXT_CAP]
    return facts


def extract_page(item, tree=None) -> None:
    """Fill a crawled page (crawler.items.PageItem) from its HTML: its full-audit facts and its
    text, then drop the HTML; `tree` is its parse when the caller has it already (crawler/reading.py,
    which reads each page once for its links and these facts)."""
    facts = page_facts(item.final_url or item.url, item.html, item.headers, item.is_homepage, tree=tree,
                       encoding=item.encoding)
    item.text = facts.pop("text", "")
    item.facts = {**facts, **item.facts}
    item.html = None


def derive_site(pages: Iterable[Any], links: Iterable[Any]) -> dict[str, Any]:
    """Site-level facts once a site's crawl ends: {"columns": [ColumnArt…]}."""
    return {"columns": derive_columns(list(pages), list(links))}


def rendered_identity(html: str) -> dict:
    """Identity marks read from a rendered DOM (the browser's view)."""
    tree = parse(html)
    return identity_marks(tree, raw=html)
