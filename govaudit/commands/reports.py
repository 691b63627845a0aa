"""`govaudit score` and `govaudit report` (scores: reports/store.py; HTML/XLSX: reports/html.py, reports/xlsx.py)."""
from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer
from rich.table import Table

from govaudit.commands.app import app, make_console


@app.command("score")
def score_cmd(run: Optional[int] = typer.Option(None, "--run", help="Run id (default: the latest round)."),
              framework: list[str] = typer.Option([], "--framework", "-f",
                                                  help="Framework name (docs/frameworks.md); repeatable (default: all)."),
              manual: Optional[Path] = typer.Option(None, "--manual", metavar="FILE",
                                                    help="Evaluators' CSV: unit or site, indicator, score, note."),
              frameworks_dir: list[Path] = typer.Option([], "--frameworks-dir", metavar="DIR",
                                                        help="Extra directory of framework YAML files.")):
    """Score a run with the scoring frameworks and store the scores."""
    from core.config import load
    from govaudit.rounds import score
    console = make_console()
    for scored in score(load(), run, framework or None, manual, frameworks_dir):
        fw = scored.framework
        t = Table(title=f"{fw.name} v{fw.version} — {fw.title} (run {scored.run_id})")
        for h in ("unit/site", "group", "score", "tier", "rank", "incomplete"):
            t.add_column(h)
        for r in sorted(scored.results, key=lambda r: (-(r.total or -1), r.subject.name)):
            t.add_row(r.subject.name, r.subject.group or "", "—" if r.total is None else f"{r.total:.4g}",
                      r.tier or "—", str(scored.ranks.get(r.subject.key, "")),
                      ", ".join(r.missing[:4]) + (" …" if len(r.missing) > 4 else ""))
        console.print(t)


@app.command("report")
def report_cmd(run: Optional[int] = typer.Option(None, "--run", help="Run id (default: the latest round)."),
               out: Path = typer.Option(Path("report"), "--out", metavar="DIR", help="Output directory."),
               notices: bool = typer.Option(False, "--notices",
                                            help="Also write each unit's 整改通知 (HTML and .docx) in DIR/notices/.")):
    """Write the HTML report (index.html, one page per site/unit) and report.xlsx."""
    from core.config import load
    from reports.html import write_report
    from storage.db import session_scope
    settings = load()
    with session_scope() as session:
        index = write_report(session, run, out, settings.data_dir, settings.timezone, notices=notices)
    typer.echo(f"report: {index}")
    if notices:
        typer.echo(f"notices: {index.parent / 'notices' / 'index.html'}")

