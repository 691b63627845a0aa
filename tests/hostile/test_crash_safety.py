"""kill -9 for real: the whole audit, or just its crawl worker, mid-way; then
`govaudit run --resume`: every site ends with its findings exactly once."""
from __future__ import annotations

import json
import os
import sqlite3
import signal
import subprocess
import sys
import time
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from checks.catalog import all_checks
from storage import models as m
from storage.db import get_engine
from tests.hostile.conftest import FAST
from tests.hostile.farm import HostileFarm

ROOT = Path(__file__).resolve().parents[2]
SLUGS = ["control", "silent", "storm", "redirect-loop", "schemes"]


def _env(tmp: Path, farm: HostileFarm) -> dict[str, str]:
    inherited = {k: v for k, v in os.environ.items() if not k.startswith("GOVAUDIT_")}
    return {**inherited, **FAST, "PYTHONPATH": str(ROOT), "GOVAUDIT_DATABASE_URL": f"sqlite:///{tmp / 'crash.db'}",
            "GOVAUDIT_DATA_DIR": str(tmp / "data"), "COLUMNS": "200"}


def _cli(args: list[str], env: dict, cwd: Path, **kw):
    return subprocess.Popen([sys.executable, "-m", "govaudit", *args], env=env, cwd=cwd, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, **kw)


def _state(url: str) -> tuple[list[tuple[int, str, list]], int | None]:
    """Read with sqlite3 directly: opening the engine here could race the audit's own migration."""
    path = url.removeprefix("sqlite:///")
    if not os.path.exists(path):
        return [], None
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=30) as conn:
        rows = conn.execute("select site_id, stage, gathered from run_sites").fetchall()
        run_id = conn.execute("select max(id) from runs").fetchone()[0]
    return [(sid, stage, json.loads(g or "[]")) for sid, stage, g in rows], run_id


def _wait(url: str, until, limit: float = 120.0) -> None:
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        try:
            if until(_state(url)[0]):
                return
        except Exception:
            pass          # the database is being created by the audit
        time.sleep(0.2)
    raise AssertionError("the audit never reached the state to kill it in")


def _children(pid: int) -> list[int]:
    try:
        return [int(x) for x in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def _assert_complete(url: str, run_id: int, n_sites: int) -> None:
    n_checks = len([c for c in all_checks().values() if c.applies_to("portal")])
    with Session(get_engine(url)) as session:
        per_site = session.execute(select(m.Finding.site_id, func.count(), func.count(func.distinct(m.Finding.check_id)))
                                   .where(m.Finding.run_id == run_id).group_by(m.Finding.site_id)).all()
        stages = set(session.scalars(select(m.RunSite.stage).where(m.RunSite.run_id == run_id)))
        status = session.scalar(select(m.Run.status).where(m.Run.id == run_id))
        homes = session.execute(select(m.Page.site_id, func.count()).where(m.Page.run_id == run_id,
                                                                             m.Page.is_homepage.is_(True))
                                .group_by(m.Page.site_id)).all()
    assert sorted((n, d) for _, n, d in per_site) == [(n_checks, n_checks)] * n_sites
    assert (stages, status) == ({"checked"}, "finished")
    assert sorted(n for _, n in homes) == [1] * n_sites        # partial crawls were cleared, not duplicated


def _findings_of(url: str, run_id: int) -> dict[tuple[int, str], tuple[str, str | None]]:
    with Session(get_engine(url)) as session:
        rows = session.execute(select(m.Finding.site_id, m.Finding.check_id, m.Finding.status, m.Finding.details)
                               .where(m.Finding.run_id == run_id)).all()
    return {(s, c): (st, (d or {}).get("error_kind")) for s, c, st, d in rows}


def test_kill_9_whole_audit_then_resume(tmp_path):
    with HostileFarm(only=SLUGS) as farm:
        env = _env(tmp_path, farm)
        url = env["GOVAUDIT_DATABASE_URL"]
        registry = farm.write_registry(tmp_path / "sites.yaml")
        allow = [a for h in farm.allow_hosts() for a in ("--allow-host", h)]
        proc = _cli([*allow, "run", "--sites", str(registry)], env, tmp_path, start_new_session=True)
        # some sites crawled, the slow ones (silent, trickle) still being waited for
        _wait(url, lambda rows: any("crawl" in (g or []) for _, _, g in rows)
              and any(not g for _, _, g in rows))
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        rows, run_id = _state(url)
        assert {stage for _, stage, _ in rows} == {"pending"}
        res = _cli([*allow, "run", "--resume", str(run_id)], env, tmp_path)
        out, err = res.communicate(timeout=300)
        assert res.returncode == 0, err[-2000:]
        _assert_complete(url, run_id, len(SLUGS))
        found = _findings_of(url, run_id)
        ids = {c.slug: i for i, c in enumerate(farm.sites, start=1)}
        assert found[(ids["control"], "avail.homepage")] == ("pass", None)
        assert found[(ids["silent"], "avail.homepage")] == ("fail", "timeout")
        assert found[(ids["redirect-loop"], "links.dead_site")] == ("error", "too_many_redirects")
        # resuming a finished run changes nothing
        again = _cli([*allow, "run", "--resume", str(run_id)], env, tmp_path)
        again.communicate(timeout=120)
        assert again.returncode == 0 and _findings_of(url, run_id) == found


def test_kill_9_crawl_worker_then_resume(tmp_path):
    with HostileFarm(only=SLUGS) as farm:
        env = _env(tmp_path, farm)
        url = env["GOVAUDIT_DATABASE_URL"]
        registry = farm.write_registry(tmp_path / "sites.yaml")
        allow = [a for h in farm.allow_hosts() for a in ("--allow-host", h)]
        proc = _cli([*allow, "run", "--sites", str(registry)], env, tmp_path)
        _wait(url, lambda rows: any("crawl" in (g or []) for _, _, g in rows)
              and any(not g for _, _, g in rows))
        workers = _children(proc.pid)
        assert len(workers) == 1
        os.kill(workers[0], signal.SIGKILL)
        out, err = proc.communicate(timeout=300)
        run_id = _state(url)[1]
        assert proc.returncode == 2
        assert err.strip().splitlines()[-1].startswith(f"error: run {run_id} interrupted: ")
        rows, _ = _state(url)
        finished = {sid for sid, stage, _ in rows if stage == "checked"}
        assert finished and len(finished) < len(SLUGS)            # the sites crawled before the kill were checked
        res = _cli([*allow, "run", "--resume", str(run_id)], env, tmp_path)
        out, err = res.communicate(timeout=300)
        assert res.returncode == 0, err[-2000:]
        _assert_complete(url, run_id, len(SLUGS))
