"""The portal spider (`scrapy crawl portal`): the site crawl (spiders/site.py) plus a
portal's own 留言/信箱 message lists, walked as the hotline spider walks a board."""
from __future__ import annotations

from typing import Any, Iterator

from crawler import decode
from crawler.extract import parse as parse_html
from crawler.spiders.hotline import BOARD_WORDS, Board, HotlineSpider
from crawler.spiders.site import SiteState


class PortalSpider(HotlineSpider):
    """The portal audit's crawl (`scrapy crawl portal`): the site crawl, plus the
    portal's own 留言/信箱 lists, so interact.unanswered_3m and
    interact.reply_recency read real messages. Unlike a hotline site, most pages
    of a portal are not about messages: the board extraction runs only on pages
    that name a board (title) or are reached from a link that does (anchor
    text), and on the pages of lists already known to be boards."""
    name = "portal"
    kind = "portal"
    reads_pages_itself = False     # the storage process reads a portal's pages; a board's page is read again here

    def note_signals(self, board: Board, url: str, tree) -> list[tuple[str, str]]:
        return []

    def board(self, state: SiteState) -> Board:
        if not hasattr(state, "odh"):
            state.odh = Board(state.hints)
            state.odh.named = set()     # URLs linked with an anchor naming a board
        return state.odh

    def walk(self, state: SiteState, response, tree, item) -> Iterator[Any]:
        board = self.board(state)
        url = response.url
        hinted = state.hints.get("messages_url") or []
        about_board = (url in board.named or url in board.listed or url in board.list_pages or url in board.requested
                       or url in ([hinted] if isinstance(hinted, str) else hinted)
                       or BOARD_WORDS.search(item.title or ""))
        board.named.update(link["target_url"] for link in item.links
                           if link["tag"] == "a" and BOARD_WORDS.search(link["text"]))
        if about_board:
            if tree is None:      # read by the storage process: a board's page is parsed here again (few are)
                tree = parse_html(decode.response_text(response))
            yield from super().walk(state, response, tree, item)

    def scans_scripts(self, response, tree) -> bool:
        return BOARD_WORDS.search(tree.findtext(".//title") or "") is not None
