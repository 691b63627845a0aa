"""A homepage that sends the visitor on by script, or by a meta refresh, is followed as a browser does.

What a person sees: each site's address shows, for a moment or not at all, an empty page,
then the county portal of `control` (at /index.html). The audit of each equals the audit
of `control`, and avail.homepage says the hop was made by script (a meta refresh is an
ordinary redirect). A target written as a literal is followed without a browser; one the
script computes is run in Chromium."""
from __future__ import annotations

import pytest

from tests.helpers import environ
from tests.hostile.conftest import audit_farm, crawl_checks
from tests.walls.conftest import details
from tests.walls.farm import Site, WallFarm

pytestmark = pytest.mark.browser
ROOTS = {
    "href": '<html><head><script>window.location.href="/index.html";</script></head><body></body></html>',
    "replace": "<html><script>location.replace('index.html')</script><body>正在跳转…</body></html>",
    "timeout": '<html><body><script>setTimeout("location.href=\'/index.html\'", 200)</script></body></html>',
    "computed": '<html><body><script>var p = "/index";'
                'setTimeout(function(){ location.href = p + ".html"; }, 200);</script></body></html>',
}
META_ROOTS = {
    "meta": '<html><head><meta http-equiv="Refresh" content="0; url=/index.html"></head><body></body></html>',
    # the refresh 3,000 characters (9,000 bytes) in: Scrapy reads a page's first 4,096 characters for one
    "meta-late": '<html><head><!-- ' + "政务公开" * 750 + ' --><meta http-equiv="refresh" '
                 'content="0;URL=\'index.html\'"></head><body>正在跳转…</body></html>',
}


@pytest.fixture(scope="module")
def redirect_audit(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("script-redirect")
    sites = [Site("control", "某某县人民政府")] + [Site(slug, f"某某县({slug})", root=root)
                                                 for slug, root in {**ROOTS, **META_ROOTS}.items()]
    with WallFarm(sites) as farm, environ(GOVAUDIT_MAX_RPS="0", GOVAUDIT_HOST_CONCURRENCY="16"):
        yield audit_farm(farm, tmp, f"sqlite:///{tmp / 'redirect.db'}", crawl_checks())


@pytest.mark.parametrize("slug", sorted({**ROOTS, **META_ROOTS}))
def test_redirect_followed(redirect_audit, slug):
    control = redirect_audit.findings("control")
    assert {c: v for c, v in redirect_audit.findings(slug).items() if v != control[c]} == {}
    home = details(redirect_audit, slug)["avail.homepage"]
    site = redirect_audit.farm.by_slug[slug]
    hop = "script" if slug in ROOTS else None          # a meta refresh is an ordinary redirect
    assert (home.get("redirected_by"), home["final_url"]) == (hop, site.url + "index.html")
    assert "redirected_by" not in details(redirect_audit, "control")["avail.homepage"]


def test_only_a_computed_target_needs_the_browser(redirect_audit):
    from sqlalchemy import select
    from sqlalchemy.orm import Session

    from storage import models as m
    from storage.db import get_engine
    with Session(get_engine(redirect_audit.db_url)) as session:
        rows = dict(session.execute(select(m.Page.site_id, m.Page.facts).where(
            m.Page.run_id == redirect_audit.run_id, m.Page.is_homepage.is_(True))).all())
    fetched = {slug: (rows[sid] or {}).get("fetched_by") for slug, sid in redirect_audit.site_ids.items()}
    assert fetched == {"control": None, "href": None, "replace": None, "timeout": None, "computed": "browser",
                       "meta": None, "meta-late": None}
