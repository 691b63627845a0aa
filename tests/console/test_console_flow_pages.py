"""The console's pages 7-9 through its test client: manual indicators and candidate vetoes,
disputes (opened by a unit, decided by an auditor, shown in the finding's history), the per-unit
整改通知 (page and .docx), alerts; who may post what; every change in the audit log."""
from __future__ import annotations

import io
import re

import pytest
from docx import Document
from fastapi.testclient import TestClient
from sqlalchemy import select

from storage import models as m
from storage.db import session_scope
from tests.console.conftest import PASSWORD, World, csrf_of

def finding(world, site: int, check_id: str) -> int:
    with session_scope(world.db_url) as s:
        return s.scalar(select(m.Finding.id).where(m.Finding.site_id == world.sites[site],
                                                   m.Finding.check_id == check_id))


def audit_log(world) -> list[tuple]:
    with session_scope(world.db_url) as s:
        return [(a.user_name, a.action, a.target, a.why) for a in s.scalars(
            select(m.AuditLog).where(m.AuditLog.action != "user.login").order_by(m.AuditLog.id))]


def post(client: TestClient, path: str, data: dict | None = None, page: str = "/disputes"):
    token = csrf_of(client.get(page).text)
    return client.post(path, data={**(data or {}), "csrf_token": token}, follow_redirects=False)


# -- disputes and notices ------------------------------------------------
def test_unit_disputes_auditor_decides_thread_in_history_and_notice(world):
    dead = finding(world, 0, "links.dead_homepage")          # 甲市政府门户: 3 dead homepage links
    unit, auditor = world.client("unit"), world.client("auditor")
    notice = unit.get(f"/notices/{world.units[0]}")
    assert notice.status_code == 200 and "首页链接可用性" in notice.text
    before = notice.text.count('class="problem ')
    assert unit.get(f"/disputes/new?finding={dead}").status_code == 200
    answer = post(unit, "/disputes", {"finding_id": dead, "reason": "misjudged", "text": "链接<b>可以</b>访问"})
    assert answer.status_code == 303
    dispute_path = answer.headers["location"]
    dispute_id = int(dispute_path.rsplit("/", 1)[1])
    page = auditor.get(dispute_path).text
    assert "链接&lt;b&gt;可以&lt;/b&gt;访问" in page and "作出决定" in page and "实时复核" in page
    assert "作出决定" not in unit.get(dispute_path).text
    assert post(auditor, f"/disputes/{dispute_id}/comment", {"text": "已收到"}).status_code == 303
    assert post(auditor, f"/disputes/{dispute_id}/decide", {"outcome": "upheld", "note": "抽查确认可访问"}).status_code == 303
    finding_page = unit.get(f"/findings/{dead}").text
    assert [re.sub(r"<[^>]+>|\s+", " ", li).split(" · ", 1)[1].strip()
            for li in re.findall(r"<li>(.*?)</li>", finding_page, re.S)] == [
        "提出：误判：链接&lt;b&gt;可以&lt;/b&gt;访问", "留言：已收到", "决定：异议成立：抽查确认可访问"]
    # judged wrong: no longer a problem to fix in the unit's notice
    assert unit.get(f"/notices/{world.units[0]}").text.count('class="problem ') == before - 1
    assert audit_log(world) == [
        ("unit", "dispute.open", f"dispute:{dispute_id}", "链接<b>可以</b>访问"),
        ("auditor", "dispute.comment", f"dispute:{dispute_id}", "已收到"),
        ("auditor", "dispute.decide", f"dispute:{dispute_id}", "抽查确认可访问")]
    listing = world.client("viewer").get("/disputes?status=upheld").text
    assert f'href="/disputes/{dispute_id}"' in listing and "异议成立" in listing


def test_a_unit_user_reaches_only_its_own_findings_disputes_and_notice(world):
    other = finding(world, 3, "content.wording_errors")       # 丙县: another unit
    unit = world.client("unit")
    assert unit.get(f"/disputes/new?finding={other}").status_code == 404
    assert post(unit, "/disputes", {"finding_id": other, "reason": "rectified", "text": "x"}).status_code == 404
    assert unit.get(f"/notices/{world.units[2]}").status_code == 404
    assert unit.get(f"/notices/{world.units[2]}/docx").status_code == 404
    evaluator = world.client("evaluator")
    answer = post(evaluator, "/disputes", {"finding_id": other, "reason": "rectified", "text": "已修改"})
    assert answer.status_code == 303
    assert unit.get(answer.headers["location"]).status_code == 404
    assert f'href="{answer.headers["location"]}"' not in unit.get("/disputes").text


