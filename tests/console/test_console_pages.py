"""The pages over the seeded world: the registry (filters, import errors, edit), a site, a check
across sites with its exports, frameworks, the comparison, schedules; every change audited."""
from __future__ import annotations

import csv
import io

from lxml import html as lxml_html
from openpyxl import load_workbook
from sqlalchemy import select

from storage import models as m
from storage.db import session_scope
from tests.console.conftest import csrf_of


def _audit(world) -> list[tuple]:
    with session_scope(world.db_url) as s:
        return s.execute(select(m.AuditLog.user_name, m.AuditLog.action, m.AuditLog.target, m.AuditLog.why,
                                m.AuditLog.detail).where(m.AuditLog.action != "user.login")
                         .order_by(m.AuditLog.id)).all()


def _names(page: str) -> list[str]:
    return [a.text for a in lxml_html.fromstring(page).xpath("//table[@class='sites']//td[2]/a")]


def test_site_filters(world):
    client = world.client("viewer")
    assert _names(client.get("/sites").text) == ["甲市政府门户", "甲市数据开放", "乙市政府门户", "丙县政府门户", "甲市12345"]
    assert _names(client.get("/sites", params={"kind": "portal", "group": "省会城市"}).text) == ["甲市政府门户"]
    assert _names(client.get("/sites", params={"q": "b.example"}).text) == ["乙市政府门户"]
    assert _names(client.get("/sites", params={"q": "丙县人民政府"}).text) == ["丙县政府门户"]   # the unit's name
    assert _names(client.get("/sites", params={"region": "340000"}).text) == [   # a province finds its cities
        "甲市政府门户", "甲市数据开放", "丙县政府门户", "甲市12345"]
    assert _names(client.get("/sites", params={"tier": "不合格"}).text) == ["乙市政府门户"]


def test_import_shows_every_row_error_and_imports_nothing(world):
    client = world.client("evaluator")
    token = csrf_of(client.get("/sites").text)
    bad = ("name,url,kind,unit\n丁市门户,http://d.example/,portal,丁市\n"
           "坏一,ftp://x.example/,portal,丁市\n坏二,http://e.example/,shop,丁市\n")
    answer = client.post("/sites/import", data={"csrf_token": token},
                         files={"registry": ("new.csv", bad.encode(), "text/csv")})
    assert answer.status_code == 400
    errors = [li.text_content() for li in lxml_html.fromstring(answer.text).xpath("//ul[@class='row-errors']/li")]
    assert len(errors) == 2 and errors[0].startswith("第 3 行：") and errors[1].startswith("第 4 行：unknown kind 'shop'")
    assert "丁市门户" not in client.get("/sites").text
    good = "name,url,kind,unit\n丁市门户,http://d.example/,portal,丁市\n"
    answer = client.post("/sites/import", data={"csrf_token": token, "why": "新增"},
                         files={"registry": ("new.csv", good.encode(), "text/csv")}, follow_redirects=False)
    assert answer.status_code == 303
    assert "丁市门户" in client.get("/sites").text
    assert _audit(world)[-1][:4] == ("evaluator", "sites.import", _audit(world)[-1][2], "新增")
    assert _audit(world)[-1][4] == {"added": 1, "updated": 0}
    wrong = client.post("/sites/import", data={"csrf_token": token},
                        files={"registry": ("x.exe", b"MZ", "application/octet-stream")})
    assert wrong.status_code == 400 and "登记表文件须为 .csv、.yaml、.yml、.jsonl（收到 x.exe）" in wrong.text


def test_edit_validates_like_the_registry_and_is_audited(world):
    client = world.client("evaluator")
    site = world.sites[2]
    form = client.get(f"/sites/{site}/edit").text
    token = csrf_of(form)
    values = {"csrf_token": token, "name": "乙市政府门户网站", "kind": "portal", "unit": "乙市人民政府",
              "level": "city", "group": "地级市", "region": "2204", "hints": "{\"max_pages\": \"many\"}", "why": "更名"}
    answer = client.post(f"/sites/{site}/edit", data=values)
    assert answer.status_code == 400
    problems = [li.text for li in lxml_html.fromstring(answer.text).xpath("//ul[@class='row-errors']/li")]
    assert problems[0] == "region must be a 6-digit code, got '2204'" and len(problems) == 2
    values.update(region="220400", hints="")
    assert client.post(f"/sites/{site}/edit", data=values, follow_redirects=False).status_code == 303
    with session_scope(world.db_url) as s:
        row = s.get(m.Site, site)
        assert (row.name, row.level) == ("乙市政府门户网站", "city")
    assert _audit(world)[-1] == ("evaluator", "site.edit", f"site:{site}", "更名",
                                 {"changed": {"name": ["乙市政府门户", "乙市政府门户网站"], "level": ["", "city"]}})


