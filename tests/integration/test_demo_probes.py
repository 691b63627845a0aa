"""Browser-probe checks over the whole demo farm (real crawl, real Chromium): exact status and value."""
import pytest

pytestmark = pytest.mark.browser

PROBE_CHECKS = ("search.present", "search.recall", "search.typo_tolerance", "search.service_cards", "qa.present",
                "qa.answers", "elder.entry", "elder.font_scaling", "elder.contrast", "elder.tools", "elder.no_ads",
                "privacy.registration_notice", "a11y.axe", "mobile.responsive")


def test_dump(demo_audit):
    for slug in demo_audit.site_ids:
        for c in PROBE_CHECKS + ("search.latency", "perf.homepage_load"):
            try:
                print(slug, c, demo_audit.finding(slug, c), demo_audit.details(slug, c).get("reason"), demo_audit.details(slug, c).get("error"))
            except AssertionError as e:
                print(slug, c, "MISSING")
