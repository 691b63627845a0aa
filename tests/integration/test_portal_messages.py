"""A portal's own message list feeds the interact.* checks when crawled by the
portal_messages spider: the hotline-county demo registered as a portal."""
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_portal_messages_spider_reads_a_message_list(tmp_path):
    from sqlalchemy import select
    from sqlalchemy.orm import Session

    from checks.base import REGISTRY, all_checks
    from govaudit.demo.server import DemoFarm, load_sites
    from govaudit.registry import parse, upsert
    from storage import models as m
    from storage.artifacts import load_site_artifacts
    from storage.db import get_engine

    site = next(s for s in load_sites() if s.slug == "hotline-county")
    db = f"sqlite:///{tmp_path / 'p.db'}"
    with DemoFarm([site]) as farm:
        rows = farm.registry_rows()
        rows[0]["kind"] = "portal"
        import yaml
        (tmp_path / "sites.yaml").write_text(yaml.safe_dump({"sites": rows}, allow_unicode=True), encoding="utf-8")
        with Session(get_engine(db)) as session, session.begin():
            upsert(session, parse(tmp_path / "sites.yaml"))
        env = {**os.environ, "GOVAUDIT_DATABASE_URL": db, "GOVAUDIT_DATA_DIR": str(tmp_path / "data"),
               "GOVAUDIT_ALLOW_HOSTS": ",".join(farm.allow_hosts()), "SCRAPY_SETTINGS_MODULE": "crawler.settings",
               "PYTHONPATH": str(ROOT)}
        proc = subprocess.run([sys.executable, "-m", "scrapy", "crawl", "portal_messages", "-a", f"site={site.url}"],
                              cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
        assert proc.returncode == 0, proc.stderr[-2000:]
    all_checks()
    with Session(get_engine(db)) as session:
        run_id, site_id = session.execute(select(m.RunSite.run_id, m.RunSite.site_id)).one()
        arts = load_site_artifacts(session, run_id, site_id)
    assert (arts.site.kind, len(arts.messages)) == ("portal", 12)
    got = {}
    for cid in ("interact.unanswered_3m", "interact.reply_recency"):
        f = REGISTRY[cid].evaluate(arts, dict(REGISTRY[cid].thresholds))
        got[cid] = (f.status, f.value)
    assert got == {"interact.unanswered_3m": ("fail", 2), "interact.reply_recency": ("warn", 68)}
    assert "hotline" not in arts.probes["crawl"]
