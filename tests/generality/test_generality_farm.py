"""The crawl-based portal checks on three sites built in other markup styles
than the demo's (see farm.py). EXPECTED was written from reading the pages as a
person would, before the audit was first run; the audit is the real one (Scrapy
crawl over HTTP on 127.0.0.1, then the checks), restricted to the crawl checks."""
from __future__ import annotations

import pytest

from tests.generality.farm import audited_farm, value_of

CRAWL_CHECKS = [
    "update.homepage", "update.stale_columns", "update.blank_columns", "update.policy_interpretation",
    "identity.site_code", "identity.icp", "identity.psb", "identity.party_gov_badge", "identity.sponsor_contact",
    "identity.meta_tags", "identity.gov_domain", "disclosure.columns", "service.entry", "service.guide_elements",
    "interact.channel", "mobile.new_media", "a11y.img_alt", "a11y.html_lang", "links.dead_homepage",
    "links.dead_site", "links.attachments", "privacy.policy_link", "privacy.policy_content", "privacy.pii_exposure",
    "content.wording_errors", "content.typos", "content.sensitive_words", "content.external_links",
]

# What a person finds on each site, check by check: (status, value).
EXPECTED = {
    "table-district": {
        "identity.site_code": ("pass", 1),          # 网站标识码：&nbsp;3301060001
        "identity.icp": ("pass", 1),                # <span>浙ICP备</span><span>05012345号</span>
        "identity.psb": ("pass", 1),                # 浙公网安备 33010602001234号 after an icon with title only
        "identity.party_gov_badge": ("pass", 1),    # conac link, image with title 党政机关 and no alt
        "identity.sponsor_contact": ("pass", 3),    # 主办单位, 联系电话 / 联系我们, 网站地图 (an image link)
        "identity.meta_tags": ("pass", 1),          # every article carries the four TRS metas
        "identity.gov_domain": ("pass", 1),         # www.mmqu.gov.cn
        "update.homepage": ("pass", 2),             # (date-2) in a <td>
        "update.stale_columns": ("fail", 1),        # 通知公告: newest 200 days old (乡镇动态: 3 days)
        "update.blank_columns": ("pass", 0),
        "update.policy_interpretation": ("pass", 20),
        "disclosure.columns": ("pass", 3),          # 指南, 目录, 年报 (2025)
        "service.entry": ("pass", 1),               # 在线服务
        "service.guide_elements": ("pass", 1),      # all ten elements (承诺时限 for 办理时限)
        "interact.channel": ("pass", 1),            # 区长信箱
        "mobile.new_media": ("pass", 1),            # QR image, caption in the next table row: 微信公众号
        "a11y.img_alt": ("warn", 0.375),            # logo, ga, red, wx with title only, the more.gif button without
                                                    # alt; banner and the two image links (政策文件, 网站地图) have
                                                    # alt; the spacer is decorative
        "a11y.html_lang": ("warn", 0),
        "links.dead_homepage": ("pass", 0),
        "links.dead_site": ("fail", 1),             # the 404 .doc attachment of a notice
        "links.attachments": ("fail", 1),
        "privacy.policy_link": ("fail", 0),
        "privacy.policy_content": ("fail", 0),
        "privacy.pii_exposure": ("pass", 0),        # the 公示 ID number is masked
        "content.wording_errors": ("pass", 0),
        "content.typos": ("pass", 0),
        "content.sensitive_words": ("not_applicable", None),
        "content.external_links": ("pass", 0),
    },
    "flex-city": {
        "identity.site_code": ("pass", 1),
        "identity.icp": ("pass", 1),                # 浙ICP备2021001234号-2
        "identity.psb": ("pass", 1),
        "identity.party_gov_badge": ("pass", 1),    # written by the conac script
        "identity.sponsor_contact": ("pass", 3),    # 主办：, 联系我们, 网站地图
        "identity.meta_tags": ("pass", 1),
        "identity.gov_domain": ("pass", 1),
        "update.homepage": ("pass", 1),             # <span class="date">MM-DD</span>, year left out
        "update.stale_columns": ("fail", 1),        # 部门动态 (a tab with 更多): 30 days
        "update.blank_columns": ("fail", 1),        # 人事任免: 暂无相关内容
        "update.policy_interpretation": ("warn", 120),   # 解读回应
        "disclosure.columns": ("pass", 3),          # 指南, 法定主动公开内容, 年报 (2025)
        "service.entry": ("pass", 1),               # 一网通办
        "service.guide_elements": ("warn", 0.9),    # 收费标准 missing
        "interact.channel": ("pass", 1),            # 我要咨询
        "mobile.new_media": ("pass", 4),            # 微信, 微博, 抖音, APP as QR images with captions
        "a11y.img_alt": ("warn", 0.6667),           # 6 images, the WeChat and Douyin QR codes lack alt
        "a11y.html_lang": ("pass", 1),
        "links.dead_homepage": ("pass", 0),
        "links.dead_site": ("fail", 1),             # 相关阅读 link to a missing article
        "links.attachments": ("pass", 0),
        "privacy.policy_link": ("pass", 1),         # 个人信息保护政策
        "privacy.policy_content": ("pass", 6),      # all topics but storage
        "privacy.pii_exposure": ("pass", 0),
        "content.wording_errors": ("pass", 0),
        "content.typos": ("warn", 1),               # 布署
        "content.sensitive_words": ("not_applicable", None),
        "content.external_links": ("pass", 0),
    },
    "frame-county": {
        "identity.site_code": ("pass", 1),          # <img alt="网站标识码3301270001"> in the footer iframe
        "identity.icp": ("fail", 0),                # no ICP number anywhere
        "identity.psb": ("pass", 1),                # in the footer iframe
        "identity.party_gov_badge": ("pass", 1),    # in the footer iframe
        "identity.sponsor_contact": ("fail", 2),    # 主办单位, 联系电话; no 网站地图
        "identity.meta_tags": ("warn", 0),          # articles without metas
        "identity.gov_domain": ("fail", 0),         # www.mmxian.cn
        "update.homepage": ("warn", 12),            # <br>-separated entries
        "update.stale_columns": ("fail", 1),        # 工作动态: 40 days
        "update.blank_columns": ("fail", 2),        # 政策文件 (该栏目暂无内容), 人事信息 (empty list)
        "update.policy_interpretation": ("fail", None),
        "disclosure.columns": ("fail", 2),          # 信息公开 is a frameset: its left frame links 指南 and 目录; no 年报
        "service.entry": ("fail", 0),               # 办事指南 list only, no online service
        "service.guide_elements": ("fail", 0.6),    # 6 of 10
        "interact.channel": ("fail", 0),            # only 网上信访
        "mobile.new_media": ("warn", 0),
        "a11y.img_alt": ("warn", 0.5),              # banner, banner2, logo lack alt; the footer's three have it
        "a11y.html_lang": ("warn", 0),
        "links.dead_homepage": ("fail", 2),         # banner2.jpg 404; 网站纠错 in the footer iframe 404
        "links.dead_site": ("fail", 1),             # 附件2 (download.jsp?id=2, text ….xls) answers 404
        "links.attachments": ("fail", 1),
        "privacy.policy_link": ("pass", 1),         # 隐私声明 in the footer iframe
        "privacy.policy_content": ("fail", 2),      # purpose/scope, use
        "privacy.pii_exposure": ("fail", 1),        # a valid ID number in the 低保 公示
        "content.wording_errors": ("fail", 1),      # 扫黑险恶
        "content.typos": ("pass", 0),
        "content.sensitive_words": ("not_applicable", None),
        "content.external_links": ("pass", 0),
    },
}


