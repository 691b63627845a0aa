"""An audit over the hostile farm: every site gets a finding or an error with
the right error_kind for every check, traps end, caps hold, nobody gets in."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest

from checks.catalog import all_checks
from tests.hostile.farm import BIG

# homepage cases: avail.homepage fails (or is `error` for a wall) with this kind, every other check is `error` with it
UNREACHABLE = {
    "redirect-loop": "too_many_redirects",
    "redirect-chain": "too_many_redirects",
    "silent": "timeout",
    "trickle": "timeout",
    "reset": "connection",
    "bad-length": "connection",
}
WALLED = {"waf-wall": "blocked", "storm-endless": "blocked"}
HEALTHY = ["control", "calendar", "session-ids", "repeated-path", "query-perms", "sizes", "storm", "gbk-as-utf8",
           "utf8-as-gbk", "nested", "garbage", "schemes", "private-links", "popups", "js-loop"]


def test_every_site_has_every_check_exactly_once(hostile_audit):
    portal_checks = {c.id for c in all_checks().values() if c.applies_to("portal") and not c.needs.startswith("probe:")}
    assert sorted([*UNREACHABLE, *WALLED, *HEALTHY]) == sorted(hostile_audit.site_ids)
    for slug in hostile_audit.site_ids:
        assert set(hostile_audit.findings(slug)) == portal_checks, slug


@pytest.mark.parametrize("slug,kind", sorted(UNREACHABLE.items()))
def test_unreachable_homepage_error_kind(hostile_audit, slug, kind):
    found = hostile_audit.findings(slug)
    assert found.pop("avail.homepage") == ("fail", 0, kind)
    assert found and set(found.values()) == {("error", None, kind)}


@pytest.mark.parametrize("slug,kind", sorted(WALLED.items()))
def test_walled_site_is_blocked_not_empty(hostile_audit, slug, kind):
    assert set(hostile_audit.findings(slug).values()) == {("error", None, kind)}


def test_healthy_sites_have_no_errors(hostile_audit):
    """Only `not_gathered` (nothing of that kind on these pages, no monitor samples), or a browser probe's
    `timeout`, may be an error here: never `internal`, never a crawl-level network kind."""
    for slug in HEALTHY:
        found = hostile_audit.findings(slug)
        assert found["avail.homepage"] == ("pass", 1, None), slug
        assert found["links.dead_homepage"] == ("pass", 0, None), slug
        needs = {c.id: c.needs for c in all_checks().values()}
        # a browser probe may time out on these pages (deep nesting, pop-ups, endless scripts): it says so
        assert {kind for cid, (status, _, kind) in found.items()
                if status == "error" and not (needs[cid].startswith("probe:") and kind == "timeout")
                } <= {"not_gathered"}, slug


def test_control_site_untouched(hostile_audit):
    found = hostile_audit.findings("control")
    assert (found["avail.homepage"], found["links.dead_homepage"], found["links.dead_site"]) == (
        ("pass", 1, None), ("pass", 0, None), ("pass", 0, None))
    base = hostile_audit.farm.by_slug["control"].base
    assert {u: p[:3] for u, p in hostile_audit.pages("control").items()} == {
        f"{base}/": ("page", 200, None), f"{base}/a.html": ("page", 200, None), f"{base}/b.html": ("page", 200, None)}


def test_calendar_trap_ends(hostile_audit):
    pages = hostile_audit.pages("calendar")
    assert len(pages) == 41          # the homepage and 40 months: one path's query values are capped at 40
    traps = hostile_audit.crawl_facts("calendar")["traps"]
    assert set(traps) == {"calendar", "query_variants"}
    years = {int(u.split("year=")[1].split("&")[0]) for u in pages if "year=" in u}
    assert max(years) == datetime.now(timezone.utc).year + 1      # a calendar more than a year ahead is a trap


def test_session_ids_crawled_once(hostile_audit):
    pages = hostile_audit.pages("session-ids")
    paths = sorted(u.split("/", 3)[3].split(";")[0].split("sid=")[0] for u in pages)
    assert paths == ["", "list", "view?", "view?id=1&"]
    assert hostile_audit.crawl_facts("session-ids")["traps"]["session"] > 0


def test_repeated_segments_stop(hostile_audit):
    base = hostile_audit.farm.by_slug["repeated-path"].base
    assert sorted(hostile_audit.pages("repeated-path")) == [f"{base}/", f"{base}/sub/", f"{base}/sub/sub/"]
    assert hostile_audit.crawl_facts("repeated-path")["traps"] == {"repeated_path": 1}


def test_query_permutations_capped(hostile_audit):
    assert len(hostile_audit.pages("query-perms")) == 41
    assert hostile_audit.crawl_facts("query-perms")["traps"]["query_variants"] > 0


def test_size_caps_refuse_without_downloading(hostile_audit):
    case = hostile_audit.farm.by_slug["sizes"]
    pages = hostile_audit.pages("sizes")
    assert {u.rsplit("/", 1)[1]: p[2] for u, p in pages.items()} == {
        "": None, "big.html": "too_large", "stream.html": "too_large", "bomb.html": "too_large"}
    assert case.sent["/big.html"] < BIG // 2 and case.sent["/stream.html"] < BIG // 2


def test_429_storm_backs_off_then_succeeds(hostile_audit):
    case = hostile_audit.farm.by_slug["storm"]
    assert case.throttled == {"/": 2, "/a.html": 2, "/robots.txt": 2}   # two 429 with Retry-After each, then the page
    assert {p[:3] for p in hostile_audit.pages("storm").values()} == {("page", 200, None)}
    assert hostile_audit.farm.by_slug["storm-endless"].throttled["/"] >= 4   # three backoffs, then it is a wall


def test_lying_charsets_decoded(hostile_audit):
    assert [p[3] for p in hostile_audit.pages("gbk-as-utf8").values()] == ["某某县人民政府"]
    assert [p[3] for p in hostile_audit.pages("utf8-as-gbk").values()] == ["某某镇人民政府"]


def test_broken_html_and_garbage_survive(hostile_audit):
    assert [p[:3] for p in hostile_audit.pages("nested").values()][0] == ("page", 200, None)
    assert [p[:3] for p in hostile_audit.pages("garbage").values()] == [("page", 200, None)]


def test_non_http_links_never_fetched(hostile_audit):
    assert [p[:3] for p in hostile_audit.pages("schemes").values()] == [("page", 200, None)]
    assert set(hostile_audit.farm.by_slug["schemes"].hits) == {"/robots.txt", "/"}


def test_private_targets_refused_canary_untouched(hostile_audit):
    farm = hostile_audit.farm
    canary = farm.canary_port
    pages = hostile_audit.pages("private-links")
    refused = sorted(u for u, p in pages.items() if p[2] == "refused")
    # links are keyed as browsers resolve them (core/urls.py): 0x7f000001, 127.1 and 2130706433 are
    # spellings of 127.0.0.1, one target, and so is the percent-encoded host %31%32%37.0.0.1;
    # [::ffff:127.0.0.1] is written [::ffff:7f00:1]
    assert refused == sorted([
        f"http://127.0.0.1:{canary}/", f"http://localhost:{canary}/", f"http://[::1]:{canary}/",
        f"http://[::ffff:7f00:1]:{canary}/", "http://10.0.0.1/", "http://192.168.1.1/admin",
        "http://169.254.169.254/latest/meta-data/", "http://[fe80::1]/", f"http://0.0.0.0:{canary}/",
        f"{farm.by_slug['private-links'].base}/go", f"{farm.by_slug['private-links'].base}/go2",
        f"http://127.0.0.1:{canary}/pixel.gif", f"http://localhost:{canary}/frame",
        f"http://localhost.:{canary}/", f"http://[::7f00:1]:{canary}/",
        f"http://[64:ff9b::7f00:1]:{canary}/"])
    assert farm.canary_hits == []
