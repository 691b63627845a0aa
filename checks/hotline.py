"""Hotline / message-board checks (12345, 政民互动; kind H) and the two
message checks shared with portals (interact.unanswered_3m, interact.reply_recency).

Read the `messages` rows and the board facts the hotline spider stores as the
probe row "hotline" (knowledge_base, proactive, satisfaction, stats).
"""
from __future__ import annotations

from datetime import date, timedelta
from statistics import median
from typing import Any

from checks.artifacts import MessageArt, SiteArtifacts
from checks.base import Finding, binary, check, error, graded, not_applicable, table, url_evidence
from checks.zh import CCID, GUIDE_2017, GUOBAN_2019, area_texts
from core.dates import as_date

area_texts({
    "hotline.reply_rate": ("对公开的群众留言逐条答复，提高答复率。",
        CCID + "：咨询答复"),
    "hotline.ontime_rate": ("在 5 个工作日内答复留言，建立超期督办机制。",
        GUOBAN_2019 + "：互动交流答复时限"),
    "hotline.median_reply_days": ("缩短留言答复周期。",
        CCID + "：咨询答复"),
    "hotline.follow_up": ("对已办结诉求开展回访并公开回访结果。",
        CCID + "：咨询答复满意度评价"),
    "hotline.knowledge_base": ("建设并公开知识库、热点问题或常见问题栏目。",
        CCID + "：服务功能"),
    "hotline.proactive": ("开设主动回应、回应关切栏目，针对热点问题主动发布回应。",
        GUIDE_2017 + "：回应关切"),
    "hotline.satisfaction": ("提供满意度评价功能或公开满意率、好评率。",
        CCID + "：咨询答复满意度评价"),
    "hotline.stats_public": ("定期公开受理量、办结率等办理情况统计。",
        GUIDE_2017 + "：互动交流数据公开"),
    "interact.unanswered_3m": ("对超过 3 个月未答复的留言尽快答复，并建立留言办理时限制度。",
        GUOBAN_2019 + "：超过 3 个月未回复留言属单项否决"),
    "interact.reply_recency": ("保持留言答复持续更新，2 个月内应有新的答复。",
        GUOBAN_2019 + "：互动交流"),
}, reasons={
    "no_public_message_list": "未发现公开的留言列表",
    "no_messages_in_window": "统计期内没有留言",
    "no_dated_replies": "留言没有可读的答复时间",
    "no_replied_messages": "没有已答复的留言",
})

HOLIDAYS_NOTE = "working days skip Saturdays and Sundays; mainland public holidays and make-up workdays are not modelled in v1"


def board_facts(a: SiteArtifacts) -> dict[str, Any]:
    """Site-level facts the hotline spider stored under "hotline" in the crawl probe row."""
    return (a.probes.get("crawl") or {}).get("hotline") or a.probes.get("hotline") or {}


def is_replied(m: MessageArt) -> bool:
    return m.replied is True


def _status_unread(messages: list[MessageArt]) -> Finding | None:
    """An error when a message's reply is known only from a status whose reading was not stored."""
    unknown = [m for m in messages if m.replied is None]
    if not unknown:
        return None
    return error("not_gathered", f"{len(unknown)} messages show a 办理状态 whose reading was not stored "
                 "(a run of an older version): crawl the board again", unread_statuses=len(unknown))


def working_days(start: date, end: date) -> int:
    """Weekdays after `start` up to and including `end` (0 when replied the same day)."""
    if end <= start:
        return 0
    days = (end - start).days
    weeks, rest = divmod(days, 7)
    count = weeks * 5
    for i in range(1, rest + 1):
        if (start + timedelta(days=i)).weekday() < 5:
            count += 1
    return count


def _windowed(a: SiteArtifacts, days: int) -> list[MessageArt]:
    today = a.now.date()
    return [m for m in a.messages if as_date(m.submitted_at) and 0 <= (today - as_date(m.submitted_at)).days <= days]


def _timed_replies(a: SiteArtifacts) -> list[tuple[MessageArt, date, date]]:
    out = []
    for m in a.messages:
        s, r = as_date(m.submitted_at), as_date(m.replied_at)
        if s and r and r >= s:
            out.append((m, s, r))
    return out


def _no_list() -> Finding:
    return not_applicable("no_public_message_list")


@check("hotline.reply_rate", "答复率", "Share of messages with a published reply", kinds="H", needs="crawl",
       unit="ratio", warn_below=0.9, window_days=365)
