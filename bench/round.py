"""What a round costs: a farm of synthetic sites with slow responses, audited end
to end (crawl + probes when installed + checks + scores when installed), locally
and with Celery workers; prints sites/hour, CPU and peak memory, and projects the
wall time of a national round (14,500 sites).

    python -m bench.round                       # 300 sites x 50 pages, 100-300 ms per response
    python -m bench.round --sites 100 --modes local
    python -m bench.round --sizes 100,300 --modes local     # memory as the number of sites grows
    python -m bench.round --sizes 300 --modes local --no-probes --limit 1200   # bounded: figures by 20 min
    python -m bench.round --sites 30 --modes local --report    # + the HTML/XLSX report's size, projected
    python -m bench.round --realistic --pages 200              # pages shaped like the real corpus (bench/synthetic.py)

`--limit` bounds each mode's wall time: a round still running then is stopped
and its figures are those of the sites checked so far (marked "stopped").

Needs PostgreSQL (GOVAUDIT_TEST_PG, default postgresql+psycopg://postgres@127.0.0.1:5432/test:
a fresh database is created per mode and dropped) and, for the distributed mode,
Redis (GOVAUDIT_BROKER_URL). CPU and memory cover govaudit's own processes (the
runner or the workers and everything they start: Scrapy, browsers); the
PostgreSQL server and the synthetic farm are not counted.
"""
from __future__ import annotations

import argparse
import os
import resource
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PG_ADMIN = os.environ.get("GOVAUDIT_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
NATIONAL = 14_500
FULL_SITE = 2_000          # pages of a full-site crawl (what commercial monitors crawl for dead links)
PAGE = os.sysconf("SC_PAGE_SIZE")


# -- measuring a process tree --------------------------------------------------
def _children_map() -> dict[int, list[int]]:
    out: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as fh:
                stat = fh.read()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        out.setdefault(ppid, []).append(int(entry))
    return out


def _pss_kb(pid: int, field: str = "Pss:") -> int:
    """Proportional set size: shared pages (forked workers) are not counted twice (`field` "Rss:": resident)."""
    try:
        with open(f"/proc/{pid}/smaps_rollup") as fh:
            for line in fh:
                if line.startswith(field):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


class TreeMemory:
    """Samples the summed PSS (and RSS) of some processes and all their descendants; keeps the
    peaks, and the largest single process's RSS with its name."""

    def __init__(self, every: float = 0.5):
        self.roots: list[int] = []
        self.peak_kb = 0
        self.peak_rss_kb = 0
        self.largest: tuple[int, str] = (0, "")
        self.every = every
        self.cpu_ticks: dict[int, int] = {}     # CPU (user + system, in clock ticks) of each descendant, last seen
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._loop, daemon=True)

    def _sample(self) -> None:
        kids = _children_map()
        todo, seen = list(self.roots), set()
        while todo:
            pid = todo.pop()
            if pid in seen:
                continue
            seen.add(pid)
            todo.extend(kids.get(pid, []))
        self.peak_kb = max(self.peak_kb, sum(_pss_kb(p) for p in seen))
        for pid in seen - set(self.roots):
            try:
                with open(f"/proc/{pid}/stat") as fh:
                    fields = fh.read().rsplit(")", 1)[1].split()
                self.cpu_ticks[pid] = int(fields[11]) + int(fields[12])
            except (OSError, IndexError, ValueError):
                pass
        rss = {p: _pss_kb(p, "Rss:") for p in seen}
        self.peak_rss_kb = max(self.peak_rss_kb, sum(rss.values()))
        top = max(rss, key=rss.get, default=None)
        if top is not None and rss[top] > self.largest[0]:
            try:
                with open(f"/proc/{top}/comm") as fh:
                    self.largest = (rss[top], fh.read().strip())
            except OSError:
                pass

    def _loop(self) -> None:
        while not self.stop.wait(self.every):
            self._sample()

    def descendants_cpu(self) -> float:
        """CPU seconds of the roots' descendants, as last sampled (up to `every` seconds short)."""
        return sum(self.cpu_ticks.values()) / os.sysconf("SC_CLK_TCK")

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        self.thread.join()


