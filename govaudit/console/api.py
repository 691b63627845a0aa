"""/api/v1: JSON over the same store, described by FastAPI's OpenAPI schema (/api/v1/openapi.json).

Authenticate with `Authorization: Bearer <token>` (tokens: `govaudit users token NAME --label …`
or the admin page); a token acts with its user's role, and a unit user's token sees its unit's
sites only. Lists are ordered by id and paginated by cursor: pass the `next_cursor` of one page
as `cursor` to get the next; it is null on the last page.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any, Generic, TypeVar

from fastapi import APIRouter, Depends, HTTPException, Query
from pydantic import BaseModel
from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from govaudit.console.sites import SiteFilter, site_query
from govaudit.console.web import READERS, get_session, require_role, unit_scope
from storage import models as m

router = APIRouter(prefix="/api/v1", tags=["v1"])
MAX_LIMIT = 1000
T = TypeVar("T")


class Page(BaseModel, Generic[T]):
    items: list[T]
    next_cursor: str | None


class SiteOut(BaseModel):
    id: int
    name: str
    url: str
    kind: str
    unit: str
    level: str | None
    group: str | None
    region: str | None


class RunOut(BaseModel):
    id: int
    kind: str
    status: str
    started_at: datetime
    finished_at: datetime | None
    only: list[str]


class FindingOut(BaseModel):
    id: int
    run_id: int
    site_id: int
    check_id: str
    check_version: str
    status: str
    value: float | None
    unit_of_value: str | None
    details: dict[str, Any]
    evidence: list[Any]
    measured_at: datetime
    supersedes: int | None
    adopted: bool


class ScoreOut(BaseModel):
    id: int
    run_id: int
    framework: str
    framework_version: str
    site_id: int | None
    unit_id: int | None
    indicator: str
    score: float | None
    max: float | None
    tier: str | None
    rank: int | None
    group: str | None
    incomplete: bool
    manual: bool
    partial: bool
    details: dict[str, Any]


def _cursor(cursor: str | None) -> int:
    if cursor is None or cursor == "":
        return 0
    if not cursor.isdigit() or len(cursor) > 18:
        raise HTTPException(422, "cursor: pass the next_cursor of the previous page")
    return int(cursor)


def _page(session: Session, query: Select, id_column, cursor: str | None, limit: int, convert) -> dict:
    rows = session.execute(query.where(id_column > _cursor(cursor)).order_by(id_column).limit(limit + 1)).all()
    more = len(rows) > limit
    rows = rows[:limit]
    items = [convert(*row) for row in rows]
    return {"items": items, "next_cursor": str(items[-1]["id"]) if more else None}


def _like_glob(glob: str) -> str:
    """A check-id glob (`links.*`, `*.homepage`, `avail.?`) as a LIKE pattern with `\\` as escape."""
    escaped = glob.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return escaped.replace("*", "%").replace("?", "_")


def _site(site: m.Site, unit: str) -> dict:
    return {"id": site.id, "name": site.name, "url": site.url, "kind": site.kind, "unit": unit, "level": site.level,
            "group": site.group, "region": site.region}


def _finding(f: m.Finding) -> dict:
    return {c: getattr(f, c) for c in FindingOut.model_fields}


@router.get("/sites", response_model=Page[SiteOut])
def sites(q: str = "", kind: str = "", level: str = "", group: str = "", region: str = "", tier: str = "",
          cursor: str | None = None, limit: int = Query(100, ge=1, le=MAX_LIMIT),
          user: m.User = Depends(require_role(*READERS)), session: Session = Depends(get_session)):
    """The registry, with the site list's search and filters."""
    query = site_query(SiteFilter(q, kind, level, group, region, tier), session, unit_scope(user))
    return _page(session, query, m.Site.id, cursor, limit, _site)


@router.get("/runs", response_model=Page[RunOut])
def runs(kind: str = "", cursor: str | None = None, limit: int = Query(100, ge=1, le=MAX_LIMIT),
         user: m.User = Depends(require_role(*READERS)), session: Session = Depends(get_session)):
    """Rounds, single-check reruns and monitor runs (filter with kind=round|check|monitor)."""
    query = select(m.Run)
    if kind:
        query = query.where(m.Run.kind == kind)
    return _page(session, query, m.Run.id, cursor, limit,
                 lambda r: {"id": r.id, "kind": r.kind, "status": r.status, "started_at": r.started_at,
                            "finished_at": r.finished_at, "only": (r.options or {}).get("only") or []})


