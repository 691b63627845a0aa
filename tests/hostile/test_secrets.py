"""A database password never shows: not on the terminal, not in crawl logs,
not in exports, not in what the database itself stores about a run."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy import create_engine, text

from core.config import redact_url
from tests.hostile.conftest import FAST
from tests.hostile.farm import HostileFarm

ROOT = Path(__file__).resolve().parents[2]
SECRET = "S3cret-Pw_93817"


def test_redact_url():
    assert redact_url(f"postgresql+psycopg://u:{SECRET}@db:5432/x") == "postgresql+psycopg://u:***@db:5432/x"
    assert redact_url("sqlite:///govaudit.db") == "sqlite:///govaudit.db"
    assert redact_url(f"redis://:{SECRET}@127.0.0.1:6379/0") == "redis://:***@127.0.0.1:6379/0"
    assert SECRET not in redact_url(f"::{SECRET}@@not a url")


def test_password_never_in_output_logs_exports_or_rows(pg_url, tmp_path):
    # trust authentication accepts any password: the URL carries one, as a production URL would
    url = pg_url.replace("postgres@", f"postgres:{SECRET}@")
    inherited = {k: v for k, v in os.environ.items() if not k.startswith("GOVAUDIT_")}
    env = {**inherited, **FAST, "PYTHONPATH": str(ROOT), "GOVAUDIT_DATABASE_URL": url,
           "GOVAUDIT_DATA_DIR": str(tmp_path / "data"), "COLUMNS": "200"}
    outputs = []

    def cli(*args):
        res = subprocess.run([sys.executable, "-m", "govaudit", *args], cwd=tmp_path, env=env,
                             capture_output=True, text=True, timeout=300)
        outputs.append(res.stdout + res.stderr)
        return res

    with HostileFarm(only=["control", "redirect-loop"]) as farm:
        registry = farm.write_registry(tmp_path / "sites.yaml")
        allow = [a for h in farm.allow_hosts() for a in ("--allow-host", h)]
        assert cli(*allow, "run", "--sites", str(registry)).returncode == 0, outputs[-1][-2000:]
    assert cli("db", "upgrade").returncode == 0
    assert "postgres:***@" in outputs[-1]
    for kind in ("findings", "sites"):
        for fmt in ("jsonl", "csv"):
            assert cli("export", kind, "--format", fmt, "--out", str(tmp_path / f"{kind}.{fmt}")).returncode == 0
    assert cli("findings", "1").returncode == 0
    # an error path too: the same server, a database that does not exist
    bad = subprocess.run(
        [sys.executable, "-m", "govaudit", "sites", "list"], cwd=tmp_path, capture_output=True, text=True,
        env={**env, "GOVAUDIT_DATABASE_URL": url.rsplit("/", 1)[0] + "/no_such_db_here"}, timeout=60)
    outputs.append(bad.stdout + bad.stderr)
    assert bad.returncode == 2 and "postgres:***@" in bad.stderr

    files = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert any(p.name == "crawl.log" for p in files) and any(p.suffix == ".jsonl" for p in files)
    for path in files:
        assert SECRET.encode() not in path.read_bytes(), path
    for out in outputs:
        assert SECRET not in out
    engine = create_engine(pg_url)
    with engine.connect() as conn:
        tables = [r[0] for r in conn.execute(text(
            "select table_name from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE'"))]
        for table in tables:
            rows = conn.execute(text(f'select * from "{table}"')).all()
            assert SECRET not in repr(rows), table
    engine.dispose()
