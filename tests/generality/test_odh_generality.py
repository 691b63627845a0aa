"""The open-data (opendata.*) and hotline (hotline.*, interact.*) checks on five platforms and four
boards built in styles found across the country (see farm.py). EXPECTED was written from reading
the pages as a person would, before the audit was first run: each value is what a person counts
on the pages (a stated total that disagrees with the listing is noted beside the count, which is
what the catalogue lists). All nine sites are served from one process and crawled in one run."""
from __future__ import annotations

import pytest

from tests.generality.farm import ODH_SITES, audited_farm, value_of

OPENDATA = ["opendata.dataset_count", "opendata.api_count", "opendata.app_count", "opendata.machine_readable",
            "opendata.metadata_complete", "opendata.downloadable", "opendata.freshness", "opendata.security_policy",
            "opendata.feedback"]
HOTLINE = ["interact.channel", "hotline.reply_rate", "hotline.ontime_rate", "hotline.median_reply_days",
           "hotline.follow_up", "hotline.knowledge_base", "hotline.proactive", "hotline.satisfaction",
           "hotline.stats_public", "interact.unanswered_3m", "interact.reply_recency"]

# What a person finds on each site, check by check: (status, value).
EXPECTED = {
    "od-cards": {
        "opendata.dataset_count": ("pass", 5),      # 5 cards over ?page=1,2; 共 5 条 and 已开放数据集 5 个 agree
        "opendata.api_count": ("pass", 3),          # the API badge on 101, 104, 105
        "opendata.app_count": ("warn", 4),          # 应用成果: 共 4 个应用, 4 cards
        "opendata.machine_readable": ("warn", 0.8),     # 103 is PDF only
        "opendata.metadata_complete": ("warn", 0.8),    # 104 has no 数据摘要
        "opendata.downloadable": ("fail", 0.8),     # 105's JSON file answers 404
        "opendata.freshness": ("pass", 0.6),        # 103 (每年, 400 days) and 105 (每周, 30 days) are stale
        "opendata.security_policy": ("pass", 1),    # 数据安全管理办法
        "opendata.feedback": ("pass", 3),           # 数据需求 (nav), 数据纠错 and 评分 (buttons)
    },
    "od-table": {
        "opendata.dataset_count": ("warn", 6),      # 6 rows over list.html and list_2.html; the homepage says 7
        "opendata.api_count": ("pass", 3),          # 接口 column 有: 201, 202, 206
        "opendata.app_count": ("warn", 0),          # 应用展示: 暂无应用
        "opendata.machine_readable": ("warn", 0.8333),  # 204 is DOC
        "opendata.metadata_complete": ("warn", 0.8333),     # 205 has no 更新周期
        "opendata.downloadable": ("fail", 0.8333),  # 206: 登录后下载, no link
        "opendata.freshness": ("pass", 0.6667),     # 202 (每月, 40 days), 206 (每日, 3 days) are stale
        "opendata.security_policy": ("fail", 0),
        "opendata.feedback": ("warn", 1),           # 申请开放; 意见建议 is none of the three
    },
    "od-spa": {
        "opendata.dataset_count": ("pass", 7),      # the API's 7 records over pageNum=1,2; its total says 7
        "opendata.api_count": ("pass", 3),          # apiFlag "1": s1, s3, s5
        "opendata.app_count": ("warn", 3),          # 开发者应用: 3 apps, no stated total
        "opendata.machine_readable": ("warn", 0.8571),  # s4 is PDF
        "opendata.metadata_complete": ("warn", 0.7143),     # s5 without summary, s7 without openType
        "opendata.downloadable": ("fail", 0.6667),  # s1, s2 and s6 offer files; s6's answers 404
        "opendata.freshness": ("pass", 0.7143),     # s4 (每年, 500 days), s5 (每月, 60 days) are stale
        "opendata.security_policy": ("pass", 1),    # 数据安全声明
        "opendata.feedback": ("warn", 1),           # 数据纠错
    },
    "od-badge": {
        "opendata.dataset_count": ("pass", 4),      # 2 + 2 over the goPage() pager; the tab badge says 数据集 4
        "opendata.api_count": ("pass", 2),          # a 接口 tab on b1 and b3
        "opendata.app_count": ("warn", 0),          # 成果展示: an empty grid (the menu's items are not apps)
        "opendata.machine_readable": ("warn", 0.75),    # b4 is ZIP
        "opendata.metadata_complete": ("warn", 0.75),   # b4 has no 提供部门
        "opendata.downloadable": ("pass", 1),
        "opendata.freshness": ("pass", 0.75),       # b3 is 实时 and 2 days old
        "opendata.security_policy": ("pass", 1),    # 安全保障措施
        "opendata.feedback": ("pass", 2),           # 纠错 (a script link), 满意度评价 (a button opening a modal form)
    },
    "od-plain": {
        "opendata.dataset_count": ("pass", 4),      # no total stated anywhere
        "opendata.api_count": ("pass", 2),          # p1 (格式: CSV、数据接口), p4 (JSON / API服务); p2 暂无, p3 无
        "opendata.app_count": ("warn", 0),          # no showcase
        "opendata.machine_readable": ("warn", 0.75),    # p3 is PDF
        "opendata.metadata_complete": ("warn", 0.75),   # p3 has no 开放条件
        "opendata.downloadable": ("pass", 1),       # p2, p3 offer files; p1 and p4 are API only
        "opendata.freshness": ("pass", 1),
        "opendata.security_policy": ("fail", 0),
        "opendata.feedback": ("warn", 0),
    },
    "od-shell": {                                   # no catalogue to read without running the app: not measured
        "opendata.dataset_count": ("error", None),
        "opendata.api_count": ("error", None),
        "opendata.app_count": ("warn", 0),          # the page shows no showcase
        "opendata.machine_readable": ("error", None),
        "opendata.metadata_complete": ("error", None),
        "opendata.downloadable": ("error", None),
        "opendata.freshness": ("error", None),
        "opendata.security_policy": ("fail", 0),
        "opendata.feedback": ("warn", 0),
    },
    "od-empty": {                                   # 数据目录: 暂无数据
        "opendata.dataset_count": ("fail", 0),
        "opendata.api_count": ("fail", 0),
        "opendata.app_count": ("warn", 0),
        "opendata.machine_readable": ("fail", 0),
        "opendata.metadata_complete": ("fail", 0),
        "opendata.downloadable": ("fail", 0),
        "opendata.freshness": ("fail", 0),
        "opendata.security_policy": ("fail", 0),
        "opendata.feedback": ("warn", 0),
    },
    "hl-table": {
        "interact.channel": ("pass", 1),            # 我要写信
        "hotline.reply_rate": ("warn", 0.5),        # 已办结 t1, t2, 已回复 t5 of 6 (办理中, 转办, 已受理)
        "hotline.ontime_rate": ("warn", 0.6667),    # replies (on 查看答复 pages) after 4, 3 and 12 days
        "hotline.median_reply_days": ("pass", 4),
        "hotline.follow_up": ("warn", 0),
        "hotline.knowledge_base": ("pass", 1),      # 热点问题 with 3 entries
        "hotline.proactive": ("fail", 0),
        "hotline.satisfaction": ("pass", 1),        # 群众满意率 96.2%
        "hotline.stats_public": ("pass", 1),        # 受理量, 办结率
        "interact.unanswered_3m": ("fail", 1),      # t4, 转办 120 days ago
        "interact.reply_recency": ("pass", 3),
    },
    "hl-cards": {
        "interact.channel": ("pass", 1),            # 我要咨询
        "hotline.reply_rate": ("warn", 0.6),        # c1, c2, c3 of 5 (c4, c5 待回复)
        "hotline.ontime_rate": ("warn", 0.6667),    # after 2, 1 and 15 days
        "hotline.median_reply_days": ("pass", 2),
        "hotline.follow_up": ("pass", 0.6667),      # 评价 ★★★★★ and ★★★☆☆; c3 待评价
        "hotline.knowledge_base": ("pass", 1),      # 常见问题 with 3 entries
        "hotline.proactive": ("pass", 1),           # 回应关切
        "hotline.satisfaction": ("pass", 1),        # 满意度评价
        "hotline.stats_public": ("fail", 0),
        "interact.unanswered_3m": ("fail", 1),      # c5, 200 days
        "interact.reply_recency": ("pass", 20),
    },
    "hl-relative": {
        "interact.channel": ("pass", 1),            # 我要留言
        "hotline.reply_rate": ("warn", 0.8333),     # r4 已受理 of 6 over three list pages (r5, r6 beyond the depth cap)
        "hotline.ontime_rate": ("pass", 1),         # after 1, 7 (5 working days), 2, 1 and 1 days
        "hotline.median_reply_days": ("pass", 1),
        "hotline.follow_up": ("pass", 0.4),         # 回访结果 in words on r1, r2; r3 暂无
        "hotline.knowledge_base": ("fail", 0),
        "hotline.proactive": ("fail", 0),
        "hotline.satisfaction": ("fail", 0),        # statistics without 满意率, no rating function
        "hotline.stats_public": ("pass", 1),        # 回复率 95.5%
        "interact.unanswered_3m": ("pass", 0),
        "interact.reply_recency": ("pass", 2),
    },
    "hl-json": {
        "interact.channel": ("pass", 1),            # 我要写信
        "hotline.reply_rate": ("warn", 0.6),        # the last 365 days: 1, 2, 4 of 1..5
        "hotline.ontime_rate": ("pass", 1),         # after 2, 4, 1 and 1 days
        "hotline.median_reply_days": ("pass", 1.5),
        "hotline.follow_up": ("pass", 0.5),         # myd 满意 (1) and 不满意 (4) of the 4 replied
        "hotline.knowledge_base": ("pass", 1),      # 知识库 with 4 entries
        "hotline.proactive": ("fail", 0),
        "hotline.satisfaction": ("pass", 1),        # 满意率 97%
        "hotline.stats_public": ("pass", 1),
        "interact.unanswered_3m": ("fail", 1),      # 5, 转办 100 days ago
        "interact.reply_recency": ("pass", 1),
    },
}


