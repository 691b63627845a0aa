"""Datasets of open-data platforms: catalogue pages (HTML lists or JSON
endpoints) and dataset detail pages; platform-level signals (stated total,
apps showcase, security policy, feedback functions).

Pure functions of (url, decoded html or parsed JSON, hints). Metadata is
read by label (摘要, 提供单位, 更新频率, 更新时间, 开放条件, 数据格式… and
their synonyms), JSON fields by key families (name/title, orgName, updateTime…).
Hints: `dataset_item`, `dataset_link` (CSS), `dataset_url_template`
(e.g. "/dataset/{id}.html" for JSON catalogues that give ids only).

The rules, as a person reading a platform applies them (each checked on the
platforms of tests/generality/, built in the styles found across the country):
- A dataset is an entry of the catalogue a person can open; the platform's own
  stated total (共N条, 数据集N个, 已开放N个数据资源, a 数据集 tab's badge) is read
  beside the count and never replaces it.
- Formats: what the list or page names — format tags, the 数据格式 column, format
  icons by their title or alt, the download buttons per format.
- API: a dataset offers an API when its page links one (an 接口 / API tab or link
  outside the menus), labels one (接口服务：有), shows a badge or icon reading just
  API / 接口, names 数据接口 / API服务 among its formats, when the catalogue's 接口
  column says 有 / 是 / √, or a JSON record's flag (hasApi, apiCount, apiFlag "1")
  says so. A label saying 无 / 暂无 wins over a stray badge.
- Pages of the catalogue: 下一页 and numbered links, `?page=N`, a script pager
  (goPage(2) and the address the page's script builds from the number), a pager
  button that posts a form (pageNo=2), a TRS createPageHTML pager, and the pages
  of the JSON the page's scripts call (single-page apps: the data, not the pixels).
- Apps: a showcase's stated 共N个, else its own items (a menu's entries are not
  apps); 暂无应用 or an empty grid is none.
- Feedback: a control a person can use — link (script links too), button, menu
  item, a modal's opener — named 数据申请/需求/申请开放, 纠错/报错, 评价/评分/满意度.
  意见建议 is none of the three.
"""
from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

from crawler.extract.json_records import field, json_endpoints, records, total  # noqa: F401  (json_endpoints re-exported)
from core.dates import parse_date
from crawler.extract.labelled import (absolute, clean, compact, form_pages, in_chrome, label_pairs, links, page_heading, pager_links,
                                      select, parse_tree, pick, placeholder, repeated_items, row_cells,
                                      stated_count, table_columns, text_of)

TITLE = re.compile(r"(数据集|数据|资源|目录|数据资源|数据目录)?名称|标题")
SUMMARY = re.compile(r"(数据|资源|内容|数据集)?(摘要|描述|简介|说明)|摘要信息")
PROVIDER = re.compile(r"(数据)?(提供|来源|发布|数源|所属|责任)(单位|部门|机构|方)|数据提供方|提供方|数据来源")
FREQUENCY = re.compile(r"更新(频率|周期|频次|频度)")
UPDATED = re.compile(r"(数据)?(最近|最后|最新)?更新(时间|日期)|最后更新|最近更新|更新于|修改(时间|日期)")
CONDITION = re.compile(r"(开放|共享开放|共享)(条件|类型|属性|方式|等级|级别|状态)|访问条件|使用条件")
FORMATS = re.compile(r"(数据|文件|资源|下载)?格式|(数据|文件|资源)类型")
API = re.compile(r"(数据|服务|API|api)?接口(服务|地址)?|API(服务|接口)?|api")

MACHINE_READABLE = ("csv", "xlsx", "xls", "json", "xml", "rdf")
KNOWN_FORMATS = MACHINE_READABLE + ("pdf", "doc", "docx", "txt", "zip", "rar", "shp", "wps", "ofd", "api")
FILE_EXTS = re.compile(r"\.(csv|xlsx?|json|xml|rdf|pdf|docx?|txt|zip|rar|shp|wps|ofd)$", re.I)
NEGATIVE = re.compile(r"^(无|暂无|否|不提供|未提供|不支持|-|—|/)$")
LOGIN_WALL = re.compile(r"登录后(下载|查看|访问|申请|可下载)|请先登录|需(要)?登录")


