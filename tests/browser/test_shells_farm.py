"""Script-built columns and footers (shells), audited end to end: the real spider, the real
Chromium, a portal served on 127.0.0.1 whose columns load their entries by script.

What a person reads on each page in a browser (written before running the tool):
- 工作动态 /gzdt/: a static list, newest entry 2 days old.
- 通知公告 /tzgg/: empty <ul class="list"> filled by fetch('/api/tzgg.json'): three notices,
  newest 10 days old.
- 政策文件 /zcwj/: the script draws rows without links (clickable <div>s) from
  /api/zcwj.json: two documents, newest 400 days old (stale: policy limit 183 days).
- 人事任免 /rsrm/: the API says total 0 and the page shows 暂无信息: blank.
- 政策解读 /zcjd/: its data request answers 404, the page shows nothing: unknown, not blank.
- 发展规划 /fzgh/: a Hanweb-style page that fetches dataproxy XML (<datastore> records) and draws
  the titles without links: two plans, newest 20 days old.
- the footer is written by /js/footer.js: 网站标识码 3301000001, 浙ICP备12345678号.
"""
from __future__ import annotations

import json

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from storage import models as m
from storage.db import get_engine
from tests.helpers import audit, served

pytestmark = pytest.mark.browser

NAV = """<div class="nav"><a href="/gzdt/">工作动态</a> <a href="/tzgg/">通知公告</a> <a href="/zcwj/">政策文件</a>
<a href="/rsrm/">人事任免</a> <a href="/zcjd/">政策解读</a> <a href="/fzgh/">发展规划</a></div>"""
HOME = f"""<!doctype html><html><head><meta charset="utf-8"><title>某某县人民政府</title></head><body>{NAV}
<ul class="news"><li><a href="/gzdt/1.html">全县召开安全生产工作会议</a><span>{{{{date:-2}}}}</span></li>
<li><a href="/gzdt/2.html">县政府召开常务会议研究部署</a><span>{{{{date:-5}}}}</span></li></ul>
<div id="footer"></div><script src="/js/footer.js"></script></body></html>"""
FOOTER_JS = """document.getElementById('footer').innerHTML =
  '<p>主办单位：某某县人民政府办公室 联系电话：0571-12345678 <a href="/sitemap.html">网站地图</a></p>' +
  '<p>网站标识码：3301000001 浙ICP备12345678号</p>';"""
STATIC_LIST = f"""<!doctype html><html><head><meta charset="utf-8"><title>工作动态</title></head><body>{NAV}
<ul class="list"><li><a href="/gzdt/1.html">全县召开安全生产工作会议</a><span>{{{{date:-2}}}}</span></li>
<li><a href="/gzdt/2.html">县政府召开常务会议研究部署</a><span>{{{{date:-5}}}}</span></li>
<li><a href="/gzdt/3.html">县领导调研乡村振兴重点工作</a><span>{{{{date:-9}}}}</span></li></ul></body></html>"""


def shell(title: str, api: str, row: str) -> str:
    """A column page whose list is empty until its script has fetched `api`; `row` draws one record."""
    return f"""<!doctype html><html><head><meta charset="utf-8"><title>{title}</title></head><body>{NAV}
<h2>{title}</h2><ul class="list" id="list"></ul>
<script>
fetch('{api}').then(function (r) {{ if (!r.ok) throw new Error(r.status); return r.json(); }}).then(function (data) {{
  var ul = document.getElementById('list');
  if (!data.total) {{ ul.innerHTML = '<li>暂无信息</li>'; return; }}
  ul.innerHTML = data.list.map(function (x) {{ return {row}; }}).join('');
}}).catch(function () {{}});
</script></body></html>"""


LINKED = "'<li><a href=\"' + x.url + '\">' + x.title + '</a><span>' + x.pubDate + '</span></li>'"
UNLINKED = "'<li><div class=\"row\" onclick=\"open(1)\">' + x.title + ' ' + x.pubDate + '</div></li>'"


def records(*rows: tuple[str, int]) -> str:
    return json.dumps({"total": len(rows), "list": [
        {"title": t, "url": f"/doc/{i}.html", "pubDate": f"{{{{date:-{age}}}}}"} for i, (t, age) in enumerate(rows)]},
        ensure_ascii=False)


