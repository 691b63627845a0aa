"""The portal checks on hand-built artifacts: exact status and value."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest

from checks.artifacts import ColumnArt, LinkArt, PageArt, SampleArt, SiteArtifacts, SiteInfo
from checks.catalog import all_checks
from crawler.extract import page_facts, rendered_identity

NOW = datetime(2026, 11, 22, 8, 0, tzinfo=timezone.utc)
BASE = "https://www.example.gov.cn"
FOOTER = ("<div class='footer'>主办单位：某某市人民政府办公室 联系电话：0571-12345678 <a href='/sitemap/'>网站地图</a> "
          "网站标识码：3301000001 浙ICP备12345678号-1 浙公网安备33010002000001号 "
          "<a href='https://bszs.conac.cn/sitename?method=show&id=1'><img src='/img/red.png' alt='党政机关'></a></div>")


def run(check_id: str, a: SiteArtifacts):
    chk = all_checks()[check_id]
    f = chk.evaluate(a, dict(chk.thresholds))
    return f.status, f.value


def html_page(path: str, html: str, home: bool = False, headers: dict | None = None, depth: int = 1) -> PageArt:
    url = BASE + path
    facts = page_facts(url, html, headers or {}, home, today=NOW.date())
    text = facts.pop("text")
    return PageArt(url=url, status=200, final_url=url, depth=0 if home else depth, is_homepage=home,
                   content_type="text/html; charset=utf-8", headers=headers or {}, facts=facts, text=text,
                   title=facts.get("title", ""))


def site(*pages: PageArt, links=(), columns=(), probes=None, samples=(), hints=None, url=BASE + "/") -> SiteArtifacts:
    return SiteArtifacts(site=SiteInfo(1, url, "某某市人民政府", "portal", hints=hints or {}), run_id=1, now=NOW,
                         gathered={"crawl", "net", "monitor"}, pages=list(pages), links=list(links),
                         columns=list(columns), probes=probes or {}, samples=list(samples))


GOOD_HOME = f"""<html lang="zh-CN"><body>
<a href="/bsfw/">办事服务</a> <a href="/hdjl/zxzx/">在线咨询</a> <a href="/hdjl/xf/">网上信访</a>
<a href="/ysbh/">隐私政策</a> <a href="/xxgk/zn/">政府信息公开指南</a> <a href="/xxgk/ml/">政府信息公开目录</a>
<a href="/xxgk/nb/">2025年政府信息公开工作年度报告</a>
<div class="xmt"><img src="/img/wx.png" alt="微信公众号"><img src="/img/wb.png" alt="官方微博"></div>
<ul><li><a href="/xwdt/1.html">全市召开安全生产工作会议</a><span>2026-11-20</span></li>
<li><a href="/xwdt/2.html">市政府召开常务会议研究部署</a><span>2026-11-18</span></li></ul>
{FOOTER}</body></html>"""

BARE_HOME = """<html><body><a href="/xwdt/">新闻</a> <a href="/xf/">信访投诉</a> <a href="/jb/">纪检举报</a>
<ul><li><a href="/xwdt/1.html">全县召开安全生产工作会议</a><span>2026-10-01</span></li></ul></body></html>"""


@pytest.fixture
def good():
    return site(html_page("/", GOOD_HOME, home=True, headers={
        "strict-transport-security": "max-age=31536000", "x-frame-options": "SAMEORIGIN",
        "x-content-type-options": "nosniff"}))


@pytest.fixture
def bare():
    home = html_page("/", BARE_HOME, home=True)
    home.url = home.final_url = "http://www.example.com/"
    return site(home, url="http://www.example.com/")


def test_identity_present(good):
    for cid in ("identity.site_code", "identity.icp", "identity.psb", "identity.party_gov_badge"):
        assert run(cid, good) == ("pass", 1), cid
    assert run("identity.sponsor_contact", good) == ("pass", 3)
    assert run("identity.gov_domain", good) == ("pass", 1)


def test_identity_absent(bare):
    for cid in ("identity.site_code", "identity.icp", "identity.psb", "identity.party_gov_badge", "identity.gov_domain"):
        assert run(cid, bare) == ("fail", 0), cid
    assert run("identity.sponsor_contact", bare) == ("fail", 0)


def test_identity_read_from_rendered_dom_when_static_lacks_it(bare):
    html = f"<html><body>{FOOTER}</body></html>"
    bare.probes["render"] = {"html": html, "identity": rendered_identity(html)}
    chk = all_checks()["identity.site_code"]
    f = chk.evaluate(bare, chk.thresholds)
    assert (f.status, f.value, f.details["source"], f.details["code"]) == ("pass", 1, "rendered", "3301000001")


def test_identity_unknown_when_the_rendering_was_stored_without_its_marks(bare, good):
    """Runs of an older version stored the rendered homepage without the marks read from it."""
    bare.probes["render"] = {"html": f"<html><body>{FOOTER}</body></html>"}
    f = all_checks()["identity.icp"].evaluate(bare, {})
    assert (f.status, f.details["error_kind"]) == ("error", "not_gathered")
    good.probes["render"] = {"html": "<html></html>"}        # the static homepage shows it: no rendering needed
    assert run("identity.icp", good) == ("pass", 1)


def test_gov_domain_hint(bare):
    bare.site.hints = {"domain": "www.example.gov.cn"}
    assert run("identity.gov_domain", bare) == ("pass", 1)


def test_meta_tags_share():
    full = "<html><head><meta name='SiteName' content='x'><meta name='SiteIDCode' content='3301000001'>" \
           "<meta name='ArticleTitle' content='t'><meta name='PubDate' content='2026-11-01'></head><body>正文</body></html>"
    partial = "<html><head><meta name='PubDate' content='2026-11-02'></head><body>正文</body></html>"
    a = site(html_page("/", BARE_HOME, home=True), html_page("/a/1.html", full), html_page("/a/2.html", partial))
    assert run("identity.meta_tags", a) == ("warn", 0.5)
    typed = all_checks()["identity.meta_tags"].evaluate(a, {"warn_below": 1.0}).details["table"]
    assert typed["items"] == [{"url": BASE + "/a/2.html", "missing": ["sitename", "siteidcode", "articletitle"]}]
    assert run("identity.meta_tags", site(html_page("/", BARE_HOME, home=True))) == ("not_applicable", None)


def test_update_homepage(good, bare):
    assert run("update.homepage", good) == ("pass", 2)
    assert run("update.homepage", bare) == ("fail", 52)
    undated = site(html_page("/", "<html><body><p>欢迎</p></body></html>", home=True))
    assert run("update.homepage", undated) == ("fail", None)
    ticker = site(html_page("/", "<html><body><marquee>更新时间：2026年11月10日</marquee></body></html>", home=True))
    assert run("update.homepage", ticker) == ("warn", 12)


def test_columns_stale_and_blank(good):
    good.columns = [ColumnArt(BASE + "/xwdt/", "工作动态", "dynamic", "2026-11-01", 30),
                    ColumnArt(BASE + "/tzgg/", "通知公告", "notice", "2026-01-01", 8),
                    ColumnArt(BASE + "/rsxx/", "人事信息", "personnel", "2026-01-01", 3),
                    ColumnArt(BASE + "/ghjh/", "规划计划", "planning", None, 0, True, {"placeholder": "暂无信息"})]
    assert run("update.stale_columns", good) == ("fail", 2)   # dynamic 21 d > 14, notice 325 d > 183
    assert run("update.blank_columns", good) == ("fail", 1)
    good.columns = []
    assert run("update.stale_columns", good)[0] == "error"


def test_policy_interpretation(good):
    good.columns = [ColumnArt(BASE + "/zcjd/", "政策解读", "interpretation", "2026-07-01", 10)]
    assert run("update.policy_interpretation", good) == ("warn", 144)
    good.columns = []
    assert run("update.policy_interpretation", good) == ("fail", None)


def test_disclosure(good, bare):
    assert run("disclosure.columns", good) == ("pass", 3)
    assert run("disclosure.columns", bare) == ("fail", 0)
    old = site(html_page("/", GOOD_HOME.replace("2025年政府信息公开", "2023年政府信息公开"), home=True))
    assert run("disclosure.columns", old) == ("warn", 3)


def test_service_interact_media(good, bare):
    assert run("service.entry", good) == ("pass", 1)
    assert run("service.entry", bare) == ("fail", 0)
    assert run("interact.channel", good) == ("pass", 1)
    assert run("interact.channel", bare) == ("fail", 0)      # 信访 and 纪检举报 do not count
    assert run("mobile.new_media", good) == ("pass", 2)
    assert run("mobile.new_media", bare) == ("warn", 0)


def test_guide_elements():
    full = "<html><head><title>办事指南</title></head><body>" + "".join(
        f"<p>{x}：…</p>" for x in ("事项名称", "设定依据", "申请条件", "办理材料", "办理地点", "办理时间", "办理时限",
                                  "收费标准", "咨询电话", "办理流程")) + "</body></html>"
    thin = "<html><head><title>某某事项办事指南</title></head><body><p>事项名称：…</p><p>申请条件：…</p></body></html>"
    home = html_page("/", BARE_HOME, home=True)
    assert run("service.guide_elements", site(home, html_page("/bs/1.html", full))) == ("pass", 1.0)
    assert run("service.guide_elements", site(home, html_page("/bs/1.html", full), html_page("/bs/2.html", thin))) == \
        ("fail", 0.6)
    assert run("service.guide_elements", site(home)) == ("not_applicable", None)


def test_a11y(good):
    page = html_page("/a.html", "<html><body><img src='/p/1.jpg' alt='会议现场'><img src='/p/2.jpg'>"
                                "<img src='/img/spacer.gif'><img src='/p/3.jpg' role='presentation'></body></html>")
    a = site(html_page("/", "<html lang='zh'><body><img src='/logo.png' alt='某某市'></body></html>", home=True), page)
    assert run("a11y.img_alt", a) == ("warn", 0.6667)
    assert run("a11y.html_lang", a) == ("warn", 0.5)


def test_attachment_urls():
    from checks.attachments import is_attachment
    assert [is_attachment(u) for u in ("http://a.gov.cn/f/1.PDF", "http://a.gov.cn/down.jsp?file=%E6%96%B9%E6%A1%88.docx",
                                       "http://a.gov.cn/art/1.html", "http://a.gov.cn/list?page=2")] == [True, True, False, False]
    # the file name only in the link's text
    assert (is_attachment("http://a.gov.cn/files/download.jsp?id=2", "入户调查情况汇总表.xls"),
            is_attachment("http://a.gov.cn/art/2.html", "关于印发《办法》的通知")) == (True, False)


def test_attachments():
    home = html_page("/", BARE_HOME, home=True)
    ok = PageArt(BASE + "/f/a.pdf", 200, role="resource", content_type="application/pdf")
    wall = PageArt(BASE + "/f/b.docx", 200, role="resource", content_type="text/html; charset=utf-8")
    gone = PageArt(BASE + "/f/c.xls", 404, role="resource", content_type="text/html")
    links = [LinkArt(BASE + "/", BASE + p, "attachment") for p in ("/f/a.pdf", "/f/b.docx", "/f/c.xls")]
    a = site(home, ok, wall, gone, links=links)
    chk = all_checks()["links.attachments"]
    f = chk.evaluate(a, {})
    assert (f.status, f.value, f.details["total"]) == ("fail", 2, 3)
    assert sorted(x["reason"] for x in f.details["failing"]) == ["html_instead_of_file", "http_404"]


PRIVACY_PAGE = """<html><head><title>隐私政策</title></head><body><h1>隐私政策</h1>
<p>我们收集的个人信息范围包括姓名和联系方式。我们使用您的个人信息仅用于提供服务。未经同意不会向第三方共享。
信息存储在境内。我们采取加密等安全措施。</p></body></html>"""


def test_privacy(good, bare):
    assert run("privacy.policy_link", good) == ("pass", 1)
    assert run("privacy.policy_link", bare) == ("fail", 0)
    good.pages.append(html_page("/ysbh/", PRIVACY_PAGE))
    assert run("privacy.policy_content", good) == ("pass", 5)
    assert run("privacy.policy_content", bare) == ("fail", 0)


def test_pii(good):
    good.pages.append(html_page("/gs/1.html", "<html><body><p>申请人：张三，身份证号码：11010519491231002X。</p></body></html>"))
    chk = all_checks()["privacy.pii_exposure"]
    f = chk.evaluate(good, {})
    assert (f.status, f.value) == ("fail", 1)
    assert f.evidence[0]["text"] == "申请人：张三，身份证号码：110105**********2X。"
    assert "11010519491231002X" not in repr(f)


def test_security_headers_and_mixed(good, bare):
    assert run("security.headers", good) == ("pass", 3)
    assert run("security.headers", bare) == ("warn", 0)
    assert run("security.mixed_content", bare) == ("not_applicable", None)
    good.pages.append(html_page("/m.html", "<html><body><img src='http://cdn.example.com/a.png'></body></html>"))
    assert run("security.mixed_content", good) == ("warn", 1)


def test_net_checks(good):
    assert run("security.https", good)[0] == "error"
    good.probes["net"] = {"https": {"ok": True, "cert_valid": True, "expiry_days": 80, "hsts": "max-age=1"},
                          "http_redirects_to_https": True, "aaaa": ["2001:db8::1"], "ipv6_fetch": {"ok": True}}
    assert run("security.https", good) == ("pass", 1)
    assert run("security.ipv6", good) == ("pass", 1)
    good.probes["net"]["http_redirects_to_https"] = False
    good.probes["net"]["ipv6_fetch"] = {"ok": False, "error_kind": "connection"}
    assert run("security.https", good) == ("fail", 0)
    assert run("security.ipv6", good) == ("fail", 0)
    good.probes["net"] = {"refused": "10.0.0.1 is private", "_error_kind": "blocked"}
    chk = all_checks()["security.https"]
    f = chk.evaluate(good, {})
    assert (f.status, f.details["error_kind"], f.details["error"], f.details["cause"]) == (
        "error", "blocked", "10.0.0.1 is private", "refused_by_policy")


def test_content_rules(good, monkeypatch, tmp_path):
    good.pages.append(html_page("/a.html", "<html><body><p>深入开展扫黑险恶专项斗争，做好按装工作。扫黑除恶常态化。</p></body></html>"))
    chk = all_checks()["content.wording_errors"]
    f = chk.evaluate(good, {})
    assert (f.status, f.value) == ("fail", 1)
    assert f.evidence[0]["rule"] == "扫黑险恶 => 扫黑除恶" and f.evidence[0]["ref"] == BASE + "/a.html"
    assert run("content.typos", good) == ("warn", 1)
    assert run("content.sensitive_words", good) == ("not_applicable", None)
    (tmp_path / "sensitive_words.txt").write_text("专项斗争\n", encoding="utf-8")
    (tmp_path / "typos.txt").write_text("常态化 => 常态化治理\n", encoding="utf-8")
    monkeypatch.setenv("GOVAUDIT_RULES_DIR", str(tmp_path))
    assert run("content.sensitive_words", good) == ("fail", 1)
    assert run("content.typos", good) == ("warn", 2)


def test_external_links(good):
    casino = PageArt("http://bad.example.com/", 200, role="external", title="澳门新葡京娱乐城", text="百家乐 真人视讯")
    fine = PageArt("http://www.example.org/", 200, role="external", title="某某协会", text="协会简介")
    gov = PageArt("http://www.other.gov.cn/", 200, role="external", title="百家乐", text="")
    good.pages += [casino, fine, gov]
    good.links = [LinkArt(BASE + "/", p.url, "a", external=True) for p in (casino, fine, gov)]
    assert run("content.external_links", good) == ("fail", 1)


def test_uptime():
    def samples(n, failed):
        return [SampleArt(f"2026-11-2{i // 100}T00:{i % 60:02d}:00+00:00", i >= failed, 200 if i >= failed else None,
                          10, None if i >= failed else "timeout") for i in range(n)]
    assert run("avail.uptime", site(samples=samples(19, 0)))[0] == "error"
    assert run("avail.uptime", site(samples=samples(100, 0))) == ("pass", 0.0)
    assert run("avail.uptime", site(samples=samples(100, 3))) == ("warn", 0.03)
    assert run("avail.uptime", site(samples=samples(100, 5))) == ("fail", 0.05)


def test_frameset_homepage_is_read_through_its_frames():
    """A homepage that is only a <frameset>: what a reader sees is in its frames."""
    home = html_page("/", """<html><head><title>某某乡人民政府</title></head>
