"""Messages (留言, 来信, 诉求) on hotline / 政民互动 boards: list pages and detail pages.

Pure functions of (url, decoded html, hints). Fields are found by their
labels (提问时间, 留言时间, 来信日期, 回复时间, 答复时间, 办理状态, 答复单位,
回访…), in table columns, definition lists, label/value spans or text; list
items are the page's main repeated elements. Hints (CSS selectors) take over
where a site defeats the heuristics: `message_item`, `message_link`,
`message_submitted`, `message_replied`, `message_status`.

The rules, as a person reading a board applies them (each checked on the
boards of tests/generality/):
- Dates in every form boards print: 2024-05-06, 2024/5/6, 2024年5月6日, and in
  lists 05-06 (this year's, unless that is after today) and 5天前 / 昨天
  (counted back from the day the list is read).
- A message is replied when it shows a reply time or a status such as
  已回复/已答复/已办结; 办理中/已受理/转办/待回复 are not replies.
- The reply time is the labelled one (答复时间…), else the date under the
  答复意见 heading, else the one on the reply's own page that the message links
  to (查看答复 / 回复详情: TRS and Hanweb boards).
- 回访 / 满意度 count when they show a result (满意, 基本满意, 不满意, stars, a
  percentage, 已回访); 暂无 / 未回访 / 待评价 and a rating form's options do not.
"""
from __future__ import annotations

import re
from datetime import date, datetime, timezone
from typing import Any

from core.dates import item_date, parse_date
from crawler.extract.labelled import (absolute, clean, compact, form_pages, label_pairs, page_heading, pager_links,
                                      select, parse_tree, pick, placeholder, repeated_items, row_cells,
                                      stated_count, table_columns, text_of)

SUBMITTED = re.compile(r"(留言|提问|来信|写信|提交|诉求|咨询|投诉|求助|建议|来电|登记|反映|发帖|申请|受理|信件)(时间|日期)")
BARE_TIME = re.compile(r"(发布|发表)?(时间|日期)")
REPLIED = re.compile(r"(回复|答复|办结|反馈|处理|回应|办理)(时间|日期)|回复于|答复于")
STATUS = re.compile(r"(办理|处理|回复|答复|办件|受理)?(状态|情况)|办理进度")
UNIT = re.compile(r"(回复|答复|办理|承办|处理|受理|责任|回复办理)(单位|部门|机构)|答复机构")
FOLLOW = re.compile(r"回访(情况|结果|时间|内容|意见)?|满意度(评价)?|(群众|市民|用户|来信人)?评价(结果)?|是否满意")
TITLE = re.compile(r"(留言|信件|来信|诉求|咨询|问题)?(标题|主题)")
REPLY_HEADING = re.compile(r"^(回复|答复|办理|处理)(内容|意见|结果|情况)?[：:]?$|^(回复|答复)[：:]")

REPLIED_WORDS = re.compile(r"已(回复|答复|办结|反馈|处理|完成|回应)|办结|已结案")
PENDING_WORDS = re.compile(r"未(回复|答复|办结|处理)|待(回复|答复|处理|办理)|(办理|处理|受理)中|正在(办理|处理)|已受理|已转办")
NEGATIVE = re.compile(r"^(无|暂无|未回访|未评价|待评价|未评|/|-|—|否)$")
# A rating form's options (满意 基本满意 不满意) or a call to rate are not a result.
RATING_FORM = re.compile(r"满意.*不满意|不满意.*满意|请评价|我要评价|去评价|点击评价|提交评价")


def status_replied(status: str | None) -> bool | None:
    """True/False when the shown 办理状态 says replied / pending, None when it says neither."""
    s = compact(status)
    if not s:
        return None
    if PENDING_WORDS.search(s):
        return False
    if REPLIED_WORDS.search(s):
        return True
    return None


