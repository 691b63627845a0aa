"""Net facts of a site (the "net" gatherer): AAAA records (dnspython), the TLS
certificate and its expiry, HSTS, whether plain HTTP redirects to HTTPS, and a
real fetch of the homepage over IPv6.

Registry hints: `https_url` / `http_url` name the HTTPS and plain-HTTP entry
points when they are not the default ports of the site's host.
Environment: GOVAUDIT_CA_BUNDLE, a CA file trusted in addition to the
system's (intranet audits, tests).
"""
from __future__ import annotations

import contextvars
import http.client
import ipaddress
import os
import socket
import ssl
import threading
import time
from datetime import datetime, timezone
from typing import Any
from urllib.parse import urlsplit, urlunsplit

TIMEOUT = 15.0
MAX_REDIRECTS = 10
# (allow_private, allow_hosts) of the run being gathered; (None, None): the environment's.
GUARD: contextvars.ContextVar[tuple[bool | None, list[str] | None]] = contextvars.ContextVar(
    "net_guard", default=(None, None))


def _context() -> ssl.SSLContext:
    from crawler.cabundle import bundle_path
    ctx = ssl.create_default_context()
    extra = bundle_path()
    if extra:
        ctx.load_verify_locations(cafile=extra)
    return ctx


class _Conn(http.client.HTTPConnection):
    """HTTP to a chosen address (an IPv6 one) while naming the site's host."""

    def __init__(self, host: str, port: int, addr: str | None, timeout: float):
        super().__init__(host, port, timeout=timeout)
        self._addr = addr

    def connect(self):
        from crawler.netguard import connect_address   # the SSRF guard: every hop, every address
        allow_private, allow_hosts = GUARD.get()
        address = connect_address(self.host, self.port, self._addr, allow_private, allow_hosts)
        self.sock = socket.create_connection((address, self.port), self.timeout)


class _TLSConn(_Conn):
    def __init__(self, host, port, addr, timeout, context):
        super().__init__(host, port, addr, timeout)
        self._ctx = context

    def connect(self):
        super().connect()
        self.sock = self._ctx.wrap_socket(self.sock, server_hostname=self.host)
        self.peer_cert = self.sock.getpeercert()


def _request(url: str, addr: str | None = None, method: str = "GET", timeout: float | None = None,
             read_all: bool = False) -> dict[str, Any]:
    """One request, no redirect following: status, headers, the peer certificate."""
    if timeout is None:
        from core.config import load
        timeout = load().timeout
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        from crawler.netguard import RefusedAddress
        raise RefusedAddress(f"scheme {parts.scheme!r} not allowed")
    host = parts.hostname or ""
    secure = parts.scheme == "https"
    port = parts.port or (443 if secure else 80)
    conn = (_TLSConn(host, port, addr, timeout, _context()) if secure else _Conn(host, port, addr, timeout))
    path = urlunsplit(("", "", parts.path or "/", parts.query, ""))
    # The socket timeout bounds each read only: a server trickling a byte a second would never
    # trip it. A watchdog shuts the socket when the whole exchange overruns the timeout.
    expired = threading.Event()

    def expire() -> None:
        expired.set()
        if conn.sock is not None:
            try:
                conn.sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
    watchdog = threading.Timer(timeout, expire)
    watchdog.daemon = True
    watchdog.start()
    try:
        conn.request(method, path, headers={"User-Agent": os.environ.get("GOVAUDIT_USER_AGENT", "govaudit/0.1"),
                                            "Host": parts.netloc.rsplit("@", 1)[-1]})
        resp = conn.getresponse()
        if read_all:
            while resp.read(65536):
                pass
        else:
            resp.read(65536)
        if expired.is_set():
            raise socket.timeout("response not complete within the timeout")
        cert = getattr(conn, "peer_cert", None)
        return {"status": resp.status, "headers": {k.lower(): v for k, v in resp.getheaders()}, "cert": cert}
    except Exception:
        if expired.is_set():
            raise socket.timeout("response not complete within the timeout") from None
        raise
    finally:
        watchdog.cancel()
        conn.close()


def _error_kind(exc: BaseException) -> str:
    from crawler.netguard import RefusedAddress
    if isinstance(exc, RefusedAddress):
        return "refused"
    if isinstance(exc, ssl.SSLError) or isinstance(exc, ssl.CertificateError):
        return "tls"
    if isinstance(exc, (socket.timeout, TimeoutError)):
        return "timeout"
    if isinstance(exc, socket.gaierror):
        return "dns"
    return "connection"


def _follow(url: str) -> dict[str, Any]:
    """GET following redirects; the chain and the final answer."""
    chain = [url]
    for _ in range(MAX_REDIRECTS + 1):
        r = _request(chain[-1])
        loc = r["headers"].get("location")
        if r["status"] in (301, 302, 303, 307, 308) and loc:
            from urllib.parse import urljoin
            chain.append(urljoin(chain[-1], loc))
            continue
        return {**r, "final_url": chain[-1], "chain": chain}
    return {"status": None, "final_url": chain[-1], "chain": chain, "error_kind": "too_many_redirects"}


def _expiry_days(cert: dict | None) -> int | None:
    if not cert or "notAfter" not in cert:
        return None
    expires = datetime.fromtimestamp(ssl.cert_time_to_seconds(cert["notAfter"]), timezone.utc)
    return (expires - datetime.now(timezone.utc)).days


