"""The report as its readers read it (issue #15): every word Chinese, colours that mean one thing,
evidence inline, 整改建议 beside each problem, changes between full rounds, notices, region names
and the evaluators' time zone. A seeded database, no crawl."""
from __future__ import annotations

import re
from datetime import datetime, timezone
from pathlib import Path

import pytest
from docx import Document
from lxml import html as lxml_html
from PIL import Image
from sqlalchemy import select

from checks.base import ERROR_KINDS, STATUSES, table
from checks.catalog import all_checks
from checks.links import dead_link_table
from checks.zh import ADVICE, ERROR_KIND_ZH, REASON_ZH, RUN_STATUS_ZH, STATUS_ZH, UNIT_ZH, value_zh
from reports.evidence import tables
from reports.html import write_report
from reports.labels import STATE_ZH, VETO_ZH, local_time
from reports.regions import region_name
from reports.store import score_run
from storage.db import session_scope
from storage.models import Finding, Run, RunSite
from tests.scoring_seed import add_finding, seed

ROOT = Path(__file__).resolve().parents[1]
DEAD = {"confirmed": ["http://a.example/gone.html"], "suspected": ["http://b.example/slow.pdf"],
        "targets": [{"url": "http://a.example/gone.html", "reason": "http_404", "linked_from": ["http://a.example/"]},
                    {"url": "http://b.example/slow.pdf", "reason": "timeout", "linked_from": ["http://a.example/"]}]}


def test_every_status_error_kind_unit_and_check_has_its_chinese_words():
    assert set(STATUSES) <= set(STATUS_ZH)
    # a kind added to ERROR_KINDS (too_large, walls…) needs its Chinese name in checks/zh.py
    assert [k for k in ERROR_KINDS if k not in ERROR_KIND_ZH] == []
    checks = all_checks()
    assert sorted({c.unit for c in checks.values()} - set(UNIT_ZH)) == []
    assert sorted(set(checks) - set(ADVICE)) == []        # every check has its 整改建议
    assert all(a.remedy and a.basis for a in ADVICE.values())


def test_every_reason_code_written_by_checks_and_probes_has_a_chinese_name():
    """Reason codes as the sources write them (not_applicable("x"), reason="x", "reason": "x",
    ["reason"] = "x", "why": "x"): a new code without a Chinese name fails here."""
    patterns = [r'not_applicable\(\s*"([a-z0-9_]+)"', r'\breason="([a-z0-9_]+)"', r'"reason":\s*"([a-z0-9_]+)"',
                r'\["reason"\]\s*=\s*"([a-z0-9_]+)"', r'"why":\s*"([a-z0-9_]+)"']
    codes = set()
    for path in list((ROOT / "checks").glob("*.py")) + list((ROOT / "crawler" / "probes").glob("*.py")):
        text = path.read_text(encoding="utf-8")
        for p in patterns:
            codes.update(re.findall(p, text))
    codes -= {"fail"}        # a probe's internal state word, never stored as a reason
    assert codes and sorted(c for c in codes if c not in REASON_ZH) == []


def test_causes_and_http_statuses_read_in_chinese():
    from checks.zh import reason_zh
    assert reason_zh("refused_by_policy") == "本工具的网络策略拒绝访问该地址"
    assert reason_zh("http_418") == "HTTP 状态 418" and reason_zh("too_large") == "内容超过大小上限"


def test_values_read_as_people_read_them():
    assert value_zh(0.8125, "ratio") == "81.3%"
    assert value_zh(1, "bool") == "是" and value_zh(0, "bool") == "否"
    assert value_zh(3, "links") == "3 个" and value_zh(2.5, "s") == "2.5 秒" and value_zh(None, "days") == "—"


def test_region_names_from_the_gb2260_table():
    assert region_name("330106") == "浙江省杭州市西湖区"
    assert region_name("110101") == "北京市东城区"
    assert region_name("340100") == "安徽省合肥市"
    assert region_name("340000") == "安徽省"
    assert region_name("999999") is None and region_name("33") is None and region_name(None) is None
    rows = [line for line in (ROOT / "reports" / "data" / "gb2260.tsv").read_text(encoding="utf-8").splitlines()
            if not line.startswith("#")]
    assert len(rows) > 3000


