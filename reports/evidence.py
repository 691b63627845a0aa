"""A finding's evidence as tables a person reads (headings + rows of text), shared by the HTML
report, the 整改通知 (HTML and .docx) and the XLSX: the dead-link table, the stale or blank
columns with their newest date and URL, the wrong wording in its snippet, the masked personal
data and where it sits. Codes are shown in Chinese (checks/zh.py); a cell that is an http(s)
URL becomes a link in HTML only."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

from checks.zh import reason_zh

MAX_ROWS = 50


@dataclass
class Table:
    caption: str
    headings: list[str]
    rows: list[list[str]] = field(default_factory=list)
    more: int = 0             # rows left out (shown as a count, all are in the exports)


def _join(urls: Any, limit: int = 5) -> str:
    urls = list(urls or [])
    text = "\n".join(str(u) for u in urls[:limit])
    return text + (f"\n……等 {len(urls)} 个页面" if len(urls) > limit else "")


def _table(caption: str, headings: list[str], rows: list[list[Any]]) -> Table:
    cells = [["" if v is None else str(v) for v in r] for r in rows]
    return Table(caption, headings, cells[:MAX_ROWS], max(0, len(cells) - MAX_ROWS))


def _dead_links(d: dict) -> list[Table]:
    confirmed = set(d.get("confirmed") or [])
    rows = [[t.get("url"), reason_zh(t.get("reason")), _join(t.get("linked_from")),
             "确认" if t.get("url") in confirmed else "疑似"] for t in d.get("targets") or []]
    return [_table("错误链接", ["目标地址", "HTTP 状态或原因", "所在页面", "判定"], rows)] if rows else []


def _attachments(d: dict) -> list[Table]:
    rows = [[x.get("url"), reason_zh(x.get("reason")), _join(x.get("linked_from"))] for x in d.get("failing") or []]
    return [_table("无法下载的附件", ["附件地址", "原因", "所在页面"], rows)] if rows else []


def _stale_columns(d: dict) -> list[Table]:
    rows = [[c.get("name"), reason_zh(c.get("type")), c.get("newest_date") or "无日期",
             "—" if c.get("age_days") is None else f"{c['age_days']} 天",
             "—" if c.get("limit_days") is None else f"{c['limit_days']} 天", c.get("url")]
            for c in d.get("columns") or [] if c.get("stale")]
    return [_table("超期未更新栏目", ["栏目", "类型", "最新日期", "距今", "时限", "地址"], rows)] if rows else []


def _blank_columns(d: dict) -> list[Table]:
    rows = [[c.get("name"), c.get("placeholder") or "列表为空", c.get("url")] for c in d.get("blank") or []]
    return [_table("空白栏目", ["栏目", "页面显示", "地址"], rows)] if rows else []


def _homepage_date(d: dict) -> list[Table]:
    if not d.get("newest_date"):
        return []
    return [_table("首页最新信息", ["最新日期", "带日期的条目"], [[d["newest_date"], d.get("dated_items")]])]


def _matches(d: dict) -> list[Table]:
    rows = [[m.get("snippet"), m.get("rule"), m.get("url"), m.get("pages")] for m in d.get("matches") or []]
    return [_table("命中内容（候选，须人工确认）", ["原文片段", "规则（错误 => 正确）", "页面", "出现页数"], rows)] if rows else []


PII_ZH = {"id_number": "身份证号", "mobile": "手机号"}


def _pii(d: dict, evidence: list[dict]) -> list[Table]:
    where = {"page": "网页", "attachment": "附件"}
    rows = [[p.get("url"), where.get(p.get("source"), p.get("source")),
             "、".join(PII_ZH.get(t, t) for t in p.get("types") or []), p.get("hits")] for p in d.get("pages") or []]
    snippets = [[e.get("text"), PII_ZH.get(e.get("rule"), e.get("rule")), e.get("ref")]
                for e in evidence if e.get("kind") == "snippet"]
    out = []
    if rows:
        out.append(_table("含个人信息的页面与附件", ["地址", "位置", "信息类型", "处数"], rows))
    if snippets:
        out.append(_table("遮盖后的原文", ["原文片段（已遮盖）", "类型", "地址"], snippets))
    return out


def _axe(d: dict) -> list[Table]:
    impact = {"critical": "严重", "serious": "较严重", "moderate": "中等", "minor": "轻微"}
    rows = [[r.get("id"), impact.get(r.get("impact"), r.get("impact")), r.get("count"), _join(r.get("pages"))]
            for r in d.get("rules") or []]
    return [_table("违反的无障碍规则（axe-core）", ["规则", "影响", "元素数", "页面"], rows)] if rows else []


def _ads(d: dict) -> list[Table]:
    rows = [[reason_zh(i.get("why")), (i.get("label") or "").strip()[:80]] for i in d.get("items") or []]
    return [_table("广告与弹窗", ["类型", "文字"], rows)] if rows else []


BUILDERS: dict[str, Callable[[dict], list[Table]]] = {
    "links.dead_homepage": _dead_links, "links.dead_site": _dead_links, "links.attachments": _attachments,
    "update.stale_columns": _stale_columns, "update.blank_columns": _blank_columns,
    "update.homepage": _homepage_date, "content.wording_errors": _matches, "content.typos": _matches,
    "content.sensitive_words": _matches, "a11y.axe": _axe, "elder.no_ads": _ads,
}


def tables(check_id: str, details: dict | None, evidence: list[dict] | None) -> list[Table]:
    """The evidence tables of one finding; the generic one lists its evidence URLs and snippets.
    Details of another shape (an older check version) fall back to the generic table."""
    details = details if isinstance(details, dict) else {}
    evidence = [e for e in evidence or [] if isinstance(e, dict)]
    try:
        if check_id == "privacy.pii_exposure":
            return _pii(details, evidence)
        if check_id in BUILDERS:
            return BUILDERS[check_id](details)
    except (TypeError, AttributeError, KeyError, ValueError):
        pass
    rows = [[e.get("ref"), e.get("text") or "", reason_zh(e.get("rule") or e.get("reason") or "")]
            for e in evidence if e.get("kind") in ("url", "snippet")]
    return [_table("证据", ["地址", "内容", "说明"], rows)] if rows else []