@router.get("/findings", response_model=Page[FindingOut])
def findings(run: int | None = None, site: int | None = None, check: str = "", status: str = "", area: str = "",
             since: datetime | None = None, cursor: str | None = None,
             limit: int = Query(100, ge=1, le=MAX_LIMIT),
             user: m.User = Depends(require_role(*READERS)), session: Session = Depends(get_session)):
    """Findings (history included: each row says what it supersedes and whether it was adopted).
    `check` is a glob (`links.*`), `area` a check area (`links`), `since` a measured-at time."""
    query = select(m.Finding)
    if run is not None:
        query = query.where(m.Finding.run_id == run)
    if site is not None:
        query = query.where(m.Finding.site_id == site)
    if check:
        query = query.where(m.Finding.check_id.like(_like_glob(check), escape="\\"))
    if area:
        query = query.where(m.Finding.check_id.like(_like_glob(area) + ".%", escape="\\"))
    if status:
        query = query.where(m.Finding.status == status)
    if since is not None:
        query = query.where(m.Finding.measured_at >= since)
    scope = unit_scope(user)
    if scope is not None:
        query = query.where(m.Finding.site_id.in_(select(m.Site.id).where(m.Site.unit_id == scope)))
    return _page(session, query, m.Finding.id, cursor, limit, _finding)


@router.get("/findings/{finding_id}", response_model=FindingOut)
def finding(finding_id: int, user: m.User = Depends(require_role(*READERS)), session: Session = Depends(get_session)):
    from govaudit.console.web import visible_site
    f = session.get(m.Finding, finding_id)
    if f is None:
        raise HTTPException(404, "no such finding")
    visible_site(session, user, f.site_id)
    return _finding(f)


@router.get("/scores", response_model=Page[ScoreOut])
def scores(run: int | None = None, framework: str = "", indicator: str = "", cursor: str | None = None,
           limit: int = Query(100, ge=1, le=MAX_LIMIT), user: m.User = Depends(require_role(*READERS)),
           session: Session = Depends(get_session)):
    """Framework scores per subject and indicator (`indicator=total` for the totals)."""
    query = select(m.Score)
    if run is not None:
        query = query.where(m.Score.run_id == run)
    if framework:
        query = query.where(m.Score.framework == framework)
    if indicator:
        query = query.where(m.Score.indicator == indicator)
    scope = unit_scope(user)
    if scope is not None:
        query = query.where((m.Score.unit_id == scope) |
                            m.Score.site_id.in_(select(m.Site.id).where(m.Site.unit_id == scope)))
    return _page(session, query, m.Score.id, cursor, limit, lambda s: {c: getattr(s, c) for c in ScoreOut.model_fields})


class DisputeEventOut(BaseModel):
    kind: str
    author: str
    text: str
    finding_id: int | None
    at: datetime


class DisputeOut(BaseModel):
    id: int
    finding_id: int
    site_id: int
    check_id: str
    reason: str
    text: str
    opened_by: str
    opened_at: datetime
    status: str
    decided_by: str | None
    decided_at: datetime | None
    decision_note: str | None
    rerun_finding_id: int | None
    events: list[DisputeEventOut]


@router.get("/disputes", response_model=Page[DisputeOut])
def disputes(status: str = "", site: int | None = None, cursor: str | None = None,
             limit: int = Query(100, ge=1, le=MAX_LIMIT), user: m.User = Depends(require_role(*READERS)),
             session: Session = Depends(get_session)):
    """Disputes on findings (reason rectified 已整改 or misjudged 误判; status open, upheld or rejected),
    each with its thread."""
    from govaudit.disputes import thread
    query = select(m.Dispute)
    if status:
        query = query.where(m.Dispute.status == status)
    if site is not None:
        query = query.where(m.Dispute.site_id == site)
    scope = unit_scope(user)
    if scope is not None:
        query = query.where(m.Dispute.site_id.in_(select(m.Site.id).where(m.Site.unit_id == scope)))

    def convert(d: m.Dispute) -> dict:
        out = {c: getattr(d, c) for c in DisputeOut.model_fields if c != "events"}
        out["events"] = [{c: getattr(e, c) for c in DisputeEventOut.model_fields} for e in thread(session, d.id)]
        return out
    return _page(session, query, m.Dispute.id, cursor, limit, convert)
