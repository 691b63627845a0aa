"""Recurring rounds: schedules in the `schedules` table, cron expressions in UTC.

`tick()` looks at every enabled schedule once: when one or more due times have
passed since the last one handled, it starts one round for the latest and
reports the earlier ones as missed (the scheduler was down, or the previous
round was still running). A schedule never has two rounds running at once:
while its last round runs, its due times wait (and are reported missed when
it finally starts). The schedule row is locked while it is handled, so two
scheduler processes never start the same round twice.
"""
from __future__ import annotations

import logging
import os
import subprocess
import sys
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Callable

from croniter import CroniterBadCronError, CroniterBadDateError, croniter
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.config import Settings, load
from core.errors import UserError
from storage import models as m
from storage.db import get_engine

log = logging.getLogger(__name__)
ALL_SITES = "all"
MAX_LISTED_MISSED = 100       # a scheduler down for years must not build a huge list
COUNT_LIMIT = 1000


@dataclass
class Event:
    schedule_id: int
    action: str                      # started, waiting
    run_id: int | None = None
    due_at: datetime | None = None
    missed: list[datetime] = field(default_factory=list)
    missed_total: int = 0
    text: str = ""


def _aware(dt: datetime | None) -> datetime | None:
    if dt is not None and dt.tzinfo is None:
        return dt.replace(tzinfo=timezone.utc)
    return dt


def validate_cron(expr: str) -> str:
    expr = " ".join(expr.split())
    if not croniter.is_valid(expr):
        raise UserError(f"invalid cron expression {expr!r} (five fields: minute hour day month weekday, UTC)")
    return expr


def due_times(expr: str, since: datetime, now: datetime) -> tuple[list[datetime], int]:
    """Fire times in (since, now]: the last MAX_LISTED_MISSED + 1 of them, and how many there were
    (counted up to COUNT_LIMIT; beyond that, COUNT_LIMIT + 1 stands for "more")."""
    since, now = _aware(since), _aware(now)
    it = croniter(expr, since)
    found: list[datetime] = []
    total = 0
    try:
        while total <= COUNT_LIMIT:
            t = it.get_next(datetime)
            if t > now:
                return found, total
            total += 1
            found.append(t)
            if len(found) > MAX_LISTED_MISSED + 1:
                found.pop(0)
        # down for very long with a frequent cron: take the latest ones walking back from now
        back = croniter(expr, now + timedelta(seconds=1))
        found = []
        while len(found) <= MAX_LISTED_MISSED:
            t = back.get_prev(datetime)
            if t <= since:
                break
            found.insert(0, t)
    except CroniterBadDateError:
        pass
    return found, total


# -- what a schedule audits ---------------------------------------------------
def check_sites_spec(session: Session, spec: str) -> str:
    """A registry file (stored as an absolute path) or a group name (or `all`)."""
    path = Path(spec).expanduser()
    if path.is_file():
        from govaudit.registry import parse
        parse(path)        # a bad file fails now, not at 2 a.m.
        return str(path.resolve())
    if spec == ALL_SITES:
        return spec
    if session.scalar(select(m.Site.id).where(m.Site.group == spec).limit(1)) is None:
        groups = sorted(g for g in session.scalars(select(m.Site.group).distinct()) if g)
        raise UserError(f"--sites {spec!r} is neither a registry file nor a site group "
                        f"(groups: {', '.join(groups) or 'none'}; or `all`)")
    return spec


def schedule_sites(session: Session, spec: str) -> list[int]:
    """The site ids a schedule audits now (a registry file is re-imported first)."""
    from govaudit.rounds import resolve_sites
    if spec == ALL_SITES:
        return resolve_sites(session)
    path = Path(spec)
    if path.is_absolute() or path.suffix.lower() in (".csv", ".yaml", ".yml"):
        if not path.is_file():
            raise UserError(f"registry file {spec} is gone")
        return resolve_sites(session, registry=path)
    return resolve_sites(session, group=spec)


# -- schedules ----------------------------------------------------------------
def add(session: Session, cron: str, sites: str, only: list[str] | None = None,
        framework: str | None = None, now: datetime | None = None) -> m.Schedule:
    from govaudit.rounds import check_only
    cron = validate_cron(cron)
    spec = check_sites_spec(session, sites)
    check_only(only)
    sched = m.Schedule(cron=cron, sites=spec, only=list(only or []), framework=framework, enabled=True,
                       last_due_at=now or datetime.now(timezone.utc), created_at=now or datetime.now(timezone.utc))
    session.add(sched)
    session.flush()
    return sched


def edit(session: Session, schedule_id: int, cron: str | None = None, sites: str | None = None,
         now: datetime | None = None) -> m.Schedule:
    """Change a schedule's time or sites (validated as `add` does). A new time counts its due times
    from the edit, as a new schedule does: changing the time does not start the rounds it would
    have started before."""
    sched = session.get(m.Schedule, schedule_id)
    if sched is None:
        raise UserError(f"no schedule {schedule_id}")
    if cron is not None and cron.strip() != sched.cron:
        sched.cron = validate_cron(cron)
        sched.last_due_at = now or datetime.now(timezone.utc)
    if sites is not None:
        sched.sites = check_sites_spec(session, sites)
    session.flush()
    return sched


