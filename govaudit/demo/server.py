"""The demo farm: small realistic government sites served on 127.0.0.1.

Each site in sites.yaml gets its own port. Files under sites/<slug>/ are
served as they are, except that text files (.html .js .json .css .txt) are
templates: {{date:-N}} / {{date:-N:FORMAT}} become dates N days before
today (UTC), {{base}} this site's base URL, {{http}} its plain-HTTP base
(the redirector of a TLS site), {{site:SLUG}} another demo site's base URL,
{{dead}} a URL on a port where nothing listens. A site may have routes.py with
handle(req) for dynamic pages (search, Q&A, JSON APIs).

A site with `tls: true` is served over HTTPS with a certificate of the farm's
own CA (govaudit/demo/tls.py; `farm.ca_bundle` is the file to trust), and a
plain-HTTP port beside it redirects every request to it. `headers` are added
to every response of a site.
"""
from __future__ import annotations

import importlib.util
import mimetypes
import re
import shutil
import socket
import ssl
import tempfile
import threading
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

import yaml

HERE = Path(__file__).parent
SITES_DIR = HERE / "sites"
TEMPLATED = {".html", ".htm", ".js", ".json", ".css", ".txt", ".xml", ".shtml"}
TOKEN = re.compile(r"\{\{(date:-?\d+(?::[^}]*)?|base|http|dead|site:[a-z0-9_-]+)\}\}")


@dataclass
class DemoSite:
    slug: str
    name: str
    kind: str
    unit: str
    level: str | None = None
    group: str | None = None
    region: str | None = None
    encoding: str = "utf-8"
    charset_header: bool = True
    header_charset: str | None = None      # declare another charset than the body's (a lying header)
    hints: dict[str, Any] = field(default_factory=dict)
    entry: str = "/"
    tls: bool = False
    headers: dict[str, str] = field(default_factory=dict)
    port: int = 0
    http_port: int = 0                     # a TLS site's plain-HTTP redirector

    @property
    def base(self) -> str:
        return f"{'https' if self.tls else 'http'}://127.0.0.1:{self.port}"

    @property
    def http_base(self) -> str:
        return f"http://127.0.0.1:{self.http_port}" if self.tls else self.base

    @property
    def url(self) -> str:
        return self.base + self.entry


def load_sites() -> list[DemoSite]:
    data = yaml.safe_load((HERE / "sites.yaml").read_text(encoding="utf-8"))
    return [DemoSite(**row) for row in data["sites"]]


@dataclass
class Request:
    path: str
    query: dict[str, list[str]]
    method: str
    body: bytes
    headers: dict[str, str]


def render(text: str, site: DemoSite, farm: "DemoFarm", today: datetime | None = None) -> str:
    today = today or datetime.now(timezone.utc)

    def sub(match: re.Match) -> str:
        token = match.group(1)
        if token == "base":
            return site.base
        if token == "http":
            return site.http_base
        if token == "dead":
            return farm.dead_base
        if token.startswith("site:"):
            other = farm.by_slug.get(token[5:])
            return other.base if other else farm.dead_base
        _, rest = token.split(":", 1)
        days, _, fmt = rest.partition(":")
        return (today + timedelta(days=int(days))).strftime(fmt or "%Y-%m-%d")

    return TOKEN.sub(sub, text)


