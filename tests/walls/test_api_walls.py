"""Walls met by the open-data and hotline spiders' list APIs (the JSON a catalogue or letters page
loads), not by their pages.

What a person sees, written before the first audit:
- `od-control` is a city data platform: its 数据目录 page loads 3 datasets (全市人口统计, 公共停车场名录,
  公交站点; 2 offer an API) from /api/datasets. `hl-control` is a mayor's mailbox: its 信件公开 page loads
  4 letters from /api/letter/list, 3 of them replied.
- The other sites are the same sites, whose pages open as they do, but whose API answers a wall
  instead of the data: a 瑞数 challenge (412, `$_ts`), a 加速乐 challenge (521, `__jsl_clearance`), a rate
  limit (429), a CAPTCHA page (200 HTML where JSON was expected), or a 403 after which the whole site
  answers 403. A person's browser would not show those datasets or letters either: nothing can be
  said about the catalogue or the board, so every finding is `error`/`blocked` with the wall's
  evidence, never "no datasets" or "no messages".
"""
from __future__ import annotations

import pytest

from tests.walls.conftest import blocked_by_one_wall, details

PERSON_READS = {
    "od-control": {"avail.homepage": ("pass", 1, None), "identity.site_code": ("pass", 1, None),
                   "opendata.dataset_count": ("pass", 3, None), "opendata.api_count": ("pass", 2, None)},
    "hl-control": {"avail.homepage": ("pass", 1, None), "identity.site_code": ("pass", 1, None),
                   "hotline.reply_rate": ("warn", 0.75, None)},
}
# slug: (API path, product, status, signals)
API_WALLS = {
    "od-ruishu": ("/api/datasets?pageNum=1&pageSize=10", "瑞数", 412, ["script sets a cookie", "script reloads the page"]),
    "od-jiasule": ("/api/datasets?pageNum=1&pageSize=10", "加速乐", 521, ["script sets a cookie", "script reloads the page"]),
    "od-rate-429": ("/api/datasets?pageNum=1&pageSize=10", None, 429, []),
    "hl-captcha": ("/api/letter/list", None, 200, ["CAPTCHA"]),
    "hl-rate-403": ("/api/letter/list", None, 403, []),
}


@pytest.mark.parametrize("slug", sorted(PERSON_READS))
def test_the_api_is_read_without_a_wall(api_wall_audit, slug):
    found = api_wall_audit.findings(slug)
    assert {c: found[c] for c in PERSON_READS[slug]} == PERSON_READS[slug]


@pytest.mark.parametrize("slug", sorted(API_WALLS))
def test_a_walled_api_blocks_the_site(api_wall_audit, slug):
    blocked_by_one_wall(api_wall_audit, slug)


@pytest.mark.parametrize("slug", sorted(API_WALLS))
def test_api_wall_evidence(api_wall_audit, slug):
    path, product, status, signals = API_WALLS[slug]
    site = api_wall_audit.farm.by_slug[slug]
    found = details(api_wall_audit, slug)
    wall = found["avail.homepage"]["wall"]
    assert (wall["url"], wall["homepage"], wall["product"], wall["status"], wall["signals"]) == (
        site.url.rstrip("/") + path, False, product, status, signals)
    assert ("confirmed_by" in wall) == (status == 403)      # a 403: the homepage, asked again, answered 403 too
    assert found["opendata.dataset_count" if slug.startswith("od") else "hotline.reply_rate"]["error"] == (
        f"a wall{f' ({product})' if product else ''} answered instead of the site at {wall['url']} "
        f"after {wall['after_requests']} requests: {wall['reason']}")


def test_nothing_is_asked_of_the_api_after_its_wall(api_wall_audit):
    """The GET that met the wall is not tried again as a POST, nor is the wall's page read as data."""
    for slug in ("od-ruishu", "od-jiasule", "hl-captcha"):
        site = api_wall_audit.farm.by_slug[slug]
        assert [(m, p) for _, m, p in site.arrivals if p.startswith("/api/")] == [
            ("GET", API_WALLS[slug][0])], slug
