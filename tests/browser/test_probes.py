"""The probes in a real Chromium against the probe demo sites served on 127.0.0.1."""
from __future__ import annotations

import asyncio
import re
from pathlib import Path
from types import SimpleNamespace

import pytest

from checks.artifacts import SiteArtifacts, SiteInfo
from checks.catalog import all_checks
from crawler.probes.gather import run_sites
from crawler.probes.pool import BrowserPool, BrowserUnavailable, resolve_executable
from crawler.probes.session import SiteTarget

pytestmark = pytest.mark.browser

SITES = Path(__file__).resolve().parents[2] / "govaudit" / "demo" / "sites"


def _browser_or_skip():
    try:
        resolve_executable("")
    except BrowserUnavailable as exc:
        pytest.skip(str(exc))


def _settings(tmp: Path):
    return SimpleNamespace(chromium="", user_agent="govaudit-test", timeout=15, data_dir=tmp)


def _targets(farm) -> list[SiteTarget]:
    """What the crawl would have stored: the news articles with their titles."""
    out = []
    for i, site in enumerate(farm.sites, 1):
        pages = [{"url": site.base + "/", "final_url": site.base + "/", "title": site.name, "depth": 0, "is_homepage": True}]
        for path in sorted((SITES / site.slug / "news").glob("n*.html")):
            title = re.search(r"<title>(.*?)</title>", path.read_text(encoding="utf-8")).group(1)
            pages.append({"url": f"{site.base}/news/{path.name}", "final_url": f"{site.base}/news/{path.name}",
                          "title": title, "depth": 2, "is_homepage": False})
        out.append(SiteTarget(i, site.url, site.name, site.kind, dict(site.hints), pages))
    return out


@pytest.fixture(scope="module")
def probed(tmp_path_factory):
    """Every probe over the three probe demo sites (good, neglected, other mechanisms), two contexts at once."""
    _browser_or_skip()
    from govaudit.demo.server import DemoFarm, load_sites
    tmp = tmp_path_factory.mktemp("probes")
    with DemoFarm([s for s in load_sites() if s.slug in ("portal-probe", "portal-probe-bad", "portal-probe-alt")]) as farm:
        targets = _targets(farm)
        wanted = {"search", "qa", "elder", "privacy", "a11y", "mobile"}
        out = asyncio.run(run_sites(1, targets, wanted, _settings(tmp), contexts=2, store=False))
        by_slug = {site.slug: out[t.id] for site, t in zip(farm.sites, targets)}
        yield SimpleNamespace(out=by_slug, data_dir=tmp, farm=farm)


def _finding(probed, slug: str, check_id: str):
    outcomes = probed.out[slug]
    art = SiteArtifacts(site=SiteInfo(1, "http://x/", slug, "portal"))
    for name, o in outcomes.items():
        art.probes[name] = {**o["result"], "_error_kind": o["error_kind"], "_tool_versions": o["tool_versions"]}
    chk = all_checks()[check_id]
    f = chk.evaluate(art, dict(chk.thresholds))
    return f


EXPECTED = {
    "portal-probe": {
        "search.present": ("pass", 1), "search.recall": ("pass", 1.0), "search.typo_tolerance": ("pass", 1.0),
        "search.service_cards": ("pass", 1), "qa.present": ("pass", 1), "qa.answers": ("pass", 0.8),
        "elder.entry": ("pass", 1), "elder.font_scaling": ("pass", 20.0), "elder.contrast": ("pass", 1.0),
        "elder.tools": ("pass", 6), "elder.no_ads": ("pass", 0), "privacy.registration_notice": ("pass", 1),
        "a11y.axe": ("pass", 0), "mobile.responsive": ("pass", 1)},
    "portal-probe-bad": {
        "search.present": ("pass", 1), "search.recall": ("fail", 0.0), "search.typo_tolerance": ("warn", 0.0),
        "search.service_cards": ("fail", 0), "qa.present": ("pass", 1), "qa.answers": ("fail", 0.0),
        "elder.entry": ("pass", 1), "elder.font_scaling": ("fail", 13.0), "elder.contrast": ("fail", 0.8),
        "elder.tools": ("warn", 0), "elder.no_ads": ("fail", 2), "privacy.registration_notice": ("fail", 0),
        "a11y.axe": ("fail", 9), "mobile.responsive": ("fail", 0)},
    # a script-submitted box with JSON-rendered, shortened results; a robot on its own page in an iframe
    # that only the 发送 link sends to; a 无障碍 toolbar whose A+ must be pressed; a registration modal
    "portal-probe-alt": {
        "search.present": ("pass", 1), "search.recall": ("pass", 1.0), "search.typo_tolerance": ("warn", 0.0),
        "search.service_cards": ("fail", 0), "qa.present": ("pass", 1), "qa.answers": ("pass", 1.0),
        "elder.entry": ("pass", 1), "elder.font_scaling": ("pass", 18.0), "elder.contrast": ("pass", 1.0),
        "elder.tools": ("pass", 5), "elder.no_ads": ("pass", 0), "privacy.registration_notice": ("pass", 1),
        "a11y.axe": ("pass", 0), "mobile.responsive": ("pass", 1)},
}