# An entry of a format list that names an interface (数据接口, API服务, 服务接口) is the API form of the data.
API_FORMAT = re.compile(r"^(数据|服务|api)?(接口|api)(服务|接口)?$")
# A badge, tab or icon that says just this marks the dataset as offering an API.
API_MARK = re.compile(r"^(API|api|接口|数据接口|API接口|接口服务|API服务)$")
# A list cell (接口 column) saying the dataset has an API.
YES = re.compile(r"^(有|是|提供|支持|开放|√|✓|✔|Y|y|yes|YES|API|api|接口)$")


def format_tokens(text: str | None) -> list[str]:
    """The formats a format list names ("CSV、XLSX", "csv,json", "JSON / API服务"), an interface as "api"."""
    out = []
    for tok in re.split(r"[\s,，、/|;；]+", (text or "").lower()):
        tok = tok.strip(".()（）[]")
        tok = {"excel": "xlsx", "word": "doc"}.get(tok, tok)
        if API_FORMAT.match(tok):
            tok = "api"
        if tok in KNOWN_FORMATS and tok not in out:
            out.append(tok)
    return out


def _content_links(root, url: str) -> list[tuple[str, str]]:
    """Links outside the page chrome (nav, header, footer, menus): a site-wide
    "API服务" or "下载中心" menu item says nothing about this dataset."""
    out = []
    for a in root.iter("a"):
        target = absolute(url, a.get("href"))
        if target and not in_chrome(a):
            out.append((target, clean(a.text_content()) or clean(a.get("title"))))
    return out


def _api_marks(root) -> int:
    """Badges, tags and icons outside the chrome reading just API / 接口 (text, title or alt):
    a person reads such a mark on a dataset's page as "this dataset has an API"."""
    n = 0
    for el in root.iter("span", "em", "i", "b", "small", "sup", "mark", "img"):
        label = compact(el.text_content()) or compact(el.get("title")) or compact(el.get("alt"))
        if API_MARK.match(label) and not in_chrome(el):
            n += 1
    return n


def _download_links(anchors: list[tuple[str, str]]) -> list[dict[str, str]]:
    out = []
    for target, text in anchors:
        path = urlsplit(target).path
        ext = FILE_EXTS.search(path)
        if ext or "下载" in text:
            fmt = ext.group(1).lower() if ext else (format_tokens(text) or [""])[0]
            if target not in [d["url"] for d in out]:
                out.append({"url": target, "format": fmt})
    return out


def _api_links(anchors: list[tuple[str, str]]) -> list[str]:
    return [t for t, text in anchors
            if re.search(r"API|api|接口", text) and not re.search(r"接口规范|接口说明$|开发指南", text)]


