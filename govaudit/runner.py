"""Run orchestration: gather → check for the sites of a run, resumable.

Progress lives in run_sites: `pending` (gathering; `gathered` lists what is
complete), `gathered`, `checked`. A site's findings and its `checked` stage
are written in one transaction, so a killed run never leaves half a site's
findings, and `--resume` redoes exactly what is missing.
"""
from __future__ import annotations

import copy
import logging
import os
import socket
import threading
import traceback
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, Iterable

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from core.config import Settings, load
from core.errors import UserError
from checks.avail import refusal, site_wall, wall_message
from checks.base import Check, Finding, error
from checks.catalog import select as select_checks
from storage import models as m
from storage.artifacts import load_site_artifacts
from storage.db import get_engine

log = logging.getLogger(__name__)
NOT_GATHERED_NEEDS = {"monitor"}     # read from the samples table, not gathered per run
HOMEPAGE_CHECK = "avail.homepage"


def needs_for(checks: list[Check], kind: str) -> set[str]:
    return {c.needs for c in checks if c.applies_to(kind)} - NOT_GATHERED_NEEDS | {"crawl"}


# -- evaluation -----------------------------------------------------------
def homepage_failure(art) -> Finding | None:
    """The `error` finding every other check of the site repeats when the site could not be audited:
    its homepage failed, a wall answered instead of the site (the finding carries the wall's
    evidence), or the scanner itself declined to fetch it (`details.cause`)."""
    if "crawl" not in art.gathered:
        return None
    wall = site_wall(art)
    if wall is not None:
        return error("blocked", wall_message(wall), wall=wall)
    home = art.homepage
    if home is None:
        return error("connection", "the homepage was not fetched")
    refused = refusal(home)
    if refused:
        return refused
    if home.error_kind == "too_large" and (home.status is None or home.status < 400):
        return error("too_large", f"{home.facts.get('error') or 'the homepage is over the size cap'}: "
                                  "its content was not judged")
    if home.error_kind:
        kind = home.error_kind if home.error_kind in ("timeout", "dns", "tls", "connection", "too_many_redirects",
                                                        "blocked") else "connection"
        return error(kind, f"homepage unreachable: {home.facts.get('blocked') or home.facts.get('error') or home.error_kind}")
    if home.status is None or home.status >= 400:
        return error("connection", f"homepage answered HTTP {home.status}")
    return None


def evaluate_site(art, checks: list[Check]) -> list[tuple[Check, Finding]]:
    results = []
    failed_home = homepage_failure(art)
    for chk in checks:
        if not chk.applies_to(art.site.kind):
            continue
        if chk.needs not in art.gathered and chk.needs not in NOT_GATHERED_NEEDS:
            results.append((chk, error("not_gathered", f"{chk.needs} was not gathered for this site")))
            continue
        # an oversized homepage only stops the checks that read the crawl (its content)
        if failed_home and chk.id != HOMEPAGE_CHECK and (failed_home.details["error_kind"] != "too_large"
                                                         or chk.needs == "crawl"):
            results.append((chk, copy.deepcopy(failed_home)))
            continue
        try:
            finding = chk.evaluate(art, dict(chk.thresholds))
        except Exception as exc:  # a bug in a check must not stop the other checks
            log.error("check %s failed on site %s:\n%s", chk.id, art.site.url, traceback.format_exc())
            finding = error("internal", f"{type(exc).__name__}: {exc}"[:300])
        results.append((chk, finding))
    return results


def store_findings(session: Session, run_id: int, site_id: int, results: list[tuple[Check, Finding]],
                   supersede: bool = False) -> list[m.Finding]:
    rows = []
    for chk, f in results:
        previous = None
        if supersede:
            previous = session.scalar(select(func.max(m.Finding.id)).where(m.Finding.site_id == site_id,
                                                                           m.Finding.check_id == chk.id,
                                                                           m.Finding.adopted.is_(True)))
        row = m.Finding(run_id=run_id, site_id=site_id, check_id=chk.id, check_version=chk.version,
                        status=f.status, value=None if f.value is None else float(f.value),
                        unit_of_value=f.unit or chk.unit or None, details=f.details, evidence=f.evidence,
                        tool_versions=f.tool_versions, measured_at=datetime.now(timezone.utc), supersedes=previous)
        session.add(row)
        rows.append(row)
    session.flush()
    return rows


