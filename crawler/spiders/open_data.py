"""The open-data platform spider: the site crawl of the portal spider, plus
catalogue walking (paged HTML lists, JSON endpoints named in the page's
scripts or by the `catalog_url` hint), dataset metadata, sampled downloads
(a file must come back, not an HTML login page) and platform facts (stated
total, apps showcase, security policy, feedback functions).

Datasets are stored as rows (table `datasets`); platform facts go into the
crawl probe row under "opendata".
"""
from __future__ import annotations

import re
from typing import Any, Iterator
from urllib.parse import urlsplit

from crawler.extract import datasets as ex
from crawler.extract.labelled import hint_int, script_pager_links
from crawler.items import RowsItem
from crawler.spiders.site import SiteState
from crawler.spiders.side_requests import SideRequests

CATALOGUE_WORDS = re.compile(r"目录|数据集|数据资源|资源列表|数据列表|开放数据|数据服务")
DEFAULTS = {"max_datasets": 1000, "sample_downloads": 20, "max_catalog_pages": 100}


class Catalogue:
    """What the spider learnt about one platform so far."""

    def __init__(self, hints: dict[str, Any]):
        self.hints = hints
        self.limits = {k: hint_int(hints, k, v) for k, v in DEFAULTS.items()}
        self.datasets: dict[str, dict[str, Any]] = {}     # url → row
        self.listed: dict[str, dict[str, Any]] = {}       # detail url → what a list or JSON record said
        self.requested: set[str] = set()
        self.json_tried: set[str] = set()
        self.scripts: set[str] = set()
        self.catalog_pages: set[str] = set()
        self.sampled = 0
        self.facts: dict[str, Any] = {"stated_total": None, "stated_total_url": None, "catalog_urls": [],
                                      "json_endpoints": [], "empty_catalogues": [], "apps": None, "security_policy": None,
                                      "feedback": {}, "downloads_sampled": 0, "capped": False}


