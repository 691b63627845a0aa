"""The SSRF guard: no request — crawl, link check, redirect target, probe,
browser sub-resource — reaches a loopback, private, link-local, multicast or
metadata address, or a non-http(s) scheme, unless --allow-private or
--allow-host opens it.

Three layers, because a registry and every crawled page are hostile input:
- `refusal(url)`: scheme, port and IP-literal checks, and (optionally) the
  addresses the host name resolves to now;
- `NetGuardMiddleware`: runs `refusal` without DNS on every Scrapy request,
  redirect targets included (RedirectMiddleware re-schedules them);
- `GuardedResolver` (Scrapy's DNS_RESOLVER): filters the addresses of the
  resolution the connection actually uses, so a name that answers a public
  address to a first lookup and 127.0.0.1 to the next (DNS rebinding) is
  still refused.
`guard_route` does the same for Playwright (`context.route("**/*", guard_route)`).
"""
from __future__ import annotations

import asyncio
import ipaddress
import socket
from urllib.parse import urlsplit

from scrapy.exceptions import IgnoreRequest
from twisted.internet.interfaces import IHostnameResolver, IResolutionReceiver
from zope.interface import implementer, provider

from govaudit.config import load

BROWSER_INLINE_SCHEMES = ("data", "blob", "about")
# host name → why its resolution was refused (this process): lets errors.classify say `refused`, not `dns`
REFUSED_NAMES: dict[str, str] = {}


class Refused(IgnoreRequest):
    """A request the network guard refused."""


def _host_allowed(host: str, port: int | None, allow_hosts: list[str]) -> bool:
    host = host.lower().strip("[]")
    for spec in allow_hosts:
        if spec.startswith("["):          # [::1]:8080
            name, _, ports = spec[1:].partition("]")
            ports = ports.lstrip(":")
        else:
            name, _, ports = spec.partition(":")
        if name.lower() != host:
            continue
        if not ports or port is None:
            return True
        low, _, high = ports.partition("-")
        try:
            if int(low) <= port <= int(high or low):
                return True
        except ValueError:
            continue
    return False


def is_public(addr: str) -> bool:
    """A globally routable unicast address (not loopback, private, link-local, metadata, multicast…)."""
    try:
        ip = ipaddress.ip_address(addr.split("%")[0])
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address):
        embedded = ip.ipv4_mapped or ip.sixtofour or (ip.teredo[1] if ip.teredo else None)
        if embedded is None and ip in ipaddress.ip_network("64:ff9b::/96"):
            embedded = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
        if embedded is not None and not is_public(str(embedded)):
            return False
    return ip.is_global and not ip.is_multicast


def _literal(host: str) -> str | None:
    """The address when `host` is an IP literal in any form a resolver accepts (0x7f.1, 2130706433, [::1])."""
    host = host.strip("[]")
    try:
        return ipaddress.ip_address(host.split("%")[0]).compressed
    except ValueError:
        pass
    try:
        return socket.inet_ntoa(socket.inet_aton(host))   # the legacy forms: 127.1, 0x7f000001, 017700000001
    except (OSError, UnicodeError, ValueError):
        return None


def _settings(allow_private: bool | None, allow_hosts: list[str] | None) -> tuple[bool, list[str]]:
    if allow_private is None or allow_hosts is None:
        cfg = load()
        allow_private = cfg.allow_private if allow_private is None else allow_private
        allow_hosts = cfg.allow_hosts if allow_hosts is None else allow_hosts
    return allow_private, allow_hosts


