"""可用性: is the homepage there at all."""
from __future__ import annotations

from checks.artifacts import SiteArtifacts
from checks.base import Finding, binary, error, snippet_evidence, url_evidence
from checks.base import check


def site_wall(a: SiteArtifacts) -> dict | None:
    """The wall's evidence when one answered instead of the site (on the homepage or later in the crawl)."""
    wall = (a.probes.get("crawl") or {}).get("wall")
    home = a.homepage
    if wall is None and home is not None:
        wall = home.facts.get("wall")
    return wall


def wall_message(wall: dict) -> str:
    product = f" ({wall['product']})" if wall.get("product") else ""
    where = "" if wall.get("homepage", True) else f" at {wall.get('url')} after {wall.get('after_requests')} requests"
    return f"a wall{product} answered instead of the site{where}: {wall.get('reason', 'blocked')}"


@check("avail.homepage", "首页可用性", "Homepage availability", kinds="PDH", needs="crawl", unit="bool",
       timeout_s=15, max_redirects=10)
def homepage(a: SiteArtifacts, t: dict) -> Finding:
    """1 if the homepage answered 2xx (after at most 10 redirects) within 15 s, else 0.
    A scanner stopped by a wall (WAF, CAPTCHA, challenge page, rate limit), on the homepage or later in
    the crawl, is `error`/`blocked` with `details.wall` (product when known, status, cookie names, a
    snippet): people may still reach the site."""
    home = a.homepage
    if home is None:
        return error("not_gathered", "the crawl recorded no homepage")
    details = {"status": home.status, "final_url": home.final_url or home.url, "elapsed_ms": home.elapsed_ms}
    if home.facts.get("redirected_by"):
        details["redirected_by"] = home.facts["redirected_by"]     # the entry page sent the visitor on by script
    wall = site_wall(a)
    if wall is not None:
        finding = error("blocked", wall_message(wall), wall=wall, **details)
        finding.evidence = url_evidence([wall.get("url") or home.url])
        if wall.get("snippet"):
            finding.evidence.append(snippet_evidence(wall.get("url") or home.url, wall["snippet"],
                                                     wall.get("product") or wall.get("reason", "")))
        return finding
    if home.error_kind == "blocked":
        return error("blocked", f"the scanner was stopped: {home.facts.get('error') or home.facts.get('blocked', 'blocked')}",
                     **details)
    ok = home.error_kind is None and home.status is not None and 200 <= home.status < 300
    finding = binary(ok, "bool", **details)
    if not ok:
        finding.details["error_kind"] = home.error_kind or f"http_{home.status}"
        if home.facts.get("error"):
            finding.details["error"] = home.facts["error"]
    finding.evidence = url_evidence([home.url])
    return finding
