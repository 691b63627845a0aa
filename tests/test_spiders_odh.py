"""Pure parts of the open-data and hotline spiders."""
from types import SimpleNamespace

from crawler.spiders.hotline import Board, HotlineSpider
from crawler.spiders.side_requests import SideRequests


def test_an_extraction_bug_keeps_what_was_scheduled():
    def walk():
        yield "request-1"
        raise RuntimeError("bug")
    state = SimpleNamespace(facts={})
    assert SideRequests.guarded(state, SimpleNamespace(url="http://x/"), walk()) == ["request-1"]
    assert state.facts == {"extract_errors": 1}


def test_message_rows_merge_list_and_detail():
    board = Board({})
    board.listed = {"http://h/1": {"url": "http://h/1", "title": "停车难", "submitted_at": "2026-01-02", "status": "已回复"},
                    "http://h/2": {"url": "http://h/2", "title": "通知", "submitted_at": "2026-01-03"},
                    "http://h/3": {"url": "http://h/3", "title": "噪音", "submitted_at": "2026-01-04", "status": "办理中"}}
    board.found = {"http://h/1": {"url": "http://h/1", "title": "页面标题", "submitted_at": "2026-01-02T09:00:00",
                                  "replied_at": "2026-01-05", "reply_unit": "市交通局", "follow_up": True}}
    rows = HotlineSpider.message_rows(board)
    assert [(r["url"], r["title"], r["submitted_at"], r["replied_at"], r["status"], r["follow_up"], r["details"]["source"])
            for r in rows] == [
        ("http://h/1", "停车难", "2026-01-02T09:00:00", "2026-01-05", "已回复", True, "detail"),
        ("http://h/3", "噪音", "2026-01-04", None, "办理中", False, "list")]
    assert [r["details"]["status_replied"] for r in rows] == [True, False]     # the status read, for the checks


def test_links_on_most_dataset_pages_belong_to_the_template():
    from crawler.spiders.open_data import OpenDataSpider
    rows = [{"url": f"http://d/{i}", "has_api": True, "download_url": "http://d/login", "download_ok": False,
             "details": {"api_urls": ["http://d/api-doc"] + ([f"http://d/api/{i}"] if i == 0 else []), "api_label": False}}
            for i in range(5)]
    OpenDataSpider.drop_template_links(rows)
    assert [(r["has_api"], r["download_url"], r["download_ok"]) for r in rows] == \
        [(True, "", None)] + [(False, "", None)] * 4


def test_only_message_lists_are_walked_past_the_caps():
    from crawler.extract.labelled import parse_tree
    from crawler.spiders.hotline import HotlineSpider
    state, board = SimpleNamespace(hints={}), Board({})
    news = {"items": [{"url": "http://p/n/1", "submitted_at": "2026-01-01"}]}
    tree = parse_tree("<html><head><title>工作动态 - 某某市人民政府</title></head><body><h2>工作动态</h2></body></html>")
    assert HotlineSpider.is_message_list(state, board, "http://p/n/", tree, news) is False
    tree = parse_tree("<html><head><title>市长信箱</title></head><body></body></html>")
    assert HotlineSpider.is_message_list(state, board, "http://p/x/", tree, news) is True
    with_status = {"items": [{"url": "http://p/n/1", "submitted_at": "2026-01-01", "status": "已回复"}]}
    tree = parse_tree("<html><head><title>列表</title></head><body></body></html>")
    assert HotlineSpider.is_message_list(state, board, "http://p/y/", tree, with_status) is True


def test_news_on_a_data_platform_is_not_a_catalogue():
    from crawler.extract.labelled import parse_tree
    from crawler.spiders.open_data import Catalogue, OpenDataSpider
    items = [{"url": f"http://d/news/{i}.html", "formats": []} for i in range(3)]
    news = parse_tree("<html><head><title>平台动态</title></head><body><h2>平台动态</h2></body></html>")
    catalogue = parse_tree("<html><head><title>数据目录</title></head><body><h2>数据目录</h2></body></html>")
    cat = Catalogue({})
    assert OpenDataSpider.is_catalogue({"items": items}, "http://d/news/", news, cat) is False
    assert OpenDataSpider.is_catalogue({"items": items}, "http://d/cat/", catalogue, cat) is True
    with_formats = [{"url": "http://d/a", "formats": ["csv"]}]
    assert OpenDataSpider.is_catalogue({"items": with_formats}, "http://d/x", news, cat) is True


def test_a_template_api_link_leaves_the_api_a_badge_or_the_list_shows():
    from crawler.spiders.open_data import OpenDataSpider
    rows = [{"url": f"http://d/{i}", "has_api": True, "download_url": "",
             "details": {"api_urls": ["http://d/api-doc"], "api_marks": 1 if i == 0 else 0, "api_listed": i == 1}}
            for i in range(4)]
    OpenDataSpider.drop_template_links(rows)
    assert [r["has_api"] for r in rows] == [True, True, False, False]
