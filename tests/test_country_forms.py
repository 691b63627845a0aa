"""The whole country's forms: record numbers of all 31 provinces (and the alternative
abbreviations in use), 网站标识码 as footers show it, marks written by script or hidden in
comments, and year-less dates read from a list's order."""
from __future__ import annotations

from datetime import date

import pytest

from checks.catalog import all_checks
from crawler.extract import page_facts
from crawler.extract.html import parse
from crawler.extract.identity import identity_marks
from tests.test_checks_portal import html_page, site

TODAY = date(2026, 11, 22)

# province: the abbreviations its ICP and 公安 record numbers are printed with
PROVINCES = {
    "北京": "京", "天津": "津", "河北": "冀", "山西": "晋", "内蒙古": "蒙", "辽宁": "辽", "吉林": "吉",
    "黑龙江": "黑", "上海": "沪", "江苏": "苏", "浙江": "浙", "安徽": "皖", "福建": "闽", "江西": "赣",
    "山东": "鲁", "河南": "豫", "湖北": "鄂", "湖南": "湘", "广东": "粤", "广西": "桂", "海南": "琼",
    "重庆": "渝", "四川": "川蜀", "贵州": "贵黔", "云南": "云滇", "西藏": "藏", "陕西": "陕秦", "甘肃": "甘陇",
    "青海": "青", "宁夏": "宁", "新疆": "新",
}


def marks(html: str) -> dict:
    return identity_marks(parse(html), raw=html)


def test_the_table_covers_the_31_provinces():
    assert len(PROVINCES) == 31


@pytest.mark.parametrize("abbr", [a for forms in PROVINCES.values() for a in forms])
def test_record_numbers_of_every_province(abbr):
    m = marks(f"<html><body><div class='foot'>{abbr}ICP备05012345号-2 &nbsp; {abbr}公网安备 11010502000001号"
              "</div></body></html>")
    assert (m["icp"], m["psb"]) == (f"{abbr}ICP备05012345号-2", f"{abbr}公网安备11010502000001号")


@pytest.mark.parametrize("written,icp", [
    ("滇ICP备05000130号－1", "滇ICP备05000130号-1"),          # full-width hyphen
    ("黔ICP备：12003406号", "黔ICP备12003406号"),
    ("蜀icp备 20000005号", "蜀ICP备20000005号"),
    ("陇ＩＣＰ备０６０００６４７号", "陇ICP备06000647号"),     # full-width letters and digits
])
def test_icp_as_footers_write_it(written, icp):
    assert marks(f"<html><body><p>{written}</p></body></html>")["icp"] == icp


@pytest.mark.parametrize("html,code", [
    ("<p>网站标识码：3300000020</p>", "3300000020"),
    ("<p>网站标识码&ensp;3300000020</p>", "3300000020"),
    ("<p>网站&nbsp;标识码：3301&ensp;0000&ensp;20</p>", "3301000020"),
    ("<p>网站标识码：３３００００００２０</p>", "3300000020"),
    ("<p>网站标识码:BM&nbsp;14000001</p>", "bm14000001"),
    ("<p><img src='/bsm.png' alt='网站标识码：5100000062'></p>", "5100000062"),
    ("<p>网站标识码：33000000201</p>", None),                  # eleven digits are not a code
])
def test_site_code_as_footers_write_it(html, code):
    assert marks(f"<html><body>{html}</body></html>")["site_code"] == code


def test_site_code_in_meta_only_is_read_and_not_shown():
    m = marks('<html><head><meta name="SiteIDCode" content="5300000004"></head><body>云南省</body></html>')
    assert (m["site_code"], m["site_code_meta"], m["site_code_meta_agreement"]) == (None, "5300000004", "no_visible_code")


FOOTER_WRITTEN = """<html><body><div id="foot"><script type="text/javascript"><!--
document.write('<p>网站标识码：' + "5300000004" + '&nbsp;滇ICP备05000130号</p>');
document.writeln("<span>\\u6ec7\\u516c\\u7f51\\u5b89\\u5907 53010202000001\\u53f7</span>");
document.write('<a href="https://bszs.conac.cn/sitename?method=show&id=1"><img src="/red.png" alt="党政机关"></a>');
//--></script></div></body></html>"""


def test_marks_written_by_document_write_count():
    m = marks(FOOTER_WRITTEN)
    assert (m["site_code"], m["icp"], m["psb"], m["badge"]["present"]) == \
        ("5300000004", "滇ICP备05000130号", "滇公网安备53010202000001号", True)
    assert m["by_script"] == ["site_code", "icp", "psb", "badge"]


COMMENTED = """<html><body><div class="footer">主办单位：某某县人民政府
<!-- 网站标识码：5201000001 黔ICP备12003406号 -->
<!--<a href="https://bszs.conac.cn/sitename?method=show&id=2"><img src="/red.png"></a>-->
<!-- <script>document.write('贵公网安备52010202000001号')</script> -->
</div></body></html>"""


def test_marks_only_inside_comments_do_not_count_and_are_noted():
    m = marks(COMMENTED)
    assert (m["site_code"], m["icp"], m["psb"], m["badge"]["present"]) == (None, None, None, False)
    assert m["commented_out"] == {"site_code": "5201000001", "icp": "黔ICP备12003406号",
                                  "psb": "贵公网安备52010202000001号", "badge": True}


def test_commented_out_marks_are_the_findings_reason():
    a = site(html_page("/", COMMENTED, home=True))
    checks = all_checks()
    found = {cid: checks[cid].evaluate(a, dict(checks[cid].thresholds))
             for cid in ("identity.site_code", "identity.icp", "identity.psb", "identity.party_gov_badge")}
    assert {cid: (f.status, f.details.get("reason"), f.details.get("commented_out")) for cid, f in found.items()} == {
        "identity.site_code": ("fail", "only_in_html_comment", "5201000001"),
        "identity.icp": ("fail", "only_in_html_comment", "黔ICP备12003406号"),
        "identity.psb": ("fail", "only_in_html_comment", "贵公网安备52010202000001号"),
        "identity.party_gov_badge": ("fail", "only_in_html_comment", True),
    }


def test_written_marks_pass_and_say_so():
    f = all_checks()["identity.icp"].evaluate(site(html_page("/", FOOTER_WRITTEN, home=True)), {})
    assert (f.status, f.details["icp"], f.details["written_by_script"]) == ("pass", "滇ICP备05000130号", True)


ARCHIVE = """<html><body><ul class="list">
<li><a href="/art/a1.html">关于做好冬季安全生产工作的通知</a><span>[11-05]</span></li>
<li><a href="/art/2023/10/30/art_1.html">关于开展消防安全检查的通知</a><span>[10-30]</span></li>
<li><a href="/art/a3.html">关于公布第一批示范单位名单的公告</a><span>[10-02]</span></li>
<li><a href="/art/a4.html">关于印发工作要点的通知全文发布</a><span>[09-28]</span></li>
</ul></body></html>"""


def test_archive_page_of_year_less_dates_takes_its_year_from_a_dated_url():
    lf = page_facts("https://www.example.gov.cn/tzgg/index_9.html", ARCHIVE, {}, False, today=TODAY)["list"]
    assert (lf["items"], lf["newest"], lf["oldest"], lf["date_source"]) == (4, "2023-11-05", "2023-09-28", "text")
