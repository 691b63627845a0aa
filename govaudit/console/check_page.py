"""A check across sites: every site's latest result of one check, sortable, filterable, exported
as CSV (the findings export's columns) or XLSX (the report workbook's sheet style)."""
from __future__ import annotations

import io
from dataclasses import dataclass

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import Response
from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from checks.base import all_checks
from govaudit.console.web import READERS, NavItem, get_session, render, require_role, unit_scope
from storage import models as m

router = APIRouter(include_in_schema=False)
NAV = [NavItem("/checks", "检查项", READERS)]
PAGE = 100
STATUSES = ("fail", "warn", "error", "pass", "not_applicable")
SORTS = {"site": (m.Site.name, m.Site.id), "status": (m.Finding.status, m.Site.id),
         "value": (m.Finding.value, m.Site.id), "measured": (m.Finding.measured_at, m.Site.id)}


@dataclass
class CheckFilter:
    status: str = ""
    kind: str = ""
    level: str = ""
    group: str = ""
    q: str = ""
    sort: str = "status"
    desc: bool = False


def check_rows(check_id: str, flt: CheckFilter, unit_id: int | None) -> Select:
    """(finding, site, unit name) of every site's latest adopted finding of `check_id`."""
    latest = (select(func.max(m.Finding.id)).where(m.Finding.check_id == check_id, m.Finding.adopted.is_(True))
              .group_by(m.Finding.site_id))
    query = (select(m.Finding, m.Site, m.Unit.name).join(m.Site, m.Site.id == m.Finding.site_id)
             .join(m.Unit, m.Unit.id == m.Site.unit_id).where(m.Finding.id.in_(latest)))
    if unit_id is not None:
        query = query.where(m.Site.unit_id == unit_id)
    if flt.status:
        query = query.where(m.Finding.status == flt.status)
    for column, value in ((m.Site.kind, flt.kind), (m.Site.level, flt.level), (m.Site.group, flt.group)):
        if value:
            query = query.where(column == value)
    if flt.q:
        like = "%" + flt.q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        query = query.where(m.Site.name.like(like, escape="\\") | m.Site.url.like(like, escape="\\"))
    first, tie = SORTS.get(flt.sort, SORTS["status"])
    return query.order_by(first.desc() if flt.desc else first.asc(), tie)


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
    flt = CheckFilter(status if status in STATUSES else "", kind, level, group, q.strip()[:200],
                      sort if sort in SORTS else "status", desc)
    query = check_rows(check_id, flt, unit_scope(user))
    if format in ("csv", "xlsx"):
        return _export(session, check_id, query, format)
    page = max(1, page)
    total = session.scalar(query.with_only_columns(func.count()).order_by(None))
    rows = session.execute(query.offset((page - 1) * PAGE).limit(PAGE)).all()
    every = check_rows(check_id, CheckFilter(), unit_scope(user))
    counts = dict(session.execute(every.with_only_columns(m.Finding.status, func.count()).order_by(None)
                                  .group_by(m.Finding.status)).all())
    groups = sorted(g for g in session.scalars(select(m.Site.group).distinct()) if g)
    return render(request, "check.html.jinja", user, chk=chk, rows=rows, flt=flt, total=total, page=page,
                  pages=max(1, -(-total // PAGE)), counts=counts, statuses=STATUSES, groups=groups)


def _export(session: Session, check_id: str, query: Select, fmt: str) -> Response:
    from checks.zh import status_zh, title_zh, value_zh, unit_of
    from storage.export import FINDING_FIELDS, finding_row, write_rows
    rows = session.execute(query).all()
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
