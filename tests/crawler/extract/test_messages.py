"""Message extraction on markup of several shapes, hints, and portal entries on real pages."""
from crawler.extract.entries import find_entries
from crawler.extract.messages import hotline_signals, message_detail, message_list, status_replied
from tests.conftest import CORPUS

BASE = "http://h.example/"


def page(body, title="留言详情"):
    return f"<html><head><title>{title}</title></head><body>{body}</body></html>"


def test_detail_with_label_spans_and_reply_block():
    html = page("""<h1>某某市12345</h1><h2>路灯不亮</h2>
        <p><span>提问时间：</span><span>2026-03-02 08:15</span> <span>办理状态：</span><span>已办结</span></p>
        <div class="reply"><span>答复单位：</span><span>市城管局</span><span>答复时间：</span><span>2026/3/4</span></div>
        <p>回访结果：非常满意</p>""", title="路灯不亮 - 留言详情")
    got = message_detail(BASE + "m/1", html)
    assert got == {"submitted_at": "2026-03-02T08:15:00", "replied_at": "2026-03-04", "status": "已办结",
                   "reply_unit": "市城管局", "follow_up": True, "satisfaction": "非常满意", "title": "路灯不亮",
                   "url": BASE + "m/1"}


def test_detail_in_a_four_column_table_with_chinese_dates():
    html = page("""<table><tr><th>信件标题</th><td colspan="3">关于噪音扰民</td></tr>
        <tr><th>来信时间</th><td>2025年12月30日</td><th>处理状态</th><td>已答复</td></tr>
        <tr><th>答复部门</th><td>区生态环境分局</td><th>答复日期</th><td>2026年1月9日</td></tr></table>""")
    got = message_detail(BASE + "x", html)
    assert (got["title"], got["submitted_at"], got["replied_at"], got["status"], got["reply_unit"], got.get("follow_up")) == \
        ("关于噪音扰民", "2025-12-30", "2026-01-09", "已答复", "区生态环境分局", None)


def test_detail_with_spaced_labels_in_one_cell_and_unlabelled_reply_date():
    html = page("""<div class="q"><h3>咨询公积金提取</h3><div>咨 询 时 间：2026-05-06</div></div>
        <div class="a"><b>答复意见：</b><p>您好，可以提取。</p><p>市住房公积金中心 2026-05-08</p></div>""")
    got = message_detail(BASE + "q", html)
    assert (got["submitted_at"], got["replied_at"], got.get("status")) == ("2026-05-06", "2026-05-08", None)


def test_news_article_is_not_a_message():
    html = page("<h2>市政府召开常务会议</h2><p>发布时间：2026-05-06 来源：市政府办公室</p><p>会议指出……</p>")
    assert message_detail(BASE + "news/1", html) is None


def test_list_table_reads_columns_by_header():
    html = page("""<table><tr><th>编号</th><th>留言标题</th><th>回复状态</th><th>留言日期</th><th>回复日期</th></tr>
        <tr><td>1</td><td><a href="/d/1">停车难</a></td><td>已回复</td><td>2026-01-02</td><td>2026-01-03</td></tr>
        <tr><td>2</td><td><a href="/d/2">噪音</a></td><td>未回复</td><td>2026-01-05</td><td></td></tr></table>
        <div>共 2 条 <a href="?page=2">下一页</a></div>""")
    got = message_list(BASE + "list", html)
    assert got["items"] == [
        {"url": BASE + "d/1", "title": "停车难", "status": "已回复", "submitted_at": "2026-01-02", "replied_at": "2026-01-03",
         "labelled": True},
        {"url": BASE + "d/2", "title": "噪音", "status": "未回复", "submitted_at": "2026-01-05", "labelled": True}]
    assert (got["pages"], got["stated_total"], got["empty"]) == ([BASE + "list?page=2"], 2, False)