# -- the run ---------------------------------------------------------------
@dataclass
class Progress:
    """Callbacks the CLI uses to draw progress bars; all optional."""
    stage: Callable[[str, int], None] = lambda name, total: None
    advance: Callable[[int], None] = lambda n: None
    message: Callable[[str], None] = lambda text: None


@dataclass
class RunSummary:
    run_id: int
    sites: int = 0
    statuses: dict[str, int] = field(default_factory=dict)
    site_errors: dict[int, str] = field(default_factory=dict)
    left_pending: list[int] = field(default_factory=list)     # sites to finish with --resume
    scored: list = field(default_factory=list)                 # reports.store.Scored per framework, once scored


def _checks_of(run: m.Run) -> list[Check]:
    return select_checks((run.options or {}).get("only") or None)


class GatherErrors(dict):
    """{site_id: message} of failed gatherers; `killed`: sites whose gatherer died by a signal."""

    def __init__(self):
        super().__init__()
        self.killed: set[int] = set()


def gather(settings: Settings, run_id: int, site_ids: list[int], progress: Progress | None = None) -> GatherErrors:
    """Run every gatherer each site still lacks; return site-level gather errors."""
    from govaudit.gatherers import gatherer_for
    progress = progress or Progress()
    engine = get_engine(settings.database_url)
    with Session(engine) as session:
        run = session.get(m.Run, run_id)
        checks = _checks_of(run)
        sites = {s.id: s for s in session.scalars(select(m.Site).where(m.Site.id.in_(site_ids)))}
        have = {rs.site_id: set(rs.gathered or []) for rs in session.scalars(
            select(m.RunSite).where(m.RunSite.run_id == run_id, m.RunSite.site_id.in_(site_ids)))}
    wanted: dict[str, list[int]] = {}
    for sid in site_ids:
        for need in needs_for(checks, sites[sid].kind) - have.get(sid, set()):
            wanted.setdefault(need, []).append(sid)
    errors = GatherErrors()
    order = sorted(wanted, key=lambda n: (n != "crawl", n))     # the crawl first: probes read its pages
    groups: dict[object, tuple[set[str], set[int]]] = {}
    for need in order:
        fn = gatherer_for(need)
        if fn is None:
            continue      # nobody gathers it: its checks report not_gathered
        needs, ids = groups.setdefault(fn, (set(), set()))
        needs.add(need)
        ids.update(wanted[need])
    for fn, (needs, ids) in groups.items():
        progress.stage(f"gather {', '.join(sorted(needs))}", len(ids))
        with _Watch(engine, run_id, sorted(ids), needs, progress):
            try:
                fn(run_id, sorted(ids), settings, needs)
                errors.update(_ungathered(engine, run_id, ids, needs))
            except Exception as exc:
                # one line on the console; the traceback in the run's log, with the sites it belongs to
                trace = Path(settings.data_dir) / "runs" / str(run_id) / "gather.log"
                trace.parent.mkdir(parents=True, exist_ok=True)
                with trace.open("a", encoding="utf-8") as fh:
                    fh.write(f"{datetime.now(timezone.utc).isoformat()} gatherer {sorted(needs)} failed for sites "
                             f"{sorted(ids)}:\n{traceback.format_exc()}\n")
                log.error("gatherer %s failed: %s (traceback in %s)", sorted(needs), exc, trace)
                with Session(engine) as session:
                    done = {rs.site_id: set(rs.gathered or []) for rs in session.scalars(
                        select(m.RunSite).where(m.RunSite.run_id == run_id, m.RunSite.site_id.in_(ids)))}
                for sid in ids:
                    if needs <= done.get(sid, set()):
                        continue      # finished before the gatherer died
                    errors[sid] = f"{', '.join(sorted(needs))}: {exc}"
                    if getattr(exc, "killed", False):
                        errors.killed.add(sid)
    return errors