def test_bad_dispute_input_is_one_message_and_nothing_stored(world):
    passing = finding(world, 0, "avail.homepage")
    unit = world.client("unit")
    answer = post(unit, "/disputes", {"finding_id": passing, "reason": "misjudged", "text": "x"})
    assert answer.status_code == 400
    assert f"finding {passing} is pass: only a fail or warn finding can be disputed" in answer.text
    answer = post(unit, "/disputes", {"finding_id": finding(world, 0, "links.dead_homepage"), "reason": "x",
                                      "text": "x"})
    assert answer.status_code == 400 and "reason must be rectified (已整改) or misjudged (误判)" in answer.text
    with session_scope(world.db_url) as s:
        assert s.scalars(select(m.Dispute)).all() == [] and s.scalars(select(m.DisputeEvent)).all() == []


def test_notice_as_word_document(world):
    answer = world.client("viewer").get(f"/notices/{world.units[0]}/docx")
    assert answer.status_code == 200
    assert answer.headers["content-disposition"] == (f'attachment; filename="notice-unit-{world.units[0]}-run-'
                                                     f'{world.run_id}.docx"')
    text = "\n".join(p.text for p in Document(io.BytesIO(answer.content)).paragraphs)
    assert text.splitlines()[:2] == ["整改通知", "甲市人民政府（安徽省合肥市）："]
    assert "贵单位的 3 个网站共有 2 项问题需要整改" in text


# -- manual indicators and candidate vetoes ------------------------------
def _score(world, framework, indicator, **where):
    with session_scope(world.db_url) as s:
        q = select(m.Score).where(m.Score.run_id == world.run_id, m.Score.framework == framework,
                                  m.Score.indicator == indicator)
        for k, v in where.items():
            q = q.where(getattr(m.Score, k) == v)
        return s.scalar(q)


def test_evaluator_enters_manual_values_and_the_round_is_scored_again(world):
    evaluator = world.client("evaluator")
    page = evaluator.get("/manual?framework=service_capability").text
    assert "甲市人民政府" in page and 'name="value.innovation_cases"' in page
    answer = post(evaluator, "/manual/values", {"framework": "service_capability", "run_id": world.run_id,
                                                "unit_id": world.units[0], "site_id": "", "why": "专家评议",
                                                "value.innovation_cases": "5", "value.scenarios": ""},
                  page="/manual")
    assert answer.status_code == 303
    row = _score(world, "service_capability", "innovation_cases", unit_id=world.units[0])
    assert (row.score, row.manual, row.details["note"]) == (5.0, True, "专家评议")
    page = evaluator.get(answer.headers["location"]).text
    assert "evaluator · " in page and "专家评议" in page
    answer = post(evaluator, "/manual/values", {"framework": "service_capability", "run_id": world.run_id,
                                                "unit_id": world.units[0], "why": "x", "value.innovation_cases": "9"},
                  page="/manual")
    assert answer.status_code == 400 and "innovation_cases score 9 outside 0..6" in answer.text
    assert audit_log(world) == [("evaluator", "manual.set", f"manual:service_capability:unit:{world.units[0]}",
                                  "专家评议")]
    viewer_page = world.client("viewer").get("/manual?framework=service_capability").text
    assert "甲市人民政府" in viewer_page and 'name="value.innovation_cases"' not in viewer_page


def test_candidate_veto_confirmed_on_the_page(world):
    county = world.sites[3]
    evaluator = world.client("evaluator")
    page = evaluator.get("/manual?framework=inspection").text
    assert "丙县政府门户" in page and "待复核" in page
    answer = post(evaluator, "/manual/vetoes", {"run_id": world.run_id, "framework": "inspection",
                                                "veto": "wording_errors", "decision": "confirm",
                                                "note": "属严重表述错误", "site_id": county}, page="/manual")
    assert answer.status_code == 303
    total = _score(world, "inspection", "total", site_id=county)
    assert total.tier == "不合格" and {v["id"]: v["state"] for v in total.details["vetoes"]}["wording_errors"] == "veto"
    assert audit_log(world) == [("evaluator", "veto.confirm", f"veto:{world.run_id}:inspection:wording_errors:site:"
                                                               f"{county}", "属严重表述错误")]


# -- alerts --------------------------------------------------------------
def test_admin_configures_webhooks_others_cannot_see_them(world):
    admin = world.client("admin")
    answer = post(admin, "/alerts/webhooks", {"name": "值班群", "url": "https://robot.example/send?access_token=s3cret",
                                              "format": "dingtalk", "events": ["homepage_down", "round_finished"]},
                  page="/alerts")
    assert answer.status_code == 303
    page = admin.get("/alerts").text
    assert "值班群" in page and "钉钉机器人" in page and "首页无法访问（监测）、检查轮次完成" in page
    assert post(admin, "/alerts/webhooks/1", {"enabled": "false"}, page="/alerts").status_code == 303
    assert "已停用" in admin.get("/alerts").text
    log = audit_log(world)
    assert [row[:3] for row in log] == [("admin", "webhook.add", "webhook:1"), ("admin", "webhook.change", "webhook:1")]
    with session_scope(world.db_url) as s:
        assert "s3cret" not in str([a.detail for a in s.scalars(select(m.AuditLog))])
    for role in ("evaluator", "auditor", "viewer", "unit"):
        assert world.client(role).get("/alerts").status_code == 403