def process_cpu(pid: int) -> float:
    """CPU seconds (user + system) of one live process itself (not its children)."""
    try:
        with open(f"/proc/{pid}/stat") as fh:
            fields = fh.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def children_cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


# -- databases and sites ---------------------------------------------------------
def create_database() -> str:
    from sqlalchemy import create_engine, text
    name = f"govaudit_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return PG_ADMIN.rsplit("/", 1)[0] + "/" + name


def drop_database(url: str) -> None:
    from sqlalchemy import create_engine, text

    from storage.db import dispose_all
    dispose_all()
    admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{url.rsplit("/", 1)[1]}" WITH (FORCE)'))
    admin.dispose()


def prepare_run(db_url: str, urls: list[str], tmp: Path, probes: bool = True) -> int:
    import yaml
    from sqlalchemy.orm import Session

    from govaudit import rounds
    from govaudit.registry import parse, upsert
    from storage.db import get_engine
    registry = tmp / "sites.yaml"
    registry.write_text(yaml.safe_dump({"sites": [
        {"name": f"基准站点{i:04d}人民政府", "url": u, "kind": "portal", "level": "county", "group": "基准"}
        for i, u in enumerate(urls)]}, allow_unicode=True), encoding="utf-8")
    with Session(get_engine(db_url)) as session, session.begin():
        rows = parse(registry)
        upsert(session, rows)
        session.flush()
        from sqlalchemy import select

        from storage import models as m
        ids = list(session.scalars(select(m.Site.id).order_by(m.Site.id)))
        only = None
        if not probes:
            from checks.catalog import all_checks
            only = sorted(c.id for c in all_checks().values() if not c.needs.startswith("probe:"))
        return rounds.start_round(session, ids, only).id


def run_facts(db_url: str, run_id: int) -> dict:
    from sqlalchemy import func, select
    from sqlalchemy.orm import Session

    from storage import models as m
    from storage.db import get_engine
    with Session(get_engine(db_url)) as session:
        def count(model):
            return session.scalar(select(func.count()).select_from(model).where(model.run_id == run_id))
        checked = session.scalar(select(func.count()).select_from(m.RunSite)
                                 .where(m.RunSite.run_id == run_id, m.RunSite.stage == "checked"))
        statuses = dict(session.execute(select(m.Finding.status, func.count()).where(m.Finding.run_id == run_id)
                                        .group_by(m.Finding.status)).all())
        gathered = session.scalars(select(m.RunSite.gathered).where(m.RunSite.run_id == run_id)).first() or []
        return {"pages": count(m.Page), "links": count(m.Link), "findings": count(m.Finding), "scores": count(m.Score),
                "checked": checked, "statuses": statuses, "gathered": sorted(gathered)}


def ensure_scored(db_url: str, run_id: int, env: dict) -> str:
    from govaudit.rounds import score_round
    if run_facts(db_url, run_id)["scores"]:
        return "scored by the round"
    saved = dict(os.environ)
    os.environ.update(env)
    try:
        from core.config import load
        return "scored after the round" if score_round(load(), run_id) else "scoring not installed"
    finally:
        os.environ.clear()
        os.environ.update(saved)


# -- one mode -------------------------------------------------------------------
@dataclass
class Result:
    mode: str
    sites: int
    wall: float
    cpu: float
    peak_mb: float
    facts: dict
    scoring: str
    stopped: bool = False      # the --limit ended the round: figures are those of the sites checked by then

    @property
    def done(self) -> int:
        return self.facts["checked"]

    @property
    def per_hour(self) -> float:
        return self.done / self.wall * 3600 if self.wall else 0.0


# the polite defaults (2 in flight, 5 requests/s per server): the figures users get, whatever this shell has set
POLITE_UNSET = ("GOVAUDIT_MAX_RPS", "GOVAUDIT_HOST_CONCURRENCY")


def base_env(db_url: str, tmp: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in POLITE_UNSET}
    return {**env, "GOVAUDIT_DATABASE_URL": db_url, "GOVAUDIT_DATA_DIR": str(tmp / "data"),
            "GOVAUDIT_ALLOW_PRIVATE": "1", "GOVAUDIT_QUEUE": f"govaudit-bench-{uuid.uuid4().hex[:8]}",
            "PYTHONPATH": str(ROOT), "GOVAUDIT_RETRY_BACKOFF": "5"}


