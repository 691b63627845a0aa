"""Frameworks, transforms, vetoes, incomplete/error rules, ranking, 差分."""
from __future__ import annotations

import math
import textwrap

import pytest
import yaml

from reports import frameworks, ranking
from reports.frameworks import FrameworkError, parse
from reports.scoring import Obs, Subject, lognormal, score, transform

KNOWN = {"a.one", "a.two", "a.three", "b.one", "c.one", "update.stale_columns", "w.cand"}


def fw_from(text: str):
    return parse(yaml.safe_load(textwrap.dedent(text)), "test.yaml", KNOWN)


def site(findings: dict, manual=None, kind="portal", sid=1) -> Subject:
    return Subject(f"site:{sid}", f"site {sid}", site_id=sid, kind=kind, sites=[(sid, kind)],
                   findings={sid: {k: Obs(*v) if isinstance(v, tuple) else Obs(v) for k, v in findings.items()}},
                   manual=manual or {})


# ---- transforms ----

def test_binary():
    assert transform("binary", {}, "pass", 1) == 1.0
    assert transform("binary", {}, "fail", 0) == 0.0
    assert transform("binary", {}, "warn", 0) == 0.0
    assert transform("binary", {"warn": 0.5}, "warn", 0) == 0.5


def test_ratio_clamps():
    assert transform("ratio", {}, "warn", 0.75) == 0.75
    assert transform("ratio", {}, "pass", 1.3) == 1.0
    assert transform("ratio", {}, "fail", -0.1) == 0.0


def test_count():
    assert transform("count", {"cap": 10}, "fail", 0) == 1.0
    assert transform("count", {"cap": 10}, "fail", 3) == pytest.approx(0.7)
    assert transform("count", {"cap": 10}, "fail", 10) == 0.0
    assert transform("count", {"cap": 10}, "fail", 25) == 0.0


def test_days():
    p = {"good": 3, "bad": 14}
    assert transform("days", p, "pass", 0) == 1.0
    assert transform("days", p, "pass", 3) == 1.0
    assert transform("days", p, "warn", 8.5) == pytest.approx(0.5)
    assert transform("days", p, "fail", 14) == 0.0
    assert transform("days", p, "fail", 40) == 0.0
    # a failing check without a number (undated homepage) scores 0, a passing one without is unknown
    assert transform("days", p, "fail", None) == 0.0
    assert transform("days", p, "pass", None) is None


def test_lognormal_anchor_points():
    assert lognormal(1.0, 1.0, 3.0) == pytest.approx(0.9)
    assert lognormal(3.0, 1.0, 3.0) == pytest.approx(0.5)
    assert lognormal(0, 1.0, 3.0) == 1.0
    assert lognormal(0.2, 1.0, 3.0) > 0.99
    assert lognormal(30.0, 1.0, 3.0) < 0.01
    # between the anchors the value follows erfc: at sqrt(p10*median) it is erfc(-0.4531)/2
    mid = math.sqrt(3.0)
    assert lognormal(mid, 1.0, 3.0) == pytest.approx(math.erfc(-0.9061938024368232 / 2) / 2)


# ---- weighted scoring ----

WEIGHTED = """
name: t
version: "2"
scale: 100
missing_share: 0.2
tiers: [[good, 80], [fair, 50], [poor, 0]]
root: [x, y]
indicators:
  x: {title: X, weight: 3, children: [x1, x2]}
  x1: {check: a.one}
  x2: {check: a.two, transform: count, cap: 4}
  y: {title: Y, weight: 1, children: [y1]}
  y1: {check: b.one, transform: ratio}
"""


def test_weighted_all_measured():
    fw = fw_from(WEIGHTED)
    r = score(fw, site({"a.one": ("pass", 1), "a.two": ("fail", 1), "b.one": ("warn", 0.4)}))
    # x = (1 + 0.75)/2 = 0.875 ; total = 100 * (3*0.875 + 1*0.4)/4 = 75.625
    assert r.total == pytest.approx(75.625)
    assert r.tier == "fair" and not r.incomplete and r.missing == []
    by = {i.id: i for i in r.indicators}
    assert by["x"].max == 75 and by["x"].score == pytest.approx(65.625)
    assert by["x2"].max == 37.5 and by["x2"].score == pytest.approx(28.125)
    assert [i.id for i in r.indicators] == ["x", "x1", "x2", "y", "y1"]


def test_not_applicable_drops_weight():
    fw = fw_from(WEIGHTED)
    r = score(fw, site({"a.one": ("pass", 1), "a.two": ("not_applicable", None), "b.one": ("pass", 1.0)}))
    assert r.total == 100.0 and not r.incomplete and r.tier == "good"
    r = score(fw, site({"a.one": ("fail", 0), "a.two": ("not_applicable", None), "b.one": ("not_applicable", None)}))
    assert r.total == 0.0 and r.tier == "poor"


