"""Polite by default: per server at most 2 requests in flight and 5 starts per second,
Crawl-delay, Retry-After and the `max_rps` hint honoured. The farm's servers count what
reached them; the crawl runs with the real defaults (no GOVAUDIT_MAX_RPS or
GOVAUDIT_HOST_CONCURRENCY). About 8 s."""
from __future__ import annotations

import pytest

from tests.helpers import environ
from tests.hostile.conftest import audit_farm
from tests.walls.farm import Site, WallFarm

JITTER = 0.15     # the server stamps arrivals, not the crawler's sends: allow this much scheduling jitter


def starts(site: Site) -> list[float]:
    return sorted(t for t, _, path in site.arrivals)


def within_rate(times: list[float], rps: float) -> bool:
    """At most `rps` request starts per second: on average over the crawl, and in any 2-second window
    (one more allowed there: the server stamps arrivals, and a loaded machine delays one stamp, not the sends)."""
    average = times[-1] - times[0] >= (len(times) - 1) / rps - JITTER
    return average and max_per_window(times, 2.0) <= 2 * rps + 1


def max_per_window(times: list[float], window: float) -> int:
    """Most request starts seen within any `window` seconds (less the jitter)."""
    most, j = 0, 0
    for i, t in enumerate(times):
        while times[i] - times[j] >= window - JITTER:
            j += 1
        most = max(most, i - j + 1)
    return most


@pytest.fixture(scope="module")
def polite_crawl(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("polite")
    sites = [Site("fast", "快速站点", extra=24, latency=0.01),
             Site("slow", "慢速站点", extra=10, latency=0.6),
             Site("crawl-delay", "爬取间隔", extra=5, robots="User-agent: *\nCrawl-delay: 0.8\nAllow: /\n"),
             Site("retry-after", "稍后重试", extra=5, retry_after=("/p/1.html", 2)),
             Site("hinted", "限速提示", extra=5, hints={"max_rps": 2})]
    with WallFarm(sites) as farm, environ(GOVAUDIT_MAX_RPS=None, GOVAUDIT_HOST_CONCURRENCY=None):
        audit = audit_farm(farm, tmp, f"sqlite:///{tmp / 'polite.db'}", ["avail.homepage", "links.dead_site"])
        yield farm, audit


def test_default_limits_per_server(polite_crawl):
    farm, audit = polite_crawl
    fast, slow = farm.by_slug["fast"], farm.by_slug["slow"]
    assert len(fast.arrivals) == 26 and len(slow.arrivals) == 12       # robots.txt, homepage, every page
    assert fast.max_in_flight <= 2 and slow.max_in_flight <= 2
    assert within_rate(starts(fast), 5)
    assert audit.findings("fast")["links.dead_site"] == ("pass", 0, None)


def test_crawl_delay_honoured(polite_crawl):
    farm, _ = polite_crawl
    times = starts(farm.by_slug["crawl-delay"])
    assert len(times) == 7
    # robots.txt comes first; from then on the server's Crawl-delay of 0.8 s holds
    assert min(b - a for a, b in zip(times[1:], times[2:])) >= 0.8 - JITTER


def test_retry_after_holds_the_whole_server(polite_crawl):
    farm, audit = polite_crawl
    site = farm.by_slug["retry-after"]
    refused = next(t for t, _, path in site.arrivals if path == "/p/1.html")
    after = [t for t, _, path in site.arrivals if t > refused]
    assert after and min(after) - refused >= 2 - JITTER
    assert audit.pages("retry-after")[f"{site.url}p/1.html"][:3] == ("page", 200, None)   # then fetched, not dead


def test_max_rps_hint(polite_crawl):
    farm, _ = polite_crawl
    times = starts(farm.by_slug["hinted"])
    assert within_rate(times, 2)
