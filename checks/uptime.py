"""可用性: the share of failed availability samples (govaudit monitor)."""
from __future__ import annotations

from checks.artifacts import SiteArtifacts
from checks.avail import REFUSAL_CAUSES, REFUSAL_TEXT
from checks.base import Finding, check, error, graded
from checks.zh import GUOBAN_2019, area_texts

area_texts({
    "avail.uptime": ("提高服务器与网络可用性，建立监测与故障告警，累计不可访问比例应低于 5%。",
        GUOBAN_2019 + "：站点无法访问属单项否决"),
})


@check("avail.uptime", "站点无法访问", "Unavailability over the monitoring window", kinds="PDH", needs="monitor",
       unit="share", min_samples=20, warn_at=0.03, fail_at=0.05)
def uptime(a: SiteArtifacts, t: dict) -> Finding:
    """Failed samples (no complete response within 15 s, or status >= 400) / samples."""
    samples = sorted(a.samples, key=lambda s: s.taken_at)
    # a sample our network policy refused never asked the site: not a failure of the site
    refused = [s for s in samples if s.error_kind in REFUSAL_CAUSES]
    samples = [s for s in samples if s.error_kind not in REFUSAL_CAUSES]
    if refused and len(samples) < t["min_samples"]:
        cause = REFUSAL_CAUSES[refused[-1].error_kind]
        return error("blocked", f"{len(refused)} availability samples not taken: {REFUSAL_TEXT[cause]}",
                     cause=cause, samples=len(samples), refused=len(refused))
    if len(samples) < t["min_samples"]:
        return error("not_gathered", f"{len(samples)} availability samples, {t['min_samples']} needed",
                     samples=len(samples))
    failures = [s for s in samples if not s.ok]
    share = round(len(failures) / len(samples), 4)
    status = graded(share, fail_at=t["fail_at"], warn_at=t["warn_at"])
    kinds: dict[str, int] = {}
    for s in failures:
        k = s.error_kind or (f"http_{s.status}" if s.status else "unknown")
        kinds[k] = kinds.get(k, 0) + 1
    return Finding(status, share, "share", details={
        "samples": len(samples), "failures": len(failures), "failure_kinds": kinds,
        "window": {"first": samples[0].taken_at, "last": samples[-1].taken_at}})
