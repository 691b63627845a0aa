"""A finding's evidence as tables a person reads (headings + rows of text), shared by the HTML
report, the 整改通知 (HTML and .docx), the XLSX and the console: list-like findings (dead links,
stale or blank columns, wrong wording, masked personal data…) carry a typed table in
details.table (checks.base.table) drawn here the same way whatever the check; other findings
list their evidence. Codes are shown in Chinese (checks/zh.py); a cell that is an http(s)
URL becomes a link in HTML only."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

from checks.attachments import failing_table
from checks.browser import axe_table
from checks.content import matches_table
from checks.elder import ads_table
from checks.links import dead_link_table
from checks.privacy import PII_WORDS, pii_table
from checks.update import blank_table, homepage_table, stale_table
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


def _cell(value: Any, heading: dict) -> Any:
    """One value of a typed table (checks.base.table) as a person reads it."""
    if value is None or value == "" or value == []:
        return heading.get("empty", "")
    kind, words = heading.get("value_type"), heading.get("words") or {}
    if kind == "code":
        return words.get(value) or reason_zh(value)
    if kind == "codes":
        return "、".join(words.get(v) or reason_zh(v) for v in value)
    if kind == "urls":
        return _join(value)
    if kind == "days":
        return f"{value} 天"
    return value


def draw(typed: dict) -> list[Table]:
    """A typed table of a finding's details, drawn the same way whatever the check; none when empty."""
    heads = typed["headings"]
    rows = [[_cell(item.get(h["key"]), h) for h in heads] for item in typed["items"]]
    return [_table(typed["caption"], [h["label"] for h in heads], rows)] if rows else []


def is_table(value: Any) -> bool:
    return isinstance(value, dict) and value.get("type") == "table"


# The typed table of each list-like check, made by the check's own builder from the details of
# findings that do not hold it (stored before checks wrote details.table; PII never stores it).
TABLE_OF_DETAILS: dict[str, Callable[[dict], dict]] = {
    "links.dead_homepage": dead_link_table, "links.dead_site": dead_link_table, "links.attachments": failing_table,
    "update.stale_columns": stale_table, "update.blank_columns": blank_table, "update.homepage": homepage_table,
    "content.wording_errors": matches_table, "content.typos": matches_table, "content.sensitive_words": matches_table,
    "a11y.axe": axe_table, "elder.no_ads": ads_table, "privacy.pii_exposure": pii_table,
}


def _pii_snippets(evidence: list[dict]) -> list[Table]:
    snippets = [[e.get("text"), PII_WORDS.get(e.get("rule"), e.get("rule")), e.get("ref")]
                for e in evidence if e.get("kind") == "snippet"]
    return [_table("遮盖后的原文", ["原文片段（已遮盖）", "类型", "地址"], snippets)] if snippets else []


def tables(check_id: str, details: dict | None, evidence: list[dict] | None) -> list[Table]:
    """The evidence tables of one finding: its typed table (details.table), else the generic one
    listing its evidence URLs and snippets. Details of another shape (an older check version)
    fall back to the generic table."""
    details = details if isinstance(details, dict) else {}
    evidence = [e for e in evidence or [] if isinstance(e, dict)]
    try:
        typed = details.get("table")
        if not is_table(typed) and check_id in TABLE_OF_DETAILS:
            typed = TABLE_OF_DETAILS[check_id](details)
        if is_table(typed):
            out = draw(typed)
            return out + _pii_snippets(evidence) if check_id == "privacy.pii_exposure" else out
    except (TypeError, AttributeError, KeyError, ValueError):
        pass
    rows = [[e.get("ref"), e.get("text") or "", reason_zh(e.get("rule") or e.get("reason") or "")]
            for e in evidence if e.get("kind") in ("url", "snippet")]
    return [_table("证据", ["地址", "内容", "说明"], rows)] if rows else []
