"""Demo sites → run → scores with every framework → report, opened in real Chromium."""
from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from storage import models as m
from storage.db import get_engine

OUT = Path(__file__).resolve().parents[2] / "test-output"


@pytest.fixture(scope="module")
def demo_report(demo_audit, tmp_path_factory):
    from reports.html import write_report
    from reports.store import score_run
    from storage.db import session_scope
    with session_scope(demo_audit.db_url) as session:
        scored = score_run(session, demo_audit.run_id)
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


def test_report_renders_in_chromium_without_console_errors(demo_report):
    from playwright.sync_api import sync_playwright

    from crawler.probes.pool import resolve_executable
    _, _, index = demo_report
    OUT.mkdir(exist_ok=True)
    errors: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=resolve_executable(), args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.goto(Path(index).as_uri())
        charts = page.eval_on_selector_all("svg.chart", "els => els.map(e => e.getBoundingClientRect().height)")
        title = page.title()
        page.screenshot(path=str(OUT / "report-index.png"), full_page=True)
        browser.close()
    assert errors == []
    assert len(charts) >= 4 and all(h > 0 for h in charts)
    assert title
