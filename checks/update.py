"""信息更新: homepage freshness, stale and blank columns, 政策解读.

Columns are judged as a reader sees them: a column whose page builds its list by script
(a shell) takes what the browser rendered (details.source rendered) or the data the page
fetched (api); one that was not rendered, or whose render failed, is unknown, never blank.
"""
from __future__ import annotations

from dataclasses import replace

from checks.artifacts import ColumnArt, SiteArtifacts
from checks.base import Finding, check, error, graded, table, url_evidence
from checks.site_facts import days_since, feature_hits, find_page, home_facts, homepage_frames
from checks.zh import GUOBAN_2019, area_texts

area_texts({
    "update.homepage": ("首页动态、要闻类栏目应及时更新，间隔不超过 2 周。",
        GUOBAN_2019 + "：首页栏目信息超过 2 周未更新属单项否决"),
    "update.stale_columns": ("按栏目类型的更新时限更新表中栏目（动态类 2 周、通知公告与政策文件 6 个月、人事规划 1 年），无内容更新的栏目应整合或关停。",
        GUOBAN_2019 + "：栏目更新"),
    "update.blank_columns": ("为表中空白栏目补充内容，确无内容的栏目应删除或整合。",
        GUOBAN_2019 + "：空白栏目"),
    "update.policy_interpretation": ("重要政策文件发布后应及时发布解读材料，政策解读栏目保持更新。",
        GUOBAN_2019 + "：政策解读"),
}, reasons={   # column types (crawler/extract/columns.py), shown in the stale-column table
    "dynamic": "动态要闻类", "notice": "通知公告类", "policy": "政策文件类", "personnel": "人事信息类",
    "planning": "规划计划类", "interpretation": "政策解读类", "other": "其他",
})

STALE_LIMITS = {"dynamic": "dynamic_days", "notice": "notice_days", "policy": "policy_days",
                "personnel": "personnel_days", "planning": "planning_days"}


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
    details = {"newest_date": newest, "dated_items": lf.get("dated_any", 0), "source": source}
    details["table"] = homepage_table(details)
    return Finding(graded(days, warn_above=t["warn_above"], fail_above=t["fail_above"]), days, "days", details)


def homepage_table(details: dict) -> dict:
    """The newest date an update.homepage finding read, as a typed table (empty without one)."""
    return table("首页最新信息", [("newest_date", "最新日期"), ("dated_items", "带日期的条目", "number")],
                 [details] if details.get("newest_date") else [])


def stale_table(details: dict) -> dict:
    """The stale columns of an update.stale_columns finding's details as a typed table."""
    return table("超期未更新栏目", [("name", "栏目"), ("type", "类型", "code"), ("newest_date", "最新日期", "text", {"empty": "无日期"}),
                                  ("age_days", "距今", "days", {"empty": "—"}), ("limit_days", "时限", "days", {"empty": "—"}),
                                  ("url", "地址", "url")],
                 [c for c in details.get("columns") or [] if c.get("stale")])


def blank_table(details: dict) -> dict:
    """The blank columns of an update.blank_columns finding's details as a typed table."""
    return table("空白栏目", [("name", "栏目"), ("placeholder", "页面显示", "text", {"empty": "列表为空"}), ("url", "地址", "url")],
                 details.get("blank") or [])


def _no_columns() -> Finding:
    return error("not_gathered", "no column (list page) was found in the crawl")


def _unread(c: ColumnArt, why: str, kind: str) -> dict:
    return {"name": c.name, "url": c.url, "reason": why, "error_kind": kind}


def _shell_column(c: ColumnArt, probe: dict | None) -> tuple[ColumnArt | None, dict | None]:
    """A shell column read from its rendering: (column, None), or (None, why it is unknown)."""
    if probe is None:
        return None, _unread(c, "built by script and not rendered (probe:shells was not gathered)", "not_gathered")
    if probe.get("_error_kind"):
        return None, _unread(c, f"rendering failed: {probe.get('error', '')}", probe["_error_kind"])
    r = (probe.get("pages") or {}).get(c.url)
    if r is None:
        why = (f"built by script and not rendered: over the limit of {probe.get('limit')} rendered pages per site "
               "(registry hint max_rendered_pages)") if c.url in (probe.get("over_limit") or []) \
            else "built by script and not rendered"
        return None, _unread(c, why, "not_gathered")
    if r.get("error"):
        return None, _unread(c, f"rendering failed: {r['error']}", r.get("error_kind") or "internal")
    shown, api = r.get("rendered") or {}, r.get("api") or {}
    details = {**c.details, "rendered": shown, "api": api or None}
    if shown.get("dated"):
        lf, source = shown, "rendered"
    elif api.get("items"):
        lf, source = api, "api"
    elif shown.get("placeholder") or shown.get("stated_total") == 0 or api.get("stated_total") == 0:
        return replace(c, blank=True, details={**details, "placeholder": shown.get("placeholder"),
                                              "source": "api" if api and not shown.get("placeholder") else "rendered"}), None
    elif r.get("failed_requests"):
        return None, _unread(c, "its data requests failed: " + "; ".join(r["failed_requests"][:3]), "connection")
    elif shown.get("empty_list") or shown.get("shell"):
        # rendered, every data request answered, and the list shows nothing
        return replace(c, blank=True, details={**details, "source": "rendered"}), None
    else:
        # entries without dates: not blank, of unknown age
        return replace(c, details={**details, "source": "rendered"}), None
    return replace(c, newest_date=lf.get("newest"), blank=False,
                   item_count=lf["stated_total"] if lf.get("stated_total") is not None else lf.get("items") or 0,
                   details={**details, "source": source, "sample": lf.get("sample") or []}), None