def test_site_page_groups_findings_by_area_with_thresholds_and_evidence(world):
    page = world.client("auditor").get(f"/sites/{world.sites[0]}").text
    doc = lxml_html.fromstring(page)
    areas = [h.text.strip() for h in doc.xpath("//section[@class='area']/h2")]
    assert areas[:3] == ["可用性", "内容正确性", "网站标识"]
    dead = doc.xpath("//details[@id='f-links.dead_homepage']")[0]
    assert "status-fail" in dead.get("class") and dead.get("open") is not None
    assert dead.xpath(".//a[@href='http://a.example/x.html']")          # the snippet's page
    assert dead.xpath(".//a[@href='/archive/%d']" % world.archived_page)  # … and its archived copy
    assert dead.xpath(".//form[@action='/findings/rerun']")              # an auditor may rerun


def test_rerun_without_stored_artifacts_says_why(world):
    client = world.client("auditor")
    token = csrf_of(client.get("/checks").text)
    answer = client.post("/findings/rerun", data={"csrf_token": token, "site_id": world.sites[0],
                                                  "check_id": "links.dead_homepage", "mode": "stored"})
    assert answer.status_code == 400
    assert "no stored artifacts for http://a.example/" in answer.text


def test_check_across_sites_sorts_filters_and_exports(world):
    client = world.client("viewer")
    page = client.get("/checks/update.homepage", params={"sort": "value", "desc": "true"}).text
    rows = lxml_html.fromstring(page).xpath("//table[@class='check-sites']//tr[td]")
    assert [r.xpath("./td[1]/a")[0].text for r in rows] == ["乙市政府门户", "甲市政府门户", "丙县政府门户"]
    only_fail = client.get("/checks/update.homepage", params={"status": "fail"}).text
    assert _names_in_check(only_fail) == ["乙市政府门户"]
    exported = client.get("/checks/update.homepage", params={"status": "fail", "format": "csv"})
    assert exported.headers["content-disposition"] == 'attachment; filename="update.homepage.csv"'
    assert exported.content.startswith("\ufeff".encode())
    rows = list(csv.DictReader(io.StringIO(exported.content.decode("utf-8-sig"))))
    assert [(r["site_url"], r["check_id"], r["status"], r["value"]) for r in rows] == [
        ("http://b.example/", "update.homepage", "fail", "30")]
    xlsx = client.get("/checks/update.homepage", params={"format": "xlsx", "sort": "site"})
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    values = list(sheet.iter_rows(values_only=True))
    assert values[0] == ("网站", "网址", "单位", "分组", "状态", "数值", "测量时间", "轮次")
    assert [(r[0], r[4]) for r in values[1:]] == [("丙县政府门户", "通过"), ("乙市政府门户", "不通过"), ("甲市政府门户", "通过")]


def _names_in_check(page: str) -> list[str]:
    return [a.text for a in lxml_html.fromstring(page).xpath("//table[@class='check-sites']//td[1]/a")]


def test_frameworks_rank_and_drill_down(world):
    client = world.client("viewer")
    page = lxml_html.fromstring(client.get("/frameworks").text)
    assert [h.text.strip() for h in page.xpath("//section[@class='framework']/h2")] == [
        "地方政府数字化服务能力", "政府网站检查（国办2019指标）", "政府网站绩效评估（7个方面）", "数字政府服务能力评估"]
    subject = client.get(f"/frameworks/inspection/site-{world.sites[0]}").text
    doc = lxml_html.fromstring(subject)
    assert doc.xpath("//p[@class='total']")[0].text_content().startswith("得分 97 / 100 · 等级 无等级")
    with session_scope(world.db_url) as s:
        dead = s.scalar(select(m.Finding.id).where(m.Finding.site_id == world.sites[0],
                                                   m.Finding.check_id == "links.dead_homepage"))
    [link] = doc.xpath(f"//table[@class='indicators']//a[@href='/findings/{dead}']")
    assert link.text_content() == "首页链接可用性：不通过"


def test_compare_needs_an_earlier_full_round(world):
    page = world.client("viewer").get("/compare").text
    assert "没有更早的完整轮次可比较。" in page
    assert world.client("viewer").get("/compare", params={"run": 999}).status_code == 404


