"""Scores stored from a seeded database; export; the HTML/XLSX report is
self-contained and shows hostile crawled text inert."""
from __future__ import annotations

import csv
import json
import re

import pytest
from lxml import html as lxml_html
from openpyxl import load_workbook
from sqlalchemy import select
from typer.testing import CliRunner

from reports.export import COLUMNS, write_scores
from reports.html import write_report
from reports.store import score_run
from storage.db import session_scope
from storage.models import Score
from tests.scoring_seed import add_finding, seed


@pytest.fixture()
def world(tmp_path):
    url = f"sqlite:///{tmp_path}/scores.db"
    info = seed(url)
    return url, info


def _totals(url, run_id, framework):
    with session_scope(url) as s:
        rows = s.scalars(select(Score).where(Score.run_id == run_id, Score.framework == framework,
                                             Score.indicator == "total")).all()
        return {r.details["subject"]: (r.score, r.tier, r.rank, r.incomplete) for r in rows}


def test_inspection_scores_written(world):
    url, info = world
    with session_scope(url) as s:
        score_run(s, info["run_id"], ["inspection"])
    totals = _totals(url, info["run_id"], "inspection")
    # 乙: homepage 30 days old → single veto, nothing else scored
    assert totals["乙市政府门户"] == (None, "不合格", None, True)   # avail.uptime unverified
    # 甲: 3 dead homepage links × 1 point; most deduction checks were not gathered → no tier
    score, tier, rank, incomplete = totals["甲市政府门户"]
    assert score == 97.0 and tier is None and incomplete
    with session_scope(url) as s:
        veto = s.scalars(select(Score).where(Score.framework == "inspection", Score.indicator == "total",
                                             Score.site_id == info["sites"][3])).one()
        states = {v["id"]: v["state"] for v in veto.details["vetoes"]}
        assert states["wording_errors"] == "pending_review"
        assert states["homepage_stale"] == "clear" and states["unreachable"] == "missing"


def test_score_with_user_framework_and_manual_csv(world, tmp_path):
    url, info = world
    fwdir = tmp_path / "fw"
    fwdir.mkdir()
    (fwdir / "mini.yaml").write_text("""
name: mini
version: "3"
scope: unit
scale: 100
tiers: [[好, 90], [中, 50], [差, 0]]
root: [links, expert]
indicators:
  links: {title: 链接, weight: 80, children: [dead]}
  dead: {check: links.dead_homepage, kind: portal, transform: count, cap: 10}
  expert: {title: 专家评议, weight: 20, manual: true}
""", encoding="utf-8")
    manual = tmp_path / "manual.csv"
    manual.write_text("unit,indicator,score,note\n甲市人民政府,expert,15,案例较好\n乙市人民政府,expert,20,\n",
                      encoding="utf-8")
    with session_scope(url) as s:
        score_run(s, info["run_id"], ["mini"], str(manual), [str(fwdir)])
    totals = _totals(url, info["run_id"], "mini")
    # 甲: 80 × 0.7 + 15 = 71 ; 乙: 80 + 20 = 100 ; 丙: expert missing (20 %) → 80/80 × 100, tier kept
    assert totals["甲市人民政府"] == (pytest.approx(71.0), "中", 1, False)   # each in its own group
    assert totals["乙市人民政府"] == (100.0, "好", 1, False)
    assert totals["丙县人民政府"] == (100.0, "好", 1, True)
    with session_scope(url) as s:
        expert = s.scalars(select(Score).where(Score.framework == "mini", Score.indicator == "expert",
                                               Score.unit_id == info["units"][0])).one()
        assert expert.manual and expert.score == 15 and expert.details["note"] == "案例较好"
    with session_scope(url) as s:
        path = tmp_path / "scores.csv"
        assert write_scores(s, info["run_id"], "csv", path, framework="mini") == 12
        rows = list(csv.DictReader(path.read_text(encoding="utf-8-sig").splitlines()))
    assert tuple(rows[0]) == COLUMNS
    first = rows[0]
    assert (first["run_id"], first["framework"], first["framework_version"], first["scope"],
            first["unit_or_site"], first["indicator"], first["score"], first["max"], first["tier"],
            first["rank"], first["group"], first["incomplete"]) == (
        str(info["run_id"]), "mini", "3", "unit", "甲市人民政府", "total", "71.0", "100.0", "中", "1",
        "省会城市", "False")
    manual_row = next(r for r in rows if r["indicator"] == "expert" and r["unit_or_site"] == "甲市人民政府")
    assert manual_row["manual"] == "True" and manual_row["score"] == "15.0"