class OpenDataSpider(SideRequests):
    name = "open_data"
    kind = "open_data"

    def cat(self, state: SiteState) -> Catalogue:
        if not hasattr(state, "odh"):
            state.odh = Catalogue(state.hints)
            state.facts["opendata"] = state.odh.facts
        return state.odh

    def start_requests(self):
        for request in super().start_requests():
            state = self.states[request.meta["site_id"]]
            cat = self.cat(state)
            yield request
            for key in ("catalog_url", "catalog_api"):
                if state.hints.get(key):
                    yield from self.try_json(state, cat, state.hints[key], hinted=True)

    # -- every crawled HTML page ------------------------------------------------
    def walk(self, state: SiteState, response, tree, item) -> Iterator[Any]:
        if tree is None:
            return
        cat = self.cat(state)
        url = response.url
        signals = ex.opendata_signals(url, tree)
        if signals["stated_total"] is not None and (cat.facts["stated_total"] is None or response.meta["homepage"]):
            cat.facts["stated_total"], cat.facts["stated_total_url"] = signals["stated_total"], url
        for key in signals["feedback"]:
            cat.facts["feedback"].setdefault(key, url)
        for link in signals["app_links"][:3]:
            yield from self.once(state, cat, link, "apps")
        for link in signals["security_links"][:3]:
            yield from self.once(state, cat, link, "security")
        raw = self.text_of_response(response)    # the shared tree has no script bodies
        for endpoint in ex.json_endpoints(url, raw):
            yield from self.try_json(state, cat, endpoint)
        if response.meta["homepage"] or CATALOGUE_WORDS.search(tree.findtext(".//title") or ""):
            yield from self.scan_scripts(state, cat.scripts, url, tree)

        detail = ex.dataset_detail(url, tree, state.hints)
        listed = cat.listed.get(url)
        if detail and (listed is not None or self.metadata_fields(detail) >= 3):
            yield from self.add_dataset(state, cat, self.merge(listed or {}, detail))
            return
        listing = ex.catalog_list(url, tree, state.hints)
        if listing["empty"] and CATALOGUE_WORDS.search(tree.findtext(".//title") or ""):
            if url not in cat.facts["empty_catalogues"]:
                cat.facts["empty_catalogues"].append(url)       # 数据目录 saying 暂无数据: a measured 0
        if listing["items"] and self.is_catalogue(listing, url, tree, cat):
            listing["pages"] += [p for p in script_pager_links(url, raw) if p not in listing["pages"]]
            yield from self.take_listing(state, cat, url, listing, response.meta["ga_depth"] + 1)

    def take_listing(self, state: SiteState, cat: Catalogue, url: str, listing: dict[str, Any], depth: int) -> Iterator[Any]:
        """A catalogue page's datasets and its other pages (links, or forms its pager posts)."""
        if url not in cat.facts["catalog_urls"]:
            cat.facts["catalog_urls"].append(url)
        if cat.facts["stated_total"] is None and listing["stated_total"]:
            cat.facts["stated_total"], cat.facts["stated_total_url"] = listing["stated_total"], url
        for entry in listing["items"]:
            cat.listed.setdefault(entry["url"], entry)
            yield from self.detail_page(state, cat, entry["url"], depth)
        for page in self.new_list_pages(cat.catalog_pages, cat.limits["max_catalog_pages"], listing["pages"]):
            yield from self.detail_page(state, cat, page, depth)
        yield from self.post_list_pages(state, cat.catalog_pages, cat.limits["max_catalog_pages"], listing["form_pages"],
                                        "catalog_post", depth)

    def side_catalog_post(self, state: SiteState, response) -> Iterator[Any]:
        """A catalogue page its pager's form asked for (POST): read as any page of the catalogue."""
        html = self.posted_page(response)
        if html is None:
            return
        listing = ex.catalog_list(response.url, html, state.hints)
        if listing["items"]:
            yield from self.take_listing(state, self.cat(state), response.url, listing, response.meta["odh_depth"])

    @staticmethod
    def metadata_fields(detail: dict[str, Any]) -> int:
        return sum(1 for k in ("summary", "provider", "frequency", "updated_at", "open_condition") if detail.get(k)) + \
            (1 if detail["details"].get("format_label") else 0)

    @staticmethod
    def is_catalogue(listing: dict[str, Any], url: str, tree, cat: Catalogue) -> bool:
        """A dataset list rather than news or a menu: its items name formats, or it
        is a page of a known catalogue, or the page calls itself a catalogue and
        its item links share one path."""
        if any(e["formats"] for e in listing["items"]) or url in cat.catalog_pages:
            return True
        heading = " ".join(filter(None, [tree.findtext(".//title") or ""] +
                                  [h.text_content() for tag in ("h2", "h3") for h in tree.iter(tag)]))
        if not CATALOGUE_WORDS.search(heading):
            return False
        paths = [urlsplit(e["url"]).path.rsplit("/", 1)[0] for e in listing["items"]]
        return len(paths) >= 2 and max(paths.count(p) for p in set(paths)) >= 0.8 * len(paths)

    def detail_page(self, state: SiteState, cat: Catalogue, url: str, depth: int) -> Iterator[Any]:
        if url in state.seen or urlsplit(url).netloc.lower() not in state.hosts:
            return
        if len(cat.datasets) + len(cat.requested) >= cat.limits["max_datasets"]:
            cat.facts["capped"] = True
            return
        cat.requested.add(url)
        yield from self.schedule(state, url, "page", depth)

    def once(self, state: SiteState, cat: Catalogue, url: str, purpose: str) -> Iterator[Any]:
        key = purpose + " " + url
        if key not in cat.requested:
            cat.requested.add(key)
            yield from self.side(state, url, purpose)

    @staticmethod
    def merge(listed: dict[str, Any], detail: dict[str, Any]) -> dict[str, Any]:
        """A dataset as the list and its page show it together: the page's values win,
        formats are those either shows, and an API shown by either (the list's 接口 column,
        the page's badge or tab) counts."""
        row = dict(listed)
        for key, value in detail.items():
            if value not in (None, "", [], {}) or key not in row:
                row[key] = value
        row["formats"] = list(dict.fromkeys([*(detail.get("formats") or []), *(listed.get("formats") or [])]))
        row["has_api"] = bool(listed.get("has_api")) or bool(detail.get("has_api"))
        if listed.get("has_api"):
            row["details"] = {**row.get("details", {}), "api_listed": True}
        return row

    def add_dataset(self, state: SiteState, cat: Catalogue, row: dict[str, Any]) -> Iterator[Any]:
        if row["url"] in cat.datasets:
            return
        row.setdefault("details", {})
        cat.datasets[row["url"]] = row
        if row.get("download_url") and cat.sampled < cat.limits["sample_downloads"]:
            cat.sampled += 1
            cat.facts["downloads_sampled"] = cat.sampled
            yield from self.side(state, row["download_url"], "download", odh_dataset=row["url"])
        elif row["details"].get("login_required") and cat.sampled < cat.limits["sample_downloads"]:
            cat.sampled += 1
            cat.facts["downloads_sampled"] = cat.sampled
            row["download_ok"] = False
            row["details"]["download_failure"] = "login_required"

    # -- JSON catalogues ---------------------------------------------------------
    def try_json(self, state: SiteState, cat: Catalogue, url: str, hinted: bool = False) -> Iterator[Any]:
        yield from self.json_request(state, cat.json_tried, 10 + cat.limits["max_catalog_pages"], url)

    def found_endpoint(self, state: SiteState, url: str) -> Iterator[Any]:
        yield from self.try_json(state, self.cat(state), url)

    def side_json(self, state: SiteState, response) -> Iterator[Any]:
        cat = self.cat(state)
        data, retry = self.json_payload(state, cat.json_tried, 10 + cat.limits["max_catalog_pages"], response)
        yield from retry
        if data is None or not ex.looks_like_catalog(data):
            return
        base = response.request.url
        parsed = ex.catalog_json(base, data, state.hints)
        endpoint = base.split("?")[0]
        if endpoint not in cat.facts["json_endpoints"]:
            cat.facts["json_endpoints"].append(endpoint)
        if cat.facts["stated_total"] is None and parsed["stated_total"] is not None:
            cat.facts["stated_total"], cat.facts["stated_total_url"] = parsed["stated_total"], base
        new = 0
        for rec in parsed["items"]:
            detail = rec.pop("detail")
            rec["details"] = {"source": "json", "endpoint": endpoint}
            if detail and urlsplit(rec["url"]).netloc.lower() in state.hosts:
                if rec["url"] not in cat.listed:
                    new += 1
                cat.listed.setdefault(rec["url"], rec)
                yield from self.detail_page(state, cat, rec["url"], 2)
            elif rec["url"] not in cat.datasets:
                new += 1
                if len(cat.datasets) < cat.limits["max_datasets"]:
                    yield from self.add_dataset(state, cat, rec)
                else:
                    cat.facts["capped"] = True
        seen_total = len(cat.datasets) + len(cat.listed)
        if new and (parsed["stated_total"] is None or seen_total < parsed["stated_total"]):
            yield from self.next_json(state, cat.json_tried, 10 + cat.limits["max_catalog_pages"], response)

    # -- sampled downloads -----------------------------------------------------
    def side_download(self, state: SiteState, response) -> Iterator[Any]:
        row = self.cat(state).datasets[response.meta["odh_dataset"]]
        if response.status != 200:
            row["download_ok"], row["details"]["download_failure"] = False, f"http_{response.status}"
        elif self.body_is_html(response):
            row["download_ok"], row["details"]["download_failure"] = False, "html_page"
        elif not response.body:
            row["download_ok"], row["details"]["download_failure"] = False, "empty"
        else:
            row["download_ok"] = True
            row["details"]["download_type"] = response.headers.get("Content-Type", b"").decode("latin-1")
        return ()

    def side_failed(self, state: SiteState, request, kind: str):
        purpose = request.meta["purpose"]
        if purpose == "download":
            row = self.cat(state).datasets[request.meta["odh_dataset"]]
            row["download_ok"] = kind == "too_large"     # a file bigger than the cap did come back
            row["details"]["download_failure"] = None if kind == "too_large" else kind
        return ()

    # -- showcase and policy pages ------------------------------------------------
    def side_apps(self, state: SiteState, response) -> Iterator[Any]:
        cat = self.cat(state)
        if response.status >= 400 or not self.body_is_html(response):
            return ()
        found = ex.app_count(response.url, self.text_of_response(response))
        count = found["stated"] if found["stated"] is not None else (0 if found["empty"] else found["items"])
        if cat.facts["apps"] is None or count > cat.facts["apps"]["count"]:
            cat.facts["apps"] = {"url": response.url, "count": count, "stated": found["stated"],
                                 "items": found["items"], "names": found["names"][:20]}
        return ()

    def side_security(self, state: SiteState, response) -> Iterator[Any]:
        cat = self.cat(state)
        if response.status >= 400 or not self.body_is_html(response) or cat.facts["security_policy"]:
            return ()
        text = self.text_of_response(response)
        from crawler.extract.labelled import page_heading, parse_tree, text_of
        tree = parse_tree(text)
        body = text_of(tree)
        if re.search(r"安全", body) and len(body) > 80:
            cat.facts["security_policy"] = {"url": response.url, "title": page_heading(tree)}
        return ()

    # -- end of a site -----------------------------------------------------------
    def maybe_done(self, state: SiteState):
        if state.pending == 0 and not state.done and hasattr(state, "odh"):
            self.drop_template_links(list(state.odh.datasets.values()))
            rows = [self.dataset_row(r) for r in state.odh.datasets.values()]
            if rows:
                yield RowsItem(run_id=self.run_id, site_id=state.site_id, table="datasets", rows=rows)
        yield from super().maybe_done(state)

    @staticmethod
    def drop_template_links(datasets: list[dict[str, Any]]) -> None:
        """An API or download link on most dataset pages of a platform belongs to
        the page template, not to each dataset."""
        if len(datasets) < 4:
            return
        counts: dict[str, int] = {}
        for d in datasets:
            for u in set(d["details"].get("api_urls", [])) | {d.get("download_url") or ""}:
                counts[u] = counts.get(u, 0) + 1
        shared = {u for u, n in counts.items() if u and n > len(datasets) / 2}
        if not shared:
            return
        for d in datasets:
            api = [u for u in d["details"].get("api_urls", []) if u not in shared]
            if len(api) != len(d["details"].get("api_urls", [])):
                d["details"]["api_urls"] = api
                d["has_api"] = bool(api) or any(d["details"].get(k) for k in ("api_label", "api_format", "api_marks",
                                                                               "api_listed"))
            if d.get("download_url") in shared:
                d["details"]["template_download"] = d["download_url"]
                d["download_url"], d["download_ok"] = "", None

    @staticmethod
    def dataset_row(r: dict[str, Any]) -> dict[str, Any]:
        return {"url": r["url"][:4000], "title": r.get("title") or None, "summary": r.get("summary") or None,
                "provider": (r.get("provider") or "")[:300] or None, "frequency": (r.get("frequency") or "")[:50] or None,
                "updated_at": r.get("updated_at"), "open_condition": (r.get("open_condition") or "")[:100] or None,
                "formats": list(r.get("formats") or []), "has_api": bool(r.get("has_api")),
                "download_url": (r.get("download_url") or "")[:4000] or None, "download_ok": r.get("download_ok"),
                "details": r.get("details") or {}}
