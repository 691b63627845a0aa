"""信息更新: homepage freshness, stale and blank columns, 政策解读."""
from __future__ import annotations

from checks.artifacts import SiteArtifacts
from checks.base import Finding, check, error, url_evidence
from checks.site_facts import days_since, feature_hits, find_page, home_facts, homepage_frames

STALE_LIMITS = {"dynamic": "dynamic_days", "notice": "notice_days", "policy": "policy_days",
                "personnel": "personnel_days", "planning": "planning_days"}


def _graded(value: float, warn_above: float, fail_above: float) -> str:
    return "fail" if value > fail_above else "warn" if value > warn_above else "pass"


@check("update.homepage", "首页更新", "Homepage freshness", kinds="P", needs="crawl", unit="days",
       warn_above=10, fail_above=14)
def homepage(a: SiteArtifacts, t: dict) -> Finding:
    """Days since the newest dated item on the homepage."""
    lf = home_facts(a).get("list") or {}
    newest, source = lf.get("newest_any"), "entries"
    for frame in homepage_frames(a):     # entries shown in a frame of the homepage
        framed = (frame.facts.get("list") or {}).get("newest_any")
        if framed and (newest is None or framed > newest):
            newest, source = framed, "frame"
    if not newest and lf.get("newest_printed"):
        newest, source = lf["newest_printed"], "page_text"
    if not newest:
        return Finding("fail", None, "days", details={"reason": "no_dates"})
    days = days_since(a, newest)
    return Finding(_graded(days, t["warn_above"], t["fail_above"]), days, "days",
                   details={"newest_date": newest, "dated_items": lf.get("dated_any", 0), "source": source})


def _no_columns() -> Finding:
    return error("not_gathered", "no column (list page) was found in the crawl")


@check("update.stale_columns", "栏目不更新", "Stale columns", kinds="P", needs="crawl", unit="columns",
       dynamic_days=14, notice_days=183, policy_days=183, personnel_days=365, planning_days=365)
def stale_columns(a: SiteArtifacts, t: dict) -> Finding:
    """Number of stale columns: `dynamic` older than 14 days, `notice`/`policy` 183, `personnel`/`planning`
    365; fail if > 0. details: every column with its type, newest date, age and stale flag."""
    if not a.columns:
        return _no_columns()
    rows, stale = [], []
    for c in a.columns:
        limit = t[STALE_LIMITS[c.type]] if c.type in STALE_LIMITS else None
        age = days_since(a, c.newest_date)
        is_stale = bool(limit is not None and age is not None and age > limit)
        rows.append({"name": c.name, "type": c.type, "url": c.url, "newest_date": c.newest_date,
                     "age_days": age, "item_count": c.item_count, "limit_days": limit, "stale": is_stale})
        if is_stale:
            stale.append(c.url)
    f = Finding("fail" if stale else "pass", len(stale), "columns", details={"columns": rows})
    f.evidence = url_evidence(stale)
    return f


@check("update.blank_columns", "空白栏目", "Blank columns", kinds="P", needs="crawl", unit="columns")
def blank_columns(a: SiteArtifacts, t: dict) -> Finding:
    """Number of columns with no entries (an empty list, or 暂无信息 / 暂无数据 / 共0条…); fail if > 0."""
    if not a.columns:
        return _no_columns()
    blank = [c for c in a.columns if c.blank]
    f = Finding("fail" if blank else "pass", len(blank), "columns",
                details={"columns": len(a.columns),
                         "blank": [{"name": c.name, "url": c.url, "placeholder": c.details.get("placeholder")}
                                   for c in blank]})
    f.evidence = url_evidence(c.url for c in blank)
    return f


@check("update.policy_interpretation", "政策解读", "Policy interpretation column", kinds="P", needs="crawl",
       unit="days", warn_above=90, fail_above=183)
def policy_interpretation(a: SiteArtifacts, t: dict) -> Finding:
    """Days since the newest item of a 政策解读 / 解读回应 column."""
    cols = [c for c in a.columns if c.type == "interpretation"]
    candidates = [(c.name, c.url, c.newest_date) for c in cols]
    if not candidates:
        # A 解读 link whose page was crawled but not taken as a column.
        for hit in feature_hits(a, "interpretation"):
            page = find_page(a, hit["url"]) if hit.get("url") else None
            if page is not None and page.facts and all(c[1] != hit["url"] for c in candidates):
                candidates.append((hit["text"], hit["url"], (page.facts.get("list") or {}).get("newest")))
    if not candidates:
        return Finding("fail", None, "days", details={"reason": "missing"})
    dated = [c for c in candidates if c[2]]
    if not dated:
        f = Finding("fail", None, "days", details={"reason": "no_dates",
                                                   "columns": [{"name": n, "url": u} for n, u, _ in candidates]})
        f.evidence = url_evidence(u for _, u, _ in candidates)
        return f
    name, url, newest = max(dated, key=lambda c: c[2])
    days = days_since(a, newest)
    f = Finding(_graded(days, t["warn_above"], t["fail_above"]), days, "days",
                details={"column": name, "url": url, "newest_date": newest})
    f.evidence = url_evidence([url])
    return f
