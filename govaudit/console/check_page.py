"""A check across sites: every site's latest result of one check, sortable, filterable, exported
as CSV (the findings export's columns) or XLSX (the report workbook's sheet style)."""
from __future__ import annotations

import io
from dataclasses import dataclass

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import Response
from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from checks.catalog import all_checks
from govaudit.console.sites import SiteFilter
from govaudit.console.web import READERS, NavItem, get_session, render, require_role, unit_scope
from storage import models as m

router = APIRouter(include_in_schema=False)
NAV = [NavItem("/checks", "检查项", READERS)]
PAGE = 100
STATUSES = ("fail", "warn", "error", "pass", "not_applicable")
SORT_KEYS = ("site", "status", "value")


@dataclass
class CheckFilter(SiteFilter):
    """The site list's filters, a status, and the sort."""
    status: str = ""
    sort: str = "status"
    desc: bool = False


def latest_of_check(session: Session, check_id: str):
    """(id, site_id, status, value) of each site's latest adopted finding of `check_id`, read from
    the index ix_findings_check_latest alone (PostgreSQL: DISTINCT ON over a backward index scan)."""
    f = m.Finding
    where = (f.check_id == check_id, f.adopted)       # `adopted`, as the partial index says (not `IS TRUE`)
    if session.get_bind().dialect.name == "postgresql":
        query = (select(f.id, f.site_id, f.status, f.value).where(*where).distinct(f.site_id)
                 .order_by(f.site_id.desc(), f.id.desc()))
    else:
        query = select(f.id, f.site_id, f.status, f.value).where(
            f.id.in_(select(func.max(f.id)).where(*where).group_by(f.site_id)))
    return query.subquery("latest")


def check_rows(session: Session, check_id: str, flt: CheckFilter, unit_id: int | None) -> Select:
    """(finding id, site, unit name) of every site's latest finding of `check_id`, filtered and sorted."""
    latest = latest_of_check(session, check_id)
    query = (select(latest.c.id, m.Site, m.Unit.name).join(m.Site, m.Site.id == latest.c.site_id)
             .join(m.Unit, m.Unit.id == m.Site.unit_id))
    query = flt.apply(query, session, unit_id)
    if flt.status:
        query = query.where(latest.c.status == flt.status)
    first = {"site": m.Site.name, "status": latest.c.status, "value": latest.c.value}[flt.sort]
    return query.order_by(first.desc() if flt.desc else first.asc(), m.Site.id)


def with_findings(session: Session, rows) -> list[tuple[m.Finding, m.Site, str]]:
    """The rows with their whole finding in place of its id."""
    found = {f.id: f for f in session.scalars(select(m.Finding).where(m.Finding.id.in_([r[0] for r in rows])))}
    return [(found[fid], site, unit) for fid, site, unit in rows]


def _check_or_404(check_id: str):
    chk = all_checks().get(check_id)
    if chk is None:
        raise HTTPException(404, f"没有检查项 {check_id}")
    return chk


@router.get("/checks")
def checks(request: Request, user: m.User = Depends(require_role(*READERS)), session: Session = Depends(get_session)):
    catalog = sorted(all_checks().values(), key=lambda c: c.id)
    return render(request, "checks.html.jinja", user, catalog=catalog)


@router.get("/checks/{check_id}")
def check_page(request: Request, check_id: str, status: str = "", kind: str = "", level: str = "", group: str = "",
               q: str = "", sort: str = "status", desc: bool = False, page: int = 1, format: str = "",
               user: m.User = Depends(require_role(*READERS)), session: Session = Depends(get_session)):
    chk = _check_or_404(check_id)
    flt = CheckFilter(q=q.strip()[:200], kind=kind, level=level, group=group,
                      status=status if status in STATUSES else "", sort=sort if sort in SORT_KEYS else "status",
                      desc=desc)
    query = check_rows(session, check_id, flt, unit_scope(user))
    if format in ("csv", "xlsx"):
        return _export(session, check_id, query, format)
    page = max(1, page)
    counts = _status_counts(session, check_id, user)
    if flt == CheckFilter(status=flt.status, sort=flt.sort, desc=flt.desc):     # no site filter: counted already
        total = counts.get(flt.status, 0) if flt.status else sum(counts.values())
    else:
        total = session.scalar(query.with_only_columns(func.count()).order_by(None))
    rows = with_findings(session, session.execute(query.offset((page - 1) * PAGE).limit(PAGE)).all())
    groups = sorted(g for g in session.scalars(select(m.Site.group).distinct()) if g)
    return render(request, "check.html.jinja", user, chk=chk, rows=rows, flt=flt, total=total, page=page,
                  pages=max(1, -(-total // PAGE)), counts=counts, statuses=STATUSES, groups=groups)


def _status_counts(session: Session, check_id: str, user: m.User) -> dict[str, int]:
    latest = latest_of_check(session, check_id)
    query = select(latest.c.status, func.count()).group_by(latest.c.status)
    scope = unit_scope(user)
    if scope is not None:
        query = query.join(m.Site, m.Site.id == latest.c.site_id).where(m.Site.unit_id == scope)
    return dict(session.execute(query).all())


def _export(session: Session, check_id: str, query: Select, fmt: str) -> Response:
    from checks.zh import status_zh, title_zh, value_zh, unit_of
    from reports.export import FINDING_FIELDS, finding_row
    from storage.export import write_rows
    rows = with_findings(session, session.execute(query).all())
    name = f"{check_id}.{fmt}"
    disposition = {"Content-Disposition": f'attachment; filename="{name}"'}
    if fmt == "csv":
        out = io.StringIO()
        write_rows((finding_row(f, site.url, unit) for f, site, unit in rows), FINDING_FIELDS, "csv", out)
        # a UTF-8 BOM, as `govaudit export` writes: Excel on a Chinese Windows reads it as UTF-8
        return Response(("\ufeff" + out.getvalue()).encode("utf-8"), media_type="text/csv; charset=utf-8",
                        headers=disposition)
    from reports.xlsx import write_table
    buf = io.BytesIO()
    header = ["网站", "网址", "单位", "分组", "状态", "数值", "测量时间", "轮次"]
    write_table(buf, title_zh(check_id), header,
                [[site.name, site.url, unit, site.group or "",
                  status_zh(f.status, (f.details or {}).get("error_kind")),
                  value_zh(f.value, unit_of(f.check_id, f.unit_of_value)),
                  f.measured_at.strftime("%Y-%m-%d %H:%M"), f.run_id] for f, site, unit in rows],
                link_columns=("网址",), status_column="状态")
    return Response(buf.getvalue(), headers=disposition,
                    media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