def test_list_items_with_inline_labels():
    html = page("""<div class="box">
        <div class="it"><a href="/l/7">学位咨询</a><em>来信日期：2026-02-01</em><em>状态：已反馈</em></div>
        <div class="it"><a href="/l/8">道路维修</a><em>来信日期：2026-02-03</em><em>状态：处理中</em></div></div>""")
    got = message_list(BASE, html)["items"]
    assert [(i["url"], i["submitted_at"], i["status"]) for i in got] == [
        (BASE + "l/7", "2026-02-01", "已反馈"), (BASE + "l/8", "2026-02-03", "处理中")]


def test_a_menu_is_not_a_message_list_and_placeholders_are_seen():
    menu = page('<ul><li><a href="/a">首页</a></li><li><a href="/b">我要写信</a></li><li><a href="/c">留言选登</a></li></ul>')
    assert message_list(BASE, menu)["items"] == []
    empty = page('<ul class="list"></ul><p>暂无留言</p>')
    assert message_list(BASE, empty)["empty"] is True


def test_hints_pick_items_and_fields_the_heuristics_miss():
    html = page("""<section><article class="card" data-x><a class="go" href="/p/1">看病难</a>
        <a class="more" href="/p/1#more">查看详细内容和回复</a><i class="t">2026.04.01</i></article>
        <article class="card"><a class="go" href="/p/2">停车</a><a class="more" href="/p/2#m">查看详细内容和回复</a>
        <i class="t">2026.04.02</i></article></section>""")
    got = message_list(BASE, html, {"message_item": "article.card", "message_link": "a.go"})["items"]
    assert [(i["title"], i["submitted_at"]) for i in got] == [("看病难", "2026-04-01"), ("停车", "2026-04-02")]
    detail = page('<h2>看病难</h2><div class="when">2026-04-01</div><div class="ans">2026-04-03</div>')
    assert message_detail(BASE + "p/1", detail) is None
    got = message_detail(BASE + "p/1", detail, {"message_submitted": "div.when", "message_replied": "div.ans"})
    assert (got["submitted_at"], got["replied_at"]) == ("2026-04-01", "2026-04-03")


def test_status_words():
    assert [status_replied(s) for s in ("已回复", "已办结", "办理中", "待处理", "已受理", "已转办", "公开", "")] == \
        [True, True, False, False, False, False, None, None]


def test_board_signals():
    html = page("""<a href="/zsk">知识库</a><a href="/rd">热点问题</a><a href="/hy">回应关切</a>
        <p>本月受理量 3,456 件，办结率 99.1%，群众满意率 98.2%</p>""")
    sig = hotline_signals(BASE, html)
    assert sig["knowledge_links"] == [BASE + "zsk", BASE + "rd"] and sig["proactive_links"] == [BASE + "hy"]
    assert sig["satisfaction_rate"] == "满意率98.2%" and sig["stats"] == ["办结率", "受理量"]
    assert hotline_signals(BASE, page("<p>欢迎</p>"))["stats"] == []


def test_entries_found_on_real_portal_pages():
    elder = (CORPUS / "elder_mode_001.html").read_text(encoding="utf-8-sig")
    got = find_entries("https://www.pingtan.gov.cn/zwgk/a.htm", elder)
    assert got["open_data"] == [{"url": "https://data.fujian.gov.cn/", "text": "数据开放"}]
    assert {"url": "https://12345.pingtan.gov.cn/", "text": "12345便民惠企服务平台"} in got["hotline"]
    home = (CORPUS / "portal_home_001.html").read_text(encoding="utf-8-sig")
    got = find_entries("http://tjj.yancheng.gov.cn/index.html", home)
    assert [e["url"].split("/opendata/")[0] for e in got["open_data"]] == ["https://www.yancheng.gov.cn"]
    assert got["hotline"][0] == {"url": "http://www.yancheng.gov.cn/jact/front/mailwrite.do?sysid=1&groupid=187&userids=G187",
                                 "text": "局长信箱"}


def test_petition_and_discipline_channels_are_not_boards():
    html = page('<a href="/xf">网上信访</a><a href="/jb">纪检监察举报</a><a href="/ly">我要留言</a>')
    assert [e["url"] for e in find_entries(BASE, html)["hotline"]] == [BASE + "ly"]


