"""Open-data platform checks (公共数据开放, kind D).

Read the `datasets` rows and the platform facts the open_data spider stores
as the probe row "opendata" (see README: stated_total, apps, security_policy,
feedback, catalog_urls).
"""
from __future__ import annotations

from typing import Any

from checks.base import Finding, binary, check, error, graded, not_applicable, table, url_evidence
from checks.artifacts import DatasetArt, SiteArtifacts
from checks.zh import CCID, UESTC_DATA, area_texts
from core.dates import as_date

area_texts({
    "opendata.dataset_count": ("扩大开放数据集规模，平台公布的数据集总数应与实际一致。",
        UESTC_DATA),
    "opendata.api_count": ("为高频数据集提供数据接口（API）。",
        UESTC_DATA),
    "opendata.app_count": ("展示基于开放数据的利用成果（应用、案例）。",
        UESTC_DATA),
    "opendata.machine_readable": ("以 CSV、XLSX、JSON 等可机读格式开放数据，避免仅提供 PDF 或图片。",
        UESTC_DATA),
    "opendata.metadata_complete": ("补全数据集的摘要、提供单位、更新频率、更新时间、开放条件等元数据。",
        UESTC_DATA),
    "opendata.downloadable": ("确保数据文件无需登录即可直接下载，修复失效的下载链接。",
        UESTC_DATA),
    "opendata.freshness": ("按数据集声明的更新频率更新数据。",
        UESTC_DATA),
    "opendata.security_policy": ("发布数据安全管理制度或平台数据安全政策。",
        CCID + "：安全与隐私"),
    "opendata.feedback": ("提供数据申请、纠错、评价等互动反馈功能。",
        CCID + "：数据开放满意度评价"),
}, reasons={
    "stated_total_differs": "平台声明的总数与实际不一致",
    "no_download_links": "没有可下载的数据文件链接",
    "no_datasets": "未发现数据集",
    "no_showcase": "未发现利用成果栏目",
    "no_catalogue_read": "未能读取数据目录",
})

MACHINE_READABLE = {"csv", "xlsx", "xls", "json", "xml", "rdf"}
METADATA_FIELDS = ("summary", "provider", "frequency", "updated_at", "formats", "open_condition")
# Declared update frequency → longest acceptable age in days.
FREQUENCY_DAYS = (("实时", 1), ("每日", 1), ("每天", 1), ("日", 1), ("每周", 7), ("周", 7), ("每旬", 10),
                  ("每月", 31), ("月", 31), ("每季", 92), ("季", 92), ("半年", 183), ("每年", 366), ("年", 366))


def platform_facts(a: SiteArtifacts) -> dict[str, Any]:
    """Site-level facts the opendata spider stored under "opendata" in the crawl probe row."""
    return (a.probes.get("crawl") or {}).get("opendata") or a.probes.get("opendata") or {}


def _none_found(a: SiteArtifacts, unit: str) -> Finding:
    """No dataset read. Only a catalogue that says it is empty (暂无数据, 共0条) is a measured 0;
    a catalogue not found, or entries whose pages could not be read as datasets, is not
    evidence of an empty platform (a script-built catalogue, an unusual markup): error."""
    facts = platform_facts(a)
    where = {"catalog_urls": facts.get("catalog_urls", []), "json_endpoints": facts.get("json_endpoints", [])}
    if facts.get("empty_catalogues"):
        return Finding("fail", 0, unit, details={"reason": "no_datasets", "datasets": 0,
                                                 "empty_catalogues": facts["empty_catalogues"], **where},
                       evidence=url_evidence(facts["empty_catalogues"]))
    return error("not_gathered", "no dataset could be read: no catalogue found, or its entries were not dataset "
                 "pages (a catalogue built by script: the catalog_url hint names its JSON endpoint)",
                 reason="no_catalogue_read", **where)


def _share(n: int, d: int) -> float:
    return round(n / d, 4) if d else 0.0


@check("opendata.dataset_count", "数据集数量", "Datasets in the catalogue", kinds="D", needs="crawl", unit="datasets",
       version="2")
