"""Rounds: the list, starting one (all sites, a group, an uploaded registry file), live progress,
resuming a dead one, and the scheduled rounds."""
from __future__ import annotations

import re
from datetime import datetime, timezone
from pathlib import Path

from fastapi import APIRouter, Depends, File, Form, HTTPException, Request, UploadFile
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.errors import UserError
from govaudit.console import actions
from govaudit.console.audit import audit
from govaudit.console.web import STAFF, NavItem, get_session, render, require_role, see_other
from govaudit.registry import RegistryError
from storage import models as m

router = APIRouter(include_in_schema=False)
NAV = [NavItem("/rounds", "评估轮次", STAFF)]
RUNNERS = ("admin", "evaluator")                # who starts, resumes and schedules rounds
REGISTRY_SUFFIXES = (".csv", ".yaml", ".yml", ".jsonl")
MAX_UPLOAD = 20 * 1024 * 1024
LISTED = 50


def _groups(session: Session) -> list[str]:
    return sorted(g for g in session.scalars(select(m.Site.group).distinct()) if g)


def _state(run: m.Run) -> str:
    """running, dead, finished or interrupted (a running run whose process has ended is dead)."""
    if run.status == "running" and not (run.options or {}).get("distributed") and actions.run_liveness(run) == "dead":
        return "dead"
    return run.status


def _page(request: Request, session: Session, user: m.User, status_code: int = 200, **extra):
    from govaudit import scheduler
    runs = list(session.scalars(select(m.Run).where(m.Run.kind == "round").order_by(m.Run.id.desc()).limit(LISTED)))
    counts: dict[int, dict[str, int]] = {}
    if runs:
        for run_id, stage, n in session.execute(
                select(m.RunSite.run_id, m.RunSite.stage, func.count())
                .where(m.RunSite.run_id.in_([r.id for r in runs])).group_by(m.RunSite.run_id, m.RunSite.stage)):
            counts.setdefault(run_id, {})[stage] = n
    rows = [{"run": r, "state": _state(r), "sites": sum(counts.get(r.id, {}).values()),
             "checked": counts.get(r.id, {}).get("checked", 0)} for r in runs]
    return render(request, "rounds.html.jinja", user, status_code=status_code, rows=rows, groups=_groups(session),
                  schedules=scheduler.listing(session), can_run=user.role in RUNNERS, **extra)


@router.get("/rounds")
def rounds(request: Request, user: m.User = Depends(require_role(*STAFF)), session: Session = Depends(get_session)):
    return _page(request, session, user)


def save_upload(request: Request, upload: UploadFile) -> Path:
    """The uploaded registry, kept under the data directory (the round names it)."""
    name = Path(upload.filename or "").name
    suffix = Path(name).suffix.lower()
    if suffix not in REGISTRY_SUFFIXES:
        raise UserError(f"登记表文件须为 {'、'.join(REGISTRY_SUFFIXES)}（收到 {name or '无文件名'}）")
    data = upload.file.read(MAX_UPLOAD + 1)
    if len(data) > MAX_UPLOAD:
        raise UserError(f"登记表文件超过 {MAX_UPLOAD // (1024 * 1024)} MB")
    folder = Path(request.app.state.settings.data_dir) / "registries"
    folder.mkdir(parents=True, exist_ok=True)
    stem = re.sub(r"[^\w.-]+", "_", Path(name).stem)[:60] or "registry"
    path = folder / f"{datetime.now(timezone.utc):%Y%m%dT%H%M%S%f}-{stem}{suffix}"
    path.write_bytes(data)
    return path


def registry_problems(exc: RegistryError) -> list[tuple[int, str]]:
    """Every bad row of a refused registry (or the file-level reason as row 0)."""
    return exc.problems or [(0, str(exc))]


@router.post("/rounds")
def start_round(request: Request, scope: str = Form(...), group: str = Form(""), why: str = Form(""),
                registry: UploadFile | None = File(None),
                user: m.User = Depends(require_role(*RUNNERS)), session: Session = Depends(get_session)):
    settings = request.app.state.settings
    detail: dict = {"scope": scope}
    try:
        if scope == "all":
            ids = actions.round_site_ids(session, "all")
        elif scope == "group":
            if group not in _groups(session):
                raise UserError(f"没有分组 {group!r}")
            ids, detail["group"] = actions.round_site_ids(session, group), group
        elif scope == "file":
            if registry is None or not registry.filename:
                raise UserError("请选择登记表文件")
            path = save_upload(request, registry)
            ids = sorted(actions.import_sites(session, path))
            detail["registry"] = path.name
        else:
            raise UserError(f"未知的范围 {scope!r}")
        run_id = actions.start_round(session, settings, ids)
    except RegistryError as exc:
        session.rollback()
        return _page(request, session, user, status_code=400, row_errors=registry_problems(exc))
    detail["sites"] = len(ids)
    audit(session, user, "round.start", f"run:{run_id}", why, detail)
    session.commit()
    actions.dispatch_round(settings, run_id)
    return see_other(f"/rounds/{run_id}")


