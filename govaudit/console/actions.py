"""The console's calls into the round and rerun use cases: one small function per action, so
the console never holds a second implementation of a round or a rerun (and switching to another
use-case module changes only these bodies)."""
from __future__ import annotations

from pathlib import Path

from sqlalchemy.orm import Session

from core.config import Settings
from storage import models as m


def start_round(session: Session, settings: Settings, site_ids: list[int], only: list[str] | None = None) -> int:
    """Create a round over `site_ids` (in `session`, committed by the caller) and return its id;
    call `dispatch_round` after the commit."""
    from govaudit import runner
    return runner.create_run(session, site_ids, only, {"via": "console"}).id


def dispatch_round(settings: Settings, run_id: int) -> None:
    """Run (or resume) the round in its own `govaudit run --resume` process, as the scheduler does:
    the console keeps answering, and `run --status` sees the process."""
    from govaudit.scheduler import dispatch_local
    dispatch_local(run_id, settings)


def run_liveness(run: m.Run) -> str:
    """alive, dead or unknown for a run whose status says running."""
    from govaudit.runner import run_liveness as liveness
    return liveness(run.options or {})


def rerun_check(site_id: int, check_id: str, stored: bool) -> tuple[dict | None, dict]:
    """Rerun one check on one site: (previous, new) findings (govaudit.rerun)."""
    from govaudit.rerun import rerun_check as rerun
    return rerun(str(site_id), check_id, stored=stored)


def import_sites(session: Session, path: Path) -> tuple[int, int]:
    """Validate and upsert a registry file: (added, updated); RegistryError lists every bad row."""
    from govaudit.registry import import_file
    return import_file(session, path)


def round_site_ids(session: Session, spec: str) -> list[int]:
    """The sites of `all` or a group (the scheduler's reading of a schedule's sites)."""
    from govaudit.scheduler import resolve_sites
    return resolve_sites(session, spec)