def dataset_detail(url: str, html: str, hints: dict | None = None) -> dict[str, Any] | None:
    """One dataset's metadata from its detail page, or None when the page is not one."""
    root = parse_tree(html)
    pairs = label_pairs(root)
    found = {
        "summary": pick(pairs, SUMMARY),
        "provider": pick(pairs, PROVIDER),
        "frequency": pick(pairs, FREQUENCY),
        "updated_raw": pick(pairs, UPDATED),
        "open_condition": pick(pairs, CONDITION),
        "formats_raw": pick(pairs, FORMATS),
    }
    if sum(1 for v in found.values() if v) < 2:
        return None
    title = pick(pairs, TITLE)
    if not title:
        title = page_heading(root)
    anchors = _content_links(root, url)
    downloads = _download_links(anchors)
    formats = format_tokens(found["formats_raw"])
    for d in downloads:
        if d["format"] and d["format"] not in formats:
            formats.append(d["format"])
    api_value = pick(pairs, API)
    api_said_no = bool(api_value) and bool(NEGATIVE.match(compact(api_value)))    # 数据接口：暂无
    api_urls = _api_links(anchors)
    api_marks = 0 if api_said_no else _api_marks(root)
    has_api = bool(api_urls) or bool(api_value and not api_said_no) or "api" in formats or api_marks > 0
    text = text_of(root)
    return {
        "url": url,
        "title": title or "",
        "summary": found["summary"] or "",
        "provider": found["provider"] or "",
        "frequency": found["frequency"] or "",
        "updated_at": parse_date(found["updated_raw"]),
        "open_condition": found["open_condition"] or "",
        "formats": [f for f in formats if f != "api"],
        "has_api": has_api,
        "download_url": downloads[0]["url"] if downloads else "",
        "details": {"format_label": bool(found["formats_raw"]), "downloads": downloads[:10],
                    "api_label": bool(api_value and not api_said_no), "api_format": "api" in formats,
                    "api_urls": api_urls[:5], "api_marks": api_marks,
                    "login_required": bool(LOGIN_WALL.search(text)) and not downloads},
    }


LIST_COLUMNS = {"formats": FORMATS, "has_api": API}


def _list_formats(item) -> list[str]:
    """Formats an entry shows: short texts (tags, labels) and format icons' title or alt text."""
    words = [clean(e.text_content()) for e in item.iter("span", "em", "i", "b", "label")]
    words += [clean(e.get("title")) or clean(e.get("alt")) for e in item.iter("i", "img", "span", "em")]
    return format_tokens(" ".join(w for w in words if w))


def catalog_list(url: str, html: str, hints: dict | None = None) -> dict[str, Any]:
    """A catalogue page: dataset links with what the list shows, other pages, stated total.

    What a person reads in a list entry: its formats (tags, or icons by their title / alt),
    and in a table the 数据格式 and 接口 columns by their header (接口 有/是/√ means an API)."""
    hints = hints or {}
    root = parse_tree(html)
    items = select(root, hints.get("dataset_item"))
    if items is None:
        items = repeated_items(root, prefer_dates=False)
    cols: dict[str, int] = {}
    if items and items[0].tag == "tr":
        table = next(items[0].iterancestors("table"), None)
        cols = table_columns(table, LIST_COLUMNS) if table is not None else {}
    out, seen = [], set()
    for item in items:
        link = (select(item, hints.get("dataset_link")) or [None])[0]
        if link is None:
            anchors = [a for a in item.iter("a") if absolute(url, a.get("href"))
                       and not FILE_EXTS.search(urlsplit(absolute(url, a.get("href"))).path)]
            if not anchors:
                continue
            link = max(anchors, key=lambda a: len(clean(a.text_content()) or clean(a.get("title"))))
        target = absolute(url, link.get("href"))
        if target in seen:
            continue
        seen.add(target)
        entry = {"url": target, "title": clean(link.get("title")) or clean(link.text_content()),
                 "formats": _list_formats(item)}
        cells = row_cells(item) if cols else []
        if "formats" in cols and cols["formats"] < len(cells):
            entry["formats"] += [f for f in format_tokens(cells[cols["formats"]].text_content()) if f not in entry["formats"]]
        if "has_api" in cols and cols["has_api"] < len(cells):
            entry["has_api"] = bool(YES.match(compact(cells[cols["has_api"]].text_content())))
        if "api" in entry["formats"]:
            entry["formats"].remove("api")
            entry["has_api"] = True
        out.append(entry)
    text = text_of(root)
    return {"items": out, "pages": pager_links(root, url, html if isinstance(html, str) else None),
            "form_pages": form_pages(root, url), "stated_total": stated_count(text), "empty": placeholder(text) and not out}


