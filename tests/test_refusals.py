"""The scanner's own refusals are not the site's failure: a target refused by the network
policy, or a homepage robots.txt forbids, is `error`/`blocked` with `details.cause`, in a
round and in `govaudit check`, and the summary says in one line how to lift it."""
from __future__ import annotations

import json

from tests.helpers import cli, served

HOME = ("<html><head><title>某某市人民政府</title></head><body><h1>某某市人民政府</h1>"
        "<a href='/a.html'>通知公告</a><p>网站标识码 3301000001</p></body></html>")


def findings(work) -> dict:
    rows = []
    for run in ("1", "2"):
        res = cli("export", "findings", "--run", run, "--out", "f.jsonl", cwd=work)
        assert res.returncode == 0, res.stderr
        rows += [json.loads(line) for line in (work / "f.jsonl").read_text(encoding="utf-8").splitlines()]
    return {(r["run_id"], r["check_id"]): (r["status"], r["details"].get("error_kind"), r["details"].get("cause"))
            for r in rows}


def test_private_target_without_allow_private_is_blocked_by_policy(tmp_path):
    # A person opening the page sees a working homepage: the site is up.
    with served(tmp_path, {"up": {}}, {"up": {"index.html": HOME, "a.html": HOME}}) as farm:
        url = farm.sites[0].url
        (tmp_path / "sites.csv").write_text(f"name,url,kind\n某某市人民政府,{url},portal\n", encoding="utf-8")
        assert cli("sites", "import", "sites.csv", cwd=tmp_path).returncode == 0
        res = cli("run", "--only", "avail.homepage", "--only", "links.*", "--only", "identity.site_code", cwd=tmp_path)
        assert res.returncode == 0, res.stderr[-2000:]
        assert ("1 site(s) (1) refused by the network policy (private or loopback address); lift with "
                "--allow-private or --allow-host HOST[:PORT]") in res.stderr.splitlines()
        res = cli("check", "1", "identity.site_code", cwd=tmp_path)
        assert res.returncode == 0, res.stderr[-2000:]
        assert res.stderr.splitlines()[-1] == ("site 1: refused by the network policy (private or loopback address); "
                                               "lift with --allow-private or --allow-host HOST[:PORT]")
    got = findings(tmp_path)
    blocked = ("error", "blocked", "refused_by_policy")
    assert got == {(1, "avail.homepage"): blocked, (1, "links.dead_homepage"): blocked,
                   (1, "links.dead_site"): blocked, (1, "links.attachments"): blocked,
                   (1, "identity.site_code"): blocked, (2, "identity.site_code"): blocked}


def test_robots_txt_that_forbids_everything_is_blocked_not_down(tmp_path):
    robots = "User-agent: *\nDisallow: /\n"
    with served(tmp_path, {"up": {}}, {"up": {"index.html": HOME, "a.html": HOME, "robots.txt": robots}}) as farm:
        url = farm.sites[0].url
        allow = ["--allow-host", farm.allow_hosts()[0]]
        (tmp_path / "sites.csv").write_text(f"name,url,kind\n某某市人民政府,{url},portal\n", encoding="utf-8")
        assert cli("sites", "import", "sites.csv", cwd=tmp_path).returncode == 0
        res = cli(*allow, "run", "--only", "avail.homepage", "--only", "identity.site_code", cwd=tmp_path)
        assert res.returncode == 0, res.stderr[-2000:]
        assert ("1 site(s) (1) not fetched because their robots.txt forbids it; lift per site with the registry hint "
                "obey_robots: false, or for every site with GOVAUDIT_OBEY_ROBOTS=0 (evaluators with a mandate; "
                "recorded in the run)") in res.stderr.splitlines()
        # an evaluator with a mandate lifts it for every site: measured, and the run says so
        res = cli(*allow, "run", "--only", "avail.homepage", "--only", "identity.site_code", cwd=tmp_path,
                  env_extra={"GOVAUDIT_OBEY_ROBOTS": "0"})
        assert res.returncode == 0, res.stderr[-2000:]
        assert "robots.txt" not in res.stderr
    got = findings(tmp_path)
    assert got == {(1, "avail.homepage"): ("error", "blocked", "robots_txt"),
                   (1, "identity.site_code"): ("error", "blocked", "robots_txt"),
                   (2, "avail.homepage"): ("pass", None, None), (2, "identity.site_code"): ("pass", None, None)}
    import sqlite3
    with sqlite3.connect(tmp_path / "govaudit.db") as conn:
        options = [json.loads(o) for (o,) in conn.execute("select options from runs order by id")]
    assert [o.get("obey_robots") for o in options] == [None, False]


def test_monitor_samples_the_policy_refused_are_not_downtime():
    from checks.artifacts import SampleArt
    from checks.catalog import all_checks
    from tests.test_checks_portal import site

    def samples(n, refused):
        return [SampleArt(f"2026-11-20T00:{i:02d}:00+00:00", i >= refused, 200 if i >= refused else None, 10,
                          None if i >= refused else "refused") for i in range(n)]
    chk = all_checks()["avail.uptime"]
    every = chk.evaluate(site(samples=samples(30, 30)), dict(chk.thresholds))
    assert (every.status, every.details["error_kind"], every.details["cause"], every.details["refused"]) == (
        "error", "blocked", "refused_by_policy", 30)
    some = chk.evaluate(site(samples=samples(30, 5)), dict(chk.thresholds))      # 25 measured, all answered
    assert (some.status, some.value, some.details["samples"]) == ("pass", 0.0, 25)