def reply_rate(a: SiteArtifacts, t: dict) -> Finding:
    """Share of listed messages of the last 365 days with a published reply; warn below 0.9; `not_applicable`
    when no message list is public or none falls in the window."""
    if not a.messages:
        return _no_list()
    recent = _windowed(a, t["window_days"])
    if not recent:
        return not_applicable("no_messages_in_window", messages=len(a.messages), window_days=t["window_days"])
    unread = _status_unread(recent)
    if unread:
        return unread
    unanswered = [m for m in recent if not is_replied(m)]
    share = round((len(recent) - len(unanswered)) / len(recent), 4)
    rows = [{"url": m.url, "title": m.title, "submitted_at": m.submitted_at} for m in unanswered[:50]]
    details = {"messages": len(recent), "replied": len(recent) - len(unanswered),
               "window_days": t["window_days"], "undated": sum(1 for m in a.messages if not m.submitted_at),
               "listed_total": board_facts(a).get("stated_total"), "capped": bool(board_facts(a).get("capped")),
               "unanswered": rows}
    if rows:
        details["table"] = table("未答复的留言", [("title", "标题"), ("submitted_at", "提交时间"), ("url", "地址", "url")], rows)
    return Finding(graded(share, warn_below=t["warn_below"]), share, "ratio", details=details,
                   evidence=url_evidence(m.url for m in unanswered))


@check("hotline.ontime_rate", "按时答复率", "Share of replies within the deadline", kinds="H", needs="crawl",
       unit="ratio", warn_below=0.8, deadline_working_days=5)
def ontime_rate(a: SiteArtifacts, t: dict) -> Finding:
    """Share of replied messages answered within 5 working days (weekends skipped, public holidays not
    modelled); warn below 0.8; `not_applicable` without dated replies."""
    timed = _timed_replies(a)
    if not timed:
        return _no_list() if not a.messages else not_applicable("no_dated_replies", messages=len(a.messages))
    late = [(m, working_days(s, r)) for m, s, r in timed if working_days(s, r) > t["deadline_working_days"]]
    share = round((len(timed) - len(late)) / len(timed), 4)
    rows = [{"url": m.url, "submitted_at": m.submitted_at, "replied_at": m.replied_at, "working_days": w}
            for m, w in late[:50]]
    details = {"replied": len(timed), "on_time": len(timed) - len(late),
               "deadline_working_days": t["deadline_working_days"], "holidays_modelled": False,
               "note": HOLIDAYS_NOTE, "late": rows}
    if rows:
        details["table"] = table("超时答复的留言", [("submitted_at", "提交时间"), ("replied_at", "答复时间"),
                                              ("working_days", "工作日数", "number"), ("url", "地址", "url")], rows)
    return Finding(graded(share, warn_below=t["warn_below"]), share, "ratio", details=details,
                   evidence=url_evidence(m.url for m, _ in late))


@check("hotline.median_reply_days", "答复时长", "Median calendar days to reply", kinds="H", needs="crawl",
       unit="days", warn_above=5)
def median_reply_days(a: SiteArtifacts, t: dict) -> Finding:
    """Median calendar days from submission to reply; warn above 5; `not_applicable` without dated replies."""
    timed = _timed_replies(a)
    if not timed:
        return _no_list() if not a.messages else not_applicable("no_dated_replies", messages=len(a.messages))
    days = sorted((r - s).days for _, s, r in timed)
    value = median(days)
    return Finding(graded(value, warn_above=t["warn_above"]), value, "days",
                   details={"replied": len(days), "min": days[0], "max": days[-1]})


@check("hotline.follow_up", "回访", "Share of replies showing a follow-up (回访) or satisfaction result", kinds="H",
       needs="crawl", unit="ratio", warn_below=0.3)
def follow_up(a: SiteArtifacts, t: dict) -> Finding:
    """Share of replied messages showing a 回访 / satisfaction result; warn below 0.3; `not_applicable` without
    replied messages."""
    unread = _status_unread(a.messages)
    if unread:
        return unread
    replied = [m for m in a.messages if is_replied(m)]
    if not replied:
        return _no_list() if not a.messages else not_applicable("no_replied_messages", messages=len(a.messages))
    with_follow = [m for m in replied if m.follow_up]
    share = round(len(with_follow) / len(replied), 4)
    return Finding(graded(share, warn_below=t["warn_below"]), share, "ratio",
                   details={"replied": len(replied), "follow_up": len(with_follow),
                            "satisfaction_values": sorted({m.satisfaction for m in with_follow if m.satisfaction})},
                   evidence=url_evidence(m.url for m in with_follow))


