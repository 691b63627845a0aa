"""The browser's only way out: a small HTTP proxy on 127.0.0.1 that every request of the
probes' Chromium goes through — documents, sub-resources, fetch/XHR, redirect hops,
speculation-rules prefetches, beacons, WebSocket and WebRTC TURN tunnels (Chromium
sends them all to its proxy, loopback included, as Playwright launches it) — and that
checks each one with the crawler's guard (crawler/netguard.py) before connecting:

- the URL (or CONNECT target) is refused on the same static grounds as in the crawl;
- the host is resolved once, every address checked, and the connection made to the
  checked address (so DNS rebinding between check and connect is closed here too);
- a response over `response_cap` bytes (announced, streamed, or after gzip/deflate
  decoding) is cut off, and a context's download over `page_cap` stops its traffic;
  bodies are streamed through in pieces, never held whole.

Each browser context gets a listener of its own with a `Meter` that records what was
refused or capped, so a probe's finding can say so. h11 parses and frames HTTP/1.1.
"""
from __future__ import annotations

import asyncio
import logging
import threading
import time
import zlib
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import h11

from crawler.netguard import RefusedAddress, connect_address, ip_literal, refusal

log = logging.getLogger(__name__)

PIECE = 64 * 1024
HOP_BY_HOP = {b"connection", b"keep-alive", b"proxy-connection", b"proxy-authorization", b"proxy-authenticate",
              b"te", b"trailer", b"transfer-encoding", b"upgrade"}
# the codings the proxy can decode to measure a body (it asks servers for no others)
ACCEPT_ENCODING = b"gzip, deflate"
NOTES_KEPT = 20


@dataclass
class Meter:
    """What one browser context downloaded, what the proxy refused or cut off for it, and how many
    pop-ups the pool closed beyond the context's page budget."""
    page_cap: int
    bytes: int = 0
    refused: list[dict] = field(default_factory=list)
    capped: list[dict] = field(default_factory=list)
    over_page_cap: bool = False
    popups_closed: int = 0          # pages opened beyond the context's page budget (closed at once)

    def note(self, where: list[dict], **entry) -> None:
        if len(where) < NOTES_KEPT:
            where.append(entry)

    def add(self, n: int) -> bool:
        """Count `n` bytes; False once the context is over its page cap."""
        self.bytes += n
        if self.bytes > self.page_cap and not self.over_page_cap:
            self.over_page_cap = True
            log.info("browser context over its download cap of %d bytes", self.page_cap)
        return not self.over_page_cap

    def summary(self) -> dict:
        """The facts a probe result carries (empty when nothing was refused or cut)."""
        out: dict = {}
        if self.capped or self.over_page_cap:
            out["download_capped"] = {"bytes": self.bytes, "page_cap": self.page_cap,
                                      "over_page_cap": self.over_page_cap, "responses": list(self.capped)}
        if self.refused:
            out["refused_requests"] = list(self.refused)
        if self.popups_closed:
            out["popups_closed"] = self.popups_closed
        return out

    def capped_url(self, url: str) -> bool:
        return any(c["url"] == url[:300] for c in self.capped)

    def refused_reason(self, url: str) -> str | None:
        return next((r["reason"] for r in self.refused if r["url"] == url[:300]), None)


class _Sized:
    """Counts a body's decoded size (gzip/deflate bodies are inflated in bounded steps, not held)."""

    def __init__(self, coding: str):
        coding = coding.strip().lower()
        self.inflate = zlib.decompressobj(47) if coding in ("gzip", "x-gzip", "deflate") else None
        self.size = 0
        self.raw_deflate = coding == "deflate"

    def feed(self, data: bytes, limit: int) -> None:
        if self.inflate is None:
            self.size += len(data)
            return
        try:
            while data and self.size <= limit:
                out = self.inflate.decompress(data, PIECE)
                self.size += len(out)
                data = self.inflate.unconsumed_tail
        except zlib.error:
            if self.raw_deflate and self.size == 0:     # "deflate" sent without its zlib header
                self.inflate, self.raw_deflate = zlib.decompressobj(-15), False
                self.feed(data, limit)
            else:
                self.inflate = None                     # undecodable: the browser fails on it; count wire bytes


