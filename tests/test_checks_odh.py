"""Open-data and hotline checks on hand-built artifacts (exact values)."""
from datetime import date, datetime, timezone

from checks import hotline, opendata  # noqa: F401  (importing registers the checks)
from checks.artifacts import DatasetArt, MessageArt, SiteArtifacts, SiteInfo
from checks.catalog import REGISTRY

NOW = datetime(2026, 11, 20, 8, 0, tzinfo=timezone.utc)   # a Friday


def run(check_id, arts):
    c = REGISTRY[check_id]
    return c.evaluate(arts, dict(c.thresholds))


def site(kind="open_data", **kw):
    return SiteArtifacts(site=SiteInfo(1, "http://d.example/", "某数据平台", kind), now=NOW, gathered={"crawl"}, **kw)


def ds(n, **kw):
    base = dict(url=f"http://d.example/ds/{n}", title=f"数据集{n}", summary="摘要", provider="市统计局",
                frequency="每年", updated_at="2026-06-01", open_condition="无条件开放", formats=["csv"],
                has_api=True, download_url=f"http://d.example/f/{n}.csv", download_ok=True)
    base.update(kw)
    return DatasetArt(**base)


def test_dataset_count_matches_and_differs_from_stated_total():
    arts = site(datasets=[ds(i) for i in range(3)], probes={"opendata": {"stated_total": 3}})
    f = run("opendata.dataset_count", arts)
    assert (f.status, f.value) == ("pass", 3)
    arts.probes["opendata"]["stated_total"] = 20
    f = run("opendata.dataset_count", arts)
    assert (f.status, f.value, f.details["stated_total"], f.details["reason"]) == ("warn", 3, 20, "stated_total_differs")
    f = run("opendata.dataset_count", site())          # no catalogue read: not evidence of an empty platform
    assert (f.status, f.value, f.details["error_kind"], f.details["reason"]) == (
        "error", None, "not_gathered", "no_catalogue_read")
    f = run("opendata.dataset_count", site(probes={"opendata": {"empty_catalogues": ["http://d.example/catalog"]}}))
    assert (f.status, f.value, f.details["reason"]) == ("fail", 0, "no_datasets")
    assert run("opendata.freshness", site()).status == "error"


def test_api_machine_readable_metadata():
    arts = site(datasets=[ds(1), ds(2, has_api=False), ds(3, formats=["pdf"], has_api=False),
                          ds(4, provider="", frequency="")])
    assert (run("opendata.api_count", arts).status, run("opendata.api_count", arts).value) == ("pass", 2)
    f = run("opendata.machine_readable", arts)
    assert (f.status, f.value) == ("warn", 0.75)
    assert f.details["not_machine_readable"][0]["url"] == "http://d.example/ds/3"
    f = run("opendata.metadata_complete", arts)
    assert (f.status, f.value) == ("warn", 0.75)
    assert f.details["missing_per_field"]["provider"] == 1 and f.details["missing_per_field"]["frequency"] == 1
    f = run("opendata.api_count", site(datasets=[ds(1, has_api=False)]))
    assert (f.status, f.value) == ("fail", 0)


def test_downloadable_counts_sampled_only():
    arts = site(datasets=[ds(i) for i in range(8)] + [ds(8, download_ok=False), ds(9, download_ok=None)])
    f = run("opendata.downloadable", arts)
    assert (f.status, f.value, f.details["sampled"]) == ("fail", 0.8889, 9)
    f = run("opendata.downloadable", site(datasets=[ds(1, download_ok=None, download_url="")]))
    assert f.status == "not_applicable"


def test_freshness_uses_declared_frequency():
    arts = site(datasets=[ds(1, updated_at="2026-11-19", frequency="每日"),    # 1 day: fresh
                          ds(2, updated_at="2026-11-10", frequency="每日"),    # 10 days: stale for daily
                          ds(3, updated_at="2025-12-01", frequency=""),        # 354 days: fresh
                          ds(4, updated_at=None)])                             # undated: stale
    f = run("opendata.freshness", arts)
    assert (f.status, f.value, f.details["fresh"]) == ("pass", 0.5, 2)
    assert [s["url"][-1] for s in f.details["stale"]] == ["2", "4"]


def test_app_security_feedback():
    arts = site(probes={"opendata": {"apps": {"url": "http://d.example/apps", "count": 12},
                                     "security_policy": {"url": "http://d.example/sec"},
                                     "feedback": {"request": "http://d.example/apply", "rating": "http://d.example/ds/1"}}})
    assert (run("opendata.app_count", arts).status, run("opendata.app_count", arts).value) == ("pass", 12)
    assert run("opendata.security_policy", arts).value == 1
    f = run("opendata.feedback", arts)
    assert (f.status, f.value, f.details["missing"]) == ("pass", 2, ["correction"])
    empty = site()
    assert (run("opendata.app_count", empty).status, run("opendata.app_count", empty).value) == ("warn", 0)
    assert (run("opendata.security_policy", empty).status) == "fail"
    assert (run("opendata.feedback", empty).status, run("opendata.feedback", empty).value) == ("warn", 0)