def aaaa_records(host: str) -> tuple[list[str], str | None]:
    """IPv6 addresses of a host by DNS (an IPv6 literal is its own answer)."""
    try:
        ip = ipaddress.ip_address(host)
        return ([ip.compressed] if ip.version == 6 else []), None
    except ValueError:
        pass
    import dns.exception
    import dns.resolver
    try:
        answer = dns.resolver.resolve(host, "AAAA", lifetime=TIMEOUT)
        return sorted(r.address for r in answer), None
    except (dns.resolver.NoAnswer, dns.resolver.NXDOMAIN):
        return [], None
    except dns.exception.DNSException as exc:
        return [], f"{type(exc).__name__}: {exc}"


def https_facts(https_url: str) -> dict[str, Any]:
    try:
        r = _follow(https_url)
    except Exception as exc:  # noqa: BLE001 - every network failure is a fact here
        verify = isinstance(exc, ssl.SSLCertVerificationError)
        return {"url": https_url, "ok": False, "cert_valid": False if verify else None,
                "error_kind": _error_kind(exc), "error": str(exc).splitlines()[0][:300]}
    status = r.get("status")
    return {"url": https_url, "ok": status is not None and status < 400, "status": status,
            "final_url": r["final_url"], "cert_valid": True, "expiry_days": _expiry_days(r.get("cert")),
            "hsts": r["headers"].get("strict-transport-security")}


def http_redirect_facts(http_url: str) -> dict[str, Any]:
    try:
        r = _follow(http_url)
    except Exception as exc:  # noqa: BLE001
        # A redirect to an HTTPS endpoint that then fails still redirected.
        return {"url": http_url, "redirects_to_https": False, "error_kind": _error_kind(exc),
                "error": str(exc).splitlines()[0][:300]}
    https_hop = any(u.startswith("https://") for u in r["chain"][1:])
    return {"url": http_url, "redirects_to_https": https_hop, "chain": r["chain"], "status": r.get("status")}


def ipv6_fetch(url: str, addrs: list[str]) -> dict[str, Any]:
    if not addrs:
        return {"ok": False, "reason": "no_aaaa"}
    last: dict[str, Any] = {}
    for addr in addrs[:3]:
        started = time.monotonic()
        try:
            r = _request(url, addr=addr)
        except Exception as exc:  # noqa: BLE001
            last = {"ok": False, "address": addr, "error_kind": _error_kind(exc), "error": str(exc).splitlines()[0][:300]}
            continue
        return {"ok": r["status"] < 400, "address": addr, "status": r["status"],
                "elapsed_ms": int(1000 * (time.monotonic() - started))}
    return last


def net_facts(url: str, hints: dict | None = None) -> dict[str, Any]:
    """Every net fact of one site; never raises for network trouble."""
    hints = hints or {}
    parts = urlsplit(url)
    host = parts.hostname or ""
    https_url = hints.get("https_url") or (url if parts.scheme == "https" else urlunsplit(
        ("https", host if ":" not in host else f"[{host}]", parts.path or "/", parts.query, "")))
    http_url = hints.get("http_url") or (url if parts.scheme == "http" else urlunsplit(
        ("http", host if ":" not in host else f"[{host}]", parts.path or "/", parts.query, "")))
    aaaa, dns_error = aaaa_records(host)
    https = https_facts(https_url)
    redirect = http_redirect_facts(http_url)
    return {"host": host, "aaaa": aaaa, "dns_error": dns_error, "https": https,
            "http_redirects_to_https": redirect["redirects_to_https"], "http": redirect,
            "ipv6_fetch": ipv6_fetch(url, aaaa)}


def gather(run_id: int, site_ids: list[int], settings, needs: set[str] | None = None) -> None:
    """The "net" gatherer: one probe_results row (probe "net") per site."""
    from concurrent.futures import ThreadPoolExecutor

    from sqlalchemy.orm import Session

    from crawler.netguard import refusal
    from storage import models as m
    from storage.db import get_engine
    from storage.runs import store_probe_result

    engine = get_engine(settings.database_url)
    with Session(engine) as session:
        sites = {s.id: (s.url, s.hints or {}) for s in session.query(m.Site).filter(m.Site.id.in_(site_ids))}

    def one(site_id: int) -> tuple[int, dict[str, Any], str | None]:
        url, hints = sites[site_id]
        why = refusal(url, settings.allow_private, settings.allow_hosts)
        if why:
            return site_id, {"refused": why}, "blocked"
        token = GUARD.set((settings.allow_private, settings.allow_hosts))
        try:
            return site_id, net_facts(url, hints), None
        except Exception as exc:  # noqa: BLE001 - a bug here must not lose the other sites' facts
            import logging
            logging.getLogger(__name__).exception("net facts failed for %s", url)
            return site_id, {"error": str(exc).splitlines()[0][:300] if str(exc) else type(exc).__name__}, "internal"
        finally:
            GUARD.reset(token)

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(one, [i for i in site_ids if i in sites]))
    with Session(engine) as session, session.begin():
        for site_id, result, error_kind in results:
            store_probe_result(session, run_id, site_id, "net", result, {"python-ssl": ssl.OPENSSL_VERSION},
                               error_kind, gathered="net")
