"""Pure heuristics of the browser probes, on HTML strings and on real government pages."""

import pytest

from checks.browser import axe_summary
from crawler.extract.html import parse
from crawler.probes import contrast
from crawler.probes.heuristics import dom, elder, privacy, qa, search
from tests.conftest import CORPUS



def corpus(name: str):
    return parse((CORPUS / name).read_text(encoding="utf-8", errors="replace"))


# --- real pages -----------------------------------------------------------------------------

def test_elder_entries_in_real_markup():
    root = corpus("elder_mode_001.html")
    labels = [dom.label(e) for e in elder.find_elder_entries(root)]
    assert labels == ["长者模式", "无障碍浏览"]           # 退出长者模式 is not an entry


def test_accessibility_entry_in_real_article_pages():
    assert [dom.label(e) for e in elder.find_elder_entries(corpus("article_001.html"))] == ["无障碍浏览"]
    assert [dom.label(e) for e in elder.find_elder_entries(corpus("article_003.html"))] == ["无障碍"]


def test_no_elder_entry_from_sentences_or_unrelated_care():
    assert elder.find_elder_entries(corpus("article_006.html")) == []      # a sentence mentioning 老年
    assert elder.find_elder_entries(corpus("other_002.html")) == []        # 领导关怀 is news, not a mode


def test_search_box_in_real_markup():
    boxes = search.find_search_boxes(corpus("elder_mode_001.html"))
    assert (boxes[0].input.get("name"), boxes[0].input.get("placeholder")) == ("key", "请输入搜索内容")
    assert boxes[0].form.get("action") == "/ssp/main/index.html"


@pytest.mark.parametrize("name, field", [("article_001.html", "sword"), ("article_002.html", "q"),
                                         ("article_004.html", "searchword"), ("article_011.html", "q"),
                                         ("column_list_002.html", "searchword"), ("search_002.html", "searchword")])
def test_search_box_names_across_cms(name, field):
    assert search.find_search_boxes(corpus(name))[0].input.get("name") == field


def test_registration_and_privacy_in_real_markup():
    root = corpus("elder_mode_001.html")
    entries = privacy.find_account_entries(root)
    assert [dom.label(e) for e in entries["register"]] == ["注册", "注册"]
    assert [dom.label(e) for e in entries["login"]] == ["登录", "登录"]
    assert [l["text"] for l in privacy.privacy_notice(root)["links"]] == ["隐私保护"]


def test_agreement_link_is_not_a_registration_entry():
    root = corpus("article_006.html")
    assert privacy.find_account_entries(root)["register"] == []
    assert [l["text"] for l in privacy.privacy_notice(root)["links"]] == ["注册协议"]


def test_real_results_pages_are_not_no_results():
    assert not search.is_no_results(corpus("search_001.html").text_content())
    assert not search.is_no_results(corpus("search_002.html").text_content())


# --- HTML strings ---------------------------------------------------------------------------

def test_login_form_is_not_a_search_box():
    root = parse('<form action="/login"><input name="username" placeholder="请输入用户名"><input type="password"></form>'
                   '<form action="/s"><input name="wd" placeholder="搜索"><button>搜索</button></form>')
    boxes = search.find_search_boxes(root)
    assert [b.input.get("name") for b in boxes] == ["wd"]
    assert boxes[0].submit.tag == "button"


def test_hidden_marked_elements_are_skipped():
    root = parse('<div data-ga-hidden="1"><a data-ga-i="3">长者模式</a></div><a data-ga-i="4">关怀版</a>')
    entries = elder.find_elder_entries(root)
    assert [dom.element_index(e) for e in entries] == [4]


def test_qa_entries_exclude_petition_channels():
    root = parse('<a href="/xf">信访举报智能导办</a><div class="float"><span>智能客服</span></div>'
                   '<a href="/bot"><img src="robot.png" alt=""></a>')
    assert [dom.label(e) or dom.code_hint(e).strip() for e in qa.find_qa_entries(root)] == ["智能客服", "/bot"]


