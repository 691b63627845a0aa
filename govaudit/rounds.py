"""The use cases of an evaluation round, below every surface: the CLI, the demo, the scheduler,
the Celery worker and the web console call these, and none has a second implementation.

Sites and runs (inside the caller's transaction, on its session):
- `import_sites(session, path)`: import a registry file (upsert by URL; every bad row reported,
  then nothing imported); the ids of the file's sites, with the added/updated counts.
- `resolve_sites(session, registry=None, refs=(), group=None)`: the ids a round audits: a registry
  file's sites (imported first), named sites (URL or id), a group's sites; all sites when none is given.
- `check_only(only)`: refuse `--only` globs that match no check.
- `start_round(session, site_ids, only=None, options=None, kind="round")`: validate `only`, create
  the run (status `running`, every site `pending`).

Work (each opens its own sessions on `settings.database_url`):
- `run_round(settings, run_id, progress=None, manual=None)`: gather, check and score a run's sites
  not yet checked (a killed run resumes where it stopped); a `RunSummary`.
- `score_round(settings, run_id, manual=None, progress=None)`: the round's scoring stage, with the
  framework its schedule names or else every framework (`run_round` and the worker's last task).
- `score(settings, run_id=None, frameworks=None, manual=None, frameworks_dirs=None, progress=None)`:
  score any run with the named frameworks (all when none): what `govaudit score` does.
- `rerun_check(settings, site_ref, check_id, stored=False, accept_error=False)`: rerun one check on
  one site, live or from stored artifacts; the new finding supersedes the old one.

Progress is reported through `Progress` callbacks: `stage(name, total)` when a stage starts
(`gather crawl`, `gather net, …`, `check`, `score`), `advance(n)` as sites get done, `message(text)`
for a line worth showing. The CLI draws Rich bars with them; a web page can record them and
show live per-stage progress. Problems the user can fix raise `core.errors.UserError`.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from checks.catalog import all_checks, select as select_checks
from core.config import Settings
from core.errors import UserError
from govaudit import runner
from govaudit.runner import Progress, RunSummary
from storage import models as m
from storage import runs
from storage.artifacts import load_site_artifacts
from storage.db import get_engine, session_scope
from storage.export import number

__all__ = ["ImportedSites", "Progress", "RunSummary", "check_only", "import_sites", "rerun_check", "resolve_sites",
           "run_round", "score", "score_round", "start_round"]


# -- sites and runs ---------------------------------------------------------------
class ImportedSites(list):
    """The ids of a registry file's sites (in id order), and what the import did."""

    def __init__(self, ids=(), added: int = 0, updated: int = 0, encoding: str = "utf-8"):
        super().__init__(ids)
        self.added, self.updated, self.encoding = added, updated, encoding


def import_sites(session: Session, path: str | Path) -> ImportedSites:
    """Import a registry file (upsert by URL; the whole file validated first, every bad row of it
    reported in one RegistryError) and return its sites' ids."""
    from govaudit.registry import parse, upsert
    rows = parse(path)
    added, updated = upsert(session, rows)
    ids = session.scalars(select(m.Site.id).where(m.Site.url.in_([r.url for r in rows])).order_by(m.Site.id))
    return ImportedSites(ids, added, updated, rows.encoding)


def resolve_sites(session: Session, registry: str | Path | None = None, refs: Iterable[str | int] = (),
                  group: str | None = None) -> list[int]:
    """The ids of the sites a round audits: a registry file's (imported first), the named sites'
    (URL or id; an unknown one is a UserError), a group's; every site when none is given."""
    refs = list(refs)
    if registry is None and group is None and not refs:
        return list(session.scalars(select(m.Site.id).order_by(m.Site.id)))
    ids: list[int] = []
    if registry is not None:
        ids += import_sites(session, registry)
    ids += [runs.find_site(session, ref).id for ref in refs]
    if group is not None:
        ids += session.scalars(select(m.Site.id).where(m.Site.group == group).order_by(m.Site.id))
    return list(dict.fromkeys(ids))


def check_only(only: list[str] | None) -> None:
    """Every `--only` glob must match some check: a typo fails before anything is written."""
    try:
        select_checks(only or None)
    except KeyError as exc:
        raise UserError(f"unknown check: {exc.args[0]}") from None


def start_round(session: Session, site_ids: Iterable[int], only: list[str] | None = None,
                options: dict[str, Any] | None = None, kind: str = "round") -> m.Run:
    """Create a run over the sites (checks matching `only`, all when none); flushed, not committed."""
    check_only(only)
    return runs.create_run(session, site_ids, only or None, options, kind=kind)