HANWEB = f"""<!doctype html><html><head><meta charset="utf-8"><title>发展规划</title></head><body>{NAV}
<h2>发展规划</h2><div id="div1001" class="news-list"></div>
<script>
var x = new XMLHttpRequest();
x.open('GET', '/module/web/jpage/dataproxy.xml');
x.onload = function () {{
  var recs = x.responseXML.getElementsByTagName('record'), out = '';
  for (var i = 0; i < recs.length; i++) {{
    var li = new DOMParser().parseFromString(recs[i].textContent, 'text/html').body;
    out += '<p>' + li.textContent + '</p>';
  }}
  document.getElementById('div1001').innerHTML = out;
}};
x.send();
</script></body></html>"""
DATAPROXY = """<?xml version="1.0" encoding="UTF-8"?><datastore><nextgroup><![CDATA[]]></nextgroup><recordset>
<record><![CDATA[<li><a href="/art/a1.html">某某县国土空间总体规划公示</a><span>{{date:-20}}</span></li>]]></record>
<record><![CDATA[<li><a href="/art/a2.html">某某县十四五发展规划中期评估</a><span>{{date:-90}}</span></li>]]></record>
</recordset></datastore>"""

FILES = {
    "index.html": HOME, "js/footer.js": FOOTER_JS, "gzdt/index.html": STATIC_LIST,
    "tzgg/index.html": shell("通知公告", "/api/tzgg.json", LINKED),
    "api/tzgg.json": records(("关于做好冬季安全生产工作的通知", 10), ("关于开展消防安全检查的通知", 30),
                             ("关于公布第一批示范单位名单的公告", 60)),
    "zcwj/index.html": shell("政策文件", "/api/zcwj.json", UNLINKED),
    "api/zcwj.json": records(("某某县人民政府关于印发工作要点的通知", 400), ("某某县人民政府关于加强管理的意见", 500)),
    "rsrm/index.html": shell("人事任免", "/api/rsrm.json", LINKED),
    "api/rsrm.json": json.dumps({"total": 0, "list": []}),
    "zcjd/index.html": shell("政策解读", "/api/zcjd.json", LINKED),       # /api/zcjd.json: 404
    "sitemap.html": "<html><body>网站地图</body></html>",
    "fzgh/index.html": HANWEB, "module/web/jpage/dataproxy.xml": DATAPROXY,
}
ONLY = ["update.stale_columns", "update.blank_columns", "update.policy_interpretation", "identity.site_code",
        "identity.icp"]


@pytest.fixture(scope="module")
def shells_audit(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("shells")
    sites = {"shell-county": {"level": "county"}, "shell-capped": {"level": "county", "hints": {"max_rendered_pages": 0}}}
    with served(tmp, sites, {slug: FILES for slug in sites}) as farm:
        db_url, run_id, ids = audit(farm, tmp, ONLY)
    with Session(get_engine(db_url)) as session:
        rows = session.scalars(select(m.Finding).where(m.Finding.run_id == run_id)).all()
        return {(slug, f.check_id): f for slug, sid in ids.items() for f in rows if f.site_id == sid}


def test_script_built_columns_are_read_as_rendered_or_from_their_data(shells_audit):
    f = shells_audit["shell-county", "update.stale_columns"]
    assert (f.status, f.value) == ("fail", 1)
    assert {c["name"]: (c["source"], c["age_days"], c["stale"]) for c in f.details["columns"]} == {
        "工作动态": ("static", 2, False), "通知公告": ("rendered", 10, False), "政策文件": ("api", 400, True),
        "人事任免": ("rendered", None, False), "发展规划": ("api", 20, False)}
    assert [u["name"] for u in f.details["unknown"]] == ["政策解读"]


def test_a_column_is_blank_only_on_its_rendering(shells_audit):
    f = shells_audit["shell-county", "update.blank_columns"]
    assert (f.status, f.value) == ("fail", 1)
    assert f.details["blank"] == [{"name": "人事任免", "url": f.details["blank"][0]["url"], "placeholder": "暂无信息",
                                   "source": "rendered"}]
    unknown = f.details["unknown"][0]
    assert (unknown["name"], unknown["error_kind"], unknown["reason"].split(":")[0]) == \
        ("政策解读", "connection", "its data requests failed")


def test_a_column_whose_data_failed_is_unknown_not_missing(shells_audit):
    f = shells_audit["shell-county", "update.policy_interpretation"]
    assert (f.status, f.details["error_kind"]) == ("error", "connection")


def test_footer_written_by_script_is_read_from_the_rendered_page(shells_audit):
    f = shells_audit["shell-county", "identity.site_code"]
    assert (f.status, f.details["code"], f.details["source"]) == ("pass", "3301000001", "rendered")
    assert shells_audit["shell-county", "identity.icp"].details["icp"] == "浙ICP备12345678号"


def test_shells_over_the_render_limit_are_unknown(shells_audit):
    f = shells_audit["shell-capped", "update.blank_columns"]
    assert (f.status, f.details["error_kind"]) == ("error", "not_gathered")
    assert sorted(u["name"] for u in f.details["unknown"]) == ["人事任免", "发展规划", "政策文件", "政策解读", "通知公告"]
    assert "max_rendered_pages" in f.details["unknown"][0]["reason"]
