"""`govaudit demo`: serve the demo farm, import it, audit it, export, report."""
from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Callable

from rich.console import Console

DEMO_SAMPLES = 20       # avail.uptime needs at least 20
DEMO_MANUAL = Path(__file__).with_name("manual.csv")    # what evaluators would judge by hand


def run_demo(out: Path, keep_serving: bool = False, console: Console | None = None,
             only: list[str] | None = None, run_round: Callable[[int, str], object] | None = None) -> int:
    """The demo's round; `run_round(run_id, manual_csv)` runs and scores it (the CLI passes its runner with
    progress bars and the summary; by default `rounds.run_round`, silently)."""
    from core.config import load
    from govaudit import rounds
    from govaudit.demo.server import DemoFarm
    from reports.export import write_findings
    from storage.db import session_scope
    console = console or Console()
    out = out.resolve()
    out.mkdir(parents=True, exist_ok=True)
    db = out / "govaudit.db"
    os.environ.setdefault("GOVAUDIT_DATABASE_URL", f"sqlite:///{db}")
    os.environ.setdefault("GOVAUDIT_DATA_DIR", str(out / "data"))
    with DemoFarm() as farm:
        # The demo opens exactly its own ports, not every private address.
        hosts = [h for h in os.environ.get("GOVAUDIT_ALLOW_HOSTS", "").split(",") if h]
        os.environ["GOVAUDIT_ALLOW_HOSTS"] = ",".join(hosts + farm.allow_hosts())
        # The HTTPS demo site's certificate is signed by the farm's own CA: trusted for this audit.
        bundle = farm.trust_bundle(out / "demo-ca.pem", os.environ.get("GOVAUDIT_CA_BUNDLE", ""))
        if bundle:
            os.environ["GOVAUDIT_CA_BUNDLE"] = bundle
        registry = farm.write_registry(out / "demo-sites.yaml")
        console.print(f"serving {len(farm.sites)} demo sites on 127.0.0.1 ({', '.join(s.slug for s in farm.sites)})")
        database_url = os.environ["GOVAUDIT_DATABASE_URL"]
        with session_scope(database_url) as session:
            ids = rounds.import_sites(session, registry)
            run_id = rounds.start_round(session, ids, only, {"via": "demo"}).id
        sample_homepages(database_url, ids)
        console.print(f"monitor: {DEMO_SAMPLES} availability samples of each homepage (avail.uptime)")
        console.print(f"manual values (evaluators' CSV): {DEMO_MANUAL}")
        if run_round is None:
            rounds.run_round(load(), run_id, manual=DEMO_MANUAL)
        else:
            run_round(run_id, str(DEMO_MANUAL))
        export = out / "findings.jsonl"
        with session_scope(database_url) as session:
            n = write_findings(session, run_id, "jsonl", export)
        finish_hooks(run_id, out, console)
        console.print(f"database: {db}")
        console.print(f"findings: {export} ({n} findings)")
        if keep_serving:
            console.print("serving until Ctrl-C:")
            for s in farm.sites:
                console.print(f"  {s.slug}: {s.url}")
            while True:
                time.sleep(3600)
    return run_id


def sample_homepages(database_url: str, site_ids: list[int]) -> None:
    """The demo's stand-in for a monitoring window: enough quick samples for avail.uptime."""
    from sqlalchemy import select
    from sqlalchemy.orm import Session

    from crawler.monitor import run_rounds
    from storage import models as m
    from storage.db import get_engine
    with Session(get_engine(database_url)) as session:
        sites = [(s.id, s.url) for s in session.scalars(select(m.Site).where(m.Site.id.in_(site_ids)))]
    run_rounds(database_url, sites, DEMO_SAMPLES, interval=0.02, timeout=5.0)


def finish_hooks(run_id: int, out: Path, console: Console) -> None:
    """The report of the demo round (it was scored at the end of the run)."""
    from reports.html import write_report
    from storage.db import session_scope
    with session_scope(os.environ["GOVAUDIT_DATABASE_URL"]) as session:
        index = write_report(session, run_id, out / "report", os.environ["GOVAUDIT_DATA_DIR"])
    console.print(f"report: {index} (and report.xlsx beside it)")