def test_error_is_missing_not_zero_and_small_share_keeps_tier():
    fw = fw_from(WEIGHTED)
    # b.one missing: weight share 1/4 = 25 % > 20 % → no tier, score over the rest
    r = score(fw, site({"a.one": ("pass", 1), "a.two": ("pass", 0), "b.one": ("error", None, {"error_kind": "timeout"})}))
    assert r.total == 100.0
    assert r.incomplete and r.missing == ["y1"] and r.missing_share == pytest.approx(0.25)
    assert r.tier is None
    y1 = next(i for i in r.indicators if i.id == "y1")
    assert y1.state == "missing" and y1.score is None and y1.reason == "error: timeout"
    # a.two missing: 3/4 * 1/2 = 37.5 %; with share 0.4 allowed the tier is given
    fw.missing_share = 0.4
    r = score(fw, site({"a.one": ("pass", 1), "b.one": ("pass", 0.5)}))
    assert r.missing == ["x2"] and r.missing_share == pytest.approx(0.375)
    assert r.total == pytest.approx(100 * (3 * 1 + 0.5) / 4) and r.tier == "good"


def test_missing_within_share_gets_tier():
    fw = fw_from(WEIGHTED.replace("root: [x, y]", "root: [x, y]\n").replace("weight: 1, children: [y1]",
                                                                          "weight: 9, children: [y1]"))
    # x weight 3 of 12; x2 missing = 3/12 * 1/2 = 12.5 % ≤ 20 %
    r = score(fw, site({"a.one": ("pass", 1), "b.one": ("pass", 0.5)}))
    assert r.missing_share == pytest.approx(0.125)
    assert r.total == pytest.approx(100 * (3 * 1 + 9 * 0.5) / 12)
    assert r.incomplete and r.tier == "fair"


def test_manual_indicator_value_and_missing():
    fw = fw_from("""
    name: m
    version: "1"
    scale: 110
    tiers: [[top, 95], [rest, 0]]
    root: [auto, innovation]
    indicators:
      auto: {weight: 100, children: [a1]}
      a1: {check: a.one}
      innovation: {weight: 10, children: [cases]}
      cases: {manual: true}
    """)
    assert fw.nominal_max("cases") == 10
    r = score(fw, site({"a.one": ("pass", 1)}, manual={"cases": (7.0, "good case")}))
    assert r.total == pytest.approx(107.0) and r.tier == "top"
    cases = next(i for i in r.indicators if i.id == "cases")
    assert cases.manual and cases.score == pytest.approx(7.0)
    r = score(fw, site({"a.one": ("pass", 1)}))
    assert r.missing == ["cases"] and r.incomplete and r.total == pytest.approx(110.0)
    assert r.missing_share == pytest.approx(10 / 110) and r.tier == "top"


def test_unit_scope_reads_the_site_of_the_declared_kind():
    fw = fw_from("""
    name: u
    version: "1"
    scope: unit
    scale: 100
    root: [p, d]
    indicators:
      p: {check: a.one, kind: portal}
      d: {check: a.one, kind: open_data}
    """)
    unit = Subject("unit:1", "U", unit_id=1, sites=[(1, "portal"), (2, "open_data")],
                   findings={1: {"a.one": Obs("pass", 1)}, 2: {"a.one": Obs("fail", 0)}})
    assert score(fw, unit).total == 50.0
    lone = Subject("unit:2", "V", unit_id=2, sites=[(3, "portal")], findings={3: {"a.one": Obs("pass", 1)}})
    r = score(fw, lone)   # no open-data platform: not applicable, not missing
    assert r.total == 100.0 and not r.incomplete


# ---- inspection ----

INSPECTION = """
name: insp
version: "1"
method: inspection
vetoes:
  - {id: v1, title: V1, any: [{check: a.one, op: "==", value: 0}]}
  - {id: cols, title: Cols, any: [{check: update.stale_columns, count: columns, where: {stale: true, type: [dynamic, policy]}, op: ">=", value: 2}]}
  - {id: cand, title: Cand, review: true, any: [{check: w.cand, op: ">", value: 0}]}
deductions:
  - {id: d1, check: a.two, per: 2, cap: 10}
  - {id: d2, check: b.one, when: {op: ">", value: 60}, points: 3, cap: 3}
  - {id: d3, check: c.one, shortfall: 3, per: 15, cap: 30}
bonus:
  - {id: b1, check: a.three, transform: ratio, points: 20}
  - {id: b2, check: a.one, transform: binary, points: 20}
"""

