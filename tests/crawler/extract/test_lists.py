"""List pages, placeholders, columns and site derivation on fixed HTML."""
from datetime import date

from checks.artifacts import LinkArt, PageArt
from crawler.extract import derive_site, page_facts
from crawler.extract.columns import classify

TODAY = date(2026, 11, 22)
BASE = "http://www.example.gov.cn"

HOME = """<html lang="zh-CN"><head><title>某某市人民政府</title></head><body>
<div class="nav"><a href="/xwdt/">新闻动态</a><a href="/tzgg/">通知公告</a><a href="/zcjd/">政策解读</a>
<a href="/rsxx/">人事信息</a><a href="/jgzn/">机构职能</a></div>
<div class="box"><div class="tit"><span>政策文件</span><a href="/zcwj/">更多&gt;&gt;</a></div>
<ul><li><a href="/zcwj/1.html">关于印发某某办法的通知</a><span>2026-11-20</span></li></ul></div>
</body></html>"""

NEWS = """<html><body><ul class="list">
<li><a href="1.html">全市召开安全生产工作会议</a><span>2026-11-21</span></li>
<li><a href="2.html">市政府召开常务会议研究部署工作</a><span>2026/11/18</span></li>
<li><a href="3.html">某某区开展政策宣讲活动纪实</a><span>[11-02]</span></li>
</ul><div class="page"><a href="index_1.html">下一页</a> 共5条</div></body></html>"""

NEWS_2 = """<html><body><ul>
<li><a href="4.html">市领导调研农业农村工作情况</a><span>2026年10月30日</span></li>
<li><a href="5.html">全市重点项目集中开工仪式举行</a><span>2026年10月12日</span></li>
</ul></body></html>"""

EMPTY = """<html><body><div class="list"><p>暂无信息</p></div></body></html>"""
INTRO = """<html><body><h1>机构职能</h1><p>负责本市有关工作。</p></body></html>"""

POLICY = """<html><body><table>
<tr><td><a href="a.html">某某市规范性文件管理办法</a></td><td>2024-03-01</td></tr>
<tr><td><a href="b.html">某某市政府信息公开规定</a></td><td>2023-12-20</td></tr>
<tr><td><a href="c.html">某某市政务服务管理办法</a></td><td>2023-06-08</td></tr>
</table></body></html>"""

INTERP = """<html><body><ul>
<li><a href="1.html">一图读懂某某办法</a> (2026-05-01)</li>
<li><a href="2.html">解读某某规定的主要内容</a> (2026-03-02)</li>
<li><a href="3.html">某某通知政策问答解读</a> (2026-01-15)</li>
</ul></body></html>"""


def page(path, html, depth=1, home=False):
    url = BASE + path
    return PageArt(url=url, status=200, final_url=url, depth=depth, is_homepage=home,
                   facts=page_facts(url, html, {}, home, today=TODAY))


def test_list_facts_merge_formats_and_infer_years():
    lf = page_facts(BASE + "/xwdt/", NEWS, {}, False, today=TODAY)["list"]
    assert (lf["items"], lf["dated"], lf["newest"], lf["oldest"], lf["stated_total"]) == (3, 3, "2026-11-21", "2026-11-02", 5)
    assert lf["pagination"] == [BASE + "/xwdt/index_1.html"]


def test_placeholder_page():
    lf = page_facts(BASE + "/tzgg/", EMPTY, {}, False, today=TODAY)["list"]
    assert (lf["items"], lf["placeholder"]) == (0, "暂无信息")


def test_classify_column_names():
    assert [classify(n) for n in ("工作动态", "通知公告", "规范性文件", "人事任免", "发展规划", "政策解读", "机构职能",
                                  "意见征集")] == \
        ["dynamic", "notice", "policy", "personnel", "planning", "interpretation", "other", "other"]


