"""Celery end to end on the real Redis and PostgreSQL: two `govaudit worker`
processes audit the demo sites; the findings match a local run, exactly once
each, even when a worker is SIGKILLed in the middle of a site; a worker started
without `-c` takes the machine's default."""
from __future__ import annotations

import re
import time
from collections import Counter

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from govaudit.commands.scale import machine_concurrency
from storage import models as m
from storage.db import get_engine
from tests.helpers import environ

pytestmark = [pytest.mark.postgres, pytest.mark.redis]
TIME_UNITS = {"ms", "s", "seconds", "second"}    # measured durations differ between any two runs


def environment(env: dict[str, str]):
    """The cluster's GOVAUDIT_ settings, for the duration."""
    return environ(**{k: v for k, v in env.items() if k.startswith("GOVAUDIT_")})


def new_run(cluster) -> int:
    """A round of every check but the browser probes: distribution is under test here, and the probes'
    findings are asserted by the demo audit and the browser tests (they would triple this file's time)."""
    from checks.catalog import all_checks
    from govaudit import rounds
    only = sorted(c.id for c in all_checks().values() if not c.needs.startswith("probe:"))
    with Session(get_engine(cluster.db_url)) as session, session.begin():
        return rounds.start_round(session, sorted(cluster.site_ids.values()), only).id


def findings_of(db_url: str, run_id: int) -> dict[tuple[int, str], tuple]:
    with Session(get_engine(db_url)) as session:
        rows = session.execute(select(m.Finding.site_id, m.Finding.check_id, m.Finding.status, m.Finding.value,
                                      m.Finding.unit_of_value).where(m.Finding.run_id == run_id)).all()
    return {(s, c): (st, None if (u or "") in TIME_UNITS else v) for s, c, st, v, u in rows}


def finding_count(db_url: str, run_id: int) -> Counter:
    with Session(get_engine(db_url)) as session:
        rows = session.execute(select(m.Finding.site_id, m.Finding.check_id, func.count())
                               .where(m.Finding.run_id == run_id)
                               .group_by(m.Finding.site_id, m.Finding.check_id)).all()
    return Counter({(s, c): n for s, c, n in rows})


@pytest.fixture(scope="module")
def local_findings(cluster):
    from core.config import load
    from govaudit import runner
    run_id = new_run(cluster)
    with environment(cluster.env):
        runner.execute(run_id, load())
    got = findings_of(cluster.db_url, run_id)
    assert len(got) > 0
    return got


def test_two_workers_give_the_local_findings_exactly_once(cluster, local_findings):
    run_id = new_run(cluster)
    out = cluster.cli("run", "--resume", str(run_id), "--distributed")
    assert out.returncode == 0, out.stderr
    n = len(cluster.site_ids)
    assert f"run {run_id}: {n} site task(s) queued" in out.stdout
    cluster.start_worker("a")
    cluster.start_worker("b")
    try:
        cluster.wait_finished(run_id)
    finally:
        cluster.stop_workers()
    counts = finding_count(cluster.db_url, run_id)
    assert set(counts.values()) == {1}
    assert findings_of(cluster.db_url, run_id) == local_findings
    with Session(get_engine(cluster.db_url)) as session:     # the worker that closed the round scored it
        frameworks = set(session.scalars(select(m.Score.framework).where(m.Score.run_id == run_id)))
    from reports.frameworks import load_all
    assert frameworks == set(load_all())
    status = cluster.cli("run", "--status", str(run_id))
    assert status.returncode == 0, status.stderr
    assert "finished (distributed)" in status.stdout
    assert f"{n} / {n}" in status.stdout


def _leases(cluster, run_id: int) -> dict[str, str]:
    import redis

    from core.config import load
    from govaudit.worker import lease_key
    with environment(cluster.env):
        settings = load()
    client = redis.Redis.from_url(cluster.env["GOVAUDIT_BROKER_URL"])
    out = {}
    for slug, sid in cluster.site_ids.items():
        owner = client.get(lease_key(settings, run_id, sid))
        if owner:
            out[slug] = owner.decode()
    return out


def test_a_worker_killed_mid_site_leaves_no_gap_and_no_duplicate(cluster, local_findings):
    run_id = new_run(cluster)
    assert cluster.cli("run", "--resume", str(run_id), "--distributed").returncode == 0
    cluster.start_worker("a")
    try:
        deadline = time.monotonic() + 120
        while not any(owner.startswith("a@") for owner in _leases(cluster, run_id).values()):
            assert time.monotonic() < deadline, "worker a never started a site"
            time.sleep(0.05)
        cluster.kill_worker("a")          # mid-site: its lease is held, its task unacknowledged
        with Session(get_engine(cluster.db_url)) as session:
            unfinished = session.scalar(select(func.count()).select_from(m.RunSite)
                                        .where(m.RunSite.run_id == run_id, m.RunSite.stage != "checked"))
        assert unfinished >= 1
        cluster.start_worker("b")
        cluster.start_worker("c")
        cluster.wait_finished(run_id)
    finally:
        cluster.stop_workers()
    counts = finding_count(cluster.db_url, run_id)
    assert set(counts.values()) == {1}
    assert findings_of(cluster.db_url, run_id) == local_findings
    with Session(get_engine(cluster.db_url)) as session:
        stages = Counter(session.scalars(select(m.RunSite.stage).where(m.RunSite.run_id == run_id)))
        pages = session.execute(select(m.Page.site_id, m.Page.url, func.count()).where(m.Page.run_id == run_id)
                                .group_by(m.Page.site_id, m.Page.url).having(func.count() > 1)).all()
    assert stages == Counter({"checked": len(cluster.site_ids)})
    assert pages == []


def test_a_worker_without_concurrency_takes_the_default(cluster):
    worker = cluster.start_worker("default", concurrency=None, env={"GOVAUDIT_QUEUE": "govaudit-test-default-c"})
    log = cluster.tmp / "worker-default.log"
    end = time.monotonic() + 120        # a bound on a hung test, not a timing assertion
    while not re.search(r"concurrency: \d+", log.read_text(errors="replace")) and worker.poll() is None:
        assert time.monotonic() < end, log.read_text(errors="replace")[-2000:]
        time.sleep(0.2)
    cluster.stop_workers()
    banner = re.search(r"concurrency: (\d+) \(prefork\)", log.read_text(errors="replace"))
    assert int(banner.group(1)) == machine_concurrency()
