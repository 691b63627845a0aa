"""Scale commands: schedules, the scheduler, workers; `run --distributed/--status` helpers."""
from __future__ import annotations

import json
import os
from typing import Optional

import typer
from rich.table import Table

from core.config import load, redact_url
from core.errors import UserError
from govaudit.commands.app import app, make_console

console = make_console()
schedule_app = typer.Typer(help="Recurring rounds (cron, UTC).", no_args_is_help=True)
app.add_typer(schedule_app, name="schedule")


def _session():
    from sqlalchemy.orm import Session

    from storage.db import get_engine
    return Session(get_engine(load().database_url), expire_on_commit=False)


def _when(dt) -> str:
    return dt.strftime("%Y-%m-%d %H:%M") if dt else "—"


@schedule_app.command("add")
def schedule_add(cron: str = typer.Option(..., "--cron", help='Cron expression in UTC, e.g. "0 2 * * 1".'),
                 sites: str = typer.Option(..., "--sites", help="Registry file (re-imported each round), a site group, or `all`."),
                 only: list[str] = typer.Option([], "--only", help="Only checks matching this glob; repeatable."),
                 framework: Optional[str] = typer.Option(None, "--framework", help="Score each round with this framework.")):
    """Add a schedule; `govaudit scheduler` starts its rounds when due."""
    from govaudit import scheduler
    with _session() as session, session.begin():
        s = scheduler.add(session, cron, sites, only, framework)
        sid, spec = s.id, s.sites
    from croniter import croniter
    from datetime import datetime, timezone
    nxt = croniter(cron, datetime.now(timezone.utc)).get_next(datetime)
    console.print(f"schedule {sid}: {cron!r} over {spec}; next round {_when(nxt)} UTC")


@schedule_app.command("list")
def schedule_list(format: str = typer.Option("table", "--format", help="table or json")):
    """Schedules with their last and next rounds and how many due times are overdue."""
    from govaudit import scheduler
    from govaudit.commands.core import _table_or_json
    _table_or_json(format)
    with _session() as session:
        rows = scheduler.listing(session)
    if format == "json":
        print(json.dumps(rows, ensure_ascii=False, indent=1, default=lambda v: v.isoformat()))
        return
    table = Table("id", "cron", "sites", "only", "framework", "last due", "last run", "next due", "overdue")
    for r in rows:
        table.add_row(str(r["id"]), r["cron"], r["sites"], ",".join(r["only"]) or "all", r["framework"] or "—",
                      _when(r["last_due_at"]),
                      f"{r['last_run_id']} ({r['last_run_status']})" if r["last_run_id"] else "—",
                      _when(r["next_due_at"]), str(r["overdue"]))
    console.print(table)


@schedule_app.command("edit")
def schedule_edit(schedule_id: int = typer.Argument(..., help="Schedule id (see `schedule list`)."),
                  cron: Optional[str] = typer.Option(None, "--cron", help="New cron expression in UTC."),
                  sites: Optional[str] = typer.Option(None, "--sites", help="New registry file, site group, or `all`.")):
    """Change a schedule's time or sites; a new time counts its due times from now."""
    from govaudit import scheduler
    with _session() as session, session.begin():
        s = scheduler.edit(session, schedule_id, cron, sites)
        console.print(f"schedule {s.id}: {s.cron!r} over {s.sites}")


@schedule_app.command("remove")
def schedule_remove(schedule_id: int = typer.Argument(..., help="Schedule id (see `schedule list`).")):
    """Remove a schedule (its past rounds stay)."""
    from govaudit import scheduler
    with _session() as session, session.begin():
        scheduler.remove(session, schedule_id)
    console.print(f"schedule {schedule_id} removed")


@app.command("scheduler")
def scheduler_cmd(interval: float = typer.Option(30.0, "--interval", help="Seconds between looks at the schedules."),
                  local: bool = typer.Option(False, "--local", help="Run rounds here (a `run --resume` process each) instead of on Celery workers."),
                  once: bool = typer.Option(False, "--once", help="Look once and exit.")):
    """Start due rounds; report due times missed while the scheduler was down."""
    from govaudit import scheduler
    settings = load()
    if interval <= 0:
        raise UserError("--interval must be positive")
    dispatch = scheduler.dispatch_local if local else scheduler.dispatch_distributed
    if not local:
        _require_shared_database(settings.database_url)
    console.print(f"scheduler on {redact_url(settings.database_url)}; rounds go to "
                  f"{'local processes' if local else redact_url(settings.broker_url)}")
    try:
        scheduler.loop(settings, interval, dispatch, console.print, once=once)
    except KeyboardInterrupt:
        console.print("scheduler stopped")


