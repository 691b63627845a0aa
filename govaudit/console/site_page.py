"""A site: its latest findings by area, each with value, thresholds, history and evidence
(screenshots, tables, snippets, the archived page replayed in a sandboxed frame); rerunning a check."""
from __future__ import annotations

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import Response
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from checks.catalog import all_checks
from govaudit import disputes
from govaudit.console import actions
from govaudit.console.audit import audit
from govaudit.console.dispute_routes import OPENERS
from govaudit.console.web import READERS, get_session, render, require_role, see_other, visible_site
from storage import models as m

router = APIRouter(include_in_schema=False)
RERUNNERS = ("admin", "auditor")
AREA_ZH = {"a11y": "无障碍", "avail": "可用性", "content": "内容正确性", "disclosure": "政务公开", "elder": "适老化",
           "hotline": "12345 与政民互动", "identity": "网站标识", "interact": "互动交流", "links": "链接",
           "mobile": "移动端", "opendata": "数据开放", "perf": "性能", "privacy": "个人信息保护", "qa": "智能问答",
           "search": "站内搜索", "security": "安全", "service": "办事服务", "update": "信息更新"}
MAX_ARCHIVED = 50          # evidence URLs looked up for archived copies per page
# the archived page runs in an opaque origin with no scripts, no plugins, no network: only its own
# inline styles and data: images show
ARCHIVE_CSP = "sandbox; default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'self'"


def latest_findings(session: Session, site_id: int) -> list[m.Finding]:
    """The site's latest adopted finding of each check."""
    latest = (select(func.max(m.Finding.id)).where(m.Finding.site_id == site_id, m.Finding.adopted.is_(True))
              .group_by(m.Finding.check_id))
    return list(session.scalars(select(m.Finding).where(m.Finding.id.in_(latest)).order_by(m.Finding.check_id)))


def archived_pages(session: Session, site_id: int, findings: list[m.Finding]) -> dict[str, str]:
    """{url: console link to its archived copy} for the URLs in the findings' evidence, taken from the
    runs that gathered what the findings judged (a stored rerun's: the run it read)."""
    from reports.html import evidence_urls
    wanted = list(dict.fromkeys(u for u in evidence_urls(findings) if u))[:MAX_ARCHIVED]
    if not wanted:
        return {}
    runs = {f.run_id for f in findings}
    for run in session.scalars(select(m.Run).where(m.Run.id.in_(runs), m.Run.kind == "check")):
        runs.add((run.options or {}).get("stored_from_run") or run.id)
    query = (select(m.Page.url, func.max(m.Page.id)).where(m.Page.run_id.in_(runs), m.Page.site_id == site_id,
                                                            m.Page.url.in_(wanted), m.Page.warc_file.is_not(None))
             .group_by(m.Page.url))
    return {url: f"/archive/{page_id}" for url, page_id in session.execute(query)}


def _shots(f: m.Finding) -> list[int]:
    """Indexes of the finding's screenshot evidence items."""
    return [i for i, e in enumerate(f.evidence or []) if isinstance(e, dict) and e.get("kind") == "screenshot"]


@router.get("/sites/{site_id}")
def site_page(request: Request, site_id: int, user: m.User = Depends(require_role(*READERS)),
              session: Session = Depends(get_session)):
    site = visible_site(session, user, site_id)
    unit = session.get(m.Unit, site.unit_id)
    findings = latest_findings(session, site.id)
    areas: dict[str, list[m.Finding]] = {}
    order = {"fail": 0, "error": 1, "warn": 2, "pass": 3, "not_applicable": 4}
    for f in sorted(findings, key=lambda f: (order.get(f.status, 5), f.check_id)):
        areas.setdefault(f.check_id.split(".")[0], []).append(f)
    archived = archived_pages(session, site.id, findings)
    counts = {}
    for f in findings:
        counts[f.status] = counts.get(f.status, 0) + 1
    return render(request, "site.html.jinja", user, site=site, unit=unit, areas=sorted(areas.items()),
                  area_zh=AREA_ZH, archived=archived, counts=counts, checks=all_checks(), shots=_shots,
                  can_rerun=user.role in RERUNNERS, can_edit=user.role in ("admin", "evaluator"))


def _finding(session: Session, user: m.User, finding_id: int) -> tuple[m.Finding, m.Site]:
    f = session.get(m.Finding, finding_id)
    if f is None:
        raise HTTPException(404, "没有这条检查发现")
    return f, visible_site(session, user, f.site_id)