def _static_refusal(url: str, allow_private: bool, allow_hosts: list[str],
                    inline_ok: bool = False) -> tuple[str | None, str, int, bool]:
    """(why, host, port, decided): the checks that need no DNS."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return "bad url or port", "", 0, True
    scheme = parts.scheme.lower()
    if inline_ok and scheme in BROWSER_INLINE_SCHEMES:
        return None, "", 0, True
    if scheme not in ("http", "https"):
        return f"scheme {scheme!r} not allowed", "", 0, True
    host = (parts.hostname or "").rstrip(".")
    if not host:
        return "no host", "", 0, True
    port = port or (443 if scheme == "https" else 80)
    if allow_private or _host_allowed(host, port, allow_hosts):
        return None, host, port, True
    addr = _literal(host)
    if addr is not None:
        if _host_allowed(addr, port, allow_hosts) or is_public(addr):
            return None, host, port, True
        return f"{host} is the non-public address {addr}", host, port, True
    return None, host, port, False


def _resolved_refusal(host: str, port: int, addrs: list[str], allow_hosts: list[str]) -> str | None:
    for addr in addrs:
        if not (is_public(addr) or _host_allowed(addr, port, allow_hosts)):
            return f"{host} resolves to non-public address {addr}"
    return None


def refusal(url: str, allow_private: bool | None = None, allow_hosts: list[str] | None = None,
            resolve: bool = True) -> str | None:
    """Why `url` must not be fetched, or None when it may. With `resolve`, the
    host name is looked up now (the crawler instead checks at connect time)."""
    allow_private, allow_hosts = _settings(allow_private, allow_hosts)
    why, host, port, decided = _static_refusal(url, allow_private, allow_hosts)
    if decided or not resolve:
        return why
    try:
        addrs = sorted({info[4][0] for info in socket.getaddrinfo(host, port, proto=socket.IPPROTO_TCP)})
    except (socket.gaierror, UnicodeError, OSError):
        return None   # unresolvable: the download itself fails with a dns error
    return _resolved_refusal(host, port, addrs, allow_hosts)


async def arefusal(url: str, allow_private: bool | None = None, allow_hosts: list[str] | None = None,
                   inline_ok: bool = False) -> str | None:
    """`refusal` for asyncio code: the lookup does not block the loop."""
    allow_private, allow_hosts = _settings(allow_private, allow_hosts)
    why, host, port, decided = _static_refusal(url, allow_private, allow_hosts, inline_ok)
    if decided:
        return why
    try:
        infos = await asyncio.get_running_loop().getaddrinfo(host, port, proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError, OSError):
        return None
    return _resolved_refusal(host, port, sorted({i[4][0] for i in infos}), allow_hosts)


def make_guard_route(allow_private: bool | None = None, allow_hosts: list[str] | None = None,
                     timeout_s: float | None = None):
    """A Playwright route handler with these settings (default: the environment's)."""
    allow_private, allow_hosts = _settings(allow_private, allow_hosts)
    timeout_ms = 1000 * (timeout_s if timeout_s is not None else load().timeout)

    async def guard_route(route) -> None:
        url = route.request.url
        why = await arefusal(url, allow_private, allow_hosts, inline_ok=True)
        if why:
            await route.abort("blockedbyclient")
            return
        await forward_checked(route, timeout_ms)
    return guard_route


async def forward_checked(route, timeout_ms: float | None = None) -> None:
    """Let an allowed browser request go on so that its redirects come back to the route:
    Chromium follows a redirect without asking the route again, so http(s) requests are
    fetched without following and the 3xx is handed to the page, whose next request is
    routed (and checked) in turn."""
    if not route.request.url.lower().startswith(("http:", "https:")):
        await route.fallback()
        return
    if timeout_ms is None:
        timeout_ms = 1000 * load().timeout
    try:
        response = await route.fetch(max_redirects=0, timeout=timeout_ms)
    except Exception:
        await route.abort("failed")
        return
    await route.fulfill(response=response)


async def guard_route(route) -> None:
    """Playwright: `await context.route("**/*", guard_route)` refuses what the crawler would refuse.
    Requests are fetched by Playwright without following redirects, so each
    redirect target is checked too. The fetch resolves the name again: a
    rebinding answer between the two lookups is the one gap left here (pages
    are only opened on URLs the crawler already fetched through the resolver guard)."""
    await make_guard_route()(route)


class RefusedAddress(OSError):
    """A plain-socket connection the guard refused (net facts, monitor samples)."""


def connect_address(host: str, port: int, addr: str | None = None, allow_private: bool | None = None,
                    allow_hosts: list[str] | None = None) -> str:
    """The checked address to open a socket to for host:port (resolved once, here, so the
    connection uses exactly the answer that was checked); RefusedAddress when none may be used."""
    allow_private, allow_hosts = _settings(allow_private, allow_hosts)
    if addr is None:
        if allow_private or _host_allowed(host, port, allow_hosts):
            return host
        try:
            infos = socket.getaddrinfo(host, port, proto=socket.IPPROTO_TCP)
        except UnicodeError as exc:
            raise socket.gaierror(str(exc)) from None
        candidates = [info[4][0] for info in infos]
    else:
        candidates = [addr]
    for candidate in candidates:
        if allow_private or is_public(candidate) or _host_allowed(candidate, port, allow_hosts) \
                or (addr is not None and _host_allowed(host, port, allow_hosts)):
            return candidate
    raise RefusedAddress(f"{host} resolves to non-public address {candidates[0] if candidates else '?'}")


class NetGuardMiddleware:
    """Downloader middleware: the checks that need no DNS, on every request and redirect target."""

    def __init__(self):
        cfg = load()
        self.allow_private, self.allow_hosts = cfg.allow_private, cfg.allow_hosts

    def process_request(self, request, spider=None):
        why = refusal(request.url, self.allow_private, self.allow_hosts, resolve=False)
        if why:
            raise Refused(why)
        return None


@provider(IResolutionReceiver)
class _FilteringReceiver:
    def __init__(self, receiver, host: str, port: int, allow_hosts: list[str]):
        self.receiver, self.host, self.port, self.allow_hosts = receiver, host, port, allow_hosts

    def resolutionBegan(self, resolution) -> None:
        self.receiver.resolutionBegan(resolution)

    def addressResolved(self, address) -> None:
        addr = getattr(address, "host", "")
        if is_public(addr) or _host_allowed(addr, self.port, self.allow_hosts):
            self.receiver.addressResolved(address)
        else:
            REFUSED_NAMES[self.host.lower()] = f"{self.host} resolves to non-public address {addr}"

    def resolutionComplete(self) -> None:
        self.receiver.resolutionComplete()


@implementer(IHostnameResolver)
class GuardedResolver:
    """Scrapy DNS_RESOLVER: the connection only ever sees the public answers
    (no cache, so every connection is checked on the answer it uses)."""

    def __init__(self, reactor, allow_private: bool, allow_hosts: list[str]):
        self.reactor = reactor
        self.original = reactor.nameResolver
        self.allow_private, self.allow_hosts = allow_private, allow_hosts

    @classmethod
    def from_crawler(cls, crawler, reactor):
        cfg = load()
        return cls(reactor, cfg.allow_private, cfg.allow_hosts)

    def install_on_reactor(self) -> None:
        self.reactor.installNameResolver(self)

    def resolveHostName(self, resolutionReceiver, hostName, portNumber=0, addressTypes=None,
                        transportSemantics="TCP"):
        if self.allow_private or _host_allowed(hostName, portNumber, self.allow_hosts):
            receiver = resolutionReceiver
        else:
            receiver = _FilteringReceiver(resolutionReceiver, hostName, portNumber, self.allow_hosts)
        return self.original.resolveHostName(receiver, hostName, portNumber, addressTypes, transportSemantics)
