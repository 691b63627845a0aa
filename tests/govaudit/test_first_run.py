"""A new user's first hour: every command from a folder outside the repository, with
only the defaults (no GOVAUDIT_* variables, no govaudit.toml), lands in that folder."""
from __future__ import annotations

import csv
import json
from pathlib import Path

from govaudit.demo.server import DemoFarm, load_sites
from tests.helpers import cli

ROOT = Path(__file__).resolve().parents[2]


def test_every_command_from_a_folder_outside_the_repository(tmp_path):
    work = tmp_path / "audit"
    work.mkdir()
    assert ROOT not in work.parents
    # What a person reads on 某某县人民政府 (demo site portal-county): the homepage answers,
    # the links of its homepage work (one goes to 某某市人民政府, served beside it), and one
    # article links to a page that answers 404.
    served = [s for s in load_sites() if s.slug in ("portal-county", "portal-city")]
    with DemoFarm(served) as farm:
        site = farm.by_slug["portal-county"]
        allow = [a for h in farm.allow_hosts() for a in ("--allow-host", h)]
        (work / "sites.csv").write_text(f"name,url,kind\n{site.name},{site.url},portal\n", encoding="utf-8")
        res = cli(*allow, "sites", "import", "sites.csv", cwd=work)
        assert res.returncode == 0, res.stderr
        res = cli(*allow, "run", "--only", "avail.*", "--only", "links.*", cwd=work)
        assert res.returncode == 0, res.stderr[-2000:]
        res = cli(*allow, "check", "1", "links.dead_site", cwd=work)
        assert res.returncode == 0, res.stderr[-2000:]
    # the crawl landed in the user's database and data folder, nowhere else
    assert (work / "govaudit.db").is_file()
    log = (work / "govaudit-data" / "runs" / "1" / "crawl.log").read_text(encoding="utf-8")
    assert "Warning" not in log, log[:2000]      # a normal crawl warns of nothing (spider names, deprecations)
    res = cli("export", "findings", "--format", "jsonl", "--out", "out/findings.jsonl", cwd=work)
    assert res.returncode == 0, res.stderr
    rows = [json.loads(line) for line in (work / "out" / "findings.jsonl").read_text(encoding="utf-8").splitlines()]
    got = {r["check_id"]: (r["status"], r["value"]) for r in rows if r["run_id"] == 1}
    assert {k: got[k] for k in ("avail.homepage", "links.dead_homepage", "links.dead_site")} == {
        "avail.homepage": ("pass", 1), "links.dead_homepage": ("pass", 0), "links.dead_site": ("fail", 1)}
    res = cli("findings", "1", "--check", "links.dead_site", "--history", cwd=work)
    assert res.returncode == 0, res.stderr
    cells = [[c.strip() for c in line.split("│")[1:-1]] for line in res.stdout.splitlines() if "links.dead_site" in line]
    assert [c[1:5] for c in cells] == [["1", "links.dead_site", "fail", "1"], ["2", "links.dead_site", "fail", "1"]]
    res = cli("export", "sites", "--format", "csv", "--out", "out/sites.csv", cwd=work)
    assert res.returncode == 0, res.stderr
    with (work / "out" / "sites.csv").open(encoding="utf-8-sig") as fh:
        assert [r["url"] for r in csv.DictReader(fh)] == [site.url]
    res = cli("report", "--run", "1", "--out", "report", cwd=work)
    assert res.returncode == 0, res.stderr[-2000:]
    assert (work / "report" / "index.html").is_file()