def _ungathered(engine, run_id: int, ids: set[int], needs: set[str]) -> dict[int, str]:
    """{site: why} for sites a gatherer finished without gathering, having recorded why (e.g. the
    storage of one site's crawl failed while the other sites' went on)."""
    with Session(engine) as session:
        rows = session.execute(select(m.RunSite.site_id, m.RunSite.gathered, m.RunSite.error).where(
            m.RunSite.run_id == run_id, m.RunSite.site_id.in_(ids), m.RunSite.error.is_not(None))).all()
    return {sid: f"{', '.join(sorted(needs))}: {error}" for sid, gathered, error in rows
            if not needs <= set(gathered or [])}


class _Watch:
    """Advance the progress bar as sites get gathered (gatherers run in other processes)."""

    def __init__(self, engine, run_id: int, ids: list[int], needs: set[str], progress: Progress, every: float = 1.0):
        self.engine, self.run_id, self.ids, self.needs, self.progress, self.every = engine, run_id, ids, needs, progress, every
        self.done = 0
        self.stop = threading.Event()

    def count(self) -> int:
        with Session(self.engine) as session:
            rows = session.scalars(select(m.RunSite.gathered).where(m.RunSite.run_id == self.run_id,
                                                                    m.RunSite.site_id.in_(self.ids)))
            return sum(1 for gathered in rows if self.needs <= set(gathered or []))

    def tick(self) -> None:
        try:
            now = self.count()
        except Exception:
            return
        if now > self.done:
            self.progress.advance(now - self.done)
            self.done = now

    def loop(self) -> None:
        while not self.stop.wait(self.every):
            self.tick()

    def __enter__(self):
        self.thread = threading.Thread(target=self.loop, daemon=True)
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        self.thread.join()
        self.tick()
        if self.done < len(self.ids):       # sites the gatherer gave up on still count as handled
            self.progress.advance(len(self.ids) - self.done)


def check_site(settings: Settings, run_id: int, site_id: int) -> dict[str, int]:
    """Evaluate and store one site's findings with its `checked` stage, atomically."""
    engine = get_engine(settings.database_url)
    with Session(engine) as session, session.begin():
        # Claim the row with a write first: PostgreSQL locks it, SQLite takes its write lock (waiting out
        # the busy timeout) before reading, so two processes never both see "not checked yet".
        session.execute(update(m.RunSite).where(m.RunSite.run_id == run_id, m.RunSite.site_id == site_id)
                        .values(updated_at=m.utcnow()))
        rs = session.scalar(select(m.RunSite).where(m.RunSite.run_id == run_id, m.RunSite.site_id == site_id))
        if rs.stage == "checked":
            return {}
        run = session.get(m.Run, run_id)
        art = load_site_artifacts(session, run_id, site_id)
        results = evaluate_site(art, _checks_of(run))
        store_findings(session, run_id, site_id, results)
        rs.stage, rs.updated_at = "checked", m.utcnow()
    counts: dict[str, int] = {}
    for _, f in results:
        counts[f.status] = counts.get(f.status, 0) + 1
    return counts


def process_site(run_id: int, site_id: int, settings: Settings | None = None) -> dict[str, int]:
    """Gather what is missing and check one site (idempotent; what a worker task runs)."""
    settings = settings or load()
    gather(settings, run_id, [site_id])
    return check_site(settings, run_id, site_id)


# -- the process running a round: `run --status` tells a dead run from a running one --------
def _process_start(pid: int) -> str | None:
    """The kernel's start time of a process (field 22 of /proc/PID/stat): with the pid, it names
    one process even after the pid is reused. None where /proc does not exist."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return stat.rsplit(")", 1)[1].split()[19]


def _as_utc(dt: datetime) -> datetime:
    return dt if dt.tzinfo else dt.replace(tzinfo=timezone.utc)


def begin_segment(session: Session, run: m.Run) -> None:
    """Record this process as the one running `run` and open a segment of its wall time; the time of a
    segment whose process died (a killed run being resumed) ends at the run's last activity."""
    options = dict(run.options or {})
    if options.get("segment_started"):
        options["wall_s"] = options.get("wall_s", 0.0) + _segment_seconds(session, run, options, dead=True)
    options.update(pid=os.getpid(), host=socket.gethostname(), proc_start=_process_start(os.getpid()),
                   segment_started=datetime.now(timezone.utc).isoformat())
    run.options = options