def test_manual_csv_errors_are_one_line(world, tmp_path):
    from core.errors import UserError
    url, info = world
    bad = tmp_path / "bad.csv"
    bad.write_text("unit,indicator,score\n甲市人民政府,innovation_cases,abc\n", encoding="utf-8")
    with session_scope(url) as s, pytest.raises(UserError) as exc:
        score_run(s, info["run_id"], ["service_capability"], str(bad))
    assert str(exc.value) == f"{bad}: line 2: score 'abc' is not a number"
    bad.write_text("unit,indicator,score\n甲市人民政府,innovation_cases,9\n", encoding="utf-8")
    with session_scope(url) as s, pytest.raises(UserError) as exc:
        score_run(s, info["run_id"], ["service_capability"], str(bad))
    assert str(exc.value) == "manual line 2: innovation_cases score 9 outside 0..6"
    bad.write_text("unit,indicator,score\n甲市人民政府,nonsense,1\n", encoding="utf-8")
    with session_scope(url) as s, pytest.raises(UserError) as exc:
        score_run(s, info["run_id"], ["service_capability"], str(bad))
    assert str(exc.value).startswith("manual line 2: 'nonsense' is no manual indicator of service_capability")


def test_rerun_finding_supersedes_in_scores(world):
    url, info = world
    from storage.models import Finding, Run
    with session_scope(url) as s:
        old = s.scalars(select(Finding).where(Finding.site_id == info["sites"][2],
                                              Finding.check_id == "update.homepage")).one()
        rerun = Run(kind="check", status="finished")
        s.add(rerun)
        s.flush()
        add_finding(s, rerun.id, info["sites"][2], "update.homepage", "pass", 1, supersedes=old.id)
        score_run(s, info["run_id"], ["inspection"])
    assert _totals(url, info["run_id"], "inspection")["乙市政府门户"][0] == 100.0


def test_jsonl_export(world, tmp_path):
    url, info = world
    with session_scope(url) as s:
        score_run(s, info["run_id"], ["performance"])
        n = write_scores(s, info["run_id"], "jsonl", tmp_path / "s.jsonl")
    lines = [json.loads(x) for x in (tmp_path / "s.jsonl").read_text(encoding="utf-8").splitlines()]
    assert len(lines) == n == 3 * (1 + 55)     # total + 7 aspects + 48 indicators
    assert set(lines[0]) == set(COLUMNS)
    assert {x["indicator"] for x in lines if x["unit_or_site"] == "乙市政府门户"} >= {"total", "disclosure"}


def _report(url, info, tmp_path):
    with session_scope(url) as s:
        score_run(s, info["run_id"])
        return write_report(s, info["run_id"], tmp_path / "report", data_dir=tmp_path)


def test_hostile_page_text_is_inert(world, tmp_path):
    url, info = world
    index = _report(url, info, tmp_path)
    page = (index.parent / f"site-{info['sites'][0]}.html").read_text(encoding="utf-8")
    assert "<script" not in page.lower()
    assert "&lt;script&gt;document.title=&#34;pwned&#34;&lt;/script&gt;" in page
    assert "&#34;&gt;&lt;img src=x onerror=alert(2)&gt;" in page
    doc = lxml_html.fromstring(page)
    assert doc.xpath("//script") == []
    assert doc.xpath("//*[@onerror or @onload or @onclick]") == []
    assert [i.get("src")[:5] for i in doc.xpath("//img")] == []
    # javascript: evidence is shown as text, never as a link
    assert doc.xpath("//a[starts-with(@href, 'javascript')]") == []
    assert "javascript:alert(3)" in doc.text_content()
    assert doc.xpath("//a[@href='http://a.example/missing.html']")


def test_report_is_self_contained(world, tmp_path):
    url, info = world
    index = _report(url, info, tmp_path)
    files = sorted(p.name for p in index.parent.iterdir())
    assert files == sorted(["index.html", "report.xlsx"] + [f"site-{i}.html" for i in info["sites"]]
                           + [f"unit-{i}.html" for i in info["units"]])
    for page in index.parent.glob("*.html"):
        doc = lxml_html.fromstring(page.read_text(encoding="utf-8"))
        csp = doc.xpath("//meta[@http-equiv='Content-Security-Policy']/@content")[0]
        assert "script-src 'none'" in csp and "default-src 'none'" in csp
        assert doc.xpath("//script | //link[@rel='stylesheet'] | //iframe") == []
        for src in doc.xpath("//@src"):
            assert src.startswith("data:")
        for href in doc.xpath("//a/@href"):    # links stay inside the report or go to evidence URLs
            assert re.match(r"^(#|[a-z0-9-]+\.(html|xlsx)$|archive/p\d+\.html$|https?://)", href), href
    index_doc = lxml_html.fromstring(index.read_text(encoding="utf-8"))
    assert len(index_doc.xpath("//svg[contains(@class,'chart')]")) == 4
    assert "政府网站绩效评估（7个方面）" in index_doc.text_content()