def test_schedules_add_and_pause(world):
    client = world.client("evaluator")
    token = csrf_of(client.get("/rounds").text)
    bad = client.post("/schedules", data={"csrf_token": token, "cron": "every day", "sites": "all"})
    assert bad.status_code == 400 and "invalid cron expression &#39;every day&#39;" in bad.text
    assert client.post("/schedules", data={"csrf_token": token, "cron": "0 2 * * 1", "sites": "区县", "why": "周检"},
                       follow_redirects=False).status_code == 303
    with session_scope(world.db_url) as s:
        sched = s.scalar(select(m.Schedule))
        assert (sched.cron, sched.sites, sched.enabled) == ("0 2 * * 1", "区县", True)
    client.post(f"/schedules/{sched.id}/enabled", data={"csrf_token": token, "enabled": "false"})
    with session_scope(world.db_url) as s:
        assert s.get(m.Schedule, sched.id).enabled is False
    assert [a[1:3] for a in _audit(world)] == [("schedule.add", f"schedule:{sched.id}"),
                                               ("schedule.pause", f"schedule:{sched.id}")]
    assert "已暂停" in client.get("/rounds").text


def test_schedule_edit(world):
    client = world.client("evaluator")
    token = csrf_of(client.get("/rounds").text)
    client.post("/schedules", data={"csrf_token": token, "cron": "0 2 * * 1", "sites": "all"})
    with session_scope(world.db_url) as s:
        sched = s.scalar(select(m.Schedule))
        sid, due_before = sched.id, sched.last_due_at
    bad = client.post(f"/schedules/{sid}", data={"csrf_token": token, "cron": "every day", "sites": "all"})
    assert bad.status_code == 400 and "invalid cron expression &#39;every day&#39;" in bad.text
    assert client.post(f"/schedules/{sid}", data={"csrf_token": token, "cron": "30 3 1 * *", "sites": "区县",
                                                   "why": "改为每月"}, follow_redirects=False).status_code == 303
    with session_scope(world.db_url) as s:
        sched = s.get(m.Schedule, sid)
        assert (sched.cron, sched.sites, sched.enabled) == ("30 3 1 * *", "区县", True)
        assert sched.last_due_at > due_before        # due times count from the edit
    assert client.post(f"/schedules/{sid + 100}", data={"csrf_token": token, "cron": "0 2 * * 1",
                                                         "sites": "all"}).status_code == 404
    assert [a[1:3] for a in _audit(world)] == [("schedule.add", f"schedule:{sid}"),
                                               ("schedule.edit", f"schedule:{sid}")]
    assert "<code>30 3 1 * *</code>" in client.get("/rounds").text


def test_start_round_with_a_bad_registry_shows_its_rows(world):
    client = world.client("evaluator")
    token = csrf_of(client.get("/rounds").text)
    answer = client.post("/rounds", data={"csrf_token": token, "scope": "file"},
                         files={"registry": ("r.yaml", "- name: x\n  url: notaurl\n  kind: portal\n".encode(),
                                             "application/yaml")})
    assert answer.status_code == 400
    errors = [li.text_content() for li in lxml_html.fromstring(answer.text).xpath("//ul[@class='row-errors']/li")]
    assert len(errors) == 1 and errors[0].startswith("第 1 行：")
    with session_scope(world.db_url) as s:
        assert s.scalar(select(m.Run.id).where(m.Run.id != world.run_id)) is None


def test_a_dead_round_is_shown_resumable(world):
    import socket
    import subprocess
    import sys
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    with session_scope(world.db_url) as s:
        run = m.Run(kind="round", status="running", options={"pid": gone.pid, "host": socket.gethostname(),
                                                              "proc_start": "1"})
        s.add(run)
        s.flush()
        s.add(m.RunSite(run_id=run.id, site_id=world.sites[0], stage="pending", gathered=["crawl"]))
        run_id = run.id
    listing = lxml_html.fromstring(world.client("viewer").get("/rounds").text)
    assert listing.xpath("//table[@class='rounds']//tr[2]/td[2]")[0].text == "进程已停止"
    page = world.client("evaluator").get(f"/rounds/{run_id}").text
    doc = lxml_html.fromstring(page)
    assert doc.xpath("//section[@id='progress']/@data-status") == ["dead"]
    assert doc.xpath(f"//form[@action='/rounds/{run_id}/resume']//button")[0].text == "继续这一轮"
    assert doc.xpath("//section[@id='progress']/@hx-get") == []          # nothing to poll
    viewer = lxml_html.fromstring(world.client("viewer").get(f"/rounds/{run_id}").text)
    assert viewer.xpath(f"//form[@action='/rounds/{run_id}/resume']") == []
