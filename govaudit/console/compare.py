"""Round comparison: 新增 / 复发 / 已整改 / 未变 per site and per check against the newest earlier
full round (reports.changes); only full rounds are compared."""
from __future__ import annotations

from fastapi import APIRouter, Depends, HTTPException, Request
from sqlalchemy import select
from sqlalchemy.orm import Session

from govaudit.console.web import READERS, NavItem, get_session, render, require_role, unit_scope
from storage import models as m

router = APIRouter(include_in_schema=False)
NAV = [NavItem("/compare", "轮次比较", READERS)]


@router.get("/compare")
def compare(request: Request, run: int | None = None, site: int | None = None, check: str = "",
            user: m.User = Depends(require_role(*READERS)), session: Session = Depends(get_session)):
    from reports.changes import CHANGES, count_changes, finding_changes, full_rounds
    from reports.store import run_findings
    rounds = full_rounds(session)
    if run is None and rounds:
        run = rounds[-1]
    if run is not None and run not in rounds:
        raise HTTPException(404, f"第 {run} 轮不是完整轮次（只比较完整轮次）")
    changes: dict[tuple[int, str], str] = {}
    if run is not None:
        current = run_findings(session, run)
        scope = unit_scope(user)
        if scope is not None:
            mine = set(session.scalars(select(m.Site.id).where(m.Site.unit_id == scope)))
            current = {sid: f for sid, f in current.items() if sid in mine}
        changes = finding_changes(session, run, current)
    per_site = count_changes(changes)
    per_check: dict[str, dict[str, int]] = {}
    for (_, cid), label in changes.items():
        per_check.setdefault(cid, dict.fromkeys(CHANGES, 0))[label] += 1
    names = dict(session.execute(select(m.Site.id, m.Site.name).where(m.Site.id.in_(list(per_site))))) if per_site else {}
    listed = sorted(((sid, cid, label) for (sid, cid), label in changes.items()
                     if (site is None or sid == site) and (not check or cid == check)),
                    key=lambda t: (CHANGES.index(t[2]), t[0], t[1])) if (site is not None or check) else []
    baseline = max((r for r in rounds if run is not None and r < run), default=None)
    return render(request, "compare.html.jinja", user, run_id=run, rounds=rounds, baseline=baseline,
                  changes_order=CHANGES, per_site=sorted(per_site.items()), per_check=sorted(per_check.items()),
                  names=names, listed=listed, site=site, check=check)
