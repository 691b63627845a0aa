"""Core commands: sites, checks, db, run, check, findings, export, demo."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Optional

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from sqlalchemy import select

from core.config import load, redact_url
from core.errors import UserError
from govaudit.commands.app import app, make_console

console = make_console()
err = make_console(stderr=True)

sites_app = typer.Typer(help="The site registry.", no_args_is_help=True)
checks_app = typer.Typer(help="The check catalog.", no_args_is_help=True)
db_app = typer.Typer(help="The database.", no_args_is_help=True)
app.add_typer(sites_app, name="sites")
app.add_typer(checks_app, name="checks")
app.add_typer(db_app, name="db")

def _session():
    from sqlalchemy.orm import Session

    from storage.db import get_engine
    return Session(get_engine(load().database_url), expire_on_commit=False)


def _table_or_json(format: str) -> None:
    if format not in ("table", "json"):
        raise UserError(f"unknown format {format!r} (table or json)")


# -- sites ---------------------------------------------------------------
@sites_app.command("import")
def sites_import(file: Path = typer.Argument(..., help="Registry file (.csv, .yaml, .yml, or .jsonl as `export sites` writes).")):
    """Import or update sites (upsert by URL). The whole file is validated first."""
    from govaudit.rounds import import_sites
    with _session() as session, session.begin():
        done = import_sites(session, file)
    read_as = "" if done.encoding == "utf-8" else f" (read as {done.encoding.upper()})"
    console.print(f"imported {file}{read_as}: {done.added} added, {done.updated} updated", highlight=False)


@sites_app.command("list")
def sites_list(format: str = typer.Option("table", "--format", help="table or json")):
    """List the registry."""
    from storage import models as m
    _table_or_json(format)
    with _session() as session:
        rows = session.execute(select(m.Site, m.Unit.name).join(m.Unit, m.Unit.id == m.Site.unit_id)
                               .order_by(m.Site.id)).all()
    if format == "json":
        print(json.dumps([{"id": s.id, "name": s.name, "url": s.url, "kind": s.kind, "unit": u, "level": s.level,
                           "group": s.group, "region": s.region, "hints": s.hints} for s, u in rows],
                         ensure_ascii=False, indent=1))
        return
    table = Table("id", "name", "kind", "unit", "url")
    for s, u in rows:
        table.add_row(str(s.id), s.name, s.kind, u, s.url)
    console.print(table)


# -- checks --------------------------------------------------------------
@checks_app.command("list")
def checks_list(format: str = typer.Option("table", "--format", help="table or json")):
    """The catalog as implemented: id, title, kinds, needs, version (described in docs/checks.md)."""
    from checks.catalog import all_checks
    _table_or_json(format)
    checks = sorted(all_checks().values(), key=lambda c: c.id)
    if format == "json":
        print(json.dumps([c.as_dict() for c in checks], ensure_ascii=False, indent=1))
        return
    table = Table("id", "指标", "title", "kinds", "needs", "version")
    for c in checks:
        table.add_row(c.id, c.title_zh, c.title_en, c.kinds, c.needs, c.version)
    console.print(table)


# -- db ------------------------------------------------------------------
@db_app.command("upgrade")
def db_upgrade():
    """Apply schema migrations to the configured database."""
    from storage.db import get_engine, upgrade
    url = load().database_url
    get_engine(url, migrate=False)
    upgrade(url)
    console.print(f"database {redact_url(url)} is at the latest revision")


# -- run -----------------------------------------------------------------
class _Bars:
    """Rich progress bars driven by the round's Progress callbacks."""

    def __init__(self, progress: Progress):
        self.progress, self.task = progress, None

    def stage(self, name: str, total: int) -> None:
        if self.task is not None:
            self.progress.update(self.task, completed=self.progress.tasks[-1].total)
        self.task = self.progress.add_task(name, total=total)

    def advance(self, n: int) -> None:
        if self.task is not None:
            self.progress.advance(self.task, n)

    def message(self, text: str) -> None:
        self.progress.console.print(text)


