"""Scores export (the README's Exports section): one row per run × framework × unit/site ×
indicator (or total), as JSON Lines or CSV with the same columns."""
from __future__ import annotations

import csv
import json
import sys
from pathlib import Path
from typing import IO, Any, Iterator

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.errors import UserError
from storage.models import Score, Site, Unit

COLUMNS = ("run_id", "framework", "framework_version", "scope", "unit_or_site", "site_url", "indicator",
           "score", "max", "tier", "rank", "group", "incomplete", "manual")


def score_rows(session: Session, run_id: int, framework: str | None = None) -> Iterator[dict[str, Any]]:
    q = select(Score).where(Score.run_id == run_id)
    if framework:
        q = q.where(Score.framework == framework)
    units = {u.id: u.name for u in session.scalars(select(Unit))}
    sites = {s.id: (s.name, s.url) for s in session.scalars(select(Site))}
    for s in session.scalars(q.order_by(Score.framework, Score.id)):
        if s.site_id is not None:
            name, url, scope = *sites[s.site_id], "site"
        else:
            name, url, scope = units.get(s.unit_id, ""), "", "unit"
        yield {"run_id": s.run_id, "framework": s.framework, "framework_version": s.framework_version,
               "scope": scope, "unit_or_site": name, "site_url": url, "indicator": s.indicator,
               "score": None if s.score is None else round(s.score, 6),
               "max": None if s.max is None else round(s.max, 6), "tier": s.tier, "rank": s.rank,
               "group": s.group, "incomplete": bool(s.incomplete), "manual": bool(s.manual)}


def _write(rows: Iterator[dict[str, Any]], fmt: str, fh: IO[str]) -> int:
    n = 0
    if fmt == "jsonl":
        for row in rows:
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")
            n += 1
    else:
        w = csv.DictWriter(fh, fieldnames=COLUMNS, lineterminator="\n")
        w.writeheader()
        for row in rows:
            w.writerow({k: "" if v is None else v for k, v in row.items()})
            n += 1
    return n


def write_scores(session: Session, run_id: int, fmt: str = "jsonl", out: str | Path | None = None,
                 framework: str | None = None) -> int:
    """Write the run's scores to `out` (stdout when None or '-'); returns rows written."""
    if fmt not in ("jsonl", "csv"):
        raise UserError(f"unknown format {fmt!r} (jsonl or csv)")
    rows = score_rows(session, run_id, framework)
    if out is None or str(out) == "-":
        return _write(rows, fmt, sys.stdout)
    try:
        with open(out, "w", encoding="utf-8-sig" if fmt == "csv" else "utf-8", newline="") as fh:
            return _write(rows, fmt, fh)
    except OSError as exc:
        raise UserError(f"{out}: cannot write: {exc.strerror or exc}") from None