def stop_tree(proc: subprocess.Popen) -> None:
    """SIGTERM the process group (the runner and its crawl), SIGKILL what outlives 20 s."""
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    except ProcessLookupError:
        pass


def measure_report(db_url: str, run_id: int, tmp: Path, sites: int) -> str:
    """Write the round's report with its notices and project its size to a national round
    (linear in sites: every page, workbook row and notice is per site or per unit)."""
    from reports.html import write_report
    from storage.db import session_scope
    out = tmp / "report"
    t0 = time.monotonic()
    with session_scope(db_url) as session:
        write_report(session, run_id, out, tmp / "data", notices=True)
    seconds = time.monotonic() - t0
    report_bytes = sum(p.stat().st_size for p in out.iterdir() if p.is_file())
    notice_bytes = sum(p.stat().st_size for p in (out / "notices").iterdir())
    archive_bytes = sum(p.stat().st_size for p in (out / "archive").iterdir()) if (out / "archive").is_dir() else 0
    report_bytes += archive_bytes
    return (f"report of {sites} sites: {report_bytes / 1e6:.2f} MB (HTML, XLSX, archived copies "
            f"{archive_bytes / 1e6:.2f} MB), {report_bytes / sites / 1e3:.0f} kB per site; notices "
            f"{notice_bytes / 1e6:.2f} MB, {notice_bytes / sites / 1e3:.0f} kB per site; written in {seconds:.1f} s. "
            f"Projected {NATIONAL:,} sites: report {report_bytes / sites * NATIONAL / 1e9:.2f} GB, notices "
            f"{notice_bytes / sites * NATIONAL / 1e9:.2f} GB, {seconds / sites * NATIONAL / 3600:.1f} h to write both")


