"""安全: HTTPS, IPv6, mixed content, security headers."""
from __future__ import annotations

from checks.artifacts import SiteArtifacts
from checks.base import Finding, binary, check, error, graded, not_applicable, url_evidence
from checks.site_facts import html_pages
from checks.zh import GUIDE_2017, GUOBAN_2019, area_texts

area_texts({
    "security.https": ("部署有效证书并全站启用 HTTPS，将 HTTP 访问跳转到 HTTPS，启用 HSTS。",
        GUIDE_2017 + "：安全防护"),
    "security.ipv6": ("为网站配置 IPv6 地址（AAAA 记录）并确保可通过 IPv6 访问。",
        GUOBAN_2019 + "：IPv6 支持；《推进互联网协议第六版（IPv6）规模部署行动计划》"),
    "security.mixed_content": ("HTTPS 页面中的图片、脚本等资源改用 HTTPS 地址加载。",
        GUIDE_2017 + "：安全防护"),
    "security.headers": ("配置 Strict-Transport-Security、X-Content-Type-Options、X-Frame-Options 等安全响应头。",
        GUIDE_2017 + "：安全防护"),
}, reasons={
    "no_https_pages": "没有 HTTPS 页面",
    "no_aaaa": "没有 IPv6 地址（AAAA 记录）",
})

HEADERS = ("strict-transport-security", "content-security-policy", "x-frame-options", "x-content-type-options")


def _net(a: SiteArtifacts) -> dict | None:
    return a.probes.get("net")


def _unusable(net: dict | None) -> Finding | None:
    if net is None:
        return error("not_gathered", "no net facts for this site")
    if net.get("_error_kind"):
        kind = net["_error_kind"] if net["_error_kind"] in ("blocked", "timeout", "dns", "internal") else "not_gathered"
        cause = {"cause": "refused_by_policy"} if net.get("refused") else {}
        return error(kind, net.get("refused") or net.get("error") or "net facts could not be gathered", **cause)
    return None


@check("security.https", "HTTPS", "HTTPS with a valid certificate", kinds="PDH", needs="net", unit="bool")
def https(a: SiteArtifacts, t: dict) -> Finding:
    """1 if HTTPS with a valid certificate is served and plain HTTP redirects to it."""
    net = _net(a)
    bad = _unusable(net)
    if bad:
        return bad
    h = net.get("https") or {}
    ok = bool(h.get("ok") and h.get("cert_valid") and net.get("http_redirects_to_https"))
    return binary(ok, "bool", https_ok=bool(h.get("ok")), cert_valid=h.get("cert_valid"),
                  cert_expiry_days=h.get("expiry_days"), https_error=h.get("error"),
                  http_redirects_to_https=net.get("http_redirects_to_https"), hsts=h.get("hsts"))


@check("security.ipv6", "IPv6支持", "IPv6 support", kinds="PDH", needs="net", unit="bool")
def ipv6(a: SiteArtifacts, t: dict) -> Finding:
    """1 if the host has an AAAA record and the homepage loads over IPv6."""
    net = _net(a)
    bad = _unusable(net)
    if bad:
        return bad
    aaaa = net.get("aaaa") or []
    fetch = net.get("ipv6_fetch") or {}
    return binary(bool(aaaa) and bool(fetch.get("ok")), "bool", aaaa=aaaa, ipv6_fetch=fetch,
                  dns_error=net.get("dns_error"))


@check("security.mixed_content", "混合内容", "Mixed content", kinds="PDH", needs="crawl", unit="pages")
def mixed_content(a: SiteArtifacts, t: dict) -> Finding:
    """HTTPS pages loading http:// scripts, styles, images or frames."""
    secure = [p for p in html_pages(a) if (p.final_url or p.url).lower().startswith("https://")]
    if not secure:
        return not_applicable("no_https_pages")
    mixed = [p for p in secure if p.facts.get("insecure_subresources")]
    f = Finding(graded(len(mixed), warn_above=0), len(mixed), "pages", details={
        "https_pages": len(secure),
        "pages": [{"url": p.url, "resources": p.facts["insecure_subresources"][:5]} for p in mixed[:20]]})
    f.evidence = url_evidence(p.url for p in mixed)
    return f


@check("security.headers", "安全响应头", "Security headers", kinds="PDH", needs="crawl", unit="headers", warn_below=2)
def headers(a: SiteArtifacts, t: dict) -> Finding:
    """Present on the homepage response: HSTS (over HTTPS only), CSP,
    X-Frame-Options (or CSP frame-ancestors), X-Content-Type-Options."""
    home = a.homepage
    got = {k.lower(): v for k, v in ((home.headers if home else {}) or {}).items()}
    secure = bool(home) and (home.final_url or home.url).lower().startswith("https://")
    csp = got.get("content-security-policy", "")
    present = {
        "strict-transport-security": secure and "strict-transport-security" in got,
        "content-security-policy": bool(csp),
        "x-frame-options": "x-frame-options" in got or "frame-ancestors" in csp.lower(),
        "x-content-type-options": got.get("x-content-type-options", "").lower().strip() == "nosniff",
    }
    n = sum(present.values())
    return Finding(graded(n, warn_below=t["warn_below"]), n, "headers",
                   details={"present": present, "https": secure})
