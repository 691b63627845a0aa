"""The round's use cases (govaudit/rounds.py) as the CLI, the demo, the scheduler, the worker and
the console call them: import a registry, choose sites, start a round, run it with progress, score."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest
from sqlalchemy import select

from core.config import load
from core.errors import UserError
from govaudit import rounds
from storage import models as m
from storage.db import session_scope
from tests.helpers import allowed, served
from tests.scoring_seed import seed

ROOT = Path(__file__).resolve().parents[2]
REGISTRY = """name,url,kind,unit,group
甲市政府门户,https://a.example.gov.cn/,portal,甲市人民政府,地级市
乙市政府门户,https://b.example.gov.cn/,portal,乙市人民政府,地级市
丙县政府门户,https://c.example.gov.cn/,portal,丙县人民政府,区县
"""


def test_import_and_resolve_sites(env):
    (env / "sites.csv").write_text(REGISTRY, encoding="utf-8")
    (env / "one.csv").write_text("name,url,kind\n丁镇网站,https://d.example.gov.cn/,portal\n", encoding="utf-8")
    with session_scope() as session:
        first = rounds.import_sites(session, env / "sites.csv")
        assert (list(first), first.added, first.updated, first.encoding) == ([1, 2, 3], 3, 0, "utf-8")
        again = rounds.import_sites(session, env / "sites.csv")
        assert (list(again), again.added, again.updated) == ([1, 2, 3], 0, 3)
        assert rounds.resolve_sites(session, env / "one.csv") == [4]
        assert rounds.resolve_sites(session) == [1, 2, 3, 4]
        assert rounds.resolve_sites(session, refs=["https://c.example.gov.cn", "1", 3]) == [3, 1]
        assert rounds.resolve_sites(session, group="区县") == [3]
        assert rounds.resolve_sites(session, group="nobody") == []
        assert rounds.resolve_sites(session, env / "one.csv", refs=["2"], group="区县") == [4, 2, 3]
        with pytest.raises(UserError, match=r"^no site 'https://e.example.gov.cn/' in the registry"):
            rounds.resolve_sites(session, refs=["https://e.example.gov.cn/"])


def test_a_bad_registry_row_imports_nothing(env):
    (env / "bad.csv").write_text(REGISTRY + "戊,ftp://e.example.gov.cn/,portal,戊,区县\n", encoding="utf-8")
    with session_scope() as session, pytest.raises(UserError) as exc:
        rounds.import_sites(session, env / "bad.csv")
    assert exc.value.problems == [(5, "url must be http or https: 'ftp://e.example.gov.cn/'")]
    with session_scope() as session:
        assert session.scalars(select(m.Site)).all() == []


def test_start_round_refuses_an_unknown_check_before_writing(env):
    (env / "sites.csv").write_text(REGISTRY, encoding="utf-8")
    with session_scope() as session:
        ids = rounds.import_sites(session, env / "sites.csv")
    with session_scope() as session, pytest.raises(UserError, match=r"^unknown check: no check matches 'nosuch\.\*'$"):
        rounds.start_round(session, ids, ["avail.*", "nosuch.*"])
    with session_scope() as session:
        assert session.scalars(select(m.Run)).all() == []
        run = rounds.start_round(session, ids, ["avail.*"], {"via": "test"})
        assert (run.kind, run.status, run.options["only"], run.options["site_ids"], run.options["via"]) == (
            "round", "running", ["avail.*"], [1, 2, 3], "test")
        assert [rs.stage for rs in session.scalars(select(m.RunSite).where(m.RunSite.run_id == run.id))] == \
            ["pending"] * 3


class Recorded:
    """A Progress that remembers what a web page would show: stages, then sites done per stage."""

    def __init__(self):
        self.stages: list[list] = []

    def progress(self) -> rounds.Progress:
        return rounds.Progress(stage=lambda name, total: self.stages.append([name, total, 0]),
                               advance=lambda n: self.stages[-1].__setitem__(2, self.stages[-1][2] + n))


def test_run_round_gathers_checks_and_scores_with_progress(tmp_path, monkeypatch):
    monkeypatch.setenv("GOVAUDIT_DATABASE_URL", f"sqlite:///{tmp_path / 'r.db'}")
    monkeypatch.setenv("GOVAUDIT_DATA_DIR", str(tmp_path / "data"))
    page = "<html><head><meta charset='utf-8'><title>首页</title></head><body><a href='/gone.html'>通知</a></body></html>"
    files = {"one": {"index.html": page}, "two": {"index.html": page.replace("/gone.html", "/")}}
    with served(tmp_path, {"one": {}, "two": {}}, files) as farm:
        registry = farm.write_registry(tmp_path / "sites.yaml")
        with allowed(farm):
            settings = load()
            with session_scope() as session:
                run_id = rounds.start_round(session, rounds.resolve_sites(session, registry),
                                            ["avail.homepage", "links.dead_homepage"]).id
            recorded = Recorded()
            summary = rounds.run_round(settings, run_id, recorded.progress())
    assert recorded.stages == [["gather crawl", 2, 2], ["check", 2, 2], ["score", 1, 1]]
    assert (summary.sites, summary.statuses, summary.site_errors, summary.left_pending) == (
        2, {"pass": 3, "fail": 1}, {}, [])
    from reports.frameworks import load_all
    assert [s.framework.name for s in summary.scored] == sorted(load_all())
    with session_scope() as session:
        assert session.get(m.Run, run_id).status == "finished"
        scored = set(session.scalars(select(m.Score.framework).where(m.Score.run_id == run_id)))
    assert scored == set(load_all())


def test_score_round_uses_the_schedules_framework(db_url, monkeypatch):
    monkeypatch.setenv("GOVAUDIT_DATABASE_URL", db_url)
    info = seed(db_url)
    with session_scope(db_url) as session:
        run = session.get(m.Run, info["run_id"])
        run.options = {"only": [], "framework": "inspection"}
    assert [s.framework.name for s in rounds.score_round(load(), info["run_id"])] == ["inspection"]
    assert [s.framework.name for s in rounds.score(load(), info["run_id"], ["performance"])] == ["performance"]
    with session_scope(db_url) as session:
        assert set(session.scalars(select(m.Score.framework))) == {"inspection", "performance"}
    with pytest.raises(UserError, match="^no run 99$"):
        rounds.score_round(load(), 99)


def _imports(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_the_demo_does_not_import_the_command_line():
    for path in sorted((ROOT / "govaudit" / "demo").glob("*.py")):
        assert not {n for n in _imports(path) if n.startswith(("govaudit.commands", "govaudit.cli"))}, path