def test_derive_columns_follows_pagination_and_names_more_links():
    pages = [page("/", HOME, 0, True), page("/xwdt/", NEWS), page("/xwdt/index_1.html", NEWS_2, 2),
             page("/tzgg/", EMPTY), page("/zcjd/", INTERP), page("/jgzn/", INTRO), page("/zcwj/", POLICY)]
    links = [LinkArt(BASE + "/", BASE + t, "a", text) for t, text in
             (("/xwdt/", "新闻动态"), ("/tzgg/", "通知公告"), ("/zcjd/", "政策解读"), ("/rsxx/", "人事信息"),
              ("/jgzn/", "机构职能"), ("/zcwj/", "更多>>"))]
    links.append(LinkArt(BASE + "/xwdt/", BASE + "/xwdt/index_1.html", "a", "下一页"))
    cols = {c.name: c for c in derive_site(pages, links)["columns"]}
    assert sorted(cols) == ["政策文件", "政策解读", "新闻动态", "通知公告"]
    news = cols["新闻动态"]
    assert (news.type, news.newest_date, news.item_count, news.blank) == ("dynamic", "2026-11-21", 5, False)
    assert news.details["pages_followed"] == [BASE + "/xwdt/", BASE + "/xwdt/index_1.html"]
    assert (cols["通知公告"].blank, cols["通知公告"].item_count) == (True, 0)
    assert (cols["政策文件"].type, cols["政策文件"].newest_date, cols["政策文件"].item_count) == ("policy", "2024-03-01", 3)
    assert cols["政策解读"].type == "interpretation"


def test_br_separated_lines_are_one_entry_each():
    html = """<html><body><div id="left"><b>通知公告</b><br>
<a href="/tzgg/1.html">关于城乡居民医疗保险参保缴费的通知</a> 2026-11-10<br>
<a href="/tzgg/2.html">关于低保对象拟认定名单的公示</a> 2026-10-23<br>
<a href="/tzgg/3.html">关于做好冬季森林防火工作的通告</a> 2026-10-08<br></div></body></html>"""
    lf = page_facts(BASE + "/", html, {}, True, today=TODAY)["list"]
    assert (lf["items"], lf["dated"], lf["newest"], lf["oldest"]) == (3, 3, "2026-11-10", "2026-10-08")


def test_time_datetime_and_relative_dates():
    html = """<html><body><ul class="news-list">
<li><a href="1.html">关于印发加快发展若干措施的通知</a><time datetime="2026-11-12">10天前</time></li>
<li><a href="2.html">关于进一步优化营商环境的实施意见</a><span class="date">昨天</span></li>
<li><a href="3.html">关于公布第二批市级名录的通知</a><span class="date">3天前</span></li>
</ul></body></html>"""
    sample = page_facts(BASE + "/zcwj/", html, {}, False, today=TODAY)["list"]["sample"]
    assert [e["date"] for e in sample] == ["2026-11-12", "2026-11-21", "2026-11-19"]


def test_empty_list_container_is_a_blank_list_page():
    html = """<html><body><div class="lm">人事信息</div><ul class="list"></ul>
<div class="page">首页 上一页 下一页 尾页</div></body></html>"""
    f = page_facts(BASE + "/rsxx/", html, {}, False, today=TODAY)
    assert (f["page_type"], f["list"]["items"], f["list"]["empty_list"]) == ("list", 0, True)


def test_tab_headings_name_their_more_links():
    html = """<html><body><section class="tab-box">
<div class="tab-head"><div class="tab on">要闻动态</div><div class="tab">通知公告</div></div>
<div class="tab-body">
<div class="tab-panel"><ul><li><a href="/yw/1.html">市政府召开常务会议</a><span class="date">11-20</span></li></ul><a class="more" href="/yw/">更多</a></div>
<div class="tab-panel"><ul><li><a href="/tz/1.html">关于征集民生实事项目的公告</a><span class="date">11-18</span></li></ul><a class="more" href="/tz/">更多</a></div>
</div></section></body></html>"""
    assert page_facts(BASE + "/", html, {}, True, today=TODAY)["more_names"] == {BASE + "/yw/": "要闻动态",
                                                                                 BASE + "/tz/": "通知公告"}


