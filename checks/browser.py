"""Checks read from browser probes: accessibility (axe-core), mobile layout, load time,
privacy notice on registration."""
from __future__ import annotations

from checks.artifacts import SiteArtifacts
from checks.base import Finding, binary, check, error, graded, not_applicable, table, url_evidence
from checks.probe_common import finish, probe_result, shots
from checks.zh import GBT_37668, GUIDE_2017, PIPL, TSINGHUA, area_texts

area_texts({
    "a11y.axe": ("按表中规则修复严重及以上的无障碍问题（对比度、标签、键盘可达等）。",
        GBT_37668),
    "mobile.responsive": ("页面应设置 viewport，并在手机宽度下无横向滚动。",
        GUIDE_2017 + "：移动端适配"),
    "perf.homepage_load": ("压缩首页图片与脚本、启用缓存，缩短首页加载时间。",
        TSINGHUA + "：监督管理"),
    "privacy.registration_notice": ("在用户注册页提供隐私政策与用户协议，并由用户主动勾选同意。",
        PIPL),
}, reasons={
    "load_event_not_reached": "页面加载未完成",
    "no_registration": "未发现注册入口",
})

SEVERE = ("serious", "critical")


def axe_summary(pages: list[dict]) -> tuple[int, list[dict]]:
    """(number of serious/critical violating nodes, per-rule rows) over the tested pages."""
    rules: dict[str, dict] = {}
    for page in pages:
        for rule in page.get("rules") or []:
            if rule.get("impact") not in SEVERE:
                continue
            row = rules.setdefault(rule["id"], {"id": rule["id"], "impact": rule["impact"], "count": 0,
                                                "pages": [], "help": rule.get("help"), "sample": rule.get("sample")})
            row["count"] += rule["count"]
            row["pages"].append(page["url"])
    rows = sorted(rules.values(), key=lambda r: (-r["count"], r["id"]))
    return sum(r["count"] for r in rows), rows


IMPACT_WORDS = {"critical": "严重", "serious": "较严重", "moderate": "中等", "minor": "轻微"}


def axe_table(details: dict) -> dict:
    """The violated rules of an a11y.axe finding's details as a typed table."""
    return table("违反的无障碍规则（axe-core）", [("id", "规则"), ("impact", "影响", "code", {"words": IMPACT_WORDS}),
                                             ("count", "元素数", "number"), ("pages", "页面", "urls")],
                 details.get("rules") or [])


@check("a11y.axe", "无障碍 (WCAG / GB/T 37668)", "Accessibility (axe-core)", kinds="PDH", needs="probe:a11y",
       unit="violations")
def axe(a: SiteArtifacts, t: dict) -> Finding:
    """Number of axe-core violations (elements) of impact serious or critical, WCAG 2.x A/AA rules, on the
    homepage and 2 sampled article pages; details per rule id: count, pages, a sample node."""
    r, err = probe_result(a, "a11y")
    if err:
        return err
    pages = [p for p in r.get("pages") or [] if "rules" in p]
    if not pages:
        return finish(error("not_gathered", "axe-core ran on no page"), r)
    count, rows = axe_summary(pages)
    f = Finding(graded(count, fail_above=0), count, "violations",
                {"rules": rows, "pages": [p["url"] for p in pages], "axe_version": r.get("axe_version"),
                 "failed_pages": [p["url"] for p in r.get("pages") or [] if "error" in p]})
    if rows:
        f.details["table"] = axe_table(f.details)
    return finish(f, r, url_evidence([p["url"] for p in pages]))


@check("mobile.responsive", "移动适配", "Mobile layout", kinds="PDH", needs="probe:mobile", unit="bool", width_px=375)
def responsive(a: SiteArtifacts, t: dict) -> Finding:
    """1 if at a 375 px wide viewport the homepage has a viewport meta tag and no horizontal overflow."""
    r, err = probe_result(a, "mobile")
    if err:
        return err
    f = binary(bool(r.get("responsive")), "bool", viewport_meta=r.get("viewport_meta"),
               scroll_width=r.get("scroll_width"), viewport_width=r.get("inner_width"))
    return finish(f, r, shots(r.get("screenshot")))


@check("perf.homepage_load", "页面加载时长", "Homepage load time", kinds="PDH", needs="probe:mobile", unit="s",
       warn_above=3)
def homepage_load(a: SiteArtifacts, t: dict) -> Finding:
    """Seconds to the load event of the homepage (first, cold load in the browser)."""
    r, err = probe_result(a, "mobile")
    if err:
        return err
    value = r.get("load_s")
    if value is None and r.get("load_timeout_s"):
        # a script or resource that never finishes: the load event never came (a lower bound)
        return finish(Finding("warn", r["load_timeout_s"], "s", {"url": r.get("url"), "reason": "load_event_not_reached"}), r)
    if value is None:
        return finish(error("not_gathered", "the browser reported no load event"), r)
    return finish(Finding(graded(value, warn_above=t["warn_above"]), value, "s", {"url": r.get("url")}), r)


@check("privacy.registration_notice", "注册隐私告知", "Privacy notice at registration", kinds="PDH",
       needs="probe:privacy", unit="bool")
def registration_notice(a: SiteArtifacts, t: dict) -> Finding:
    """On the registration (else login) page: 1 if a privacy policy / user agreement is linked or a consent
    control is shown, else 0; not_applicable when the site has no registration or login."""
    r, err = probe_result(a, "privacy")
    if err:
        return err
    if r.get("present") is None:
        return finish(not_applicable("no_registration"), r)
    judged = next((v for v in r.get("visited") or [] if v.get("url") == r.get("judged")), {})
    f = binary(bool(r["present"]), "bool", page=r.get("judged"), kind=judged.get("kind"),
               links=judged.get("links", []), consents=judged.get("consents", []))
    return finish(f, r, shots(r.get("screenshot")) + url_evidence([r["judged"]] if r.get("judged") else []))
