"""Demo sites → run → scores with every framework → report, opened in real Chromium."""
from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from storage import models as m
from storage.db import get_engine

OUT = Path(__file__).resolve().parents[2] / "test-output"


# Search latency and page load depend on the machine's load: for the pinned scores an auditor's
# re-measurement at fixed values supersedes them (as `govaudit check` would), so nothing else moves.
FIXED_TIMINGS = {"search.latency": 0.5, "perf.homepage_load": 1.0}


def _fix_timings(session, run_id: int) -> None:
    rerun = m.Run(kind="check", status="finished")
    session.add(rerun)
    session.flush()
    for f in session.scalars(select(m.Finding).where(m.Finding.run_id == run_id,
                                                     m.Finding.check_id.in_(FIXED_TIMINGS),
                                                     m.Finding.status.in_(("pass", "warn")))):
        session.add(m.Finding(run_id=rerun.id, site_id=f.site_id, check_id=f.check_id, check_version=f.check_version,
                              status="pass", value=FIXED_TIMINGS[f.check_id], unit_of_value=f.unit_of_value,
                              details=f.details, evidence=f.evidence, supersedes=f.id))


@pytest.fixture(scope="module")
def demo_report(demo_audit, tmp_path_factory):
    from govaudit.demo.run import DEMO_MANUAL
    from reports.html import write_report
    from reports.store import score_run
    from storage.db import session_scope
    with session_scope(demo_audit.db_url) as session:
        _fix_timings(session, demo_audit.run_id)
    with session_scope(demo_audit.db_url) as session:
        scored = score_run(session, demo_audit.run_id, manual_path=str(DEMO_MANUAL))
    with session_scope(demo_audit.db_url) as session:
        index = write_report(session, demo_audit.run_id, tmp_path_factory.mktemp("report"), demo_audit.data_dir)
    return demo_audit, scored, index


def test_every_framework_scores_the_demo(demo_report):
    audit, scored, _ = demo_report
    assert sorted(s.framework.name for s in scored) == ["capability", "inspection", "performance", "service_capability"]
    with Session(get_engine(audit.db_url)) as session:
        frameworks = set(session.scalars(select(m.Score.framework).where(m.Score.run_id == audit.run_id)))
        totals = session.execute(select(m.Score.framework, m.Score.site_id, m.Score.unit_id, m.Score.score)
                                 .where(m.Score.run_id == audit.run_id, m.Score.indicator == "total")).all()
    assert frameworks == {"capability", "inspection", "performance", "service_capability"}
    # site-level frameworks score sites, unit-level ones units: never both on one row
    assert all((site is None) != (unit is None) for _, site, unit, _ in totals)


# framework -> subject -> (total, tier, rank, sub-level or None, incomplete), timings fixed as above.
TOLERANCE = {"capability": 0.005, "inspection": 0.005, "performance": 0.0001, "service_capability": 0.005}
EXPECTED_SCORES = {
    "capability": {       # 差分: the three widest gaps cut after 某某市 (A), 某某县人民政府网 (B), 某某镇 (C)
        "某某区人民政府": (73.3375, "领先发展", 1, "A1", False),
        "某某市人民政府": (73.2389, "领先发展", 1, "A3", False),
        "某某县人民政府网": (32.1667, "积极发展", 2, "B1", True),    # portal only: no data/hotline site
        "某某县人民政府": (25.6676, "稳步发展", 3, "C1", False),    # 区县 ranks: 区 1, 县网 2, 县 3, 新区 4
        "某某镇人民政府": (21.2292, "稳步发展", 1, "C3", True),
        "某某新区管理委员会": (15.125, "亟待发展", 4, None, False),  # HTTPS portal only, of six pages
    },
    "inspection": {       # 某某市: 100 − 3 dead homepage links − 0.2 (2 dead elsewhere) − 5 search − 2 IPv6 − 2 HTTPS
        "某某市人民政府": (87.8, "合格", 1, None, False),
        "某某区人民政府": (None, "不合格", None, None, False),    # vetoes score nothing else
        "某某县人民政府": (None, "不合格", None, None, False),    # its two candidate vetoes confirmed in manual.csv
        "某某县人民政府网": (None, "不合格", None, None, True),
        "某某镇人民政府": (None, "不合格", None, None, True),
        "某某新区管理委员会": (None, "不合格", None, None, False),
    },
    "performance": {
        "某某市人民政府": (0.80604, "优秀", 1, None, False),
        "某某区人民政府": (0.63504, "中等", 1, None, False),
        "某某县人民政府网": (0.50873, "待改进", 2, None, True),
        "某某新区管理委员会": (0.42545, "待改进", 3, None, False),
        "某某县人民政府": (0.22822, "待改进", 4, None, False),
        "某某镇人民政府": (0.37365, "待改进", 1, None, True),
    },
    "service_capability": {    # unranked: listed by level and region code
        "某某县人民政府网": (87.711, "优秀", None, None, True),
        "某某市人民政府": (66.321, "发展", None, None, False),
        "某某区人民政府": (60.55, "发展", None, None, False),
        "某某镇人民政府": (51.136, "准备", None, None, True),
        "某某新区管理委员会": (45.086, "准备", None, None, True),
        "某某县人民政府": (21.52, "准备", None, None, True),
    },
}