def test_json_message_list():
    from crawler.extract.messages import message_json
    data = {"code": 0, "data": {"totalRow": 31, "list": [
        {"letterId": 5, "letterTitle": "小区停车", "writeDate": "2026年3月1日", "statusName": "已办结",
         "replyTime": "2026-03-03 10:00:00", "deptName": "市交通局", "status": 3},
        {"letterId": 6, "letterTitle": "噪音", "writeDate": "2026-03-02", "status": 1},
        {"letterId": 7, "name": "没有日期的记录"}]}}
    got = message_json(BASE + "api/letters?page=1", data, {"message_url_template": "/letter/{id}.html"})
    assert got == {"stated_total": 31, "items": [
        {"url": BASE + "letter/5.html", "detail": True, "title": "小区停车", "submitted_at": "2026-03-01",
         "replied_at": "2026-03-03T10:00:00", "status": "已办结", "reply_unit": "市交通局"},
        {"url": BASE + "letter/6.html", "detail": True, "title": "噪音", "submitted_at": "2026-03-02"}]}
    assert message_json(BASE + "api/x", {"rows": [{"title": "数据集", "updateTime": "2026-01-01"}]})["items"] == []


def test_trs_script_pager_on_real_column_pages():
    from crawler.extract.labelled import pager_links, parse_tree
    first = (CORPUS / "column_list_002.html").read_text(encoding="utf-8")
    got = pager_links(parse_tree(first), "https://zj.mof.gov.cn/caizhengjiancha/", first)
    assert got[:2] == ["https://zj.mof.gov.cn/caizhengjiancha/index_1.htm", "https://zj.mof.gov.cn/caizhengjiancha/index_2.htm"]
    assert len(got) == 15 and got[-1].endswith("index_15.htm")
    second = (CORPUS / "column_list_003.html").read_text(encoding="utf-8")
    got = pager_links(parse_tree(second), "https://zj.mof.gov.cn/caizhengjiancha/index_1.htm", second)
    assert got[0] == "https://zj.mof.gov.cn/caizhengjiancha/index.htm" and len(got) == 15
    # the parsed tree keeps its scripts (page_facts mutes them only while it runs): same pages from the tree alone
    assert pager_links(parse_tree(second), "https://zj.mof.gov.cn/caizhengjiancha/index_1.htm") == got


def test_messages_shown_whole_on_the_list_page():
    html = page("""<div class="wrap">
        <div class="qa"><h4>关于公交站台</h4><p>留言时间：2026-06-01</p><p>办理状态：已回复</p>
            <div class="hf"><b>回复内容：</b>已协调增设。<p>回复时间：2026-06-03</p></div></div>
        <div class="qa"><h4>关于路面破损</h4><p>留言时间：2026-06-05</p><p>办理状态：办理中</p></div>
        <div class="qa"><h4>关于公园开放</h4><p>留言时间：2026-06-06</p>
            <div class="hf"><b>答复意见：</b><p>已延长开放时间。市园林局 2026年6月9日</p></div></div></div>""")
    got = message_list(BASE + "ly.html", html)["items"]
    assert [(i["url"], i["title"], i["submitted_at"], i.get("replied_at"), i.get("status")) for i in got] == [
        (BASE + "ly.html#message-1", "关于公交站台", "2026-06-01", "2026-06-03", "已回复"),
        (BASE + "ly.html#message-2", "关于路面破损", "2026-06-05", None, "办理中"),
        (BASE + "ly.html#message-3", "关于公园开放", "2026-06-06", "2026-06-09", None)]


def test_a_rating_form_is_not_a_follow_up_result():
    html = page("""<h2>学位咨询</h2><p>提问时间：2026-05-01</p><p>答复时间：2026-05-02</p>
        <form><span>满意度评价：</span><label><input type="radio">满意</label><label><input type="radio">基本满意</label>
        <label><input type="radio">不满意</label><button>提交评价</button></form>""")
    got = message_detail(BASE + "m/5", html)
    assert (got["replied_at"], got.get("follow_up")) == ("2026-05-02", None)


