"""`govaudit check SITE ID` live: one site, only what the check needs, a new finding
superseding the old one; the first site's fix is seen, the other site is not touched."""
from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tests.helpers import allowed, audit, served

HOME = "<html><head><meta charset='utf-8'><title>首页</title></head><body><a href='/a.html'>通知</a></body></html>"


def test_live_rerun_gathers_one_site_and_supersedes(tmp_path, monkeypatch):
    from core.config import load
    from govaudit.rounds import rerun_check
    from storage import models as m
    from storage.db import get_engine
    monkeypatch.setenv("GOVAUDIT_DATABASE_URL", f"sqlite:///{tmp_path / 'r.db'}")
    monkeypatch.setenv("GOVAUDIT_DATA_DIR", str(tmp_path / "data"))
    files = {"one": {"index.html": HOME}, "two": {"index.html": HOME}}
    with served(tmp_path, {"one": {}, "two": {}}, files) as farm:
        db_url, run_id, ids = audit(farm, tmp_path, ["links.dead_homepage", "security.https"])
        # the evaluator fixes site one's broken link, then disputes the finding
        (tmp_path / "sites" / "one" / "a.html").write_text("<html><body>通知正文</body></html>", encoding="utf-8")
        with allowed(farm):
            old, new = rerun_check(load(), farm.by_slug["one"].url, "links.dead_homepage")
            https_old, https_new = rerun_check(load(), farm.by_slug["one"].url, "security.https")
    assert (old["status"], old["value"], old["run_id"]) == ("fail", 1, run_id)
    assert (new["status"], new["value"], new["supersedes"]) == ("pass", 0, old["id"])
    assert (https_old["status"], https_new["status"], https_new["supersedes"]) == ("fail", "fail", https_old["id"])
    with Session(get_engine(db_url)) as session:
        reruns = session.execute(select(m.Run.id, m.Run.kind, m.RunSite.site_id, m.RunSite.gathered, m.RunSite.stage)
                                 .join(m.RunSite, m.RunSite.run_id == m.Run.id)
                                 .where(m.Run.id != run_id).order_by(m.Run.id)).all()
        findings = dict(session.execute(select(m.Finding.run_id, func.count()).group_by(m.Finding.run_id)).all())
        pages = dict(session.execute(select(m.Page.run_id, func.count(func.distinct(m.Page.site_id)))
                                     .group_by(m.Page.run_id)).all())
    one = ids["one"]
    # each rerun: a run of kind check over site one alone, gathering the crawl (the homepage gate) and its need
    assert [(kind, site, sorted(gathered), stage) for _, kind, site, gathered, stage in reruns] == [
        ("check", one, ["crawl"], "checked"), ("check", one, ["crawl", "net"], "checked")]
    first, second = (r[0] for r in reruns)
    assert findings == {run_id: 4, first: 1, second: 1}
    assert pages == {run_id: 2, first: 1, second: 1}
