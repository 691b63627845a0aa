"""One site's storage failure is contained to that site: the other sites of the run are crawled,
stored and judged, and `govaudit run` ends with exit code 1 and a line naming the site and why.

The failure is real: a homepage whose `Server` header holds a NUL byte, which PostgreSQL refuses
in the pages table's JSON headers column (SQLite stores it)."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.crawler.farm.url_farm import UrlFarm, control, nul_header
from tests.hostile.conftest import FAST

ROOT = Path(__file__).resolve().parents[3]


@pytest.mark.postgres
def test_a_site_whose_crawl_cannot_be_stored_leaves_the_others_whole(pg_url, tmp_path):
    from storage import models as m
    from storage.db import get_engine
    with UrlFarm([("nul", "某某乡人民政府", nul_header), ("control", "某某区人民政府", control)]) as farm:
        registry = farm.write_registry(tmp_path / "sites.yaml")
        inherited = {k: v for k, v in os.environ.items() if not k.startswith("GOVAUDIT_")}
        env = {**inherited, **FAST, "PYTHONPATH": str(ROOT), "GOVAUDIT_DATABASE_URL": pg_url,
               "GOVAUDIT_DATA_DIR": str(tmp_path / "data"), "GOVAUDIT_ALLOW_HOSTS": ",".join(farm.allow_hosts()),
               "COLUMNS": "300"}
        res = subprocess.run([sys.executable, "-m", "govaudit", "run", "--sites", str(registry), "--only", "avail.*",
                              "--only", "links.*"], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)
    with Session(get_engine(pg_url)) as session:     # the session's database: other tests' rows are there too
        run_id = session.scalar(select(m.Run.id).order_by(m.Run.id.desc()))
        ids = dict(session.execute(select(m.Site.url, m.Site.id).where(m.Site.url.in_([c.url for c in farm.sites]))).all())
        nul, ok = ids[farm.by_slug["nul"].url], ids[farm.by_slug["control"].url]
        found = {(sid, c): (s, v, (d or {}).get("error_kind")) for sid, c, s, v, d in session.execute(
            select(m.Finding.site_id, m.Finding.check_id, m.Finding.status, m.Finding.value, m.Finding.details)
            .where(m.Finding.run_id == run_id))}
        sites = session.execute(select(m.RunSite.site_id, m.RunSite.gathered, m.RunSite.error_kind)
                                .where(m.RunSite.run_id == run_id).order_by(m.RunSite.site_id)).all()
        stored = session.scalar(select(m.Page.url).where(m.Page.run_id == run_id, m.Page.site_id == nul))
    assert res.returncode == 1, res.stderr[-2000:]
    assert "Traceback" not in res.stderr + res.stdout
    last = res.stderr.strip().splitlines()[-1]
    assert last == (f"gathering failed for 1 site(s): 某某乡人民政府 (site {nul}): crawl: storing the crawl failed: "
                    "DataError: (psycopg.errors.UntranslatableCharacter) unsupported Unicode escape sequence")
    assert found == {
        (nul, "avail.homepage"): ("error", None, "not_gathered"), (nul, "avail.uptime"): ("error", None, "not_gathered"),
        (nul, "links.dead_homepage"): ("error", None, "not_gathered"),
        (nul, "links.dead_site"): ("error", None, "not_gathered"), (nul, "links.attachments"): ("error", None, "not_gathered"),
        (ok, "avail.homepage"): ("pass", 1, None), (ok, "avail.uptime"): ("error", None, "not_gathered"),
        (ok, "links.dead_homepage"): ("fail", 1, None), (ok, "links.dead_site"): ("pass", 0, None),
        (ok, "links.attachments"): ("pass", 0, None)}
    assert sorted(tuple(r) for r in sites) == sorted([(nul, [], "internal"), (ok, ["crawl"], None)])
    assert stored is None       # nothing half-written of the failed site
