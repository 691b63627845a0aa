"""Frameworks: rankings and tiers per group as the report shows them (reports.report_data), and
the drill-down from a score to its indicators and the findings behind them."""
from __future__ import annotations

from fastapi import APIRouter, Depends, HTTPException, Request
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from govaudit.console.web import READERS, NavItem, get_session, render, require_role, unit_scope
from storage import models as m

router = APIRouter(include_in_schema=False)
NAV = [NavItem("/frameworks", "评分排名", READERS)]


def scored_run(session: Session, run_id: int | None) -> int | None:
    """`run_id`, or the newest round with scores."""
    if run_id is not None:
        return run_id
    return session.scalar(select(func.max(m.Score.run_id)).join(m.Run, m.Run.id == m.Score.run_id)
                          .where(m.Run.kind == "round"))


def _visible_rows(session: Session, user: m.User, section):
    """A unit user sees its own unit's subjects only."""
    scope = unit_scope(user)
    if scope is None:
        return section.rows
    sites = set(session.scalars(select(m.Site.id).where(m.Site.unit_id == scope)))
    return [r for r in section.rows if r.key == f"unit-{scope}" or
            (r.key.startswith("site-") and int(r.key[5:]) in sites)]


@router.get("/frameworks")
def frameworks(request: Request, run: int | None = None, user: m.User = Depends(require_role(*READERS)),
               session: Session = Depends(get_session)):
    from reports.report_data import framework_sections
    run_id = scored_run(session, run)
    sections = framework_sections(session, run_id) if run_id else []
    for section in sections:
        section.rows = _visible_rows(session, user, section)
    runs = list(session.scalars(select(m.Score.run_id).distinct().order_by(m.Score.run_id.desc()).limit(30)))
    return render(request, "frameworks.html.jinja", user, run_id=run_id, sections=sections, runs=runs)


@router.get("/frameworks/{framework}/{key}")
def subject(request: Request, framework: str, key: str, run: int | None = None,
            user: m.User = Depends(require_role(*READERS)), session: Session = Depends(get_session)):
    from reports.report_data import framework_sections
    run_id = scored_run(session, run)
    section = next((s for s in (framework_sections(session, run_id) if run_id else []) if s.name == framework), None)
    if section is None:
        raise HTTPException(404, f"第 {run_id} 轮没有框架 {framework} 的评分")
    row = next((r for r in _visible_rows(session, user, section) if r.key == key), None)
    if row is None:
        raise HTTPException(404, "没有这个评分对象")
    ids = {i for s in row.indicators for i in (s.details.get("findings") or [])}
    findings = {f.id: f for f in session.scalars(select(m.Finding).where(m.Finding.id.in_(ids)))} if ids else {}
    return render(request, "framework_subject.html.jinja", user, run_id=run_id, section=section, row=row,
                  findings=findings)
