"""Refuse requests to private, loopback, link-local and metadata addresses
(SSRF guard) unless --allow-private or --allow-host opens them."""
from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit

from scrapy.exceptions import IgnoreRequest

from govaudit.config import load


class Refused(IgnoreRequest):
    """A request the network guard refused."""


def _host_allowed(host: str, port: int, allow_hosts: list[str]) -> bool:
    for spec in allow_hosts:
        name, _, ports = spec.partition(":")
        if name.lower() != host.lower():
            continue
        if not ports:
            return True
        low, _, high = ports.partition("-")
        if int(low) <= port <= int(high or low):
            return True
    return False


def _public(addr: str) -> bool:
    ip = ipaddress.ip_address(addr.split("%")[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def refusal(url: str, allow_private: bool | None = None, allow_hosts: list[str] | None = None) -> str | None:
    """Why `url` must not be fetched, or None when it may."""
    if allow_private is None or allow_hosts is None:
        cfg = load()
        allow_private = cfg.allow_private if allow_private is None else allow_private
        allow_hosts = cfg.allow_hosts if allow_hosts is None else allow_hosts
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        return f"scheme {parts.scheme!r} not allowed"
    host = parts.hostname or ""
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        return "bad port"
    if allow_private or _host_allowed(host, port, allow_hosts):
        return None
    try:
        addrs = [ipaddress.ip_address(host).compressed]
    except ValueError:
        try:
            addrs = sorted({info[4][0] for info in socket.getaddrinfo(host, port, proto=socket.IPPROTO_TCP)})
        except (socket.gaierror, UnicodeError):
            return None   # unresolvable: let the download fail with a dns error
    for addr in addrs:
        if not _public(addr):
            return f"{host} resolves to non-public address {addr}"
    return None


class NetGuardMiddleware:
    def __init__(self):
        cfg = load()
        self.allow_private, self.allow_hosts = cfg.allow_private, cfg.allow_hosts

    def process_request(self, request, spider=None):
        why = refusal(request.url, self.allow_private, self.allow_hosts)
        if why:
            raise Refused(why)
        return None
