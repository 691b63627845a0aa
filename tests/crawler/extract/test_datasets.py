"""Dataset extraction: detail pages in several markups, catalogue lists, JSON catalogues, platform signals."""
from crawler.extract.datasets import (app_count, catalog_json, catalog_list, dataset_detail, json_endpoints,
                                      opendata_signals, platform_stated_total)
from crawler.extract.json_records import next_page_url

BASE = "http://d.example/"


def page(body, title="数据详情"):
    return f"<html><head><title>{title}</title></head><body>{body}</body></html>"


def test_detail_in_a_table_with_other_label_words():
    html = page("""<h1>开放平台</h1><h2>企业名录</h2><table>
        <tr><th>数据提供方</th><td>市市场监管局</td><th>更新周期</th><td>每季度</td></tr>
        <tr><th>最后更新</th><td>2026年3月1日</td><th>共享开放类型</th><td>有条件开放</td></tr>
        <tr><th>资源格式</th><td>XLS / JSON</td><th>资源描述</th><td>全市企业名录</td></tr></table>
        <a href="/dl/qy.xlsx">下载</a> <a href="/svc/qy">API服务</a>""", title="企业名录_开放平台")
    got = dataset_detail(BASE + "ds/1", html)
    assert {k: got[k] for k in ("title", "summary", "provider", "frequency", "updated_at", "open_condition",
                                "formats", "has_api", "download_url")} == {
        "title": "企业名录", "summary": "全市企业名录", "provider": "市市场监管局", "frequency": "每季度",
        "updated_at": "2026-03-01", "open_condition": "有条件开放", "formats": ["xls", "json", "xlsx"],
        "has_api": True, "download_url": BASE + "dl/qy.xlsx"}


def test_detail_with_label_spans_no_api_and_login_wall():
    html = page("""<h2>公交站点</h2><ul class="info"><li><span>来源部门：</span><span>市交通局</span></li>
        <li><span>更新时间：</span><span>2025-07-01</span></li><li><span>数据格式：</span><span>PDF</span></li>
        <li><span>接口服务：</span><span>暂无</span></li></ul><button>登录后下载</button>""")
    got = dataset_detail(BASE + "ds/2", html)
    assert (got["provider"], got["updated_at"], got["formats"], got["has_api"], got["download_url"],
            got["details"]["login_required"], got["summary"], got["frequency"]) == \
        ("市交通局", "2025-07-01", ["pdf"], False, "", True, "", "")


def test_pages_without_metadata_are_not_datasets():
    assert dataset_detail(BASE + "about", page("<h2>关于我们</h2><p>更新时间：2026-01-01</p>")) is None


def test_catalogue_list_with_pager_and_formats():
    html = page("""<div class="list"><div class="row"><a href="/ds/1">人口</a><span>CSV</span><span>XLSX</span></div>
        <div class="row"><a href="/ds/2">学校</a><span>PDF</span></div></div>
        <div class="page">共 2 条 <a href="/cat?p=2">下一页</a> <a href="/cat?p=9">尾页</a></div>""")
    got = catalog_list(BASE + "cat", html)
    assert got["items"] == [{"url": BASE + "ds/1", "title": "人口", "formats": ["csv", "xlsx"]},
                            {"url": BASE + "ds/2", "title": "学校", "formats": ["pdf"]}]
    assert (got["pages"], got["stated_total"]) == ([BASE + "cat?p=2", BASE + "cat?p=9"], 2)


def test_json_catalogue_with_nested_records_and_other_keys():
    data = {"success": True, "result": {"totalCount": 40, "records": [
        {"id": 7, "title": "医院名录", "org_name": "市卫健委", "updateDate": "2026-02-03", "formats": ["csv", "xlsx"],
         "hasApi": True, "description": "医院", "frequency": "每月", "openLevel": "无条件开放"},
        {"id": 8, "title": "统计公报", "deptName": "市统计局", "modified": "2024/01/05", "fileType": "PDF",
         "apiCount": 0}]}}
    got = catalog_json(BASE + "api/list?page=1", data, {"dataset_url_template": "/dataset/{id}"})
    assert got["stated_total"] == 40
    first, second = got["items"]
    assert first == {"url": BASE + "dataset/7", "detail": True, "title": "医院名录", "summary": "医院",
                     "provider": "市卫健委", "frequency": "每月", "updated_at": "2026-02-03",
                     "open_condition": "无条件开放", "formats": ["csv", "xlsx"], "has_api": True, "download_url": ""}
    assert (second["provider"], second["updated_at"], second["formats"], second["has_api"]) == \
        ("市统计局", "2024-01-05", ["pdf"], False)
    assert catalog_json(BASE + "api/list", {"rows": [{"x": 1}]})["items"] == []
    assert next_page_url(BASE + "api/list?pageNo=2&pageSize=10") == BASE + "api/list?pageNo=3&pageSize=10"
    assert next_page_url(BASE + "api/list") is None


