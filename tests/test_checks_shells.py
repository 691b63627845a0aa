"""Columns built by script (shells), judged on what the shells probe stored: never blank on the
static page alone, unknown (error) when not rendered or when rendering failed."""
from __future__ import annotations

from checks.artifacts import ColumnArt
from checks.catalog import all_checks
from tests.test_checks_portal import BASE, run, site

STATIC = ColumnArt(BASE + "/gzdt/", "工作动态", "dynamic", "2026-11-20", 20, details={"sample": []})
SHELL = ColumnArt(BASE + "/tzgg/", "通知公告", "notice", None, 0, details={"shell": "fetch"})


def shells_probe(**page) -> dict:
    return {"limit": 5, "pages": {SHELL.url: page}, "over_limit": []}


def with_shell(probe: dict | None):
    return site(columns=[STATIC, SHELL], probes={"shells": probe} if probe is not None else {})


def test_a_shell_not_rendered_is_unknown():
    assert run("update.blank_columns", with_shell(None)) == ("error", None)
    assert run("update.stale_columns", with_shell(None)) == ("error", None)


def test_a_failed_render_is_unknown_with_its_kind():
    a = with_shell(shells_probe(error="Timeout 15000ms exceeded", error_kind="timeout"))
    f = all_checks()["update.blank_columns"].evaluate(a, {})
    assert (f.status, f.details["error_kind"], f.details["unknown"][0]["reason"]) == \
        ("error", "timeout", "rendering failed: Timeout 15000ms exceeded")


def test_a_failed_probe_leaves_every_shell_unknown():
    a = with_shell({"error": "no usable Chromium", "_error_kind": "internal"})
    assert run("update.blank_columns", a) == ("error", None)


def test_a_rendered_placeholder_is_blank_and_rendered_entries_are_read():
    blank = with_shell(shells_probe(rendered={"items": 0, "dated": 0, "placeholder": "暂无信息"}, api=None,
                                    failed_requests=[]))
    assert run("update.blank_columns", blank) == ("fail", 1)
    read = with_shell(shells_probe(rendered={"items": 3, "dated": 3, "newest": "2026-11-12", "stated_total": None},
                                   api=None, failed_requests=[]))
    assert run("update.blank_columns", read) == ("pass", 0)
    assert run("update.stale_columns", read) == ("pass", 0)


def test_undated_rendered_entries_are_not_blank():
    a = with_shell(shells_probe(rendered={"items": 0, "dated": 0, "placeholder": None, "empty_list": False,
                                          "shell": None}, api=None, failed_requests=[]))
    assert run("update.blank_columns", a) == ("pass", 0)


def test_a_blank_static_column_fails_even_when_a_shell_is_unknown():
    blank_static = ColumnArt(BASE + "/rsrm/", "人事任免", "personnel", None, 0, blank=True, details={"placeholder": "暂无"})
    a = site(columns=[blank_static, SHELL])
    f = all_checks()["update.blank_columns"].evaluate(a, {})
    assert (f.status, f.value, [u["name"] for u in f.details["unknown"]]) == ("fail", 1, ["通知公告"])