# -- work -----------------------------------------------------------------------
def run_round(settings: Settings, run_id: int, progress: Progress | None = None,
              manual: str | Path | None = None) -> RunSummary:
    """Gather and check every site of the run not yet checked, then score the round (with the
    evaluators' manual values when `manual` names their CSV). A round left with sites pending (a
    gatherer killed mid-site) is not scored: `summary.left_pending` names them for a resume."""
    progress = progress or Progress()
    summary = runner.execute(run_id, settings, progress)
    if not summary.left_pending:
        summary.scored = score_round(settings, run_id, manual, progress)
    return summary


def score_round(settings: Settings, run_id: int, manual: str | Path | None = None,
                progress: Progress | None = None) -> list:
    """Score a round with the framework its schedule names (`options.framework`), or else with
    every framework; the `Scored` of each."""
    with Session(get_engine(settings.database_url)) as session:
        run = session.get(m.Run, run_id)
        if run is None:
            raise UserError(f"no run {run_id}")
        framework = (run.options or {}).get("framework")
    return score(settings, run_id, [framework] if framework else None, manual, progress=progress)


def score(settings: Settings, run_id: int | None = None, frameworks: list[str] | None = None,
          manual: str | Path | None = None, frameworks_dirs: list[str | Path] | None = None,
          progress: Progress | None = None) -> list:
    """Score a run (the latest round when None) with the named frameworks (all when none) and
    store the scores; the `Scored` of each framework (reports.store.Scored)."""
    from reports.store import score_run
    progress = progress or Progress()
    progress.stage("score", 1)
    with session_scope(settings.database_url) as session:
        scored = score_run(session, run_id, frameworks, str(manual) if manual else None,
                           [str(d) for d in frameworks_dirs or []])
    progress.advance(1)
    return scored


def _finding_dict(f: m.Finding | None) -> dict[str, Any] | None:
    if f is None:
        return None
    return {"id": f.id, "run_id": f.run_id, "status": f.status, "value": number(f.value), "details": f.details,
            "measured_at": f.measured_at.strftime("%Y-%m-%d %H:%M:%S"), "supersedes": f.supersedes,
            "adopted": f.adopted}


def rerun_check(settings: Settings, site_ref: str | int, check_id: str, stored: bool = False,
                accept_error: bool = False) -> tuple[dict | None, dict]:
    """Rerun one check on one site in a new run of kind `check`; (previous, new) findings as dicts.

    Live: the run gathers only what the check needs, for that site. Stored: it reuses the
    artifacts of the latest run that gathered them (no network). Either way the new finding
    supersedes the previous one for that site and check. A rerun ending in `error` (the site
    unreachable from here, a refused target) over a measurement (any other status) is stored with
    `adopted` false: kept in the history, the measurement stays the latest — unless `accept_error`."""
    chk = all_checks().get(check_id)
    if chk is None:
        raise UserError(f"unknown check id {check_id!r} (see `govaudit checks list`)")
    engine = get_engine(settings.database_url)
    with Session(engine, expire_on_commit=False) as session, session.begin():
        site = runs.find_site(session, site_ref)
        if not chk.applies_to(site.kind):
            raise UserError(f"{check_id} does not apply to {site.kind} sites")
        old = session.scalar(select(m.Finding).where(m.Finding.site_id == site.id, m.Finding.check_id == check_id,
                                                     m.Finding.adopted.is_(True))
                             .order_by(m.Finding.id.desc()).limit(1))
        source_run = None
        if stored:
            # the latest run that gathered what this check needs (a stored rerun gathers nothing itself);
            # monitor samples are not per run: any run with a crawl will do
            wanted = "crawl" if chk.needs in runner.NOT_GATHERED_NEEDS else chk.needs
            source_run = next((rs.run_id for rs in session.scalars(
                select(m.RunSite).where(m.RunSite.site_id == site.id, m.RunSite.stage != "pending")
                .order_by(m.RunSite.run_id.desc())) if wanted in (rs.gathered or [])), None)
            if source_run is None:
                raise UserError(f"no stored artifacts for {site.url}: run `govaudit check` without --stored")
        run = runs.create_run(session, [site.id], [check_id], {"rerun_of": old.id if old else None,
                                                                 "stored_from_run": source_run}, kind="check")
        run_id, site_id = run.id, site.id
    if not stored:
        runner.gather(settings, run_id, [site_id])
    with Session(engine) as session:
        art = load_site_artifacts(session, source_run if stored else run_id, site_id)
    results = runner.evaluate_site(art, [chk])
    adopt = accept_error or results[0][1].status != "error" or old is None or old.status == "error"
    with Session(engine, expire_on_commit=False) as session, session.begin():
        new = runner.store_findings(session, run_id, site_id, results, supersede=adopt)[0]
        new.adopted = adopt
        rs = session.scalar(select(m.RunSite).where(m.RunSite.run_id == run_id, m.RunSite.site_id == site_id))
        rs.stage = "checked"
        r = session.get(m.Run, run_id)
        r.status, r.finished_at = "finished", m.utcnow()
        session.flush()
        new_dict = _finding_dict(new)
    return _finding_dict(old), new_dict
