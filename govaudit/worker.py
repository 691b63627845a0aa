"""Distributed rounds: one Celery task per site on a Redis broker.

`enqueue(run_id)` puts one `audit_site` task per unchecked site of a run on the
queue; `govaudit worker` runs them. A task gathers what the site still lacks and
checks it with the runner's per-site path (results into the shared database,
archives into the shared data directory).

Delivery is at-least-once (acks late, redelivered when a worker dies), so the
task is idempotent: a per-site lease in Redis keeps two workers off the same site
at once, the runner clears partial artifacts before gathering again, and a
site's findings are written with its `checked` stage in one transaction.
The task that checks the last site of the round closes it and scores it (the round's one
scoring stage, `rounds.score_round`).
"""
from __future__ import annotations

import hashlib
import os
import socket
import threading
import uuid
from datetime import datetime, timezone

from celery import Celery
from celery.utils.log import get_task_logger
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from core.config import Settings, load
from storage import models as m
from storage.db import get_engine

# the task logger: a worker prints its records (retry decisions included) at its --loglevel
log = get_task_logger(__name__)

TASK = "govaudit.audit_site"
DONE_STAGES = ("checked", "failed")
# homepage failures worth another try later; dns and tls failures are permanent
TRANSIENT_HOME_ERRORS = {"timeout", "connection"}
TRANSIENT_HOME_STATUSES = {429, 500, 502, 503, 504}


def _env_float(name: str, default: float) -> float:
    try:
        return float(os.environ.get(name, default))
    except ValueError:
        return default


def queue_name() -> str:
    return os.environ.get("GOVAUDIT_QUEUE", "govaudit")


LEASE_SECONDS = _env_float("GOVAUDIT_LEASE_SECONDS", 60)              # a dead worker's site is free after this
RETRY_BACKOFF = _env_float("GOVAUDIT_RETRY_BACKOFF", 60)              # first retry delay; doubles each time
MAX_RETRIES = int(_env_float("GOVAUDIT_MAX_RETRIES", 3))
# A task whose worker vanished is redelivered after this; a redelivered copy of a task still running
# is harmless (the lease keeps it waiting), so it only bounds the delay after a machine dies.
VISIBILITY_TIMEOUT = _env_float("GOVAUDIT_VISIBILITY_TIMEOUT", 900)


def make_app(settings: Settings | None = None) -> Celery:
    settings = settings or load()
    celery = Celery("govaudit", broker=settings.broker_url)
    celery.conf.update(
        task_acks_late=True,
        task_reject_on_worker_lost=True,      # a killed pool process puts its task back at once
        worker_prefetch_multiplier=1,         # a site is a long task: take one at a time
        task_default_queue=queue_name(),
        task_ignore_result=True,
        broker_transport_options={"visibility_timeout": VISIBILITY_TIMEOUT},
        broker_connection_retry_on_startup=True,
        worker_hijack_root_logger=False,
        worker_send_task_events=False,
        task_serializer="json",
        accept_content=["json"],
    )
    return celery


app = make_app()


# -- leases -----------------------------------------------------------------
def _redis(settings: Settings):
    import redis
    return redis.Redis.from_url(settings.broker_url)


def _db_tag(settings: Settings) -> str:
    return hashlib.sha1(settings.database_url.encode()).hexdigest()[:12]


def lease_key(settings: Settings, run_id: int, site_id: int) -> str:
    return f"govaudit:lease:{_db_tag(settings)}:{run_id}:{site_id}"


class SiteLease:
    """A Redis key held while a worker works on a site, renewed by a thread;
    it expires LEASE_SECONDS after its holder stops renewing (killed, machine lost)."""

    RELEASE = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end"
    RENEW = ("if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) "
             "else return 0 end")

    def __init__(self, client, key: str, owner: str, seconds: float = LEASE_SECONDS):
        self.client, self.key, self.owner, self.ms = client, key, owner, int(seconds * 1000)
        self.stop = threading.Event()
        self.thread: threading.Thread | None = None

    def acquire(self) -> bool:
        if not self.client.set(self.key, self.owner, nx=True, px=self.ms):
            return False
        self.thread = threading.Thread(target=self._renew, daemon=True)
        self.thread.start()
        return True

    def _renew(self) -> None:
        while not self.stop.wait(self.ms / 3000):
            try:
                self.client.eval(self.RENEW, 1, self.key, self.owner, self.ms)
            except Exception:     # the broker blinked: the next renewal tries again
                log.warning("could not renew lease %s", self.key)

    def release(self) -> None:
        self.stop.set()
        if self.thread:
            self.thread.join()
        try:
            self.client.eval(self.RELEASE, 1, self.key, self.owner)
        except Exception:
            log.warning("could not release lease %s (it expires by itself)", self.key)


