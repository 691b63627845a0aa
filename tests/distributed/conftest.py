"""Fixtures for distributed rounds: the real Redis, a fresh PostgreSQL database,
the demo farm imported into it, and `govaudit worker` processes.

Every test session uses its own queue name, so concurrent sessions on this
machine never take each other's tasks."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BROKER = os.environ.get("GOVAUDIT_TEST_BROKER", "redis://127.0.0.1:6379/0")


@pytest.fixture(scope="session")
def broker_queue():
    import redis
    try:
        redis.Redis.from_url(BROKER, socket_connect_timeout=3).ping()
    except Exception as exc:
        pytest.skip(f"Redis at {BROKER} does not answer: {exc}")
    queue = f"govaudit-test-{uuid.uuid4().hex[:10]}"
    yield queue
    client = redis.Redis.from_url(BROKER)
    client.delete(queue, *client.keys(f"{queue}\x06\x16*"))


@dataclass
class Cluster:
    """The demo farm in a PostgreSQL database, and the environment workers need."""
    env: dict[str, str]
    db_url: str
    site_ids: dict[str, int]
    tmp: Path
    workers: dict[str, subprocess.Popen] = field(default_factory=dict)

    def start_worker(self, name: str, concurrency: int | None = 1, loglevel: str = "warning",
                     env: dict[str, str] | None = None) -> subprocess.Popen:
        """`govaudit worker`; concurrency None: the worker's default."""
        log = (self.tmp / f"worker-{name}.log").open("ab")
        sites = ["-c", str(concurrency)] if concurrency is not None else []
        proc = subprocess.Popen([sys.executable, "-m", "govaudit", "worker", *sites,
                                 "--name", f"{name}@%h", "--loglevel", loglevel],
                                cwd=self.tmp, env={**self.env, **(env or {})}, stdout=log, stderr=subprocess.STDOUT,
                                start_new_session=True)
        self.workers[name] = proc
        return proc

    def kill_worker(self, name: str) -> None:
        """SIGKILL the worker and everything it started (as when its machine dies)."""
        proc = self.workers.pop(name)
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        proc.wait()

    def stop_workers(self) -> None:
        for name in list(self.workers):
            proc = self.workers[name]
            try:
                os.killpg(proc.pid, signal.SIGTERM)
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
            except ProcessLookupError:
                pass
            del self.workers[name]

    def cli(self, *args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "govaudit", *args], cwd=self.tmp, env=self.env,
                              capture_output=True, text=True, timeout=120)

    def run_status(self, run_id: int) -> str:
        from sqlalchemy.orm import Session

        from storage import models as m
        from storage.db import get_engine
        with Session(get_engine(self.db_url)) as session:
            return session.get(m.Run, run_id).status

    def wait_finished(self, run_id: int, timeout: float = 300) -> None:
        # a bound on a hung test, not a timing assertion
        end = time.monotonic() + timeout
        while self.run_status(run_id) != "finished":
            if time.monotonic() > end:
                logs = "\n".join((self.tmp / f"worker-{n}.log").read_text(errors="replace")[-3000:]
                                 for n in sorted(p.stem[7:] for p in self.tmp.glob("worker-*.log")))
                raise AssertionError(f"run {run_id} did not finish; worker logs:\n{logs}")
            time.sleep(0.5)


@pytest.fixture(scope="session")
def cluster(pg_url, broker_queue, tmp_path_factory):
    from sqlalchemy import select
    from sqlalchemy.orm import Session

    from govaudit.demo.server import DemoFarm
    from govaudit.registry import parse, upsert
    from storage import models as m
    from storage.db import get_engine

    tmp = tmp_path_factory.mktemp("cluster")
    farm = DemoFarm()
    farm.start()
    env = {**os.environ, "GOVAUDIT_DATABASE_URL": pg_url, "GOVAUDIT_DATA_DIR": str(tmp / "data"),
           "GOVAUDIT_BROKER_URL": BROKER, "GOVAUDIT_QUEUE": broker_queue,
           "GOVAUDIT_ALLOW_HOSTS": ",".join(farm.allow_hosts()),
           # short enough that a killed worker's site comes back within the test
           "GOVAUDIT_LEASE_SECONDS": "6", "GOVAUDIT_VISIBILITY_TIMEOUT": "12", "GOVAUDIT_RETRY_BACKOFF": "1",
           "PYTHONPATH": str(ROOT)}
    env.pop("GOVAUDIT_ALLOW_PRIVATE", None)
    bundle = farm.trust_bundle(tmp / "demo-ca.pem", os.environ.get("GOVAUDIT_CA_BUNDLE", ""))
    if bundle:
        env["GOVAUDIT_CA_BUNDLE"] = bundle
    with Session(get_engine(pg_url)) as session, session.begin():
        upsert(session, parse(farm.write_registry(tmp / "sites.yaml")))
        session.flush()
        by_url = dict(session.execute(select(m.Site.url, m.Site.id)).all())
        site_ids = {s.slug: by_url[s.url] for s in farm.sites}
    c = Cluster(env, pg_url, site_ids, tmp)
    try:
        yield c
    finally:
        c.stop_workers()
        farm.stop()
