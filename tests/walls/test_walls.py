"""Walls (反爬 / WAF / CAPTCHA) are reported as walls, never audited as the site.

What a person sees, written before the first audit:
- `control` is the site itself: a county portal whose homepage shows 网站标识码 3301000001,
  浙ICP备12345678号, 浙公网安备33010202000123号, 主办单位 / 联系电话 / 网站地图, a 通知公告 list
  dated yesterday, 3 and 9 days ago, and one link (旧栏目) to a page that is gone (404).
- Every other site answers, at its homepage or after a few requests, with a wall instead of
  that site: a person at a browser would see a blank page that reloads into the site (瑞数,
  加速乐, 阿里云盾, a large obfuscated script), a CAPTCHA form, or a refusal (403, 429) for every
  page. Nothing of the site can be judged from what the scanner got: every finding is
  `error`/`blocked`, and the evidence names the product, the status and the cookies.
"""
from __future__ import annotations

import pytest

from tests.walls.conftest import blocked_by_one_wall, details

PERSON_READS_CONTROL = {
    "avail.homepage": ("pass", 1, None),
    "identity.site_code": ("pass", 1, None),
    "identity.icp": ("pass", 1, None),
    "identity.psb": ("pass", 1, None),
    "identity.sponsor_contact": ("pass", 3, None),
    "links.dead_homepage": ("fail", 1, None),
    "update.homepage": ("pass", 1, None),
}

# slug: (product, status, cookie names the wall sets, signals)
WALLS = {
    "ruishu": ("瑞数", 412, ["FSSBBIl1UgzbN7N80S", "FSSBBIl1UgzbN7N80T"], ["script sets a cookie", "script reloads the page"]),
    "jiasule": ("加速乐", 521, ["__jsluid_h", "__jsl_clearance"], ["script sets a cookie", "script reloads the page"]),
    "aliyun": ("阿里云盾", 200, ["acw_tc", "acw_sc__v2"], ["script sets a cookie", "script reloads the page"]),
    "captcha": (None, 200, [], ["CAPTCHA"]),
    "empty-script": (None, 200, ["_wafv"], ["script sets a cookie", "script reloads the page", "empty page running"]),
    "corpus-wall": (None, 200, [], ["empty page running"]),
}
MID_CRAWL = {"after-n": ("瑞数", 412), "rate-403": (None, 403), "rate-429": (None, 429)}


def inline_script(site) -> int:
    import lxml.html
    status, headers, body = site.wall()
    return sum(len(s.text or "") for s in lxml.html.fromstring(body).iter("script") if not s.get("src"))


def test_control_site_is_audited(wall_audit):
    found = wall_audit.findings("control")
    assert {c: found[c] for c in PERSON_READS_CONTROL} == PERSON_READS_CONTROL
    assert details(wall_audit, "control")["avail.homepage"].get("wall") is None


@pytest.mark.parametrize("slug", sorted([*WALLS, *MID_CRAWL]))
def test_every_finding_of_a_walled_site_is_blocked_with_the_wall(wall_audit, slug):
    blocked_by_one_wall(wall_audit, slug)


@pytest.mark.parametrize("slug", sorted(WALLS))
def test_homepage_wall_evidence(wall_audit, slug):
    product, status, cookies, signals = WALLS[slug]
    wall = details(wall_audit, slug)["avail.homepage"]["wall"]
    if signals[-1] == "empty page running":     # with the size of the page's inline scripts
        signals = [*signals[:-1], f"empty page running {inline_script(wall_audit.farm.by_slug[slug])} "
                                  "characters of inline script"]
    base = wall_audit.farm.by_slug[slug].url
    assert (wall["product"], wall["status"], wall["cookies"], wall["signals"], wall["url"]) == (
        product, status, cookies, signals, base)
    assert wall["snippet"]


