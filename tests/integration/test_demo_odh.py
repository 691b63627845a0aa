"""Open-data and hotline checks over the demo farm: exact status and value per site.

Planted cases (govaudit/demo/sites/…): data-city states 12 datasets and lists 12
(HTML catalogue over 3 pages, <dl> metadata); data-county states 20 but its JSON
catalogue holds 15, none with an API. hotline-city uses <li> lists and label
spans, hotline-county (GBK) tables with 2024年01月02日 dates, hotline-district
<div> rows paged by ?page=N, <dl> fields and unlabelled reply dates.
"""
import pytest

EXPECTED = {
    "data-city": {
        "opendata.dataset_count": ("pass", 12),
        "opendata.api_count": ("pass", 8),
        "opendata.app_count": ("pass", 12),
        "opendata.machine_readable": ("warn", 0.8333),
        "opendata.metadata_complete": ("warn", 0.8333),
        "opendata.downloadable": ("fail", 0.8333),
        "opendata.freshness": ("pass", 0.8333),
        "opendata.security_policy": ("pass", 1),
        "opendata.feedback": ("pass", 3),
    },
    "data-county": {
        "opendata.dataset_count": ("warn", 15),
        "opendata.api_count": ("fail", 0),
        "opendata.app_count": ("warn", 3),
        "opendata.machine_readable": ("warn", 0.6),
        "opendata.metadata_complete": ("warn", 0.6667),
        "opendata.downloadable": ("fail", 0.8667),
        "opendata.freshness": ("warn", 0.3333),
        "opendata.security_policy": ("fail", 0),
        "opendata.feedback": ("warn", 1),
    },
    "hotline-city": {
        "interact.channel": ("pass", 1),
        "hotline.reply_rate": ("pass", 0.95),
        "hotline.ontime_rate": ("pass", 0.8947),
        "hotline.median_reply_days": ("pass", 1),
        "hotline.follow_up": ("pass", 0.4211),
        "hotline.knowledge_base": ("pass", 1),
        "hotline.proactive": ("pass", 1),
        "hotline.satisfaction": ("pass", 1),
        "hotline.stats_public": ("pass", 1),
        "interact.unanswered_3m": ("pass", 0),
        "interact.reply_recency": ("pass", 2),
    },
    "hotline-county": {
        "interact.channel": ("pass", 1),
        "hotline.reply_rate": ("warn", 0.8182),
        "hotline.ontime_rate": ("warn", 0.5556),
        "hotline.median_reply_days": ("pass", 2),
        "hotline.follow_up": ("warn", 0.1111),
        "hotline.knowledge_base": ("fail", 0),
        "hotline.proactive": ("fail", 0),
        "hotline.satisfaction": ("fail", 0),
        "hotline.stats_public": ("fail", 0),
        "interact.unanswered_3m": ("fail", 2),
        "interact.reply_recency": ("warn", 68),
    },
    "hotline-district": {
        "interact.channel": ("pass", 1),
        "hotline.reply_rate": ("warn", 0.8),
        "hotline.ontime_rate": ("pass", 0.875),
        "hotline.median_reply_days": ("pass", 1),
        "hotline.follow_up": ("pass", 0.375),
        "hotline.knowledge_base": ("pass", 1),
        "hotline.proactive": ("fail", 0),
        "hotline.satisfaction": ("fail", 0),
        "hotline.stats_public": ("pass", 1),
        "interact.unanswered_3m": ("fail", 1),
        "interact.reply_recency": ("pass", 9),
    },
}


@pytest.mark.parametrize("slug", sorted(EXPECTED))
def test_odh_checks_per_demo_site(demo_audit, slug):
    got = {check: demo_audit.finding(slug, check) for check in EXPECTED[slug]}
    assert got == EXPECTED[slug]


def test_portals_have_no_message_list(demo_audit):
    for slug in ("portal-city", "portal-county"):
        assert demo_audit.finding(slug, "interact.unanswered_3m") == ("not_applicable", None)


def test_stated_total_and_failures_are_explained(demo_audit):
    details = demo_audit.details("data-county", "opendata.dataset_count")
    assert (details["stated_total"], details["count"], details["reason"]) == (20, 15, "stated_total_differs")
    failed = demo_audit.details("data-city", "opendata.downloadable")["failed"]
    assert sorted((f["download_url"].rsplit("/", 1)[1], f["why"]) for f in failed) == [
        ("d07.csv", "http_404"), ("download?id=d08", "html_page")]
    failed = demo_audit.details("data-county", "opendata.downloadable")["failed"]
    assert sorted(f["why"] for f in failed) == ["html_page", "http_404"]
    late = demo_audit.details("hotline-county", "hotline.ontime_rate")
    assert late["holidays_modelled"] is False and len(late["late"]) == 4


def test_messages_and_datasets_are_rows(demo_audit):
    from sqlalchemy import func, select
    from sqlalchemy.orm import Session

    from storage import models as m
    from storage.db import get_engine
    with Session(get_engine(demo_audit.db_url)) as session:
        def count(model, slug):
            return session.scalar(select(func.count()).select_from(model).where(
                model.run_id == demo_audit.run_id, model.site_id == demo_audit.site_ids[slug]))
        assert [count(m.Dataset, s) for s in ("data-city", "data-county")] == [12, 15]
        assert [count(m.Message, s) for s in ("hotline-city", "hotline-county", "hotline-district")] == [20, 12, 10]
        unit = session.scalar(select(m.Message.reply_unit).where(
            m.Message.run_id == demo_audit.run_id, m.Message.url.like("%/messages/m01.html")))
        assert unit == "市交通运输局"


def test_json_lists_are_found_from_page_scripts(demo_audit):
    from sqlalchemy import select
    from sqlalchemy.orm import Session

    from storage import models as m
    from storage.db import get_engine
    with Session(get_engine(demo_audit.db_url)) as session:
        def facts(slug):
            return session.scalar(select(m.ProbeResult.result).where(
                m.ProbeResult.run_id == demo_audit.run_id, m.ProbeResult.site_id == demo_audit.site_ids[slug],
                m.ProbeResult.probe == "crawl"))
        county, district, city = facts("data-county")["opendata"], facts("hotline-district")["hotline"], facts("data-city")["opendata"]
    base = {slug: demo_audit.farm.by_slug[slug].base for slug in ("data-county", "hotline-district", "data-city")}
    assert county["json_endpoints"] == [base["data-county"] + "/api/catalog/list"]
    assert (county["stated_total"], county["apps"]["count"], county["feedback"]) == (20, 3, {"request": base["data-county"] + "/"})
    assert district["json_endpoints"] == [base["hotline-district"] + "/api/letters"]
    assert district["knowledge_base"] == {"url": base["hotline-district"] + "/faq/index.html", "entries": 4}
    assert city["security_policy"]["url"] == base["data-city"] + "/security.html"
    assert sorted(city["feedback"]) == ["correction", "rating", "request"]
