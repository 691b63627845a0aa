"""The console's workflow services without the web: manual values and candidate veto decisions
feeding the scores, disputes with their threads, alerts posted to real local HTTP servers."""
from __future__ import annotations

import json
import threading
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from sqlalchemy import select

from core.errors import UserError
from govaudit import alerts, disputes, manual_values
from reports.store import score_run
from storage import models as m
from storage.db import session_scope
from tests.scoring_seed import add_finding, seed


@pytest.fixture()
def world(tmp_path):
    url = f"sqlite:///{tmp_path}/flows.db"
    return url, seed(url)


def _total(url, run_id, framework, subject):
    with session_scope(url) as s:
        row = s.scalars(select(m.Score).where(m.Score.run_id == run_id, m.Score.framework == framework,
                                              m.Score.indicator == "total")).all()
        return next(r for r in row if r.details["subject"] == subject)


def _indicator(url, run_id, framework, indicator, unit_id):
    with session_scope(url) as s:
        return s.scalar(select(m.Score).where(m.Score.run_id == run_id, m.Score.framework == framework,
                                              m.Score.indicator == indicator, m.Score.unit_id == unit_id))


# -- manual values -------------------------------------------------------
def test_console_value_feeds_the_score_with_who_and_why(world):
    url, info = world
    run_id, city = info["run_id"], info["units"][0]
    with session_scope(url) as s:
        manual_values.set_value(s, "service_capability", "innovation_cases", 4, "alice", "专家评议：两个案例",
                                unit_id=city)
        manual_values.rescore(s, run_id, "service_capability")
    row = _indicator(url, run_id, "service_capability", "innovation_cases", city)
    assert (row.score, row.manual, row.details["note"]) == (4.0, True, "专家评议：两个案例")
    with session_scope(url) as s:
        manual_values.set_value(s, "service_capability", "innovation_cases", 6, "bob", "复评：三个案例", unit_id=city)
        form = manual_values.manual_form(s, "service_capability", run_id)
        history = manual_values.value_history(s, "service_capability", "innovation_cases", city, None)
        manual_values.rescore(s, run_id, "service_capability")
    assert [(i, top) for i, _, top in form.indicators] == [("innovation_cases", 6.0), ("scenarios", 4.0)]
    entry = next(x for x in form.subjects if x.unit_id == city).values["innovation_cases"]
    assert (entry.value, entry.entered_by, entry.why) == (6.0, "bob", "复评：三个案例")
    assert [(h.value, h.entered_by) for h in history] == [(6.0, "bob"), (4.0, "alice")]
    assert _indicator(url, run_id, "service_capability", "innovation_cases", city).score == 6.0


@pytest.mark.parametrize("kwargs, message", [
    (dict(indicator="nonsense", value=1, why="x"), "'nonsense' is no manual indicator of service_capability "
                                                   "(have: innovation_cases, scenarios)"),
    (dict(indicator="innovation_cases", value=7, why="x"), "innovation_cases score 7 outside 0..6"),
    (dict(indicator="innovation_cases", value=-1, why="x"), "innovation_cases score -1 outside 0..6"),
    (dict(indicator="innovation_cases", value=2, why="  "), "say why (the basis of the value)"),
])
def test_bad_manual_values_are_refused_with_one_line(world, kwargs, message):
    url, info = world
    with session_scope(url) as s, pytest.raises(UserError) as exc:
        manual_values.set_value(s, "service_capability", by="alice", unit_id=info["units"][0], **kwargs)
    assert str(exc.value) == message
    with session_scope(url) as s:
        assert s.scalars(select(m.ManualEntry)).all() == []


def test_manual_value_needs_the_framework_scope(world):
    url, info = world
    with session_scope(url) as s, pytest.raises(UserError) as exc:
        manual_values.set_value(s, "service_capability", "scenarios", 1, "alice", "x", site_id=info["sites"][0])
    assert str(exc.value) == "service_capability scores units: give an existing unit"
    with session_scope(url) as s, pytest.raises(UserError) as exc:
        manual_values.set_value(s, "no_such", "scenarios", 1, "alice", "x", unit_id=info["units"][0])
    assert str(exc.value).startswith("no framework 'no_such' (have: ")


