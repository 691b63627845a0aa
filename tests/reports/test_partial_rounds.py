"""A round run with --only is partial: its scores are marked so, and a later round's report
never compares against it (上轮 comes from the newest earlier full round)."""
from __future__ import annotations

from sqlalchemy import select

from reports.report_data import framework_sections
from reports.store import score_run
from storage.db import session_scope
from storage.models import Run, Score
from tests.reports.test_report import _rerun, world  # noqa: F401  (the fixture)


def test_partial_round_is_never_the_baseline(world):  # noqa: F811
    url, info = world
    with session_scope(url) as s:
        score_run(s, info["run_id"], ["inspection"])
    # round 2 measured one check of 甲 (its dead links fixed): a partial round
    partial = _rerun(url, info, [0], {(0, "links.dead_homepage"): ("pass", 0)})
    with session_scope(url) as s:
        s.get(Run, partial).options = {"only": ["links.dead_homepage"]}
    with session_scope(url) as s:
        score_run(s, partial, ["inspection"])
    third = _rerun(url, info, [0], {})
    with session_scope(url) as s:
        marks = {run: sorted(set(s.scalars(select(Score.partial).where(Score.run_id == run))))
                 for run in (info["run_id"], partial, third)}
        partial_total = next(x for x in framework_sections(s, partial) if x.name == "inspection").rows[0].total
        section = next(x for x in framework_sections(s, third) if x.name == "inspection")
        rows = {r.name: (r.prev_total, r.total) for r in section.rows}
    assert marks == {info["run_id"]: [False], partial: [True], third: [False]}
    assert section.prev_runs == [info["run_id"]]
    assert partial_total == 100.0
    assert rows["甲市政府门户"] == (97.0, 97.0)      # round 1, not the partial round's 100