def test_demo_scores_and_tiers_are_exact(demo_report):
    audit, _, _ = demo_report
    with Session(get_engine(audit.db_url)) as session:
        rows = session.scalars(select(m.Score).where(m.Score.run_id == audit.run_id, m.Score.indicator == "total"))
        got: dict[str, dict] = {}
        for r in rows:
            got.setdefault(r.framework, {})[r.details["subject"]] = (
                r.score, r.tier, r.rank, r.details.get("sublevel"), r.incomplete)
    want = {fw: {subject: (None if v[0] is None else pytest.approx(v[0], abs=TOLERANCE[fw]), *v[1:])
                 for subject, v in subjects.items()} for fw, subjects in EXPECTED_SCORES.items()}
    assert got == want


def test_demo_manual_values_are_marked_manual(demo_report):
    audit, _, _ = demo_report
    with Session(get_engine(audit.db_url)) as session:
        manual = session.execute(select(m.Score.indicator, m.Score.score, m.Score.details["subject"].as_string())
                                 .where(m.Score.run_id == audit.run_id, m.Score.manual.is_(True))
                                 .order_by(m.Score.framework, m.Score.indicator, m.Score.score)).all()
    assert [(i, s, subj) for i, s, subj in manual if s is not None] == [
        ("innovation_cases", 2.0, "某某区人民政府"), ("innovation_cases", 5.0, "某某市人民政府"),
        ("scenarios", 1.0, "某某区人民政府"), ("scenarios", 3.0, "某某市人民政府")]


@contextmanager
def chromium_page():
    """A page in real Chromium and the console errors it logs."""
    from playwright.sync_api import sync_playwright

    from crawler.probes.pool import resolve_executable
    OUT.mkdir(exist_ok=True)
    errors: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=resolve_executable(), args=["--no-sandbox"])
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
            page.on("pageerror", lambda exc: errors.append(str(exc)))
            yield page, errors
        finally:
            browser.close()


def test_report_renders_in_chromium_without_console_errors(demo_report):
    _, _, index = demo_report
    with chromium_page() as (page, errors):
        page.goto(Path(index).as_uri())
        charts = page.eval_on_selector_all("svg.chart", "els => els.map(e => e.getBoundingClientRect().height)")
        title = page.title()
        page.screenshot(path=str(OUT / "report-index.png"), full_page=True)
    assert errors == []
    assert len(charts) >= 4 and all(h > 0 for h in charts)
    assert title


def test_demo_report_reads_in_chinese_and_its_notices_and_evidence_open_in_chromium(demo_report):
    """The demo report in a reader's words (no bare English status, unit or reason code), then in
    Chromium: a site page's screenshot thumbnail leads to the full picture, a 整改通知 opens."""
    from lxml import html as lxml_html

    from reports.notices import write_notices
    from storage.db import session_scope
    from tests.reports.test_report_zh import bare_codes

    audit, _, index = demo_report
    with session_scope(audit.db_url) as session:
        write_notices(session, audit.run_id, index.parent, audit.data_dir)
    pages = sorted(index.parent.glob("*.html")) + sorted((index.parent / "notices").glob("*.html"))
    assert {p.name: bare_codes(p) for p in pages} == {p.name: [] for p in pages}
    # the portal with dead links: its evidence table, its 整改建议, its screenshots
    city = next(p for p in index.parent.glob("site-*.html")
                if lxml_html.fromstring(p.read_text(encoding="utf-8")).xpath("//h1[text()='某某市人民政府']"))
    doc = lxml_html.fromstring(city.read_text(encoding="utf-8"))
    dead = doc.xpath("//details[@id='f-links.dead_homepage']")[0]
    assert dead.xpath("string(.//table[@class='evidence']/caption)") == "错误链接"
    assert dead.xpath("string(.//p[@class='advice'])").startswith("整改建议：")
    unit_id = doc.xpath("//a[starts-with(@href, 'unit-')]/@href")[0][5:-5]
    with chromium_page() as (page, errors):
        page.goto(city.as_uri())
        thumb = page.locator("details.finding a:has(img.thumb)").first
        target = thumb.get_attribute("href")
        thumb.click()
        page.wait_for_function("h => location.hash === h", arg=target)
        full = page.locator(f"{target} img.shot")
        shown = full.evaluate("img => [img.naturalWidth, img.getBoundingClientRect().top, innerHeight]")
        page.locator("details#f-links\\.dead_site a.archived").first.click()      # the page linking a dead target
        page.wait_for_load_state()
        archived = (page.locator("h1").inner_text(), page.locator("pre.source").inner_text())
        page.goto((index.parent / "notices" / f"unit-{unit_id}.html").as_uri())
        notice_title = page.locator("h1").inner_text()
        problems = page.locator("div.problem").count()
        page.screenshot(path=str(OUT / "report-notice.png"), full_page=False)
    assert errors == []
    assert shown[0] == 1000 and 0 <= shown[1] < shown[2]      # the full picture, scrolled into view
    assert archived[0] == "存档副本" and "<html" in archived[1].lower()     # its source, as text
    assert notice_title == "整改通知" and problems > 0
