"""The browser's side doors (issue 18): one farm page uses every way a page can make the
scanner's Chromium reach an address the guard refuses — sub-resource, iframe to `localhost.`,
fetch, a fetch that redirects, WebSocket, sendBeacon, <link rel=prefetch>, speculation-rules
prefetch, WebRTC STUN (UDP) and TURN (TCP) — against a loopback canary that counts what
reaches it. A bare Chromium shows that each vector really reaches the canary (so the zero
below means something); the probes' BrowserPool lets none through; with the canary's port
allowed, the proxied vectors get through the guard proxy again and UDP still does not."""
from __future__ import annotations

import asyncio
import os
import socket
import threading

import pytest

from tests.hostile.farm import HostileFarm, head, page, send

pytestmark = pytest.mark.browser

HTTP_VECTORS = ["GET /fetch", "GET /frame", "GET /img.gif", "GET /link-prefetch", "GET /redirected",
                "GET /spec-prefetch", "GET /ws", "POST /beacon"]


class Canary:
    """Counts every TCP connection (its request line, or `tcp-binary` for TURN) and UDP datagram."""

    def __init__(self):
        self.hits: list[str] = []
        self.tcp = socket.socket()
        self.tcp.bind(("127.0.0.1", 0))
        self.tcp.listen(64)
        self.udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.udp.bind(("127.0.0.1", 0))
        self.port, self.udp_port = self.tcp.getsockname()[1], self.udp.getsockname()[1]
        threading.Thread(target=self._accept, daemon=True).start()
        threading.Thread(target=self._datagrams, daemon=True).start()

    def _accept(self):
        while True:
            try:
                conn, _ = self.tcp.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn):
        conn.settimeout(5)
        try:
            data = conn.recv(4096)
        except OSError:
            data = b""
        if data[:1].isalpha():
            self.hits.append(" ".join(data.split(b"\r\n", 1)[0].decode("latin-1").split()[:2]))
            try:
                conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok")
            except OSError:
                pass
        else:
            self.hits.append("tcp-binary")
        conn.close()

    def _datagrams(self):
        while True:
            try:
                self.udp.recvfrom(4096)
            except OSError:
                return
            self.hits.append("udp")

    def close(self):
        self.tcp.close()
        self.udp.close()


def side_doors(canary: Canary):
    def handler(case, conn, req):
        c = canary.port
        if req.path == "/go":
            head(conn, 302, {"Location": f"http://127.0.0.1:{c}/redirected", "Content-Length": 0, "Connection": "close"})
        elif req.path == "/done":
            send(conn, 200, "ok", "text/plain")
        else:
            send(conn, 200, page("侧门", f"""
<script type="speculationrules">{{"prefetch": [{{"source": "list", "eagerness": "immediate",
  "urls": ["http://127.0.0.1:{c}/spec-prefetch"]}}]}}</script>
<link rel="prefetch" href="http://127.0.0.1:{c}/link-prefetch">
<img src="http://127.0.0.1:{c}/img.gif"><iframe src="http://localhost.:{c}/frame"></iframe>
<script>
fetch('http://127.0.0.1:{c}/fetch').catch(function () {{}});
fetch('/go').catch(function () {{}});
try {{ new WebSocket('ws://127.0.0.1:{c}/ws'); }} catch (e) {{}}
navigator.sendBeacon('http://127.0.0.1:{c}/beacon', 'x');
var pc = new RTCPeerConnection({{iceServers: [{{urls: 'stun:127.0.0.1:{canary.udp_port}'}},
    {{urls: 'turn:127.0.0.1:{c}?transport=tcp', username: 'u', credential: 'p'}}]}});
pc.createDataChannel('x');
pc.createOffer().then(function (o) {{ return pc.setLocalDescription(o); }});
setTimeout(function () {{ fetch('/done'); }}, 2000);
</script>"""))
    return handler


def _chromium() -> str:
    for path in (os.environ.get("GOVAUDIT_CHROMIUM", ""), "/usr/lib/chromium/chromium-headless-shell"):
        if path and os.path.exists(path):
            return path
    pytest.skip("no Chromium")


async def _visit(ctx, case, canary: Canary, expect: int) -> None:
    """Open the page; wait until it reported done (its vectors fired 2 s earlier) and the canary has
    `expect` hits, or 15 s at most (a zero is only believed after the page said it was done)."""
    tab = await ctx.new_page()
    await tab.goto(case.url, wait_until="load", timeout=15_000)
    for _ in range(150):
        if case.hits["/done"] and len(canary.hits) >= expect:
            break
        await asyncio.sleep(0.1)
    await asyncio.sleep(1.0)          # stragglers (a late prefetch) would still be counted


def _run(mode: str) -> tuple[list[str], dict]:
    from playwright.async_api import async_playwright

    from crawler.probes.pool import BrowserPool
    canary = Canary()
    farm = HostileFarm(only=["control"])
    case = farm.by_slug["control"]
    case.handler = side_doors(canary)
    meter: dict = {}

    async def main():
        if mode == "bare":
            async with async_playwright() as pw:
                browser = await pw.chromium.launch(executable_path=_chromium(), args=["--no-sandbox"])
                await _visit(await browser.new_context(), case, canary, len(HTTP_VECTORS) + 2)
                await browser.close()
            return
        allow = farm.allow_hosts() + ([f"127.0.0.1:{canary.port}"] if mode == "canary allowed" else [])
        async with BrowserPool(executable=_chromium(), contexts=1, allow_private=False, allow_hosts=allow) as pool:
            async with pool.context() as ctx:
                await _visit(ctx, case, canary, len(HTTP_VECTORS) + 1 if mode == "canary allowed" else 0)
                meter.update(pool.meter(ctx).summary())

    with farm:
        asyncio.run(main())
    canary.close()
    return sorted(canary.hits), meter


def test_every_vector_reaches_the_canary_from_a_bare_browser():
    hits, _ = _run("bare")
    assert sorted(set(hits)) == sorted(HTTP_VECTORS + ["tcp-binary", "udp"])


def test_the_probes_browser_lets_no_vector_through():
    hits, meter = _run("guarded")
    assert hits == []
    refused = {r["url"].split("/", 3)[-1] for r in meter["refused_requests"]}
    assert {"fetch", "frame", "img.gif", "link-prefetch", "redirected", "spec-prefetch", "beacon"} <= refused
    assert "download_capped" not in meter


def test_with_the_canary_allowed_the_proxied_vectors_pass_and_udp_never():
    hits, meter = _run("canary allowed")
    assert sorted(set(hits)) == sorted(HTTP_VECTORS + ["tcp-binary"])
    assert "udp" not in hits and meter == {}
