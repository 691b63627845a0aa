"""The hotline / message-board spider: the site crawl (spiders/site.py),
plus message-list walking (pagination included — links, script pagers, pagers
that post a form — past the depth cap), each message's detail page (submission
and reply times, status, replying unit, 回访 / satisfaction; a reply shown on a
page of its own, linked by 查看答复, completes its message), and the board's
sections: knowledge base / 热点问题, 主动回应, satisfaction rating, handling statistics.

Messages are stored as rows (table `messages`); board facts go into the
crawl probe row under "hotline". The `messages_url` hint adds list pages
the crawl would not reach.
"""
from __future__ import annotations

import re
from typing import Any, Iterator
from urllib.parse import urlsplit

from crawler.extract import messages as ex
from crawler.extract.json_records import json_endpoints
from crawler.extract.labelled import hint_int, parse_tree, script_pager_links, placeholder, repeated_items, text_of
from crawler.items import RowsItem
from crawler.spiders.site import SiteState
from crawler.spiders.side_requests import SideRequests

DEFAULTS = {"max_messages": 500, "max_list_pages": 50}
BOARD_WORDS = re.compile(r"留言|来信|信件|信箱|诉求|咨询|投诉|问政|12345|互动|回复|答复")


class Board:
    def __init__(self, hints: dict[str, Any]):
        self.limits = {k: hint_int(hints, k, v) for k, v in DEFAULTS.items()}
        self.listed: dict[str, dict[str, Any]] = {}     # detail url → fields shown in a list
        self.found: dict[str, dict[str, Any]] = {}      # detail url → fields read on its page
        self.list_pages: set[str] = set()
        self.json_tried: set[str] = set()
        self.scripts: set[str] = set()
        self.requested: set[str] = set()
        self.facts: dict[str, Any] = {"message_lists": [], "json_endpoints": [], "stated_total": None, "knowledge_base": None,
                                      "proactive": None, "satisfaction": None, "stats": None, "capped": False}


