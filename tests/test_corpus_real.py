"""The extractors on real government pages (tests/corpus/real): what a
person reading each page finds."""
from __future__ import annotations

from datetime import date

import pytest

from crawler.extract import page_facts
from crawler.extract.columns import classify
from crawler.extract.html import parse
from crawler.extract.identity import identity_marks
from tests.conftest import CORPUS

TODAY = date(2026, 11, 22)

pytestmark = pytest.mark.skipif(not CORPUS.is_dir(), reason=f"no corpus at {CORPUS}")


def read(name: str) -> str:
    return (CORPUS / name).read_bytes().decode("utf-8-sig")


def facts(name: str, url: str = "https://www.example.gov.cn/a/index.htm", home: bool = False) -> dict:
    return page_facts(url, read(name), {}, home, today=TODAY)


def marks(name: str) -> dict:
    return identity_marks(parse(read(name)), raw=read(name))


@pytest.mark.parametrize("name,code,meta,agreement,icp,psb,badge", [
    ("article_001.html", "1400000045", "1400000045", "agrees", "晋ICP备12000773号", "晋公网安备14010502050691号", True),
    ("article_002.html", "3300000020", None, "missing", "浙ICP备05018911号", "浙公网安备33010602009328号", True),
    ("article_003.html", "bm01000001", None, "missing", "京ICP备05070218号", "京公网安备11010202000001号", True),
    ("article_004.html", None, None, "missing", "京ICP备20027467号-1", None, False),
    ("article_006.html", "bm06000004", None, "missing", "京ICP备05022684号-3", None, True),
    ("article_007.html", "bm55000001", "bm55000001", "agrees", "京ICP备19014889号", "京公网安备11010202008000号", True),
    ("article_009.html", None, "bm07000001", "no_visible_code", None, None, False),
    ("article_010.html", None, "bm04000007", "no_visible_code", None, None, False),
    ("article_011.html", "bm25000001", "tiaofasi", "invalid", "京ICP备05073439号", "京公网安备11010202000016号", True),
    ("column_list_001.html", None, "3100000120", "no_visible_code", None, None, False),
    ("column_list_002.html", "bm14000001", "bm14000001", "agrees", "京ICP备05002860号", "京公网安备11010202000006号", True),
    ("elder_mode_001.html", "3590000001", "3590000001", "agrees", "闽ICP备09032658号", None, True),
    ("portal_home_001.html", None, None, "missing", None, None, False),
    ("other_001.html", None, None, "missing", None, None, False),
])
def test_identity_marks(name, code, meta, agreement, icp, psb, badge):
    m = marks(name)
    assert (m["site_code"], m["site_code_meta"], m["site_code_meta_agreement"]) == (code, meta, agreement)
    assert (m["icp"], m["psb"], m["badge"]["present"]) == (icp, psb, badge)


@pytest.mark.parametrize("name,sponsor,contact,sitemap", [
    ("article_001.html", True, True, True),
    ("article_004.html", True, True, False),      # 主办方：中国载人航天工程办公室
    ("column_list_002.html", True, True, True),
    ("portal_home_001.html", False, True, False),  # footer injected by script
])
def test_sponsor_contact_items(name, sponsor, contact, sitemap):
    m = marks(name)
    assert (m["sponsor"], m["contact"], m["sitemap"]) == (sponsor, contact, sitemap)


def test_non_standard_psb_form_is_noted_not_counted():
    m = marks("elder_mode_001.html")
    assert m["psb"] is None
    assert m["psb_other"] == "公安备案号：35012899001-19002"


def test_institution_badge_is_not_the_party_government_badge():
    badge = marks("other_002.html")["badge"]
    assert (badge["present"], badge["institution_badge"]) == (False, True)


def test_badge_written_by_script_is_found_by_its_script():
    # article_011 writes the conac span with document.write; the script URL stays in the page
    assert marks("article_011.html")["badge"]["present"] is True


@pytest.mark.parametrize("name,items,newest,oldest,pages", [
    ("column_list_001.html", 11, "2023-06-01", "2019-01-14", 1),     # dot-separated dates
    ("column_list_002.html", 10, "2026-09-30", "2026-08-17", 16),    # TRS pager: countPage 16
    ("column_list_003.html", 10, "2026-08-11", "2026-06-16", 16),
])
def test_column_lists(name, items, newest, oldest, pages):
    lf = facts(name)["list"]
    assert (lf["items"], lf["dated"], lf["newest"], lf["oldest"], lf["page_count"]) == (items, items, newest, oldest, pages)
    assert lf["date_source"] == "text"


def test_trs_pager_gives_the_next_pages():
    lf = page_facts("https://zj.mof.gov.cn/caizhengjiancha/index.htm", read("column_list_002.html"), {}, False,
                    today=TODAY)["list"]
    assert lf["pagination"][:2] == ["https://zj.mof.gov.cn/caizhengjiancha/index_1.htm",
                                    "https://zj.mof.gov.cn/caizhengjiancha/index_2.htm"]


def test_js_rendered_list_shell_has_no_entries_and_no_placeholder():
    lf = facts("column_list_004.html")["list"]
    assert (lf["items"], lf["placeholder"]) == (0, None)


def test_homepage_dates_from_url_paths():
    f = facts("portal_home_001.html", "http://tjj.yancheng.gov.cn/index.html", home=True)
    assert f["list"]["newest_any"] == "2026-08-28"
    assert f["identity"]["site_code"] is None          # footer injected by script


def test_homepage_more_links_are_named_by_their_block_heading():
    f = facts("portal_home_001.html", "http://tjj.yancheng.gov.cn/index.html", home=True)
    assert f["more_names"]["http://tjj.yancheng.gov.cn/col/col1773/index.html"] == "数据解读"
    assert f["more_names"]["http://tjj.yancheng.gov.cn/col/col1774/index.html"] == "统计信息"