def test_times_in_the_evaluators_zone(monkeypatch):
    assert local_time(datetime(2026, 1, 1, 0, 30, tzinfo=timezone.utc)) == "2026-01-01 08:30"
    assert local_time(datetime(2026, 1, 1, 0, 30), "Europe/Berlin") == "2026-01-01 01:30"   # naive = UTC
    from core.config import load
    from core.errors import UserError
    monkeypatch.setenv("GOVAUDIT_TIMEZONE", "Mars/Olympus")
    with pytest.raises(UserError, match="GOVAUDIT_TIMEZONE: unknown time zone 'Mars/Olympus'"):
        load()


def test_dead_link_table():
    (t,) = tables("links.dead_homepage", DEAD, [])
    assert t.headings == ["目标地址", "HTTP 状态或原因", "所在页面", "判定"]
    assert t.rows == [["http://a.example/gone.html", "页面不存在（404）", "http://a.example/", "确认"],
                      ["http://b.example/slow.pdf", "超时", "http://a.example/", "疑似"]]


def test_typed_tables_are_drawn_alike_whatever_the_check():
    """A finding's details.table (checks.base.table) is drawn by its value types, even for a check
    the report knows nothing of; the dead-link table of a stored finding equals the rebuilt one."""
    typed = table("栏目", [("url", "地址", "url"), ("why", "原因", "code"), ("kind", "类型", "code", {"words": {"x": "某类"}}),
                          ("pages", "页面", "urls"), ("age", "距今", "days", {"empty": "—"}), ("codes", "信息", "codes")],
                  [{"url": "http://a.example/1", "why": "http_404", "kind": "x", "pages": [f"http://a.example/{i}" for i in range(7)],
                    "age": None, "codes": ["missing", "empty"], "extra": "not kept"}])
    assert "extra" not in typed["items"][0]
    (t,) = tables("custom.check", {"table": typed}, [{"kind": "url", "ref": "http://a.example/e"}])
    assert (t.caption, t.headings) == ("栏目", ["地址", "原因", "类型", "页面", "距今", "信息"])
    pages = "\n".join(f"http://a.example/{i}" for i in range(5)) + "\n……等 7 个页面"
    assert t.rows == [["http://a.example/1", "页面不存在（404）", "某类", pages, "—", "未发现、内容为空"]]
    assert tables("custom.check", {"table": {**typed, "items": []}}, []) == []
    assert tables("links.dead_homepage", {**DEAD, "table": dead_link_table(DEAD)}, []) == tables("links.dead_homepage", DEAD, [])
    with pytest.raises(ValueError, match="unknown value type 'colour'"):
        table("x", [("a", "A", "colour")], [])


def _round(url: str, info: dict, statuses: dict, only: list[str] | None = None) -> int:
    """A finished round over the seeded sites: run 1's findings, with `statuses`
    ({(site index, check id): (status, value, details)}) changed; scored with inspection."""
    with session_scope(url) as s:
        run = Run(kind="round", status="finished", options={"only": only or []})
        s.add(run)
        s.flush()
        for i, sid in enumerate(info["sites"]):
            s.add(RunSite(run_id=run.id, site_id=sid, stage="checked"))
            seen = set()
            for f in s.scalars(select(Finding).where(Finding.run_id == info["run_id"], Finding.site_id == sid)):
                status, value, details = statuses.get((i, f.check_id), (f.status, f.value, f.details))
                add_finding(s, run.id, sid, f.check_id, status, value, details, f.evidence)
                seen.add(f.check_id)
            for (j, cid), (status, value, details) in statuses.items():
                if j == i and cid not in seen:
                    add_finding(s, run.id, sid, cid, status, value, details)
        run_id = run.id
    with session_scope(url) as s:
        score_run(s, run_id, ["inspection"])
    return run_id


