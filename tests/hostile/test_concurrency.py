"""Four processes writing one database (PostgreSQL, and SQLite in WAL mode):
no finding duplicated, none lost."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from checks.catalog import all_checks
from govaudit import rounds, runner
from govaudit.registry import SiteRow, upsert
from storage import models as m
from storage.db import get_engine
from storage.runs import mark_gathered

ROOT = Path(__file__).resolve().parents[2]
SITES = 20
WORKERS = 4

# each worker: check every site of the shared run (in its own order), then audit its own run of the same sites
WORKER = r"""
import random, sys
from core.config import load
from govaudit import rounds, runner
from sqlalchemy.orm import Session
from storage.db import get_engine
shared, seed, sites = int(sys.argv[1]), int(sys.argv[2]), [int(x) for x in sys.argv[3].split(",")]
settings = load()
order = sites[:]
random.Random(seed).shuffle(order)
for sid in order:
    runner.check_site(settings, shared, sid)
with Session(get_engine(settings.database_url)) as session, session.begin():
    own = rounds.start_round(session, sites, None).id
    from storage.runs import mark_gathered
    for sid in sites:
        mark_gathered(session, own, sid, "crawl")
for sid in sites:
    runner.check_site(settings, own, sid)
print(own)
"""


def _prepare(url: str) -> tuple[int, list[int]]:
    rows = [SiteRow(i, f"站点{i}", f"https://s{i}.example.gov.cn/", "portal", f"单位{i}") for i in range(SITES)]
    with Session(get_engine(url)) as session, session.begin():
        upsert(session, rows)
        session.flush()
        # the session's PostgreSQL database is shared with other tests: only this test's sites
        ids = list(session.scalars(select(m.Site.id).where(m.Site.url.in_([r.url for r in rows])).order_by(m.Site.id)))
        run_id = rounds.start_round(session, ids, None).id
        for sid in ids:
            mark_gathered(session, run_id, sid, "crawl")
    return run_id, ids


def _run_workers(url: str, shared: int, ids: list[int]) -> list[int]:
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("GOVAUDIT_")},
           "PYTHONPATH": str(ROOT), "GOVAUDIT_DATABASE_URL": url}
    procs = [subprocess.Popen([sys.executable, "-c", WORKER, str(shared), str(seed), ",".join(map(str, ids))],
                              env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for seed in range(WORKERS)]
    own = []
    for proc in procs:
        out, err = proc.communicate(timeout=600)
        assert proc.returncode == 0, err[-3000:]
        own.append(int(out.split()[-1]))
    return own


def _assert_exactly_once(url: str, runs: list[int]) -> None:
    n_checks = len([c for c in all_checks().values() if c.applies_to("portal")])
    with Session(get_engine(url)) as session:
        for run_id in runs:
            keys = session.execute(select(m.Finding.site_id, m.Finding.check_id).where(m.Finding.run_id == run_id)).all()
            stages = set(session.scalars(select(m.RunSite.stage).where(m.RunSite.run_id == run_id)))
            assert (len(keys), len(set(keys)), stages) == (SITES * n_checks, SITES * n_checks, {"checked"}), run_id


def test_four_processes_on_postgresql(pg_url):
    shared, ids = _prepare(pg_url)
    own = _run_workers(pg_url, shared, ids)
    assert len(set(own)) == WORKERS
    _assert_exactly_once(pg_url, [shared, *own])


def test_four_processes_on_sqlite_wal(tmp_path):
    url = f"sqlite:///{tmp_path / 'wal.db'}"
    shared, ids = _prepare(url)
    own = _run_workers(url, shared, ids)
    assert len(set(own)) == WORKERS
    _assert_exactly_once(url, [shared, *own])