def test_bare_time_label_on_a_plain_message_page_and_bad_hints():
    html = page("""<h2>噪音扰民</h2><p>留言人：李**　时间：2026-04-01</p><p>处理状态：已答复</p><p>答复时间：2026-04-02</p>""")
    got = message_detail(BASE + "m/9", html)
    assert (got["submitted_at"], got["replied_at"]) == ("2026-04-01", "2026-04-02")
    assert message_detail(BASE + "n/1", page("<h2>新闻</h2><p>时间：2026-04-01</p>")) is None
    html = page('<ul><li><a href="/d/1">停车难</a><span>2026-01-02</span></li><li><a href="/d/2">噪音</a><span>2026-01-03</span></li></ul>')
    assert len(message_list(BASE, html, {"message_item": "li[[["})["items"]) == 2     # not CSS: heuristics take over


def test_list_table_with_a_satisfaction_column():
    html = page("""<table><tr><th>标题</th><th>提交时间</th><th>状态</th><th>满意度</th></tr>
        <tr><td><a href="/a">甲</a></td><td>2026-02-01</td><td>已办结</td><td>满意</td></tr>
        <tr><td><a href="/b">乙</a></td><td>2026-02-02</td><td>已办结</td><td>未评价</td></tr></table>""")
    got = message_list(BASE, html)["items"]
    assert [(i["title"], i.get("follow_up"), i.get("satisfaction")) for i in got] == [("甲", True, "满意"), ("乙", None, None)]


def test_pager_back_links_but_not_the_site_home():
    from crawler.extract.labelled import pager_links, parse_tree
    html = page('<div class="menu"><a href="/">首页</a> <a href="/about">关于</a></div>'
                '<div class="page"><a href="/l/1.html">首页</a> <a href="/l/1.html">上一页</a> <a href="/l/3.html">下一页</a></div>')
    assert pager_links(parse_tree(html), BASE + "l/2.html") == [BASE + "l/1.html", BASE + "l/3.html"]


def test_short_list_dates_reply_on_its_own_page_and_no_follow_up():
    from datetime import date

    from crawler.extract.messages import message_detail, reply_fields
    html = """<html><head><title>留言板</title></head><body><ul class="list">
        <li><a href="/l/1.html">电梯加装</a><span>已回复</span><span>5天前</span></li>
        <li><a href="/l/2.html">占道经营</a><span>已受理</span><span>12-30</span></li></ul></body></html>"""
    items = message_list(BASE, html, today=date(2026, 1, 3))["items"]
    assert [(i["title"], i["submitted_at"], i["status"]) for i in items] == [
        ("电梯加装", "2025-12-29", "已回复"), ("占道经营", "2025-12-30", "已受理")]
    msg = """<html><body><table><tr><td>来信时间</td><td>2026/1/2</td></tr><tr><td>办理状态</td><td>已办结</td></tr>
        </table><p>回访结果：暂无</p><a href="/l/1_hf.html">查看答复</a></body></html>"""
    got = message_detail(BASE + "l/1.html", msg)
    assert (got["submitted_at"], got.get("follow_up"), got["reply_link"]) == ("2026-01-02", None, BASE + "l/1_hf.html")
    reply = """<html><body><table><tr><td>答复单位</td><td>市交通局</td></tr><tr><td>答复时间</td><td>2026/1/5</td></tr>
        </table><p>回访情况：已回访，满意</p></body></html>"""
    assert reply_fields(BASE + "l/1_hf.html", reply) == {
        "replied_at": "2026-01-05", "reply_unit": "市交通局", "follow_up": True, "satisfaction": "已回访，满意"}


def test_a_board_paged_by_a_posted_form():
    html = """<html><head><title>咨询列表</title></head><body><div class="cards">
        <div class="card"><a href="/zx/1.html">企业开办</a><span>2026年10月17日</span><span>已回复</span></div>
        <div class="card"><a href="/zx/2.html">异地就医</a><span>2026年10月22日</span><span>待回复</span></div></div>
        <form method="post" action="/zx/list.html"><input type="hidden" name="page" value="2">
        <input type="submit" value="下一页"></form></body></html>"""
    got = message_list(BASE + "zx/list.html", html)
    assert (len(got["items"]), got["form_pages"]) == (2, [(BASE + "zx/list.html", "page=2")])