@pytest.fixture()
def rounds(tmp_path):
    """Round 1 (seed): 甲's homepage has dead links. Round 2 fixes them. Round 3 is partial
    (links.* only) and finds them again. Round 4 (full) finds them again, a new problem at 丙, and
    甲's search fails (0 points) while its reply recency is not applicable."""
    url = f"sqlite:///{tmp_path}/r.db"
    info = seed(url)
    with session_scope(url) as s:
        score_run(s, info["run_id"], ["inspection"])
    dead = ("fail", 2, DEAD)
    r2 = _round(url, info, {(0, "links.dead_homepage"): ("pass", 0, {})})
    r3 = _round(url, info, {(0, "links.dead_homepage"): dead}, only=["links.*"])
    r4 = _round(url, info, {(0, "links.dead_homepage"): dead, (3, "links.dead_site"): ("fail", 1, {}),
                            (0, "search.present"): ("fail", 0, {}),
                            (0, "interact.reply_recency"): ("not_applicable", None,
                                                            {"reason": "no_public_message_list"})})
    return url, info, [info["run_id"], r2, r3, r4]


def _visible_text(page: Path) -> str:
    """What a reader sees: ids (<code>, class id), raw details and URLs left out."""
    doc = lxml_html.fromstring(page.read_text(encoding="utf-8"))
    for el in doc.xpath("//code | //pre | //*[contains(concat(' ', @class, ' '), ' id ')] | //style | //title"):
        el.drop_tree()
    return re.sub(r"https?://\S+", " ", doc.text_content())


def bare_codes(page: Path) -> list[str]:
    """English codes in a page's visible text: statuses, error kinds, units, reasons, states, and
    any snake_case word."""
    codes = (set(STATUSES) | set(ERROR_KINDS) | set(UNIT_ZH) | set(REASON_ZH) | set(RUN_STATUS_ZH)
             | set(STATE_ZH) | set(VETO_ZH) | {"ok", "round", "check"}) - {"s"}
    pattern = re.compile(r"(?<![A-Za-z0-9_.])(" + "|".join(sorted(map(re.escape, codes), key=len, reverse=True))
                         + r"|[a-z]+_[a-z0-9_]+)(?![A-Za-z0-9_])")
    return pattern.findall(_visible_text(page))


def test_report_words_colours_evidence_and_advice(rounds, tmp_path):
    url, info, runs = rounds
    with session_scope(url) as s:
        index = write_report(s, runs[3], tmp_path / "report", data_dir=tmp_path)
    for page in index.parent.glob("*.html"):
        assert bare_codes(page) == [], page.name
    jia = index.parent / f"site-{info['sites'][0]}.html"
    doc = lxml_html.fromstring(jia.read_text(encoding="utf-8"))
    finding = doc.xpath("//details[@id='f-links.dead_homepage']")[0]
    assert "status-fail" in finding.get("class")
    assert finding.xpath("string(.//span[@class='status'])") == "不通过"
    assert finding.xpath("string(.//span[@class='change'])") == "复发"     # fixed in round 2, back in round 4
    rows = [[c.text_content() for c in tr.xpath("td")] for tr in finding.xpath(".//table[@class='evidence']//tr[td]")]
    assert rows == [["http://a.example/gone.html", "页面不存在（404）", "http://a.example/", "确认"],
                    ["http://b.example/slow.pdf", "超时", "http://a.example/", "疑似"]]
    advice = finding.xpath("string(.//p[@class='advice'])")
    assert advice.startswith("整改建议：逐条修复或删除首页上的错误链接") and "国办秘函〔2019〕19号" in advice
    # colours: red only for failed checks and triggered vetoes, in the CSS and in no chart
    css = (ROOT / "reports" / "templates" / "report.css").read_text(encoding="utf-8")
    red_rules = [rule.split("{")[0] for rule in re.findall(r"[^{}]+\{[^}]*#cf222e[^}]*\}", css)]
    assert sorted(s.strip() for r in red_rules for s in r.split(",")) == sorted([
        ".status-fail .status", ".veto", ".vetoes", "tr.veto-veto td", "tr.veto-veto td.veto-state"])
    for page in index.parent.glob("*.html"):
        for svg in lxml_html.fromstring(page.read_text(encoding="utf-8")).xpath("//svg"):
            assert "#cf222e" not in lxml_html.tostring(svg, encoding="unicode")
    insp = doc.xpath("//section[h2[starts-with(., '政府网站检查')]]")[0]
    states = {tr.xpath("string(td[1])").split("：")[1].split(" ")[0]: (tr.get("class"), tr.xpath("string(td[2])"))
              for tr in insp.xpath(".//tr[contains(@class, 'veto-row')]")}
    assert states["首页栏目信息超过2周未更新"] == ("veto-row veto-clear", "未触发")    # neutral, not red
    zero = insp.xpath(".//tr[contains(@class, 'zero')]")
    na = insp.xpath(".//tr[contains(@class, 'state-not_applicable')]")
    assert [tr.xpath("string(td[2])") for tr in zero] == ["0"] * len(zero)
    assert {tr.xpath("string(td[2])") for tr in na} <= {"不适用"}
    assert len(zero) == 1 and len(na) == 1      # search: 0 of 5 points; no message list: not applicable
    assert "扣分" in lxml_html.tostring(insp, encoding="unicode")       # deduction bars say so


