"""The HTTPS demo portal (portal-tls: a certificate of the farm's own CA, plain HTTP
redirecting to it, HSTS, one mixed-content article) beside the plain-HTTP portals."""
import pytest

EXPECTED = {
    "portal-tls": {"security.https": ("pass", 1), "security.mixed_content": ("warn", 1),
                   "security.headers": ("pass", 2), "avail.homepage": ("pass", 1)},
    "portal-city": {"security.https": ("fail", 0), "security.mixed_content": ("not_applicable", None),
                    "security.headers": ("pass", 3), "avail.homepage": ("pass", 1)},
    "portal-county": {"security.https": ("fail", 0), "security.mixed_content": ("not_applicable", None),
                      "security.headers": ("warn", 0), "avail.homepage": ("pass", 1)},
}


@pytest.mark.parametrize("slug", sorted(EXPECTED))
def test_security_checks_per_demo_portal(demo_audit, slug):
    got = {check: demo_audit.finding(slug, check) for check in EXPECTED[slug]}
    assert got == EXPECTED[slug]


def test_https_details(demo_audit):
    site = demo_audit.farm.by_slug["portal-tls"]
    assert demo_audit.details("portal-tls", "security.https") == {
        "https_ok": True, "cert_valid": True, "cert_expiry_days": 89, "https_error": None,
        "http_redirects_to_https": True, "hsts": "max-age=31536000"}
    assert demo_audit.details("portal-tls", "avail.homepage")["final_url"] == site.base + "/"
    assert demo_audit.details("portal-tls", "security.headers")["present"] == {
        "strict-transport-security": True, "content-security-policy": False, "x-frame-options": False,
        "x-content-type-options": True}
    city = demo_audit.details("portal-city", "security.https")
    assert (city["https_ok"], city["http_redirects_to_https"]) == (False, False)


def test_mixed_content_names_the_page_and_its_http_resources(demo_audit):
    site = demo_audit.farm.by_slug["portal-tls"]
    assert demo_audit.details("portal-tls", "security.mixed_content") == {
        "https_pages": 6,
        "pages": [{"url": f"{site.base}/gzdt/2.html",
                   "resources": [{"tag": "img", "url": f"{site.http_base}/img/logo.gif"},
                                 {"tag": "script", "url": f"{site.http_base}/js/count.js"}]}]}
    assert [e["ref"] for e in demo_audit.evidence("portal-tls", "security.mixed_content")] == [f"{site.base}/gzdt/2.html"]


def test_certificate_is_valid_only_with_the_farm_ca(demo_audit, monkeypatch):
    """The net facts of the same site, with and without GOVAUDIT_CA_BUNDLE naming the farm's CA."""
    from crawler import net
    farm = demo_audit.farm
    site = farm.by_slug["portal-tls"]
    token = net.GUARD.set((False, farm.allow_hosts()))
    try:
        _check_trust(net, farm, site, monkeypatch)
    finally:
        net.GUARD.reset(token)     # later tests in this thread see the environment's guard again


def _check_trust(net, farm, site, monkeypatch):
    monkeypatch.delenv("GOVAUDIT_CA_BUNDLE", raising=False)
    untrusted = net.https_facts(site.url)
    assert (untrusted["ok"], untrusted["cert_valid"], untrusted["error_kind"]) == (False, False, "tls")
    assert "certificate verify failed" in untrusted["error"]
    monkeypatch.setenv("GOVAUDIT_CA_BUNDLE", farm.ca_bundle)
    trusted = net.https_facts(site.url)
    assert (trusted["ok"], trusted["status"], trusted["cert_valid"], trusted["hsts"]) == (True, 200, True, "max-age=31536000")
    redirect = net.http_redirect_facts(site.http_base + "/gzdt/index.html")
    assert redirect == {"url": site.http_base + "/gzdt/index.html", "redirects_to_https": True,
                        "chain": [site.http_base + "/gzdt/index.html", site.base + "/gzdt/index.html"], "status": 200}


def test_farm_registry_names_both_entry_points(demo_audit):
    site = demo_audit.farm.by_slug["portal-tls"]
    row = next(r for r in demo_audit.farm.registry_rows() if r["name"] == site.name)
    assert (row["url"], row["hints"]) == (site.base + "/", {"domain": "www.mmxq.gov.cn", "https_url": site.base + "/",
                                                            "http_url": site.http_base + "/"})
    assert f"127.0.0.1:{site.http_port}" in demo_audit.farm.allow_hosts()