@pytest.mark.parametrize("slug", sorted(MID_CRAWL))
def test_wall_met_mid_crawl(wall_audit, slug):
    """The homepage answered; the wall went up after 3 requests: the site is blocked, its 403/429
    answers are not dead links, and the crawl stopped asking: after the wall only the 2 requests in
    flight with their retry (a 403: one GET retry, then the homepage asked once more; a 429: the
    server's Retry-After waited out 3 times each)."""
    product, status = MID_CRAWL[slug]
    homepage = details(wall_audit, slug)["avail.homepage"]
    wall = homepage["wall"]
    assert (homepage["status"], wall["product"], wall["status"]) == (200, product, status)
    assert wall["url"] != wall_audit.farm.by_slug[slug].url
    assert ("confirmed_by" in wall) == (slug == "rate-403")
    site = wall_audit.farm.by_slug[slug]
    after_wall = site.arrivals[site.after:]
    assert len(after_wall) <= {"after-n": 2, "rate-403": 2 * 2 + 1, "rate-429": 2 * (1 + 3)}[slug], after_wall


def test_walled_sites_exported_and_reported(wall_audit, tmp_path):
    """The list evaluators send to the sites: every walled site with its evidence, in the export and the report."""
    import csv
    import io

    from sqlalchemy.orm import Session

    from reports.html import write_report
    from storage.db import get_engine
    from storage.export import write_walls
    with Session(get_engine(wall_audit.db_url)) as session:
        out = io.StringIO()
        assert write_walls(session, wall_audit.run_id, "csv", out) == len(WALLS) + len(MID_CRAWL)
        rows = {r["site_url"]: r for r in csv.DictReader(io.StringIO(out.getvalue()))}
        write_report(session, wall_audit.run_id, tmp_path / "report", tmp_path)
    ruishu = rows[wall_audit.farm.by_slug["ruishu"].url]
    assert (ruishu["product"], ruishu["status"], ruishu["cookies"]) == (
        "瑞数", "412", '["FSSBBIl1UgzbN7N80S", "FSSBBIl1UgzbN7N80T"]')
    assert wall_audit.farm.by_slug["control"].url not in rows
    index = (tmp_path / "report" / "index.html").read_text(encoding="utf-8")
    assert index.count("<tr><td><a href=\"site-") - index.split('id="walls"')[0].count("<tr><td><a href=\"site-") == 9
    from openpyxl import load_workbook
    sheet = list(load_workbook(tmp_path / "report" / "report.xlsx")["被拦截站点"].iter_rows(values_only=True))
    assert len(sheet) == 1 + len(rows)
    assert next(r[3:6] + r[8:9] for r in sheet if r[1] == wall_audit.farm.by_slug["ruishu"].url) == (
        "瑞数", 412, ruishu["reason"], "FSSBBIl1UgzbN7N80S、FSSBBIl1UgzbN7N80T")


@pytest.mark.browser
def test_probes_are_not_sent_against_a_wall(wall_audit):
    """The browser probes leave a walled site alone: each probe row says blocked, and no request reached it."""
    from sqlalchemy import select
    from sqlalchemy.orm import Session

    from crawler.probes.gather import gather
    from core.config import load
    from storage import models as m
    from storage.db import get_engine
    from tests.helpers import environ
    site = wall_audit.farm.by_slug["ruishu"]
    before = len(site.arrivals)
    with environ(GOVAUDIT_DATABASE_URL=wall_audit.db_url, GOVAUDIT_ALLOW_HOSTS=",".join(wall_audit.farm.allow_hosts())):
        gather(wall_audit.run_id, [wall_audit.site_ids["ruishu"]], load(), {"probe:mobile"})
    with Session(get_engine(wall_audit.db_url)) as session:
        kind = session.scalar(select(m.ProbeResult.error_kind).where(
            m.ProbeResult.run_id == wall_audit.run_id, m.ProbeResult.site_id == wall_audit.site_ids["ruishu"],
            m.ProbeResult.probe == "mobile"))
    assert (kind, len(site.arrivals)) == ("blocked", before)


def test_error_messages_say_where_the_wall_answered(wall_audit):
    assert details(wall_audit, "ruishu")["avail.homepage"]["error"] == \
        "a wall (瑞数) answered instead of the site: HTTP 412 challenge page"
    wall = details(wall_audit, "after-n")["avail.homepage"]["wall"]
    assert details(wall_audit, "after-n")["identity.icp"]["error"] == (
        f"a wall (瑞数) answered instead of the site at {wall['url']} after {wall['after_requests']} requests: "
        "HTTP 412 challenge page")
