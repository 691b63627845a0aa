"""Export writers (the README's Exports section): findings, sites and walled sites as JSON Lines or CSV.
CSV has the same columns as JSON Lines, nested fields as JSON text."""
from __future__ import annotations

import csv
import json
from typing import IO, Any, Iterable

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.errors import UserError
from storage import models as m

FINDING_FIELDS = ["run_id", "site_id", "site_url", "unit", "check_id", "check_version", "status", "value",
                  "unit_of_value", "details", "evidence", "measured_at", "supersedes"]
SITE_FIELDS = ["id", "name", "url", "kind", "unit", "level", "group", "region", "hints"]
WALL_FIELDS = ["run_id", "site_id", "name", "site_url", "unit", "product", "reason", "status", "wall_url",
               "after_requests", "cookies", "signals", "snippet", "confirmed_by", "measured_at"]


def _number(v):
    if v is None:
        return None
    return int(v) if float(v).is_integer() else v


def write_rows(rows: Iterable[dict[str, Any]], fields: list[str], fmt: str, out: IO[str]) -> int:
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


def latest_round(session: Session) -> int:
    run_id = session.scalar(select(func.max(m.Run.id)).where(m.Run.kind == "round"))
    if run_id is None:
        raise UserError("no run yet: start one with `govaudit run`")
    return run_id


def write_findings(session: Session, run_id: int | None, fmt: str, out: IO[str]) -> int:
    run_id = run_id or latest_round(session)
    if session.get(m.Run, run_id) is None:
        raise UserError(f"no run {run_id}")
    q = (select(m.Finding, m.Site.url, m.Unit.name).join(m.Site, m.Site.id == m.Finding.site_id)
         .join(m.Unit, m.Unit.id == m.Site.unit_id).where(m.Finding.run_id == run_id)
         .order_by(m.Finding.site_id, m.Finding.check_id, m.Finding.id))

    return write_rows((finding_row(f, url, unit) for f, url, unit in session.execute(q)), FINDING_FIELDS, fmt, out)


def finding_row(f: m.Finding, site_url: str, unit: str) -> dict[str, Any]:
    """A finding as the findings export writes it (FINDING_FIELDS)."""
    return {"run_id": f.run_id, "site_id": f.site_id, "site_url": site_url, "unit": unit, "check_id": f.check_id,
            "check_version": f.check_version, "status": f.status, "value": _number(f.value),
            "unit_of_value": f.unit_of_value, "details": f.details, "evidence": f.evidence,
            "measured_at": f.measured_at.isoformat(timespec="seconds") if f.measured_at.tzinfo
            else f.measured_at.isoformat(timespec="seconds") + "+00:00",
            "supersedes": f.supersedes}


def write_sites(session: Session, run_id: int | None, fmt: str, out: IO[str]) -> int:
    q = select(m.Site, m.Unit.name).join(m.Unit, m.Unit.id == m.Site.unit_id).order_by(m.Site.id)
    if run_id:
        q = q.join(m.RunSite, m.RunSite.site_id == m.Site.id).where(m.RunSite.run_id == run_id)

    def rows():
        for s, unit in session.execute(q):
            yield {"id": s.id, "name": s.name, "url": s.url, "kind": s.kind, "unit": unit, "level": s.level,
                   "group": s.group, "region": s.region, "hints": s.hints or {}}
    return write_rows(rows(), SITE_FIELDS, fmt, out)


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


def write_walls(session: Session, run_id: int | None, fmt: str, out: IO[str]) -> int:
    run_id = run_id or latest_round(session)
    if session.get(m.Run, run_id) is None:
        raise UserError(f"no run {run_id}")
    return write_rows(walled_sites(session, run_id), WALL_FIELDS, fmt, out)
