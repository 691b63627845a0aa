"""Page 8, disputes and rectification: a unit user or an evaluator disputes a finding, an auditor
reruns its check and decides beside the old and new findings; each unit's 整改通知 as a printable
page and a Word document (reports/notices.py). The work is in govaudit/disputes.py."""
from __future__ import annotations

import io

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from govaudit import disputes
from govaudit.console.audit import audit
from govaudit.console.web import READERS, NavItem, get_session, render, require_role, see_other, unit_scope, \
    visible_site
from storage import models as m

router = APIRouter(include_in_schema=False)
NAV = [NavItem("/disputes", "争议与整改", READERS)]
OPENERS = ("unit", "evaluator")             # who disputes a finding
DECIDERS = ("auditor",)                     # who reruns and decides
PARTIES = OPENERS + DECIDERS                # who writes in a thread


def _dispute(session: Session, user: m.User, dispute_id: int) -> m.Dispute:
    d = session.get(m.Dispute, dispute_id)
    if d is None:
        raise HTTPException(404, f"没有争议 {dispute_id}")
    visible_site(session, user, d.site_id)      # a unit user: its own sites' disputes only
    return d


def _finding(session: Session, user: m.User, finding_id: int) -> m.Finding:
    f = session.get(m.Finding, finding_id)
    if f is None:
        raise HTTPException(404, f"没有检查结果 {finding_id}")
    visible_site(session, user, f.site_id)
    return f


@router.get("/disputes")
def dispute_list(request: Request, status: str = "", user: m.User = Depends(require_role(*READERS)),
                 session: Session = Depends(get_session)):
    rows = disputes.list_disputes(session, status or None, unit_scope(user))
    sites = {s.id: s for s in session.scalars(select(m.Site).where(m.Site.id.in_({d.site_id for d in rows})))}
    scope = unit_scope(user)
    q = select(m.Unit).order_by(m.Unit.id)
    units = list(session.scalars(q if scope is None else q.where(m.Unit.id == scope)))
    return render(request, "disputes.html.jinja", user, rows=rows, sites=sites, status=status, units=units,
                  dispute_status=disputes.STATUS_ZH, reasons=disputes.REASONS)


@router.get("/disputes/new")
def dispute_form(request: Request, finding: int, user: m.User = Depends(require_role(*OPENERS)),
                 session: Session = Depends(get_session)):
    f = _finding(session, user, finding)
    return render(request, "dispute_new.html.jinja", user, finding=f, site=session.get(m.Site, f.site_id),
                  reasons=disputes.REASONS)


@router.post("/disputes")
def open_dispute(request: Request, finding_id: int = Form(...), reason: str = Form(...), text: str = Form(...),
                 user: m.User = Depends(require_role(*OPENERS)), session: Session = Depends(get_session)):
    _finding(session, user, finding_id)
    d = disputes.open_dispute(session, finding_id, reason, text, user.name)
    audit(session, user, "dispute.open", f"dispute:{d.id}", text, {"finding": finding_id, "reason": reason})
    session.commit()
    return see_other(f"/disputes/{d.id}")


@router.get("/disputes/{dispute_id}")
def dispute_page(request: Request, dispute_id: int, user: m.User = Depends(require_role(*READERS)),
                 session: Session = Depends(get_session)):
    d = _dispute(session, user, dispute_id)
    view = disputes.side_by_side(session, d.id)
    return render(request, "dispute.html.jinja", user, view=view, site=session.get(m.Site, d.site_id),
                  dispute_status=disputes.STATUS_ZH, reasons=disputes.REASONS, outcomes=disputes.OUTCOMES,
                  can_decide=user.role in DECIDERS and d.status == "open", can_talk=user.role in PARTIES)


@router.post("/disputes/{dispute_id}/comment")
def comment(request: Request, dispute_id: int, text: str = Form(...),
            user: m.User = Depends(require_role(*PARTIES)), session: Session = Depends(get_session)):
    d = _dispute(session, user, dispute_id)
    disputes.comment(session, d.id, text, user.name)
    audit(session, user, "dispute.comment", f"dispute:{d.id}", text)
    session.commit()
    return see_other(f"/disputes/{d.id}")


@router.post("/disputes/{dispute_id}/rerun")
def rerun(request: Request, dispute_id: int, stored: bool = Form(False), why: str = Form(""),
          user: m.User = Depends(require_role(*DECIDERS)), session: Session = Depends(get_session)):
    d = _dispute(session, user, dispute_id)
    session.rollback()       # the rerun writes in its own transactions: hold no lock on SQLite meanwhile
    event = disputes.rerun_dispute(request.app.state.settings, d.id, user.name, stored)
    audit(session, user, "dispute.rerun", f"dispute:{d.id}", why,
          {"stored": stored, "finding": event.finding_id})
    session.commit()
    return see_other(f"/disputes/{d.id}")


@router.post("/disputes/{dispute_id}/decide")
def decide(request: Request, dispute_id: int, outcome: str = Form(...), note: str = Form(...),
           user: m.User = Depends(require_role(*DECIDERS)), session: Session = Depends(get_session)):
    d = _dispute(session, user, dispute_id)
    disputes.decide(session, d.id, outcome, note, user.name)
    audit(session, user, "dispute.decide", f"dispute:{d.id}", note, {"outcome": outcome})
    session.commit()
    return see_other(f"/disputes/{d.id}")


# -- 整改通知 ---------------------------------------------------------------
def _notice(request: Request, session: Session, user: m.User, unit_id: int, run: int | None):
    from reports.notices import build_notices
    scope = unit_scope(user)
    if session.get(m.Unit, unit_id) is None or (scope is not None and scope != unit_id):
        raise HTTPException(404, "没有这个单位")
    settings = request.app.state.settings
    notices = build_notices(session, _round(session, run), settings.data_dir, unit_id)
    if not notices.units:
        raise HTTPException(404, "这一轮没有检查这个单位的网站")
    return notices


def _round(session: Session, run: int | None) -> int:
    """The round asked for, or the latest round with findings."""
    from reports.store import require_run
    if run is not None and (session.get(m.Run, run) is None or session.get(m.Run, run).kind != "round"):
        raise HTTPException(404, f"没有第 {run} 轮")
    return require_run(session, run)


@router.get("/notices/{unit_id}")
def notice_page(request: Request, unit_id: int, run: int | None = None,
                user: m.User = Depends(require_role(*READERS)), session: Session = Depends(get_session)):
    from reports.html import csp_for, report_css
    from reports.notices import notice_html
    notices = _notice(request, session, user, unit_id, run)
    page = notice_html(notices, notices.units[0], request.app.state.settings.timezone, home="/disputes",
                       site_href="/sites/{id}")
    # the notice is the report's self-contained page: its own CSP (inline style by hash, pictures as data:)
    return HTMLResponse(page, headers={"Content-Security-Policy": csp_for(report_css())})


@router.get("/notices/{unit_id}/docx")
def notice_docx(request: Request, unit_id: int, run: int | None = None,
                user: m.User = Depends(require_role(*READERS)), session: Session = Depends(get_session)):
    from reports.notices import notice_docx as write_docx
    notices = _notice(request, session, user, unit_id, run)
    buf = io.BytesIO()
    write_docx(notices, notices.units[0], buf, request.app.state.settings.timezone)
    name = f"notice-unit-{unit_id}-run-{notices.run.id}.docx"
    return Response(buf.getvalue(), headers={"Content-Disposition": f'attachment; filename="{name}"'},
                    media_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document")

