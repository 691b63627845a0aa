"""The crawl's fan-out is bounded per site (external targets checked) and per page (link rows
stored and followed); what the caps leave out is `unchecked`, with the reason, in the findings.

What a person reads: the homepage of wide (tests/crawler/farm/url_farm.py) links 20 pages of another site (each gives
404) and then 20 pages of its own (each opens). With the hints max_external_links 5 and
max_links_per_page 30, the crawl checks 5 of the external pages (5 dead links found) and
leaves 15 unchecked, and stores the first 30 links of the page: 10 of its own pages are
neither stored nor followed."""
from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session


def test_external_targets_and_links_per_page_are_capped_and_counted(url_audit):
    from storage import models as m
    from storage.db import get_engine
    audit = url_audit
    other = audit.farm.by_slug["control"].base
    hits = audit.farm.by_slug["control"].hits
    with Session(get_engine(audit.db_url)) as session:
        finding = session.scalar(select(m.Finding).where(m.Finding.run_id == audit.run_id,
                                                         m.Finding.site_id == audit.site_ids["wide"],
                                                         m.Finding.check_id == "links.dead_homepage"))
        stored_links = session.scalar(select(func.count()).select_from(m.Link).where(
            m.Link.run_id == audit.run_id, m.Link.site_id == audit.site_ids["wide"]))
    checked = [f"{other}/e{i}.html" for i in range(5)]
    assert (finding.status, finding.value) == ("fail", 5)
    assert finding.details["confirmed"] == checked
    assert finding.details["unchecked"] == {
        "external_targets": 15, "links_not_stored": 10,
        "reason": "over the crawl's fan-out caps: 5 external targets checked per site (max_external_links), "
                  "30 links stored per page (max_links_per_page)",
        "examples": sorted(f"{other}/e{i}.html" for i in range(5, 20))}
    assert stored_links == 30
    assert sorted(p for p in hits if p.startswith("/e")) == sorted(f"/e{i}.html" for i in range(5))
    assert len(audit.pages("wide")) == 1 + 5 + 10
    assert audit.crawl_facts("wide")["fanout"] == {
        "max_external_links": 5, "max_links_per_page": 30, "external_checked": 5, "external_unchecked": 15,
        "pages_over_link_cap": 1, "links_not_stored": 10}
