"""A homepage over the size cap (DOWNLOAD_MAXSIZE, 10 MiB): the site answered, so
`avail.homepage` passes with `details.truncated`; the checks that read the crawl say
`error`/`too_large` instead of judging content that was never read.

What a person sees: big (某某市人民政府) and endless (某某县人民政府) answer 200 with a page
that never ends loading (12 MiB declared / an endless stream); control is a small portal with
one dead link."""
from __future__ import annotations

import pytest

from tests.crawl.url_farm import UrlFarm, control
from tests.hostile.conftest import audit_farm
from tests.hostile.farm import head, stream

CAP = 10 * 1024 * 1024
SIZE = 12 * 1024 * 1024
CHECKS = ["avail.homepage", "links.dead_homepage", "links.dead_site", "update.homepage", "identity.site_code"]


def big(case, conn, req):
    if req.path == "/":
        head(conn, 200, {"Content-Type": "text/html; charset=utf-8", "Content-Length": SIZE, "Connection": "close"})
        stream(case, conn, "/", SIZE, b"<p>" + "政务公开".encode() * 5000)


def endless(case, conn, req):
    if req.path == "/":
        head(conn, 200, {"Content-Type": "text/html; charset=utf-8", "Connection": "close"})
        stream(case, conn, "/", 10 * SIZE, b"<p>" + "政务公开".encode() * 5000)


@pytest.fixture(scope="module")
def oversized(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("too_large")
    with UrlFarm([("big", "某某市人民政府", big), ("endless", "某某县人民政府", endless),
                  ("control", "某某区人民政府", control)]) as farm:
        yield audit_farm(farm, tmp, f"sqlite:///{tmp / 't.db'}", CHECKS)


@pytest.mark.parametrize("slug", ["big", "endless"])
def test_oversized_homepage_answered_but_its_content_is_not_judged(oversized, slug):
    from sqlalchemy import select
    from sqlalchemy.orm import Session

    from storage import models as m
    from storage.db import get_engine
    findings = oversized.findings(slug)
    assert findings == {"avail.homepage": ("pass", 1, None), "links.dead_homepage": ("error", None, "too_large"),
                        "links.dead_site": ("error", None, "too_large"), "update.homepage": ("error", None, "too_large"),
                        "identity.site_code": ("error", None, "too_large")}
    with Session(get_engine(oversized.db_url)) as session:
        details = session.scalar(select(m.Finding.details).where(
            m.Finding.run_id == oversized.run_id, m.Finding.site_id == oversized.site_ids[slug],
            m.Finding.check_id == "avail.homepage"))
        dead = session.scalar(select(m.Finding.details).where(
            m.Finding.run_id == oversized.run_id, m.Finding.site_id == oversized.site_ids[slug],
            m.Finding.check_id == "links.dead_homepage"))
    case = oversized.farm.by_slug[slug]
    assert {k: details[k] for k in ("status", "final_url", "truncated", "cap_bytes")} == {
        "status": 200, "final_url": case.url, "truncated": True, "cap_bytes": CAP}
    assert dead["error"] == (f"the homepage is larger than the {CAP}-byte size cap: its content was not judged")
    assert [(p[0], p[1], p[2]) for p in oversized.pages(slug).values()] == [("page", 200, "too_large")]
    assert case.sent["/"] < 2 * CAP       # cut near the cap, never read whole


def test_the_control_site_beside_them_is_judged(oversized):
    found = oversized.findings("control")
    assert {c: found[c] for c in CHECKS[:3]} == {
        "avail.homepage": ("pass", 1, None), "links.dead_homepage": ("fail", 1, None), "links.dead_site": ("pass", 0, None)}
    assert {found[c][0] for c in CHECKS[3:]} <= {"pass", "fail", "warn"}      # judged, not too_large