def _section(a: SiteArtifacts, key: str, need_entries: bool) -> Finding:
    found = board_facts(a).get(key)
    if not found:
        return binary(False, "bool", reason="missing")
    if need_entries and not found.get("entries"):
        return binary(False, "bool", reason="empty", **found)
    result = binary(True, "bool", **found)
    result.evidence = url_evidence([found["url"]]) if found.get("url") else []
    return result


@check("hotline.knowledge_base", "知识库/热点问题", "Knowledge base / FAQ column with entries", kinds="H",
       needs="crawl", unit="bool")
def knowledge_base(a: SiteArtifacts, t: dict) -> Finding:
    """1 if a 知识库 / 热点问题 / 常见问题 column with entries exists, else 0 (details.reason `missing` or `empty`)."""
    return _section(a, "knowledge_base", need_entries=True)


@check("hotline.proactive", "主动回应", "Proactive response (主动回应 / 回应关切) column", kinds="H", needs="crawl", unit="bool")
def proactive(a: SiteArtifacts, t: dict) -> Finding:
    """1 if a 主动回应 / 回应关切 column exists, else 0."""
    return _section(a, "proactive", need_entries=False)


@check("hotline.satisfaction", "满意度评价", "Satisfaction rating function or published rate", kinds="H",
       needs="crawl", unit="bool")
def satisfaction(a: SiteArtifacts, t: dict) -> Finding:
    """1 if a satisfaction rating function or a published 满意率 / 好评率 exists, else 0."""
    return _section(a, "satisfaction", need_entries=False)


@check("hotline.stats_public", "办理情况统计", "Handling statistics published", kinds="H", needs="crawl", unit="bool")
def stats_public(a: SiteArtifacts, t: dict) -> Finding:
    """1 if handling statistics (受理量, 办结率…) are published, else 0."""
    return _section(a, "stats", need_entries=False)


@check("interact.unanswered_3m", "留言超期未回复", "Messages unanswered for more than 90 days", kinds="PH",
       needs="crawl", unit="messages", max_days=90, window_days=365)
def unanswered_3m(a: SiteArtifacts, t: dict) -> Finding:
    """Messages submitted in the last 365 days and still without a reply more than 90 days after submission."""
    if not a.messages:
        return _no_list()
    today = a.now.date()
    recent = _windowed(a, t["window_days"])
    unread = _status_unread(recent)
    if unread:
        return unread
    overdue = [m for m in recent
               if not is_replied(m) and (today - as_date(m.submitted_at)).days > t["max_days"]]
    rows = [{"url": m.url, "title": m.title, "submitted_at": m.submitted_at, "days": (today - as_date(m.submitted_at)).days}
            for m in overdue[:50]]
    details = {"messages": len(a.messages), "max_days": t["max_days"], "window_days": t["window_days"], "overdue": rows}
    if rows:
        details["table"] = table("超期未答复的留言", [("title", "标题"), ("submitted_at", "提交时间"), ("days", "已过", "days"),
                                                ("url", "地址", "url")], rows)
    return Finding(graded(len(overdue), fail_above=0), len(overdue), "messages", details=details,
                   evidence=url_evidence(m.url for m in overdue))


@check("interact.reply_recency", "留言答复更新", "Days since the newest published reply", kinds="PH",
       needs="crawl", unit="days", warn_above=60)
def reply_recency(a: SiteArtifacts, t: dict) -> Finding:
    """Days since the newest published reply; warn above 60 (and warn with details.reason `no_dated_replies`
    when no reply is dated); `not_applicable` when no message list is public."""
    if not a.messages:
        return _no_list()
    dated = [(m, as_date(m.replied_at)) for m in a.messages if as_date(m.replied_at)]
    if not dated:
        return Finding("warn", None, "days", details={"reason": "no_dated_replies", "messages": len(a.messages)})
    newest_msg, newest = max(dated, key=lambda x: x[1])
    days = (a.now.date() - newest).days
    return Finding(graded(days, warn_above=t["warn_above"]), days, "days",
                   details={"newest_reply": newest.isoformat(), "replies": len(dated)},
                   evidence=url_evidence([newest_msg.url]))