def test_csv_values_are_stored_once_and_kept_for_later_scoring(world, tmp_path):
    url, info = world
    run_id, city = info["run_id"], info["units"][0]
    csv = tmp_path / "manual.csv"
    csv.write_text("unit,site,indicator,score,note\n甲市人民政府,,scenarios,3,专家评议\n"
                   ",丙县政府门户,veto.wording_errors,0,人工复核：引用原文，非错误\n", encoding="utf-8")
    for _ in range(2):       # scored twice with the same file: stored once
        with session_scope(url) as s:
            score_run(s, run_id, manual_path=str(csv))
    with session_scope(url) as s:
        entries = [(e.framework, e.unit_id, e.indicator, e.value, e.entered_by, e.why)
                   for e in s.scalars(select(m.ManualEntry))]
        decisions = [(d.run_id, d.framework, d.site_id, d.veto, d.decision, d.decided_by)
                     for d in s.scalars(select(m.VetoDecision))]
    assert entries == [("service_capability", city, "scenarios", 3.0, "csv:manual.csv", "专家评议")]
    assert decisions == [(run_id, "inspection", info["sites"][3], "wording_errors", "reject", "csv:manual.csv")]
    with session_scope(url) as s:      # scoring again without the file keeps them
        score_run(s, run_id)
    assert _indicator(url, run_id, "service_capability", "scenarios", city).score == 3.0
    veto = _total(url, run_id, "inspection", "丙县政府门户").details["vetoes"]
    assert {v["id"]: v["state"] for v in veto}["wording_errors"] == "rejected"


def test_candidate_veto_confirmed_with_a_note(world):
    url, info = world
    run_id, county = info["run_id"], info["sites"][3]
    with session_scope(url) as s:
        score_run(s, run_id, ["inspection"])
    with session_scope(url) as s:
        found = manual_values.veto_candidates(s, run_id)
    assert [(c.framework, c.veto, c.subject, c.site_id, c.state, c.decision) for c in found] == [
        ("inspection", "wording_errors", "丙县政府门户", county, "pending_review", None)]
    with session_scope(url) as s, pytest.raises(UserError) as exc:
        manual_values.decide_veto(s, run_id, "inspection", "wording_errors", "confirm", " ", "carol", site_id=county)
    assert str(exc.value) == "say why (a note for the decision)"
    with session_scope(url) as s, pytest.raises(UserError) as exc:
        manual_values.decide_veto(s, run_id, "inspection", "homepage_stale", "confirm", "x", "carol", site_id=county)
    assert str(exc.value) == "'homepage_stale' is no candidate veto of inspection"
    with session_scope(url) as s:
        manual_values.decide_veto(s, run_id, "inspection", "wording_errors", "confirm", "“扫黑险恶”属严重表述错误",
                                  "carol", site_id=county)
        manual_values.rescore(s, run_id, "inspection")
    total = _total(url, run_id, "inspection", "丙县政府门户")
    assert (total.score, total.tier) == (None, "不合格")
    with session_scope(url) as s:
        (c,) = manual_values.veto_candidates(s, run_id)
    assert (c.state, c.decision.decision, c.decision.decided_by, c.decision.note) == (
        "veto", "confirm", "carol", "“扫黑险恶”属严重表述错误")


# -- disputes ------------------------------------------------------------
def _finding(url, site_id, check_id):
    with session_scope(url) as s:
        return s.scalar(select(m.Finding).where(m.Finding.site_id == site_id, m.Finding.check_id == check_id))