CLEAN = {"a.one": ("pass", 1), "a.two": ("pass", 0), "b.one": ("pass", 10), "c.one": ("pass", 3),
         "update.stale_columns": ("pass", 0, {"columns": []}), "w.cand": ("pass", 0), "a.three": ("pass", 0.5)}


def test_inspection_clean_site_gets_bonus_capped():
    fw = fw_from(INSPECTION)
    r = score(fw, site(CLEAN))
    assert r.total == 100.0 and r.tier == "合格" and r.bonus == 30.0   # 10 + 20, cap 30
    assert [v["state"] for v in r.vetoes] == ["clear", "clear", "clear"]


def test_inspection_deductions_with_caps():
    fw = fw_from(INSPECTION)
    r = score(fw, site({**CLEAN, "a.two": ("fail", 7), "b.one": ("warn", 75), "c.one": ("fail", 1)}))
    # d1: min(10, 2*7)=10 ; d2: 3 ; d3: (3-1)*15 = 30 → 100 - 43 = 57 < 60
    assert r.total == 57.0 and r.tier == "不合格" and r.bonus is None
    by = {i.id: i for i in r.indicators}
    assert by["d1"].score == 0.0 and by["d2"].score == 0.0 and by["d3"].score == 0.0
    r = score(fw, site({**CLEAN, "a.two": ("fail", 3)}))
    assert r.total == 94.0 and r.tier == "合格"


def test_veto_any_condition_and_details_count():
    fw = fw_from(INSPECTION)
    cols = [{"type": "dynamic", "stale": True}, {"type": "policy", "stale": True},
            {"type": "notice", "stale": True}, {"type": "dynamic", "stale": False}]
    r = score(fw, site({**CLEAN, "update.stale_columns": ("fail", 3, {"columns": cols})}))
    assert r.tier == "不合格" and r.total is None
    assert [v["state"] for v in r.vetoes] == ["clear", "veto", "clear"]
    assert r.vetoes[1]["hits"][0]["measure"] == 2.0
    r = score(fw, site({**CLEAN, "update.stale_columns": ("fail", 2, {"columns": cols[1:]})}))
    assert r.tier == "合格"


def test_candidate_veto_is_pending_review_until_confirmed():
    fw = fw_from(INSPECTION)
    r = score(fw, site({**CLEAN, "w.cand": ("fail", 2)}))
    assert r.vetoes[2]["state"] == "pending_review" and r.tier == "待复核" and r.total == 100.0
    r = score(fw, site({**CLEAN, "w.cand": ("fail", 2)}, manual={"veto.cand": (1, "confirmed")}))
    assert r.vetoes[2]["state"] == "veto" and r.tier == "不合格" and r.total is None
    r = score(fw, site({**CLEAN, "w.cand": ("fail", 2)}, manual={"veto.cand": (0, "false positive")}))
    assert r.vetoes[2]["state"] == "rejected" and r.tier == "合格"


def test_inspection_error_rules():
    fw = fw_from(INSPECTION)
    # an unmeasurable veto is listed as missing but does not decide alone
    r = score(fw, site({**CLEAN, "a.one": ("error", None, {"error_kind": "blocked"})}))
    assert r.vetoes[0]["state"] == "missing" and "veto.v1" in r.missing and r.incomplete
    assert r.tier == "合格"
    # d3 (cap 30 of 43) missing → 70 % > 20 % → no tier
    r = score(fw, site({**CLEAN, "c.one": ("error", None, {"error_kind": "timeout"})}))
    assert r.missing == ["d3"] and r.missing_share == pytest.approx(30 / 43) and r.tier is None
    assert r.total == 100.0


# ---- framework files ----

def test_shipped_frameworks_load():
    fws = frameworks.load_all()
    assert {"inspection", "performance", "capability", "service_capability"} <= set(fws)
    assert len(fws["performance"].root) == 7
    assert fws["capability"].beside == ["digital_driving"]
    assert fws["service_capability"].scale == 110 and fws["service_capability"].ranking == "none"


