"""Site-level derivation read from the database with bounded memory: only the
navigation pages (depth <= 1), their links and the pages those links reach
(plus list pagination) are loaded, never every page of the crawl."""
from __future__ import annotations

from typing import Any, Iterable

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from crawler.extract import derive_site
from storage import models as m

CHUNK = 400
MAX_PAGINATION_ROUNDS = 50


def _chunks(values: Iterable[str]) -> Iterable[list[str]]:
    values = list(values)
    for i in range(0, len(values), CHUNK):
        yield values[i:i + CHUNK]


def _pages(session: Session, run_id: int, site_id: int, where) -> list[Any]:
    cols = (m.Page.url, m.Page.final_url, m.Page.role, m.Page.depth, m.Page.is_homepage, m.Page.status, m.Page.facts)
    return list(session.execute(select(*cols).where(m.Page.run_id == run_id, m.Page.site_id == site_id,
                                                    m.Page.role == "page", where)))


def derive_from_db(session: Session, run_id: int, site_id: int) -> dict[str, Any]:
    pages = {p.url: p for p in _pages(session, run_id, site_id, m.Page.depth <= 1)}
    nav = {u for p in pages.values() for u in (p.url, p.final_url) if u}
    links = []
    for chunk in _chunks(nav):
        links += session.execute(select(m.Link.source_url, m.Link.target_url, m.Link.tag, m.Link.text)
                                 .where(m.Link.run_id == run_id, m.Link.site_id == site_id, m.Link.tag == "a",
                                        m.Link.source_url.in_(chunk))).all()
    wanted = {l.target_url for l in links} - set(pages)
    for _ in range(MAX_PAGINATION_ROUNDS):
        if not wanted:
            break
        found = []
        for chunk in _chunks(wanted):
            found += _pages(session, run_id, site_id, or_(m.Page.url.in_(chunk), m.Page.final_url.in_(chunk)))
        for p in found:
            pages.setdefault(p.url, p)
        # the next pages of the lists just loaded
        wanted = {u for p in found for u in (((p.facts or {}).get("list") or {}).get("pagination") or [])} - set(pages)
    return derive_site(pages.values(), links)
