"""The portal checks over the demo farm: exact status and value per portal site."""
import pytest

EXPECTED = {
    "portal-city": {
        "identity.site_code": ("pass", 1), "identity.icp": ("pass", 1), "identity.psb": ("pass", 1),
        "identity.party_gov_badge": ("pass", 1), "identity.sponsor_contact": ("pass", 3),
        "identity.meta_tags": ("pass", 1), "identity.gov_domain": ("pass", 1),
        "update.homepage": ("pass", 1), "update.stale_columns": ("pass", 0), "update.blank_columns": ("pass", 0),
        "update.policy_interpretation": ("pass", 20), "disclosure.columns": ("pass", 3),
        "service.entry": ("pass", 1), "service.guide_elements": ("pass", 1), "interact.channel": ("pass", 1),
        "mobile.new_media": ("pass", 2), "a11y.img_alt": ("pass", 1), "a11y.html_lang": ("pass", 1),
        "links.attachments": ("pass", 0), "privacy.policy_link": ("pass", 1), "privacy.policy_content": ("pass", 7),
        "privacy.pii_exposure": ("pass", 0), "security.headers": ("pass", 3),
        "security.mixed_content": ("not_applicable", None), "security.https": ("fail", 0), "security.ipv6": ("fail", 0),
        "content.wording_errors": ("pass", 0), "content.typos": ("pass", 0),
        "content.sensitive_words": ("not_applicable", None), "content.external_links": ("pass", 0),
    },
    "portal-county": {
        "identity.site_code": ("fail", 0), "identity.psb": ("fail", 0), "identity.party_gov_badge": ("fail", 0),
        "identity.meta_tags": ("warn", 0), "identity.gov_domain": ("fail", 0),
        "update.homepage": ("fail", 60), "update.stale_columns": ("fail", 2), "update.blank_columns": ("fail", 1),
        "update.policy_interpretation": ("fail", None), "disclosure.columns": ("fail", 1),
        "service.entry": ("fail", 0), "service.guide_elements": ("fail", 0.4), "interact.channel": ("fail", 0),
        "mobile.new_media": ("warn", 0), "a11y.img_alt": ("warn", 0), "a11y.html_lang": ("warn", 0),
        "links.attachments": ("fail", 1), "privacy.policy_link": ("fail", 0), "privacy.policy_content": ("fail", 0),
        "privacy.pii_exposure": ("fail", 2), "security.headers": ("warn", 0),
        "security.mixed_content": ("not_applicable", None), "security.https": ("fail", 0), "security.ipv6": ("fail", 0),
        "content.wording_errors": ("fail", 1), "content.typos": ("warn", 1),
        "content.sensitive_words": ("not_applicable", None), "content.external_links": ("fail", 1),
    },
    # the HTTPS demo portal: small and mostly sound; planted: mixed content (gzdt/2.html)
    "portal-tls": {
        "identity.site_code": ("pass", 1), "identity.icp": ("pass", 1), "identity.psb": ("pass", 1),
        "identity.party_gov_badge": ("fail", 0), "identity.sponsor_contact": ("fail", 2),
        "identity.meta_tags": ("pass", 1), "identity.gov_domain": ("pass", 1),
        "update.homepage": ("pass", 2), "update.stale_columns": ("pass", 0), "update.blank_columns": ("pass", 0),
        "update.policy_interpretation": ("fail", None), "disclosure.columns": ("fail", 0),
        "service.entry": ("fail", 0), "service.guide_elements": ("not_applicable", None), "interact.channel": ("fail", 0),
        "mobile.new_media": ("warn", 0), "a11y.img_alt": ("pass", 1), "a11y.html_lang": ("pass", 1),
        "links.attachments": ("pass", 0), "privacy.policy_link": ("pass", 1), "privacy.policy_content": ("pass", 7),
        "privacy.pii_exposure": ("pass", 0), "security.headers": ("pass", 2),
        "security.mixed_content": ("warn", 1), "security.https": ("pass", 1), "security.ipv6": ("fail", 0),
        "content.wording_errors": ("pass", 0), "content.typos": ("pass", 0),
        "content.sensitive_words": ("not_applicable", None), "content.external_links": ("pass", 0),
    },
}


