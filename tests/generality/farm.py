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


def generality_farm() -> DemoFarm:
    return DemoFarm([DemoSite(**{**s.__dict__, "hints": dict(s.hints)}) for s in SITES], root=SITES_DIR)