def test_changes_skip_partial_rounds_and_trends_use_full_rounds(rounds, tmp_path):
    from reports.changes import finding_changes, trends
    from reports.report_data import framework_sections
    from reports.store import run_findings
    url, info, (r1, r2, r3, r4) = rounds
    jia, bing = info["sites"][0], info["sites"][3]
    with session_scope(url) as s:
        in_partial = finding_changes(s, r3, run_findings(s, r3))
        in_full = finding_changes(s, r4, run_findings(s, r4))
        in_second = finding_changes(s, r2, run_findings(s, r2))
        trend = trends(s, "inspection", r4)
        section = next(x for x in framework_sections(s, r4) if x.name == "inspection")
        index = write_report(s, r4, tmp_path / "r4", data_dir=tmp_path)
    assert in_second[(jia, "links.dead_homepage")] == "已整改"
    assert in_partial[(jia, "links.dead_homepage")] == "复发"
    # round 4's baseline is round 2, never the partial round 3
    assert in_full[(jia, "links.dead_homepage")] == "复发"
    assert in_full[(bing, "links.dead_site")] == "新增"
    assert in_full[(info["sites"][2], "update.homepage")] == "未变"
    assert (bing, "search.present") not in in_full          # an error is not compared
    assert [rid for rid, _ in trend[f"site-{jia}"]] == [r1, r2, r4]
    assert section.prev_runs == [r2]
    text = lxml_html.fromstring(index.read_text(encoding="utf-8")).text_content()
    counts = {k: sum(1 for v in in_full.values() if v == k) for k in ("新增", "复发", "已整改", "未变")}
    assert (f"新增问题 {counts['新增']} 项 · 复发 {counts['复发']} 项 · 已整改 {counts['已整改']} 项 · "
            f"未变 {counts['未变']} 项") in text


def test_screenshots_embedded_once_per_page_as_webp_with_thumbnails(rounds, tmp_path):
    url, info, runs = rounds
    shot = tmp_path / "runs" / "9" / "elder.png"
    shot.parent.mkdir(parents=True)
    Image.new("RGB", (1366, 900), (240, 240, 250)).save(shot)
    evidence = [{"kind": "screenshot", "ref": "runs/9/elder.png"}, {"kind": "screenshot", "ref": "../outside.png"}]
    with session_scope(url) as s:
        for cid in ("elder.entry", "elder.font_scaling"):
            add_finding(s, runs[3], info["sites"][0], cid, "fail", 0, {"reason": "no_elder_mode"}, evidence)
    with session_scope(url) as s:
        index = write_report(s, runs[3], tmp_path / "shots", data_dir=tmp_path)
    doc = lxml_html.fromstring((index.parent / f"site-{info['sites'][0]}.html").read_text(encoding="utf-8"))
    full = doc.xpath("//img[@class='shot']")
    thumbs = doc.xpath("//img[@class='thumb']")
    assert len(full) == 1 and full[0].get("src").startswith("data:image/webp;base64,")
    assert full[0].get("width") == "1000"
    assert len(thumbs) == 2 and {t.getparent().get("href") for t in thumbs} == {"#" + full[0].getparent().get("id")}
    assert "未发现适老化入口" in doc.text_content()