# JSON catalogues: keys are matched after lower-casing and dropping _ and -.
JSON_KEYS = {
    "title": ("title", "name", "dataname", "resname", "resourcename", "catalogname", "datasetname", "cataname", "mc", "名称"),
    "url": ("detailurl", "url", "link", "href", "pageurl"),
    "id": ("id", "datasetid", "resid", "resourceid", "catalogid", "uuid", "cataid"),
    "summary": ("summary", "description", "desc", "abstract", "intro", "remark", "摘要", "描述"),
    "provider": ("orgname", "provider", "deptname", "department", "dept", "org", "publisher", "source", "sourcedept", "提供单位"),
    "frequency": ("updatefrequency", "frequency", "updatecycle", "cycle", "updaterate", "更新频率"),
    "updated_at": ("updatetime", "updatedate", "lastupdate", "modified", "updated", "gmtmodified", "更新时间"),
    "open_condition": ("opencondition", "opentype", "openlevel", "opencond", "sharetype", "openmode", "开放条件"),
    "formats": ("formats", "format", "fileformats", "filetype", "filetypes", "datatypes", "数据格式"),
    "has_api": ("hasapi", "apicount", "apinum", "isapi", "api", "apiurl", "interface"),
    "download_url": ("downloadurl", "fileurl", "download", "downurl"),
}



# Fallback stems: a key containing one of these (e.g. resDesc, fileFormat) also matches.
JSON_STEMS = {
    "summary": ("desc", "summary", "abstract", "intro"),
    "provider": ("orgname", "deptname", "department", "provider", "publisher"),
    "frequency": ("freq", "cycle"),
    "updated_at": ("updatetime", "updatedate", "modif", "lastupdate"),
    "open_condition": ("opentype", "opencond", "openlevel", "sharetype", "openmode"),
    "formats": ("format", "filetype"),
    "has_api": ("apicount", "apinum", "hasapi", "apiurl", "apiflag", "apistatus", "isapi", "interfaceflag"),
    "download_url": ("download", "fileurl"),
}


def _get(record: dict, what: str) -> Any:
    return field(record, JSON_KEYS[what], JSON_STEMS.get(what, ()))


def _truthy(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)):
        return value > 0
    if isinstance(value, (list, dict)):
        return bool(value)
    return bool(value) and not NEGATIVE.match(compact(str(value))) and compact(str(value)).lower() not in ("0", "false", "n", "no")


def looks_like_catalog(data: Any) -> bool:
    recs = records(data)
    return bool(recs) and field(recs[0], JSON_KEYS["title"]) is not None


def catalog_json(url: str, data: Any, hints: dict | None = None) -> dict[str, Any]:
    """Datasets of a JSON catalogue response and the total it states."""
    hints = hints or {}
    items = []
    for rec in records(data):
        title = field(rec, JSON_KEYS["title"])
        if title is None:
            continue
        ident = _get(rec, "id")
        target = _get(rec, "url")
        if target:
            target = absolute(url, str(target))
        elif ident is not None and hints.get("dataset_url_template"):
            target = absolute(url, hints["dataset_url_template"].format(id=ident))
        formats_raw = _get(rec, "formats")
        if isinstance(formats_raw, list):
            formats_raw = " ".join(map(str, formats_raw))
        api = _get(rec, "has_api")
        download = _get(rec, "download_url")
        items.append({
            "url": target or f"{url.split('?')[0]}#{ident if ident is not None else title}",
            "detail": bool(target),
            "title": clean(str(title)),
            "summary": clean(str(_get(rec, "summary") or "")),
            "provider": clean(str(_get(rec, "provider") or "")),
            "frequency": clean(str(_get(rec, "frequency") or "")),
            "updated_at": parse_date(str(_get(rec, "updated_at") or "")),
            "open_condition": clean(str(_get(rec, "open_condition") or "")),
            "formats": [f for f in format_tokens(formats_raw) if f != "api"],
            "has_api": _truthy(api) if api is not None else "api" in format_tokens(formats_raw),
            "download_url": absolute(url, str(download)) if download else "",
        })
    return {"items": items, "stated_total": total(data)}


