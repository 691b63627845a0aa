"""传播应用: linked government new-media channels."""
from __future__ import annotations

from checks.artifacts import SiteArtifacts
from checks.base import Finding, check, graded
from checks.site_facts import homepage_view
from checks.zh import GUOBAN_2019, area_texts

area_texts({
    "mobile.new_media": ("在网站上公布本单位政务新媒体（微信、微博、客户端等）账号与二维码。",
        GUOBAN_2019 + "：政务新媒体"),
})

CHANNELS = ("wechat", "weibo", "app", "miniprogram", "douyin")


@check("mobile.new_media", "政务新媒体", "Government new media", kinds="P", needs="crawl", unit="channels")
def new_media(a: SiteArtifacts, t: dict) -> Finding:
    """Distinct channels among 微信, 微博, 客户端/App, 小程序, 抖音 shown on the homepage."""
    media: dict = {}
    for p in homepage_view(a):
        for k, v in ((p.facts.get("features") or {}).get("new_media") or {}).items():
            media.setdefault(k, v)
    found = {k: v for k, v in media.items() if k in CHANNELS}
    others = {k: v for k, v in media.items() if k not in CHANNELS}
    return Finding(graded(len(found), warn_below=1), len(found), "channels",
                   details={"channels": found, "other": others})
