"""Shared fixtures: databases (SQLite, real PostgreSQL) and one full demo audit."""
from __future__ import annotations

import os
import uuid
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import pytest

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "tests" / "corpus" / "real"
PG_ADMIN = os.environ.get("GOVAUDIT_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
# Tests that are not about politeness crawl unthrottled (the demo audit alone would take about a minute more at
# 5 requests/s per server); tests/walls crawls with the real defaults, which `govaudit demo` and `run` use.
os.environ.setdefault("GOVAUDIT_MAX_RPS", "0")
os.environ.setdefault("GOVAUDIT_HOST_CONCURRENCY", "16")


@pytest.fixture
def db_url(tmp_path) -> str:
    return f"sqlite:///{tmp_path / 'test.db'}"


def _pg_answers() -> str | None:
    from sqlalchemy import create_engine, text
    try:
        engine = create_engine(PG_ADMIN, connect_args={"connect_timeout": 3})
        with engine.connect() as conn:
            conn.execute(text("select 1"))
        engine.dispose()
        return None
    except Exception as exc:
        return str(exc).splitlines()[0]


@contextmanager
def fresh_pg_database(prefix: str = "govaudit_test") -> Iterator[str]:
    """A new PostgreSQL database (dropped afterwards); skips the test when the server does not answer."""
    from sqlalchemy import create_engine, text
    why = _pg_answers()
    if why:
        pytest.skip(f"PostgreSQL at {PG_ADMIN} does not answer: {why}")
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield PG_ADMIN.rsplit("/", 1)[0] + "/" + name
    finally:
        from storage.db import dispose_all
        dispose_all()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="session")
def pg_url():
    """A fresh PostgreSQL database for this test session (dropped afterwards)."""
    with fresh_pg_database() as url:
        yield url


@pytest.fixture
def env(monkeypatch, tmp_path, db_url):
    """Point the settings at a fresh SQLite database and data dir."""
    monkeypatch.setenv("GOVAUDIT_DATABASE_URL", db_url)
    monkeypatch.setenv("GOVAUDIT_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.chdir(tmp_path)
    return tmp_path


@dataclass
class DemoAudit:
    db_url: str
    data_dir: Path
    run_id: int
    site_ids: dict[str, int]
    farm: object

    def _row(self, slug: str, check_id: str):
        from sqlalchemy import select
        from sqlalchemy.orm import Session

        from storage import models as m
        from storage.db import get_engine
        with Session(get_engine(self.db_url)) as session:
            row = session.scalar(select(m.Finding).where(m.Finding.run_id == self.run_id,
                                                         m.Finding.site_id == self.site_ids[slug],
                                                         m.Finding.check_id == check_id))
        assert row is not None, f"no finding {check_id} for {slug}"
        return row

    def finding(self, slug: str, check_id: str):
        """(status, value) with whole-number values as int."""
        row = self._row(slug, check_id)
        value = row.value
        if value is not None and float(value).is_integer():
            value = int(value)
        return row.status, value

    def details(self, slug: str, check_id: str) -> dict:
        return self._row(slug, check_id).details

    def evidence(self, slug: str, check_id: str) -> list:
        return self._row(slug, check_id).evidence


@pytest.fixture(scope="session")
def demo_audit(tmp_path_factory):
    """Serve the demo farm and run one full audit over it (once per test session)."""
    from govaudit.demo.server import DemoFarm
    from tests.helpers import audit, environ

    tmp = tmp_path_factory.mktemp("demo")
    farm = DemoFarm()
    farm.start()
    try:
        # the audit's own environment: later tests see the one they started with
        with environ(GOVAUDIT_DATABASE_URL=f"sqlite:///{tmp / 'demo.db'}", GOVAUDIT_DATA_DIR=str(tmp / "data"),
                     GOVAUDIT_ALLOW_PRIVATE=None):
            db_url, run_id, site_ids = audit(farm, tmp, monitor=True)
        yield DemoAudit(db_url, tmp / "data", run_id, site_ids, farm)
    finally:
        farm.stop()