def test_dispute_thread_decision_and_history(world):
    url, info = world
    city_portal = info["sites"][0]
    dead = _finding(url, city_portal, "links.dead_homepage")
    with session_scope(url) as s:
        d = disputes.open_dispute(s, dead.id, "rectified", "三个链接已修复", "unit-jia")
        disputes.comment(s, d.id, "请复核", "eve")
        dispute_id = d.id
    for args, message in [((dead.id, "rectified", "again", "unit-jia"), f"finding {dead.id} already has an open dispute"),
                          ((dead.id, "sorry", "x", "unit-jia"), "reason must be rectified (已整改) or misjudged "
                                                                "(误判), not 'sorry'"),
                          ((_finding(url, city_portal, "avail.homepage").id, "misjudged", "x", "unit-jia"),
                           f"finding {_finding(url, city_portal, 'avail.homepage').id} is pass: only a fail or "
                           f"warn finding can be disputed"),
                          ((99999, "misjudged", "x", "unit-jia"), "no finding 99999")]:
        with session_scope(url) as s, pytest.raises(UserError) as exc:
            disputes.open_dispute(s, *args)
        assert str(exc.value) == message
    with session_scope(url) as s, pytest.raises(UserError) as exc:
        disputes.decide(s, dispute_id, "upheld", "", "audra")
    assert str(exc.value) == "say why (the decision's reasons)"
    # a rerun's finding supersedes the disputed one: the thread shows in the new finding's history too
    with session_scope(url) as s:
        rerun = m.Run(kind="check", status="finished")
        s.add(rerun)
        s.flush()
        newer = add_finding(s, rerun.id, city_portal, "links.dead_homepage", "pass", 0, supersedes=dead.id)
        disputes.decide(s, dispute_id, "upheld", "复核通过，链接可访问", "audra")
        newer_id = newer.id
    with session_scope(url) as s, pytest.raises(UserError) as exc:
        disputes.decide(s, dispute_id, "rejected", "x", "audra")
    assert str(exc.value) == f"dispute {dispute_id} is decided already"
    with session_scope(url) as s:
        history = disputes.finding_disputes(s, newer_id)
        assert [(d.status, d.decided_by, [(e.kind, e.author, e.text) for e in events]) for d, events in history] == [
            ("upheld", "audra", [("opened", "unit-jia", "已整改：三个链接已修复"), ("comment", "eve", "请复核"),
                                 ("decided", "audra", "异议成立：复核通过，链接可访问")])]
        assert [d.id for d in disputes.list_disputes(s, unit_id=info["units"][0])] == [dispute_id]
        assert disputes.list_disputes(s, unit_id=info["units"][1]) == []
        assert disputes.list_disputes(s, status="open") == []


# -- alerts --------------------------------------------------------------
class Recorder:
    """A real HTTP server recording every POST body; answers `fail_first` times with 500 first."""

    def __init__(self, fail_first: int = 0, answer: bytes = b'{"errcode":0,"errmsg":"ok"}'):
        self.bodies: list[dict] = []
        self.left_to_fail = fail_first
        recorder = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                recorder.bodies.append(body)
                if recorder.left_to_fail > 0:
                    recorder.left_to_fail -= 1
                    self.send_response(500)
                    self.end_headers()
                    return
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture()
def quick_retries(monkeypatch):
    monkeypatch.setattr(alerts, "BACKOFF", 0.01)


def _deliveries(url):
    with session_scope(url) as s:
        return [(d.webhook_id, d.event, d.status, d.attempts, d.last_error)
                for d in s.scalars(select(m.Delivery).order_by(m.Delivery.id))]


def test_round_finished_and_veto_candidate_in_three_formats(world, quick_retries):
    url, info = world
    run_id = info["run_id"]
    with session_scope(url) as s:
        score_run(s, run_id, ["inspection"])
        s.get(m.Run, run_id).finished_at = datetime(2026, 12, 6, 2, 0, tzinfo=timezone.utc)
    plain, ding, wecom = Recorder(), Recorder(), Recorder()
    try:
        with session_scope(url) as s:
            alerts.add_webhook(s, "pipeline", plain.url, "plain", ["round_finished", "veto_candidate"])
            alerts.add_webhook(s, "钉钉群", ding.url, "dingtalk", ["veto_candidate"])
            alerts.add_webhook(s, "企业微信群", wecom.url, "wecom", ["round_finished"])
        alerts.round_finished(run_id, url, wait=True)
        alerts.round_finished(run_id, url, wait=True)         # told twice: posted once
    finally:
        for r in (plain, ding, wecom):
            r.close()
    assert sorted(plain.bodies, key=lambda b: b["event"]) == [
        {"event": "round_finished", "run_id": run_id, "status": "finished", "sites": 5, "at": "2026-12-06 02:00:00 UTC"},
        {"event": "veto_candidate", "run_id": run_id, "framework": "inspection", "subject": "丙县政府门户",
         "veto": "严重表述错误（候选，需人工确认）", "veto_id": "wording_errors"}]
    assert ding.bodies == [{"msgtype": "markdown", "markdown": {
        "title": "疑似否决项待复核：丙县政府门户",
        "text": f"**疑似否决项待复核：丙县政府门户**\n\n- 框架：inspection\n- 否决项：严重表述错误（候选，需人工确认）\n- 轮次：第 {run_id} 轮"}}]
    assert wecom.bodies == [{"msgtype": "markdown", "markdown": {
        "content": f"**第 {run_id} 轮检查完成**\n\n- 网站：5 个\n- 状态：finished\n- 完成时间：2026-12-06 02:00:00 UTC"}}]
    assert sorted(_deliveries(url)) == [(1, "round_finished", "delivered", 1, None),
                                        (1, "veto_candidate", "delivered", 1, None),
                                        (2, "veto_candidate", "delivered", 1, None),
                                        (3, "round_finished", "delivered", 1, None)]