def worker_id(node: str | None = None) -> str:
    return f"{node or socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


# -- the task ---------------------------------------------------------------
def site_stage(settings: Settings, run_id: int, site_id: int) -> str | None:
    with Session(get_engine(settings.database_url)) as session:
        return session.scalar(select(m.RunSite.stage).where(m.RunSite.run_id == run_id,
                                                            m.RunSite.site_id == site_id))


def transient_home_failure(settings: Settings, run_id: int, site_id: int) -> str | None:
    """Why the homepage fetch deserves a retry (timeout, refused, 5xx), or None."""
    with Session(get_engine(settings.database_url)) as session:
        home = session.scalar(select(m.Page).where(m.Page.run_id == run_id, m.Page.site_id == site_id,
                                                   m.Page.is_homepage.is_(True)).limit(1))
    if home is None:
        return None
    if home.error_kind in TRANSIENT_HOME_ERRORS:
        return f"homepage {home.error_kind}"
    if home.status in TRANSIENT_HOME_STATUSES:
        return f"homepage answered HTTP {home.status}"
    return None


def forget_gathered(settings: Settings, run_id: int, site_id: int) -> None:
    """Make the runner gather the site again on the next attempt."""
    with Session(get_engine(settings.database_url)) as session, session.begin():
        rs = session.scalar(select(m.RunSite).where(m.RunSite.run_id == run_id, m.RunSite.site_id == site_id)
                            .with_for_update())
        rs.gathered, rs.stage, rs.updated_at = [], "pending", m.utcnow()


def mark_failed(settings: Settings, run_id: int, site_id: int, kind: str, message: str) -> None:
    """The site could not be audited even after retries: record a typed error so the round can close."""
    with Session(get_engine(settings.database_url)) as session, session.begin():
        rs = session.scalar(select(m.RunSite).where(m.RunSite.run_id == run_id, m.RunSite.site_id == site_id)
                            .with_for_update())
        if rs is not None and rs.stage != "checked":
            rs.stage, rs.error_kind, rs.error, rs.updated_at = "failed", kind, message[:2000], m.utcnow()


def backoff(retries: int) -> float:
    return RETRY_BACKOFF * (2 ** retries)


@app.task(bind=True, name=TASK, max_retries=None, acks_late=True)
def audit_site(self, run_id: int, site_id: int) -> str:
    """Gather and check one site of a run; close the round when it was the last one."""
    from govaudit import runner
    settings = load()
    stage = site_stage(settings, run_id, site_id)
    if stage is None:
        log.warning("run %s has no site %s: dropping the task", run_id, site_id)
        return "unknown"
    if stage not in DONE_STAGES:
        lease = SiteLease(_redis(settings), lease_key(settings, run_id, site_id),
                          worker_id(self.request.hostname))
        if not lease.acquire():
            # another worker holds the site (or held it and died: the lease runs out soon)
            raise self.retry(countdown=max(1.0, LEASE_SECONDS / 3))
        tries = int(self.request.retries or 0)
        try:
            if site_stage(settings, run_id, site_id) not in DONE_STAGES:
                try:
                    errors = runner.gather(settings, run_id, [site_id])
                except Exception as exc:        # database or broker trouble: transient
                    if tries < MAX_RETRIES:
                        raise self.retry(countdown=backoff(tries), exc=exc)
                    errors = {site_id: f"{type(exc).__name__}: {exc}"}
                retry_why = errors.get(site_id) or transient_home_failure(settings, run_id, site_id)
                if retry_why and tries < MAX_RETRIES:
                    log.info("site %s of run %s: %s; retry %d in %g s", site_id, run_id, retry_why, tries + 1,
                             backoff(tries))
                    forget_gathered(settings, run_id, site_id)
                    raise self.retry(countdown=backoff(tries))
                try:
                    runner.check_site(settings, run_id, site_id)
                except Exception as exc:
                    if tries < MAX_RETRIES:
                        raise self.retry(countdown=backoff(tries), exc=exc)
                    mark_failed(settings, run_id, site_id, "internal", f"{type(exc).__name__}: {exc}")
        finally:
            lease.release()
    finish_round_if_done(settings, run_id)
    return "done"


