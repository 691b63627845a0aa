"""展现标识: 网站标识码, ICP, 公安备案, 党政机关 badge, sponsor/contact, meta tags, domain.

Many CMSs write the footer with a script, so when the static homepage lacks a
mark and the browser probes stored the rendered homepage, the mark is taken from
the marks the probes read from the rendered DOM (stored with it in the "render"
probe row); details.source says which was used. A homepage whose footer a
script writes and that no browser rendered is error/not_gathered: its marks are unknown.
"""
from __future__ import annotations

from urllib.parse import urlsplit

from checks.artifacts import SiteArtifacts
from checks.base import Finding, binary, check, error, graded, not_applicable, table, url_evidence
from checks.site_facts import home_facts, homepage_frames, html_pages
from checks.zh import GUIDE_2017, GUOBAN_2019, area_texts

area_texts({
    "identity.site_code": ("在页面底部标注网站标识码，并与 SiteIDCode 元数据保持一致。",
        GUOBAN_2019 + "：网站标识码"),
    "identity.icp": ("在页面底部标注 ICP 备案编号并链接至备案系统。",
        GUIDE_2017 + "：网站标识"),
    "identity.psb": ("在页面底部标注公安机关备案号。",
        GUIDE_2017 + "：网站标识"),
    "identity.party_gov_badge": ("在页面底部放置党政机关网站标识（“党政机关”字样）并链接至验证页面。",
        GUIDE_2017 + "：党政机关网站标识"),
    "identity.sponsor_contact": ("在页面底部注明主办单位、联系方式，并提供网站地图。",
        GUOBAN_2019 + "：网站标识与主办单位信息"),
    "identity.meta_tags": ("按规范为文章页添加网站名称、栏目、标题、发布时间等元数据。",
        GUIDE_2017 + "：页面元数据"),
    "identity.gov_domain": ("政府网站应使用 .gov.cn 域名。",
        GUIDE_2017 + "：域名规范"),
}, reasons={
    "only_in_html_comment": "标识只出现在网页源代码的注释中，页面上不显示",
})

META_REQUIRED = ("sitename", "siteidcode", "articletitle", "pubdate")
META_WORDS = {"sitename": "网站名称 SiteName", "siteidcode": "网站标识码 SiteIDCode", "articletitle": "文章标题 ArticleTitle",
              "pubdate": "发布时间 PubDate"}


def _rendered(a: SiteArtifacts) -> tuple[dict | None, bool]:
    """(the identity marks the probes read from the rendered homepage, whether a rendering exists).
    A rendering stored without its marks (runs before they were stored) gives (None, True)."""
    render = a.probes.get("render") or {}
    if not render.get("html"):
        return None, False
    return render.get("identity"), True


def _with_frames(a: SiteArtifacts, static: dict) -> dict:
    """The homepage's marks completed by those of the pages it frames (a footer iframe)."""
    merged = dict(static)
    for p in homepage_frames(a):
        framed = p.facts.get("identity") or {}
        for key in ("site_code", "icp", "psb", "psb_other"):
            if not merged.get(key) and framed.get(key):
                merged[key] = framed[key]
        for key in ("sponsor", "contact", "sitemap"):
            merged[key] = bool(merged.get(key) or framed.get(key))
        if not (merged.get("badge") or {}).get("present") and (framed.get("badge") or {}).get("present"):
            merged["badge"] = framed["badge"]
    if merged.get("site_code") and merged.get("site_code_meta_agreement") == "no_visible_code":
        meta = (merged.get("site_code_meta") or "").lower()
        merged["site_code_meta_agreement"] = "agrees" if meta == merged["site_code"] else "differs"
    return merged


def marks(a: SiteArtifacts, present) -> tuple[dict, str]:
    """The homepage's identity marks: static HTML (with the pages it frames), or
    the rendered DOM when the static page lacks this mark and a rendering exists."""
    static = home_facts(a).get("identity") or {}
    if static and present(static):
        return static, "static"
    framed = _with_frames(a, static) if static else {}
    if framed and present(framed):
        return framed, "frame"
    rendered, has_rendering = _rendered(a)
    if rendered and present(rendered):
        return rendered, "rendered"
    best = framed or static
    if has_rendering and rendered is None:
        return best, MARKS_NOT_STORED
    if rendered is None and best.get("footer_by_script"):
        return best, UNRENDERED
    return best, "static+rendered" if rendered else "static"


UNRENDERED = "unrendered"
MARKS_NOT_STORED = "marks_not_stored"
UNKNOWN = (UNRENDERED, MARKS_NOT_STORED)


def _unrendered(m: dict, source: str) -> Finding:
    """A footer written by script that no browser rendered, or a rendering whose marks were not
    stored: the marks are unknown, not absent."""
    if source == MARKS_NOT_STORED:
        return error("not_gathered", "the rendered homepage was stored without the identity marks read from it "
                     "(a run of an older version): gather the probes again")
    return error("not_gathered", "the homepage's footer is written by a script and the rendered page was not gathered",
                 footer_by_script=m.get("footer_by_script"))


def _unseen(m: dict, key: str) -> dict:
    """Why a mark that is in the source does not count: only inside an HTML comment (a
    reader never sees it), or how it was shown: written by an inline script."""
    out = {}
    shown = (m.get("badge") or {}).get("present") if key == "badge" else m.get(key)
    if (m.get("commented_out") or {}).get(key) and not shown:
        out["commented_out"] = m["commented_out"][key]
        out["reason"] = "only_in_html_comment"
    if key in (m.get("by_script") or []):
        out["written_by_script"] = True
    return out


