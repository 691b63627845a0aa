"""互动交流: a consultation / message channel (信访 and 纪检举报 do not count)."""
from __future__ import annotations

from checks.artifacts import SiteArtifacts
from checks.base import Finding, binary, check, url_evidence
from checks.site_facts import homepage_first
from checks.zh import GUOBAN_2019, area_texts

area_texts({
    "interact.channel": ("在网站上开设有效的留言咨询、意见征集等互动渠道（信访、举报入口不替代）。",
        GUOBAN_2019 + "：互动交流渠道缺失属单项否决"),
})


@check("interact.channel", "互动渠道", "Interaction channel", kinds="PH", needs="crawl", unit="bool")
def channel(a: SiteArtifacts, t: dict) -> Finding:
    """1 if a 咨询 / 留言 / 信箱 / 12345 link exists."""
    hits, where = homepage_first(a, "interact")
    f = binary(bool(hits), "bool", found_on=where, links=[{"text": h["text"], "url": h["url"]} for h in hits[:5]])
    f.evidence = url_evidence(h["url"] for h in hits[:5] if h["url"])
    return f