class HotlineSpider(SideRequests):
    name = "hotline"
    kind = "hotline"

    def board(self, state: SiteState) -> Board:
        if not hasattr(state, "odh"):
            state.odh = Board(state.hints)
            state.facts["hotline"] = state.odh.facts
        return state.odh

    def start_requests(self):
        for request in super().start_requests():
            state = self.states[request.meta["site_id"]]
            self.board(state)
            yield request
            hinted = state.hints.get("messages_url")
            for url in ([hinted] if isinstance(hinted, str) else hinted or []):
                if url not in state.seen:
                    yield from self.schedule(state, url, "page", 1)

    def walk(self, state: SiteState, response, tree, item) -> Iterator[Any]:
        if tree is None:
            return
        board = self.board(state)
        url = response.url
        depth = response.meta["ga_depth"]
        for key, link in self.note_signals(board, url, tree):
            yield from self.side(state, link, "section", odh_section=key)
        raw = self.text_of_response(response)    # the shared tree has no script bodies
        for endpoint in json_endpoints(url, raw):
            yield from self.try_json(state, board, endpoint)
        if self.scans_scripts(response, tree):
            yield from self.scan_scripts(state, board.scripts, url, tree)
        fields = ex.message_detail(url, tree, state.hints)
        if fields and (url in board.listed or fields.get("replied_at") or fields.get("status")):
            board.found[url] = fields
            reply = fields.pop("reply_link", None)
            if reply and ("reply " + reply) not in board.requested:
                board.requested.add("reply " + reply)
                yield from self.side(state, reply, "reply", odh_message=url)
            return
        listing = ex.message_list(url, tree, state.hints)
        if not listing["items"] or not self.is_message_list(state, board, url, tree, listing):
            return
        listing["pages"] += [p for p in script_pager_links(url, raw) if p not in listing["pages"]]
        yield from self.take_list(state, board, url, listing, depth + 1)

    def take_list(self, state: SiteState, board: Board, url: str, listing: dict[str, Any], depth: int) -> Iterator[Any]:
        """A message list page's messages and its other pages (links, or forms its pager posts)."""
        if url not in board.facts["message_lists"]:
            board.facts["message_lists"].append(url)
        if listing["stated_total"] and not board.facts["stated_total"]:
            board.facts["stated_total"] = listing["stated_total"]
        for entry in listing["items"]:
            board.listed.setdefault(entry["url"], entry)
            if not entry.get("inline"):
                yield from self.page(state, board, entry["url"], depth, detail=True)
        for page in self.new_list_pages(board.list_pages, board.limits["max_list_pages"], listing["pages"]):
            yield from self.page(state, board, page, depth)
        yield from self.post_list_pages(state, board.list_pages, board.limits["max_list_pages"], listing["form_pages"],
                                        "list_post", depth)

    def side_list_post(self, state: SiteState, response) -> Iterator[Any]:
        """A list page its pager's form asked for (POST): read as any page of the board's list.
        Messages shown whole on it are told apart from page 1's by the form's body."""
        html = self.posted_page(response)
        if html is None:
            return
        body = response.meta["odh_body"]
        listing = ex.message_list(response.url, html, state.hints)
        for entry in listing["items"]:
            if entry.get("inline"):
                entry["url"] = entry["url"].replace("#", f"?{body}#", 1)
        if listing["items"]:
            yield from self.take_list(state, self.board(state), response.url, listing, response.meta["odh_depth"])

    def scans_scripts(self, response, tree) -> bool:
        """Whether this page's own scripts are searched for a message-list API."""
        return response.meta["homepage"] or BOARD_WORDS.search(tree.findtext(".//title") or "") is not None

    @staticmethod
    def is_message_list(state: SiteState, board: Board, url: str, tree, listing: dict[str, Any]) -> bool:
        """Messages rather than news: the list shows statuses, reply times or a
        labelled submission time, or the page calls itself a board, or it is a
        page of a list already known (or hinted) to be one. Only such lists are
        walked past the crawl caps."""
        hinted = state.hints.get("messages_url") or []
        if url in board.list_pages or url in ([hinted] if isinstance(hinted, str) else hinted):
            return True
        if any(i.get("status") or i.get("replied_at") or i.get("labelled") for i in listing["items"]):
            return True
        heading = " ".join(filter(None, [tree.findtext(".//title") or ""] +
                                  [h.text_content() for tag in ("h1", "h2", "h3") for h in tree.iter(tag)]))
        return bool(BOARD_WORDS.search(heading))

    def page(self, state: SiteState, board: Board, url: str, depth: int, detail: bool = False) -> Iterator[Any]:
        if url in state.seen or urlsplit(url).netloc.lower() not in state.hosts:
            return
        if detail and len(board.listed) > board.limits["max_messages"]:
            board.facts["capped"] = True
            return
        if detail:
            board.requested.add(url)
        yield from self.schedule(state, url, "page", depth)

    # -- JSON message lists ------------------------------------------------------
    def try_json(self, state: SiteState, board: Board, url: str) -> Iterator[Any]:
        yield from self.json_request(state, board.json_tried, 10 + board.limits["max_list_pages"], url)

    def found_endpoint(self, state: SiteState, url: str) -> Iterator[Any]:
        yield from self.try_json(state, self.board(state), url)

    def side_json(self, state: SiteState, response) -> Iterator[Any]:
        board = self.board(state)
        data, retry = self.json_payload(state, board.json_tried, 10 + board.limits["max_list_pages"], response)
        yield from retry
        if data is None:
            return
        base = response.request.url
        parsed = ex.message_json(base, data, state.hints)
        if not parsed["items"]:
            return
        endpoint = base.split("?")[0]
        if endpoint not in board.facts["json_endpoints"]:
            board.facts["json_endpoints"].append(endpoint)
        new = 0
        for entry in parsed["items"]:
            detail = entry.pop("detail")
            if entry["url"] not in board.listed:
                new += 1
                board.listed[entry["url"]] = entry
            if detail:
                yield from self.page(state, board, entry["url"], 2, detail=True)
        if new and (parsed["stated_total"] is None or len(board.listed) < parsed["stated_total"]):
            yield from self.next_json(state, board.json_tried, 10 + board.limits["max_list_pages"], response)

    # -- board sections ----------------------------------------------------------
    def note_signals(self, board: Board, url: str, tree) -> list[tuple[str, str]]:
        """Record satisfaction and statistics signals; return the section pages to fetch."""
        sig = ex.hotline_signals(url, tree)
        facts = board.facts
        wanted = []
        for key, links in (("knowledge_base", sig["knowledge_links"]), ("proactive", sig["proactive_links"])):
            for link in links[:3]:
                if ("section " + link) not in board.requested:
                    board.requested.add("section " + link)
                    wanted.append((key, link))
        if not facts["satisfaction"]:
            if sig["satisfaction_rate"]:
                facts["satisfaction"] = {"kind": "published_rate", "url": url, "text": sig["satisfaction_rate"]}
            elif sig["rating_form"]:
                facts["satisfaction"] = {"kind": "rating_form", "url": url}
            elif sig["satisfaction_links"]:
                facts["satisfaction"] = {"kind": "rating_link", "url": sig["satisfaction_links"][0], "found_on": url}
        if not facts["stats"] and sig["stats"]:
            facts["stats"] = {"url": url, "figures": sig["stats"][:10]}
        return wanted

    def side_section(self, state: SiteState, response) -> Iterator[Any]:
        facts = self.board(state).facts
        key = response.meta["odh_section"]
        if response.status >= 400 or not self.body_is_html(response):
            return ()
        tree = parse_tree(self.text_of_response(response))
        text = text_of(tree)
        entries = 0 if placeholder(text) else len(repeated_items(tree, min_items=1, prefer_dates=False))
        current = facts[key]
        if current is None or entries > current["entries"]:
            facts[key] = {"url": response.url, "entries": entries}
        return ()

    def side_reply(self, state: SiteState, response) -> Iterator[Any]:
        """A message's reply on a page of its own: its fields complete the message's."""
        if response.status >= 400 or not self.body_is_html(response):
            return ()
        found = self.board(state).found[response.meta["odh_message"]]
        for key, value in ex.reply_fields(response.url, self.text_of_response(response)).items():
            found.setdefault(key, value)
        return ()

    # -- end of a site -----------------------------------------------------------
    def maybe_done(self, state: SiteState):
        if state.pending == 0 and not state.done and hasattr(state, "odh"):
            rows = self.message_rows(state.odh)
            if rows:
                yield RowsItem(run_id=self.run_id, site_id=state.site_id, table="messages", rows=rows)
        yield from super().maybe_done(state)

    @staticmethod
    def message_rows(board: Board) -> list[dict[str, Any]]:
        """Detail-page fields win over list fields; a listed message whose page
        could not be read counts when the list dates it by a labelled field or
        column, or shows its status or reply time."""
        rows = []
        for url in list(board.listed) + [u for u in board.found if u not in board.listed]:
            listed, found = board.listed.get(url, {}), board.found.get(url)
            if found is None and not (listed.get("submitted_at") and (listed.get("status") or listed.get("replied_at")
                                                                      or listed.get("labelled"))):
                continue
            merged = {**listed, **{k: v for k, v in (found or {}).items() if v not in (None, "")}}
            if listed.get("title"):
                merged["title"] = listed["title"]
            status = (merged.get("status") or "")[:50] or None
            rows.append({"url": url[:4000], "title": merged.get("title") or None,
                         "submitted_at": merged.get("submitted_at"), "replied_at": merged.get("replied_at"),
                         "status": status,
                         "reply_unit": (merged.get("reply_unit") or "")[:200] or None,
                         "follow_up": bool(merged.get("follow_up")),
                         "satisfaction": (merged.get("satisfaction") or "")[:50] or None,
                         # what the shown 办理状态 says (True replied, False pending, None neither): the checks read it
                         "details": {"source": "detail" if found else ("inline" if listed.get("inline") else "list"),
                                     "status_replied": ex.status_replied(status)}})
        return rows
