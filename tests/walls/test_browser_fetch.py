"""`fetch: browser`: an authorised evaluator audits a walled site through the real browser.

What a person sees: in a browser each of these walls shows a blank moment, then the county
portal of `control` (the challenge sets its cookie and reloads). Audited through Chromium,
each site's findings equal those of the same site without a wall. A CAPTCHA has no script
way through: it stays `blocked` (the tool never answers a CAPTCHA). Real Chromium, about 30 s."""
from __future__ import annotations

import pytest

from tests.helpers import environ
from tests.hostile.conftest import audit_farm, crawl_checks
from tests.walls.conftest import details
from tests.walls.farm import WallFarm, default_sites

pytestmark = pytest.mark.browser
THROUGH = ["ruishu", "jiasule", "aliyun", "empty-script"]


@pytest.fixture(scope="module")
def browser_audit(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("browser-fetch")
    sites = [s for s in default_sites() if s.slug in ("control", "captcha", *THROUGH)]
    for site in sites:
        if site.slug != "control":
            site.hints = {"fetch": "browser"}
    with WallFarm(sites) as farm, environ(GOVAUDIT_MAX_RPS=None, GOVAUDIT_HOST_CONCURRENCY=None,
                                          GOVAUDIT_BROWSER_PACE="0.1"):
        yield audit_farm(farm, tmp, f"sqlite:///{tmp / 'browser.db'}", crawl_checks())


@pytest.mark.parametrize("slug", THROUGH)
def test_walled_site_audited_through_the_browser_equals_the_site(browser_audit, slug):
    control = browser_audit.findings("control")
    found = browser_audit.findings(slug)
    assert {c: v for c, v in found.items() if v != control[c]} == {}
    assert browser_audit.crawl_facts(slug)["fetch"] == "browser"
    assert browser_audit.crawl_facts(slug)["wall"] is None


def test_pages_record_how_they_were_fetched(browser_audit):
    from sqlalchemy import select
    from sqlalchemy.orm import Session

    from storage import models as m
    from storage.db import get_engine
    with Session(get_engine(browser_audit.db_url)) as session:
        rows = session.execute(select(m.Page.site_id, m.Page.role, m.Page.facts)
                               .where(m.Page.run_id == browser_audit.run_id)).all()
    by_site = {}
    for site_id, role, facts in rows:
        if role != "external":
            by_site.setdefault(site_id, set()).add((facts or {}).get("fetched_by"))
    ids = browser_audit.site_ids
    assert by_site[ids["control"]] == {None}
    assert by_site[ids["ruishu"]] == {"browser"}


def test_captcha_stays_a_wall(browser_audit):
    assert set(browser_audit.findings("captcha").values()) == {("error", None, "blocked")}
    assert details(browser_audit, "captcha")["avail.homepage"]["wall"]["signals"] == ["CAPTCHA"]


def test_one_page_at_a_time(browser_audit):
    assert max(browser_audit.farm.by_slug[s].max_in_flight for s in THROUGH) == 1