@pytest.fixture(scope="module")
def generality_audit(tmp_path_factory):
    with audited_farm(tmp_path_factory.mktemp("generality"), CRAWL_CHECKS) as result:
        yield result


@pytest.mark.parametrize("slug", sorted(EXPECTED))
def test_crawl_checks_match_a_person(generality_audit, slug):
    got = {}
    for check in EXPECTED[slug]:
        status, value = generality_audit.finding(slug, check)
        got[check] = (status, value_of(value))
    assert got == EXPECTED[slug]


# The columns a person finds from each homepage: {name: (type, age of the newest entry in days, entries)}.
COLUMNS = {
    "table-district": {"政务要闻": ("dynamic", 2, 6), "乡镇动态": ("dynamic", 3, 3), "通知公告": ("notice", 200, 4), "政策文件": ("policy", 30, 4),
                       "政策解读": ("interpretation", 20, 3)},
    # 政策文件: linked from the homepage by an image only (alt 政策文件), a newer TRS pager createPageHTML('page_div', 2, …) with page 2 at index_1.html;
    # 政策解读: a Hanweb datastore page; 乡镇动态: reached only by an image 更多 button (more.gif, no alt)
    # 通知公告: whole-row links with the date inside the <a>; 部门动态: its tab's link says 更多→
    "flex-city": {"要闻动态": ("dynamic", 1, 3), "通知公告": ("notice", 3, 3), "部门动态": ("dynamic", 30, 3),
                  "政策文件": ("policy", 10, 3), "解读回应": ("interpretation", 120, 3),
                  "人事任免": ("personnel", None, 0)},
    "frame-county": {"工作动态": ("dynamic", 40, 3), "通知公告": ("notice", 12, 3), "政策文件": ("policy", None, 0),
                     "人事信息": ("personnel", None, 0)},
}