def test_xlsx_has_the_same_tables(world, tmp_path):
    url, info = world
    index = _report(url, info, tmp_path)
    wb = load_workbook(index.parent / "report.xlsx")
    # sheets are named by the frameworks' Chinese titles (issue #15; they were the framework ids)
    assert wb.sheetnames == ["地方政府数字化服务能力", "政府网站检查（国办2019指标）", "政府网站绩效评估（7个方面）",
                             "数字政府服务能力评估", "指标明细", "检查发现"]
    insp = list(wb["政府网站检查（国办2019指标）"].iter_rows(values_only=True))
    assert insp[0][:7] == ("组别", "名次", "单位/网站", "行政区划", "得分", "满分", "等级")
    yi = next(r for r in insp if r[2] == "乙市政府门户")
    assert yi[6] == "不合格" and yi[11] == "首页栏目信息超过2周未更新（否决）"
    ws = wb["检查发现"]
    findings = list(ws.iter_rows(values_only=True))
    assert len(findings) == 1 + 13 * 3 + 2
    for sheet in wb.worksheets:     # every sheet: frozen header, autofilter over all rows, unique headers
        header = [c.value for c in sheet[1]]
        assert sheet.freeze_panes == "A2", sheet.title
        assert sheet.auto_filter.ref == f"A1:{sheet.cell(1, len(header)).column_letter}{max(2, sheet.max_row)}"
        assert len(set(header)) == len(header), sheet.title
    header = list(findings[0])
    assert header[-1] == "详情原始数据"      # the only column that may hold JSON
    col = {h: i for i, h in enumerate(header)}
    for row in findings[1:]:
        for h, v in zip(header[:-1], row[:-1]):
            assert not (isinstance(v, str) and v.lstrip().startswith(("{", "["))), (h, v)
    dead = next(r for r in findings if r[col["网站"]] == "甲市政府门户" and r[col["检查项编号"]] == "links.dead_homepage")
    assert dead[col["状态"]] == "不通过" and dead[col["检查项"]] == "首页链接可用性"
    assert dead[col["数值"]] == 3 and dead[col["计量单位"]] == "个"
    assert dead[col["整改建议"]].startswith("逐条修复或删除首页上的错误链接")
    assert dead[col["首条证据"]] == "http://a.example/missing.html"
    row = findings.index(dead) + 1
    link_cell = ws.cell(row, col["首条证据"] + 1)
    assert link_cell.hyperlink.target == "http://a.example/missing.html"
    rules = {r.formula[0]: r.dxf.fill.bgColor.rgb for cf in ws.conditional_formatting for r in cf.rules}
    assert rules['"不通过"'].endswith("FFD7D5") and rules['"通过"'].endswith("DAFBE1")


RUISHU = {"product": "瑞数", "reason": "HTTP 412 challenge page", "status": 412, "url": "http://b.example/",
          "homepage": True, "after_requests": 1, "cookies": ["FSSBBIl1UgzbN7N80S", "FSSBBIl1UgzbN7N80T"],
          "signals": ["status 412", "cookie FSSBBIl1UgzbN7N80S"], "snippet": "=<script>$_ts=window['$_ts']"}


def test_xlsx_lists_walled_sites_with_the_walls_evidence(world, tmp_path):
    """The report's 被拦截的网站 as a sheet: each walled site with the wall's evidence (a formula-looking
    snippet stays text); a workbook of a round without walls has no such sheet (test above)."""
    from datetime import datetime
    from storage.models import Finding
    url, info = world
    b, county = info["sites"][2], info["sites"][3]
    with session_scope(url) as s:
        for f in s.scalars(select(Finding).where(Finding.check_id == "avail.homepage",
                                                 Finding.site_id.in_([b, county]))):
            f.status, f.value, f.measured_at = "error", None, datetime(2026, 5, 1, 1, 2, 3)
            wall = RUISHU if f.site_id == b else {
                **RUISHU, "product": None, "reason": "HTTP 429 rate limit", "status": 429, "url": "http://c.example/n.html",
                "homepage": False, "after_requests": 7, "cookies": [], "signals": ["status 429"], "snippet": None,
                "confirmed_by": "the homepage, asked again, answered HTTP 429 rate limit"}
            f.details = {"error_kind": "blocked", "error": "a wall answered", "wall": wall}
    index = _report(url, info, tmp_path)
    wb = load_workbook(index.parent / "report.xlsx")
    assert wb.sheetnames[-2:] == ["检查发现", "被拦截站点"]
    ws = wb["被拦截站点"]
    assert [list(r) for r in ws.iter_rows(values_only=True)] == [
        ["网站", "网址", "所属单位", "拦截产品", "HTTP 状态", "拦截原因", "拦截页网址", "第几个请求后", "设置的 Cookie",
         "拦截特征", "页面片段", "复核结果", "测量时间"],
        ["乙市政府门户", "http://b.example/", "乙市人民政府", "瑞数", 412, "HTTP 412 challenge page", "http://b.example/", 1,
         "FSSBBIl1UgzbN7N80S、FSSBBIl1UgzbN7N80T", "status 412；cookie FSSBBIl1UgzbN7N80S",
         "'=<script>$_ts=window['$_ts']", None, "2026-05-01 09:02"],
        ["丙县政府门户", "http://c.example/", "丙县人民政府", "未识别", 429, "HTTP 429 rate limit", "http://c.example/n.html", 7,
         None, "status 429", None, "the homepage, asked again, answered HTTP 429 rate limit", "2026-05-01 09:02"]]
    assert ws.cell(2, 2).hyperlink.target == "http://b.example/"
    assert ws.cell(3, 7).hyperlink.target == "http://c.example/n.html"
    assert (ws.freeze_panes, ws.auto_filter.ref) == ("A2", "A1:M3")


