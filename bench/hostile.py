"""Audit the whole hostile farm once and print what happened:

    python -m bench.hostile [--timeout 3] [--budget 300] [--contexts 4] [--db URL]

wall time (and per gather stage), sites finished, findings by status, error
kinds, peak memory summed over the whole process tree (PSS and RSS: this
process, the crawl and its storage process, the Playwright driver, every
browser process) with the largest single process, the load average, and
whether the run stayed within its budget."""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench.hostile")
    parser.add_argument("--timeout", default="3", help="GOVAUDIT_TIMEOUT for the run (seconds)")
    parser.add_argument("--budget", type=float, default=300.0, help="wall-time budget, seconds")
    parser.add_argument("--contexts", default="4", help="GOVAUDIT_BROWSER_CONTEXTS: sites probed at once")
    parser.add_argument("--max-pss-mb", type=float, default=1500.0, help="memory bound of the whole process tree")
    parser.add_argument("--db", default="", help="database URL (default: a fresh SQLite file)")
    args = parser.parse_args(argv)

    from sqlalchemy import func, select
    from sqlalchemy.orm import Session

    from bench.round import TreeMemory
    from govaudit import rounds, runner
    from core.config import load, redact_url
    from govaudit.registry import parse, upsert
    from storage import models as m
    from storage.db import get_engine
    from tests.hostile.farm import HostileFarm

    tmp = Path(tempfile.mkdtemp(prefix="govaudit-hostile-"))
    with HostileFarm() as farm:
        os.environ.update(GOVAUDIT_DATABASE_URL=args.db or f"sqlite:///{tmp / 'hostile.db'}",
                          GOVAUDIT_DATA_DIR=str(tmp / "data"), GOVAUDIT_TIMEOUT=args.timeout,
                          GOVAUDIT_RETRY_AFTER_MAX="5", GOVAUDIT_BROWSER_CONTEXTS=args.contexts,
                          GOVAUDIT_ALLOW_HOSTS=",".join(farm.allow_hosts()))
        os.environ.pop("GOVAUDIT_ALLOW_PRIVATE", None)
        settings = load()
        with Session(get_engine(settings.database_url)) as session, session.begin():
            upsert(session, parse(farm.write_registry(tmp / "hostile.yaml")))
            session.flush()
            ids = list(session.scalars(select(m.Site.id).where(m.Site.url.in_([c.url for c in farm.sites]))))
            run_id = rounds.start_round(session, ids, None).id

        stages: list[list] = []

        def stage(name: str, total: int) -> None:
            now = time.monotonic()
            if stages:
                stages[-1][2] = now - stages[-1][1]
            stages.append([name, now, 0.0])

        start = time.monotonic()
        with TreeMemory(every=0.25) as tree:
            tree.roots = [os.getpid()]
            runner.execute(run_id, settings, runner.Progress(stage=stage))
        wall = time.monotonic() - start
        if stages:
            stages[-1][2] = time.monotonic() - stages[-1][1]
        canary = list(farm.canary_hits)

    with Session(get_engine(settings.database_url)) as session:
        finished = session.scalar(select(func.count()).select_from(m.RunSite).where(
            m.RunSite.run_id == run_id, m.RunSite.stage == "checked"))
        rows = session.execute(select(m.Finding.status, m.Finding.details).where(m.Finding.run_id == run_id)).all()
    by_status = Counter(status for status, _ in rows)
    kinds = Counter((d or {}).get("error_kind") for status, d in rows if status == "error")

    print(f"hostile farm: {len(farm.sites)} sites, timeout {args.timeout} s, database {redact_url(settings.database_url)}")
    print(f"wall time: {wall:.1f} s (budget {args.budget:.0f} s: {'within' if wall <= args.budget else 'OVER'})")
    for name, _, took in stages:
        print(f"  {name:<40} {took:6.1f} s")
    print(f"sites finished: {finished}/{len(ids)}")
    print("findings by status: " + ", ".join(f"{k} {v}" for k, v in sorted(by_status.items())))
    print("error kinds: " + ", ".join(f"{k} {v}" for k, v in sorted(kinds.items(), key=lambda kv: str(kv[0]))))
    pss_mb = tree.peak_kb / 1024
    print(f"peak memory of the process tree ({args.contexts} browser contexts): PSS {pss_mb:.0f} MB "
          f"(bound {args.max_pss_mb:.0f} MB: {'within' if pss_mb <= args.max_pss_mb else 'OVER'}), "
          f"RSS {tree.peak_rss_kb / 1024:.0f} MB; largest process {tree.largest[1]} {tree.largest[0] / 1024:.0f} MB RSS")
    print("load average (1, 5, 15 min) at the end: " + ", ".join(f"{x:.1f}" for x in os.getloadavg()))
    print(f"requests that reached the canary (private address): {len(canary)}")
    return 0 if finished == len(ids) and wall <= args.budget and pss_mb <= args.max_pss_mb and not canary else 1


if __name__ == "__main__":
    sys.exit(main())