def test_tabbed_block_more_links_are_named_by_their_tab():
    # two tabs (政民互动, 政务公开) share one heading row with two 更多>> links, one per tab
    f = facts("portal_home_001.html", "http://tjj.yancheng.gov.cn/index.html", home=True)
    assert f["more_names"]["http://tjj.yancheng.gov.cn/col/col1766/index.html"] == "政民互动"
    assert f["more_names"]["http://www.yancheng.gov.cn/col/col793/index.html"] == "政务公开"


def test_statistics_interpretation_is_not_policy_interpretation():
    assert classify("数据解读") == "other"
    assert [h["text"] for h in facts("article_001.html")["features"]["interpretation"]] == ["政策解读"]


def test_service_entries_named_by_who_applies():
    # 山西省政府: 个人办事 / 单位办事 / 全程网办 under 服务
    assert [h["text"] for h in facts("article_001.html")["features"]["service"]] == ["个人办事", "单位办事", "全程网办"]


def test_homepage_features():
    feats = facts("portal_home_001.html", "http://tjj.yancheng.gov.cn/index.html", home=True)["features"]
    assert [h["text"] for h in feats["interact"]] == ["局长信箱"]
    assert sorted({h["kind"] for h in feats["disclosure"]}) == ["catalog", "guide"]


def test_elder_mode_page_links():
    feats = facts("elder_mode_001.html", "https://www.pingtan.gov.cn/zwgk/x.htm")["features"]
    assert feats["privacy"][0] == {"text": "隐私保护", "url": "https://www.pingtan.gov.cn/zwzdb/ysbh/"}
    assert "办事服务" in [h["text"] for h in feats["service"]]
    assert any("12345" in h["text"] for h in feats["interact"])


def test_new_media_qr_captions_without_images():
    # kepu.gov.cn: QR codes are CSS backgrounds, captioned 微信二维码 / 微博二维码 / APP二维码
    assert facts("article_006.html")["features"]["new_media"] == {"wechat": "微信二维码", "weibo": "微博二维码",
                                                                  "app": "APP二维码"}


def test_app_written_next_to_chinese():
    media = facts("elder_mode_001.html", "https://www.pingtan.gov.cn/zwgk/x.htm")["features"]["new_media"]
    assert media["app"] == "https://www.fujian.gov.cn/bsfw/mztapp/"      # 闽政通APP
    # 平潭发布 is shown with a WeChat icon; the 微信 / 微博 links of the article's 分享 box are not accounts
    assert media["wechat"] == "平潭发布 (微信)"
    assert sorted(k for k in media if k != "matrix") == ["app", "wechat"]


def test_new_media_shown_as_qr_captions():
    media = facts("column_list_002.html")["features"]["new_media"]
    assert sorted(k for k in media if k in ("wechat", "weibo", "app", "miniprogram", "douyin")) == ["app", "douyin", "wechat"]


@pytest.mark.parametrize("name,pub", [
    ("article_001.html", "2019-09-18"),
    ("article_009.html", "2025-02-25"),      # meta PubDate wins over the other dates on the page
    ("article_010.html", "2021-09-24"),
])
def test_article_publication_dates(name, pub):
    f = facts(name)
    assert (f["page_type"], f["pub_date"]) == ("article", pub)


def test_meta_tags_as_read():
    assert facts("article_001.html")["meta"]["siteidcode"] == "1400000045"
    assert facts("article_010.html")["lang"] == "en"      # lang="en" on a Chinese page is still declared


def test_stray_html_end_tag_does_not_truncate_the_page():
    # article_003 carries a header fragment ending in </html> before the content
    assert "网站标识码bm01000001" in facts("article_003.html")["text"]


def test_anti_bot_challenge_page_has_no_content():
    f = facts("other_001.html", home=True)
    assert f["text"] == "We're sorry but tcweb doesn't work properly without JavaScript enabled. Please enable it to continue."
    assert (f["list"]["items"], f["identity"]["icp"], f["identity"]["badge"]["present"]) == (0, None, False)


def test_no_personal_data_on_the_corpus_pages():
    for path in sorted(CORPUS.glob("*.html")):
        assert "pii" not in page_facts("https://x.gov.cn/", path.read_bytes().decode("utf-8-sig", "replace"), {}, False,
                                       today=TODAY), path.name


def test_share_buttons_are_not_accounts():
    html = """<html><body><div class="bdsharebuttonbox">分享到：<a href="#"><i class="icon-weixin"></i></a>
<a href="#"><img src="/images/weibo.png" alt="微博"></a></div></body></html>"""
    assert page_facts("https://www.example.gov.cn/a.html", html, {}, True, today=TODAY)["features"]["new_media"] == {}


@pytest.mark.parametrize("content_type", [b"text/html", b"text/html; charset=gbk", b"text/html; charset=iso-8859-1"])
def test_corpus_pages_decode_whatever_the_header_says(content_type):
    # several corpus pages came with a Content-Type without charset; a header may also lie
    from scrapy.http import HtmlResponse

    from crawler import decode
    for path in sorted(CORPUS.glob("*.html")):
        body = path.read_bytes()
        response = HtmlResponse(url="https://www.example.gov.cn/", body=body, headers={"Content-Type": content_type})
        assert decode.response_text(response).lstrip("\ufeff") == body.decode("utf-8-sig"), path.name


def test_privacy_link_labelled_security_and_privacy():
    # 浙江省发改委 footer: 安全隐私 丨 版权保护 丨 联系我们 丨 网站地图
    assert facts("article_002.html")["features"]["privacy"] == [
        {"text": "安全隐私", "url": "https://www.example.gov.cn/col/col1629308/index.html"}]
