"""The crawl's fan-out is bounded per site (external targets checked) and per page (link rows
stored and followed); what the caps leave out is `unchecked`, with the reason, in the findings.

What a person reads: the homepage of 某某市人民政府 links 20 pages of another site (each gives
404) and then 20 pages of its own (each opens). With the hints max_external_links 5 and
max_links_per_page 30, the crawl checks 5 of the external pages (5 dead links found) and
leaves 15 unchecked, and stores the first 30 links of the page: 10 of its own pages are
neither stored nor followed."""
from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tests.crawl.url_farm import UrlFarm, control, html, links
from tests.hostile.conftest import audit_farm
from tests.hostile.farm import send


def wide(case, conn, req):
    other = case.farm.by_slug["control"].base
    if req.path == "/":
        send(conn, 200, html("某某市人民政府", links(*(f"{other}/e{i}.html" for i in range(20)),
                                               *(f"/p{i}.html" for i in range(20)))))
    else:
        send(conn, 200, html("页面", ""))


def test_external_targets_and_links_per_page_are_capped_and_counted(tmp_path):
    from storage import models as m
    from storage.db import get_engine
    with UrlFarm([("wide", "某某市人民政府", wide, {"max_external_links": 5, "max_links_per_page": 30}),
                  ("control", "某某区人民政府", control)]) as farm:
        audit = audit_farm(farm, tmp_path, f"sqlite:///{tmp_path / 'f.db'}", ["links.dead_homepage"])
        other = farm.by_slug["control"].base
        hits = dict(farm.by_slug["control"].hits)
    with Session(get_engine(audit.db_url)) as session:
        finding = session.scalar(select(m.Finding).where(m.Finding.site_id == audit.site_ids["wide"]))
        stored_links = session.scalar(select(func.count()).select_from(m.Link).where(
            m.Link.site_id == audit.site_ids["wide"]))
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
    facts = audit.crawl_facts("wide")["fanout"]
    assert facts == {"max_external_links": 5, "max_links_per_page": 30, "external_checked": 5,
                     "external_unchecked": 15, "pages_over_link_cap": 1, "links_not_stored": 10}