@router.get("/findings/{finding_id}")
def finding_page(request: Request, finding_id: int, user: m.User = Depends(require_role(*READERS)),
                 session: Session = Depends(get_session)):
    """One finding with its evidence and its history: every finding of this site and check, and the
    supersede chain that links them."""
    f, site = _finding(session, user, finding_id)
    history = list(session.scalars(select(m.Finding).where(m.Finding.site_id == f.site_id,
                                                           m.Finding.check_id == f.check_id)
                                   .order_by(m.Finding.id.desc())))
    return render(request, "finding.html.jinja", user, f=f, site=site, history=history,
                  chk=all_checks().get(f.check_id), archived=archived_pages(session, site.id, [f]),
                  shots=_shots(f), can_rerun=user.role in RERUNNERS,
                  threads=disputes.finding_disputes(session, f.id), can_dispute=user.role in OPENERS,
                  reasons=disputes.REASONS, dispute_status=disputes.STATUS_ZH)


@router.get("/findings/{finding_id}/shots/{index}")
def screenshot(request: Request, finding_id: int, index: int, user: m.User = Depends(require_role(*READERS)),
               session: Session = Depends(get_session)):
    """A screenshot of the finding's evidence, as the report shows it (WebP; only files under the
    data directory are read)."""
    f, _ = _finding(session, user, finding_id)
    evidence = f.evidence or []
    if index not in _shots(f):
        raise HTTPException(404, "没有这张截图")
    shot = request.app.state.shots(evidence[index].get("ref"))
    if shot is None:
        raise HTTPException(404, "截图文件不在数据目录中")
    return Response(shot.full, media_type="image/webp", headers={"Cache-Control": "private, max-age=3600"})


@router.post("/findings/rerun")
def rerun(request: Request, site_id: int = Form(...), check_id: str = Form(...), mode: str = Form("stored"),
          why: str = Form(""), user: m.User = Depends(require_role(*RERUNNERS)),
          session: Session = Depends(get_session)):
    """Rerun one check on one site (from stored evidence, or live) through the rerun use case."""
    visible_site(session, user, site_id)
    if check_id not in all_checks():
        raise HTTPException(404, f"没有检查项 {check_id}")
    if mode not in ("stored", "live"):
        raise HTTPException(422, "复查方式须为 stored 或 live")
    session.close()
    old, new = actions.rerun_check(request.app.state.settings, site_id, check_id, stored=mode == "stored")
    with Session(request.app.state.engine) as log_session:
        audit(log_session, user, "finding.rerun", f"site:{site_id}/{check_id}", why,
              {"mode": mode, "old": old["id"] if old else None, "new": new["id"], "adopted": new["adopted"]})
        log_session.commit()
    return see_other(f"/findings/{new['id']}")


def _page_row(session: Session, user: m.User, page_id: int) -> m.Page:
    page = session.get(m.Page, page_id)
    if page is None or page.warc_file is None:
        raise HTTPException(404, "没有这个页面的存档")
    visible_site(session, user, page.site_id)
    return page


def _record(request: Request, page: m.Page) -> dict:
    from storage.archive import read_record
    try:
        return read_record(request.app.state.settings.data_dir, page.warc_file, page.warc_offset)
    except (OSError, ValueError):
        raise HTTPException(404, "存档文件已不在数据目录中") from None


@router.get("/archive/{page_id}")
def archive_page(request: Request, page_id: int, user: m.User = Depends(require_role(*READERS)),
                 session: Session = Depends(get_session)):
    """The archived response: its URL, time, status and headers, and the page itself in a sandboxed frame."""
    page = _page_row(session, user, page_id)
    record = _record(request, page)
    return render(request, "archive_frame.html.jinja", user, page=page, record=record,
                  site=session.get(m.Site, page.site_id))


@router.get("/archive/{page_id}/raw")
def archive_raw(request: Request, page_id: int, user: m.User = Depends(require_role(*READERS)),
                session: Session = Depends(get_session)):
    """The archived body as captured, for the frame only: sandboxed (opaque origin, no scripts), nothing
    loaded from the network; HTML and text are shown, anything else is not."""
    from reports.archive import decode
    page = _page_row(session, user, page_id)
    record = _record(request, page)
    ctype = {k.lower(): v for k, v in record["headers"].items()}.get("content-type", "")
    headers = {"Content-Security-Policy": ARCHIVE_CSP, "X-Frame-Options": "SAMEORIGIN"}
    if ctype.split(";")[0].strip().lower() in ("text/html", "application/xhtml+xml", ""):
        text, media = decode(record["body"], ctype), "text/html"
    elif ctype.lower().startswith("text/"):
        text, media = decode(record["body"], ctype), "text/plain"
    else:
        text, media = f"（存档内容类型为 {ctype}，不在此显示）", "text/plain"
    return Response(text.encode("utf-8"), media_type=f"{media}; charset=utf-8", headers=headers)