@pytest.mark.parametrize("slug, check_id", [(s, c) for s, checks in EXPECTED.items() for c in checks])
def test_probe_findings(probed, slug, check_id):
    f = _finding(probed, slug, check_id)
    assert (f.status, f.value) == EXPECTED[slug][check_id], f.details
    assert f.tool_versions.get("browser")


def test_fake_elder_switch_fails_as_no_change(probed):
    f = _finding(probed, "portal-probe-bad", "elder.font_scaling")
    assert f.details["reason"] == "no_change" and f.details["before_px"] == 13.0


def test_bad_site_pop_ups_are_named(probed):
    f = _finding(probed, "portal-probe-bad", "elder.no_ads")
    assert [i["why"] for i in f.details["items"]] == ["ad_marked", "download_bait"]


def test_timings_are_recorded(probed):
    for slug in EXPECTED:
        lat = _finding(probed, slug, "search.latency")
        load = _finding(probed, slug, "perf.homepage_load")
        assert lat.value > 0 and lat.unit == "s"
        assert load.value > 0 and load.unit == "s"


def test_screenshots_are_written_and_referenced(probed):
    f = _finding(probed, "portal-probe", "elder.font_scaling")
    refs = [e["ref"] for e in f.evidence if e["kind"] == "screenshot"]
    assert refs == ["runs/1/1/elder.png", "runs/1/1/elder-before.png"]
    for ref in refs:
        assert (probed.data_dir / ref).stat().st_size > 1000


def test_axe_records_rules_and_version(probed):
    f = _finding(probed, "portal-probe-bad", "a11y.axe")
    assert {r["id"] for r in f.details["rules"]} == {"color-contrast", "html-has-lang", "image-alt"}
    assert re.fullmatch(r"\d+\.\d+\.\d+", f.tool_versions["axe-core"])


def test_render_row_holds_the_rendered_homepage(probed):
    render = probed.out["portal-probe"]["render"]["result"]
    assert "智能问答" in render["html"] and render["url"].endswith("/")
    # the identity marks read from it are stored with it (this homepage names its sponsor, no codes)
    marks = render["identity"]
    assert (marks["site_code"], marks["icp"], marks["badge"]["present"], marks["sponsor"]) == (None, None, False, True)


def test_unreachable_site_is_an_error_for_every_probe(tmp_path):
    _browser_or_skip()
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        dead = f"http://127.0.0.1:{s.getsockname()[1]}/"
    out = asyncio.run(run_sites(1, [SiteTarget(7, dead, "关闭的站点", "portal")], {"search", "elder"},
                                _settings(tmp_path), store=False))
    assert {k: v["error_kind"] for k, v in out[7].items()} == {"search": "connection", "elder": "connection",
                                                               "render": "connection"}


def test_pool_recycles_the_browser_and_closes_contexts():
    _browser_or_skip()

    async def visit():
        async with BrowserPool(contexts=2, recycle_after=2) as pool:
            async def one(i):
                async with pool.context() as ctx:
                    page = await ctx.new_page()
                    await page.set_content(f"<p>站点{i}</p>")
                    return await page.inner_text("p")
            texts = await asyncio.gather(*(one(i) for i in range(5)))
            return texts, pool.launches, len(pool._browser.contexts)
    texts, launches, open_contexts = asyncio.run(visit())
    assert texts == [f"站点{i}" for i in range(5)]
    assert launches == 3 and open_contexts == 0


def test_missing_configured_browser_is_one_line():
    with pytest.raises(BrowserUnavailable, match=r"^GOVAUDIT_CHROMIUM=/nonexistent/chrome does not exist$"):
        resolve_executable("/nonexistent/chrome")


