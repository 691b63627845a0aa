"""The scheduler: due schedules start rounds, missed due times are reported,
and a schedule never runs two rounds at once."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.config import load
from core.errors import UserError
from govaudit import scheduler
from storage import models as m
from storage.db import get_engine

REGISTRY = """name,url,kind,group
某某市人民政府,https://www.a.example.gov.cn/,portal,地级市
某某区人民政府,https://www.b.example.gov.cn/,portal,地级市
某某县人民政府,https://www.c.example.gov.cn/,portal,县
"""


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=timezone.utc)


@pytest.fixture
def registry(env, db_url):
    from govaudit.registry import parse, upsert
    path = env / "sites.csv"
    path.write_text(REGISTRY, encoding="utf-8")
    with Session(get_engine(db_url)) as session, session.begin():
        upsert(session, parse(path))
    return path


def runs(db_url: str) -> list[m.Run]:
    with Session(get_engine(db_url), expire_on_commit=False) as session:
        return list(session.scalars(select(m.Run).order_by(m.Run.id)))


def test_due_schedule_starts_one_round_and_reports_missed_due_times(registry, db_url):
    started = []
    with Session(get_engine(db_url)) as session, session.begin():
        sid = scheduler.add(session, "0 2 * * *", "地级市", ["avail.*"], None, now=utc(2026, 1, 5, 0, 0)).id
    assert scheduler.tick(load(), now=utc(2026, 1, 5, 1, 59), dispatch=lambda r, s: started.append(r)) == []
    events = scheduler.tick(load(), now=utc(2026, 1, 7, 3, 0), dispatch=lambda r, s: started.append(r))
    [run] = runs(db_url)
    assert [(e.schedule_id, e.action, e.run_id, e.due_at, e.missed, e.missed_total) for e in events] == [
        (sid, "started", run.id, utc(2026, 1, 7, 2, 0), [utc(2026, 1, 5, 2, 0), utc(2026, 1, 6, 2, 0)], 2)]
    assert events[0].text == (f"schedule {sid}: started round {run.id} (2 sites) for 2026-01-07 02:00 UTC; "
                              f"missed 2 earlier due time(s): 2026-01-05 02:00, 2026-01-06 02:00")
    assert started == [run.id]
    assert run.status == "running"
    assert run.options["only"] == ["avail.*"]
    assert run.options["schedule_id"] == sid
    assert run.options["missed_due"] == ["2026-01-05T02:00:00+00:00", "2026-01-06T02:00:00+00:00"]
    assert len(run.options["site_ids"]) == 2


def test_a_schedule_whose_round_still_runs_does_not_start_a_second(registry, db_url):
    started = []
    dispatch = lambda r, s: started.append(r)    # noqa: E731
    with Session(get_engine(db_url)) as session, session.begin():
        scheduler.add(session, "0 2 * * 1", str(registry), [], "inspection", now=utc(2026, 1, 1))
    [first] = scheduler.tick(load(), now=utc(2026, 1, 5, 2, 0), dispatch=dispatch)
    assert (first.action, first.missed_total) == ("started", 0)
    waiting = scheduler.tick(load(), now=utc(2026, 1, 12, 2, 30), dispatch=dispatch)
    assert [(e.action, e.run_id) for e in waiting] == [("waiting", first.run_id)]
    assert "is still running; waiting" in waiting[0].text
    assert len(runs(db_url)) == 1 and started == [first.run_id]
    with Session(get_engine(db_url)) as session, session.begin():
        session.get(m.Run, first.run_id).status = "finished"
    [second] = scheduler.tick(load(), now=utc(2026, 1, 19, 3, 0), dispatch=dispatch)
    assert (second.action, second.due_at) == ("started", utc(2026, 1, 19, 2, 0))
    assert second.missed == [utc(2026, 1, 12, 2, 0)]       # the week it waited is reported, not dropped
    assert started == [first.run_id, second.run_id]
    assert [r.options["framework"] for r in runs(db_url)] == ["inspection", "inspection"]
    assert len(runs(db_url)[1].options["site_ids"]) == 3   # the registry file is re-imported each round


def test_bad_schedules_are_refused(registry, db_url):
    with Session(get_engine(db_url)) as session:
        with pytest.raises(UserError, match="invalid cron expression '61 \\* \\* \\* \\*'"):
            scheduler.add(session, "61 * * * *", "all")
        with pytest.raises(UserError, match="neither a registry file nor a site group"):
            scheduler.add(session, "0 2 * * *", "省级")
        with pytest.raises(UserError, match="no check matches .nope.nothing."):
            scheduler.add(session, "0 2 * * *", "all", ["nope.nothing"])


def test_an_edited_schedule_counts_its_due_times_from_the_edit(registry, db_url):
    """A new time starts nothing for the due times it would have had before the edit; bad values
    change nothing."""
    with Session(get_engine(db_url)) as session, session.begin():
        sid = scheduler.add(session, "0 2 * * *", "all", now=utc(2026, 11, 1)).id
    with Session(get_engine(db_url)) as session, session.begin():
        with pytest.raises(UserError, match="invalid cron expression"):
            scheduler.edit(session, sid, "0 25 * * *")
        with pytest.raises(UserError, match="neither a registry file nor a site group"):
            scheduler.edit(session, sid, sites="省级")
        with pytest.raises(UserError, match="no schedule 999"):
            scheduler.edit(session, 999, "0 3 * * *")
    with Session(get_engine(db_url)) as session, session.begin():
        sched = scheduler.edit(session, sid, "0 3 * * 1", "地级市", now=utc(2026, 11, 20))
        assert (sched.cron, sched.sites, sched.last_due_at) == ("0 3 * * 1", "地级市", utc(2026, 11, 20))
        scheduler.edit(session, sid, sites="县")           # the sites alone: the due times stay
        assert (sched.cron, sched.sites, sched.last_due_at) == ("0 3 * * 1", "县", utc(2026, 11, 20))
    events = scheduler.tick(load(), now=utc(2026, 11, 24, 4), dispatch=lambda run_id, settings: None)
    assert [(e.action, e.due_at, e.missed_total) for e in events] == [("started", utc(2026, 11, 23, 3), 0)]


@pytest.mark.postgres
@pytest.mark.redis
def test_scheduler_command_queues_a_due_round_once(cluster):
    import redis
    with Session(get_engine(cluster.db_url)) as session, session.begin():
        sid = scheduler.add(session, "*/5 * * * *", "all", [], None, now=utc(2026, 1, 1)).id
        before = session.scalar(select(func.max(m.Run.id))) or 0
        # "all": every site of the database, which the session's other PostgreSQL tests may have added to
        n = session.scalar(select(func.count()).select_from(m.Site))
    client = redis.Redis.from_url(cluster.env["GOVAUDIT_BROKER_URL"])
    queue = cluster.env["GOVAUDIT_QUEUE"]
    try:
        out = cluster.cli("scheduler", "--once")
        assert out.returncode == 0, out.stderr
        with Session(get_engine(cluster.db_url)) as session:
            run_id = session.scalar(select(m.Schedule.last_run_id).where(m.Schedule.id == sid))
        assert run_id > before
        assert f"schedule {sid}: started round {run_id} ({n} sites)" in out.stdout
        assert "missed" in out.stdout            # every five minutes since 2026-01-01
        assert client.llen(queue) == n
        with Session(get_engine(cluster.db_url)) as session, session.begin():
            session.get(m.Schedule, sid).last_due_at = utc(2026, 1, 1)     # due again, the round still running
        again = cluster.cli("scheduler", "--once")
        assert f"round {run_id} is still running; waiting" in again.stdout
        assert client.llen(queue) == n
        with Session(get_engine(cluster.db_url)) as session:
            assert session.scalar(select(func.max(m.Run.id))) == run_id
    finally:
        client.delete(queue)
        with Session(get_engine(cluster.db_url)) as session, session.begin():
            session.get(m.Schedule, sid).enabled = False
            session.execute(m.Run.__table__.update().where(m.Run.id > before).values(status="finished"))


def test_a_long_outage_lists_the_latest_due_times_without_walking_them_all():
    found, total = scheduler.due_times("*/5 * * * *", utc(2026, 1, 1), utc(2026, 3, 1))
    assert total == scheduler.COUNT_LIMIT + 1
    assert len(found) == scheduler.MAX_LISTED_MISSED + 1
    assert (found[0], found[-1]) == (utc(2026, 2, 28, 15, 40), utc(2026, 3, 1))
