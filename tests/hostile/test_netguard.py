"""The SSRF guard: what is refused, what --allow-host opens, and the probes' browser."""
from __future__ import annotations

import asyncio
import os

import pytest

from crawler.netguard import is_public, refusal
from tests.hostile.farm import HostileFarm, page, send

NONE: list[str] = []


@pytest.mark.parametrize("url,why", [
    ("http://127.0.0.1/", "127.0.0.1 is the non-public address 127.0.0.1"),
    ("http://127.1:8080/", "127.1 is the non-public address 127.0.0.1"),
    ("http://0x7f000001/", "0x7f000001 is the non-public address 127.0.0.1"),
    ("http://2130706433/", "2130706433 is the non-public address 127.0.0.1"),
    ("http://017700000001/", "017700000001 is the non-public address 127.0.0.1"),
    ("http://[::1]/", "::1 is the non-public address ::1"),
    ("http://[::ffff:10.0.0.1]/", "::ffff:10.0.0.1 is the non-public address ::ffff:a00:1"),
    ("http://10.1.2.3/", "10.1.2.3 is the non-public address 10.1.2.3"),
    ("http://172.16.0.1/", "172.16.0.1 is the non-public address 172.16.0.1"),
    ("http://192.168.0.1/", "192.168.0.1 is the non-public address 192.168.0.1"),
    ("http://169.254.169.254/latest/meta-data/", "169.254.169.254 is the non-public address 169.254.169.254"),
    ("http://100.100.100.200/latest/meta-data/", "100.100.100.200 is the non-public address 100.100.100.200"),
    ("http://[fd00:ec2::254]/", "fd00:ec2::254 is the non-public address fd00:ec2::254"),
    ("http://0.0.0.0/", "0.0.0.0 is the non-public address 0.0.0.0"),
    ("http://224.0.0.1/", "224.0.0.1 is the non-public address 224.0.0.1"),
    ("http://localhost/", "localhost resolves to non-public address 127.0.0.1"),
    ("http://localhost./", "localhost resolves to non-public address 127.0.0.1"),
    ("http://Intranet.LOCALHOST:8080/", "intranet.localhost resolves to non-public address 127.0.0.1"),
    ("http://%31%32%37.0.0.1/", "127.0.0.1 is the non-public address 127.0.0.1"),
    ("http://%31%32%37%2E0%2E0%2E1:8080/", "127.0.0.1 is the non-public address 127.0.0.1"),
    ("http://%ff%fe/", "bad url or port"),
    ("http://[::7f00:1]/", "::7f00:1 is the non-public address ::7f00:1"),          # IPv4-compatible
    ("http://[::808:808]/", "::808:808 is the non-public address ::808:808"),
    ("http://[64:ff9b::808:808]/", "64:ff9b::808:808 is the non-public address 64:ff9b::808:808"),   # NAT64
    ("http://[64:ff9b:1::a00:1]/", "64:ff9b:1::a00:1 is the non-public address 64:ff9b:1::a00:1"),
    ("http://[::ffff:0:7f00:1]/", "::ffff:0:7f00:1 is the non-public address ::ffff:0:7f00:1"),      # SIIT
    ("http://[fec0::1]/", "fec0::1 is the non-public address fec0::1"),                              # site-local
    ("file:///etc/passwd", "scheme 'file' not allowed"),
    ("gopher://127.0.0.1:6379/_INFO", "scheme 'gopher' not allowed"),
    ("ftp://example.gov.cn/", "scheme 'ftp' not allowed"),
    ("javascript:alert(1)", "scheme 'javascript' not allowed"),
    ("http://example.gov.cn:99999/", "bad url or port"),
    ("http:///nohost", "no host"),
    ("http://93.184.216.34/", None),
    ("https://[2001:4860:4860::8888]/", None),
    ("http://[::ffff:8.8.8.8]/", None),
    ("http://%65xample.gov.cn./", None),
])
def test_refusal_by_default(url, why):
    assert refusal(url, allow_private=False, allow_hosts=NONE) == why


def test_allow_host_opens_only_its_ports():
    allow = ["127.0.0.1:18400-18499", "intranet.example:8080", "[::1]:9000"]
    assert refusal("http://127.0.0.1:18400/", False, allow) is None
    assert refusal("http://127.0.0.1:18499/x", False, allow) is None
    assert refusal("http://127.0.0.1:18500/", False, allow) == "127.0.0.1 is the non-public address 127.0.0.1"
    assert refusal("http://127.0.0.1/", False, allow) == "127.0.0.1 is the non-public address 127.0.0.1"
    assert refusal("http://localhost:18400/", False, allow) is None            # resolves to an open endpoint
    assert refusal("http://localhost:22/", False, allow) == "localhost resolves to non-public address 127.0.0.1"
    assert refusal("http://[::1]:9000/", False, allow) is None
    assert refusal("http://[::1]:9001/", False, allow) == "::1 is the non-public address ::1"
    assert refusal("http://10.0.0.1/", True, NONE) is None                     # --allow-private
    assert refusal("file:///etc/passwd", True, allow) == "scheme 'file' not allowed"