@pytest.mark.parametrize("slug", sorted(EXPECTED))
def test_portal_checks_per_demo_site(demo_audit, slug):
    got = {check: demo_audit.finding(slug, check) for check in EXPECTED[slug]}
    assert got == EXPECTED[slug]


def test_footer_written_by_script(demo_audit):
    """portal-county writes its ICP number with footer.js: absent from the static
    page, present in the rendered DOM when the browser probes stored one."""
    details = demo_audit.details("portal-county", "identity.icp")
    if details["source"] == "rendered":
        assert demo_audit.finding("portal-county", "identity.icp") == ("pass", 1)
        assert details["icp"] == "浙ICP备87654321号"
    else:
        assert demo_audit.finding("portal-county", "identity.icp") == ("fail", 0)


def test_column_details(demo_audit):
    cols = {c["name"]: c for c in demo_audit.details("portal-city", "update.stale_columns")["columns"]}
    assert sorted(cols) == ["政务动态", "政策文件", "政策解读"]
    assert (cols["政策文件"]["type"], cols["政策文件"]["item_count"], cols["政策文件"]["age_days"]) == ("policy", 5, 30)
    stale = {c["name"]: c["stale"] for c in demo_audit.details("portal-county", "update.stale_columns")["columns"]}
    assert stale == {"新闻动态": True, "通知公告": False, "政策文件": True}


def test_evidence_is_masked_and_attributed(demo_audit):
    base = demo_audit.farm.by_slug["portal-county"].base
    evidence = demo_audit.evidence("portal-county", "privacy.pii_exposure")
    assert [(e["ref"], e["rule"]) for e in evidence] == [(f"{base}/gs/1.html", "id_number"), (f"{base}/gs/1.html", "mobile"),
                                                       (f"{base}/gs/mingdan.xlsx", "id_number")]
    assert evidence[2]["text"] == "联系电话\t救助金额（元）\n1\t李某某\t330122**********11\t137****5678\t2000\n2"
    assert all(n not in e["text"] for e in evidence for n in ("11010519491231002X", "13912345678", "330122198503150411"))
    wording = demo_audit.evidence("portal-county", "content.wording_errors")
    assert [(e["ref"], e["rule"]) for e in wording] == [(f"{base}/xwdt/3.html", "扫黑险恶 => 扫黑除恶")]
    failing = demo_audit.details("portal-county", "links.attachments")["failing"]
    assert [(f["url"], f["reason"]) for f in failing] == [(f"{base}/files/chungeng.doc", "html_instead_of_file")]


def test_pages_are_archived(demo_audit):
    import sqlite3

    from storage.archive import read_record
    db = sqlite3.connect(demo_audit.db_url.removeprefix("sqlite:///"))
    site_id = demo_audit.site_ids["portal-county"]
    row = db.execute("select url, warc_file, warc_offset from pages where run_id=? and site_id=? and is_homepage=1",
                     (demo_audit.run_id, site_id)).fetchone()
    record = read_record(demo_audit.data_dir, row[1], row[2])
    assert record["status"] == 200
    assert "镕喆堃三村道路硬化工程完工" in record["body"].decode("gbk")


def test_stored_rerun_needs_no_network(demo_audit, monkeypatch):
    """`govaudit check SITE ID --stored` re-evaluates from stored facts (the pages' facts and text)."""
    from core.config import load
    from govaudit.rounds import rerun_check
    monkeypatch.setenv("GOVAUDIT_DATABASE_URL", demo_audit.db_url)
    monkeypatch.setenv("GOVAUDIT_DATA_DIR", str(demo_audit.data_dir))
    url = demo_audit.farm.by_slug["portal-county"].url
    for check_id in ("update.stale_columns", "content.wording_errors", "privacy.pii_exposure", "identity.site_code"):
        old, new = rerun_check(load(), url, check_id, stored=True)
        assert (new["status"], new["value"], new["supersedes"]) == (old["status"], old["value"], old["id"]), check_id