# A site's task mostly waits on its servers (5 requests/s each) and its browser probes. bench.round on
# 2 cores, realistic 200-page sites with probes: 4 sites at once, 246 sites/h and 2.0 GB peak; 16 at
# once, 594-635 sites/h, about half the two cores and 4.5-5.3 GB (about 280 MB a site beside 0.9 GB).
SITES_PER_CORE = 8
MB_PER_SITE = 400          # the measured 280 MB, with room for heavier real pages
MB_FOR_WORKER = 1024


def default_concurrency(cores: int, available_mb: int) -> int:
    """Sites worked on at once when `--concurrency` is not given: 8 a core, as many as memory holds."""
    return max(1, min(SITES_PER_CORE * cores, (available_mb - MB_FOR_WORKER) // MB_PER_SITE))


def _available_mb() -> int:
    """Memory the kernel can give without swapping (MemAvailable), else all of it."""
    try:
        with open("/proc/meminfo") as fh:
            for line in fh:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) // 1024
    except (OSError, ValueError):
        pass
    return os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE") // (1024 * 1024)


def machine_concurrency() -> int:
    """default_concurrency for the CPU cores this process may use and the memory available now."""
    return default_concurrency(len(os.sched_getaffinity(0)), _available_mb())


@app.command("worker")
def worker_cmd(concurrency: Optional[int] = typer.Option(
                   None, "--concurrency", "-c",
                   help="Sites worked on at once by this worker (default: 8 a CPU core, fewer when memory is short: "
                        "400 MB a site)."),
               name: Optional[str] = typer.Option(None, "--name", help="Worker name (default: govaudit-PID@host)."),
               loglevel: str = typer.Option("info", "--loglevel", help="Celery log level.")):
    """Run distributed-round tasks from the broker (GOVAUDIT_BROKER_URL) into the database."""
    settings = load()
    _require_shared_database(settings.database_url)
    if concurrency is None:
        concurrency = machine_concurrency()
    elif concurrency < 1:
        raise UserError("--concurrency must be at least 1")
    from govaudit.forkcrawl import preload
    from govaudit.worker import app as celery_app, queue_name
    _check_broker(settings.broker_url)
    preload()
    argv = ["worker", "-Q", queue_name(), "-c", str(concurrency), "--pool", "prefork", "-l", loglevel,
            "-n", name or f"govaudit-{os.getpid()}@%h", "--without-gossip", "--without-mingle"]
    celery_app.worker_main(argv)


def _require_shared_database(url: str) -> None:
    if url.startswith("sqlite"):
        raise UserError("distributed rounds need a shared database server: set GOVAUDIT_DATABASE_URL to PostgreSQL")


def _check_broker(url: str) -> None:
    import redis
    try:
        redis.Redis.from_url(url, socket_connect_timeout=3).ping()
    except Exception as exc:
        raise UserError(f"broker {redact_url(url)} does not answer: {str(exc).splitlines()[0]}") from None


# -- called by `govaudit run` ----------------------------------------------------
def preflight() -> None:
    settings = load()
    _require_shared_database(settings.database_url)
    _check_broker(settings.broker_url)


def run_distributed(run_id: int) -> None:
    from govaudit.worker import enqueue
    settings = load()
    n = enqueue(run_id, settings)
    console.print(f"run {run_id}: {n} site task(s) queued on {redact_url(settings.broker_url)}; "
                  f"start workers with `govaudit worker`, follow with `govaudit run --status {run_id}`")


def show_status(run_id: int) -> None:
    from govaudit.worker import round_status
    st = round_status(load(), run_id)
    if not st:
        raise UserError(f"no run {run_id}")
    table = Table("", "", title=f"run {run_id}")
    table.add_row("status", st["status"] + (" (distributed)" if st["distributed"] else ""))
    table.add_row("sites done", f"{st['done']} / {st['sites']}")
    for stage, n in sorted(st["stages"].items()):
        table.add_row(f"  {stage}", str(n))
    table.add_row("findings", str(st["findings"]))
    table.add_row("elapsed", f"{st['elapsed_s']} s")
    table.add_row("sites/hour", str(st["sites_per_hour"]))
    if st["eta_s"] is not None:
        table.add_row("eta", f"{st['eta_s']} s")
    if "queued" in st:
        table.add_row("queued tasks", "?" if st["queued"] is None else str(st["queued"]))
    console.print(table)
    for f in st["failed"]:
        console.print(f"site {f['site']}: {f['error_kind']}: {f['error']}")
    if st.get("hint"):
        console.print(st["hint"], highlight=False)
