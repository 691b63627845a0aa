"""What the report, the notices and the workbook say about scores and runs, in Chinese: score
states and reasons, veto states, times in the evaluators' zone. Finding words (statuses, error
kinds, units, reasons) are the checks' own tables in checks/zh.py."""
from __future__ import annotations

import re
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

from checks.zh import ERROR_KIND_ZH, SITE_KIND_ZH

DEFAULT_TIMEZONE = "Asia/Shanghai"
STATE_ZH = {"ok": "已测", "missing": "缺失", "not_applicable": "不适用"}
VETO_ZH = {"veto": "否决", "pending_review": "待复核", "missing": "无法判断", "rejected": "经复核不否决",
           "clear": "未触发"}
_REASON_ZH = {"not applicable": "不适用", "not measured": "未测量", "no value": "无数值", "manual": "人工评分",
              "no manual value": "未填写人工评分", "no applicable site": "无适用网站"}


def score_reason_zh(reason: str | None) -> str:
    """A score row's reason (reports/scoring.py) as a reader reads it."""
    text = str(reason or "")
    if text in _REASON_ZH:
        return _REASON_ZH[text]
    if text in VETO_ZH:
        return VETO_ZH[text]
    if text.startswith("error: "):
        kinds = [ERROR_KIND_ZH.get(k.strip(), k.strip()) for k in text[7:].split(",")]
        return "无法测量（" + "、".join(kinds) + "）"
    m = re.fullmatch(r"no (\w+) site", text)
    if m:
        return f"无{SITE_KIND_ZH.get(m.group(1), m.group(1))}"
    m = re.fullmatch(r"-(\d+(?:\.\d+)?)", text)
    if m:
        return f"扣 {m.group(1)} 分"
    return text


def zone_label(tz: str) -> str:
    return "北京时间" if tz == DEFAULT_TIMEZONE else tz


def local_time(dt: datetime | None, tz: str = DEFAULT_TIMEZONE) -> str:
    """A stored time (UTC; naive ones are UTC as SQLite returns them) in the evaluators' zone."""
    if dt is None:
        return "—"
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=timezone.utc)
    return dt.astimezone(ZoneInfo(tz)).strftime("%Y-%m-%d %H:%M")