@pytest.mark.parametrize("text,reason", [
    ("name: t\nversion: 1\nroot: [a]\nindicators: {a: {check: a.one}, b: {children: [c]}, c: {children: [b]}}",
     "cycle in indicators: b -> c -> b"),
    ("name: t\nversion: 1\nroot: [a]\nindicators: {a: {check: nope.nope}}", "indicator a: unknown check id 'nope.nope'"),
    ("name: t\nversion: 1\nroot: [a]\nindicators: {a: {check: a.one, transform: count}}",
     "indicator a: transform count needs cap"),
    ("name: t\nversion: 1\nroot: [a]\nindicators: {a: {check: a.one, transform: sigmoid}}",
     "indicator a: unknown transform 'sigmoid' (one of binary, ratio, count, days, lognormal)"),
    ("name: t\nroot: [a]\nindicators: {a: {check: a.one}}", "version must be a non-empty string"),
    ("name: t\nversion: 1\nroot: [a]\nindicators: {a: {children: [zz]}}", "indicator a: unknown child 'zz'"),
    ("name: t\nversion: 1\ntiers: [[a, 1], [b, 2]]\nroot: [a]\nindicators: {a: {check: a.one}}",
     "tiers must be listed from the highest minimum down"),
    ("name: t\nversion: 1\nmethod: inspection\nvetoes: [{id: v, any: [{check: a.one}]}]",
     "veto v: a condition needs op/value or status"),
])
def test_malformed_framework_refused_with_reason(tmp_path, text, reason):
    path = tmp_path / "bad.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(FrameworkError) as exc:
        frameworks.load_file(path, KNOWN)
    assert str(exc.value) == f"{path}: {reason}"


def test_invalid_yaml_refused_with_line(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text("name: t\nversion: [1\n", encoding="utf-8")
    with pytest.raises(FrameworkError) as exc:
        frameworks.load_file(path)
    assert str(exc.value).startswith(f"{path}: line 3: not valid YAML")


def test_user_framework_directory(tmp_path, monkeypatch):
    (tmp_path / "mine.yaml").write_text(
        "name: mine\nversion: '1'\nroot: [a]\nindicators: {a: {check: avail.homepage}}\n", encoding="utf-8")
    monkeypatch.setenv("GOVAUDIT_FRAMEWORKS_DIR", str(tmp_path))
    assert frameworks.get("mine").indicators["a"].check == "avail.homepage"


# ---- ranking ----

def test_competition_ranking_ties():
    ranks = ranking.competition_ranks([("a", 90), ("b", 95), ("c", 95), ("d", 80), ("e", None), ("f", 80)])
    assert ranks == {"b": 1, "c": 1, "a": 3, "d": 4, "f": 4}
    assert ranking.tied(ranks) == {"b", "c", "d", "f"}


def test_ranks_by_group():
    ranks = ranking.ranks_by_group([("a", "g1", 1.0), ("b", "g2", 0.5), ("c", "g1", 0.7), ("d", "g2", 0.5)])
    assert ranks == {"a": 1, "c": 2, "b": 1, "d": 1}


def test_presentation_styles():
    rows = [("甲市", 95.0, 1), ("乙市", 95.0, 1), ("丙市", 90.0, 3)]
    assert ranking.present(rows, "分列") == [("1（并列）", "乙市", 95.0), ("1（并列）", "甲市", 95.0),
                                           ("3", "丙市", 90.0)]
    assert ranking.present(rows, "并列") == [("第1名（并列）", "乙市、甲市", 95.0), ("第3名", "丙市", 90.0)]


def test_breaks_classification_on_a_known_list():
    # gaps: 2 3 10 2 1 17 1 19 2 → cut at 19 (59|40), 17 (77|60), 10 (90|80)
    scores = list(zip("ABCDEFGHIJ", [95, 93, 90, 80, 78, 77, 60, 59, 40, 38]))
    c = ranking.breaks(scores, ["领先发展", "积极发展", "稳步发展", "亟待发展"], ["A", "B", "C"])
    assert c.breakpoints == ["C", "F", "H"]
    assert c.gaps == [10, 17, 19]
    assert [c.classes[k] for k in "ABCDEFGHIJ"] == ["领先发展"] * 3 + ["积极发展"] * 3 + ["稳步发展"] * 2 + ["亟待发展"] * 2
    # 领先 95..90, thirds of 5/3: ≥93.33 A1, ≥91.67 A2; 积极 80..77 thirds of 1: ≥79 B1, ≥78 B2
    assert [c.sublevels[k] for k in "ABCDEFGH"] == ["A1", "A2", "A3", "B1", "B2", "B3", "C1", "C3"]
    assert "I" not in c.sublevels


def test_breaks_never_split_ties_and_prefers_higher_cut():
    c = ranking.breaks([("a", 10), ("b", 10), ("c", 8), ("d", 6), ("e", 4)], ["x", "y", "z"], [])
    assert c.breakpoints == ["b", "c"]       # equal gaps of 2: the higher ones win
    assert c.classes == {"a": "x", "b": "x", "c": "y", "d": "z", "e": "z"}


def test_spread():
    s = ranking.spread([2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0])
    assert s["range"] == 7.0 and s["stdev"] == 2.0 and s["mean"] == 5.0
    per = ranking.spread_by([("34", 1.0), ("34", 3.0), ("22", 5.0)])
    assert per["34"]["stdev"] == 1.0 and per["22"]["range"] == 0.0