# -- rounds -----------------------------------------------------------------
def pending_sites(session: Session, run_id: int) -> list[int]:
    return list(session.scalars(select(m.RunSite.site_id).where(m.RunSite.run_id == run_id,
                                                                m.RunSite.stage.not_in(DONE_STAGES))
                                .order_by(m.RunSite.site_id)))


def enqueue(run_id: int, settings: Settings | None = None) -> int:
    """One task per site of the run that is not done yet; returns how many were queued."""
    settings = settings or load()
    with Session(get_engine(settings.database_url)) as session, session.begin():
        run = session.get(m.Run, run_id)
        run.status, run.finished_at = "running", None
        run.options = {**(run.options or {}), "distributed": True}
        todo = pending_sites(session, run_id)
    with app.connection_for_write() as conn:
        for site_id in todo:
            audit_site.apply_async((run_id, site_id), connection=conn, queue=queue_name())
    if not todo:
        finish_round_if_done(settings, run_id)
    return len(todo)


def finish_round_if_done(settings: Settings, run_id: int) -> bool:
    """Close the round once every site is checked or failed; exactly one caller wins, scores it
    (the run reads `scoring` meanwhile) and marks it finished."""
    engine = get_engine(settings.database_url)
    with Session(engine) as session, session.begin():
        left = session.scalar(select(func.count()).select_from(m.RunSite)
                              .where(m.RunSite.run_id == run_id, m.RunSite.stage.not_in(DONE_STAGES)))
        if left:
            return False
        claimed = session.execute(update(m.Run).where(m.Run.id == run_id, m.Run.status == "running")
                                  .values(status="scoring"))
        if claimed.rowcount != 1:
            return False
    from govaudit.rounds import score_round
    try:
        score_round(settings, run_id)
    except Exception:
        log.exception("scoring run %s failed; the round is finished without scores", run_id)
    finally:
        with Session(engine) as session, session.begin():
            session.execute(update(m.Run).where(m.Run.id == run_id)
                            .values(status="finished", finished_at=datetime.now(timezone.utc)))
    from govaudit.alerts import round_finished
    round_finished(run_id, settings.database_url)
    return True


def round_status(settings: Settings, run_id: int) -> dict:
    """What `govaudit run --status` shows: stages, errors, rate, queue length; a local run whose
    process has died is `dead` (pid and process start time recorded when it started)."""
    from govaudit import runner
    with Session(get_engine(settings.database_url)) as session:
        run = session.get(m.Run, run_id)
        if run is None:
            return {}
        stages = dict(session.execute(select(m.RunSite.stage, func.count()).where(m.RunSite.run_id == run_id)
                                      .group_by(m.RunSite.stage)).all())
        failed = session.execute(select(m.RunSite.site_id, m.RunSite.error_kind, m.RunSite.error)
                                 .where(m.RunSite.run_id == run_id, m.RunSite.stage == "failed")
                                 .order_by(m.RunSite.site_id).limit(20)).all()
        findings = session.scalar(select(func.count()).select_from(m.Finding).where(m.Finding.run_id == run_id))
        started, finished, status, options = run.started_at, run.finished_at, run.status, run.options or {}
        if status == "running" and not options.get("distributed") and runner.run_liveness(options) == "dead":
            status = "dead"
        if "pid" in options:        # a local run: the wall time of its own processes
            elapsed = runner.wall_seconds(session, run, dead=status == "dead")
        else:
            end = finished or datetime.now(timezone.utc)
            if started is not None and started.tzinfo is None:
                started = started.replace(tzinfo=timezone.utc)
            if end.tzinfo is None:
                end = end.replace(tzinfo=timezone.utc)
            elapsed = (end - started).total_seconds() if started else 0.0
    total = sum(stages.values())
    done = sum(stages.get(s, 0) for s in DONE_STAGES)
    rate = done / elapsed * 3600 if elapsed > 0 else 0.0
    out = {"run": run_id, "status": status, "distributed": bool(options.get("distributed")), "sites": total,
           "done": done, "stages": stages, "findings": findings, "elapsed_s": round(elapsed),
           "sites_per_hour": round(rate, 1),
           "eta_s": round((total - done) / rate * 3600) if rate > 0 and done < total and status != "dead" else None,
           "failed": [{"site": s, "error_kind": k, "error": e} for s, k, e in failed]}
    if status == "dead":
        out["hint"] = (f"the process running it (pid {options['pid']} on {options['host']}) has ended; "
                       f"finish with `govaudit run --resume {run_id}`")
    if options.get("distributed"):
        try:
            out["queued"] = int(_redis(settings).llen(queue_name()))
        except Exception:
            out["queued"] = None
    return out
