"""The generality farm: three government-style portals in markup unlike the demo's.

- table-district: an old TRS/Hanweb-style district site, GBK bytes (charset in
  <meta> only), <table> layout, dates as (YYYY-MM-DD) cells, createPageHTML
  pager, footer marks split across elements, images with title only.
- flex-city: a modern div/flex city site: columns as tabs with 更多 links,
  MM-DD dates with the year left out, <time datetime>, new media as QR images
  with captions, 个人信息保护政策 in the footer, 解读回应.
- frame-county: a minimal county site with its header and footer in iframes,
  <br>-separated lists, a column saying 该栏目暂无内容 and one with an empty list.

Pages are files under sites/<slug>/, served by the demo server (so {{date:-N}}
and {{date:-N:FORMAT}} are dates N days before today) on ephemeral ports.
"""
from __future__ import annotations

import os
from pathlib import Path

from govaudit.demo.server import DemoFarm, DemoSite

SITES_DIR = Path(__file__).parent / "sites"

SITES = [
    DemoSite(slug="table-district", name="某某区人民政府", kind="portal", unit="某某区人民政府", level="county",
             encoding="gbk", charset_header=False, hints={"domain": "www.mmqu.gov.cn"}),
    DemoSite(slug="flex-city", name="某某市人民政府", kind="portal", unit="某某市人民政府", level="city",
             hints={"domain": "www.mmshi.gov.cn"}),
    DemoSite(slug="frame-county", name="某某县人民政府", kind="portal", unit="某某县人民政府", level="county",
             hints={"domain": "www.mmxian.cn"}),
]
# Not audited: answers for the external services the footers link to (no DNS here).
REGISTRY = DemoSite(slug="registry", name="备案服务", kind="portal", unit="-")


class GeneralityFarm(DemoFarm):
    """The three portals (audited) and the registry stand-in (served only)."""

    def __init__(self):
        super().__init__([DemoSite(**{**s.__dict__, "hints": dict(s.hints)}) for s in [*SITES, REGISTRY]],
                         root=SITES_DIR)

    @property
    def audited(self) -> list[DemoSite]:
        return [s for s in self.sites if s.slug != REGISTRY.slug]

    def registry_rows(self) -> list[dict]:
        return [row for row, s in zip(super().registry_rows(), self.sites) if s.slug != REGISTRY.slug]


def audit(farm: GeneralityFarm, tmp: Path, only: list[str]) -> tuple[str, int, dict[str, int]]:
    """Import the portals and run one audit in-process (crawl and the `only` checks); (db_url, run_id, ids)."""
    from sqlalchemy import select
    from sqlalchemy.orm import Session

    from govaudit import runner
    from govaudit.config import load
    from govaudit.registry import parse, upsert
    from storage import models as m
    from storage.db import get_engine
    os.environ["GOVAUDIT_ALLOW_HOSTS"] = ",".join(farm.allow_hosts())
    try:
        settings = load()
    finally:
        os.environ.pop("GOVAUDIT_ALLOW_HOSTS")
    registry = farm.write_registry(tmp / "sites.yaml")
    with Session(get_engine(settings.database_url)) as session, session.begin():
        upsert(session, parse(registry))
        session.flush()
        by_url = dict(session.execute(select(m.Site.url, m.Site.id)).all())
        ids = {s.slug: by_url[s.url] for s in farm.audited}
        run_id = runner.create_run(session, list(ids.values()), only).id
    runner.execute(run_id, settings)
    return settings.database_url, run_id, ids