def end_segment(run: m.Run) -> None:
    options = dict(run.options or {})
    if options.get("segment_started"):
        started = datetime.fromisoformat(options.pop("segment_started"))
        options["wall_s"] = options.get("wall_s", 0.0) + (datetime.now(timezone.utc) - started).total_seconds()
    run.options = options


def _segment_seconds(session: Session, run: m.Run, options: dict, dead: bool) -> float:
    """Seconds of the open segment: until now, or for a dead process until the run's last activity."""
    started = datetime.fromisoformat(options["segment_started"])
    end = datetime.now(timezone.utc)
    if dead:
        last = session.scalar(select(func.max(m.RunSite.updated_at)).where(m.RunSite.run_id == run.id))
        end = max(started, _as_utc(last)) if last else started
    return max(0.0, (end - started).total_seconds())


def run_liveness(options: dict) -> str:
    """`alive`, `dead` or `unknown` (started on another machine) for a run whose status says running."""
    pid, host = options.get("pid"), options.get("host")
    if pid is None or host != socket.gethostname():
        return "unknown"
    start = _process_start(pid)
    if start is None:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return "dead"
        except PermissionError:
            pass
        return "alive" if not Path("/proc").is_dir() else "dead"
    return "alive" if options.get("proc_start") in (None, start) else "dead"


def wall_seconds(session: Session, run: m.Run, dead: bool) -> float:
    """The run's own wall time: its processes' segments, not the gaps between a kill and a resume."""
    options = run.options or {}
    total = options.get("wall_s", 0.0)
    if options.get("segment_started"):
        total += _segment_seconds(session, run, options, dead)
    return total


CRAWL_BATCH = 200      # sites crawled at once by one Scrapy process: Scrapy's global concurrency is in the hundreds


def execute(run_id: int, settings: Settings | None = None, progress: Progress | None = None,
            batch: int = CRAWL_BATCH) -> RunSummary:
    """Gather and check every site of the run that is not checked yet.

    Batches bound memory whatever the number of sites; a batch's checks run in a
    thread of this process while the next batch is gathered in the crawl process,
    so both cores work."""
    from concurrent.futures import ThreadPoolExecutor
    settings = settings or load()
    progress = progress or Progress()
    engine = get_engine(settings.database_url)
    with Session(engine) as session, session.begin():
        run = session.get(m.Run, run_id)
        if run is None:
            raise UserError(f"no run {run_id}")
        run.status, run.finished_at = "running", None
        begin_segment(session, run)
        todo = list(session.scalars(select(m.RunSite.site_id).where(m.RunSite.run_id == run_id,
                                                                     m.RunSite.stage != "checked")
                                    .order_by(m.RunSite.site_id)))
    summary = RunSummary(run_id)

    def check_chunk(chunk: list[int], killed: set[int]) -> None:
        progress.stage("check", len(chunk))
        for sid in chunk:
            if sid in killed:
                continue   # its gatherer was killed mid-site: leave the site pending for --resume
            for status, n in check_site(settings, run_id, sid).items():
                summary.statuses[status] = summary.statuses.get(status, 0) + n
            progress.advance(1)

    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="check") as checker:
        checking = None
        for start in range(0, len(todo), batch):
            chunk = todo[start:start + batch]
            errors = gather(settings, run_id, chunk, progress)
            summary.site_errors.update(errors)
            summary.left_pending.extend(sorted(errors.killed))
            if checking is not None:
                checking.result()          # at most one batch waits for its checks
            checking = checker.submit(check_chunk, chunk, set(errors.killed))
        if checking is not None:
            checking.result()
    with Session(engine) as session, session.begin():
        run = session.get(m.Run, run_id)
        run.status = "interrupted" if summary.left_pending else "finished"
        run.finished_at = datetime.now(timezone.utc)
        end_segment(run)
        summary.sites = session.scalar(select(func.count()).select_from(m.RunSite).where(m.RunSite.run_id == run_id))
    return summary