def dataset_count(a: SiteArtifacts, t: dict) -> Finding:
    """Datasets found in the catalogue; warn when the platform's own stated total differs.

    Which counts: the value is what the catalogue lists — datasets a person can open
    (HTML entries, or JSON records). A stated total (共N条, 数据集N个, 已开放N个数据资源,
    a tab badge, a JSON `total`) is a claim: it is reported beside the count
    (`details.stated_total`, `details.stated_total_url`) and a disagreement warns, but it never
    replaces the count. A catalogue cut off by `max_datasets` says so in `details.capped`.
    No dataset read is `fail` 0 only when the catalogue says it is empty; otherwise `error`
    (`not_gathered`): a catalogue the crawl could not read is not an empty platform."""
    facts = platform_facts(a)
    n = len(a.datasets)
    stated = facts.get("stated_total")
    details = {"count": n, "stated_total": stated, "stated_total_url": facts.get("stated_total_url"),
               "catalog_urls": facts.get("catalog_urls", []), "json_endpoints": facts.get("json_endpoints", []),
               "capped": bool(facts.get("capped"))}
    if n == 0:
        return _none_found(a, "datasets")
    status = "warn" if stated is not None and stated != n else "pass"
    if status == "warn":
        details["reason"] = "stated_total_differs"
    return Finding(status, n, "datasets", details=details, evidence=url_evidence(facts.get("catalog_urls", [])))


@check("opendata.api_count", "数据接口数量", "Datasets offering an API", kinds="D", needs="crawl", unit="datasets",
       version="2")
def api_count(a: SiteArtifacts, t: dict) -> Finding:
    """Number of datasets offering an API; fail if 0."""
    if not a.datasets:
        return _none_found(a, "datasets")
    with_api = [d for d in a.datasets if d.has_api]
    return Finding(graded(len(with_api), fail_below=1), len(with_api), "datasets",
                   details={"datasets": len(a.datasets), "with_api": len(with_api)},
                   evidence=url_evidence(d.url for d in with_api))


@check("opendata.app_count", "利用成果数量", "Applications showcased", kinds="D", needs="crawl", unit="apps", warn_below=10)
def app_count(a: SiteArtifacts, t: dict) -> Finding:
    """Number of applications / use cases showcased; warn below 10 (0 with details.reason `no_showcase` when no
    showcase page is found)."""
    apps = platform_facts(a).get("apps")
    if not apps:
        return Finding("warn", 0, "apps", details={"reason": "no_showcase"})
    n = int(apps.get("count") or 0)
    return Finding(graded(n, warn_below=t["warn_below"]), n, "apps", details=dict(apps),
                   evidence=url_evidence([apps["url"]]) if apps.get("url") else [])


@check("opendata.machine_readable", "可机读格式", "Datasets in a machine-readable format", kinds="D", needs="crawl",
       unit="ratio", warn_below=0.9, version="2")
def machine_readable(a: SiteArtifacts, t: dict) -> Finding:
    """Share of datasets offering a machine-readable format (csv, xlsx/xls, json, xml, rdf); warn below 0.9."""
    if not a.datasets:
        return _none_found(a, "ratio")
    bad = [d for d in a.datasets if not MACHINE_READABLE & {f.lower() for f in d.formats}]
    share = _share(len(a.datasets) - len(bad), len(a.datasets))
    return Finding(graded(share, warn_below=t["warn_below"]), share, "ratio",
                   details={"datasets": len(a.datasets), "machine_readable": len(a.datasets) - len(bad),
                            "not_machine_readable": [{"url": d.url, "title": d.title, "formats": d.formats} for d in bad[:50]]},
                   evidence=url_evidence(d.url for d in bad))


def missing_metadata(d: DatasetArt) -> list[str]:
    return [f for f in METADATA_FIELDS if not getattr(d, f)]


@check("opendata.metadata_complete", "元数据完整", "Datasets with complete metadata", kinds="D", needs="crawl",
       unit="ratio", warn_below=0.9, version="2")
def metadata_complete(a: SiteArtifacts, t: dict) -> Finding:
    """Share of datasets with 摘要, 提供单位, 更新频率, 更新时间, 数据格式 and 开放条件 all shown."""
    if not a.datasets:
        return _none_found(a, "ratio")
    incomplete = [(d, missing_metadata(d)) for d in a.datasets if missing_metadata(d)]
    per_field = {f: sum(1 for _, m in incomplete if f in m) for f in METADATA_FIELDS}
    share = _share(len(a.datasets) - len(incomplete), len(a.datasets))
    return Finding(graded(share, warn_below=t["warn_below"]), share, "ratio",
                   details={"datasets": len(a.datasets), "complete": len(a.datasets) - len(incomplete),
                            "missing_per_field": per_field,
                            "incomplete": [{"url": d.url, "title": d.title, "missing": m} for d, m in incomplete[:50]]},
                   evidence=url_evidence(d.url for d, _ in incomplete))


