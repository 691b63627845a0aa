"""Load one site's stored artifacts of a run into the plain data checks read."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from sqlalchemy import select
from sqlalchemy.orm import Session

from checks.artifacts import (ColumnArt, DatasetArt, LinkArt, MessageArt, PageArt, SampleArt,
                              SiteArtifacts, SiteInfo)
from storage import models as m

SAMPLE_WINDOW_DAYS = 30


def load_pages(session: Session, run_id: int, site_id: int) -> list[PageArt]:
    rows = session.scalars(select(m.Page).where(m.Page.run_id == run_id, m.Page.site_id == site_id)
                           .order_by(m.Page.id))
    return [PageArt(url=p.url, status=p.status, error_kind=p.error_kind, final_url=p.final_url or "",
                    role=p.role, depth=p.depth, is_homepage=p.is_homepage, content_type=p.content_type or "",
                    title=p.title or "", text=p.text or "", headers=p.headers or {}, facts=p.facts or {},
                    elapsed_ms=p.elapsed_ms, attempts=p.attempts,
                    warc={"file": p.warc_file, "offset": p.warc_offset, "length": p.warc_length} if p.warc_file else None)
            for p in rows]


def load_links(session: Session, run_id: int, site_id: int) -> list[LinkArt]:
    rows = session.execute(select(m.Link.source_url, m.Link.target_url, m.Link.tag, m.Link.text, m.Link.external)
                           .where(m.Link.run_id == run_id, m.Link.site_id == site_id).order_by(m.Link.id))
    return [LinkArt(r.source_url, r.target_url, r.tag, r.text or "", r.external) for r in rows]


def load_site_artifacts(session: Session, run_id: int, site_id: int, now: datetime | None = None) -> SiteArtifacts:
    site = session.get(m.Site, site_id)
    unit = session.get(m.Unit, site.unit_id)
    rs = session.scalar(select(m.RunSite).where(m.RunSite.run_id == run_id, m.RunSite.site_id == site_id))
    now = now or datetime.now(timezone.utc)
    art = SiteArtifacts(site=SiteInfo(site.id, site.url, site.name, site.kind, unit.name if unit else "", site.hints or {}),
                        run_id=run_id, now=now, gathered=set(rs.gathered or []) if rs else set())
    art.gathered.add("monitor")
    art.pages = load_pages(session, run_id, site_id)
    art.links = load_links(session, run_id, site_id)
    art.columns = [ColumnArt(c.url, c.name, c.type, c.newest_date, c.item_count, c.blank, c.details or {})
                   for c in session.scalars(select(m.Column).where(m.Column.run_id == run_id, m.Column.site_id == site_id)
                                            .order_by(m.Column.id))]
    art.messages = [MessageArt(x.url, x.title or "", x.submitted_at, x.replied_at, x.status or "", x.reply_unit or "",
                               x.follow_up, x.satisfaction or "", x.details or {})
                    for x in session.scalars(select(m.Message).where(m.Message.run_id == run_id, m.Message.site_id == site_id)
                                             .order_by(m.Message.id))]
    art.datasets = [DatasetArt(d.url, d.title or "", d.summary or "", d.provider or "", d.frequency or "", d.updated_at,
                               d.open_condition or "", list(d.formats or []), d.has_api, d.download_url or "",
                               d.download_ok, d.details or {})
                    for d in session.scalars(select(m.Dataset).where(m.Dataset.run_id == run_id, m.Dataset.site_id == site_id)
                                             .order_by(m.Dataset.id))]
    since = now - timedelta(days=SAMPLE_WINDOW_DAYS)
    art.samples = [SampleArt(s.taken_at.isoformat(), s.ok, s.status, s.elapsed_ms, s.error_kind)
                   for s in session.scalars(select(m.Sample).where(m.Sample.site_id == site_id, m.Sample.taken_at >= since)
                                            .order_by(m.Sample.taken_at))]
    for pr in session.scalars(select(m.ProbeResult).where(m.ProbeResult.run_id == run_id, m.ProbeResult.site_id == site_id)):
        art.probes[pr.probe] = {**(pr.result or {}), "_error_kind": pr.error_kind, "_tool_versions": pr.tool_versions or {}}
    return art