def test_cli_score_and_report(world, tmp_path, monkeypatch):
    url, info = world
    monkeypatch.setenv("GOVAUDIT_DATABASE_URL", url)
    monkeypatch.setenv("GOVAUDIT_DATA_DIR", str(tmp_path))
    import govaudit.commands.reports  # noqa: F401  (registers the commands)
    from govaudit.cli import app
    runner = CliRunner()
    res = runner.invoke(app, ["score", "--framework", "inspection"])
    assert res.exit_code == 0, res.output
    assert "乙市政府门户" in res.output and "不合格" in res.output
    res = runner.invoke(app, ["score", "--framework", "nope"])
    assert res.exit_code != 0
    assert "no framework 'nope'" in str(res.exception)
    res = runner.invoke(app, ["report", "--out", str(tmp_path / "r")])
    assert res.exit_code == 0, res.output
    assert (tmp_path / "r" / "index.html").is_file() and not (tmp_path / "r" / "notices").exists()
    res = runner.invoke(app, ["report", "--out", str(tmp_path / "r"), "--notices"])
    assert res.exit_code == 0, res.output
    assert (tmp_path / "r" / "notices" / f"unit-{info['units'][0]}.docx").is_file()


def _rerun(url, info, site_indexes, changes=None):
    """A new round over some of the seeded sites, copying run 1's findings but for `changes`
    ({(site index, check id): (status, value)}); scored with inspection."""
    from storage.models import Finding, Run, RunSite
    changes = changes or {}
    with session_scope(url) as s:
        run = Run(kind="round", status="finished")
        s.add(run)
        s.flush()
        for i in site_indexes:
            sid = info["sites"][i]
            s.add(RunSite(run_id=run.id, site_id=sid, stage="checked"))
            for f in s.scalars(select(Finding).where(Finding.run_id == info["run_id"], Finding.site_id == sid)):
                status, value = changes.get((i, f.check_id), (f.status, f.value))
                add_finding(s, run.id, sid, f.check_id, status, value, f.details, f.evidence)
        run_id = run.id
    with session_scope(url) as s:
        score_run(s, run_id, ["inspection"])
    return run_id


def test_report_compares_each_subject_with_its_own_previous_score(world, tmp_path):
    from reports.report_data import framework_sections
    url, info = world
    with session_scope(url) as s:
        score_run(s, info["run_id"], ["inspection"])
    # round 2 covers 甲 alone, its dead links fixed; round 3 covers 甲 and 丙
    second = _rerun(url, info, [0], {(0, "links.dead_homepage"): ("pass", 0)})
    third = _rerun(url, info, [0, 3], {(0, "links.dead_homepage"): ("fail", 1)})
    with session_scope(url) as s:
        section = next(x for x in framework_sections(s, third) if x.name == "inspection")
        rows = {r.name: (r.prev_total, r.total, r.delta) for r in section.rows}
        prev_runs = section.prev_runs
        index = write_report(s, third, tmp_path / "r3", data_dir=tmp_path)
    assert prev_runs == [info["run_id"], second]
    assert rows["甲市政府门户"] == (100.0, 99.0, -1.0)    # compared with round 2, not round 1
    assert rows["丙县政府门户"] == (100.0, 100.0, 0.0)    # round 2 did not cover it: round 1
    doc = lxml_html.fromstring(index.read_text(encoding="utf-8"))
    jia = doc.xpath("//section[@id='fw-inspection']//tr[td/a[text()='甲市政府门户']]")[0]
    cells = [c.text_content().strip() for c in jia.xpath("td")]
    assert "-1" in cells
    assert f"与第 {info['run_id']}、{second} 轮比较" in doc.text_content()