def test_consent_checkbox_by_label():
    root = parse('<input type="checkbox" id="a"><label for="a">我已阅读并同意服务条款</label>')
    assert privacy.privacy_notice(root) == {"links": [], "consents": ["我已阅读并同意服务条款"], "present": True}
    assert privacy.privacy_notice(parse('<form><input name="u"><button>注册</button></form>'))["present"] is False


@pytest.mark.parametrize("text, expected", [("未找到相关结果", True), ("共0条记录", True), ("找到 0 条结果", True),
                                            ("抱歉，没有搜索到您要的内容", True), ("共12条结果", False),
                                            ("关于做好未成年人保护工作的通知", False)])
def test_no_results(text, expected):
    assert search.is_no_results(text) is expected


def test_correction_offer():
    assert search.correction_offered("您是不是要找：区政府召开常务会议")
    assert not search.correction_offered("区政府召开常务会议")


def test_result_links_skip_chrome_and_paging():
    links = [{"href": "http://x/", "text": "首页"}, {"href": "http://x/a/1.html#top", "text": "区政府召开常务会议"},
             {"href": "http://x/a/1.html", "text": "区政府召开常务会议"}, {"href": "http://x/s?p=2", "text": "下一页"},
             {"href": "javascript:void(0)", "text": "打印本页内容"}, {"href": "http://x/a/2.html", "text": "关于开展检查的通知"}]
    assert search.result_links(links, {search.normalize_url("http://x/index.html")}) == [
        {"href": "http://x/a/1.html#top", "text": "区政府召开常务会议"},
        {"href": "http://x/a/2.html", "text": "关于开展检查的通知"}]


def test_title_match_allows_truncation():
    assert search.title_matches("关于开展安全生产大检查...", "关于开展安全生产大检查的通知")
    assert not search.title_matches("关于开展...", "关于开展安全生产大检查的通知")


def test_clean_title_and_known_items():
    assert search.clean_title("区政府召开第十五次常务会议_某某区人民政府", "某某区人民政府") == "区政府召开第十五次常务会议"
    assert search.clean_title("某某市门户网站 - 关于开展安全生产大检查的通知") == "关于开展安全生产大检查的通知"
    assert search.clean_title("县政府召开全县重点项目建设推进会-某某县人民政府网") == "县政府召开全县重点项目建设推进会"
    assert search.clean_title("某某市2021-2025年发展规划") == "某某市2021-2025年发展规划"
    assert search.clean_title("社会保障卡申领_办事指南") == "社会保障卡申领"
    pages = [{"url": "http://x/", "title": "某某区人民政府", "is_homepage": True},
             {"url": "http://x/news/", "title": "政务动态_某某区人民政府", "depth": 1},
             {"url": "http://x/n1.html", "title": "区政府召开第十五次常务会议_某某区人民政府", "depth": 2},
             {"url": "http://x/n2.html", "title": "区政府召开第十五次常务会议_某某区人民政府", "depth": 2},
             {"url": "http://x/en.html", "title": "English version of the portal", "depth": 2}]
    assert search.pick_known_items(pages, "某某区人民政府") == [
        {"url": "http://x/n1.html", "title": "区政府召开第十五次常务会议", "depth": 2}]


def test_typo_variant_replaces_one_character_after_the_first():
    assert search.typo_variant("区政府召开常务会议") == ("区正府召开常务会议", "政", "正")
    assert search.typo_variant("政府") == ("政付", "府", "付")
    assert search.typo_variant("ABC") is None


def test_service_items():
    links = [{"href": "http://x/zwfw/sbk.html", "text": "在线办理"}, {"href": "http://x/news/1.html", "text": "社保新闻"},
             {"href": "http://x/item/9", "text": "社会保障卡申领", "context": "社会保障卡申领 办事指南"}]
    assert [l["href"] for l in search.service_items(links)] == ["http://x/zwfw/sbk.html", "http://x/item/9"]


@pytest.mark.parametrize("text, expected", [("抱歉，我没有理解您的问题，请换个问法试试。", True), ("请换个说法", True),
                                            ("社保卡可在政务服务中心申领。", False)])
def test_fallback_answers(text, expected):
    assert qa.is_fallback_answer(text) is expected