# Platform-level signals, read from every page.
STATED_TOTAL = (re.compile(r"(?:数据集|数据资源|开放数据|数据目录)(?:总数|总量|数量|数)?[^\d\n年，。；;]{0,8}?(\d[\d,]*)\s*(?:个|项|条|份|类|$|\n|\s)"),
                re.compile(r"(\d[\d,]*)\s*(?:个|项|条|份)\s*(?:开放)?(?:数据集|数据资源|数据目录)"))
APPS = re.compile(r"应用(展示|成果|案例|场景|商店|中心)?$|(利用|开发|创新|数据|优秀)(成果|应用)|成果展示|^应用$|APP(展示)?$", re.I)
SECURITY = re.compile(r"数据安全|安全(管理|保障|保护)?(办法|制度|政策|声明|规范|措施|条款)|安全声明")
FEEDBACK_LABEL_MAX = 10
FEEDBACK = {
    "request": re.compile(r"数据(申请|需求)|需求(征集|申请|调查)|申请(开放|数据)|我要申请|开放申请|数源申请"),
    "correction": re.compile(r"纠错|报错|错误反馈|问题反馈|数据反馈"),
    "rating": re.compile(r"评价|评分|满意度|打分|星级|点评"),
}


def platform_stated_total(text: str) -> int | None:
    """The first dataset total the text states ('数据集总数：20', '已开放 1,234 个数据集')."""
    found = [m for m in (rx.search(text or "") for rx in STATED_TOTAL) if m]
    if not found:
        return None
    return int(min(found, key=lambda m: m.start(1)).group(1).replace(",", ""))


def opendata_signals(url: str, html: str) -> dict[str, Any]:
    """What one page says about the platform: stated total, links to the apps
    showcase and the security policy, feedback functions present."""
    root = parse_tree(html)
    text = text_of(root)
    anchors = links(root, url)
    # a feedback function is a control a person can use: a link (a script link such as
    # href="javascript:;" onclick="openModal('jc')" too), a button, an input button
    controls = [clean(e.text_content()) or clean(e.get("value")) or clean(e.get("title")) for e in root.iter("a", "button", "input")]
    # named for the function (数据纠错, 我要评价, 需求征集): a dataset titled 学校评价数据 is no rating function
    labels = [t for t in [t for _, t in anchors] + controls if t and len(t) <= FEEDBACK_LABEL_MAX]
    return {
        "stated_total": platform_stated_total(text),
        "app_links": [u for u, t in anchors if t and len(t) <= 12 and APPS.search(t)],
        "security_links": [u for u, t in anchors if t and SECURITY.search(t)],
        "feedback": sorted(k for k, rx in FEEDBACK.items() if any(rx.search(lab) for lab in labels)
                           or (k == "rating" and root.find(".//input[@type='radio']") is not None and "满意" in text)),
    }


APP_TOTAL = re.compile(r"共\s*(\d[\d,]*)\s*(?:个|项|款|件)?\s*(?:应用|成果|案例)?")


NO_APPS = re.compile(r"暂无(应用|成果|案例|作品|相关应用)|没有(应用|成果)")


def app_count(url: str, html: str) -> dict[str, Any]:
    """Number of applications shown on an apps / 成果 page: its stated total, else its list
    items. As a person counts them: the items of the showcase itself (a menu's entries are not
    apps), none when the page says so (暂无应用, 暂无数据) or its grid is empty."""
    root = parse_tree(html)
    text = text_of(root)
    items = repeated_items(root, min_items=1, prefer_dates=False, skip_chrome=True)
    m = APP_TOTAL.search(text)
    return {"stated": int(m.group(1).replace(",", "")) if m else None, "items": len(items),
            "names": [clean(i.text_content())[:40] for i in items[:50]],
            "empty": placeholder(text) or bool(NO_APPS.search(compact(text)))}
