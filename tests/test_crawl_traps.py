"""The real spider on a served site with a calendar trap and session-id links."""
from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tests.helpers import audit, served


def test_calendar_and_session_ids(tmp_path, monkeypatch):
    from storage import models as m
    from storage.db import get_engine
    monkeypatch.setenv("GOVAUDIT_DATABASE_URL", f"sqlite:///{tmp_path / 't.db'}")
    monkeypatch.setenv("GOVAUDIT_DATA_DIR", str(tmp_path / "data"))
    calendar = "".join(f"<a href='/hd/cal.html?year=2026&month={i}'>{i}月</a>" for i in range(1, 41))
    sessions = "".join(f"<a href='/xw/list.html;jsessionid=S{i}'>新闻</a>" for i in range(5))
    files = {"t": {"index.html": f"<html><body>{calendar}{sessions}</body></html>",
                   "hd/cal.html": "<html><body><p>活动日历</p></body></html>",
                   "xw/list.html": "<html><body><p>新闻列表</p></body></html>"}}
    with served(tmp_path, {"t": {"hints": {"max_pages": 500}}}, files) as farm:
        db_url, run_id, ids = audit(farm, tmp_path, ["avail.homepage"])
    with Session(get_engine(db_url)) as session:
        cal = session.scalar(select(func.count()).select_from(m.Page).where(m.Page.url.like("%cal.html%")))
        news = session.scalar(select(func.count()).select_from(m.Page).where(m.Page.url.like("%list.html%")))
        crawl = session.scalar(select(m.ProbeResult.result).where(m.ProbeResult.probe == "crawl"))
    assert (cal, news) == (12, 1)
    assert crawl["trap_skipped"] == {"calendar": 28}
