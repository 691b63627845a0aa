"""`govaudit check SITE CHECK_ID`: rerun one check on one site.

Live: a new run of kind `check` gathers only what the check needs, for that
site. Stored: a new run of kind `check` reuses the artifacts of the latest
run that gathered them (no network). Either way the new finding supersedes
the previous one for that site and check."""
from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.config import load
from core.errors import UserError
from checks.catalog import all_checks
from govaudit import runner
from storage import models as m
from storage.artifacts import load_site_artifacts
from storage.db import get_engine


def _as_dict(f: m.Finding | None) -> dict[str, Any] | None:
    if f is None:
        return None
    value = None if f.value is None else (int(f.value) if float(f.value).is_integer() else f.value)
    return {"id": f.id, "run_id": f.run_id, "status": f.status, "value": value, "details": f.details,
            "measured_at": f.measured_at.strftime("%Y-%m-%d %H:%M:%S"), "supersedes": f.supersedes,
            "adopted": f.adopted}


def rerun_check(site_ref: str, check_id: str, stored: bool = False,
                accept_error: bool = False) -> tuple[dict | None, dict]:
    """(previous, new) findings as dicts. A rerun ending in `error` (the site unreachable from
    here, a refused target) over a measurement (any other status) is stored with `adopted`
    false: kept in the history, the measurement stays the latest — unless `accept_error`."""
    settings = load()
    chk = all_checks().get(check_id)
    if chk is None:
        raise UserError(f"unknown check id {check_id!r} (see `govaudit checks list`)")
    engine = get_engine(settings.database_url)
    with Session(engine, expire_on_commit=False) as session, session.begin():
        site = runner.find_site(session, site_ref)
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
        run = runner.create_run(session, [site.id], [check_id], {"rerun_of": old.id if old else None,
                                                                 "stored_from_run": source_run}, kind="check")
        run_id, site_id = run.id, site.id
    if stored:
        with Session(engine) as session:
            art = load_site_artifacts(session, source_run, site_id)
    else:
        runner.gather(settings, run_id, [site_id])
        with Session(engine) as session:
            art = load_site_artifacts(session, run_id, site_id)
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
        new_dict = _as_dict(new)
    return _as_dict(old), new_dict