def run_with_progress(run_id: int, manual: str | None = None):
    """Run and score a round with progress bars, then its summary; return the RunSummary."""
    from govaudit import rounds
    with Progress(TextColumn("{task.description:<28}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=err, transient=False, disable=not err.is_terminal and False) as progress:
        bars = _Bars(progress)
        summary = rounds.run_round(load(), run_id, rounds.Progress(bars.stage, bars.advance, bars.message), manual)
    print_summary(summary.run_id)
    for sid, why in summary.site_errors.items():
        err.print(f"site {sid}: {why}", style="yellow")
    if summary.left_pending:
        raise UserError(f"run {run_id} interrupted: {len(summary.left_pending)} site(s) not finished; "
                        f"finish with `govaudit run --resume {run_id}`")
    print_scored(run_id, summary.scored)
    return summary


def exit_if_gathering_failed(summary) -> None:
    """A round where some site's gathering failed ends non-zero (exit 1), after one line naming
    those sites and why: its other sites were audited and scored, but the round is not whole."""
    if not summary.site_errors:
        return
    from storage import models as m
    with _session() as session:
        names = dict(session.execute(select(m.Site.id, m.Site.name).where(
            m.Site.id.in_(list(summary.site_errors)))).all())
    shown = "; ".join(f"{names.get(sid, '?')} (site {sid}): {why}" for sid, why in sorted(summary.site_errors.items()))
    err.print(f"gathering failed for {len(summary.site_errors)} site(s): {shown}", markup=False, highlight=False,
              style="red")
    raise typer.Exit(1)


def print_scored(run_id: int, scored: list) -> None:
    """One line per framework the round was scored with: subjects per tier."""
    from reports.store import is_partial
    from storage import models as m
    with _session() as session:
        partial = is_partial(session.get(m.Run, run_id))
    for one in scored:
        tiers: dict[str, int] = {}
        for r in one.results:
            tiers[r.tier or "—"] = tiers.get(r.tier or "—", 0) + 1
        shown = ", ".join(f"{t} {n}" for t, n in sorted(tiers.items()))
        console.print(f"scored {one.framework.name}: {len(one.results)} subject(s) ({shown})"
                      + (" — partial round (--only): never compared against" if partial else ""))


def print_summary(run_id: int) -> None:
    from sqlalchemy import func

    from storage import models as m
    with _session() as session:
        rows = session.execute(select(m.Site.id, m.Site.name, m.Finding.status, func.count())
                               .join(m.Finding, m.Finding.site_id == m.Site.id)
                               .where(m.Finding.run_id == run_id)
                               .group_by(m.Site.id, m.Site.name, m.Finding.status)).all()
    per: dict[tuple[int, str], dict[str, int]] = {}
    for sid, name, status, n in rows:
        per.setdefault((sid, name), {})[status] = n
    statuses = ["pass", "fail", "warn", "not_applicable", "error"]
    table = Table("site", "name", *statuses, title=f"run {run_id}")
    for (sid, name), counts in sorted(per.items()):
        table.add_row(str(sid), name, *(str(counts.get(s, 0)) for s in statuses))
    console.print(table)
    for line in refusal_lines(run_id):
        err.print(line, highlight=False)
    console.print(f"run id: {run_id}")


LIFT = {"refused_by_policy": "refused by the network policy (private or loopback address); lift with "
                             "--allow-private or --allow-host HOST[:PORT]",
        "robots_txt": "not fetched because their robots.txt forbids it; lift per site with the registry hint "
                      "obey_robots: false, or for every site with GOVAUDIT_OBEY_ROBOTS=0 (evaluators with a "
                      "mandate; recorded in the run)"}


def refusal_lines(run_id: int) -> list[str]:
    """One line per cause of the scanner's own refusals in a run, saying how to lift it."""
    from storage import models as m
    with _session() as session:
        rows = session.execute(select(m.Finding.site_id, m.Finding.details)
                               .where(m.Finding.run_id == run_id, m.Finding.check_id == "avail.homepage",
                                      m.Finding.status == "error")).all()
    by_cause: dict[str, list[int]] = {}
    for site_id, details in rows:
        cause = (details or {}).get("cause")
        if cause in LIFT:
            by_cause.setdefault(cause, []).append(site_id)
    return [f"{len(ids)} site(s) ({', '.join(map(str, sorted(ids)))}) {LIFT[cause]}"
            for cause, ids in sorted(by_cause.items())]


@app.command()
def run(sites: Optional[Path] = typer.Option(None, "--sites", help="Import this registry file first and audit its sites."),
        site: list[str] = typer.Option([], "--site", help="Audit only this site (URL or id); repeatable."),
        only: list[str] = typer.Option([], "--only", help="Only checks matching this glob; repeatable."),
        resume: Optional[int] = typer.Option(None, "--resume", help="Continue an interrupted run."),
        distributed: bool = typer.Option(False, "--distributed", help="Queue one task per site for `govaudit worker`s."),
        status: Optional[int] = typer.Option(None, "--status", help="Show the progress of a run and exit.")):
    """One evaluation round: gather, check (and score when frameworks are installed)."""
    from govaudit import rounds
    from govaudit.commands import scale
    from storage import models as m
    if status is not None:
        scale.show_status(status)
        return
    if distributed:
        scale.preflight()
    if resume is not None:
        with _session() as session:
            found = session.get(m.Run, resume)
            if found is None:
                raise UserError(f"no run {resume} to resume")
        if distributed:
            scale.run_distributed(resume)
        else:
            exit_if_gathering_failed(run_with_progress(resume))
        return
    with _session() as session, session.begin():
        ids = rounds.resolve_sites(session, sites, site)
        run_id = rounds.start_round(session, ids, only or None).id
    err.print(f"run {run_id}: {len(ids)} site(s)")
    if distributed:
        scale.run_distributed(run_id)
    else:
        exit_if_gathering_failed(run_with_progress(run_id))


# -- findings ------------------------------------------------------------
@app.command()
def findings(site: str = typer.Argument(..., help="Site URL or id."),
             check: Optional[str] = typer.Option(None, "--check", help="Only this check id."),
             history: bool = typer.Option(False, "--history", help="Every finding, oldest first, with what it supersedes.")):
    """Show a site's latest findings (or their history)."""
    from storage import models as m
    from checks.catalog import all_checks
    from storage.export import number
    from storage.runs import find_site
    if check and check not in all_checks():
        raise UserError(f"unknown check id {check!r} (see `govaudit checks list`)")
    with _session() as session:
        s = find_site(session, site)
        q = select(m.Finding).where(m.Finding.site_id == s.id)
        if check:
            q = q.where(m.Finding.check_id == check)
        rows = list(session.scalars(q.order_by(m.Finding.check_id, m.Finding.id)))
    if not history:
        latest: dict[str, m.Finding] = {}
        for f in rows:
            if f.adopted:     # a rerun's error kept beside a measurement is history, not the latest
                latest[f.check_id] = f
        rows = list(latest.values())
    table = Table("id", "run", "check", "status", "value", "measured", "supersedes", "adopted",
                  title=f"{s.name} {s.url}")
    for f in rows:
        table.add_row(str(f.id), str(f.run_id), f.check_id, f.status, str(number(f.value)),
                      f.measured_at.strftime("%Y-%m-%d %H:%M:%S"), str(f.supersedes or ""),
                      "yes" if f.adopted else "no")
    console.print(table)


@app.command("check")
def check_one(site: str = typer.Argument(..., help="Site URL or id."),
              check_id: str = typer.Argument(..., help="Check id, e.g. links.dead_homepage."),
              stored: bool = typer.Option(False, "--stored", help="Re-evaluate the latest run's stored artifacts; no network."),
              accept_error: bool = typer.Option(False, "--accept-error",
                                                help="Let a rerun that ends in `error` replace a pass/fail/warn "
                                                     "finding (default: kept in the history only).")):
    """Rerun one check on one site; the new finding supersedes the old one (an `error` over a measurement only with --accept-error)."""
    from govaudit.rounds import rerun_check
    old, new = rerun_check(load(), site, check_id, stored=stored, accept_error=accept_error)
    table = Table("", "previous", "new", title=f"{check_id}")
    for label, key in (("finding", "id"), ("run", "run_id"), ("status", "status"), ("value", "value"),
                       ("measured", "measured_at")):
        table.add_row(label, str(old.get(key, "—")) if old else "—", str(new.get(key)))
    console.print(table)
    if new.get("details"):
        console.print_json(json.dumps(new["details"], ensure_ascii=False, default=str))
        if new["details"].get("cause") in LIFT:
            err.print(f"site {site}: {LIFT[new['details']['cause']]}", highlight=False)
    if not new["adopted"]:
        err.print(f"finding {new['id']} (error) is kept in the history; finding {old['id']} ({old['status']}) stays "
                  f"the latest: rerun with --accept-error to replace it", highlight=False)


# -- export --------------------------------------------------------------
@app.command()
def export(kind: str = typer.Argument(..., help="findings, scores, sites or walls"),
           run_id: Optional[int] = typer.Option(None, "--run", help="Run id (default: the latest finished round)."),
           format: str = typer.Option("jsonl", "--format", help="jsonl or csv"),
           out: Optional[Path] = typer.Option(None, "--out", help="Output file (default: standard output).")):
    """Export findings, scores, sites or walls (walled sites with the wall's evidence) as JSON Lines or CSV
    (columns: the README's Exports section)."""
    from reports.export import write_findings, write_scores
    from storage import models as m
    from storage.export import check_format, write_sites, write_walls
    check_format(format)
    writers = {"findings": write_findings, "scores": write_scores, "sites": write_sites, "walls": write_walls}
    if kind not in writers:
        raise UserError(f"unknown export {kind!r} (one of {', '.join(sorted(writers))})")
    with _session() as session:
        if run_id is not None and session.get(m.Run, run_id) is None:
            raise UserError(f"no run {run_id}")
        n = writers[kind](session, run_id, format, out)
    if out is not None:
        err.print(f"wrote {n} {kind} to {out}")


# -- demo ----------------------------------------------------------------
@app.command()
def demo(out: Path = typer.Option(Path("govaudit-demo"), "--out", help="Where the database, data and exports go."),
         keep_serving: bool = typer.Option(False, "--serve", help="Keep serving the demo sites after the audit."),
         only: list[str] = typer.Option([], "--only", help="Only checks matching this glob; repeatable.")):
    """Serve the bundled demo sites on 127.0.0.1, audit them, export and report: the whole product offline."""
    from govaudit.demo.run import run_demo
    run_demo(out, keep_serving=keep_serving, console=console, only=only or None, run_round=run_with_progress)
