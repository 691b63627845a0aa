"""The store on SQLite and on the real PostgreSQL server."""
import pytest
from sqlalchemy import inspect, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from checks.base import Finding
from checks.catalog import all_checks
from govaudit import rounds, runner
from storage import models as m
from storage.db import _head_revision, get_engine, insert_many


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request, tmp_path):
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 's.db'}"
    return request.getfixturevalue("pg_url")


def _site(session) -> m.Site:
    unit = m.Unit(name=f"某某市人民政府-{len(session.scalars(select(m.Unit)).all())}")
    session.add(unit)
    session.flush()
    site = m.Site(url=f"https://www{unit.id}.example.gov.cn/", name="某某市", kind="portal", unit_id=unit.id, hints={})
    session.add(site)
    session.flush()
    return site


def test_new_database_is_migrated_with_views(store):
    engine = get_engine(store)
    names = set(inspect(engine).get_table_names())
    assert {"units", "sites", "runs", "run_sites", "pages", "links", "columns", "messages", "datasets",
            "probe_results", "samples", "findings", "scores", "schedules", "alembic_version"} <= names
    assert {"latest_findings", "latest_scores"} <= set(inspect(engine).get_view_names())
    with engine.connect() as conn:
        # the newest migration in storage/migrations (revision ids are re-chained when branches merge)
        assert conn.execute(text("select version_num from alembic_version")).scalar() == _head_revision(store)


def test_findings_supersede_and_latest_view(store):
    engine = get_engine(store)
    chk = all_checks()["links.dead_homepage"]
    with Session(engine) as session, session.begin():
        site = _site(session)
        run1 = rounds.start_round(session, [site.id], ["links.dead_homepage"])
        first = runner.store_findings(session, run1.id, site.id, [(chk, Finding("fail", 3, "links", {"a": 1}))])[0]
        run2 = rounds.start_round(session, [site.id], ["links.dead_homepage"], kind="check")
        second = runner.store_findings(session, run2.id, site.id, [(chk, Finding("pass", 0, "links"))], supersede=True)[0]
        site_id, first_id, second_id = site.id, first.id, second.id
    with engine.connect() as conn:
        rows = conn.execute(text("select id, status, value, supersedes from latest_findings where site_id = :s"),
                            {"s": site_id}).all()
    assert [(r.id, r.status, r.value, r.supersedes) for r in rows] == [(second_id, "pass", 0.0, first_id)]
    with Session(engine) as session:
        history = session.execute(select(m.Finding.status, m.Finding.value, m.Finding.details)
                                  .where(m.Finding.site_id == site_id).order_by(m.Finding.id)).all()
    assert history == [("fail", 3.0, {"a": 1}), ("pass", 0.0, {})]


def test_insert_many_keeps_every_value(store):
    """Link rows go in by COPY on PostgreSQL: text that COPY's format escapes comes back as written."""
    engine = get_engine(store)
    texts = ["关于印发《某某市2024年政务公开工作要点》的通知", "tab\there", "two\nlines", "back\\slash \\N",
             "\\.", "'quoted' \"double\"", "", None]
    with Session(engine) as session, session.begin():
        site = _site(session)
        run = rounds.start_round(session, [site.id], ["links.dead_homepage"])
        rows = [dict(run_id=run.id, site_id=site.id, source_url=site.url, target_url=f"{site.url}a/{i}.html",
                     tag="a", text=t, external=i % 2 == 1) for i, t in enumerate(texts)]
        insert_many(session, m.Link.__table__, rows)
        insert_many(session, m.Link.__table__, [])
        site_id = site.id
    with Session(engine) as session:
        stored = session.execute(select(m.Link.target_url, m.Link.text, m.Link.external)
                                 .where(m.Link.site_id == site_id).order_by(m.Link.id)).all()
    assert stored == [(r["target_url"], r["text"], r["external"]) for r in rows]


def test_one_finding_per_run_site_check(store):
    engine = get_engine(store)
    chk = all_checks()["avail.homepage"]
    with Session(engine) as session, session.begin():
        site = _site(session)
        run = rounds.start_round(session, [site.id], None)
        runner.store_findings(session, run.id, site.id, [(chk, Finding("pass", 1))])
        run_id, site_id = run.id, site.id
    with pytest.raises(IntegrityError):
        with Session(engine) as session, session.begin():
            runner.store_findings(session, run_id, site_id, [(chk, Finding("fail", 0))])
    with Session(engine) as session:
        assert session.scalar(select(m.Finding.status).where(m.Finding.site_id == site_id)) == "pass"


def test_unreachable_database_is_one_line(tmp_path):
    from storage.db import DatabaseError
    with pytest.raises(DatabaseError) as info:
        get_engine("postgresql+psycopg://postgres:secret@127.0.0.1:1/nowhere")
    message = str(info.value)
    assert message.startswith("database postgresql+psycopg://postgres:***@127.0.0.1:1/nowhere does not answer: ")
    assert "secret" not in message and "\n" not in message
