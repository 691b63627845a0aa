"""Hostile crawled text (the report seed's payloads and the hostile farm's scheme links) is shown
inert on every page; the archived page is replayed sandboxed; SQL-looking filters are just text."""
from __future__ import annotations

from lxml import html as lxml_html
from sqlalchemy import func, select

from storage import models as m
from storage.db import session_scope
from tests.hostile.farm import SCHEME_LINKS
from tests.scoring_seed import HOSTILE_TEXT, HOSTILE_TITLE

SQLISH = ["' OR '1'='1", "1; DROP TABLE sites; --", "%' UNION SELECT password_hash FROM users --", "\\", "_%"]


def _hostile(world):
    """A hostile site name, unit name and group, and the farm's scheme links as evidence."""
    with session_scope(world.db_url) as s:
        site = s.get(m.Site, world.sites[0])
        site.name, site.group = HOSTILE_TITLE, '"><svg onload=alert(4)>'
        s.get(m.Unit, site.unit_id).name = "<iframe src=javascript:alert(5)>"
        f = s.scalar(select(m.Finding).where(m.Finding.site_id == site.id, m.Finding.check_id == "links.dead_homepage"))
        f.evidence = f.evidence + [{"kind": "url", "ref": link} for link in SCHEME_LINKS]
        return f.id


def _assert_inert(page: str, where: str) -> None:
    doc = lxml_html.fromstring(page)
    scripts = doc.xpath("//script")
    assert [s.get("src") for s in scripts] == ["/static/htmx.min.js"], where
    assert all(not (s.text or "").strip() for s in scripts), where
    assert doc.xpath("//*[@*[starts-with(name(), 'on')]]") == [], where
    assert doc.xpath("//svg | //iframe[not(@sandbox)] | //object | //embed") == [], where
    for href in doc.xpath("//a/@href | //img/@src | //iframe/@src | //form/@action"):
        assert href.startswith(("/", "http://", "https://", "?", "#")), (where, href)


def test_pages_show_hostile_text_inert(world):
    finding_id = _hostile(world)
    client = world.client("admin")
    site = world.sites[0]
    pages = ["/sites", f"/sites/{site}", f"/findings/{finding_id}", "/checks/links.dead_homepage",
             f"/sites?q={HOSTILE_TITLE[:8]}", "/frameworks", f"/frameworks/inspection/site-{site}",
             "/compare", "/admin", f"/rounds/{world.run_id}", f"/archive/{world.archived_page}"]
    for path in pages:
        answer = client.get(path)
        assert answer.status_code == 200, path
        _assert_inert(answer.text, path)
    page = client.get(f"/sites/{site}").text
    assert "&lt;script&gt;alert(&#34;t&#34;)&lt;/script&gt;&#34;&gt;&lt;img src=x onerror=alert(1)&gt;" in page
    text = lxml_html.fromstring(page).text_content()
    assert HOSTILE_TEXT in text and "javascript:alert(1)" in text and "data:text/html,<script>alert(3)</script>" in text
    assert "<iframe src=javascript:alert(5)>" in text


def test_archived_page_is_replayed_in_a_sandbox(world):
    client = world.client("viewer")
    frame = client.get(f"/archive/{world.archived_page}")
    doc = lxml_html.fromstring(frame.text)
    [iframe] = doc.xpath("//iframe")
    assert iframe.get("sandbox") == "" and iframe.get("src") == f"/archive/{world.archived_page}/raw"
    assert "http://a.example/x.html" in doc.text_content() and "HTTP 200" in doc.text_content()
    raw = client.get(f"/archive/{world.archived_page}/raw")
    assert raw.headers["content-security-policy"] == ("sandbox; default-src 'none'; style-src 'unsafe-inline'; "
                                                      "img-src data:; frame-ancestors 'self'")
    assert raw.headers["x-frame-options"] == "SAMEORIGIN"
    assert raw.headers["content-type"] == "text/html; charset=utf-8"
    assert "<h1>存档页</h1>" in raw.text       # as captured (the sandbox, not escaping, makes it harmless)
    # a unit user of another government does not see it
    from tests.console.conftest import PASSWORD, login
    with session_scope(world.db_url) as s:
        s.scalar(select(m.User).where(m.User.name == "unit")).unit_id = world.units[1]
    other = world.client()
    login(other, "unit", PASSWORD)
    assert other.get(f"/archive/{world.archived_page}/raw").status_code == 404


def test_sql_looking_filters_are_plain_text(world):
    client = world.client("admin")
    with session_scope(world.db_url) as s:
        sites_before = s.scalar(select(func.count()).select_from(m.Site))
    for value in SQLISH:
        page = client.get("/sites", params={"q": value, "kind": value, "group": value, "region": value})
        assert page.status_code == 200 and "没有符合条件的网站" in page.text, value
        page = client.get("/checks/links.dead_homepage", params={"q": value, "group": value, "status": value,
                                                                "sort": value})
        assert page.status_code == 200 and "没有符合条件的结果" in page.text, value
        api = client.get("/api/v1/findings", params={"check": value, "area": value})
        assert api.status_code == 200 and api.json() == {"items": [], "next_cursor": None}, value
        assert client.get("/api/v1/findings", params={"cursor": value}).status_code == 422
    # `_` and `%` are literal in a search, not wildcards
    assert "没有符合条件的网站" in client.get("/sites", params={"q": "_"}).text
    with session_scope(world.db_url) as s:
        assert s.scalar(select(func.count()).select_from(m.Site)) == sites_before
