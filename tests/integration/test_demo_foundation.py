"""The foundation's checks over the whole demo farm: exact status and value per site."""
import pytest

EXPECTED = {
    # slug: {check: (status, value)}
    "portal-city": {"avail.homepage": ("pass", 1), "links.dead_homepage": ("fail", 3), "links.dead_site": ("fail", 2)},
    "portal-county": {"avail.homepage": ("pass", 1), "links.dead_homepage": ("pass", 0), "links.dead_site": ("fail", 1)},
    "portal-tls": {"avail.homepage": ("pass", 1), "links.dead_homepage": ("pass", 0), "links.dead_site": ("pass", 0)},
    # data-city: the planted dead download /files/d07.csv of the open-data demo
    "data-city": {"avail.homepage": ("pass", 1), "links.dead_homepage": ("pass", 0), "links.dead_site": ("fail", 1)},
    "data-county": {"avail.homepage": ("pass", 1), "links.dead_homepage": ("pass", 0), "links.dead_site": ("pass", 0)},
    "hotline-city": {"avail.homepage": ("pass", 1), "links.dead_homepage": ("pass", 0), "links.dead_site": ("pass", 0)},
    "hotline-county": {"avail.homepage": ("pass", 1), "links.dead_homepage": ("pass", 0), "links.dead_site": ("pass", 0)},
}


@pytest.mark.parametrize("slug", sorted(EXPECTED))
def test_foundation_checks_per_demo_site(demo_audit, slug):
    got = {check: demo_audit.finding(slug, check) for check in EXPECTED[slug]}
    assert got == EXPECTED[slug]


def test_dead_link_details_split_confirmed_and_suspected(demo_audit):
    details = demo_audit.details("portal-city", "links.dead_homepage")
    base = demo_audit.farm.by_slug["portal-city"].base
    dead = demo_audit.farm.dead_base
    assert details["confirmed"] == [f"{base}/old/page.html"]
    assert sorted(details["suspected"]) == sorted([f"{dead}/portal/", "https://bszs.conac.cn/sitename?method=show&id=1"])
    evidence = demo_audit.evidence("portal-city", "links.dead_site")
    assert [(e["ref"], e["reason"], e["linked_from"]) for e in evidence] == [
        (f"{base}/img/map.png", "http_404", [f"{base}/about.html"]),
        (f"{base}/news/missing.html", "http_404", [f"{base}/news/index.html"]),
    ]


def test_demo_availability_samples_measure_uptime(demo_audit):
    """The demo takes 20 quick samples of every homepage first, as a monitoring window would."""
    got = {slug: demo_audit.finding(slug, "avail.uptime") for slug in demo_audit.site_ids}
    assert got == {slug: ("pass", 0) for slug in demo_audit.site_ids}
    assert demo_audit.details("portal-city", "avail.uptime")["samples"] == 20
