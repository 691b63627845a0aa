"""The generality farms: government-style sites in markup unlike the demo's.

Portals (SITES, audited by test_generality_farm.py):

- table-district: an old TRS/Hanweb-style district site, GBK bytes (charset in
  <meta> only), <table> layout, dates as (YYYY-MM-DD) cells, createPageHTML
  pager, footer marks split across elements, images with title only.
- flex-city: a modern div/flex city site: columns as tabs with 更多 links,
  MM-DD dates with the year left out, <time datetime>, new media as QR images
  with captions, 个人信息保护政策 in the footer, 解读回应.
- frame-county: a minimal county site with its header and footer in iframes,
  <br>-separated lists, a column saying 该栏目暂无内容 and one with an empty list.

Open-data platforms and hotline boards (ODH_SITES, audited by test_odh_generality.py):
- od-cards: catalogue as cards with format icons (img alt), ?page= pages, 共N条 and 数据集N个,
  metadata as key：value lines, an API badge, download buttons per format, 应用成果 with 共N个.
- od-table: catalogue as a table with 数据格式 and 接口 (有/无) columns, 下一页 links, metadata in a
  <th>/<td> table, a stated total (已开放 7 个数据资源) above what is listed, 应用展示 saying 暂无应用.
- od-spa: a single-page app whose catalogue is the JSON API its script bundle (app.*.js) fetches (apiFlag "1"/"0").
- od-badge: catalogue <li>s with format icons (<i title>), the total in a tab badge, a JS pager
  (goPage(n) → ?page=n), metadata as <label>/<span>, API as a 接口 tab (Bootstrap nav-tabs), feedback as a modal form and a
  script link (纠错), an empty 成果展示 grid under a <ul> menu.
- od-plain: a catalogue paged by a form its pager posts (pageNo=2), metadata in <dl>, no total, API in the format list (数据接口, API服务) or as
  数据接口：暂无/无, no showcase, no feedback.
- od-shell: a single-page app whose every address is built at run time (nothing for the crawl to read:
  the figures a person would need are not there, so they are errors, not zeros).
- od-empty: a 数据目录 page saying 暂无数据 (a measured 0).
- hl-table: GBK TRS-style tables (2024/5/6 dates), replies on a second page (查看答复).
- hl-cards: card lists paged by a posted form (page=2), 2024年5月6日, 答复意见 blocks with unlabelled dates, stars.
- hl-relative: <li> lists dated 05-06 and 5天前 over three pages (the last beyond the depth cap), label spans, 回访 in words, statistics without 满意率.
- hl-json: a letter list read from the JSON its page posts for, statistics with 满意率.

Pages are files under sites/<slug>/, served by the demo server (so {{date:-N}}
and {{date:-N:FORMAT}} are dates N days before today) on ephemeral ports.
"""
from __future__ import annotations

import os
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

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
ODH_SITES = [
    DemoSite(slug="od-cards", name="某某省公共数据开放平台", kind="open_data", unit="某某省人民政府", level="province"),
    DemoSite(slug="od-table", name="某某市政府数据开放网", kind="open_data", unit="某某市人民政府", level="city"),
    DemoSite(slug="od-spa", name="某某区数据开放平台", kind="open_data", unit="某某区人民政府", level="county"),
    DemoSite(slug="od-badge", name="某某州公共数据开放平台", kind="open_data", unit="某某州人民政府", level="city"),
    DemoSite(slug="od-plain", name="某某县公共数据开放专区", kind="open_data", unit="某某县人民政府", level="county"),
    DemoSite(slug="od-shell", name="某某市公共数据开放平台", kind="open_data", unit="某某市人民政府", level="city"),
    DemoSite(slug="od-empty", name="某某镇公共数据开放专栏", kind="open_data", unit="某某镇人民政府", level="other"),
    DemoSite(slug="hl-table", name="某某市12345政务服务便民热线", kind="hotline", unit="某某市人民政府", level="city",
             encoding="gbk", charset_header=False),
    DemoSite(slug="hl-cards", name="某某省政务服务网网上咨询", kind="hotline", unit="某某省人民政府", level="province"),
    DemoSite(slug="hl-relative", name="某某区政民互动平台", kind="hotline", unit="某某区人民政府", level="county"),
    DemoSite(slug="hl-json", name="某某市市长信箱", kind="hotline", unit="某某市人民政府", level="city"),
]
# Not audited: answers for the external services the footers link to (no DNS here).
REGISTRY = DemoSite(slug="registry", name="备案服务", kind="portal", unit="-")


class GeneralityFarm(DemoFarm):
    """The audited sites (the three portals unless `sites` says which) and the registry stand-in (served only)."""

    def __init__(self, sites: list[DemoSite] | None = None):
        audited = SITES if sites is None else sites
        super().__init__([DemoSite(**{**s.__dict__, "hints": dict(s.hints)}) for s in [*audited, REGISTRY]],
                         root=SITES_DIR)

    @property
    def audited(self) -> list[DemoSite]:
        return [s for s in self.sites if s.slug != REGISTRY.slug]

    def registry_rows(self) -> list[dict]:
        return [row for row, s in zip(super().registry_rows(), self.sites) if s.slug != REGISTRY.slug]


def audit(farm: GeneralityFarm, tmp: Path, only: list[str]) -> tuple[str, int, dict[str, int]]:
    """Import the audited sites and run one audit in-process (crawl and the `only` checks); (db_url, run_id, ids)."""
    from sqlalchemy import select
    from sqlalchemy.orm import Session

    from govaudit import rounds, runner
    from core.config import load
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
        run_id = rounds.start_round(session, list(ids.values()), only).id
    runner.execute(run_id, settings)
    return settings.database_url, run_id, ids


@contextmanager
def audited_farm(tmp: Path, only: list[str], sites: list[DemoSite] | None = None) -> Iterator:
    """Serve the farm, audit it once with its own database and data directory (the environment put
    back afterwards), and give the DemoAudit to read findings from while the farm still serves."""
    from tests.conftest import DemoAudit
    from tests.helpers import environ
    with GeneralityFarm(sites) as farm:
        with environ(GOVAUDIT_DATABASE_URL=f"sqlite:///{tmp / 'generality.db'}", GOVAUDIT_DATA_DIR=str(tmp / "data"),
                     GOVAUDIT_ALLOW_PRIVATE=None, GOVAUDIT_RULES_DIR=None, GOVAUDIT_ALLOW_HOSTS=None):
            db_url, run_id, site_ids = audit(farm, tmp, only)
        yield DemoAudit(db_url, tmp / "data", run_id, site_ids, farm)


def value_of(v):
    """A finding's value as the tables write it: whole numbers as int, others to 4 places."""
    if v is None:
        return None
    return int(v) if float(v).is_integer() else round(float(v), 4)
