"""The console at national scale: PostgreSQL with 14,500 synthetic sites and one round of their
findings (69 checks each: about 1 M rows), then the p50/p95 time of the pages evaluators open
most: the site list, a site page, a check across sites, and the API's findings endpoint.

    python -m bench.console                  # build database console_bench (kept), measure
    python -m bench.console --requests 100   # more requests per page
    python -m bench.console --rebuild        # drop and rebuild the data first

Requests go through the ASGI app in this process (Starlette's test client): the figures are
the app's and the database's time, without a network in between. Needs PostgreSQL
(GOVAUDIT_TEST_PG, default postgresql+psycopg://postgres@127.0.0.1:5432/test: the database
console_bench is created beside it and kept, so a second run measures at once).
"""
from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import tempfile
import time
from datetime import datetime, timezone

PG_ADMIN = os.environ.get("GOVAUDIT_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
NAME = "console_bench"
SITES = 14_500
UNITS = 3_300
STATUSES = ["pass"] * 70 + ["fail"] * 12 + ["warn"] * 8 + ["not_applicable"] * 6 + ["error"] * 4
GROUPS = ["省级", "地级市", "区县", "部委"]
PASSWORD = "bench password"


def _admin():
    from sqlalchemy import create_engine
    return create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")


def database_url(rebuild: bool) -> tuple[str, bool]:
    """The bench database's URL, and whether it must be filled."""
    from sqlalchemy import text
    admin = _admin()
    with admin.connect() as conn:
        exists = conn.scalar(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": NAME})
        if exists and rebuild:
            conn.execute(text(f'DROP DATABASE "{NAME}" WITH (FORCE)'))
            exists = None
        if not exists:
            conn.execute(text(f'CREATE DATABASE "{NAME}"'))
    admin.dispose()
    url = PG_ADMIN.rsplit("/", 1)[0] + "/" + NAME
    if not exists:
        return url, True
    from sqlalchemy import create_engine
    engine = create_engine(url)
    with engine.connect() as conn:
        filled = conn.scalar(text("SELECT count(*) FROM sites")) == SITES if _has_sites(conn) else False
    engine.dispose()
    return url, not filled


def _has_sites(conn) -> bool:
    from sqlalchemy import inspect
    return inspect(conn).has_table("sites")


def fill(url: str) -> None:
    """Units, sites, one finished round and a finding per check and site, written with COPY."""
    from checks.catalog import all_checks
    from govaudit.console.users import add_user
    from storage.db import get_engine, session_scope
    engine = get_engine(url)
    checks = sorted(all_checks())
    rnd = random.Random(7)
    now = datetime.now(timezone.utc)
    started = time.time()
    raw = engine.raw_connection()
    try:
        cur = raw.cursor()
        with cur.copy('COPY units (id, name, level, region, "group") FROM STDIN') as copy:
            for u in range(1, UNITS + 1):
                copy.write_row((u, f"合成单位{u:05d}人民政府", "county", f"{110000 + u:06d}", GROUPS[u % 4]))
        with cur.copy('COPY sites (id, url, name, kind, unit_id, level, "group", region, hints, created_at, '
                      'updated_at) FROM STDIN') as copy:
            for s in range(1, SITES + 1):
                unit = (s - 1) % UNITS + 1
                kind = ("portal", "open_data", "hotline")[s % 3]
                copy.write_row((s, f"https://site{s:05d}.example.gov.cn/", f"合成网站{s:05d}", kind, unit, "county",
                                GROUPS[unit % 4], f"{110000 + unit:06d}", "{}", now, now))
        cur.execute("INSERT INTO runs (id, kind, status, started_at, finished_at, options) "
                    "VALUES (1, 'round', 'finished', %s, %s, '{}')", (now, now))
        with cur.copy("COPY run_sites (run_id, site_id, stage, gathered, updated_at) FROM STDIN") as copy:
            for s in range(1, SITES + 1):
                copy.write_row((1, s, "checked", '["crawl"]', now))
        with cur.copy("COPY findings (run_id, site_id, check_id, check_version, status, value, unit_of_value, "
                      "details, evidence, tool_versions, measured_at, adopted) FROM STDIN") as copy:
            for s in range(1, SITES + 1):
                for cid in checks:
                    status = rnd.choice(STATUSES)
                    evidence = ([{"kind": "url", "ref": f"https://site{s:05d}.example.gov.cn/p{i}.html"}
                                 for i in range(3)] if status == "fail" else [])
                    details = {"error_kind": "timeout", "error": "no answer"} if status == "error" else {}
                    copy.write_row((1, s, cid, "1", status, rnd.randint(0, 100), "", json.dumps(details),
                                    json.dumps(evidence), "{}", now, True))
        for table in ("units", "sites", "runs", "run_sites", "findings"):
            cur.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
        raw.commit()
        raw.autocommit = True
        # statistics, and the visibility map an index-only scan needs (autovacuum would set it later)
        cur.execute("VACUUM ANALYZE")
    finally:
        raw.close()
    with session_scope(url) as s:
        add_user(s, "bench", "admin", PASSWORD)
    findings = SITES * len(checks)
    print(f"filled {NAME}: {SITES:,} sites, {findings:,} findings in {time.time() - started:.0f} s")


def _client(url: str):
    from fastapi.testclient import TestClient

    from core.config import load
    from govaudit.console.app import create_app
    os.environ["GOVAUDIT_DATABASE_URL"] = url
    os.environ.setdefault("GOVAUDIT_DATA_DIR", tempfile.mkdtemp(prefix="console-bench-"))
    os.environ.setdefault("GOVAUDIT_CONSOLE_SECRET", "bench-" + "x" * 40)
    client = TestClient(create_app(load()))
    import re
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").text).group(1)
    assert client.post("/login", data={"name": "bench", "password": PASSWORD, "csrf_token": token},
                       follow_redirects=False).status_code == 303
    return client


def measure(client, requests: int) -> list[tuple[str, float, float]]:
    from checks.catalog import all_checks
    checks = sorted(all_checks())
    rnd = random.Random(11)
    pages = {
        "site list (/sites, a random page of 50)": lambda: f"/sites?page={rnd.randint(1, SITES // 50)}",
        "site list filtered (group + search)": lambda: f"/sites?group={GROUPS[rnd.randrange(4)]}&q=网站{rnd.randint(1, 99)}",
        "a site (/sites/ID)": lambda: f"/sites/{rnd.randint(1, SITES)}",
        "a check across sites (/checks/ID, 100 rows)": lambda: f"/checks/{rnd.choice(checks)}",
        "a check across sites, fails only": lambda: f"/checks/{rnd.choice(checks)}?status=fail&sort=site",
        "API findings (run + check glob, 100)": lambda: f"/api/v1/findings?run=1&check={rnd.choice(checks).split('.')[0]}.*",
        "API findings (run, cursor deep in the round)": lambda: f"/api/v1/findings?run=1&cursor={rnd.randint(1, 990_000)}",
        "API findings (status fail)": lambda: f"/api/v1/findings?status=fail&cursor={rnd.randint(1, 990_000)}",
    }
    out = []
    for label, path in pages.items():
        client.get(path())                      # warm
        times = []
        for _ in range(requests):
            p = path()
            t0 = time.perf_counter()
            answer = client.get(p)
            times.append((time.perf_counter() - t0) * 1000)
            assert answer.status_code == 200, (p, answer.status_code)
        times.sort()
        out.append((label, statistics.median(times), times[max(0, int(len(times) * 0.95) - 1)]))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=50, help="requests per page (default 50)")
    parser.add_argument("--rebuild", action="store_true", help="drop and refill the bench database")
    args = parser.parse_args()
    url, empty = database_url(args.rebuild)
    if empty:
        fill(url)
    client = _client(url)
    print(f"{'page':<48} {'p50 ms':>8} {'p95 ms':>8}")
    for label, p50, p95 in measure(client, args.requests):
        print(f"{label:<48} {p50:>8.0f} {p95:>8.0f}")


if __name__ == "__main__":
    main()
