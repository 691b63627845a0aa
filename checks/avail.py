"""可用性: is the homepage there at all."""
from __future__ import annotations

from checks.artifacts import SiteArtifacts
from checks.base import Finding, binary, error, url_evidence
from checks.base import check
from checks.zh import GUOBAN_2019, area_texts

area_texts({
    "avail.homepage": ("排查首页无法访问的原因（域名解析、证书、服务器、重定向），确保首页在 15 秒内正常打开。",
        GUOBAN_2019 + "：首页不能访问属单项否决"),
})


@check("avail.homepage", "首页可用性", "Homepage availability", kinds="PDH", needs="crawl", unit="bool",
       timeout_s=15, max_redirects=10)
def homepage(a: SiteArtifacts, t: dict) -> Finding:
    """1 if the homepage answered 2xx (after at most 10 redirects) within 15 s, else 0.
    A scanner stopped by a WAF or challenge page is `error`/`blocked`: people may still reach the site."""
    home = a.homepage
    if home is None:
        return error("not_gathered", "the crawl recorded no homepage")
    details = {"status": home.status, "final_url": home.final_url or home.url, "elapsed_ms": home.elapsed_ms}
    if home.error_kind == "blocked":
        return error("blocked", f"the scanner was stopped: {home.facts.get('blocked', 'blocked')}", **details)
    ok = home.error_kind is None and home.status is not None and 200 <= home.status < 300
    finding = binary(ok, "bool", **details)
    if not ok:
        finding.details["error_kind"] = home.error_kind or f"http_{home.status}"
        if home.facts.get("error"):
            finding.details["error"] = home.facts["error"]
    finding.evidence = url_evidence([home.url])
    return finding
