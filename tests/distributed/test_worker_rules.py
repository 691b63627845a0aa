"""The worker's rules, on stored rows: which homepage failures are retried,
the backoff, a site that fails for good, and when a round closes."""
from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from core.config import load
from govaudit import worker
from storage import models as m
from storage.db import get_engine


@pytest.fixture
def round_of_two(env, db_url):
    with Session(get_engine(db_url)) as session, session.begin():
        unit = m.Unit(name="某某市人民政府")
        session.add(unit)
        session.flush()
        sites = [m.Site(url=f"https://www.{n}.example.gov.cn/", name=n, kind="portal", unit_id=unit.id)
                 for n in ("a", "b")]
        session.add_all(sites)
        run = m.Run(kind="round", status="running", options={"only": [], "framework": None})
        session.add(run)
        session.flush()
        session.add_all(m.RunSite(run_id=run.id, site_id=s.id, stage="pending", gathered=["crawl"]) for s in sites)
        return run.id, [s.id for s in sites]


def home(db_url, run_id, site_id, status=None, error_kind=None):
    with Session(get_engine(db_url)) as session, session.begin():
        session.add(m.Page(run_id=run_id, site_id=site_id, url="https://x/", role="page", status=status,
                           error_kind=error_kind, is_homepage=True))


@pytest.mark.parametrize("status,error_kind,why", [
    (None, "timeout", "homepage timeout"),
    (None, "connection", "homepage connection"),
    (503, None, "homepage answered HTTP 503"),
    (None, "dns", None),          # permanent: a typed error at once
    (None, "tls", None),
    (200, None, None),
    (404, None, None),
])
def test_which_homepage_failures_are_retried(round_of_two, db_url, status, error_kind, why):
    run_id, (a, _) = round_of_two
    home(db_url, run_id, a, status, error_kind)
    assert worker.transient_home_failure(load(), run_id, a) == why


def test_backoff_doubles(monkeypatch):
    monkeypatch.setattr(worker, "RETRY_BACKOFF", 60.0)
    assert [worker.backoff(n) for n in range(4)] == [60.0, 120.0, 240.0, 480.0]


def test_round_closes_once_every_site_is_checked_or_failed(round_of_two, db_url):
    run_id, (a, b) = round_of_two
    settings = load()
    worker.forget_gathered(settings, run_id, a)
    with Session(get_engine(db_url)) as session:
        rs = session.query(m.RunSite).filter_by(run_id=run_id, site_id=a).one()
        assert (rs.stage, rs.gathered) == ("pending", [])
    assert worker.finish_round_if_done(settings, run_id) is False
    worker.mark_failed(settings, run_id, a, "internal", "RuntimeError: boom")
    assert worker.finish_round_if_done(settings, run_id) is False
    with Session(get_engine(db_url)) as session, session.begin():
        session.query(m.RunSite).filter_by(run_id=run_id, site_id=b).one().stage = "checked"
    assert worker.finish_round_if_done(settings, run_id) is True
    assert worker.finish_round_if_done(settings, run_id) is False      # exactly one caller closes it
    status = worker.round_status(settings, run_id)
    assert (status["status"], status["done"], status["sites"], status["stages"]) == (
        "finished", 2, 2, {"checked": 1, "failed": 1})
    assert status["failed"] == [{"site": a, "error_kind": "internal", "error": "RuntimeError: boom"}]


@pytest.mark.parametrize("cores, available_mb, sites", [
    (2, 24000, 16),       # this machine: 8 a core
    (2, 4096, 7),         # a small VM: 400 MB a site beside 1 GB for the worker
    (8, 8192, 17),
    (1, 512, 1),          # never none
])
def test_default_concurrency(cores, available_mb, sites):
    from govaudit.commands.scale import default_concurrency
    assert default_concurrency(cores, available_mb) == sites
