"""The browser's download caps (issue 18), through the probes gatherer in real Chromium: a homepage
over the per-response cap is cut off and every probe says `too_large`; an endless script on an
ordinary homepage is cut off and the findings carry `download_capped`; a homepage the crawl
already found over its size cap is not loaded at all."""
from __future__ import annotations

import asyncio
from types import SimpleNamespace

import pytest

from crawler.probes.gather import run_sites
from crawler.probes.session import SiteTarget
from tests.browser.test_probes import _browser_or_skip, _settings
from tests.hostile.farm import BIG, HostileFarm, head, page, send, stream

pytestmark = pytest.mark.browser


def heavy(case, conn, req):
    if req.path == "/endless.js":       # a script the browser reads to its end (an image it gives up on)
        head(conn, 200, {"Content-Type": "application/javascript", "Connection": "close"})
        stream(case, conn, req.path, BIG, b"//" + b"x" * 65533 + b"\n")
    elif req.path == "/huge/":
        head(conn, 200, {"Content-Type": "text/html", "Content-Length": BIG, "Connection": "close"})
        stream(case, conn, req.path, BIG, b"<p>" + b"x" * 65533)
    else:
        send(conn, 200, page("首页", '<script async src="/endless.js"></script>'))


def _run(tmp_path, targets, farm):
    settings = SimpleNamespace(**vars(_settings(tmp_path)), allow_private=False, allow_hosts=farm.allow_hosts())
    return asyncio.run(run_sites(1, targets, {"mobile", "a11y"}, settings, contexts=2, store=False))


def _finding(outcomes: dict, check_id: str):
    from checks.artifacts import SiteArtifacts, SiteInfo
    from checks.catalog import all_checks
    art = SiteArtifacts(site=SiteInfo(1, "http://x/", "site", "portal"))
    for name, o in outcomes.items():
        art.probes[name] = {**o["result"], "_error_kind": o["error_kind"], "_tool_versions": o["tool_versions"]}
    chk = all_checks()[check_id]
    return chk.evaluate(art, dict(chk.thresholds))


def test_caps_cut_off_and_say_so(tmp_path):
    _browser_or_skip()
    with HostileFarm(only=["control"]) as farm:
        case = farm.by_slug["control"]
        case.handler = heavy
        out = _run(tmp_path, [SiteTarget(1, case.url, "首页", "portal"), SiteTarget(2, case.base + "/huge/", "大", "portal"),
                              SiteTarget(3, case.base + "/never/", "超限", "portal", home_over_cap=case.base + "/never/")],
                   farm)
    assert case.sent["/huge/"] < BIG // 2 and case.hits["/never/"] == 0
    assert {name: o["error_kind"] for name, o in out[2].items()} == {"render": "too_large", "mobile": "too_large",
                                                                     "a11y": "too_large"}
    assert {name: o["error_kind"] for name, o in out[3].items()} == {"render": "too_large", "mobile": "too_large",
                                                                     "a11y": "too_large"}
    f = _finding(out[2], "mobile.responsive")
    assert (f.status, f.details["error_kind"]) == ("error", "too_large")
    f = _finding(out[1], "mobile.responsive")     # measured, and the finding says what was cut off
    assert f.status in ("pass", "fail")
    assert [(r["url"], r["cap"]) for r in f.details["download_capped"]["responses"]] == \
        [(case.base + "/endless.js", "response")]


@pytest.mark.parametrize("error_kind,facts", [("too_large", {}), (None, {"truncated": True})])
def test_a_homepage_the_crawl_found_over_its_cap_is_marked_for_the_probes(tmp_path, db_url, error_kind, facts):
    """Either way the crawl records an over-cap homepage (not downloaded, or cut off and kept), the probes'
    target says so, and the over-cap page is not among the pages the probes open."""
    from sqlalchemy.orm import Session

    from crawler.probes.gather import load_targets
    from govaudit import rounds
    from govaudit.registry import parse, upsert
    from storage import models as m
    from storage.db import get_engine
    registry = tmp_path / "sites.yaml"
    registry.write_text("sites:\n- {name: 某某县人民政府, url: 'http://big.example/', kind: portal}\n", encoding="utf-8")
    with Session(get_engine(db_url)) as session, session.begin():
        upsert(session, parse(registry))
        session.flush()
        sid = session.query(m.Site.id).scalar()
        run_id = rounds.start_round(session, [sid], None).id
        session.add_all([m.Page(run_id=run_id, site_id=sid, url="http://big.example/", role="page", status=200,
                                error_kind=error_kind, is_homepage=True, facts=facts),
                         m.Page(run_id=run_id, site_id=sid, url="http://big.example/a.html", role="page", status=200,
                                depth=1, title="新闻")])
    with Session(get_engine(db_url)) as session:
        [target] = load_targets(session, run_id, [sid])
    assert target.home_over_cap == "http://big.example/"
    assert [p["url"] for p in target.pages] == ["http://big.example/a.html"]