def fields_from_pairs(pairs: list[tuple[str, str]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    sub = pick(pairs, SUBMITTED, exclude=REPLIED)
    if sub and parse_date(sub):
        out["submitted_at"] = parse_date(sub)
    rep = pick(pairs, REPLIED)
    if rep and parse_date(rep):
        out["replied_at"] = parse_date(rep)
    status = pick(pairs, STATUS)
    if status:
        out["status"] = status[:50]
    unit = pick(pairs, UNIT)
    if unit:
        out["reply_unit"] = unit[:200]
    title = pick(pairs, TITLE)
    if title:
        out["title"] = title
    for lab, value in pairs:
        if FOLLOW.fullmatch(lab):
            v = compact(value)
            if v and not NEGATIVE.match(v) and not RATING_FORM.search(v):
                out["follow_up"] = True
                if "满意" in v or "评价" in lab or "满意" in lab:
                    out.setdefault("satisfaction", value[:50])
    return out


def _rating_options(root) -> set[str]:
    """Texts of the radio/checkbox options on the page (满意, 基本满意, 不满意…)."""
    out = set()
    for inp in root.iter("input"):
        if inp.get("type") in ("radio", "checkbox"):
            parent = inp.getparent()
            if parent is not None and parent.tag == "label":
                label = compact(parent.text_content())
            else:
                label = compact(inp.tail) or compact(inp.get("value"))
            if label:
                out.add(label)
    return out


def _reply_date_from_sections(text: str) -> str | None:
    """The first date after a 回复/答复意见 heading, when no labelled reply time exists."""
    lines = text.split("\n")
    for i, line in enumerate(lines):
        if REPLY_HEADING.search(compact(line)):
            for nxt in [line] + lines[i + 1:i + 12]:
                d = parse_date(nxt)
                if d:
                    return d
    return None


def _css(root, selector: str | None):
    if not selector:
        return None
    found = select(root, selector)
    return found[0] if found else None


def message_detail(url: str, html: str, hints: dict | None = None) -> dict[str, Any] | None:
    """Fields of one message from its detail page, or None when the page is not one."""
    hints = hints or {}
    root = parse_tree(html)
    pairs = label_pairs(root)
    fields = fields_from_pairs(pairs)
    for key, hint in (("submitted_at", "message_submitted"), ("replied_at", "message_replied")):
        el = _css(root, hints.get(hint))
        if el is not None and parse_date(el.text_content()):
            fields[key] = parse_date(el.text_content())
    el = _css(root, hints.get("message_status"))
    if el is not None:
        fields["status"] = clean(el.text_content())[:50]
    if "submitted_at" not in fields and (fields.get("replied_at") or status_replied(fields.get("status")) is not None):
        # 时间/日期 alone names the submission only on a page that is plainly a message
        bare = pick(pairs, BARE_TIME)
        if bare and parse_date(bare):
            fields["submitted_at"] = parse_date(bare)
    if "submitted_at" not in fields:
        return None
    if fields.get("follow_up") and _rating_options(root) & {compact(fields.get("satisfaction"))}:
        fields.pop("follow_up")          # the value read was an option of a rating form
        fields.pop("satisfaction", None)
    text = text_of(root)
    if "replied_at" not in fields:
        found = _reply_date_from_sections(text)
        if found and found[:10] >= fields["submitted_at"][:10]:
            fields["replied_at"] = found
    if not fields.get("follow_up") and _follow_up_in_text(text):
        fields["follow_up"] = True
    if "title" not in fields:
        fields["title"] = page_heading(root)
    if "replied_at" not in fields:
        link = _reply_link(root, url)
        if link:
            fields["reply_link"] = link
    fields["url"] = url
    return fields


FOLLOW_TEXT = re.compile(r"已回访|回访(?:结果|情况)?[：:]\s*([^\s，。,；;]+)")
# A link from a message to its reply shown on a page of its own (TRS/Hanweb boards: 查看答复).
REPLY_LINK = re.compile(r"^(点击)?(查看)?(答复|回复|办理|处理)(详情|内容|意见|结果|情况)$|^查看(答复|回复)$")


def _follow_up_in_text(text: str) -> bool:
    """已回访, or 回访结果：<a result>; 回访结果：暂无 / 未回访 says there was none."""
    for m in FOLLOW_TEXT.finditer(text):
        if not m.group(1) or not NEGATIVE.match(m.group(1)):
            return True
    return False


def _reply_link(root, url: str) -> str | None:
    for a in root.iter("a"):
        target = absolute(url, a.get("href"))
        if target and target != url and REPLY_LINK.match(compact(a.text_content())):
            return target
    return None


def reply_fields(url: str, html: str) -> dict[str, Any]:
    """The reply of a message shown on its own page (reached by 查看答复 from the message):
    reply time (labelled, else the date under the 答复 heading), replying unit, 回访 / 满意度."""
    root = parse_tree(html)
    fields = {k: v for k, v in fields_from_pairs(label_pairs(root)).items()
              if k in ("replied_at", "reply_unit", "follow_up", "satisfaction")}
    text = text_of(root)
    if "replied_at" not in fields:
        found = _reply_date_from_sections(text)
        if found:
            fields["replied_at"] = found
    if not fields.get("follow_up") and _follow_up_in_text(text):
        fields["follow_up"] = True
    return fields


# List table columns by their header, in this order (a 回复时间 column is never the submission time).
LIST_COLUMNS = {"replied_at": REPLIED, "submitted_at": SUBMITTED, "status": STATUS, "reply_unit": UNIT,
                "title": TITLE, "satisfaction": FOLLOW}


def _short_date(item, link_el, today: date) -> str | None:
    """A list entry's date printed short, as boards do for recent messages: 05-06 (this
    year's, unless that is after today: then last year's) or 5天前 / 昨天 (counted back from
    the day the list is read). Read from the entry's own small elements, never its title."""
    for el in item.iter():
        if not isinstance(el.tag, str) or len(el) or el is link_el or link_el in el.iterancestors():
            continue
        found = item_date(clean(el.text_content()), today) if len(clean(el.text_content())) <= 12 else None
        if found:
            return found.isoformat()
    return None


def _item_fields(item, base_url: str, cols: dict[str, int], hints: dict, today: date) -> dict[str, Any] | None:
    link_el = _css(item, hints.get("message_link")) if hints.get("message_link") else None
    anchors = [a for a in item.iter("a") if absolute(base_url, a.get("href"))]
    if link_el is None and anchors:
        link_el = max(anchors, key=lambda a: len(clean(a.text_content()) or clean(a.get("title"))))
    if link_el is None:
        return None
    out: dict[str, Any] = {"url": absolute(base_url, link_el.get("href")),
                           "title": clean(link_el.get("title")) or clean(link_el.text_content())}
    if item.tag == "tr" and cols:
        cells = row_cells(item)
        for key, idx in cols.items():
            if idx < len(cells):
                value = clean(cells[idx].text_content())
                if key.endswith("_at"):
                    value = parse_date(value)
                if key == "satisfaction" and (NEGATIVE.match(compact(value)) or RATING_FORM.search(compact(value))):
                    value = ""
                if value:
                    out[key] = value
                    if key == "satisfaction":
                        out["follow_up"] = True
        out["labelled"] = "submitted_at" in out
    else:
        out.update({k: v for k, v in fields_from_pairs(label_pairs(item, max_label=8)).items() if k != "title"})
        out["labelled"] = "submitted_at" in out
        if "submitted_at" not in out:
            date = parse_date(text_of(item)) or _short_date(item, link_el, today)
            if date:
                out["submitted_at"] = date
        if "status" not in out:
            m = re.search(r"(已|未|待)(回复|答复|办结|处理|受理|反馈)|(办理|处理|受理)中|办结", compact(item.text_content()))
            if m:
                out["status"] = m.group(0)
    return out


def inline_messages(root, url: str) -> list[dict[str, Any]]:
    """Messages shown whole on a list page (question and answer, no detail page):
    repeated sibling blocks each carrying a labelled submission time."""
    best: list[dict[str, Any]] = []
    for parent in root.iter():
        if not isinstance(parent.tag, str):
            continue
        groups: dict[tuple, list] = {}
        for child in parent:
            if isinstance(child.tag, str) and child.tag in ("div", "li", "table", "dl", "section", "article", "tr"):
                groups.setdefault((child.tag, child.get("class") or ""), []).append(child)
        for blocks in groups.values():
            if len(blocks) < 2 or len(blocks) <= len(best):
                continue
            found = []
            for i, block in enumerate(blocks):
                fields = fields_from_pairs(label_pairs(block, max_label=8))
                if "submitted_at" not in fields:
                    break
                if "replied_at" not in fields:
                    reply = _reply_date_from_sections(text_of(block))
                    if reply and reply[:10] >= fields["submitted_at"][:10]:
                        fields["replied_at"] = reply
                anchor = next((a for a in block.iter("a") if absolute(url, a.get("href"))), None)
                fields.setdefault("title", clean(anchor.text_content()) if anchor is not None else
                                  clean(text_of(block).split("\n")[0])[:100])
                found.append({**fields, "url": f"{url}#message-{i + 1}", "labelled": True, "inline": True})
            else:
                best = found
    return best


def message_list(url: str, html: str, hints: dict | None = None, today: date | None = None) -> dict[str, Any]:
    """A list page of messages: items (url, title and whatever fields the list
    shows), other pages of the list, the list's stated total, and whether it
    says it is empty. `today` (UTC by default) dates the short forms 05-06 and 5天前."""
    hints = hints or {}
    root = parse_tree(html)
    items = select(root, hints.get("message_item"))
    if items is None:
        items = repeated_items(root)
    cols: dict[str, int] = {}
    if items and items[0].tag == "tr":
        table = next(items[0].iterancestors("table"), None)
        if table is not None:
            cols = table_columns(table, LIST_COLUMNS)
    out = []
    seen = set()
    for item in items:
        fields = _item_fields(item, url, cols, hints, today or datetime.now(timezone.utc).date())
        if fields and fields["url"] not in seen:
            seen.add(fields["url"])
            out.append(fields)
    # a list of messages carries submission dates; a menu of links does not
    is_list = bool(out) and sum(1 for f in out if f.get("submitted_at")) >= max(1, len(out) // 2)
    if not is_list and not hints.get("message_item") and SUBMITTED.search(compact(text_of(root))):
        out = inline_messages(root, url)
        is_list = bool(out)
    text = text_of(root)
    return {"items": out if is_list else [], "pages": pager_links(root, url, html if isinstance(html, str) else None),
            "form_pages": form_pages(root, url), "stated_total": stated_count(text), "empty": placeholder(text) and not is_list}


# Board-level signals, read from every page of a hotline site.
KNOWLEDGE = re.compile(r"知识库|热点(问题|问答|咨询)|常见问题|问答库|百问百答|政策问答|热点解答|FAQ", re.I)
PROACTIVE = re.compile(r"主动回应|回应(社会)?关切|热点回应|权威回应|回应关注")
SATISFACTION_RATE = re.compile(r"(满意率|好评率|满意度|满意度评价)\D{0,8}\d+(\.\d+)?\s*[%％分]")
SATISFACTION_LINK = re.compile(r"满意度(评价|测评|调查)?|评价(回复|办理)|我要评价|好评率|满意率")
STATS = re.compile(r"(受理|办结|办理|回复|答复|来电|来信|诉求|工单|话务|接听|转办)(量|率|总量|总数|数|件数|数量)\D{0,10}\d")


def hotline_signals(url: str, html: str) -> dict[str, Any]:
    """What one page says about the board: links to knowledge-base / proactive
    columns, a satisfaction rating function or published rate, handling statistics."""
    root = parse_tree(html)
    text = text_of(root)
    anchors = [(u, t) for u, t in _anchors(root, url) if t and len(t) <= 16]
    flat = compact(text)
    rating_form = any(
        "满意" in (clean(inp.get("value")) + clean(inp.getparent().text_content() if inp.getparent() is not None else ""))
        for inp in root.iter("input") if inp.get("type") in ("radio", "checkbox"))
    rate = SATISFACTION_RATE.search(flat)
    stats = STATS.findall(flat)
    return {
        "knowledge_links": [u for u, t in anchors if KNOWLEDGE.search(t)],
        "proactive_links": [u for u, t in anchors if PROACTIVE.search(t)],
        "satisfaction_links": [u for u, t in anchors if SATISFACTION_LINK.search(t)],
        "satisfaction_rate": rate.group(0) if rate else None,
        "rating_form": rating_form,
        "stats": sorted({"".join(s) for s in stats}),
    }


def _anchors(root, url):
    from crawler.extract.labelled import links
    return links(root, url)


# JSON message lists: keys are matched after lower-casing and dropping _ and -.
JSON_KEYS = {
    "title": ("title", "subject", "lettertitle", "messagetitle", "questiontitle", "name", "bt", "标题"),
    "url": ("detailurl", "url", "link", "href", "pageurl"),
    "id": ("id", "letterid", "messageid", "msgid", "questionid", "uuid"),
    "submitted_at": ("createtime", "submittime", "addtime", "asktime", "lettertime", "writetime", "writedate",
                     "createdate", "questiontime", "posttime", "lysj", "xxsj", "留言时间", "提问时间"),
    "replied_at": ("replytime", "answertime", "replydate", "answerdate", "handletime", "finishtime", "dfsj", "hfsj",
                   "回复时间", "答复时间"),
    "status": ("statusname", "statename", "statustext", "handlestatus", "status", "state", "blzt", "办理状态"),
    "reply_unit": ("replyunit", "replydept", "handledept", "answerdept", "deptname", "orgname", "unitname", "答复单位"),
    "satisfaction": ("satisfaction", "evaluate", "evaluation", "myd", "满意度"),
}
JSON_STEMS = {
    "submitted_at": ("createtime", "submit", "asktime", "writedate", "writetime", "lettertime"),
    "replied_at": ("reply", "answer"),
}


def _json_field(record: dict, what: str):
    from crawler.extract.json_records import field
    return field(record, JSON_KEYS[what], JSON_STEMS.get(what, ()))


def message_json(url: str, data: Any, hints: dict | None = None) -> dict[str, Any]:
    """Messages of a JSON list response (items as message_list gives them) and the stated total.
    A response whose records carry no title and submission time is not a message list."""
    from crawler.extract.json_records import records, total
    hints = hints or {}
    items = []
    for rec in records(data):
        title, submitted = _json_field(rec, "title"), _json_field(rec, "submitted_at")
        if title is None or not parse_date(str(submitted or "")):
            continue
        ident, target = _json_field(rec, "id"), _json_field(rec, "url")
        if target:
            target = absolute(url, str(target))
        elif ident is not None and hints.get("message_url_template"):
            target = absolute(url, hints["message_url_template"].format(id=ident))
        item = {"url": target or f"{url.split('?')[0]}#{ident if ident is not None else title}",
                "detail": bool(target), "title": clean(str(title)), "submitted_at": parse_date(str(submitted))}
        replied = parse_date(str(_json_field(rec, "replied_at") or ""))
        if replied:
            item["replied_at"] = replied
        status = _json_field(rec, "status")
        if isinstance(status, str) and status.strip():
            item["status"] = clean(status)[:50]
        for key in ("reply_unit", "satisfaction"):
            value = _json_field(rec, key)
            if isinstance(value, str) and value.strip():
                item[key] = clean(value)[:50 if key == "satisfaction" else 200]
        if item.get("satisfaction"):
            item["follow_up"] = True
        items.append(item)
    return {"items": items, "stated_total": total(data)}
