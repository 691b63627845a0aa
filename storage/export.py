"""The export writer (the README's Exports section) and the exports of stored rows: sites and walled
sites. Every export is JSON Lines, or CSV with the same columns (nested fields as JSON text), written
by `write_export`; findings and scores (which read check metadata) are in reports/export.py."""
from __future__ import annotations

import contextlib
import csv
import json
import sys
from pathlib import Path
from typing import IO, Any, Iterable

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.errors import UserError
from storage import models as m

FORMATS = ("jsonl", "csv")
SITE_FIELDS = ["id", "name", "url", "kind", "unit", "level", "group", "region", "hints"]
WALL_FIELDS = ["run_id", "site_id", "name", "site_url", "unit", "product", "reason", "status", "wall_url",
               "after_requests", "cookies", "signals", "snippet", "confirmed_by", "measured_at"]


def number(v):
    """A stored float as people write it: 3, not 3.0."""
    if v is None:
        return None
    return int(v) if float(v).is_integer() else v


def check_format(fmt: str) -> None:
    if fmt not in FORMATS:
        raise UserError(f"unknown format {fmt!r} (jsonl or csv)")


def write_rows(rows: Iterable[dict[str, Any]], fields: list[str], fmt: str, out: IO[str]) -> int:
    """Rows to a text stream: one JSON object a line, or CSV with a header (nested fields as JSON
    text, None as an empty cell); returns the number of rows."""
    n = 0
    writer = None
    if fmt == "csv":
        writer = csv.DictWriter(out, fieldnames=fields, lineterminator="\n")
        writer.writeheader()
    for row in rows:
        if writer:
            writer.writerow({k: json.dumps(v, ensure_ascii=False) if isinstance(v, (dict, list)) else
                             ("" if v is None else v) for k, v in row.items()})
        else:
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
        n += 1
    return n


def write_export(rows: Iterable[dict[str, Any]], fields: list[str], fmt: str,
                 out: str | Path | IO[str] | None = None) -> int:
    """Write an export to standard output (`out` None or "-"), a text stream, or a file; returns
    the number of rows. A CSV file starts with a UTF-8 BOM, so Excel on a Chinese Windows reads it
    as UTF-8; standard output and streams get none (the bytes are for a program). A file is
    written beside itself as FILE.part and renamed when whole: a failed export leaves nothing."""
    check_format(fmt)
    if out is None or str(out) == "-":
        return write_rows(rows, fields, fmt, sys.stdout)
    if not isinstance(out, (str, Path)):
        return write_rows(rows, fields, fmt, out)
    path = Path(out)
    tmp = path.with_name(path.name + ".part")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tmp.open("w", encoding="utf-8-sig" if fmt == "csv" else "utf-8", newline="") as fh:
            n = write_rows(rows, fields, fmt, fh)
        tmp.replace(path)
    except OSError as exc:
        raise UserError(f"{path}: cannot write: {exc.strerror or exc}") from None
    finally:
        with contextlib.suppress(OSError):
            tmp.unlink(missing_ok=True)      # nothing half-written, whatever stopped the export
    return n


def latest_round(session: Session) -> int:
    run_id = session.scalar(select(func.max(m.Run.id)).where(m.Run.kind == "round"))
    if run_id is None:
        raise UserError("no run yet: start one with `govaudit run`")
    return run_id


def export_run(session: Session, run_id: int | None) -> int:
    """The run an export is of: the one named (it must exist), else the latest round."""
    run_id = run_id or latest_round(session)
    if session.get(m.Run, run_id) is None:
        raise UserError(f"no run {run_id}")
    return run_id


def write_sites(session: Session, run_id: int | None, fmt: str, out: str | Path | IO[str] | None = None) -> int:
    """The registry (of the run's sites, when one is named): it imports again unchanged."""
    q = select(m.Site, m.Unit.name).join(m.Unit, m.Unit.id == m.Site.unit_id).order_by(m.Site.id)
    if run_id:
        q = q.join(m.RunSite, m.RunSite.site_id == m.Site.id).where(m.RunSite.run_id == run_id)

    def rows():
        for s, unit in session.execute(q):
            yield {"id": s.id, "name": s.name, "url": s.url, "kind": s.kind, "unit": unit, "level": s.level,
                   "group": s.group, "region": s.region, "hints": s.hints or {}}
    return write_export(rows(), SITE_FIELDS, fmt, out)


def walled_sites(session: Session, run_id: int) -> list[dict[str, Any]]:
    """Sites a wall answered for in a run, with the wall's evidence (avail.homepage details.wall): the
    list evaluators send to ask for the scanner's address to be allowed."""
    q = (select(m.Finding, m.Site.name, m.Site.url, m.Unit.name).join(m.Site, m.Site.id == m.Finding.site_id)
         .join(m.Unit, m.Unit.id == m.Site.unit_id)
         .where(m.Finding.run_id == run_id, m.Finding.check_id == "avail.homepage", m.Finding.status == "error")
         .order_by(m.Finding.site_id, m.Finding.id))
    rows = {}
    for f, name, url, unit in session.execute(q):
        wall = (f.details or {}).get("wall")
        if wall:    # the newest finding of the site wins
            rows[f.site_id] = {
                "run_id": f.run_id, "site_id": f.site_id, "name": name, "site_url": url, "unit": unit,
                "product": wall.get("product"), "reason": wall.get("reason"), "status": wall.get("status"),
                "wall_url": wall.get("url"), "after_requests": wall.get("after_requests"),
                "cookies": wall.get("cookies") or [], "signals": wall.get("signals") or [],
                "snippet": wall.get("snippet"), "confirmed_by": wall.get("confirmed_by"),
                "measured_at": f.measured_at.isoformat(timespec="seconds")}
    return list(rows.values())


def write_walls(session: Session, run_id: int | None, fmt: str, out: str | Path | IO[str] | None = None) -> int:
    return write_export(walled_sites(session, export_run(session, run_id)), WALL_FIELDS, fmt, out)