@check("opendata.downloadable", "数据可下载", "Sampled downloads returning the file", kinds="D", needs="crawl",
       unit="ratio", fail_below=0.9, version="2")
def downloadable(a: SiteArtifacts, t: dict) -> Finding:
    """Share of sampled download links answering 200 with a non-HTML body, without login.
    A dataset whose download is only offered after login counts as a failed sample."""
    sampled = [d for d in a.datasets if d.download_ok is not None]
    if not sampled:
        if not a.datasets:
            return _none_found(a, "ratio")
        return not_applicable("no_download_links", datasets=len(a.datasets))
    failed = [d for d in sampled if not d.download_ok]
    share = _share(len(sampled) - len(failed), len(sampled))
    return Finding(graded(share, fail_below=t["fail_below"]), share, "ratio",
                   details={"sampled": len(sampled), "ok": len(sampled) - len(failed),
                            "failed": [{"url": d.url, "download_url": d.download_url,
                                        "why": d.details.get("download_failure", "")} for d in failed[:50]]},
                   evidence=url_evidence(d.download_url or d.url for d in failed))


def frequency_days(frequency: str) -> int | None:
    for word, days in FREQUENCY_DAYS:
        if word in (frequency or ""):
            return days
    return None


@check("opendata.freshness", "数据更新", "Datasets updated within a year or their declared frequency", kinds="D",
       needs="crawl", unit="ratio", warn_below=0.5, max_age_days=365, version="2")
def freshness(a: SiteArtifacts, t: dict) -> Finding:
    """A dataset is fresh when its 更新时间 is within its declared 更新频率 (when
    stated) or within 365 days; a dataset without 更新时间 is not fresh."""
    if not a.datasets:
        return _none_found(a, "ratio")
    today = a.now.date()
    stale = []
    for d in a.datasets:
        limit = frequency_days(d.frequency) or t["max_age_days"]
        updated = as_date(d.updated_at)
        age = (today - updated).days if updated else None
        if age is None or age > limit:
            stale.append({"url": d.url, "title": d.title, "updated_at": d.updated_at, "frequency": d.frequency,
                          "age_days": age, "limit_days": limit})
    share = _share(len(a.datasets) - len(stale), len(a.datasets))
    details = {"datasets": len(a.datasets), "fresh": len(a.datasets) - len(stale), "stale": stale[:50]}
    if stale:
        details["table"] = table("未按时更新的数据集", [("title", "数据集"), ("updated_at", "更新时间", "text", {"empty": "未标注"}),
                                                  ("frequency", "更新频率"), ("age_days", "距今", "days", {"empty": "—"}),
                                                  ("limit_days", "时限", "days"), ("url", "地址", "url")], stale[:50])
    return Finding(graded(share, warn_below=t["warn_below"]), share, "ratio", details=details,
                   evidence=url_evidence(s["url"] for s in stale))


@check("opendata.security_policy", "数据安全政策", "Data-security policy page", kinds="D", needs="crawl", unit="bool")
def security_policy(a: SiteArtifacts, t: dict) -> Finding:
    """1 if a data-security policy or statement page exists, else 0."""
    policy = platform_facts(a).get("security_policy")
    f = binary(bool(policy), "bool", page=policy)
    f.evidence = url_evidence([policy["url"]]) if policy else []
    return f


@check("opendata.feedback", "互动反馈", "Feedback functions (request, correction, rating)", kinds="D", needs="crawl",
       unit="functions", warn_below=2)
def feedback(a: SiteArtifacts, t: dict) -> Finding:
    """Number present of the feedback functions 数据申请/需求, 纠错, 评价/满意度; warn below 2."""
    found = platform_facts(a).get("feedback") or {}
    present = {k: v for k, v in found.items() if k in ("request", "correction", "rating") and v}
    return Finding(graded(len(present), warn_below=t["warn_below"]), len(present), "functions",
                   details={"present": sorted(present), "missing": sorted({"request", "correction", "rating"} - set(present)),
                            "where": present},
                   evidence=url_evidence(sorted(set(present.values()))))