@pytest.mark.parametrize("slug", sorted(COLUMNS))
def test_columns_as_a_person_reads_them(generality_audit, slug):
    rows = generality_audit.details(slug, "update.stale_columns")["columns"]
    assert {r["name"]: (r["type"], r["age_days"], r["item_count"]) for r in rows} == COLUMNS[slug]


# The marks as a person copies them from each homepage (code, meta agreement, ICP, 公网安备, where they were read).
IDENTITY = {
    "table-district": ("3301060001", "agrees", "浙ICP备05012345号", "浙公网安备33010602001234号", "static"),
    "flex-city": ("3302000001", "agrees", "浙ICP备2021001234号-2", "浙公网安备33020302000456号", "static"),
    "frame-county": ("3301270001", "missing", None, "浙公网安备33012702000123号", "frame"),
}


@pytest.mark.parametrize("slug", sorted(IDENTITY))
def test_identity_values(generality_audit, slug):
    code = generality_audit.details(slug, "identity.site_code")
    icp = generality_audit.details(slug, "identity.icp")
    psb = generality_audit.details(slug, "identity.psb")
    assert (code["code"], code["meta_agreement"], icp["icp"], psb["psb"], code["source"]) == IDENTITY[slug]


def test_other_values_a_person_reads(generality_audit):
    g = generality_audit
    assert {s: sorted(g.details(s, "mobile.new_media")["channels"]) for s in IDENTITY} == {
        "table-district": ["wechat"], "flex-city": ["app", "douyin", "wechat", "weibo"], "frame-county": []}
    assert [x["text"] for x in g.details("flex-city", "privacy.policy_link")["links"]] == ["个人信息保护政策"]
    assert [x["text"] for x in g.details("frame-county", "privacy.policy_link")["links"]] == ["隐私声明"]
    assert [g.details(s, "disclosure.columns")["newest_report_year"] for s in IDENTITY] == [2025, 2025, None]
    assert g.details("flex-city", "update.policy_interpretation")["column"] == "解读回应"
    assert [x["name"] for x in g.details("frame-county", "update.blank_columns")["blank"]] == ["政策文件", "人事信息"]
    assert [e["ref"] for e in g.evidence("table-district", "links.attachments")] == [
        g.farm.by_slug["table-district"].base + "/attach/2026/tjgz_fj1.doc"]
    assert [(m["rule"], m["pages"]) for m in g.details("frame-county", "content.wording_errors")["matches"]] == [
        ("扫黑险恶 => 扫黑除恶", 3)]                  # one headline shown on 3 pages: homepage, list, article
    assert [e["ref"].rsplit("/", 1)[1] for e in g.evidence("frame-county", "privacy.pii_exposure")] == ["2.html"]
    assert "330127**********33" in g.evidence("frame-county", "privacy.pii_exposure")[0]["text"]


def test_guides_privacy_and_disclosure_in_detail(generality_audit):
    g = generality_audit
    assert [p["missing"] for s in IDENTITY for p in g.details(s, "service.guide_elements")["pages"]] == [
        [], ["收费标准"], ["设定依据", "办理时限", "收费标准", "办理流程"]]
    assert g.details("flex-city", "privacy.policy_content")["missing"] == ["storage"]
    assert g.details("frame-county", "privacy.policy_content")["covered"] == ["purpose_scope", "use"]
    assert {s: g.details(s, "disclosure.columns")["present"] for s in IDENTITY} == {
        "table-district": {"guide": True, "catalog": True, "annual_report": True},
        "flex-city": {"guide": True, "catalog": True, "annual_report": True},
        "frame-county": {"guide": True, "catalog": True, "annual_report": False}}
    assert [x["text"] for x in g.details("frame-county", "interact.channel")["links"]] == []
    assert [x["text"] for x in g.details("table-district", "service.entry")["links"]] == ["在线服务"]
