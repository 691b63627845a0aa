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
