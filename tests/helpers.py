"""Test helpers: serve pages, import them, crawl them with the real spider."""
from __future__ import annotations

import os
import threading
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from govaudit.demo.server import DemoFarm, DemoSite


@contextmanager
def http_server(server):
    """Serve a ready `http.server` server in a thread; yields its port; shut down afterwards."""
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address[1]
    finally:
        server.shutdown()
        server.server_close()


@contextmanager
def served(tmp_path: Path, sites: dict[str, dict], files: dict[str, dict[str, str | bytes]]):
    """Serve `files` ({slug: {path: content}}) as demo sites described by `sites` ({slug: DemoSite fields})."""
    root = tmp_path / "sites"
    for slug, entries in files.items():
        for rel, content in entries.items():
            target = root / slug / rel.lstrip("/")
            target.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, bytes):
                target.write_bytes(content)
            else:
                target.write_text(content, encoding="utf-8")
    demo_sites = [DemoSite(slug=slug, **{"name": slug, "kind": "portal", "unit": slug, **fields})
                  for slug, fields in sites.items()]
    with DemoFarm(demo_sites, root=root) as farm:
        yield farm


def cli(*args: str, cwd: Path, env_extra: dict[str, str] | None = None):
    """`govaudit ARGS` as a user runs it in `cwd`: no GOVAUDIT_* variables but `env_extra`."""
    import subprocess
    import sys
    env = {k: v for k, v in os.environ.items() if not k.startswith("GOVAUDIT_") and k != "PYTHONPATH"}
    return subprocess.run([sys.executable, "-m", "govaudit", *args], cwd=cwd,
                          env={**env, "COLUMNS": "200", **(env_extra or {})}, capture_output=True, text=True,
                          timeout=600)


def in_process(*args: str, cwd: Path, env_extra: dict[str, str] | None = None):
    """What `cli` does, in this process through the entry point (no interpreter start: for tests
    of many quick commands); a CompletedProcess with returncode, stdout and stderr."""
    import io
    import subprocess
    import sys

    from govaudit import cli
    saved_env, saved_argv, saved_cwd = dict(os.environ), sys.argv, os.getcwd()
    out, err = io.StringIO(), io.StringIO()
    saved_streams = sys.stdout, sys.stderr
    try:
        for key in [k for k in os.environ if k.startswith("GOVAUDIT_")]:
            del os.environ[key]
        os.environ.update(env_extra or {})
        os.chdir(cwd)
        sys.argv, sys.stdout, sys.stderr = ["govaudit", *args], out, err
        try:
            cli.main()
            code = 0
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 1
    finally:
        sys.stdout, sys.stderr = saved_streams
        sys.argv = saved_argv
        os.chdir(saved_cwd)
        os.environ.clear()
        os.environ.update(saved_env)
    return subprocess.CompletedProcess(["govaudit", *args], code, out.getvalue(), err.getvalue())


@contextmanager
def environ(**values: str | None):
    """Environment variables set (None: unset) for the duration, then restored."""
    saved = {k: os.environ.get(k) for k in values}
    try:
        for k, v in values.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
        yield
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def allowed(farm: DemoFarm):
    """GOVAUDIT_ALLOW_HOSTS opened to the farm's ports, for the duration."""
    return environ(GOVAUDIT_ALLOW_HOSTS=",".join(farm.allow_hosts()))


def audit(farm: DemoFarm, tmp_path: Path, only: list[str] | None = None, monitor: bool = False):
    """Import the farm, run a full audit in-process (after the demo's availability samples
    when `monitor`); return (db_url, run_id, {slug: site_id})."""
    from govaudit import rounds, runner
    from core.config import load
    from govaudit.registry import parse, upsert
    from storage import models as m
    from storage.db import get_engine
    with allowed(farm):
        settings = load()
    registry = farm.write_registry(tmp_path / "sites.yaml")
    with Session(get_engine(settings.database_url)) as session, session.begin():
        rows = parse(registry)
        upsert(session, rows)
        session.flush()
        by_url = dict(session.execute(select(m.Site.url, m.Site.id)).all())
        ids = {s.slug: by_url[s.url] for s in farm.sites}
        run_id = rounds.start_round(session, list(ids.values()), only).id
    bundle = farm.trust_bundle(tmp_path / "demo-ca.pem", os.environ.get("GOVAUDIT_CA_BUNDLE", ""))
    # the TLS demo sites' CA: valid for the audit
    with environ(GOVAUDIT_CA_BUNDLE=bundle or os.environ.get("GOVAUDIT_CA_BUNDLE")):
        if monitor:
            from govaudit.demo.run import sample_homepages
            with allowed(farm):
                sample_homepages(settings.database_url, list(ids.values()))
        runner.execute(run_id, settings)
    return settings.database_url, run_id, ids