def test_new_chat_text_counts_repeated_answers():
    before = "您好\n我\n抱歉，没有理解"
    after = before + "\n营业执照怎么办理？\n抱歉，没有理解\n10:32"
    assert qa.new_text(before, after, "营业执照怎么办理？") == "抱歉，没有理解"


def test_elder_tools():
    labels = ["放大", "缩小", "高对比度", "语音朗读", "大鼠标", "十字线", "纯文本", "首页"]
    assert elder.elder_tools(labels) == ["zoom", "contrast", "speech", "cursor", "crosshair", "text_only"]
    assert elder.elder_tools(["首页", "政务公开"]) == []


def test_main_font_px_weights_by_characters():
    samples = [{"px": 14, "chars": 300}, {"px": 24, "chars": 40}, {"px": 12, "chars": 100}]
    assert elder.main_font_px(samples) == 14.0
    assert elder.main_font_px([]) is None


def test_contrast_formula():
    black, white = (0, 0, 0), (255, 255, 255)
    assert round(contrast.contrast_ratio(black, white), 2) == 21.0
    assert round(contrast.contrast_ratio((119, 119, 119), white), 2) == 4.48      # #777 just fails 4.5
    assert contrast.parse_color("rgba(0, 0, 0, 0.5)") == (0.0, 0.0, 0.0, 0.5)
    res = contrast.text_contrast([
        {"color": "rgb(0, 0, 0)", "bgs": ["rgba(0, 0, 0, 0)", "rgb(255, 255, 255)"], "px": 14, "weight": 400},
        {"color": "rgb(119, 119, 119)", "bgs": [], "px": 14, "weight": 400, "text": "灰字"},
        {"color": "rgb(119, 119, 119)", "bgs": [], "px": 24, "weight": 400},           # large: 3:1 suffices
        {"color": "rgb(255, 255, 255)", "bgs": [], "px": 14, "bg_image": True}])        # over an image: skipped
    assert (res["total"], res["passed"], res["share"]) == (3, 2, 0.6667)
    assert res["failing"][0]["text"] == "灰字"


def test_ad_items():
    items = [{"kind": "fixed", "label": "旅游推介 关闭", "hint": "float-ad", "w": 300, "h": 200, "has_close": True},
             {"kind": "fixed", "label": "返回顶部", "hint": "gotop", "w": 40, "h": 40, "has_close": False},
             {"kind": "fixed", "label": "放大 缩小 语音", "hint": "toolbar", "w": 1366, "h": 60, "tools": True},
             {"kind": "fixed", "label": "公告", "hint": "notice", "w": 800, "h": 500, "has_close": False},
             {"kind": "iframe", "label": "", "hint": "https://pos.baidu.com/x", "w": 300, "h": 250},
             {"kind": "link", "label": "下载APP", "hint": "/app"}, {"kind": "link", "label": "附件下载", "hint": "/a.pdf"}]
    assert [i["why"] for i in elder.ad_items(items, (1366, 900))] == ["ad_marked", "overlay", "ad_iframe", "download_bait"]


def test_axe_summary_counts_serious_and_critical_nodes():
    pages = [{"url": "u1", "rules": [{"id": "image-alt", "impact": "critical", "count": 2},
                                     {"id": "region", "impact": "moderate", "count": 9}]},
             {"url": "u2", "rules": [{"id": "image-alt", "impact": "critical", "count": 1},
                                     {"id": "color-contrast", "impact": "serious", "count": 1}]}]
    count, rows = axe_summary(pages)
    assert count == 4
    assert [(r["id"], r["count"], r["pages"]) for r in rows] == [("image-alt", 3, ["u1", "u2"]),
                                                                 ("color-contrast", 1, ["u2"])]


def test_known_items_fall_back_to_anchor_text_when_titles_are_the_site_name():
    pages = [{"url": f"http://x/a{i}.html", "title": "某某县人民政府", "depth": 2, "anchor": a}
             for i, a in enumerate(["关于开展冬季消防安全检查的通知", "县政府召开常务会议", "更多"])]
    assert [i["title"] for i in search.pick_known_items(pages, "某某县人民政府")] == ["关于开展冬季消防安全检查的通知", "县政府召开常务会议"]