def _load_routes(root: Path, slug: str):
    path = root / "routes.py"
    if not path.is_file():
        return None
    spec = importlib.util.spec_from_file_location(f"govaudit_demo_routes_{slug.replace('-', '_')}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return getattr(module, "handle", None)


def _handler(site: DemoSite, farm: "DemoFarm"):
    root = farm.root / site.slug
    routes = _load_routes(root, site.slug)

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        server_version = "DemoGov/1.0"

        def log_message(self, *args) -> None:  # quiet
            pass

        def _serve(self, method: str) -> None:
            parts = urlsplit(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            req = Request(unquote(parts.path), parse_qs(parts.query), method, body,
                          {k.lower(): v for k, v in self.headers.items()})
            result = routes(req) if routes else None
            if result is None:
                result = self._static(req.path)
            status, headers, payload = result
            if isinstance(payload, str):
                payload = render(payload, site, farm).encode(site.encoding)
            self.send_response(status)
            for key, value in {**site.headers, **headers}.items():
                self.send_header(key, value)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            if method != "HEAD":
                self.wfile.write(payload)

        def _static(self, path: str):
            target = (root / path.lstrip("/")).resolve()
            if target.is_dir():
                target = target / "index.html"
            if root.resolve() not in target.parents or not target.is_file() or target.name == "routes.py":
                return 404, {"Content-Type": self._ctype(".html")}, "<html><body><h1>404 Not Found</h1></body></html>"
            if target.suffix in TEMPLATED:
                return 200, {"Content-Type": self._ctype(target.suffix)}, target.read_text(encoding="utf-8")
            ctype = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
            return 200, {"Content-Type": ctype}, target.read_bytes()

        def _ctype(self, suffix: str) -> str:
            base = {".js": "application/javascript", ".json": "application/json", ".css": "text/css",
                    ".txt": "text/plain", ".xml": "application/xml"}.get(suffix, "text/html")
            return f"{base}; charset={site.header_charset or site.encoding}" if site.charset_header else base

        def do_GET(self) -> None:
            self._serve("GET")

        def do_HEAD(self) -> None:
            self._serve("HEAD")

        def do_POST(self) -> None:
            self._serve("POST")

    return Handler


def _redirector(site: DemoSite):
    """Plain HTTP beside a TLS site: every request is sent to the same path over HTTPS."""

    class Redirect(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        server_version = "DemoGov/1.0"

        def log_message(self, *args) -> None:
            pass

        def _redirect(self) -> None:
            self.send_response(301)
            self.send_header("Location", site.base + self.path)
            self.send_header("Content-Length", "0")
            self.end_headers()

        do_GET = do_HEAD = do_POST = _redirect

    return Redirect


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address) -> None:
        import sys
        if isinstance(sys.exc_info()[1], (ssl.SSLError, ConnectionError)):
            return      # a client refusing the certificate, or hanging up: not the demo's bug
        super().handle_error(request, client_address)


class DemoFarm:
    """Serve every demo site on its own 127.0.0.1 port (ephemeral unless given)."""

    def __init__(self, sites: list[DemoSite] | None = None, base_port: int = 0, root: Path = SITES_DIR):
        self.root = Path(root)
        self.sites = sites or load_sites()
        self.by_slug = {s.slug: s for s in self.sites}
        self.base_port = base_port
        self._servers: list[ThreadingHTTPServer] = []
        self.dead_base = ""
        self.ca_bundle: str | None = None      # the CA file of the TLS sites (GOVAUDIT_CA_BUNDLE)
        self._tls_dir: str | None = None

    def __enter__(self) -> "DemoFarm":
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def start(self) -> None:
        servers = []
        context = self._tls_context() if any(s.tls for s in self.sites) else None
        for i, site in enumerate(self.sites):
            port = self.base_port + i if self.base_port else 0
            server = _Server(("127.0.0.1", port), _handler(site, self))
            site.port = server.server_address[1]
            if site.tls:
                # the handshake happens in the request's thread, so a silent client blocks nobody
                server.socket = context.wrap_socket(server.socket, server_side=True, do_handshake_on_connect=False)
                port = self.base_port + len(self.sites) + i if self.base_port else 0
                redirect = _Server(("127.0.0.1", port), _redirector(site))
                site.http_port = redirect.server_address[1]
                servers.append(redirect)
            servers.append(server)
        with socket.socket() as probe:  # a port that was free a moment ago: nothing listens there
            probe.bind(("127.0.0.1", 0))
            self.dead_base = f"http://127.0.0.1:{probe.getsockname()[1]}"
        for server in servers:
            threading.Thread(target=server.serve_forever, daemon=True).start()
        self._servers = servers

    def _tls_context(self) -> ssl.SSLContext:
        from govaudit.demo.tls import make_pki
        self._tls_dir = tempfile.mkdtemp(prefix="govaudit-demo-tls-")
        pki = make_pki(Path(self._tls_dir))
        self.ca_bundle = str(pki.ca_file)
        return pki.server_context()

    def stop(self) -> None:
        for server in self._servers:
            server.shutdown()
            server.server_close()
        self._servers = []
        if self._tls_dir:
            shutil.rmtree(self._tls_dir, ignore_errors=True)
            self._tls_dir = self.ca_bundle = None

    def allow_hosts(self) -> list[str]:
        """The farm's own host:port entries (the sites, TLS sites' redirectors, the dead port) for --allow-host."""
        return ([f"127.0.0.1:{s.port}" for s in self.sites] + [f"127.0.0.1:{s.http_port}" for s in self.sites if s.tls]
                + [self.dead_base.removeprefix("http://")])

    def trust_bundle(self, path: Path, extra: str = "") -> str | None:
        """Write the CA file to trust for this farm (with the certificates of `extra`, a CA file
        already configured) to `path`; None when no site is served over TLS."""
        if not self.ca_bundle:
            return None
        existing = Path(extra).read_bytes() if extra and Path(extra).is_file() else b""
        path.write_bytes(existing + (b"\n" if existing else b"") + Path(self.ca_bundle).read_bytes())
        return str(path)

    def registry_rows(self) -> list[dict[str, Any]]:
        return [{"name": s.name, "url": s.url, "kind": s.kind, "unit": s.unit, "level": s.level,
                 "group": s.group, "region": s.region, "hints": self._hints(s)} for s in self.sites]

    @staticmethod
    def _hints(site: DemoSite) -> dict[str, Any]:
        if not site.tls:
            return site.hints
        # the net gatherer's entry points: HTTPS here, plain HTTP on the redirector's port
        return {**site.hints, "https_url": site.url, "http_url": site.http_base + site.entry}

    def write_registry(self, path: Path) -> Path:
        path.write_text(yaml.safe_dump({"sites": self.registry_rows()}, allow_unicode=True, sort_keys=False),
                        encoding="utf-8")
        return path
