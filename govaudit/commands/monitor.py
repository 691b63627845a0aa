"""`govaudit monitor`: availability samples of site homepages, at an interval."""
from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer
from sqlalchemy import select

from core.config import load
from core.errors import UserError
from govaudit.commands.app import app, make_console

err = make_console(stderr=True)


@app.command()
def monitor(sites: Optional[Path] = typer.Option(None, "--sites", help="Import this registry file first and sample its sites."),
            site: list[str] = typer.Option([], "--site", help="Sample only this site (URL or id); repeatable."),
            interval: float = typer.Option(300.0, "--interval", help="Seconds between rounds."),
            rounds: int = typer.Option(0, "--rounds", help="Stop after this many rounds (0: until interrupted)."),
            timeout: float = typer.Option(15.0, "--timeout", help="Seconds for a complete response.")):
    """Sample every chosen site's homepage each INTERVAL seconds; avail.uptime reads the samples."""
    from sqlalchemy.orm import Session

    from crawler.monitor import run_rounds
    from crawler.netguard import refusal
    from govaudit.rounds import resolve_sites
    from storage import models as m
    from storage.db import get_engine

    if interval <= 0 or timeout <= 0 or rounds < 0:
        raise UserError("--interval and --timeout must be positive, --rounds zero or more")
    settings = load()
    with Session(get_engine(settings.database_url), expire_on_commit=False) as session, session.begin():
        ids = resolve_sites(session, sites, site)
        chosen = [(s.id, s.url) for s in session.scalars(select(m.Site).where(m.Site.id.in_(ids)).order_by(m.Site.id))]
    if not chosen:
        raise UserError("no sites to monitor: import a registry with `govaudit sites import`")
    for sid, url in chosen:
        why = refusal(url, settings.allow_private, settings.allow_hosts)
        if why:
            raise UserError(f"refusing {url}: {why} (see --allow-host)")

    def told(done: int, samples) -> None:
        failed = sum(1 for s in samples if not s.ok)
        err.print(f"round {done}: {len(samples)} sample(s), {failed} failed")

    run_rounds(settings.database_url, chosen, rounds, interval, timeout, told)