@check("identity.site_code", "网站标识码", "Site identification code", kinds="PDH", needs="crawl", unit="bool")
def site_code(a: SiteArtifacts, t: dict) -> Finding:
    """1 if the homepage shows 网站标识码 with a 10-digit or bm+8-digit code."""
    m, source = marks(a, lambda x: bool(x.get("site_code")))
    if source in UNKNOWN:
        return _unrendered(m, source)
    return binary(bool(m.get("site_code")), "bool", code=m.get("site_code"), meta_code=m.get("site_code_meta"),
                  meta_agreement=m.get("site_code_meta_agreement"), source=source, **_unseen(m, "site_code"))


@check("identity.icp", "ICP备案", "ICP record number", kinds="PDH", needs="crawl", unit="bool")
def icp(a: SiteArtifacts, t: dict) -> Finding:
    """1 if an ICP record number (<省简称>ICP备<digits>号) is shown, else 0; details.source says where it was read."""
    m, source = marks(a, lambda x: bool(x.get("icp")))
    if source in UNKNOWN:
        return _unrendered(m, source)
    return binary(bool(m.get("icp")), "bool", icp=m.get("icp"), source=source, **_unseen(m, "icp"))


@check("identity.psb", "公安机关备案", "Public-security record number", kinds="PDH", needs="crawl", unit="bool")
def psb(a: SiteArtifacts, t: dict) -> Finding:
    """1 if <省简称>公网安备<14 digits>号 is shown; other forms are noted, not counted."""
    m, source = marks(a, lambda x: bool(x.get("psb")))
    if source in UNKNOWN:
        return _unrendered(m, source)
    return binary(bool(m.get("psb")), "bool", psb=m.get("psb"), other_form=m.get("psb_other"), source=source,
                  **_unseen(m, "psb"))


@check("identity.party_gov_badge", "党政机关网站标识", "Party/government organ badge", kinds="PDH", needs="crawl",
       unit="bool")
def party_gov_badge(a: SiteArtifacts, t: dict) -> Finding:
    """1 if the 党政机关 badge (a link or image to the conac.cn verification service) is shown, else 0; a 事业单位
    badge does not count."""
    m, source = marks(a, lambda x: bool((x.get("badge") or {}).get("present")))
    if source in UNKNOWN:
        return _unrendered(m, source)
    badge = m.get("badge") or {}
    f = binary(bool(badge.get("present")), "bool", refs=badge.get("refs", []),
               institution_badge=badge.get("institution_badge", False), source=source, **_unseen(m, "badge"))
    f.evidence = url_evidence([r for r in badge.get("refs", []) if r.startswith("http")], 3)
    return f


@check("identity.sponsor_contact", "主办单位/联系方式", "Sponsor and contact details", kinds="PDH", needs="crawl",
       unit="items", min_items=3)
def sponsor_contact(a: SiteArtifacts, t: dict) -> Finding:
    """Present among: 主办单位, 联系电话 or 联系我们, 网站地图."""
    m, source = marks(a, lambda x: all(x.get(k) for k in ("sponsor", "contact", "sitemap")))
    if source in UNKNOWN:
        return _unrendered(m, source)
    items = {k: bool(m.get(k)) for k in ("sponsor", "contact", "sitemap")}
    n = sum(items.values())
    return Finding(graded(n, fail_below=t["min_items"]), n, "items",
                   details={"items": items, "source": source})


@check("identity.meta_tags", "页面元数据", "Page metadata tags", kinds="P", needs="crawl", unit="share", warn_below=1.0)
def meta_tags(a: SiteArtifacts, t: dict) -> Finding:
    """Share of article pages with non-empty SiteName, SiteIDCode, ArticleTitle and PubDate."""
    articles = [p for p in html_pages(a) if p.facts.get("page_type") == "article"]
    if not articles:
        return not_applicable("no_article_pages")
    lacking = []
    for p in articles:
        meta = p.facts.get("meta") or {}
        missing = [k for k in META_REQUIRED if not meta.get(k)]
        if missing:
            lacking.append({"url": p.url, "missing": missing})
    share = round((len(articles) - len(lacking)) / len(articles), 4)
    f = Finding(graded(share, warn_below=t["warn_below"]), share, "share",
                details={"articles": len(articles), "complete": len(articles) - len(lacking),
                         "lacking": lacking[:20]})
    if lacking:
        f.details["table"] = table("缺少元数据的文章页", [("url", "页面", "url"), ("missing", "缺少", "codes", {"words": META_WORDS})],
                                   lacking[:20])
    f.evidence = url_evidence([x["url"] for x in lacking], 10)
    return f


@check("identity.gov_domain", "域名规范", "Government domain", kinds="P", needs="crawl", unit="bool")
def gov_domain(a: SiteArtifacts, t: dict) -> Finding:
    """1 if the final host ends in .gov.cn. A site audited through a mirror or an
    address can name its public domain in the registry hint `domain`."""
    home = a.homepage
    hinted = (a.site.hints or {}).get("domain")
    host = (hinted or urlsplit((home.final_url or home.url) if home else a.site.url).hostname or "").lower().rstrip(".")
    ok = host == "gov.cn" or host.endswith(".gov.cn")
    return binary(ok, "bool", host=host, from_hint=bool(hinted))