def test_trs_pager_with_a_div_id_first():
    html = """<html><body><table class="list_table">
<tr><td><a href="art/1.html">某某区人民政府关于印发若干政策的通知</a></td><td>(2026-10-23)</td></tr>
<tr><td><a href="art/2.html">某某区人民政府办公室关于加强管理的意见</a></td><td>(2026-10-08)</td></tr>
<tr><td><a href="art/3.html">某某区人民政府关于印发工作方案的通知</a></td><td>(2026-09-23)</td></tr>
</table><div id="page_div"></div><script>createPageHTML('page_div', 3, 1, 'index', 'html', 7);</script></body></html>"""
    lf = page_facts(BASE + "/col/col103/index.html", html, {}, False, today=TODAY)["list"]
    assert (lf["page_count"], lf["pagination"]) == (3, [BASE + "/col/col103/index_1.html", BASE + "/col/col103/index_2.html"])


def test_last_page_with_one_entry_counts_it():
    html = """<html><body><table class="list_table">
<tr><td><a href="art/4.html">某某区人民政府关于调整机构编制事项的通知</a></td><td>(2026-08-24)</td></tr>
</table></body></html>"""
    lf = page_facts(BASE + "/col/col103/index_1.html", html, {}, False, today=TODAY)["list"]
    assert (lf["items"], lf["newest"]) == (1, "2026-08-24")


def test_alternating_headings_and_more_links_are_not_tabs():
    html = """<html><body><div class="main">
<div class="title">政务动态</div><ul><li><a href="/a/1.html">市政府召开常务会议研究部署</a><span>2026-11-20</span></li></ul>
<a href="/zwdt/">更多</a>
<div class="title">通知公告</div><ul><li><a href="/b/1.html">关于征集民生实事项目的公告</a><span>2026-11-18</span></li></ul>
<a href="/tzgg/">更多</a></div></body></html>"""
    names = page_facts(BASE + "/", html, {}, True, today=TODAY)["more_names"]
    assert names.get(BASE + "/tzgg/") != "政务动态"


def test_empty_container_filled_by_script_is_not_blank():
    html = """<html><body><ul class="list" id="list"></ul>
<script>$.ajax({url: '/api/list?col=12', success: function (d) { render(d); }});</script></body></html>"""
    assert page_facts(BASE + "/rsxx/", html, {}, False, today=TODAY)["list"]["empty_list"] is False


def test_whole_row_links_carry_their_date_inside():
    html = """<html><body><ul class="news-list">
<li><a href="1.html"><span class="t">关于市级机关遴选公务员的公告</span><span class="date">2026-11-19</span></a></li>
<li><a href="2.html"><span class="t">关于征集民生实事项目的公告</span><span class="date">2026-11-13</span></a></li>
<li><a href="3.html"><span class="t">关于开展第五次经济普查的通知</span><span class="date">2026-11-07</span></a></li>
</ul></body></html>"""
    lf = page_facts(BASE + "/tzgg/", html, {}, False, today=TODAY)["list"]
    assert (lf["items"], lf["newest"], lf["oldest"]) == (3, "2026-11-19", "2026-11-07")


def test_image_and_arrow_more_links_name_their_block():
    html = """<html><body>
<table><tr><td class="bt_title">乡镇动态</td><td><a href="/col/col106/index.html"><img src="/images/more.gif"></a></td></tr></table>
<div class="box"><h3>部门动态</h3><a href="/bmdt/">更多→</a></div></body></html>"""
    assert page_facts(BASE + "/", html, {}, True, today=TODAY)["more_names"] == {
        BASE + "/col/col106/index.html": "乡镇动态", BASE + "/bmdt/": "部门动态"}


def test_intro_page_with_an_empty_decorative_div_is_not_a_list():
    html = """<html><body><h1>机构职能</h1><div class="news-line"></div>
<p>""" + "负责贯彻执行国家和省有关方针政策和法律法规，拟订全县经济社会发展规划并组织实施，统筹推进重点领域改革。" * 3 + """</p></body></html>"""
    f = page_facts(BASE + "/jgzn/", html, {}, False, today=TODAY)
    assert (f["page_type"], f["list"]["empty_list"]) == ("other", False)
