"""avail.homepage and links.* on hand-built artifacts, and the runner's homepage gate."""
from checks.artifacts import LinkArt, PageArt, SiteArtifacts, SiteInfo
from checks.catalog import all_checks
from govaudit.runner import evaluate_site

HOME = "https://www.example.gov.cn/"


def site(pages, links, gathered=("crawl",)):
    return SiteArtifacts(SiteInfo(1, HOME, "某某市人民政府", "portal"), run_id=1, gathered=set(gathered),
                         pages=pages, links=links)


def run(art, *ids):
    checks = [all_checks()[i] for i in ids]
    return {c.id: (f.status, f.value, f.details.get("error_kind")) for c, f in evaluate_site(art, checks)}


def test_dead_links_split_and_counted_once():
    pages = [PageArt(HOME, 200, is_homepage=True, final_url=HOME),
             PageArt(HOME + "a.html", 200), PageArt(HOME + "gone.html", 404, attempts=2),
             PageArt("https://other.example.com/x", None, "timeout", role="external", attempts=2),
             PageArt(HOME + "img/x.png", 410, role="resource"), PageArt("http://10.0.0.1/", None, "refused", role="external"),
             PageArt(HOME + "b.html", 500)]
    links = [LinkArt(HOME, HOME + "gone.html"), LinkArt(HOME, "https://other.example.com/x"),
             LinkArt(HOME, HOME + "a.html"), LinkArt(HOME, "http://10.0.0.1/"), LinkArt(HOME, HOME + "never-fetched.html"),
             LinkArt(HOME + "a.html", HOME + "gone.html"), LinkArt(HOME + "a.html", HOME + "img/x.png", "img"),
             LinkArt(HOME + "b.html", HOME + "img/x.png", "img"), LinkArt(HOME + "a.html", HOME + "b.html")]
    art = site(pages, links)
    assert run(art, "avail.homepage", "links.dead_homepage", "links.dead_site") == {
        "avail.homepage": ("pass", 1, None), "links.dead_homepage": ("fail", 2, None), "links.dead_site": ("fail", 3, None)}
    home = all_checks()["links.dead_homepage"].evaluate(art, {})
    assert (home.details["confirmed"], home.details["suspected"]) == ([HOME + "gone.html"], ["https://other.example.com/x"])
    assert home.details["table"] == {
        "type": "table", "caption": "错误链接",
        "headings": [{"key": "url", "label": "目标地址", "value_type": "url"},
                     {"key": "reason", "label": "HTTP 状态或原因", "value_type": "code"},
                     {"key": "linked_from", "label": "所在页面", "value_type": "urls"},
                     {"key": "verdict", "label": "判定", "value_type": "code", "words": {"confirmed": "确认", "suspected": "疑似"}}],
        "items": [{"url": "https://other.example.com/x", "reason": "timeout", "linked_from": [HOME], "verdict": "suspected"},
                  {"url": HOME + "gone.html", "reason": "http_404", "linked_from": [HOME], "verdict": "confirmed"}]}
    other = all_checks()["links.dead_site"].evaluate(art, {})
    assert [(e["ref"], e["reason"], e["linked_from"]) for e in other.evidence] == [
        (HOME + "b.html", "http_500", [HOME + "a.html"]),
        (HOME + "gone.html", "http_404", [HOME + "a.html"]),
        (HOME + "img/x.png", "http_410", [HOME + "a.html", HOME + "b.html"])]


def test_unreachable_homepage_makes_every_other_check_error_alike():
    art = site([PageArt(HOME, None, "dns", is_homepage=True, facts={"error": "DNS lookup failed"})], [])
    assert run(art, "avail.homepage", "links.dead_homepage", "links.dead_site") == {
        "avail.homepage": ("fail", 0, "dns"), "links.dead_homepage": ("error", None, "dns"),
        "links.dead_site": ("error", None, "dns")}


def test_blocked_scanner_is_error_not_fail():
    art = site([PageArt(HOME, 403, "blocked", is_homepage=True, facts={"blocked": "http_403"})], [])
    assert run(art, "avail.homepage", "links.dead_site") == {
        "avail.homepage": ("error", None, "blocked"), "links.dead_site": ("error", None, "blocked")}


def test_not_gathered_and_kind_filter():
    art = site([], [], gathered=())
    assert run(art, "links.dead_homepage") == {"links.dead_homepage": ("error", None, "not_gathered")}


def test_http_error_homepage():
    art = site([PageArt(HOME, 502, is_homepage=True, final_url=HOME)], [])
    assert run(art, "avail.homepage", "links.dead_site") == {
        "avail.homepage": ("fail", 0, "http_502"), "links.dead_site": ("error", None, "connection")}