def test_network_guard_keeps_the_browser_off_private_addresses(tmp_path):
    _browser_or_skip()
    from govaudit.demo.server import DemoFarm, load_sites
    with DemoFarm([s for s in load_sites() if s.slug == "portal-probe"]) as farm:
        site = farm.sites[0]
        target = [SiteTarget(1, site.url, site.name, site.kind)]
        refused = SimpleNamespace(**vars(_settings(tmp_path)), allow_private=False, allow_hosts=[])
        out = asyncio.run(run_sites(1, target, {"mobile"}, refused, store=False))
        assert out[1]["mobile"]["error_kind"] == "connection"
        assert out[1]["mobile"]["result"]["error"].startswith(
            "refused by the network guard: 127.0.0.1 is the non-public address 127.0.0.1")
        opened = SimpleNamespace(**vars(_settings(tmp_path)), allow_private=False, allow_hosts=farm.allow_hosts())
        out = asyncio.run(run_sites(1, target, {"mobile"}, opened, store=False))
        assert out[1]["mobile"]["error_kind"] is None and out[1]["mobile"]["result"]["responsive"] is True


def test_search_box_revealed_by_its_icon(tmp_path):
    """A box hidden until the magnifier is clicked, results in a new tab: still found and submitted."""
    _browser_or_skip()
    import threading
    from functools import partial
    from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
    (tmp_path / "index.html").write_text(
        '<html lang="zh-CN"><head><meta charset="utf-8"><title>某某市政府</title></head><body>'
        '<i class="icon-search" style="display:inline-block;width:20px;height:20px;background:#06c" '
        'onclick="document.getElementById(\'sb\').style.display=\'block\'"></i>'
        '<form id="sb" style="display:none" action="/s.html" target="_blank">'
        '<input name="q" placeholder="请输入关键字"><button>搜索</button></form></body></html>', encoding="utf-8")
    (tmp_path / "s.html").write_text('<html><head><meta charset="utf-8"></head><body>共0条结果，未找到相关信息</body></html>',
                                     encoding="utf-8")
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(SimpleHTTPRequestHandler, directory=str(tmp_path)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/"
        out = asyncio.run(run_sites(1, [SiteTarget(1, url, "某某市政府", "portal")], {"search"}, _settings(tmp_path),
                                    store=False))
    finally:
        server.shutdown()
        server.server_close()
    r = out[1]["search"]["result"]
    assert (r["present"], r["how"]) == (True, "revealed_box")
    assert "/s.html?q=" in r["baseline"]["url"] and r["baseline"]["no_results"] is True


def test_pool_relaunches_a_crashed_browser():
    _browser_or_skip()

    async def crash_then_visit():
        async with BrowserPool(contexts=1) as pool:
            await pool._browser.close()            # as if Chromium died
            async with pool.context() as ctx:
                page = await ctx.new_page()
                await page.set_content("<p>又能用了</p>")
                return await page.inner_text("p"), pool.launches
    assert asyncio.run(crash_then_visit()) == ("又能用了", 2)


def test_a_hanging_script_does_not_stop_the_probes(tmp_path):
    """A third-party script that never answers: the load event never comes; the probes still work
    and the load time is reported as a lower bound."""
    _browser_or_skip()
    import threading
    import time as _time
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    release = threading.Event()

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_GET(self):
            if self.path.startswith("/hang.js"):
                release.wait(30)
                body = b""
            else:
                body = ('<html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" '
                        'content="width=device-width"><title>某某县政府</title></head><body><p>政务公开</p>'
                        '<script src="/hang.js"></script></body></html>').encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        settings = SimpleNamespace(**{**vars(_settings(tmp_path)), "timeout": 3})
        url = f"http://127.0.0.1:{server.server_address[1]}/"
        out = asyncio.run(run_sites(1, [SiteTarget(1, url, "某某县政府", "portal")], {"mobile"}, settings, store=False))
    finally:
        release.set()
        _time.sleep(0.1)
        server.shutdown()
        server.server_close()
    mobile = out[1]["mobile"]
    assert mobile["error_kind"] is None and mobile["result"]["responsive"] is True
    assert (mobile["result"]["load_s"], mobile["result"]["load_timeout_s"]) == (None, 3.0)
    art = SiteArtifacts(site=SiteInfo(1, url, "某某县政府", "portal"),
                        probes={"mobile": {**mobile["result"], "_error_kind": None, "_tool_versions": {}}})
    chk = all_checks()["perf.homepage_load"]
    f = chk.evaluate(art, dict(chk.thresholds))
    assert (f.status, f.value, f.details["reason"]) == ("warn", 3.0, "load_event_not_reached")