def remove(session: Session, schedule_id: int) -> None:
    sched = session.get(m.Schedule, schedule_id)
    if sched is None:
        raise UserError(f"no schedule {schedule_id}")
    session.delete(sched)


def listing(session: Session, now: datetime | None = None) -> list[dict]:
    now = now or datetime.now(timezone.utc)
    out = []
    for s in session.scalars(select(m.Schedule).order_by(m.Schedule.id)):
        last = session.get(m.Run, s.last_run_id) if s.last_run_id else None
        since = _aware(s.last_due_at or s.created_at)
        overdue, overdue_n = due_times(s.cron, since, now)
        try:
            nxt = croniter(s.cron, now).get_next(datetime)
        except (CroniterBadCronError, CroniterBadDateError):
            nxt = None
        out.append({"id": s.id, "cron": s.cron, "sites": s.sites, "only": s.only or [], "framework": s.framework,
                    "enabled": s.enabled, "last_due_at": _aware(s.last_due_at), "last_run_id": s.last_run_id,
                    "last_run_status": last.status if last else None, "next_due_at": nxt, "overdue": overdue_n})
    return out


# -- the scheduler --------------------------------------------------------------
def tick(settings: Settings | None = None, now: datetime | None = None,
         dispatch: Callable[[int, Settings], None] | None = None) -> list[Event]:
    """Handle every enabled schedule once; start due rounds with `dispatch(run_id, settings)`."""
    from govaudit.rounds import start_round
    settings = settings or load()
    now = now or datetime.now(timezone.utc)
    dispatch = dispatch or dispatch_distributed
    engine = get_engine(settings.database_url)
    events: list[Event] = []
    with Session(engine) as session:
        ids = list(session.scalars(select(m.Schedule.id).where(m.Schedule.enabled.is_(True)).order_by(m.Schedule.id)))
    for sid in ids:
        started: int | None = None
        with Session(engine) as session, session.begin():
            sched = session.scalar(select(m.Schedule).where(m.Schedule.id == sid).with_for_update())
            if sched is None or not sched.enabled:
                continue
            dues, total = due_times(sched.cron, _aware(sched.last_due_at or sched.created_at), now)
            if not dues:
                continue
            previous = session.get(m.Run, sched.last_run_id) if sched.last_run_id else None
            if previous is not None and previous.status in ("running", "scoring"):
                events.append(Event(sid, "waiting", previous.id, dues[-1], dues[:-1], total - 1,
                                    f"schedule {sid}: due {dues[-1]:%Y-%m-%d %H:%M} UTC but round {previous.id} "
                                    f"is still running; waiting"))
                continue
            try:
                site_ids = schedule_sites(session, sched.sites)
                run = start_round(session, site_ids, sched.only or None, kind="round",
                                  options={"schedule_id": sid, "due_at": dues[-1].isoformat(),
                                           "missed_due": [d.isoformat() for d in dues[:-1]],
                                           "missed_total": total - 1, "framework": sched.framework})
            except UserError as exc:
                events.append(Event(sid, "failed", None, dues[-1], dues[:-1], total - 1,
                                    f"schedule {sid}: cannot start: {exc}"))
                sched.last_due_at = dues[-1]      # retrying every tick would not fix the registry
                continue
            sched.last_due_at, sched.last_run_id = dues[-1], run.id
            started = run.id
            text = f"schedule {sid}: started round {run.id} ({len(site_ids)} sites) for {dues[-1]:%Y-%m-%d %H:%M} UTC"
            if total > 1:
                more = "more than " if total > COUNT_LIMIT else ""
                text += (f"; missed {more}{total - 1} earlier due time(s): "
                         + ", ".join(f"{d:%Y-%m-%d %H:%M}" for d in dues[:-1][:5]) + (" …" if total > 6 else ""))
            events.append(Event(sid, "started", run.id, dues[-1], dues[:-1], total - 1, text))
        if started is not None:
            dispatch(started, settings)
    for e in events:
        (log.warning if e.missed_total or e.action != "started" else log.info)(e.text)
    return events


def dispatch_distributed(run_id: int, settings: Settings) -> None:
    from govaudit.worker import enqueue
    enqueue(run_id, settings)


def dispatch_local(run_id: int, settings: Settings) -> None:
    """Run the round in a separate `govaudit run --resume` process, so the scheduler keeps ticking."""
    log_dir = settings.data_dir / "runs" / str(run_id)
    log_dir.mkdir(parents=True, exist_ok=True)
    with (log_dir / "round.log").open("ab") as out:
        subprocess.Popen([sys.executable, "-m", "govaudit", "run", "--resume", str(run_id)], stdout=out,
                         stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True,
                         env=dict(os.environ))


def loop(settings: Settings, interval: float, dispatch, say: Callable[[str], None], once: bool = False) -> None:
    import time
    said: dict[int, tuple] = {}          # a round still running is reported once per due time, not every tick
    while True:
        for e in tick(settings, dispatch=dispatch):
            key = (e.action, e.run_id, e.due_at)
            if said.get(e.schedule_id) != key:
                say(e.text)
                said[e.schedule_id] = key
        if once:
            return
        time.sleep(interval)
