"""One site must never hurt another (issue 18): a homepage that navigates itself away every
20 ms while pulling twenty endless images is probed at the same time as two demo probe sites.
A page whose script never yields is probed in the same batch. The two normal sites'
findings are exactly those a run without them gives (EXPECTED in
test_probes.py, which pins that run), the self-navigating site ends with one outcome per probe,
its endless images cut off at the browser's download caps (said in its results), and the
looping page's probes are abandoned as `timeout` once it has not answered for 20 s."""
from __future__ import annotations

import asyncio
from types import SimpleNamespace

import pytest

from checks.artifacts import SiteArtifacts, SiteInfo
from checks.catalog import all_checks
from crawler.probes.gather import PROBES, run_sites
from crawler.probes.session import SiteTarget
from tests.browser.test_probes import EXPECTED, _browser_or_skip, _settings, _targets
from tests.hostile.farm import HostileFarm, head, page, send, stream

pytestmark = pytest.mark.browser


def self_navigating(case, conn, req):
    if req.path.startswith("/big"):
        head(conn, 200, {"Content-Type": "image/png", "Connection": "close"})
        stream(case, conn, req.path, 50 * 1024 * 1024, b"\0" * 65536)
        return
    images = "".join(f'<img src="/big{i}.png">' for i in range(20))
    send(conn, 200, page("自跳转", images + "<script>setTimeout(function () {"
                                          " location.href = '/?n=' + Date.now() }, 20)</script>"))


def _findings(outcomes: dict) -> dict:
    art = SiteArtifacts(site=SiteInfo(1, "http://x/", "site", "portal"))
    for name, o in outcomes.items():
        art.probes[name] = {**o["result"], "_error_kind": o["error_kind"], "_tool_versions": o["tool_versions"]}
    checks = all_checks()
    return {cid: (f.status, f.value) for cid in checks if checks[cid].needs.startswith("probe:")
            for f in [checks[cid].evaluate(art, dict(checks[cid].thresholds))]}


def test_a_self_navigating_homepage_leaves_its_neighbours_findings_unchanged(tmp_path):
    _browser_or_skip()
    from govaudit.demo.server import DemoFarm, load_sites
    with DemoFarm([s for s in load_sites() if s.slug in ("portal-probe", "portal-probe-bad")]) as demo, \
            HostileFarm(only=["control", "js-loop"]) as hostile:
        case = hostile.by_slug["control"]
        case.handler = self_navigating
        normal = _targets(demo)
        targets = normal + [SiteTarget(99, case.url, "自跳转", "portal"),
                            SiteTarget(98, hostile.by_slug["js-loop"].url, "脚本死循环", "portal")]
        settings = SimpleNamespace(**vars(_settings(tmp_path)), allow_private=False,
                                   allow_hosts=demo.allow_hosts() + hostile.allow_hosts())
        out = asyncio.run(run_sites(1, targets, set(PROBES), settings, contexts=4, store=False))
    for site, target in zip(demo.sites, normal):
        found = _findings(out[target.id])
        assert {cid: found[cid] for cid in EXPECTED[site.slug]} == EXPECTED[site.slug], site.slug
        assert all(o["error_kind"] is None for o in out[target.id].values()), site.slug
    assert set(out[99]) >= set(PROBES)
    assert {name: (o["error_kind"], o["result"]["error"]) for name, o in out[98].items()} == {
        name: ("timeout", "the page did not answer within 20 s (a script never yields)") for name in [*PROBES, "render"]}
    capped = [o["result"]["download_capped"] for o in out[99].values() if "download_capped" in o["result"]]
    assert capped and all(c["bytes"] <= c["page_cap"] + 20 * 64 * 1024 for c in capped)   # cut at the caps
    # a response cut at its own cap is one of the endless images; once the context is over its page cap,
    # whatever it asks for next is cut too (the next navigation, or a connection the browser opens itself)
    assert all(r["cap"] == "page" or (r["cap"] == "response" and r["url"].startswith(case.base + "/big"))
               for c in capped for r in c["responses"])
    assert any(r["url"].startswith(case.base + "/big") for c in capped for r in c["responses"])
