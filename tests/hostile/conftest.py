"""One audit over the whole hostile farm, shared by the tests of this folder."""
from __future__ import annotations

from dataclasses import dataclass

import pytest

from tests.hostile.farm import HostileFarm

FAST = {"GOVAUDIT_TIMEOUT": "3", "GOVAUDIT_RETRY_AFTER_MAX": "5"}


@dataclass
class HostileAudit:
    farm: HostileFarm
    db_url: str
    run_id: int
    site_ids: dict[str, int]

    def findings(self, slug: str) -> dict[str, tuple[str, float | None, str | None]]:
        """{check_id: (status, value, details.error_kind)} of one site."""
        from sqlalchemy import select
        from sqlalchemy.orm import Session

        from storage import models as m
        from storage.db import get_engine
        with Session(get_engine(self.db_url)) as session:
            rows = session.execute(select(m.Finding.check_id, m.Finding.status, m.Finding.value, m.Finding.details)
                                   .where(m.Finding.run_id == self.run_id,
                                          m.Finding.site_id == self.site_ids[slug])).all()
        return {c: (s, v, (d or {}).get("error_kind")) for c, s, v, d in rows}

    def pages(self, slug: str) -> dict[str, tuple[str, int | None, str | None, str | None]]:
        """{url: (role, status, error_kind, title)} of one site."""
        from sqlalchemy import select
        from sqlalchemy.orm import Session

        from storage import models as m
        from storage.db import get_engine
        with Session(get_engine(self.db_url)) as session:
            rows = session.execute(select(m.Page.url, m.Page.role, m.Page.status, m.Page.error_kind, m.Page.title)
                                   .where(m.Page.run_id == self.run_id, m.Page.site_id == self.site_ids[slug])).all()
        return {u: (r, s, e, t) for u, r, s, e, t in rows}

    def crawl_facts(self, slug: str) -> dict:
        from sqlalchemy import select
        from sqlalchemy.orm import Session

        from storage import models as m
        from storage.db import get_engine
        with Session(get_engine(self.db_url)) as session:
            return session.scalar(select(m.ProbeResult.result).where(
                m.ProbeResult.run_id == self.run_id, m.ProbeResult.site_id == self.site_ids[slug],
                m.ProbeResult.probe == "crawl")) or {}


def audit_farm(farm: HostileFarm, tmp, db_url: str, only: list[str] | None = None, **settings: str) -> HostileAudit:
    """Import the farm and run one full audit in-process with short timeouts (or `settings`, e.g.
    GOVAUDIT_TIMEOUT="15"); the environment is restored."""
    from sqlalchemy import select
    from sqlalchemy.orm import Session

    from govaudit import rounds, runner
    from core.config import load
    from govaudit.registry import parse, upsert
    from storage import models as m
    from storage.db import get_engine
    from tests.helpers import environ
    env = {**FAST, **settings, "GOVAUDIT_DATABASE_URL": db_url, "GOVAUDIT_DATA_DIR": str(tmp / "data"),
           "GOVAUDIT_ALLOW_HOSTS": ",".join(farm.allow_hosts())}
    with environ(**env, GOVAUDIT_ALLOW_PRIVATE=None):
        settings = load()
        registry = farm.write_registry(tmp / "hostile.yaml")
        with Session(get_engine(db_url)) as session, session.begin():
            upsert(session, parse(registry))
            session.flush()
            by_url = dict(session.execute(select(m.Site.url, m.Site.id)).all())
            ids = {c.slug: by_url[c.url] for c in farm.sites}
            run_id = rounds.start_round(session, list(ids.values()), only).id
        runner.execute(run_id, settings)
    return HostileAudit(farm, db_url, run_id, ids)


@pytest.fixture(scope="session")
def hostile_audit(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("hostile")
    with HostileFarm() as farm:
        yield audit_farm(farm, tmp, f"sqlite:///{tmp / 'hostile.db'}", crawl_checks())


def crawl_checks() -> list[str]:
    """Every check but the browser probes': the browser's hostile cases (pop-ups, endless scripts,
    private sub-resources) have their own real-Chromium tests in test_netguard.py, and probing 23
    broken sites would multiply this audit's time."""
    from checks.catalog import all_checks
    return sorted(c.id for c in all_checks().values() if not c.needs.startswith("probe:"))
