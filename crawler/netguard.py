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
The probes' browser sends every request through crawler/probes/guardproxy.py, which
applies `refusal` and `connect_address` to each one.
"""
from __future__ import annotations

import asyncio
import ipaddress
import socket
from urllib.parse import unquote, urlsplit

from scrapy.exceptions import IgnoreRequest
from twisted.internet.interfaces import IHostnameResolver, IResolutionReceiver
from zope.interface import implementer, provider

from core.config import load
from core.errors import RefusedByPolicy

BROWSER_INLINE_SCHEMES = ("data", "blob", "about")
# IPv6 space that embeds or reaches IPv4 or site-local space (refused whatever address it carries):
# IPv4-compatible (::a.b.c.d), SIIT IPv4-translated, NAT64 (well-known and local-use), site-local.
NON_PUBLIC_V6 = tuple(ipaddress.ip_network(n) for n in (
    "::/96", "::ffff:0:0:0/96", "64:ff9b::/96", "64:ff9b:1::/48", "fec0::/10"))
# host name → why its resolution was refused (this process): lets errors.classify say `refused`, not `dns`
REFUSED_NAMES: dict[str, str] = {}


class Refused(IgnoreRequest, RefusedByPolicy):
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
        if any(ip in net for net in NON_PUBLIC_V6):
            return False
        embedded = ip.ipv4_mapped or ip.sixtofour or (ip.teredo[1] if ip.teredo else None)
        if embedded is not None and not is_public(str(embedded)):
            return False
    return ip.is_global and not ip.is_multicast


def ip_literal(host: str) -> str | None:
    """The address when `host` is an IP literal in any form a resolver accepts (0x7f.1, 2130706433, [::1]),
    or a name that is loopback by definition (RFC 6761: localhost and *.localhost, as browsers treat them)."""
    host = host.strip("[]")
    if host == "localhost" or host.endswith(".localhost"):
        return "127.0.0.1"
    try:
        return ipaddress.ip_address(host.split("%")[0]).compressed
    except ValueError:
        pass
    try:
        return socket.inet_ntoa(socket.inet_aton(host))   # the legacy forms: 127.1, 0x7f000001, 017700000001
    except (OSError, UnicodeError, ValueError):
        return None


def _is_ip_spelling(host: str) -> bool:
    return host.startswith("[") or ":" in host or all(c in "0123456789abcdefx." for c in host.lower())


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
    host = parts.hostname or ""
    if "%" in host and not host.startswith("["):   # a browser percent-decodes the host: %31%32%37.0.0.1 is 127.0.0.1
        try:
            host = unquote(host, errors="strict").lower()
        except UnicodeDecodeError:
            return "bad url or port", "", 0, True
    host = host.rstrip(".")
    if not host:
        return "no host", "", 0, True
    port = port or (443 if scheme == "https" else 80)
    if allow_private or _host_allowed(host, port, allow_hosts):
        return None, host, port, True
    addr = ip_literal(host)
    if addr is not None:
        if _host_allowed(addr, port, allow_hosts) or is_public(addr):
            return None, host, port, True
        if not _is_ip_spelling(host):
            return f"{host} resolves to non-public address {addr}", host, port, True
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


class RefusedAddress(OSError, RefusedByPolicy):
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
