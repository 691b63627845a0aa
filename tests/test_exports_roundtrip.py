"""`export sites` reads back unchanged with `sites import`; CSV files open right in Excel on a
Chinese Windows (UTF-8 with a BOM) and their headers are unique."""
from __future__ import annotations

import csv
import json

from tests.helpers import in_process as cli     # many quick commands: in this process
from tests.scoring_seed import seed

REGISTRY = """sites:
  - {name: 某某市人民政府, url: 'https://www.example.gov.cn/', kind: portal, level: city, group: 地级市,
     region: '330100', hints: {max_pages: 50, obey_robots: false, messages_url: ['https://www.example.gov.cn/ly/']}}
  - {name: 某某市数据开放平台, url: 'https://data.example.gov.cn/', kind: open_data, unit: 某某市人民政府}
  - {name: '某某县 "政民互动", 平台', url: 'http://hd.county.gov.cn/list?page=1', kind: hotline, unit: 某某县人民政府,
     level: county, hints: {message_item: 'ul.list > li', allowed_domains: [a.gov.cn]}}
"""


def test_export_sites_round_trip(tmp_path):
    first, second, third = (tmp_path / n for n in ("a", "b", "c"))
    for d in (first, second, third):
        d.mkdir()
    (first / "sites.yaml").write_text(REGISTRY, encoding="utf-8")
    assert cli("sites", "import", "sites.yaml", cwd=first).returncode == 0
    for fmt in ("csv", "jsonl"):
        res = cli("export", "sites", "--format", fmt, "--out", f"sites.{fmt}", cwd=first)
        assert res.returncode == 0, res.stderr
    original = (first / "sites.jsonl").read_text(encoding="utf-8")
    # into the same database: nothing changes; into a new one: the same registry
    res = cli("sites", "import", "sites.csv", cwd=first)
    assert res.stdout.strip() == "imported sites.csv: 0 added, 3 updated"
    for work, fmt in ((first, "jsonl"), (second, "csv"), (third, "jsonl")):
        if work is not first:
            (work / f"sites.{fmt}").write_bytes((first / f"sites.{fmt}").read_bytes())
            assert cli("sites", "import", f"sites.{fmt}", cwd=work).returncode == 0
        res = cli("export", "sites", cwd=work)
        assert res.stdout == original
    assert [json.loads(line)["hints"] for line in original.splitlines()] == [
        {"max_pages": 50, "obey_robots": False, "messages_url": ["https://www.example.gov.cn/ly/"]}, {},
        {"message_item": "ul.list > li", "allowed_domains": ["a.gov.cn"]}]


def test_csv_files_carry_a_bom_and_unique_headers(tmp_path):
    url = f"sqlite:///{tmp_path / 'govaudit.db'}"
    info = seed(url)
    from reports.store import score_run
    from storage.db import session_scope
    with session_scope(url) as s:
        score_run(s, info["run_id"], ["inspection"])
    for kind in ("findings", "scores", "sites"):
        res = cli("export", kind, "--format", "csv", "--out", f"{kind}.csv", cwd=tmp_path)
        assert res.returncode == 0, res.stderr
        raw = (tmp_path / f"{kind}.csv").read_bytes()
        assert raw.startswith(b"\xef\xbb\xbf"), kind
        with (tmp_path / f"{kind}.csv").open(encoding="utf-8-sig", newline="") as fh:
            header = next(csv.reader(fh))
        assert len(header) == len(set(header)), header
    # on standard output (a pipe) no BOM: the bytes are for a program, not for Excel
    assert not cli("export", "sites", "--format", "csv", cwd=tmp_path).stdout.startswith("\ufeff")


def test_findings_export_carries_the_advice_of_each_problem(tmp_path):
    """整改建议 beside each fail and warn (what to change and the rule it comes from), as in the workbook;
    a pass or an error has none."""
    info = seed(f"sqlite:///{tmp_path / 'govaudit.db'}")
    res = cli("export", "findings", "--format", "csv", "--out", "findings.csv", cwd=tmp_path)
    assert res.returncode == 0, res.stderr
    with (tmp_path / "findings.csv").open(encoding="utf-8-sig", newline="") as fh:
        rows = {(int(r["site_id"]), r["check_id"]): r for r in csv.DictReader(fh)}
    first, county, hotline = info["sites"][0], info["sites"][3], info["sites"][4]
    dead = rows[(first, "links.dead_homepage")]
    assert (dead["status"], dead["advice"], dead["advice_basis"]) == (
        "fail", "逐条修复或删除首页上的错误链接（见下表的目标地址与原因）。",
        "国办《政府网站与政务新媒体检查指标》（国办秘函〔2019〕19号）：首页链接可用性")
    reply = rows[(hotline, "hotline.reply_rate")]
    assert (reply["status"], reply["advice"], reply["advice_basis"]) == (
        "warn", "对公开的群众留言逐条答复，提高答复率。", "中国软件评测中心《数字政府服务能力评估》：咨询答复")
    assert [(rows[k]["status"], rows[k]["advice"], rows[k]["advice_basis"])
            for k in ((first, "avail.homepage"), (county, "search.present"))] == [("pass", "", ""), ("error", "", "")]
    res = cli("export", "findings", cwd=tmp_path)
    lines = {(r["site_id"], r["check_id"]): r for r in map(json.loads, res.stdout.splitlines())}
    assert len(lines) == len(rows)
    assert (lines[(county, "search.present")]["advice"], lines[(county, "search.present")]["advice_basis"]) == (
        None, None)
    assert lines[(first, "links.dead_homepage")]["advice"] == dead["advice"]
