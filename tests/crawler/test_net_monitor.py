"""Net facts and availability samples against real servers on 127.0.0.1 / ::1."""
from __future__ import annotations

import datetime as dt
import socket
import ssl
import subprocess
import sys
import threading
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from crawler.monitor import take_sample
from crawler.net import net_facts
from tests.helpers import http_server

ROOT = Path(__file__).resolve().parents[2]


class Handler(BaseHTTPRequestHandler):
    routes: dict = {}

    def do_GET(self):
        status, headers, body = self.routes.get(self.path, (404, {}, b"missing"))
        if status == "hang":
            threading.Event().wait(5)
            return
        self.send_response(status)
        for k, v in headers.items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


class V6Server(ThreadingHTTPServer):
    address_family = socket.AF_INET6


@contextmanager
def serve(routes: dict, host: str = "127.0.0.1", tls: ssl.SSLContext | None = None):
    handler = type("H", (Handler,), {"routes": routes})
    server = (V6Server if ":" in host else ThreadingHTTPServer)((host, 0), handler)
    if tls is not None:
        server.socket = tls.wrap_socket(server.socket, server_side=True)
    with http_server(server) as port:
        yield port


def _certs(tmp_path: Path):
    """A test CA (the demo farm's kind) and a server certificate for 127.0.0.1 valid 30 days and 12 hours."""
    from govaudit.demo.tls import make_pki
    pki = make_pki(tmp_path, valid_for=dt.timedelta(days=30, hours=12))
    return pki.ca_file, pki.server_context()


@pytest.fixture(autouse=True)
def _loopback_allowed(monkeypatch):
    """These servers listen on loopback, which the SSRF guard refuses unless allowed."""
    monkeypatch.setenv("GOVAUDIT_ALLOW_HOSTS", "127.0.0.1,[::1]")


def test_https_valid_and_http_redirects(tmp_path, monkeypatch):
    ca, tls = _certs(tmp_path)
    monkeypatch.setenv("GOVAUDIT_CA_BUNDLE", str(ca))
    with serve({"/": (200, {"Strict-Transport-Security": "max-age=31536000"}, b"<html>ok</html>")}, tls=tls) as sport:
        with serve({"/": (301, {"Location": f"https://127.0.0.1:{sport}/"}, b"")}) as hport:
            facts = net_facts(f"https://127.0.0.1:{sport}/", {"http_url": f"http://127.0.0.1:{hport}/"})
    assert facts["https"]["ok"] is True and facts["https"]["cert_valid"] is True
    assert facts["https"]["expiry_days"] == 30
    assert facts["https"]["hsts"] == "max-age=31536000"
    assert facts["http_redirects_to_https"] is True
    assert (facts["aaaa"], facts["ipv6_fetch"]) == ([], {"ok": False, "reason": "no_aaaa"})


def test_untrusted_certificate_and_no_redirect(tmp_path, monkeypatch):
    _, tls = _certs(tmp_path)
    monkeypatch.delenv("GOVAUDIT_CA_BUNDLE", raising=False)
    with serve({"/": (200, {}, b"ok")}, tls=tls) as sport, serve({"/": (200, {}, b"plain")}) as hport:
        facts = net_facts(f"https://127.0.0.1:{sport}/", {"http_url": f"http://127.0.0.1:{hport}/"})
    assert (facts["https"]["ok"], facts["https"]["cert_valid"], facts["https"]["error_kind"]) == (False, False, "tls")
    assert facts["http_redirects_to_https"] is False


def _ipv6_available() -> bool:
    try:
        with socket.socket(socket.AF_INET6) as s:
            s.bind(("::1", 0))
        return True
    except OSError:
        return False


@pytest.mark.skipif(not _ipv6_available(), reason="no IPv6 loopback on this machine")
def test_fetch_over_ipv6():
    with serve({"/": (200, {}, b"<html>v6</html>")}, host="::1") as port:
        facts = net_facts(f"http://[::1]:{port}/")
    assert facts["aaaa"] == ["::1"]
    assert (facts["ipv6_fetch"]["ok"], facts["ipv6_fetch"]["status"], facts["ipv6_fetch"]["address"]) == (True, 200, "::1")


def test_samples():
    routes = {"/": (200, {}, b"x" * 100_000), "/down": (503, {}, b"busy"), "/moved": (302, {"Location": "/"}, b""),
              "/hang": ("hang", {}, b"")}
    with serve(routes) as port:
        base = f"http://127.0.0.1:{port}"
        ok = take_sample(1, base + "/")
        down = take_sample(1, base + "/down")
        moved = take_sample(1, base + "/moved")
        hung = take_sample(1, base + "/hang", timeout=0.5)
    assert (ok.ok, ok.status, ok.error_kind) == (True, 200, None)
    assert (down.ok, down.status, down.error_kind) == (False, 503, "http_503")
    assert (moved.ok, moved.status) == (True, 200)
    assert (hung.ok, hung.error_kind) == (False, "timeout")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        closed = s.getsockname()[1]
    refused = take_sample(1, f"http://127.0.0.1:{closed}/")
    assert (refused.ok, refused.error_kind) == (False, "connection")


def _cli(*args, env):
    import os
    return subprocess.run([sys.executable, "-m", "govaudit", *args], capture_output=True, text=True, cwd=ROOT,
                          env={**os.environ, "PYTHONPATH": str(ROOT), **env}, timeout=120)


def test_monitor_command_stores_samples(tmp_path):
    import sqlite3
    db = tmp_path / "m.db"
    env = {"GOVAUDIT_DATABASE_URL": f"sqlite:///{db}"}
    with serve({"/": (200, {}, b"ok")}) as port:
        reg = tmp_path / "sites.yaml"
        reg.write_text(f"sites:\n  - name: 某某市人民政府\n    url: http://127.0.0.1:{port}/\n    kind: portal\n", encoding="utf-8")
        res = _cli("--allow-host", f"127.0.0.1:{port}", "monitor", "--sites", str(reg), "--interval", "0.05",
                   "--rounds", "3", env=env)
        assert res.returncode == 0, res.stderr
    rows = sqlite3.connect(db).execute("select ok, status, error_kind from samples order by id").fetchall()
    assert rows == [(1, 200, None)] * 3


def test_monitor_bad_input_is_one_line(tmp_path):
    env = {"GOVAUDIT_DATABASE_URL": f"sqlite:///{tmp_path / 'm.db'}"}
    res = _cli("monitor", "--interval", "0", env=env)
    assert res.returncode == 2
    assert res.stderr.strip() == "error: --interval and --timeout must be positive, --rounds zero or more"