<frameset rows="120,*,100"><frame src="/top.html"><frame src="/main.html"><frame src="/foot.html"></frameset></html>""",
                     home=True)
    main = html_page("/main.html", """<html><body><ul>
<li><a href="/xw/1.html">乡政府召开安全生产工作会议</a><span>2026-11-17</span></li>
<li><a href="/xw/2.html">我乡开展冬季征兵宣传活动</a><span>2026-11-10</span></li></ul>
<div class="qr"><img src="/wx.png" alt=""><p>扫码关注“某某乡发布”微信公众号</p></div></body></html>""")
    foot = html_page("/foot.html", """<html><body><a href="/yszc.html">隐私政策</a>
主办单位：某某乡人民政府 联系电话：0571-88880000 网站标识码：３３０１２２０００５ 浙ICP备12345678号</body></html>""")
    links = [LinkArt(BASE + "/", BASE + p, "iframe") for p in ("/top.html", "/main.html", "/foot.html")]
    a = site(home, main, foot, links=links)
    assert [run(c, a) for c in ("update.homepage", "identity.site_code", "identity.icp", "identity.psb",
                                "mobile.new_media", "privacy.policy_link", "identity.sponsor_contact")] == [
        ("pass", 5), ("pass", 1), ("pass", 1), ("fail", 0), ("pass", 1), ("pass", 1), ("fail", 2)]
    assert all_checks()["identity.site_code"].evaluate(a, {}).details["code"] == "3301220005"   # full-width digits