def test_failed_posts_are_retried_then_logged(world, quick_retries):
    url, info = world
    flaky, down, refusing = Recorder(fail_first=2), Recorder(fail_first=99), \
        Recorder(answer=b'{"errcode":310000,"errmsg":"keywords not in content"}')
    try:
        with session_scope(url) as s:
            for name, r in (("flaky", flaky), ("down", down), ("robot", refusing)):
                alerts.add_webhook(s, name, r.url, "plain" if name != "robot" else "dingtalk", ["round_finished"])
        alerts.round_finished(info["run_id"], url, wait=True)
    finally:
        for r in (flaky, down, refusing):
            r.close()
    assert len(flaky.bodies) == 3 and len(down.bodies) == alerts.MAX_ATTEMPTS
    assert _deliveries(url) == [(1, "round_finished", "delivered", 3, None),
                                (2, "round_finished", "failed", alerts.MAX_ATTEMPTS, "HTTP 500"),
                                (3, "round_finished", "failed", alerts.MAX_ATTEMPTS,
                                 "errcode 310000: keywords not in content")]


def test_an_unreachable_webhook_never_fails_the_caller(world, quick_retries):
    url, info = world
    with session_scope(url) as s:
        alerts.add_webhook(s, "nowhere", "http://127.0.0.1:9/hook", "plain", ["round_finished"])
        alerts.add_webhook(s, "off", "http://127.0.0.1:9/off", "plain", ["round_finished"])
        alerts.update_webhook(s, 2, enabled=False)
    alerts.round_finished(info["run_id"], url, wait=True)
    (row,) = _deliveries(url)
    assert row[:4] == (1, "round_finished", "failed", alerts.MAX_ATTEMPTS) and row[4]
    assert alerts.emit("round_finished", "k", {}, "sqlite:////nonexistent/dir/x.db") is None


@pytest.mark.parametrize("kwargs, message", [
    (dict(url="ftp://x/", format="plain", events=["round_finished"]),
     "webhook URL must start with http:// or https://, not 'ftp://x/'"),
    (dict(url="http://x/", format="slack", events=["round_finished"]),
     "format must be plain, dingtalk or wecom, not 'slack'"),
    (dict(url="http://x/", format="plain", events=["lunch"]),
     "events must be some of homepage_down, veto_candidate, round_finished (not 'lunch')"),
])
def test_bad_webhooks_are_refused(world, kwargs, message):
    url, _ = world
    with session_scope(url) as s, pytest.raises(UserError) as exc:
        alerts.add_webhook(s, "x", **kwargs)
    assert str(exc.value) == message


