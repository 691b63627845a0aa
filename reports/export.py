"""The exports that read check metadata or scores (the README's Exports section): findings, with
each problem's 整改建议, and scores; written by storage.export.write_export like every export."""
from __future__ import annotations

from pathlib import Path
from typing import IO, Any, Iterator

from sqlalchemy import select
from sqlalchemy.orm import Session

from checks.zh import advice_for
from storage.export import export_run, number, write_export
from storage.models import Finding, Score, Site, Unit

FINDING_FIELDS = ["run_id", "site_id", "site_url", "unit", "check_id", "check_version", "status", "value",
                  "unit_of_value", "details", "evidence", "measured_at", "supersedes", "advice", "advice_basis"]
COLUMNS = ("run_id", "framework", "framework_version", "scope", "unit_or_site", "site_url", "indicator",
           "score", "max", "tier", "rank", "group", "incomplete", "manual")
ADVISED = ("fail", "warn")       # the statuses that are problems to fix, as in the report and the workbook


def finding_rows(session: Session, run_id: int) -> Iterator[dict[str, Any]]:
    """The run's findings; a problem (fail, warn) carries its check's 整改建议 (`advice`) and the
    rule it comes from (`advice_basis`), empty otherwise."""
    q = (select(Finding, Site.url, Unit.name).join(Site, Site.id == Finding.site_id)
         .join(Unit, Unit.id == Site.unit_id).where(Finding.run_id == run_id)
         .order_by(Finding.site_id, Finding.check_id, Finding.id))
    for f, url, unit in session.execute(q):
        advice = advice_for(f.check_id) if f.status in ADVISED else None
        yield {"run_id": f.run_id, "site_id": f.site_id, "site_url": url, "unit": unit, "check_id": f.check_id,
               "check_version": f.check_version, "status": f.status, "value": number(f.value),
               "unit_of_value": f.unit_of_value, "details": f.details, "evidence": f.evidence,
               "measured_at": f.measured_at.isoformat(timespec="seconds") if f.measured_at.tzinfo
               else f.measured_at.isoformat(timespec="seconds") + "+00:00",
               "supersedes": f.supersedes, "advice": advice.remedy if advice else None,
               "advice_basis": advice.basis if advice else None}


def write_findings(session: Session, run_id: int | None, fmt: str, out: str | Path | IO[str] | None = None) -> int:
    return write_export(finding_rows(session, export_run(session, run_id)), FINDING_FIELDS, fmt, out)


def score_rows(session: Session, run_id: int, framework: str | None = None) -> Iterator[dict[str, Any]]:
    """One row per run × framework × unit/site × indicator (or total)."""
    q = select(Score).where(Score.run_id == run_id)
    if framework:
        q = q.where(Score.framework == framework)
    units = {u.id: u.name for u in session.scalars(select(Unit))}
    sites = {s.id: (s.name, s.url) for s in session.scalars(select(Site))}
    for s in session.scalars(q.order_by(Score.framework, Score.id)):
        if s.site_id is not None:
            name, url, scope = *sites[s.site_id], "site"
        else:
            name, url, scope = units.get(s.unit_id, ""), "", "unit"
        yield {"run_id": s.run_id, "framework": s.framework, "framework_version": s.framework_version,
               "scope": scope, "unit_or_site": name, "site_url": url, "indicator": s.indicator,
               "score": None if s.score is None else round(s.score, 6),
               "max": None if s.max is None else round(s.max, 6), "tier": s.tier, "rank": s.rank,
               "group": s.group, "incomplete": bool(s.incomplete), "manual": bool(s.manual)}


def write_scores(session: Session, run_id: int | None, fmt: str = "jsonl", out: str | Path | IO[str] | None = None,
                 framework: str | None = None) -> int:
    """The run's scores (the latest round's when None) to `out` (standard output when None or '-')."""
    return write_export(score_rows(session, export_run(session, run_id), framework), list(COLUMNS), fmt, out)
