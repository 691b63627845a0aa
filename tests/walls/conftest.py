"""One crawl audit of the wall farm, shared by the tests of this folder."""
from __future__ import annotations

import pytest

from tests.helpers import environ
from tests.hostile.conftest import HostileAudit, audit_farm, crawl_checks
from tests.walls.farm import WallFarm, api_sites


def details(audit: HostileAudit, slug: str) -> dict[str, dict]:
    """{check_id: details} of one site."""
    from sqlalchemy import select
    from sqlalchemy.orm import Session

    from storage import models as m
    from storage.db import get_engine
    with Session(get_engine(audit.db_url)) as session:
        rows = session.execute(select(m.Finding.check_id, m.Finding.details)
                               .where(m.Finding.run_id == audit.run_id,
                                      m.Finding.site_id == audit.site_ids[slug])).all()
    return {c: d or {} for c, d in rows}


def blocked_by_one_wall(audit: HostileAudit, slug: str) -> dict:
    """The wall's evidence, once every finding of the site is `error`/`blocked` with that same evidence."""
    assert set(audit.findings(slug).values()) == {("error", None, "blocked")}
    walls = [d["wall"] for d in details(audit, slug).values()]
    assert all(w == walls[0] for w in walls)
    return walls[0]


@pytest.fixture(scope="session")
def wall_audit(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("walls")
    with WallFarm() as farm, environ(GOVAUDIT_MAX_RPS=None, GOVAUDIT_HOST_CONCURRENCY=None):   # the real defaults
        yield audit_farm(farm, tmp, f"sqlite:///{tmp / 'walls.db'}", crawl_checks())


@pytest.fixture(scope="session")
def api_wall_audit(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("api-walls")
    with WallFarm(api_sites()) as farm, environ(GOVAUDIT_MAX_RPS=None, GOVAUDIT_HOST_CONCURRENCY=None):
        yield audit_farm(farm, tmp, f"sqlite:///{tmp / 'api-walls.db'}", crawl_checks())
