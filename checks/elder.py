"""适老化: the elder / care mode switched on in a browser (crawler/probes/elder.py)."""
from __future__ import annotations

from checks.artifacts import SiteArtifacts
from checks.base import Finding, binary, check, error, graded, table
from checks.probe_common import finish, probe_result, shots
from checks.zh import ELDER_2021, GBT_37668, area_texts

area_texts({
    "elder.entry": ("在首页显著位置提供适老化（长者模式、关怀版）入口。",
        ELDER_2021),
    "elder.font_scaling": ("适老化模式下正文字号应明显放大。",
        ELDER_2021),
    "elder.contrast": ("文字与背景对比度应符合要求（不低于 4.5:1）。",
        ELDER_2021 + "；" + GBT_37668),
    "elder.tools": ("提供放大、缩小、语音阅读、高对比度等辅助工具。",
        ELDER_2021),
    "elder.no_ads": ("适老化页面及首页不应出现广告、弹窗、漂浮窗与下载诱导。",
        ELDER_2021),
}, reasons={
    "no_elder_mode": "未发现适老化入口",
    "no_change": "切换后字号没有变化",
    "ad_iframe": "广告框架",
    "ad_marked": "标注为广告的元素",
    "download_bait": "下载诱导",
    "overlay": "遮罩层",
    "popup": "弹窗",
})


def _elder(a: SiteArtifacts):
    return probe_result(a, "elder")


def _shots(r: dict) -> list[dict]:
    return shots(r.get("screenshot"), r.get("screenshot_before") if r.get("switched") else None)


@check("elder.entry", "适老化入口", "Elder-mode entry", kinds="PDH", needs="probe:elder", unit="bool")
def entry(a: SiteArtifacts, t: dict) -> Finding:
    """1 if the homepage offers an elder / care / accessibility entry (长者模式, 关怀版, 适老化, 无障碍…), else 0."""
    r, err = _elder(a)
    if err:
        return err
    f = binary(bool(r.get("entry")), "bool", entry=r.get("entry"), candidates=r.get("candidates", []))
    return finish(f, r, shots(r.get("screenshot_before")))


@check("elder.font_scaling", "大字模式", "Text size in elder mode", kinds="PDH", needs="probe:elder", unit="px",
       fail_below=18, min_ratio=1.05)
def font_scaling(a: SiteArtifacts, t: dict) -> Finding:
    """Computed font size (px) of the main body text after switching the elder mode on; fail < 18.
    A switch that leaves the text size unchanged fails (details.reason no_change); without an elder
    mode the homepage's own text size is judged (details.reason no_elder_mode)."""
    r, err = _elder(a)
    if err:
        return err
    before, after = r.get("before_px"), r.get("after_px")
    if after is None:
        return finish(error("not_gathered", "no visible body text to measure"), r)
    details = {"before_px": before, "after_px": after, "ratio": r.get("ratio"), "steps": r.get("steps", []),
               "mode": r.get("mode")}
    status = graded(after, fail_below=t["fail_below"])
    if not r.get("switched"):
        details["reason"] = "no_elder_mode"
    elif before and after < before * t["min_ratio"]:
        status, details["reason"] = "fail", "no_change"
    return finish(Finding(status, after, "px", details), r, _shots(r))


@check("elder.contrast", "高对比度", "Text contrast (elder mode)", kinds="PDH", needs="probe:elder", unit="share",
       fail_below=0.9, warn_below=1.0)
def contrast(a: SiteArtifacts, t: dict) -> Finding:
    """Share of visible text meeting WCAG contrast (4.5:1; 3:1 for large text) in elder mode,
    or on the homepage when there is no elder mode."""
    r, err = _elder(a)
    if err:
        return err
    c = r.get("contrast") or {}
    if not c.get("total"):
        return finish(error("not_gathered", "no visible text over a plain background"), r)
    share = c["share"]
    f = Finding(graded(share, fail_below=t["fail_below"], warn_below=t["warn_below"]), share, "share",
                {"mode": r.get("mode"), "texts": c["total"], "passing": c["passed"], "failing": c.get("failing", [])})
    return finish(f, r, _shots(r))


@check("elder.tools", "辅助工具", "Assistive tools offered", kinds="PDH", needs="probe:elder", unit="tools",
       warn_below=3)
def tools(a: SiteArtifacts, t: dict) -> Finding:
    """Number offered of: 放大/缩小, 高对比度/配色, 语音阅读, 大鼠标, 十字线, 纯文本."""
    r, err = _elder(a)
    if err:
        return err
    found = r.get("tools") or []
    f = Finding(graded(len(found), warn_below=t["warn_below"]), len(found), "tools", {"tools": found, "mode": r.get("mode")})
    return finish(f, r, _shots(r))


def ads_table(details: dict) -> dict:
    """The pop-ups and ads of an elder.no_ads finding's details as a typed table."""
    return table("广告与弹窗", [("why", "类型", "code"), ("label", "文字")],
                 [{"why": i.get("why"), "label": (i.get("label") or "").strip()[:80]} for i in details.get("items") or []])


@check("elder.no_ads", "无广告弹窗", "No pop-ups or ads (elder mode)", kinds="PDH", needs="probe:elder", unit="items")
def no_ads(a: SiteArtifacts, t: dict) -> Finding:
    """Number of pop-ups, overlays, ad iframes and induced-download buttons shown in elder mode
    (on the homepage when there is none); fail if > 0."""
    r, err = _elder(a)
    if err:
        return err
    items = r.get("ads") or []
    f = Finding(graded(len(items), fail_above=0), len(items), "items", {"items": items, "mode": r.get("mode")})
    if items:
        f.details["table"] = ads_table(f.details)
    return finish(f, r, _shots(r))
