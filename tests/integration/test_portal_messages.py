"""One demo site crawled on its own with a chosen kind, spider and hints:
a portal's message list (the portal spider), and registry hints that
rescue a board the crawl caps would miss."""
import os
import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]


def crawl_one(tmp_path, slug, kind, spider, hints=None):
    """Serve one demo site, register it, run `scrapy crawl SPIDER`; its artifacts."""
    from sqlalchemy import select
    from sqlalchemy.orm import Session

    from govaudit.demo.server import DemoFarm, load_sites
    from govaudit.registry import parse, upsert
    from storage import models as m
    from storage.artifacts import load_site_artifacts
    from storage.db import get_engine

    site = next(s for s in load_sites() if s.slug == slug)
    tmp_path.mkdir(parents=True, exist_ok=True)
    db = f"sqlite:///{tmp_path / 'one.db'}"
    with DemoFarm([site]) as farm:
        rows = farm.registry_rows()
        rows[0]["kind"] = kind
        rows[0]["hints"] = {k: (v.replace("BASE", site.base) if isinstance(v, str) else v) for k, v in (hints or {}).items()}
        (tmp_path / "sites.yaml").write_text(yaml.safe_dump({"sites": rows}, allow_unicode=True), encoding="utf-8")
        with Session(get_engine(db)) as session, session.begin():
            upsert(session, parse(tmp_path / "sites.yaml"))
        env = {**os.environ, "GOVAUDIT_DATABASE_URL": db, "GOVAUDIT_DATA_DIR": str(tmp_path / "data"),
               "GOVAUDIT_ALLOW_HOSTS": ",".join(farm.allow_hosts()), "SCRAPY_SETTINGS_MODULE": "crawler.settings",
               "PYTHONPATH": str(ROOT)}
        proc = subprocess.run([sys.executable, "-m", "scrapy", "crawl", spider, "-a", f"site={site.url}"],
                              cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
        assert proc.returncode == 0, proc.stderr[-2000:]
    with Session(get_engine(db)) as session:
        run_id, site_id = session.execute(select(m.RunSite.run_id, m.RunSite.site_id)).one()
        return load_site_artifacts(session, run_id, site_id)


def evaluate(arts, *check_ids):
    from checks.catalog import REGISTRY, all_checks
    all_checks()
    return {cid: (f.status, f.value) for cid in check_ids
            for f in [REGISTRY[cid].evaluate(arts, dict(REGISTRY[cid].thresholds))]}


def test_portal_messages_spider_reads_a_message_list(tmp_path):
    arts = crawl_one(tmp_path, "hotline-county", "portal", "portal")
    assert (arts.site.kind, len(arts.messages)) == ("portal", 12)
    assert evaluate(arts, "interact.unanswered_3m", "interact.reply_recency") == {
        "interact.unanswered_3m": ("fail", 2), "interact.reply_recency": ("warn", 68)}
    assert "hotline" not in arts.probes["crawl"]


def test_messages_url_hint_rescues_a_board_beyond_the_caps(tmp_path):
    capped = crawl_one(tmp_path / "a", "hotline-county", "hotline", "hotline", {"max_depth": 0})
    assert len(capped.messages) == 0
    hinted = crawl_one(tmp_path / "b", "hotline-county", "hotline", "hotline",
                       {"max_depth": 0, "messages_url": "BASE/hd/list_2.html"})
    assert len(hinted.messages) == 12
    assert evaluate(hinted, "hotline.reply_rate")["hotline.reply_rate"] == ("warn", 0.8182)