def test_json_endpoints_from_inline_scripts():
    html = page("""<script src="/js/app.js"></script><script>
        $.ajax({url: "/portal/api/dataset/search?pageNum=", type: "GET"});
        axios.get('/static/logo.png'); fetch(`/open/catalog.json`)</script>""")
    assert json_endpoints(BASE + "cat.html", html) == [BASE + "portal/api/dataset/search?pageNum=", BASE + "open/catalog.json"]


def test_platform_signals_and_stated_totals():
    html = page("""<nav><a href="/apps">应用展示</a><a href="/sec">数据安全管理办法</a><a href="/need">数据需求</a>
        <a href="/jc">我要纠错</a></nav><p>已开放 1,234 个数据集，数据接口 56 个</p>""")
    sig = opendata_signals(BASE, html)
    assert sig == {"stated_total": 1234, "app_links": [BASE + "apps"], "security_links": [BASE + "sec"],
                   "feedback": ["correction", "request"]}
    assert [platform_stated_total(t) for t in ("数据集总数：20", "开放数据集 12 个", "数据目录 2023年", "共 5 条")] == \
        [20, 12, None, None]


def test_apps_page_counts_stated_total_or_cards():
    cards = page("<div class='apps'>" + "".join(f"<div class='c'><a href='/a/{i}'>应用{i}</a></div>" for i in range(4)) + "</div>")
    assert (app_count(BASE, cards)["stated"], app_count(BASE, cards)["items"]) == (None, 4)
    assert app_count(BASE, page("<p>共 37 个应用</p>"))["stated"] == 37


def test_site_wide_menu_items_are_not_this_datasets_api_or_file():
    html = page("""<div class="header"><a href="/apis">API服务</a><a href="/dl">下载中心</a></div>
        <nav><a href="/dev">开放接口</a></nav><h2>景区名录</h2>
        <dl><dt>提供单位</dt><dd>市文旅局</dd><dt>更新时间</dt><dd>2026-01-01</dd><dt>数据格式</dt><dd>CSV</dd></dl>
        <div id="footer"><a href="/help.pdf">帮助文档</a></div>""")
    got = dataset_detail(BASE + "ds/9", html)
    assert (got["has_api"], got["download_url"], got["formats"]) == (False, "", ["csv"])


def test_label_value_siblings_without_colons():
    html = page("""<h2>充电桩分布</h2><div class="meta">
        <div class="row"><span class="k">数据提供方</span><span class="v">市发改委</span></div>
        <div class="row"><span class="k">更新周期</span><span class="v">每月</span></div>
        <div class="row"><span class="k">最近更新</span><span class="v">2026-10-01</span></div>
        <div class="row"><span class="k">资源格式</span><span class="v">CSV,JSON</span></div></div>""")
    got = dataset_detail(BASE + "ds/7", html)
    assert (got["provider"], got["frequency"], got["updated_at"], got["formats"]) == ("市发改委", "每月", "2026-10-01", ["csv", "json"])


def test_own_scripts_and_endpoints_in_script_files():
    from crawler.extract.json_records import endpoints_in_js, own_scripts
    from crawler.extract.labelled import parse_tree
    tree = parse_tree(page('<script src="/js/jquery-1.8.min.js"></script><script src="/static/app.js"></script>'
                           '<script src="https://cdn.example/x.js"></script><script src="/js/catalog.js?v=2"></script>'))
    assert own_scripts(BASE + "cat/", tree) == [BASE + "static/app.js", BASE + "js/catalog.js?v=2"]
    js = 'var u = "/gateway/api/res/page"; axios.post(`/gateway/api/res/detail`); load("/img/a.png")'
    assert endpoints_in_js(BASE + "cat/", js) == [BASE + "gateway/api/res/page", BASE + "gateway/api/res/detail"]


# -- the rules a person uses, as found on platforms of other vendors (tests/generality/ has them whole) --