def run_local(urls: list[str], tmp: Path, probes: bool, limit: float | None = None,
              with_report: bool = False) -> Result:
    db = create_database()
    try:
        run_id = prepare_run(db, urls, tmp, probes)
        env = base_env(db, tmp)
        cpu0, t0 = children_cpu(), time.monotonic()
        stopped = False
        with TreeMemory() as mem, (tmp / "local.log").open("wb") as log:
            proc = subprocess.Popen([sys.executable, "-m", "govaudit", "run", "--resume", str(run_id)],
                                    cwd=tmp, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
            mem.roots = [proc.pid]
            try:
                proc.wait(timeout=limit)
            except subprocess.TimeoutExpired:
                stopped = True
            wall = time.monotonic() - t0
            if stopped:
                # the batch's crawl dies with the runner and is reaped by init, never in our rusage:
                # take the runner's CPU and its descendants' as last sampled
                cpu = process_cpu(proc.pid) + mem.descendants_cpu()
                stop_tree(proc)
        if not stopped:
            cpu = children_cpu() - cpu0
        if proc.returncode != 0 and not stopped:
            raise SystemExit(f"local round failed (log: {tmp / 'local.log'})")
        scoring = "stopped before scoring" if stopped else ensure_scored(db, run_id, env)
        facts = run_facts(db, run_id)
        if with_report and not stopped:
            facts["report"] = measure_report(db, run_id, tmp, len(urls))
        return Result("local", len(urls), wall, cpu, mem.peak_kb / 1024, facts, scoring, stopped)
    finally:
        drop_database(db)


def run_distributed(urls: list[str], tmp: Path, workers: int, concurrency: int, probes: bool,
                    limit: float | None = None) -> Result:
    from sqlalchemy.orm import Session

    from storage import models as m
    from storage.db import get_engine
    db = create_database()
    procs: list[subprocess.Popen] = []
    try:
        run_id = prepare_run(db, urls, tmp, probes)
        env = base_env(db, tmp)
        cpu0, t0 = children_cpu(), time.monotonic()
        with TreeMemory() as mem:
            for i in range(workers):
                log = (tmp / f"worker-{i}.log").open("wb")
                procs.append(subprocess.Popen([sys.executable, "-m", "govaudit", "worker", "-c", str(concurrency),
                                               "--name", f"bench{i}@%h", "--loglevel", "warning"],
                                              cwd=tmp, env=env, stdout=log, stderr=subprocess.STDOUT))
            mem.roots = [p.pid for p in procs]
            queued = subprocess.run([sys.executable, "-m", "govaudit", "run", "--resume", str(run_id),
                                     "--distributed"], cwd=tmp, env=env, capture_output=True, text=True)
            if queued.returncode != 0:
                raise SystemExit(f"could not queue the round: {queued.stderr.strip()}")
            engine = get_engine(db)
            stopped = False
            while True:
                with Session(engine) as session:
                    if session.get(m.Run, run_id).status == "finished":
                        break
                if any(p.poll() is not None for p in procs):
                    raise SystemExit(f"a worker exited (logs in {tmp})")
                if limit is not None and time.monotonic() - t0 > limit:
                    stopped = True
                    break
                time.sleep(1)
            wall = time.monotonic() - t0
            if stopped:     # a worker killed mid-site never reaps its pool: its children's CPU is not in our rusage
                sampled = sum(process_cpu(p.pid) for p in procs) + mem.descendants_cpu()
            for p in procs:
                p.send_signal(signal.SIGTERM)
            for p in procs:
                try:
                    p.wait(timeout=60)
                except subprocess.TimeoutExpired:       # a stopped round: tasks mid-site do not wait
                    p.kill()
                    p.wait()
        cpu = sampled if stopped else children_cpu() - cpu0
        scoring = "stopped before scoring" if stopped else ensure_scored(db, run_id, env)
        return Result(f"distributed ({workers} workers x {concurrency})", len(urls), wall, cpu, mem.peak_kb / 1024,
                      run_facts(db, run_id), scoring, stopped)
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
                p.wait()
        drop_database(db)


# -- report ---------------------------------------------------------------------
def hours(h: float) -> str:
    return f"{h:.1f} h" if h < 48 else f"{h / 24:.1f} days"


def report(results: list[Result], pages: int, latency: tuple[float, float], probes: str, realistic: bool) -> None:
    cores = os.cpu_count() or 1
    from core.config import DEFAULTS
    from govaudit.runner import CRAWL_BATCH
    print(f"\n{'realistic' if realistic else 'tiny'} synthetic sites of {pages} pages, {latency[0] * 1000:.0f}-{latency[1] * 1000:.0f} ms per response; "
          f"{cores} cores; probes: {probes}; polite defaults: {DEFAULTS['host_concurrency']} requests in flight and "
          f"{DEFAULTS['max_rps']} per second per server")
    print(f"{'mode':<28}{'sites':>6}{'wall s':>9}{'sites/h':>9}{'pages/s':>9}{'CPU s':>8}{'CPU %':>7}"
          f"{'peak MB':>9}  findings / scores")
    for r in results:
        f = r.facts
        print(f"{r.mode:<28}{r.sites:>6}{r.wall:>9.1f}{r.per_hour:>9.0f}{f['pages'] / r.wall:>9.1f}{r.cpu:>8.1f}"
              f"{r.cpu / r.wall / cores * 100:>6.0f}%{r.peak_mb:>9.0f}  {f['findings']} "
              f"({', '.join(f'{k} {v}' for k, v in sorted(f['statuses'].items()))}) / {f['scores']} ({r.scoring}); "
              f"{f['checked']}/{r.sites} checked{' (stopped at --limit)' if r.stopped else ''}, "
              f"{f['pages']} pages, {f['links']} links, gathered {f['gathered']}")
        if r.done:
            print(f"{'':<28}CPU {r.cpu / r.done:.2f} s per checked site")
        if f.get("report"):
            print(f"{'':<28}{f['report']}")
    print(f"\nprojected wall time of a {NATIONAL:,}-site round (these sites; scale by real page counts and latency):")
    for r in results:
        line = ", ".join(f"{n} machine{'s' if n > 1 else ''}: {hours(NATIONAL / (r.per_hour * n))}"
                         for n in (1, 2, 4, 8)) if r.per_hour else "no site checked (raise --limit)"
        print(f"  {r.mode:<28}{line}")
    print(f"\nprojected for full-site crawls of {FULL_SITE:,} pages a site (the larger of two bounds: CPU, this run's CPU "
          f"per site scaled by {FULL_SITE:,}/{pages} pages on all {cores} cores of each machine; politeness, "
          f"{FULL_SITE:,} pages at {DEFAULTS['max_rps']} requests/s per server, {CRAWL_BATCH} sites crawled at once per machine):")
    for r in results:
        if not r.done:
            continue
        cpu_h = NATIONAL * (r.cpu / r.done) * FULL_SITE / pages / cores / 3600
        polite_h = NATIONAL * FULL_SITE / float(DEFAULTS["max_rps"]) / CRAWL_BATCH / 3600
        print(f"  {r.mode:<28}" + ", ".join(f"{n} machine{'s' if n > 1 else ''}: {hours(max(cpu_h, polite_h) / n)}"
                                            for n in (1, 2, 4, 8))
              + f"  (CPU bound {hours(cpu_h)}, politeness bound {hours(polite_h)} on one machine)")
    best = max(results, key=lambda r: r.per_hour)
    need = NATIONAL / 24
    print(f"target: {need:.0f} sites/h for 24 h on one machine; best here {best.per_hour:.0f} sites/h ({best.mode}): "
          f"{'met' if best.per_hour >= need else 'NOT met'}")


def probes_state() -> str:
    from govaudit.gatherers import GATHERERS
    names = sorted(n for n in GATHERERS if n.startswith("probe:"))
    return f"included ({', '.join(names)})" if names else "not installed on this branch (no probe:* gatherer)"


def main() -> None:
    ap = argparse.ArgumentParser(prog="bench.round", description=__doc__.split("\n\n")[0])
    ap.add_argument("--sites", type=int, default=300)
    ap.add_argument("--sizes", default="", help="comma-separated site counts (memory as sites grow); overrides --sites")
    ap.add_argument("--pages", type=int, default=50)
    ap.add_argument("--realistic", action="store_true",
                    help="pages shaped like the real corpus (bench/synthetic.py) instead of 1.5 KB pages")
    ap.add_argument("--latency", type=float, nargs=2, default=(0.1, 0.3), metavar=("MIN", "MAX"))
    ap.add_argument("--modes", default="local,distributed")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--concurrency", type=int, default=6, help="sites at once per worker")
    ap.add_argument("--no-probes", action="store_true", help="leave out the browser probes' checks")
    ap.add_argument("--limit", type=float, default=None, metavar="SECONDS",
                    help="stop each mode's round after this long and report the sites checked by then")
    ap.add_argument("--report", action="store_true",
                    help="local mode: also write the HTML/XLSX report and notices, print their size and project it")
    args = ap.parse_args()
    sys.path.insert(0, str(ROOT))
    from bench.synthetic import SyntheticFarm
    sizes = [int(s) for s in args.sizes.split(",") if s] or [args.sites]
    modes = [m.strip() for m in args.modes.split(",") if m.strip()]
    results = []
    with tempfile.TemporaryDirectory(prefix="govaudit-bench-") as tmpdir:
        for n in sizes:
            with SyntheticFarm(args.pages, n, tuple(args.latency), realistic=args.realistic) as farm:
                for mode in modes:
                    tmp = Path(tmpdir) / f"{mode}-{n}"
                    tmp.mkdir()
                    print(f"{mode}: {n} sites ...", file=sys.stderr, flush=True)
                    if mode == "local":
                        results.append(run_local(farm.urls, tmp, not args.no_probes, args.limit, args.report))
                    elif mode == "distributed":
                        results.append(run_distributed(farm.urls, tmp, args.workers, args.concurrency,
                                                       not args.no_probes, args.limit))
                    else:
                        raise SystemExit(f"unknown mode {mode!r} (local, distributed)")
                    r = results[-1]
                    print(f"{r.mode}: {r.done}/{r.sites} sites checked in {r.wall:.1f} s"
                          f"{' (stopped at --limit)' if r.stopped else ''} = {r.per_hour:.0f} sites/h, "
                          f"CPU {r.cpu:.1f} s, peak {r.peak_mb:.0f} MB", file=sys.stderr, flush=True)
    report(results, args.pages, tuple(args.latency), "left out (--no-probes)" if args.no_probes else probes_state(),
           args.realistic)


if __name__ == "__main__":
    main()