def _run_or_404(session: Session, run_id: int) -> m.Run:
    run = session.get(m.Run, run_id)
    if run is None:
        raise HTTPException(404, f"没有第 {run_id} 轮")
    return run


def _progress(request: Request, session: Session, run: m.Run) -> dict:
    from govaudit.worker import round_status
    status = round_status(request.app.state.settings, run.id)
    gathered: dict[str, int] = {}
    if status["status"] in ("running", "dead"):
        for items in session.scalars(select(m.RunSite.gathered).where(m.RunSite.run_id == run.id,
                                                                      m.RunSite.stage == "pending")):
            for need in items or []:
                gathered[need] = gathered.get(need, 0) + 1
    return {**status, "gathered": dict(sorted(gathered.items()))}


@router.get("/rounds/{run_id}")
def round_page(request: Request, run_id: int, user: m.User = Depends(require_role(*STAFF)),
               session: Session = Depends(get_session)):
    run = _run_or_404(session, run_id)
    statuses = dict(session.execute(select(m.Finding.status, func.count()).where(m.Finding.run_id == run_id)
                                    .group_by(m.Finding.status)).all())
    return render(request, "round.html.jinja", user, run=run, progress=_progress(request, session, run),
                  statuses=statuses, can_run=user.role in RUNNERS)


@router.get("/rounds/{run_id}/progress")
def round_progress(request: Request, run_id: int, user: m.User = Depends(require_role(*STAFF)),
                   session: Session = Depends(get_session)):
    """The progress box alone, which htmx polls while the round runs."""
    run = _run_or_404(session, run_id)
    return render(request, "round_progress.html.jinja", user, run=run, progress=_progress(request, session, run),
                  can_run=user.role in RUNNERS)


@router.post("/rounds/{run_id}/resume")
def resume_round(request: Request, run_id: int, why: str = Form(""),
                 user: m.User = Depends(require_role(*RUNNERS)), session: Session = Depends(get_session)):
    run = _run_or_404(session, run_id)
    state = _state(run)
    if state not in ("dead", "interrupted"):
        raise HTTPException(409, f"第 {run_id} 轮{'仍在运行' if state == 'running' else '已完成'}，无需继续")
    audit(session, user, "round.resume", f"run:{run_id}", why, {"was": state})
    session.commit()
    actions.dispatch_round(request.app.state.settings, run_id)
    return see_other(f"/rounds/{run_id}")


@router.post("/schedules")
def add_schedule(request: Request, cron: str = Form(...), sites: str = Form(...), why: str = Form(""),
                 user: m.User = Depends(require_role(*RUNNERS)), session: Session = Depends(get_session)):
    from govaudit import scheduler
    if sites != scheduler.ALL_SITES and sites not in _groups(session):
        raise UserError(f"范围须为 all 或一个网站分组（收到 {sites!r}）")
    sched = scheduler.add(session, cron, sites)
    audit(session, user, "schedule.add", f"schedule:{sched.id}", why, {"cron": sched.cron, "sites": sites})
    session.commit()
    return see_other("/rounds#schedules")


@router.post("/schedules/{schedule_id}")
def edit_schedule(request: Request, schedule_id: int, cron: str = Form(...), sites: str = Form(...),
                  why: str = Form(""), user: m.User = Depends(require_role(*RUNNERS)),
                  session: Session = Depends(get_session)):
    from govaudit import scheduler
    sched = session.get(m.Schedule, schedule_id)
    if sched is None:
        raise HTTPException(404, f"没有计划 {schedule_id}")
    if sites != scheduler.ALL_SITES and sites not in _groups(session):
        raise UserError(f"范围须为 all 或一个网站分组（收到 {sites!r}）")
    before = {"cron": sched.cron, "sites": sched.sites}
    scheduler.edit(session, schedule_id, cron, sites)
    audit(session, user, "schedule.edit", f"schedule:{schedule_id}", why,
          {"before": before, "after": {"cron": sched.cron, "sites": sched.sites}})
    session.commit()
    return see_other("/rounds#schedules")


@router.post("/schedules/{schedule_id}/enabled")
def pause_schedule(request: Request, schedule_id: int, enabled: bool = Form(...), why: str = Form(""),
                   user: m.User = Depends(require_role(*RUNNERS)), session: Session = Depends(get_session)):
    sched = session.get(m.Schedule, schedule_id)
    if sched is None:
        raise HTTPException(404, f"没有计划 {schedule_id}")
    sched.enabled = enabled
    audit(session, user, "schedule.resume" if enabled else "schedule.pause", f"schedule:{schedule_id}", why)
    session.commit()
    return see_other("/rounds#schedules")
