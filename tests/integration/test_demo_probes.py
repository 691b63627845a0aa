"""Browser-probe checks in the full demo audit (real crawl titles, real Chromium): exact status and value."""
import pytest

from tests.browser.test_probes import EXPECTED

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("slug", sorted(EXPECTED))
def test_probe_checks_per_demo_site(demo_audit, slug):
    got = {check: demo_audit.finding(slug, check) for check in EXPECTED[slug]}
    assert got == EXPECTED[slug]


@pytest.mark.parametrize("slug", sorted(EXPECTED))
def test_timed_checks_have_values(demo_audit, slug):
    for check in ("search.latency", "perf.homepage_load"):
        status, value = demo_audit.finding(slug, check)
        assert value > 0 and status == ("warn" if value > 3 else "pass")


def test_known_items_come_from_the_crawl(demo_audit):
    details = demo_audit.details("portal-probe", "search.recall")
    base = demo_audit.farm.by_slug["portal-probe"].base
    assert sorted(i["target"] for i in details["items"]) == [f"{base}/news/n{i}.html" for i in range(1, 7)]


def test_screenshots_are_evidence_on_disk(demo_audit):
    evidence = demo_audit.evidence("portal-probe-bad", "elder.no_ads")
    refs = [e["ref"] for e in evidence if e["kind"] == "screenshot"]
    sid = demo_audit.site_ids["portal-probe-bad"]
    assert refs == [f"runs/{demo_audit.run_id}/{sid}/elder.png", f"runs/{demo_audit.run_id}/{sid}/elder-before.png"]
    assert all((demo_audit.data_dir / r).stat().st_size > 1000 for r in refs)


def test_render_row_and_tool_versions_are_stored(demo_audit):
    from sqlalchemy import select
    from sqlalchemy.orm import Session

    from storage import models as m
    from storage.db import get_engine
    sid = demo_audit.site_ids["portal-probe"]
    with Session(get_engine(demo_audit.db_url)) as session:
        rows = {r.probe: r for r in session.scalars(select(m.ProbeResult).where(
            m.ProbeResult.run_id == demo_audit.run_id, m.ProbeResult.site_id == sid))}
        finding = session.scalar(select(m.Finding).where(m.Finding.run_id == demo_audit.run_id,
                                                         m.Finding.site_id == sid, m.Finding.check_id == "a11y.axe"))
        assert {"a11y", "elder", "mobile", "privacy", "qa", "render", "search"} <= set(rows)
        assert "智能问答" in rows["render"].result["html"]
        assert set(finding.tool_versions) == {"browser", "axe-core"}
