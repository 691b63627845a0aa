"""Sites: the registry with search and filters, import with every row error, edit with the
registry's own validation."""
from __future__ import annotations

import json
from dataclasses import dataclass

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session

from core.errors import UserError
from govaudit.console import actions
from govaudit.console.audit import audit
from govaudit.console.rounds import _save_upload, registry_problems
from govaudit.console.web import READERS, NavItem, get_session, render, require_role, see_other, unit_scope, visible_site
from govaudit.registry import KINDS, LEVELS, RegistryError, check_row, upsert
from storage import models as m

router = APIRouter(include_in_schema=False)
NAV = [NavItem("/sites", "网站", READERS)]
EDITORS = ("admin", "evaluator")
PAGE = 50


@dataclass
class SiteFilter:
    """The registry's search and filters (also what the API's /sites reads)."""
    q: str = ""
    kind: str = ""
    level: str = ""
    group: str = ""
    region: str = ""
    tier: str = ""

    def apply(self, query: Select, session: Session, unit_id: int | None) -> Select:
        if unit_id is not None:
            query = query.where(m.Site.unit_id == unit_id)
        if self.q:
            like = "%" + self.q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
            query = query.where(or_(m.Site.name.like(like, escape="\\"), m.Site.url.like(like, escape="\\"),
                                    m.Unit.name.like(like, escape="\\")))
        for column, value in ((m.Site.kind, self.kind), (m.Site.level, self.level), (m.Site.group, self.group)):
            if value:
                query = query.where(column == value)
        if self.region:      # a province or city prefix of the 6-digit code finds everything under it
            query = query.where(m.Site.region.like(self.region.rstrip("0")[:6] + "%"))
        if self.tier:
            run_id = latest_scored_run(session)
            query = query.where(m.Site.id.in_(select(m.Score.site_id).where(
                m.Score.run_id == run_id, m.Score.indicator == "total", m.Score.tier == self.tier)))
        return query


def latest_scored_run(session: Session) -> int | None:
    return session.scalar(select(func.max(m.Score.run_id)).where(m.Score.partial.is_(False)))


def site_query(flt: SiteFilter, session: Session, unit_id: int | None) -> Select:
    query = select(m.Site, m.Unit.name).join(m.Unit, m.Unit.id == m.Site.unit_id)
    return flt.apply(query, session, unit_id)


def _choices(session: Session, unit_id: int | None) -> dict[str, list[str]]:
    def distinct(column) -> list[str]:
        query = select(column).distinct()
        if unit_id is not None:
            query = query.where(m.Site.unit_id == unit_id)
        return sorted(v for v in session.scalars(query) if v)
    run_id = latest_scored_run(session)
    tiers = sorted(t for t in session.scalars(select(m.Score.tier).distinct().where(
        m.Score.run_id == run_id, m.Score.indicator == "total")) if t) if run_id else []
    return {"kind": list(KINDS), "level": list(LEVELS), "group": distinct(m.Site.group), "tier": tiers}


def _problem_counts(session: Session, site_ids: list[int]) -> dict[int, dict[str, int]]:
    """fail/warn/error counts of each site's latest findings (the page's sites only)."""
    if not site_ids:
        return {}
    latest = (select(func.max(m.Finding.id)).where(m.Finding.site_id.in_(site_ids), m.Finding.adopted.is_(True))
              .group_by(m.Finding.site_id, m.Finding.check_id))
    out: dict[int, dict[str, int]] = {}
    for site_id, status, n in session.execute(select(m.Finding.site_id, m.Finding.status, func.count())
                                              .where(m.Finding.id.in_(latest))
                                              .group_by(m.Finding.site_id, m.Finding.status)):
        out.setdefault(site_id, {})[status] = n
    return out


@router.get("/sites")
def sites(request: Request, q: str = "", kind: str = "", level: str = "", group: str = "", region: str = "",
          tier: str = "", page: int = 1, user: m.User = Depends(require_role(*READERS)),
          session: Session = Depends(get_session)):
    flt = SiteFilter(q.strip()[:200], kind, level, group, region.strip()[:6], tier)
    scope = unit_scope(user)
    page = max(1, page)
    query = site_query(flt, session, scope)
    total = session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    rows = session.execute(query.order_by(m.Site.id).offset((page - 1) * PAGE).limit(PAGE)).all()
    return render(request, "sites.html.jinja", user, rows=rows, flt=flt, total=total, page=page,
                  pages=max(1, -(-total // PAGE)), choices=_choices(session, scope),
                  counts=_problem_counts(session, [s.id for s, _ in rows]), can_edit=user.role in EDITORS)


@router.post("/sites/import")
def import_sites(request: Request, registry: UploadFile = File(...), why: str = Form(""),
                 user: m.User = Depends(require_role(*EDITORS)), session: Session = Depends(get_session)):
    path = _save_upload(request, registry)
    try:
        added, updated = actions.import_sites(session, path)
    except RegistryError as exc:
        session.rollback()
        flt = SiteFilter()
        rows = session.execute(site_query(flt, session, None).order_by(m.Site.id).limit(PAGE)).all()
        total = session.scalar(select(func.count()).select_from(m.Site))
        return render(request, "sites.html.jinja", user, status_code=400, rows=rows, flt=flt, total=total, page=1,
                      pages=max(1, -(-total // PAGE)), choices=_choices(session, None), counts={},
                      can_edit=True, row_errors=registry_problems(exc))
    audit(session, user, "sites.import", f"registry:{path.name}", why, {"added": added, "updated": updated})
    session.commit()
    return see_other(f"/sites?imported={added}-{updated}")


def _form_values(site: m.Site, unit: str) -> dict:
    return {"name": site.name, "url": site.url, "kind": site.kind, "unit": unit, "level": site.level or "",
            "group": site.group or "", "region": site.region or "",
            "hints": json.dumps(site.hints or {}, ensure_ascii=False, indent=1) if site.hints else ""}


@router.get("/sites/{site_id}/edit")
def edit_page(request: Request, site_id: int, user: m.User = Depends(require_role(*EDITORS)),
              session: Session = Depends(get_session)):
    site = visible_site(session, user, site_id)
    unit = session.get(m.Unit, site.unit_id)
    return render(request, "site_edit.html.jinja", user, site=site, values=_form_values(site, unit.name),
                  kinds=KINDS, levels=LEVELS)


@router.post("/sites/{site_id}/edit")
def edit_site(request: Request, site_id: int, name: str = Form(...), kind: str = Form(...), unit: str = Form(""),
              level: str = Form(""), group: str = Form(""), region: str = Form(""), hints: str = Form(""),
              why: str = Form(""), user: m.User = Depends(require_role(*EDITORS)),
              session: Session = Depends(get_session)):
    site = visible_site(session, user, site_id)
    raw = {"name": name, "url": site.url, "kind": kind, "unit": unit, "level": level, "group": group,
           "region": region, "hints": hints}
    row, problems = check_row(raw)
    if problems:
        return render(request, "site_edit.html.jinja", user, status_code=400, site=site, values=raw,
                      kinds=KINDS, levels=LEVELS, problems=problems)
    if row.url != site.url:       # the registry's spelling of the URL is the site's identity
        raise UserError("网址不可修改（网址即网站的标识；新网址请导入为新网站）")
    before = _form_values(site, session.get(m.Unit, site.unit_id).name)
    upsert(session, [row])
    after = _form_values(site, row.unit)
    changed = {k: [before[k], after[k]] for k in after if before[k] != after[k]}
    audit(session, user, "site.edit", f"site:{site.id}", why, {"changed": changed})
    session.commit()
    return see_other(f"/sites/{site.id}")

