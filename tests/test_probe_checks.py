"""The probe checks on hand-built probe results: statuses, values, errors, not_applicable."""
import pytest

from checks.artifacts import SiteArtifacts, SiteInfo
from checks.catalog import all_checks


def run(check_id: str, probes: dict):
    art = SiteArtifacts(site=SiteInfo(1, "http://x/", "某某市人民政府", "portal"), probes=probes)
    chk = all_checks()[check_id]
    return chk.evaluate(art, dict(chk.thresholds))


def probe(result: dict, error_kind=None) -> dict:
    return {**result, "_error_kind": error_kind, "_tool_versions": {"browser": "156.0"}}


@pytest.mark.parametrize("check_id, name", [("search.recall", "search"), ("qa.answers", "qa"), ("elder.tools", "elder"),
                                            ("a11y.axe", "a11y"), ("mobile.responsive", "mobile"),
                                            ("privacy.registration_notice", "privacy")])
def test_probe_failure_is_an_error_with_its_kind(check_id, name):
    f = run(check_id, {name: probe({"error": "net::ERR_CONNECTION_REFUSED"}, "connection")})
    assert (f.status, f.value, f.details["error_kind"]) == ("error", None, "connection")
    f = run(check_id, {})
    assert (f.status, f.details["error_kind"]) == ("error", "not_gathered")


def test_search_without_box():
    r = probe({"present": False, "reason": "no_search_box", "queries": []})
    assert (run("search.present", {"search": r}).status, run("search.present", {"search": r}).value) == ("fail", 0)
    for cid in ("search.recall", "search.typo_tolerance", "search.latency", "search.service_cards"):
        f = run(cid, {"search": r})
        assert (f.status, f.details["reason"]) == ("not_applicable", "no_search")


def test_recall_thresholds_and_typos():
    queries = ([{"kind": "known", "query": f"标题{i}", "found": i < 7, "latency_s": 1.0} for i in range(10)]
               + [{"kind": "typo", "query": "x", "found": False, "correction": i == 0, "latency_s": 5.0} for i in range(3)])
    r = probe({"present": True, "queries": queries, "median_latency_s": 1.0})
    assert (run("search.recall", {"search": r}).status, run("search.recall", {"search": r}).value) == ("warn", 0.7)
    assert (run("search.typo_tolerance", {"search": r}).status, run("search.typo_tolerance", {"search": r}).value) == ("warn", 0.3333)
    r["median_latency_s"] = 3.5
    assert run("search.latency", {"search": r}).status == "warn"


def test_qa_without_entry_and_with_slow_answers():
    assert run("qa.answers", {"qa": probe({"present": False, "reason": "no_entry"})}).status == "not_applicable"
    qs = [{"question": "q", "answer": "好的", "latency_s": 11.0, "fallback": False},
          {"question": "q", "answer": "社保卡到窗口办理", "latency_s": 1.0, "fallback": False}]
    f = run("qa.answers", {"qa": probe({"present": True, "questions": qs})})
    assert (f.status, f.value, f.details["answered"]) == ("warn", 0.5, 1)      # the 11 s answer does not count


def test_font_scaling_without_elder_mode_judges_the_homepage():
    r = probe({"entry": None, "switched": False, "before_px": 18.0, "after_px": 18.0, "contrast": {}, "tools": [], "ads": []})
    f = run("elder.font_scaling", {"elder": r})
    assert (f.status, f.value, f.details["reason"]) == ("pass", 18.0, "no_elder_mode")


def test_privacy_not_applicable_without_registration():
    f = run("privacy.registration_notice", {"privacy": probe({"visited": [], "present": None, "reason": "no_registration"})})
    assert (f.status, f.details["reason"]) == ("not_applicable", "no_registration")


def test_load_time_warns_over_three_seconds():
    f = run("perf.homepage_load", {"mobile": probe({"load_s": 3.2, "url": "http://x/"})})
    assert (f.status, f.value, f.unit) == ("warn", 3.2, "s")
    assert f.tool_versions == {"browser": "156.0"}