def test_notices_for_every_unit_as_html_and_docx(rounds, tmp_path):
    url, info, runs = rounds
    with session_scope(url) as s:
        index = write_report(s, runs[3], tmp_path / "n", data_dir=tmp_path, notices=True)
    folder = index.parent / "notices"
    names = sorted(p.name for p in folder.iterdir())
    assert names == sorted(["index.html"] + [f"unit-{u}.{ext}" for u in info["units"] for ext in ("html", "docx")])
    page = (folder / f"unit-{info['units'][0]}.html").read_text(encoding="utf-8")
    doc = lxml_html.fromstring(page)
    assert doc.xpath("//script") == [] and "script-src 'none'" in doc.xpath("//meta/@content")[0]
    text = doc.text_content()
    assert "甲市人民政府（安徽省合肥市）" in text and "首页链接可用性" in text and "整改建议" in text
    assert "无法测量" not in text.split("未列入本通知")[1]        # errors are no problems of the site
    word = Document(str(folder / f"unit-{info['units'][0]}.docx"))
    paragraphs = [p.text for p in word.paragraphs]
    assert paragraphs[0] == "整改通知" and paragraphs[1] == "甲市人民政府（安徽省合肥市）："
    assert "1. 首页链接可用性：不通过（复发）" in paragraphs
    assert any(p.startswith("整改建议：逐条修复或删除首页上的错误链接") for p in paragraphs)
    cells = [[c.text for c in row.cells] for row in word.tables[0].rows]
    assert cells[1] == ["http://a.example/gone.html", "页面不存在（404）", "http://a.example/", "确认"]
    assert lxml_html.fromstring(index.read_text(encoding="utf-8")).xpath("//a[@href='notices/index.html']")


def test_archived_copy_of_the_page_where_a_problem_sits(rounds, tmp_path):
    """The page that links to a dead target is archived (WARC); the report links its copy, which
    shows the decoded source as text: nothing of the page runs."""
    from crawler.warc import WarcStore
    from storage.models import Page
    url, info, runs = rounds
    jia = info["sites"][0]
    store = WarcStore(tmp_path)
    body = '<html><head><meta charset="gbk"><script>alert(1)</script></head><body>首页 镕</body></html>'
    at = store.write(f"runs/{runs[3]}/warc/site-{jia}.warc.gz", "http://a.example/", 200, "OK",
                     [("Content-Type", "text/html")], body.encode("gbk"))
    store.close()
    with session_scope(url) as s:
        s.add(Page(run_id=runs[3], site_id=jia, url="http://a.example/", role="page", status=200,
                   warc_file=at["file"], warc_offset=at["offset"], warc_length=at["length"]))
    with session_scope(url) as s:
        index = write_report(s, runs[3], tmp_path / "arch", data_dir=tmp_path)
    doc = lxml_html.fromstring((index.parent / f"site-{jia}.html").read_text(encoding="utf-8"))
    hrefs = doc.xpath("//details[@id='f-links.dead_homepage']//a[@class='archived']/@href")
    assert len(hrefs) == 2 and len(set(hrefs)) == 1       # both dead links sit on the homepage
    assert re.fullmatch(r"archive/p\d+\.html", hrefs[0])
    copy = lxml_html.fromstring((index.parent / hrefs[0]).read_text(encoding="utf-8"))
    assert copy.xpath("//script") == [] and "script-src 'none'" in copy.xpath("//meta/@content")[0]
    assert copy.xpath("string(//pre[@class='source'])") == body          # GBK decoded, shown as text
    assert "http://a.example/" in copy.text_content() and "200" in copy.text_content()
