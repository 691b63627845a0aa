"""A failed rerun does not bury a measurement: `govaudit check` ending in `error` is stored
and shown, the earlier pass/fail stays the latest finding unless --accept-error."""
from __future__ import annotations

import sqlite3

from tests.helpers import cli, served
from tests.govaudit.test_refusals import HOME


def cells(stdout: str, check_id: str) -> list[list[str]]:
    rows = [line.split("│")[1:-1] for line in stdout.splitlines() if check_id in line]
    return [[c.strip() for c in row] for row in rows]


def test_error_rerun_kept_in_history_until_accepted(tmp_path):
    with served(tmp_path, {"up": {}}, {"up": {"index.html": HOME, "a.html": HOME}}) as farm:
        allow = ["--allow-host", farm.allow_hosts()[0]]
        (tmp_path / "sites.csv").write_text(f"name,url,kind\n某某市人民政府,{farm.sites[0].url},portal\n",
                                            encoding="utf-8")
        assert cli("sites", "import", "sites.csv", cwd=tmp_path).returncode == 0
        assert cli(*allow, "run", "--only", "avail.homepage", cwd=tmp_path).returncode == 0
        # the same check from a machine that may not reach the site (here: without --allow-host)
        res = cli("check", "1", "avail.homepage", cwd=tmp_path)
        assert res.returncode == 0, res.stderr[-2000:]
        assert res.stderr.splitlines()[-1] == ("finding 2 (error) is kept in the history; finding 1 (pass) stays the "
                                               "latest: rerun with --accept-error to replace it")
        latest = cells(cli("findings", "1", cwd=tmp_path).stdout, "avail.homepage")
        assert [c[:5] + c[6:] for c in latest] == [["1", "1", "avail.homepage", "pass", "1", "", "yes"]]
        assert view(tmp_path) == [(1, "pass")]
        res = cli("check", "1", "avail.homepage", "--accept-error", cwd=tmp_path)
        assert res.returncode == 0, res.stderr[-2000:]
    history = cells(cli("findings", "1", "--history", cwd=tmp_path).stdout, "avail.homepage")
    assert [c[:5] + c[6:] for c in history] == [["1", "1", "avail.homepage", "pass", "1", "", "yes"],
                                                ["2", "2", "avail.homepage", "error", "None", "", "no"],
                                                ["3", "3", "avail.homepage", "error", "None", "1", "yes"]]
    latest = cells(cli("findings", "1", cwd=tmp_path).stdout, "avail.homepage")
    assert [c[:5] for c in latest] == [["3", "3", "avail.homepage", "error", "None"]]
    assert view(tmp_path) == [(3, "error")]


def view(work) -> list[tuple]:
    """The public read view agrees with `govaudit findings`."""
    with sqlite3.connect(work / "govaudit.db") as conn:
        return conn.execute("select id, status from latest_findings where check_id = 'avail.homepage'").fetchall()