class GuardProxy:
    """`async with GuardProxy(...) as proxy:`; `port, meter = await proxy.listen()` per context,
    `await proxy.close(port)` after it. Callable from any event loop: the proxy serves on its own."""

    def __init__(self, allow_private: bool, allow_hosts: list[str], timeout_s: float,
                 response_cap: int, page_cap: int):
        self.allow_private, self.allow_hosts = allow_private, list(allow_hosts)
        self.timeout_s, self.response_cap, self.page_cap = timeout_s, response_cap, page_cap
        self._servers: dict[int, asyncio.AbstractServer] = {}
        self._tasks: set[asyncio.Task] = set()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._resolver = ThreadPoolExecutor(max_workers=8, thread_name_prefix="guardproxy-dns")

    async def __aenter__(self) -> "GuardProxy":
        self._start()
        return self

    async def __aexit__(self, *exc) -> None:
        if self._loop is None:
            return
        await asyncio.wrap_future(asyncio.run_coroutine_threadsafe(self._shutdown(), self._loop))
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=10)
        self._loop.close()
        self._loop = self._thread = None
        self._resolver.shutdown(wait=False, cancel_futures=True)

    def _start(self) -> None:
        if self._loop is not None:
            return
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="guardproxy", daemon=True)
        self._thread.start()

    async def listen(self) -> tuple[int, Meter]:
        self._start()
        return await asyncio.wrap_future(asyncio.run_coroutine_threadsafe(self._listen(), self._loop))

    async def close(self, port: int) -> None:
        if self._loop is not None:
            await asyncio.wrap_future(asyncio.run_coroutine_threadsafe(self._close(port), self._loop))

    # -- on the proxy's own loop ----------------------------------------------
    async def _shutdown(self) -> None:
        for port in list(self._servers):
            await self._close(port)
        for task in list(self._tasks):
            task.cancel()
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)

    async def _listen(self) -> tuple[int, Meter]:
        meter = Meter(self.page_cap)

        async def serve(reader, writer):
            task = asyncio.current_task()
            self._tasks.add(task)
            try:
                await self._client(reader, writer, meter)
            except Exception:        # a broken exchange ends its connection, never the proxy
                log.debug("proxy connection failed", exc_info=True)
            finally:
                self._tasks.discard(task)
                writer.close()

        server = await asyncio.start_server(serve, "127.0.0.1", 0, limit=PIECE)
        port = server.sockets[0].getsockname()[1]
        self._servers[port] = server
        return port, meter

    async def _close(self, port: int) -> None:
        server = self._servers.pop(port, None)
        if server is not None:
            server.close()

    # -- one client connection (keep-alive: several requests) -----------------
    async def _client(self, reader, writer, meter: Meter) -> None:
        conn = h11.Connection(h11.SERVER)
        while True:
            event = await _next_event(conn, reader, None)
            if not isinstance(event, h11.Request):
                return
            if event.method == b"CONNECT":
                await self._tunnel(event, conn, reader, writer, meter)
                return
            if not await self._forward(event, conn, reader, writer, meter):
                return
            if conn.our_state is h11.DONE and conn.their_state is h11.DONE:
                conn.start_next_cycle()
            else:
                return

    async def _checked_address(self, url: str, meter: Meter) -> tuple[str, int] | None:
        why = refusal(url, self.allow_private, self.allow_hosts, resolve=False)
        host, port = "", 0
        if why is None:
            parts = urlsplit(url)
            host, port = (parts.hostname or "").rstrip("."), parts.port or (443 if parts.scheme == "https" else 80)
            try:
                literal = ip_literal(host)
                if literal is not None:          # nothing to look up
                    return connect_address(host, port, literal, self.allow_private, self.allow_hosts), port
                lookup = asyncio.get_running_loop().run_in_executor(
                    self._resolver, connect_address, host, port, None, self.allow_private, self.allow_hosts)
                return await asyncio.wait_for(lookup, self.timeout_s), port
            except RefusedAddress as exc:
                why = str(exc)
            except (OSError, asyncio.TimeoutError) as exc:    # unresolvable: the browser sees a failed connection
                log.debug("proxy cannot resolve %s: %s", host, exc)
                return None
        log.info("browser request refused: %s (%s)", url[:300], why)
        meter.note(meter.refused, url=url[:300], reason=why)
        return None

    async def _open(self, addr: str, port: int):
        return await asyncio.wait_for(asyncio.open_connection(addr, port, limit=PIECE), self.timeout_s)

    async def _tunnel(self, request, conn, reader, writer, meter: Meter) -> None:
        """CONNECT host:port (https, wss, TURN over TCP): guarded, then bytes both ways, counted."""
        target = request.target.decode("latin-1")
        checked = await self._checked_address(f"http://{target}/", meter)
        if checked is None or meter.over_page_cap:
            writer.write(b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
            return
        try:
            up_reader, up_writer = await self._open(*checked)
        except (OSError, asyncio.TimeoutError):
            writer.write(b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
            return
        writer.write(b"HTTP/1.1 200 Connection Established\r\n\r\n")
        leftover = conn.trailing_data[0]
        if leftover:
            up_writer.write(leftover)

        async def pump(src, dst, counted: bool):
            while True:
                data = await src.read(PIECE)
                if not data:
                    break
                if counted and not meter.add(len(data)):
                    meter.note(meter.capped, url=f"https://{target}/", bytes=meter.bytes, cap="page")
                    break
                dst.write(data)
                await dst.drain()

        pumps = [asyncio.ensure_future(pump(reader, up_writer, False)), asyncio.ensure_future(pump(up_reader, writer, True))]
        try:
            await asyncio.wait(pumps, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for p in pumps:
                p.cancel()
            await asyncio.gather(*pumps, return_exceptions=True)
            up_writer.close()

    async def _forward(self, request, conn, reader, writer, meter: Meter) -> bool:
        """One plain-HTTP exchange; True when the client connection may carry the next request."""
        url = request.target.decode("latin-1")
        checked = await self._checked_address(url, meter) if not meter.over_page_cap else None
        if checked is None:
            return False          # closed without an answer: the browser sees a failed request
        parts = urlsplit(url)
        headers = [(k, v) for k, v in request.headers if k not in HOP_BY_HOP and k != b"accept-encoding"]
        headers += [(b"accept-encoding", ACCEPT_ENCODING), (b"connection", b"close")]
        up = h11.Connection(h11.CLIENT)
        deadline = time.monotonic() + self.timeout_s      # the whole download, as in the crawl
        try:
            up_reader, up_writer = await self._open(*checked)
        except (OSError, asyncio.TimeoutError):
            return False
        try:
            target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
            up_writer.write(up.send(h11.Request(method=request.method, target=target, headers=headers)))
            while True:                       # the request body, streamed
                event = await _next_event(conn, reader, deadline)
                if isinstance(event, h11.Data):
                    up_writer.write(up.send(h11.Data(data=event.data)))
                elif isinstance(event, h11.EndOfMessage):
                    up_writer.write(up.send(h11.EndOfMessage()))
                    break
                else:
                    return False
            await up_writer.drain()
            response = await _next_event(up, up_reader, deadline)
            while isinstance(response, h11.InformationalResponse):
                response = await _next_event(up, up_reader, deadline)
            if not isinstance(response, h11.Response):
                return False
            declared = _header(response.headers, b"content-length")
            if declared.isdigit() and int(declared) > self.response_cap \
                    and _header(response.headers, b"content-encoding") in ("", "identity"):
                meter.note(meter.capped, url=url[:300], bytes=int(declared), cap="response")
                log.info("browser response over the cap: %s (%s bytes announced)", url[:300], declared)
                return False
            out_headers = [(k, v) for k, v in response.headers if k not in HOP_BY_HOP]
            writer.write(conn.send(h11.Response(status_code=response.status_code, headers=out_headers,
                                                reason=response.reason)))
            sized = _Sized(_header(response.headers, b"content-encoding"))
            while True:
                event = await _next_event(up, up_reader, deadline)
                if isinstance(event, h11.Data):
                    sized.feed(event.data, self.response_cap)
                    if sized.size > self.response_cap or not meter.add(len(event.data)):
                        cap = "response" if sized.size > self.response_cap else "page"
                        meter.note(meter.capped, url=url[:300], bytes=sized.size, cap=cap)
                        log.info("browser response cut at the %s cap: %s", cap, url[:300])
                        return False      # the browser sees a cut-off body
                    writer.write(conn.send(h11.Data(data=event.data)))
                    await writer.drain()
                elif isinstance(event, h11.EndOfMessage):
                    writer.write(conn.send(h11.EndOfMessage()))
                    await writer.drain()
                    return True
                else:
                    return False
        except (OSError, asyncio.TimeoutError, h11.ProtocolError):
            return False
        finally:
            up_writer.close()


def _header(headers, name: bytes) -> str:
    for k, v in headers:
        if k == name:
            return v.decode("latin-1").strip().lower()
    return ""


async def _next_event(conn: h11.Connection, reader, deadline: float | None):
    """The next h11 event, reading from `reader` as needed (until `deadline`, monotonic)."""
    while True:
        event = conn.next_event()
        if event is not h11.NEED_DATA:
            return event
        if deadline is None:
            data = await reader.read(PIECE)
        else:
            left = deadline - time.monotonic()
            if left <= 0:
                raise asyncio.TimeoutError
            data = await asyncio.wait_for(reader.read(PIECE), left)
        conn.receive_data(data)