def test_working_days_skip_weekends():
    assert hotline.working_days(date(2026, 11, 20), date(2026, 11, 23)) == 1     # Fri → Mon
    assert hotline.working_days(date(2026, 11, 16), date(2026, 11, 23)) == 5     # Mon → Mon
    assert hotline.working_days(date(2026, 11, 16), date(2026, 11, 30)) == 10
    assert hotline.working_days(date(2026, 11, 21), date(2026, 11, 22)) == 0     # Sat → Sun
    assert hotline.working_days(date(2026, 11, 16), date(2026, 11, 16)) == 0


# what the extractor stores as the reading of each shown 办理状态 (details.status_replied)
STATUS_READING = {"已回复": True, "已办结": True, "已答复": True, "办理中": False, "待回复": False, "未回复": False}


def msg(n, sub, rep=None, status="", follow=False):
    return MessageArt(url=f"http://h.example/m/{n}", title=f"留言{n}", submitted_at=sub, replied_at=rep,
                      status=status, follow_up=follow, details={"status_replied": STATUS_READING.get(status)})


def board():
    return site("hotline", messages=[
        msg(1, "2026-11-16", "2026-11-17", "已回复", True),       # 1 working day
        msg(2, "2026-11-02", "2026-11-16", "已回复"),             # 10 working days: late
        msg(3, "2026-10-01", "2026-10-02", "已办结", True),
        msg(4, "2026-07-01", None, "办理中"),                     # 142 days unanswered
        msg(5, "2026-11-10", None, "待回复"),                     # 10 days: not overdue yet
        msg(6, "2025-01-05", None, "未回复"),                     # outside the 365-day window
        msg(7, "2026-09-01", None, "已答复"),                     # replied by status, reply date not shown
    ], probes={"hotline": {"knowledge_base": {"url": "http://h.example/zsk", "entries": 5},
                           "proactive": {"url": "http://h.example/hy"},
                           "satisfaction": {"kind": "rate", "text": "满意率98.5%"}}})


def test_hotline_rates():
    arts = board()
    f = run("hotline.reply_rate", arts)
    assert (f.status, f.value, f.details["messages"], f.details["replied"]) == ("warn", 0.6667, 6, 4)
    f = run("hotline.ontime_rate", arts)
    assert (f.status, f.value, f.details["holidays_modelled"]) == ("warn", 0.6667, False)
    assert f.details["late"][0]["working_days"] == 10
    f = run("hotline.median_reply_days", arts)
    assert (f.status, f.value) == ("pass", 1)
    f = run("hotline.follow_up", arts)
    assert (f.status, f.value, f.details["replied"]) == ("pass", 0.5, 4)


def test_hotline_sections():
    arts = board()
    assert run("hotline.knowledge_base", arts).value == 1
    assert run("hotline.proactive", arts).value == 1
    assert run("hotline.satisfaction", arts).value == 1
    f = run("hotline.stats_public", arts)
    assert (f.status, f.value, f.details["reason"]) == ("fail", 0, "missing")
    arts.probes["hotline"]["knowledge_base"]["entries"] = 0
    f = run("hotline.knowledge_base", arts)
    assert (f.status, f.details["reason"]) == ("fail", "empty")


def test_unanswered_and_recency():
    arts = board()
    f = run("interact.unanswered_3m", arts)
    assert (f.status, f.value, f.details["overdue"][0]["days"]) == ("fail", 1, 142)
    typed = f.details["table"]
    assert ([h["key"] for h in typed["headings"]], typed["items"]) == (
        ["title", "submitted_at", "days", "url"],
        [{"title": "留言4", "submitted_at": "2026-07-01", "days": 142, "url": "http://h.example/m/4"}])
    f = run("interact.reply_recency", arts)
    assert (f.status, f.value, f.details["newest_reply"]) == ("pass", 3, "2026-11-17")
    old = site("hotline", messages=[msg(1, "2026-01-02", "2026-08-01")])
    f = run("interact.reply_recency", old)
    assert (f.status, f.value) == ("warn", 111)


def test_status_without_its_stored_reading_is_unknown():
    """Rows of an older run: a status shown, its reading not stored, no reply time."""
    arts = board()
    arts.messages[6].details = {}           # 已答复, no reply date
    for cid in ("hotline.reply_rate", "hotline.follow_up", "interact.unanswered_3m"):
        f = run(cid, arts)
        assert (f.status, f.details["error_kind"], f.details["unread_statuses"]) == ("error", "not_gathered", 1), cid
    arts.messages[6].replied_at = "2026-09-03"      # a reply time says it all
    assert run("hotline.reply_rate", arts).status == "warn"


def test_no_message_list_is_not_applicable():
    empty = site("portal")
    for cid in ("interact.unanswered_3m", "interact.reply_recency", "hotline.reply_rate", "hotline.ontime_rate",
                "hotline.median_reply_days", "hotline.follow_up"):
        f = run(cid, empty)
        assert (f.status, f.details["reason"]) == ("not_applicable", "no_public_message_list"), cid
