"""可用性: is the homepage there at all."""
from __future__ import annotations

from checks.artifacts import SiteArtifacts
from checks.base import Finding, binary, error, snippet_evidence, url_evidence
from checks.base import check
from checks.zh import GUOBAN_2019, area_texts

area_texts({
    "avail.homepage": ("排查首页无法访问的原因（域名解析、证书、服务器、重定向），确保首页在 15 秒内正常打开。",
        GUOBAN_2019 + "：首页不能访问属单项否决"),
})

# The scanner's own refusals (a page's error kind → details.cause): the site was not asked, so it
# neither passed nor failed. How an auditor lifts each is in the run summary and the README.
REFUSAL_CAUSES = {"refused": "refused_by_policy", "robots": "robots_txt"}
REFUSAL_TEXT = {"refused_by_policy": "the network policy refused this target (private or loopback address)",
                "robots_txt": "the site's robots.txt forbids the scanner to fetch the homepage"}


def refusal(home) -> Finding | None:
    """`error`/`blocked` with `details.cause` when the scanner itself declined to fetch the homepage."""
    cause = REFUSAL_CAUSES.get(home.error_kind or "")
    if cause is None:
        return None
    return error("blocked", f"{REFUSAL_TEXT[cause]}: {home.facts.get('error') or home.error_kind}", cause=cause)


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
    snippet): people may still reach the site. A target our network policy refuses, or whose robots.txt
    we obey, is `error`/`blocked` with `details.cause` `refused_by_policy` / `robots_txt`: the scanner's
    choice, not the site's failure. A homepage over the size cap answered: judged by its status, with
    `details.truncated`."""
    home = a.homepage
    if home is None:
        return error("not_gathered", "the crawl recorded no homepage")
    refused = refusal(home)
    if refused:
        refused.details["final_url"] = home.final_url or home.url
        return refused
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