def reader_columns(a: SiteArtifacts) -> tuple[list[ColumnArt], list[dict]]:
    """The site's columns as read (static, rendered or api; details.source), and those that are unknown."""
    known, unknown = [], []
    for c in a.columns:
        if not c.details.get("shell"):
            known.append(replace(c, details={**c.details, "source": "static"}))
            continue
        col, why = _shell_column(c, a.probes.get("shells"))
        if col is not None:
            known.append(col)
        else:
            unknown.append(why)
    return known, unknown


def _unknown_error(unknown: list[dict]) -> Finding:
    return error(unknown[0]["error_kind"], f"{len(unknown)} column(s) built by script could not be read: "
                 f"{unknown[0]['name']}: {unknown[0]['reason']}", unknown=unknown)


@check("update.stale_columns", "栏目不更新", "Stale columns", kinds="P", needs="probe:shells", unit="columns",
       dynamic_days=14, notice_days=183, policy_days=183, personnel_days=365, planning_days=365)
def stale_columns(a: SiteArtifacts, t: dict) -> Finding:
    """Number of stale columns: `dynamic` older than 14 days, `notice`/`policy` 183, `personnel`/`planning`
    365; fail if > 0. details: every column with its type, newest date, age and stale flag."""
    if not a.columns:
        return _no_columns()
    columns, unknown = reader_columns(a)
    rows, stale = [], []
    for c in columns:
        limit = t[STALE_LIMITS[c.type]] if c.type in STALE_LIMITS else None
        age = days_since(a, c.newest_date)
        is_stale = bool(limit is not None and age is not None and age > limit)
        rows.append({"name": c.name, "type": c.type, "url": c.url, "newest_date": c.newest_date,
                     "age_days": age, "item_count": c.item_count, "limit_days": limit, "stale": is_stale,
                     "source": c.details["source"]})
        if is_stale:
            stale.append(c.url)
    if unknown and not stale:
        return _unknown_error(unknown)
    f = Finding(graded(len(stale), fail_above=0), len(stale), "columns", details={"columns": rows, "unknown": unknown})
    if stale:
        f.details["table"] = stale_table(f.details)
    f.evidence = url_evidence(stale)
    return f


@check("update.blank_columns", "空白栏目", "Blank columns", kinds="P", needs="probe:shells", unit="columns")
def blank_columns(a: SiteArtifacts, t: dict) -> Finding:
    """Number of columns with no entries (an empty list, or 暂无信息 / 暂无数据 / 共0条…); fail if > 0.
    A column built by script (a shell) is blank only on its rendering."""
    if not a.columns:
        return _no_columns()
    columns, unknown = reader_columns(a)
    blank = [c for c in columns if c.blank]
    if unknown and not blank:
        return _unknown_error(unknown)
    f = Finding(graded(len(blank), fail_above=0), len(blank), "columns",
                details={"columns": len(columns),
                         "blank": [{"name": c.name, "url": c.url, "placeholder": c.details.get("placeholder"),
                                    "source": c.details["source"]} for c in blank],
                         "unknown": unknown})
    if blank:
        f.details["table"] = blank_table(f.details)
    f.evidence = url_evidence(c.url for c in blank)
    return f


@check("update.policy_interpretation", "政策解读", "Policy interpretation column", kinds="P", needs="probe:shells",
       unit="days", warn_above=90, fail_above=183)
def policy_interpretation(a: SiteArtifacts, t: dict) -> Finding:
    """Days since the newest item of a 政策解读 / 解读回应 column."""
    columns, unknown = reader_columns(a)
    cols = [c for c in columns if c.type == "interpretation"]
    candidates = [(c.name, c.url, c.newest_date) for c in cols]
    if not candidates:
        # A 解读 link whose page was crawled but not taken as a column.
        for hit in feature_hits(a, "interpretation"):
            page = find_page(a, hit["url"]) if hit.get("url") else None
            if page is not None and page.facts and all(c[1] != hit["url"] for c in candidates):
                candidates.append((hit["text"], hit["url"], (page.facts.get("list") or {}).get("newest")))
    unknown = [u for u in unknown if any(c.url == u["url"] and c.type == "interpretation" for c in a.columns)]
    if unknown and not any(c[2] for c in candidates):
        return _unknown_error(unknown)
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
    f = Finding(graded(days, warn_above=t["warn_above"], fail_above=t["fail_above"]), days, "days",
                details={"column": name, "url": url, "newest_date": newest})
    f.evidence = url_evidence([url])
    return f
