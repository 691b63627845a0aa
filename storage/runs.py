"""Run bookkeeping: a run and its sites, what has been gathered for each site, and the
probe rows that record it. Every gatherer (the crawl, net, the browser probes) writes
through here; the runner (govaudit/runner.py) reads `run_sites` to know what is missing.

A run's `only` (the checks it runs) is validated by the caller before `create_run`:
storage does not know the checks."""
from __future__ import annotations

from typing import Any, Iterable

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from core.config import load
from core.errors import UserError
from core.urls import normalise_url, validate_url
from storage import models as m


def find_site(session: Session, ref: str | int) -> m.Site:
    """A site by id or URL (exact, or ignoring a trailing slash)."""
    ref = str(ref).strip()
    site = session.get(m.Site, int(ref)) if ref.isdigit() else None
    if site is None:
        spellings = [ref, ref.rstrip("/"), ref.rstrip("/") + "/"]
        if validate_url(ref) is None:
            spellings.append(normalise_url(ref))       # the registry stores this spelling
        site = session.scalar(select(m.Site).where(m.Site.url.in_(spellings)))
    if site is None:
        raise UserError(f"no site {ref!r} in the registry (import it with `govaudit sites import`)")
    return site


def create_run(session: Session, site_ids: Iterable[int], only: list[str] | None, options: dict | None = None,
               kind: str = "round") -> m.Run:
    """A run of `site_ids`, each pending with nothing gathered; `only` as the caller validated it."""
    site_ids = list(dict.fromkeys(site_ids))
    if not site_ids:
        raise UserError("no sites to audit (import a registry or name --site)")
    # robots.txt switched off for every site is an evaluator's decision: the run records it
    robots = {} if load().obey_robots else {"obey_robots": False}
    run = m.Run(kind=kind, status="running", options={"only": only or [], "site_ids": site_ids, **robots,
                                                      **(options or {})})
    session.add(run)
    session.flush()
    session.add_all(m.RunSite(run_id=run.id, site_id=sid, stage="pending", gathered=[]) for sid in site_ids)
    session.flush()
    return run


def mark_gathered(session: Session, run_id: int, site_id: int, need: str) -> None:
    """`need` (crawl, net, probe:NAME) is complete for the site in this run."""
    rs = session.scalar(select(m.RunSite).where(m.RunSite.run_id == run_id, m.RunSite.site_id == site_id))
    if rs is None:
        rs = m.RunSite(run_id=run_id, site_id=site_id, stage="pending", gathered=[])
        session.add(rs)
    if need not in (rs.gathered or []):
        rs.gathered = list(rs.gathered or []) + [need]
    rs.updated_at = m.utcnow()


def clear_crawl(session: Session, run_id: int, site_id: int) -> None:
    """Remove a site's partial crawl artifacts of a run (before crawling it again)."""
    for model in (m.Page, m.Link, m.Column, m.Message, m.Dataset):
        session.execute(delete(model).where(model.run_id == run_id, model.site_id == site_id))
    session.execute(delete(m.ProbeResult).where(m.ProbeResult.run_id == run_id, m.ProbeResult.site_id == site_id,
                                                m.ProbeResult.probe == "crawl"))


def store_probe_result(session: Session, run_id: int, site_id: int, probe: str, result: dict[str, Any],
                       tool_versions: dict[str, Any] | None = None, error_kind: str | None = None, *,
                       gathered: str | None) -> None:
    """Replace the site's `probe` row of the run and mark `gathered` (the need the row completes)
    gathered; None for a row that completes no need of its own (the rendered homepage the browser
    probes store beside their results)."""
    session.execute(delete(m.ProbeResult).where(m.ProbeResult.run_id == run_id, m.ProbeResult.site_id == site_id,
                                                m.ProbeResult.probe == probe))
    session.add(m.ProbeResult(run_id=run_id, site_id=site_id, probe=probe, result=result,
                              tool_versions=tool_versions or {}, error_kind=error_kind))
    if gathered is not None:
        mark_gathered(session, run_id, site_id, gathered)