def test_is_public_sees_through_embedded_ipv4():
    assert not is_public("::ffff:127.0.0.1")
    assert not is_public("2002:7f00:1::")             # 6to4 of 127.0.0.1
    assert not is_public("64:ff9b::a00:1")            # NAT64 of 10.0.0.1
    assert is_public("8.8.8.8") and not is_public("not an address")


def test_settings_come_from_the_environment(monkeypatch):
    monkeypatch.setenv("GOVAUDIT_ALLOW_HOSTS", "127.0.0.1:5000")
    monkeypatch.delenv("GOVAUDIT_ALLOW_PRIVATE", raising=False)
    assert refusal("http://127.0.0.1:5000/") is None
    assert refusal("http://127.0.0.1:5001/") == "127.0.0.1 is the non-public address 127.0.0.1"


def _chromium() -> str:
    for path in (os.environ.get("GOVAUDIT_CHROMIUM", ""), "/usr/lib/chromium/chromium-headless-shell"):
        if path and os.path.exists(path):
            return path
    pytest.skip("no Chromium")


def _browser_case(case, conn, req):
    canary = case.farm.canary_port
    if req.path == "/go":
        from tests.hostile.farm import head
        head(conn, 302, {"Location": f"http://127.0.0.1:{canary}/redirected", "Content-Length": 0})
        return
    send(conn, 200, page("浏览器", f'<img src="http://127.0.0.1:{canary}/img.gif">'
                                  f'<iframe src="http://localhost:{canary}/frame"></iframe>'
                                  f'<img src="/go"><img src="file:///etc/hostname">'
                                  f'<link rel="stylesheet" href="http://[::1]:{canary}/s.css">'
                                  f"<script>fetch('http://127.0.0.1:{canary}/fetch').catch(function(){{}});"
                                  f"new Image().src='http://0x7f000001:{canary}/beacon';</script>"))


def test_browser_guard_refuses_private_subresources_and_survives_popups_and_loops():
    """The probes' browser (its guard proxy): no sub-resource, fetch or redirect reaches the canary;
    a pop-up storm and a page whose script never ends are contained by timeouts and closing the context."""
    from playwright.async_api import TimeoutError as PWTimeout

    from crawler.probes.pool import BrowserPool
    farm = HostileFarm(only=["popups", "js-loop", "control"])
    farm.by_slug["control"].handler = _browser_case

    async def main():
        async with BrowserPool(executable=_chromium(), contexts=1, allow_private=False,
                               allow_hosts=farm.allow_hosts()) as pool:
            async with pool.context() as context:
                popups: list = []
                tab = await context.new_page()
                tab.on("popup", lambda p: popups.append(p) or asyncio.ensure_future(p.close()))
                await tab.goto(farm.by_slug["control"].url, wait_until="load", timeout=10_000)
                await tab.wait_for_timeout(300)
                loaded = await tab.title()
                await tab.goto(farm.by_slug["popups"].url, wait_until="commit", timeout=10_000)
                await tab.wait_for_timeout(1000)
                stuck = await context.new_page()
                timed_out = False
                try:
                    await stuck.goto(farm.by_slug["js-loop"].url, wait_until="load", timeout=2_000)
                except PWTimeout:
                    timed_out = True
        return loaded, len(popups), timed_out

    with farm:
        loaded, n_popups, timed_out = asyncio.run(main())
        assert loaded == "浏览器"
        assert farm.canary_hits == []
    assert n_popups > 0 and timed_out


def test_net_facts_refuse_private_hops(monkeypatch):
    """The net gatherer's plain sockets: a redirect into a private address, a derived https://host:443
    and an AAAA-less loopback are refused at connect time; the canary sees nothing."""
    from crawler.net import _follow, net_facts
    from crawler.netguard import RefusedAddress
    with HostileFarm(only=["private-links"]) as farm:
        monkeypatch.setenv("GOVAUDIT_ALLOW_HOSTS", ",".join(farm.allow_hosts()))
        monkeypatch.setenv("GOVAUDIT_TIMEOUT", "3")
        base = farm.by_slug["private-links"].base
        with pytest.raises(RefusedAddress, match="127.0.0.1 resolves to non-public address 127.0.0.1"):
            _follow(base + "/go")
        with pytest.raises(RefusedAddress, match="localhost resolves to non-public address"):
            _follow(base + "/go2")
        facts = net_facts(base + "/")
        assert facts["https"]["error_kind"] == "refused"        # https://127.0.0.1/ is port 443: not allowed
        assert facts["http"]["status"] == 200
        assert farm.canary_hits == []


def test_probe_pool_guard_follows_redirect_hops():
    """The probes' BrowserPool guard: a sub-resource that redirects into a private address is refused at the hop."""
    from crawler.probes.pool import BrowserPool
    farm = HostileFarm(only=["control"])
    farm.by_slug["control"].handler = _browser_case

    async def main():
        allow = farm.allow_hosts()
        async with BrowserPool(executable=_chromium(), contexts=1, allow_private=False, allow_hosts=allow) as pool:
            async with pool.context() as ctx:
                tab = await ctx.new_page()
                await tab.goto(farm.by_slug["control"].url, wait_until="load", timeout=15_000)
                await tab.wait_for_timeout(300)
                return await tab.title()

    with farm:
        assert asyncio.run(main()) == "浏览器"
        assert farm.canary_hits == []
        assert farm.by_slug["control"].hits["/go"] == 1
