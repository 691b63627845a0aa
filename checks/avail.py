"""可用性: is the homepage there at all."""
from __future__ import annotations

from checks.artifacts import SiteArtifacts
from checks.base import Finding, binary, error, url_evidence
from checks.base import check


@check("avail.homepage", "首页可用性", "Homepage availability", kinds="PDH", needs="crawl", unit="bool",
       timeout_s=15, max_redirects=10)
def homepage(a: SiteArtifacts, t: dict) -> Finding:
    """1 if the homepage answered 2xx (after at most 10 redirects) within 15 s, else 0.
    A scanner stopped by a WAF or challenge page is `error`/`blocked`: people may still reach the site.
    A homepage over the size cap answered: judged by its status, with `details.truncated`."""
    home = a.homepage
    if home is None:
        return error("not_gathered", "the crawl recorded no homepage")
    details = {"status": home.status, "final_url": home.final_url or home.url, "elapsed_ms": home.elapsed_ms}
    if home.error_kind == "blocked":
        return error("blocked", f"the scanner was stopped: {home.facts.get('blocked', 'blocked')}", **details)
    if home.error_kind == "too_large":
        # the site answered; only its content was over the cap (the checks that read it say too_large)
        if home.facts.get("truncated") and home.status is not None:
            ok = 200 <= home.status < 300
            finding = binary(ok, "bool", **details, truncated=True, cap_bytes=home.facts.get("cap_bytes"))
            if not ok:
                finding.details["error_kind"] = f"http_{home.status}"
            finding.evidence = url_evidence([home.url])
            return finding
        return error("too_large", home.facts.get("error") or "the homepage is over the size cap", **details)
    ok = home.error_kind is None and home.status is not None and 200 <= home.status < 300
    finding = binary(ok, "bool", **details)
    if not ok:
        finding.details["error_kind"] = home.error_kind or f"http_{home.status}"
        if home.facts.get("error"):
            finding.details["error"] = home.facts["error"]
    finding.evidence = url_evidence([home.url])
    return finding