def test_live_rerun_from_a_dispute_shows_old_and_new_side_by_side(tmp_path, monkeypatch):
    """A real site with a dead homepage link, audited; the unit fixes it and disputes (已整改); the
    auditor reruns the check live from the dispute page and sees the fail beside the new pass."""
    from core.config import load
    from govaudit.console.users import add_user
    from tests.helpers import cli, served
    from tests.govaudit.test_refusals import HOME
    with served(tmp_path, {"jia": {"name": "甲市政府门户", "unit": "甲市人民政府"}}, {"jia": {"index.html": HOME}}) as farm:
        allow = ["--allow-host", farm.allow_hosts()[0]]
        (tmp_path / "sites.csv").write_text(f"name,url,kind,unit\n甲市政府门户,{farm.sites[0].url},portal,甲市人民政府\n",
                                            encoding="utf-8")
        assert cli("sites", "import", "sites.csv", cwd=tmp_path).returncode == 0
        res = cli(*allow, "run", "--only", "links.dead_homepage", cwd=tmp_path)
        assert res.returncode == 0, res.stderr[-2000:]
        db_url = f"sqlite:///{tmp_path / 'govaudit.db'}"
        for key, value in {"GOVAUDIT_DATABASE_URL": db_url, "GOVAUDIT_DATA_DIR": str(tmp_path / "govaudit-data"),
                           "GOVAUDIT_ALLOW_HOSTS": farm.allow_hosts()[0],
                           "GOVAUDIT_CONSOLE_SECRET": "test-secret-" + "x" * 32}.items():
            monkeypatch.setenv(key, value)
        monkeypatch.chdir(tmp_path)
        with session_scope(db_url) as s:
            add_user(s, "unit", "unit", PASSWORD, "甲市人民政府")
            add_user(s, "auditor", "auditor", PASSWORD)
            (dead,) = s.scalars(select(m.Finding).where(m.Finding.check_id == "links.dead_homepage")).all()
            assert dead.status == "fail"
        world = World(db_url, tmp_path / "govaudit-data", dead.run_id, [dead.site_id], [], 0, load())
        unit, auditor = world.client("unit"), world.client("auditor")
        (tmp_path / "sites" / "jia" / "a.html").write_text(HOME, encoding="utf-8")       # the unit fixes the link
        answer = post(unit, "/disputes", {"finding_id": dead.id, "reason": "rectified", "text": "通知公告页已恢复"})
        dispute_path = answer.headers["location"]
        assert post(auditor, f"{dispute_path}/rerun", {"stored": "false"}).status_code == 303
        page = auditor.get(dispute_path).text
    boxes = re.findall(r'<section><h2>(.*?)</h2>\s*<div class="finding status-(\w+)">.*?结果编号 (\d+)', page, re.S)
    with session_scope(db_url) as s:
        new = s.scalar(select(m.Finding).where(m.Finding.supersedes == dead.id))
        assert (new.status, new.adopted) == ("pass", True)
        assert s.get(m.Dispute, int(dispute_path.rsplit("/", 1)[1])).rerun_finding_id == new.id
    assert boxes == [("有异议的结果", "fail", str(dead.id)), ("复核结果", "pass", str(new.id))]
    assert "实时复核：结果 通过" in page


def test_disputes_in_the_api_with_their_threads(world):
    from govaudit.console.users import create_token, get_user
    other = finding(world, 3, "content.wording_errors")       # 丙县: not the unit user's
    evaluator = world.client("evaluator")
    assert post(evaluator, "/disputes", {"finding_id": other, "reason": "misjudged", "text": "引用原文"}).status_code == 303
    tokens = {}
    with session_scope(world.db_url) as s:
        for role in ("viewer", "unit"):
            tokens[role] = create_token(s, get_user(s, role), "api")[1]
    client = world.client()
    answer = client.get("/api/v1/disputes?status=open", headers={"Authorization": f"Bearer {tokens['viewer']}"})
    assert answer.status_code == 200
    (item,) = answer.json()["items"]
    assert (item["finding_id"], item["reason"], item["status"], item["opened_by"]) == (other, "misjudged", "open",
                                                                                       "evaluator")
    assert [(e["kind"], e["author"], e["text"]) for e in item["events"]] == [("opened", "evaluator", "误判：引用原文")]
    assert answer.json()["next_cursor"] is None
    mine = client.get("/api/v1/disputes", headers={"Authorization": f"Bearer {tokens['unit']}"}).json()
    assert mine == {"items": [], "next_cursor": None}