def test_homepage_down_once_per_outage(world, quick_retries):
    from crawler.monitor import Sample
    url, info = world
    site = info["sites"][0]
    t0 = datetime(2026, 12, 6, 1, 0, tzinfo=timezone.utc)
    hook = Recorder()
    try:
        with session_scope(url) as s:
            alerts.add_webhook(s, "ops", hook.url, "plain", ["homepage_down"])
            s.add(m.Sample(site_id=site, taken_at=t0, ok=True, status=200, elapsed_ms=5))
        watch = alerts.OutageWatch(url, {site: ("甲市政府门户", "http://a.example/")})
        threads = []
        for n, ok in enumerate([False, False, True, False], start=1):
            threads += watch.told([Sample(site, t0 + timedelta(minutes=n), ok, None if not ok else 200, 5,
                                          None if ok else "timeout")])
        for t in threads:
            t.join()
    finally:
        hook.close()
    assert sorted(hook.bodies, key=lambda b: b["at"]) == [
        {"event": "homepage_down", "site_id": site, "site": "甲市政府门户", "url": "http://a.example/",
         "error": "timeout", "at": "2026-12-06 01:01:00 UTC"},
        {"event": "homepage_down", "site_id": site, "site": "甲市政府门户", "url": "http://a.example/",
         "error": "timeout", "at": "2026-12-06 01:04:00 UTC"}]


@pytest.fixture()
def own_pg():
    """A PostgreSQL database of this test's own (the seed's names are unique per database)."""
    from tests.conftest import fresh_pg_database
    with fresh_pg_database("govaudit_flows") as url:
        yield url


@pytest.mark.postgres
def test_flows_on_postgresql(own_pg, quick_retries):
    info = seed(own_pg)
    run_id, city = info["run_id"], info["units"][0]
    dead = _finding(own_pg, info["sites"][0], "links.dead_homepage")
    hook = Recorder(fail_first=1)
    try:
        with session_scope(own_pg) as s:
            manual_values.set_value(s, "service_capability", "scenarios", 2.5, "alice", "专家评议", unit_id=city)
            manual_values.rescore(s, run_id, "service_capability")
            d = disputes.open_dispute(s, dead.id, "rectified", "已修复", "unit-jia")
            disputes.decide(s, d.id, "rejected", "复核仍不可访问", "audra")
            alerts.add_webhook(s, "pipeline", hook.url, "plain", ["round_finished"])
        alerts.round_finished(run_id, own_pg, wait=True)
        with session_scope(own_pg) as s:
            (history,) = disputes.finding_disputes(s, dead.id)
            assert [e.kind for e in history[1]] == ["opened", "decided"] and history[0].status == "rejected"
    finally:
        hook.close()
    assert _indicator(own_pg, run_id, "service_capability", "scenarios", city).score == 2.5
    assert [b["event"] for b in hook.bodies] == ["round_finished", "round_finished"]
    assert _deliveries(own_pg) == [(1, "round_finished", "delivered", 2, None)]


def test_a_round_and_the_monitor_post_their_alerts(tmp_path):
    """`govaudit run` posts round_finished when the round is scored; `govaudit monitor` posts
    homepage_down for a homepage that does not answer (real processes, a real receiving server)."""
    from tests.helpers import cli, served
    from tests.govaudit.test_refusals import HOME
    hook = Recorder()
    db_url = f"sqlite:///{tmp_path / 'govaudit.db'}"
    try:
        with served(tmp_path, {"up": {}}, {"up": {"index.html": HOME}}) as farm:
            allow = ["--allow-host", farm.allow_hosts()[0]]
            (tmp_path / "sites.csv").write_text(f"name,url,kind\n某某市人民政府,{farm.sites[0].url},portal\n",
                                                encoding="utf-8")
            assert cli("sites", "import", "sites.csv", cwd=tmp_path).returncode == 0
            with session_scope(db_url) as s:
                alerts.add_webhook(s, "ops", hook.url, "plain", ["round_finished", "homepage_down"])
            res = cli(*allow, "run", "--only", "avail.homepage", cwd=tmp_path)
            assert res.returncode == 0, res.stderr[-2000:]
        res = cli(*allow, "monitor", "--rounds", "1", "--timeout", "2", cwd=tmp_path)      # the farm has stopped
        assert res.returncode == 0, res.stderr[-2000:]
    finally:
        hook.close()
    assert [(b["event"], b.get("run_id"), b.get("status"), b.get("sites")) for b in hook.bodies[:1]] == [
        ("round_finished", 1, "finished", 1)]
    assert [(b["event"], b["site"], b["url"], b["error"]) for b in hook.bodies[1:]] == [
        ("homepage_down", "某某市人民政府", farm.sites[0].url, "connection")]
    assert [row[1:3] for row in _deliveries(db_url)] == [("round_finished", "delivered"),
                                                         ("homepage_down", "delivered")]
