"""Gatherers by need. A gatherer collects one kind of artifact for some sites
of a run and stores it; the runner calls it for the sites that still lack it.

    gather(run_id, site_ids, settings, needs) -> None

`needs` is the set of needs (of those registered to this function) wanted, so one
browser session can serve every probe:NAME at once.

Every gatherer marks each site it finished with `storage.runs.mark_gathered`
and clears that site's partial artifacts first (so a resumed run never duplicates).
"""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Callable

from core.config import Settings
from core.errors import GovauditError

ROOT = Path(__file__).resolve().parents[1]
Gatherer = Callable[[int, list[int], Settings, set[str]], None]


def prepare_crawl(run_id: int, site_ids: list[int], settings: Settings) -> Path:
    """Clear the sites' partial crawl artifacts of this run; return the run's log folder."""
    from sqlalchemy.orm import Session

    from storage.db import get_engine
    from storage.runs import clear_crawl
    with Session(get_engine(settings.database_url)) as session, session.begin():
        for site_id in site_ids:
            clear_crawl(session, run_id, site_id)
    log_dir = settings.data_dir / "runs" / str(run_id)
    log_dir.mkdir(parents=True, exist_ok=True)
    return log_dir


def crawl(run_id: int, site_ids: list[int], settings: Settings, needs: set[str]) -> None:
    """Scrapy in a subprocess: a crash or kill there never takes the run with it, and it dies
    with the run (a run killed by SIGTERM leaves its sites pending, never a crawl still writing).

    It runs in the user's working directory (the package is found by PYTHONPATH), so
    relative paths in the user's settings mean the same folder there as here."""
    log_dir = prepare_crawl(run_id, site_ids, settings)
    env = {**os.environ, "GOVAUDIT_DATABASE_URL": settings.database_url, "GOVAUDIT_DATA_DIR": str(settings.data_dir),
           "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]).rstrip(os.pathsep),
           "SCRAPY_SETTINGS_MODULE": "crawler.settings"}
    if settings.allow_private:
        env["GOVAUDIT_ALLOW_PRIVATE"] = "1"
    if settings.allow_hosts:
        env["GOVAUDIT_ALLOW_HOSTS"] = ",".join(settings.allow_hosts)
    with (log_dir / "crawl.log").open("ab") as log:
        proc = subprocess.run([sys.executable, "-m", "crawler.run", "--run", str(run_id),
                               "--sites", ",".join(map(str, site_ids)), "--parent", str(os.getpid())],
                              env=env, stdout=log, stderr=subprocess.STDOUT)
    if proc.returncode != 0:
        raise GatherError(f"crawl process exited with code {proc.returncode} (log: {log_dir / 'crawl.log'})",
                          killed=proc.returncode < 0)


class GatherError(GovauditError):
    """A gatherer failed; `killed` when its process died by a signal (its sites are left for --resume)."""

    def __init__(self, message: str, killed: bool = False):
        super().__init__(message)
        self.killed = killed


def net(run_id: int, site_ids: list[int], settings: Settings, needs: set[str]) -> None:
    from crawler.net import gather
    gather(run_id, site_ids, settings, needs)


def probes(run_id: int, site_ids: list[int], settings: Settings, needs: set[str]) -> None:
    """Browser probes: one Chromium session serves every requested probe:NAME."""
    from crawler.probes.gather import gather
    gather(run_id, site_ids, settings, needs)


GATHERERS: dict[str, Gatherer] = {
    "crawl": crawl,
    "net": net,
    **{f"probe:{name}": probes for name in ("search", "qa", "elder", "privacy", "a11y", "mobile", "shells")},
}


def gatherer_for(need: str) -> Gatherer | None:
    return GATHERERS.get(need)