@pytest.fixture(scope="module")
def odh_audit(tmp_path_factory):
    with audited_farm(tmp_path_factory.mktemp("odh-generality"), OPENDATA + HOTLINE, ODH_SITES) as result:
        yield result


@pytest.mark.parametrize("slug", sorted(EXPECTED))
def test_odh_checks_match_a_person(odh_audit, slug):
    got = {check: (status, value_of(value)) for check in EXPECTED[slug]
           for status, value in [odh_audit.finding(slug, check)]}
    assert got == EXPECTED[slug]


def test_stated_totals_beside_the_count(odh_audit):
    """The stated total is reported beside the listed count; the listing is the value."""
    got = {s: (odh_audit.details(s, "opendata.dataset_count").get("count"),
               odh_audit.details(s, "opendata.dataset_count").get("stated_total")) for s in EXPECTED if s.startswith("od-")}
    assert got == {"od-cards": (5, 5), "od-table": (6, 7), "od-spa": (7, 7), "od-badge": (4, 4), "od-plain": (4, None),
                   "od-shell": (None, None), "od-empty": (None, None)}


def test_feedback_functions_a_person_sees(odh_audit):
    assert {s: odh_audit.details(s, "opendata.feedback")["present"] for s in EXPECTED if s.startswith("od-")} == {
        "od-cards": ["correction", "rating", "request"], "od-table": ["request"], "od-spa": ["correction"],
        "od-badge": ["correction", "rating"], "od-plain": [], "od-shell": [], "od-empty": []}


def test_unread_catalogue_is_an_error_and_an_empty_one_a_zero(odh_audit):
    shell = odh_audit.details("od-shell", "opendata.dataset_count")
    empty = odh_audit.details("od-empty", "opendata.dataset_count")
    assert (shell["error_kind"], shell["reason"]) == ("not_gathered", "no_catalogue_read")
    assert [u.rsplit("/", 1)[1] for u in empty["empty_catalogues"]] == ["sjml.html"]


def test_board_details_a_person_reads(odh_audit):
    g = odh_audit
    assert g.details("hl-cards", "hotline.follow_up")["satisfaction_values"] == ["★★★★★", "★★★☆☆"]
    assert g.details("hl-json", "hotline.follow_up")["satisfaction_values"] == ["不满意", "满意"]
    assert g.details("hl-json", "hotline.reply_rate")["messages"] == 5          # the 400-day-old letter is outside
    assert [x["url"].rsplit("/", 1)[1] for x in g.details("hl-table", "interact.unanswered_3m")["overdue"]] == ["t4.html"]
    assert g.details("hl-table", "hotline.satisfaction")["kind"] == "published_rate"
    assert g.details("hl-cards", "hotline.satisfaction")["kind"] == "rating_link"