def test_api_badge_tab_or_format_entry_marks_an_api_and_a_no_beats_a_stray_mark():
    meta = "<p>数据提供方：省统计局</p><p>更新频率：每年</p><p>数据格式：{fmt}</p>"
    badge = page('<div class="tags"><span class="badge">无条件开放</span><span class="badge">API</span></div>'
                 + meta.format(fmt="CSV"))
    icon = page('<i class="ico" title="接口"></i>' + meta.format(fmt="CSV"))
    in_menu = page('<div class="menu"><span>API</span></div>' + meta.format(fmt="CSV"))
    fmt_list = page(meta.format(fmt="JSON / API服务"))
    said_no = page('<dl><dt>数据接口</dt><dd>暂无</dd></dl><span class="badge">API</span>' + meta.format(fmt="XLSX"))
    got = [dataset_detail(BASE + "d", h) for h in (badge, icon, in_menu, fmt_list, said_no)]
    assert [(g["has_api"], g["formats"]) for g in got] == [
        (True, ["csv"]), (True, ["csv"]), (False, ["csv"]), (True, ["json"]), (False, ["xlsx"])]


def test_catalogue_table_read_by_its_header_and_icons_by_their_title():
    table = page("""<h2>数据目录</h2><table><tr><th>数据名称</th><th>数据格式</th><th>接口</th></tr>
        <tr><td><a href="/d/1">道路</a></td><td>CSV/XLS</td><td>有</td></tr>
        <tr><td><a href="/d/2">报告</a></td><td>DOC</td><td>无</td></tr></table>""")
    icons = page("""<ul><li><a href="/d/3">企业</a><i class="fmt" title="CSV"></i><img src="/i.gif" alt="JSON"></li>
        <li><a href="/d/4">地图</a><i class="fmt" title="ZIP"></i></li></ul>""")
    assert [(i["title"], i["formats"], i.get("has_api")) for i in catalog_list(BASE + "c", table)["items"]] == [
        ("道路", ["csv", "xls"], True), ("报告", ["doc"], False)]
    assert [(i["title"], i["formats"]) for i in catalog_list(BASE + "c", icons)["items"]] == [
        ("企业", ["csv", "json"]), ("地图", ["zip"])]


def test_script_and_form_pagers_go_where_a_click_goes():
    js = page("""<ul><li><a href="/d/1">甲</a></li><li><a href="/d/2">乙</a></li></ul>
        <div class="pager"><a href="javascript:;" onclick="goPage(1)">1</a><a href="javascript:;" onclick="goPage(2)">2</a>
        <a href="javascript:;" onclick="goPage(2)">下一页</a></div>
        <script>function goPage(n) { location.href = "/catalog.html?page=" + n; }</script>""")
    form = page("""<ul><li><a href="/d/1">甲</a></li><li><a href="/d/2">乙</a></li></ul>
        <form method="post" action="/list.do"><input type="hidden" name="pageNo" value="2">
        <input type="hidden" name="size" value="10"><button type="submit">下一页</button></form>
        <form method="post" action="/search.do"><input name="q" value="1"><button>搜索</button></form>""")
    assert catalog_list(BASE + "catalog.html", js)["pages"] == [BASE + "catalog.html?page=1", BASE + "catalog.html?page=2"]
    assert catalog_list(BASE + "list.do", form)["form_pages"] == [(BASE + "list.do", "pageNo=2&size=10")]


def test_json_api_flag_and_feedback_behind_script_links():
    data = {"data": {"total": 2, "list": [{"id": "a", "dataName": "预算", "apiFlag": "1"},
                                          {"id": "b", "dataName": "区志", "apiFlag": "0"}]}}
    assert [i["has_api"] for i in catalog_json(BASE + "api/open/datasets?pageNum=1", data)["items"]] == [True, False]
    html = page("""<a href="javascript:;" onclick="openModal('jc')">纠错</a><button data-target="#pj">满意度评价</button>
        <a href="/yj">意见建议</a>""")
    assert opendata_signals(BASE, html)["feedback"] == ["correction", "rating"]


def test_showcase_counts_its_own_items_not_the_menu_and_says_none():
    menu = '<div class="menu"><ul><li><a href="/">首页</a></li><li><a href="/c">数据目录</a></li></ul></div>'
    empty_grid = page(menu + '<h2>成果展示</h2><div class="grid"></div>')
    none = page(menu + '<h2>应用展示</h2><p>暂无应用</p>')
    grid = page(menu + '<h2>开发者应用</h2><ul class="apps"><li><a href="#a">公交</a></li><li><a href="#b">停车</a></li></ul>')
    assert [(a["items"], a["empty"]) for a in (app_count(BASE, h) for h in (empty_grid, none, grid))] == [
        (0, False), (0, True), (2, False)]


def test_a_dataset_named_after_a_function_is_not_the_function():
    html = page('<ul><li><a href="/d/1">全市中小学教育质量综合评价结果数据</a></li></ul><a href="/jc">数据纠错</a>')
    assert opendata_signals(BASE, html)["feedback"] == ["correction"]
