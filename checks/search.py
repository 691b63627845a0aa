"""智能搜索: the site search used as a person would (crawler/probes/search.py)."""
from __future__ import annotations

from checks.artifacts import SiteArtifacts
from checks.base import Finding, binary, check, error, graded, not_applicable, url_evidence
from checks.probe_common import finish, probe_result, shots
from checks.zh import CCID, GUOBAN_2019, area_texts

area_texts({
    "search.present": ("在首页提供站内搜索。",
        GUOBAN_2019 + "：站内搜索"),
    "search.recall": ("完善搜索索引，使站内已有页面能按标题检索到。",
        GUOBAN_2019 + "：搜索准确性"),
    "search.typo_tolerance": ("支持错别字、同音字纠错与“您是不是要找”提示。",
        CCID + "：智能搜索"),
    "search.latency": ("优化搜索性能，缩短结果返回时间。",
        CCID + "：智能搜索"),
    "search.service_cards": ("搜索结果中直接提供办事服务入口（搜索即服务）。",
        CCID + "：智能搜索"),
}, reasons={
    "no_search": "未发现站内搜索",
    "no_search_box": "未发现搜索框",
})


def _searched(a: SiteArtifacts):
    r, err = probe_result(a, "search")
    if err:
        return None, err
    if not r.get("present"):
        return None, finish(not_applicable("no_search", why=r.get("reason")), r)
    return r, None


@check("search.present", "站内搜索", "Site search present", kinds="PDH", needs="probe:search", unit="bool")
def present(a: SiteArtifacts, t: dict) -> Finding:
    """1 if a site search box is found and a query can be submitted, else 0."""
    r, err = probe_result(a, "search")
    if err:
        return err
    f = binary(bool(r.get("present")), "bool", how=r.get("how"), box=r.get("box"), reason=r.get("reason"),
               results_url=(r.get("baseline") or {}).get("url"))
    return finish(f, r, shots(r.get("screenshot")))


@check("search.recall", "搜索准确性", "Known-item search recall", kinds="PDH", needs="probe:search", unit="share",
       fail_below=0.6, warn_below=0.8, min_items=5)
def recall(a: SiteArtifacts, t: dict) -> Finding:
    """Share of known-item queries (exact titles of crawled pages) whose page is in the first 10 results."""
    r, done = _searched(a)
    if done:
        return done
    known = [q for q in r.get("queries", []) if q["kind"] == "known"]
    if not known:
        return finish(error("not_gathered", "no crawled page titles to search for"), r)
    hits = [q for q in known if q.get("found")]
    share = round(len(hits) / len(known), 4)
    f = Finding(graded(share, fail_below=t["fail_below"], warn_below=t["warn_below"]), share, "share",
                {"queries": len(known), "found": len(hits), "below_minimum": len(known) < t["min_items"],
                 "items": [{"query": q["query"], "target": q.get("target"), "found": q.get("found", False),
                            "results": (q.get("results") or [])[:10], "no_results": q.get("no_results")} for q in known]})
    missed = [q.get("target") for q in known if not q.get("found")]
    return finish(f, r, shots(r.get("screenshot")) + url_evidence(missed, 20))


@check("search.typo_tolerance", "错别字纠正", "Typo tolerance", kinds="P", needs="probe:search", unit="share",
       warn_below=0.5)
def typo_tolerance(a: SiteArtifacts, t: dict) -> Finding:
    """Share of one-character typo queries for which the target is still found or a correction is offered."""
    r, done = _searched(a)
    if done:
        return done
    typos = [q for q in r.get("queries", []) if q["kind"] == "typo"]
    if not typos:
        return finish(error("not_gathered", "no title offered a typo variant"), r)
    ok = [q for q in typos if q.get("found") or q.get("correction")]
    share = round(len(ok) / len(typos), 4)
    f = Finding(graded(share, warn_below=t["warn_below"]), share, "share",
                {"queries": len(typos), "tolerated": len(ok),
                 "items": [{"query": q["query"], "replaced": q.get("replaced"), "found": q.get("found", False),
                            "correction": q.get("correction", False)} for q in typos]})
    return finish(f, r, shots(r.get("screenshot")))


@check("search.latency", "搜索响应", "Search latency", kinds="PDH", needs="probe:search", unit="s", warn_above=3)
def latency(a: SiteArtifacts, t: dict) -> Finding:
    """Median seconds from submitting a query to the results being rendered."""
    r, done = _searched(a)
    if done:
        return done
    value = r.get("median_latency_s")
    if value is None:
        return finish(error("not_gathered", "no query completed"), r)
    lat = [q["latency_s"] for q in r.get("queries", []) if q.get("latency_s") is not None]
    f = Finding(graded(value, warn_above=t["warn_above"]), value, "s",
                {"queries": len(lat), "max_s": max(lat) if lat else None})
    return finish(f, r)


@check("search.service_cards", "搜索即服务", "Service items in search results", kinds="P", needs="probe:search",
       unit="bool")
def service_cards(a: SiteArtifacts, t: dict) -> Finding:
    """1 if results for a service query (社保, 公积金, 营业执照) include an item linking to an online service."""
    r, done = _searched(a)
    if done:
        return done
    service = [q for q in r.get("queries", []) if q["kind"] == "service"]
    items = [{"query": q["query"], "items": q.get("service_items") or []} for q in service]
    found = [i for q in items for i in q["items"]]
    f = binary(bool(found), "bool", queries=items)
    return finish(f, r, shots(r.get("screenshot")) + url_evidence([i["href"] for i in found], 10))
