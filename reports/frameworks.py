"""Scoring frameworks are data: YAML files in reports/frameworks/ (shipped) and
in any directory the user names (GOVAUDIT_FRAMEWORKS_DIR or --frameworks-dir).

Two methods exist. `weighted`: a tree of indicators; leaves map one check's
finding (or a manual value) to 0..1 with a transform, inner nodes weight their
children. `inspection`: single-veto rules, capped deductions from 100 points
and a bonus, as in the 2019 State Council inspection indicators.

A file is validated whole before use; a bad one is refused with its path and
the first reason found (FrameworkError).
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from core.errors import UserError
from reports.check_ids import known_check_ids

SHIPPED_DIR = Path(__file__).parent / "frameworks"
SITE_KINDS = ("portal", "open_data", "hotline")
TRANSFORM_PARAMS = {          # transform -> (required params, optional params)
    "binary": ((), ("warn",)),
    "ratio": ((), ()),
    "count": (("cap",), ()),
    "days": (("good", "bad"), ()),
    "lognormal": (("p10", "median"), ()),
}
OPS = (">", ">=", "<", "<=", "==", "!=")
NAME_RE = re.compile(r"^[a-z][a-z0-9_\-]*$")


class FrameworkError(UserError):
    """A framework file was refused: `path: reason`, one line."""

    def __init__(self, path: str | Path, reason: str):
        self.path, self.reason = str(path), reason
        super().__init__(f"{path}: {reason}")


@dataclass
class Indicator:
    id: str
    title: str
    weight: float = 1.0
    children: list[str] = field(default_factory=list)
    check: str | None = None
    transform: str | None = None
    params: dict[str, float] = field(default_factory=dict)
    kind: str | None = None        # take the finding from the unit's site of this kind
    manual: bool = False

    @property
    def leaf(self) -> bool:
        return not self.children


@dataclass
class Condition:
    """`check`'s measure compared with `value` by `op`, or its status equal to `status`.
    The measure is the finding's value, or a count over a details list (`count`,
    `where`), or a shortfall (`shortfall` − value)."""
    check: str
    op: str | None = None
    value: float | None = None
    status: str | None = None
    count: str | None = None
    where: dict[str, Any] = field(default_factory=dict)
    shortfall: float | None = None
    kind: str | None = None


@dataclass
class Veto:
    id: str
    title: str
    any: list[Condition]
    review: bool = False            # candidate checks: veto is pending_review until confirmed


@dataclass
class Deduction:
    id: str
    title: str
    condition: Condition            # op/value absent -> `per` points per unit of the measure
    cap: float
    per: float | None = None
    points: float | None = None     # fixed deduction when the condition holds


@dataclass
class Bonus:
    id: str
    title: str
    indicator: Indicator
    points: float


@dataclass
class Framework:
    name: str
    version: str
    title: str
    scope: str                      # site | unit
    method: str                     # weighted | inspection
    path: str
    kinds: list[str] = field(default_factory=lambda: list(SITE_KINDS))
    scale: float = 100.0
    missing_share: float = 0.2
    tiers: list[tuple[str, float]] = field(default_factory=list)
    ranking: str = "competition"    # competition | none (listed by region code)
    classification: dict[str, Any] | None = None
    source: str = ""
    notes: str = ""
    # weighted
    indicators: dict[str, Indicator] = field(default_factory=dict)
    root: list[str] = field(default_factory=list)
    beside: list[str] = field(default_factory=list)
    # inspection
    vetoes: list[Veto] = field(default_factory=list)
    deductions: list[Deduction] = field(default_factory=list)
    bonus: list[Bonus] = field(default_factory=list)
    pass_mark: float = 60.0
    bonus_threshold: float = 80.0
    bonus_max: float = 30.0
    labels: dict[str, str] = field(default_factory=dict)

    def check_ids(self) -> set[str]:
        ids = {i.check for i in self.indicators.values() if i.check}
        ids |= {c.check for v in self.vetoes for c in v.any}
        ids |= {d.condition.check for d in self.deductions}
        ids |= {b.indicator.check for b in self.bonus if b.indicator.check}
        return ids

    def manual_indicators(self) -> list[Indicator]:
        return [i for i in self.indicators.values() if i.manual] + \
               [b.indicator for b in self.bonus if b.indicator.manual]

    def nominal_max(self, iid: str) -> float:
        """An indicator's points before any renormalisation (a `beside` root: its weight)."""
        for b in self.bonus:
            if b.id == iid:
                return b.points
        parent = {c: p.id for p in self.indicators.values() for c in p.children}
        if iid in self.beside:
            return self.indicators[iid].weight
        if iid in self.root:
            return self.scale * self.indicators[iid].weight / sum(self.indicators[r].weight for r in self.root)
        p = self.indicators[parent[iid]]
        return self.nominal_max(p.id) * self.indicators[iid].weight / sum(
            self.indicators[c].weight for c in p.children)

    def tier_for(self, score: float) -> str | None:
        for name, minimum in self.tiers:
            if score >= minimum - 1e-9:
                return name
        return None


def _num(path, where: str, value: Any, *, positive: bool = False) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise FrameworkError(path, f"{where} must be a number, got {value!r}")
    if positive and value <= 0:
        raise FrameworkError(path, f"{where} must be > 0, got {value!r}")
    return float(value)


def _str(path, where: str, value: Any) -> str:
    if not isinstance(value, (str, int, float)) or isinstance(value, bool) or str(value).strip() == "":
        raise FrameworkError(path, f"{where} must be a non-empty string")
    return str(value)


def _mapping(path, where: str, value: Any) -> dict:
    if not isinstance(value, dict):
        raise FrameworkError(path, f"{where} must be a mapping")
    return value


def _list(path, where: str, value: Any) -> list:
    if not isinstance(value, list):
        raise FrameworkError(path, f"{where} must be a list")
    return value


def _unknown_keys(path, where: str, spec: dict, allowed: set[str]) -> None:
    extra = sorted(set(spec) - allowed)
    if extra:
        raise FrameworkError(path, f"{where}: unknown key(s) {', '.join(map(str, extra))}")


def _kind(path, where: str, value: Any) -> str | None:
    if value is None:
        return None
    if value not in SITE_KINDS:
        raise FrameworkError(path, f"{where}: kind must be one of {', '.join(SITE_KINDS)}, got {value!r}")
    return value


def _check_id(path, where: str, value: Any, known: set[str]) -> str:
    cid = _str(path, f"{where}.check", value)
    if cid not in known:
        raise FrameworkError(path, f"{where}: unknown check id {cid!r}")
    return cid


def _leaf(path, iid: str, spec: dict, known: set[str], weight_key: str = "weight") -> Indicator:
    where = f"indicator {iid}"
    manual = bool(spec.get("manual", False))
    params = {k: spec[k] for k in ("warn", "cap", "good", "bad", "p10", "median") if k in spec}
    ind = Indicator(iid, _str(path, f"{where}.title", spec.get("title", iid)),
                    _num(path, f"{where}.{weight_key}", spec.get(weight_key, 1)),
                    kind=_kind(path, where, spec.get("kind")), manual=manual)
    if ind.weight < 0:
        raise FrameworkError(path, f"{where}.{weight_key} must be ≥ 0")
    if manual:
        if "check" in spec or "transform" in spec:
            raise FrameworkError(path, f"{where}: a manual indicator has no check or transform")
        return ind
    if "check" not in spec:
        raise FrameworkError(path, f"{where}: needs children, a check, or manual: true")
    ind.check = _check_id(path, where, spec["check"], known)
    transform = spec.get("transform", "binary")
    if transform not in TRANSFORM_PARAMS:
        raise FrameworkError(path, f"{where}: unknown transform {transform!r} "
                                   f"(one of {', '.join(TRANSFORM_PARAMS)})")
    required, optional = TRANSFORM_PARAMS[transform]
    for p in required:
        if p not in params:
            raise FrameworkError(path, f"{where}: transform {transform} needs {p}")
    for p in params:
        if p not in required and p not in optional:
            raise FrameworkError(path, f"{where}: transform {transform} takes no {p}")
    ind.transform = transform
    ind.params = {k: _num(path, f"{where}.{k}", v) for k, v in params.items()}
    if transform == "count" and ind.params["cap"] <= 0:
        raise FrameworkError(path, f"{where}: cap must be > 0")
    if transform == "days" and ind.params["good"] >= ind.params["bad"]:
        raise FrameworkError(path, f"{where}: good must be below bad")
    if transform == "lognormal" and not 0 < ind.params["p10"] < ind.params["median"]:
        raise FrameworkError(path, f"{where}: need 0 < p10 < median")
    return ind


LEAF_KEYS = {"title", "weight", "check", "transform", "kind", "manual", "warn", "cap", "good", "bad",
             "p10", "median", "note"}


def _weighted(path, fw: Framework, raw: dict, known: set[str]) -> None:
    specs = _mapping(path, "indicators", raw.get("indicators"))
    fw.root = [str(x) for x in _list(path, "root", raw.get("root"))]
    fw.beside = [str(x) for x in _list(path, "beside", raw.get("beside", []))]
    if not fw.root:
        raise FrameworkError(path, "root lists no indicator")
    for iid, spec in specs.items():
        iid = str(iid)
        spec = _mapping(path, f"indicator {iid}", spec)
        if "children" in spec:
            _unknown_keys(path, f"indicator {iid}", spec, {"title", "weight", "children", "note"})
            children = [str(c) for c in _list(path, f"indicator {iid}.children", spec["children"])]
            if not children:
                raise FrameworkError(path, f"indicator {iid}: children is empty")
            ind = Indicator(iid, _str(path, f"indicator {iid}.title", spec.get("title", iid)),
                            _num(path, f"indicator {iid}.weight", spec.get("weight", 1)), children=children)
        else:
            _unknown_keys(path, f"indicator {iid}", spec, LEAF_KEYS)
            ind = _leaf(path, iid, spec, known)
        fw.indicators[iid] = ind
    parent: dict[str, str] = {}
    for iid, ind in fw.indicators.items():
        for c in ind.children:
            if c not in fw.indicators:
                raise FrameworkError(path, f"indicator {iid}: unknown child {c!r}")
            if c in parent:
                raise FrameworkError(path, f"indicator {c} has two parents ({parent[c]}, {iid})")
            parent[c] = iid
    for top in fw.root + fw.beside:
        if top not in fw.indicators:
            raise FrameworkError(path, f"root/beside names unknown indicator {top!r}")
        if top in parent:
            raise FrameworkError(path, f"indicator {top} is in root/beside and also a child of {parent[top]}")
    # A cycle is a set of indicators each with a parent, never reaching a root.
    seen: set[str] = set()
    for top in fw.root + fw.beside:
        stack = [top]
        while stack:
            node = stack.pop()
            seen.add(node)
            stack.extend(fw.indicators[node].children)
    for iid in fw.indicators:
        if iid in seen:
            continue
        chain, node = [iid], iid
        while node in parent and parent[node] not in chain:
            node = parent[node]
            chain.append(node)
        if node in parent:
            loop = chain[chain.index(parent[node]):] + [parent[node]]
            raise FrameworkError(path, f"cycle in indicators: {' -> '.join(reversed(loop))}")
        raise FrameworkError(path, f"indicator {iid} is not under root or beside")


def _condition(path, where: str, spec: Any, known: set[str], check: str | None = None) -> Condition:
    spec = _mapping(path, where, spec)
    _unknown_keys(path, where, spec, {"check", "op", "value", "status", "count", "where", "shortfall", "kind"})
    cond = Condition(_check_id(path, where, spec.get("check", check), known),
                     kind=_kind(path, where, spec.get("kind")))
    if "status" in spec:
        cond.status = _str(path, f"{where}.status", spec["status"])
    if "op" in spec or "value" in spec:
        if spec.get("op") not in OPS:
            raise FrameworkError(path, f"{where}.op must be one of {' '.join(OPS)}")
        cond.op, cond.value = spec["op"], _num(path, f"{where}.value", spec.get("value"))
    if "count" in spec:
        cond.count = _str(path, f"{where}.count", spec["count"])
        cond.where = _mapping(path, f"{where}.where", spec.get("where", {}))
    if "shortfall" in spec:
        cond.shortfall = _num(path, f"{where}.shortfall", spec["shortfall"])
    return cond


def _inspection(path, fw: Framework, raw: dict, known: set[str]) -> None:
    fw.pass_mark = _num(path, "pass_mark", raw.get("pass_mark", 60))
    fw.bonus_threshold = _num(path, "bonus_threshold", raw.get("bonus_threshold", 80))
    fw.bonus_max = _num(path, "bonus_max", raw.get("bonus_max", 30))
    labels = _mapping(path, "labels", raw.get("labels", {}))
    fw.labels = {"pass": "合格", "fail": "不合格", "pending": "待复核",
                 **{str(k): _str(path, f"labels.{k}", v) for k, v in labels.items()}}
    for n, spec in enumerate(_list(path, "vetoes", raw.get("vetoes", []))):
        spec = _mapping(path, f"vetoes[{n}]", spec)
        _unknown_keys(path, f"vetoes[{n}]", spec, {"id", "title", "any", "review", "note"})
        vid = _str(path, f"vetoes[{n}].id", spec.get("id"))
        conds = [_condition(path, f"veto {vid} any[{i}]", c, known)
                 for i, c in enumerate(_list(path, f"veto {vid}.any", spec.get("any")))]
        if not conds:
            raise FrameworkError(path, f"veto {vid}: any is empty")
        for c in conds:
            if c.op is None and c.status is None:
                raise FrameworkError(path, f"veto {vid}: a condition needs op/value or status")
        fw.vetoes.append(Veto(vid, _str(path, f"veto {vid}.title", spec.get("title", vid)), conds,
                              bool(spec.get("review", False))))
    for n, spec in enumerate(_list(path, "deductions", raw.get("deductions", []))):
        spec = _mapping(path, f"deductions[{n}]", spec)
        _unknown_keys(path, f"deductions[{n}]", spec,
                      {"id", "title", "check", "kind", "per", "points", "cap", "when", "count", "where",
                       "shortfall", "note"})
        did = _str(path, f"deductions[{n}].id", spec.get("id"))
        cond_spec = {k: spec[k] for k in ("check", "kind", "count", "where", "shortfall") if k in spec}
        if "when" in spec:
            cond_spec.update(_mapping(path, f"deduction {did}.when", spec["when"]))
        cond = _condition(path, f"deduction {did}", cond_spec, known)
        d = Deduction(did, _str(path, f"deduction {did}.title", spec.get("title", did)), cond,
                      _num(path, f"deduction {did}.cap", spec.get("cap"), positive=True))
        if ("per" in spec) == ("points" in spec):
            raise FrameworkError(path, f"deduction {did}: give exactly one of per or points")
        if "per" in spec:
            d.per = _num(path, f"deduction {did}.per", spec["per"], positive=True)
            if "when" in spec:
                raise FrameworkError(path, f"deduction {did}: per counts the measure, when is for points")
        else:
            d.points = _num(path, f"deduction {did}.points", spec["points"], positive=True)
            if cond.op is None and cond.status is None:
                raise FrameworkError(path, f"deduction {did}: points needs a when condition")
        fw.deductions.append(d)
    for n, spec in enumerate(_list(path, "bonus", raw.get("bonus", []))):
        spec = _mapping(path, f"bonus[{n}]", spec)
        bid = _str(path, f"bonus[{n}].id", spec.get("id"))
        _unknown_keys(path, f"bonus {bid}", spec, (LEAF_KEYS - {"weight"}) | {"id", "points"})
        ind = _leaf(path, bid, {k: v for k, v in spec.items() if k not in ("id", "points")}, known)
        fw.bonus.append(Bonus(bid, ind.title, ind, _num(path, f"bonus {bid}.points", spec.get("points"),
                                                        positive=True)))
    if not (fw.vetoes or fw.deductions):
        raise FrameworkError(path, "an inspection framework needs vetoes or deductions")


TOP_KEYS = {"name", "version", "title", "scope", "method", "kinds", "scale", "missing_share", "tiers",
            "ranking", "classification", "source", "notes", "indicators", "root", "beside", "vetoes",
            "deductions", "bonus", "pass_mark", "bonus_threshold", "bonus_max", "labels"}


def parse(raw: Any, path: str | Path = "<string>", known: set[str] | None = None) -> Framework:
    """Validate one framework document (already YAML-decoded)."""
    known = known_check_ids() if known is None else known
    raw = _mapping(path, "the document", raw)
    _unknown_keys(path, "top level", raw, TOP_KEYS)
    name = _str(path, "name", raw.get("name"))
    if not NAME_RE.match(name):
        raise FrameworkError(path, f"name {name!r} must be lower-case letters, digits, _ or -")
    scope = raw.get("scope", "site")
    if scope not in ("site", "unit"):
        raise FrameworkError(path, "scope must be site or unit")
    method = raw.get("method", "weighted")
    if method not in ("weighted", "inspection"):
        raise FrameworkError(path, "method must be weighted or inspection")
    fw = Framework(name=name, version=_str(path, "version", raw.get("version")),
                   title=_str(path, "title", raw.get("title", name)), scope=scope, method=method,
                   path=str(path), source=str(raw.get("source", "")), notes=str(raw.get("notes", "")))
    fw.kinds = [_kind(path, "kinds", k) for k in _list(path, "kinds", raw.get("kinds", list(SITE_KINDS)))]
    fw.scale = _num(path, "scale", raw.get("scale", 100), positive=True)
    fw.missing_share = _num(path, "missing_share", raw.get("missing_share", 0.2))
    if not 0 <= fw.missing_share <= 1:
        raise FrameworkError(path, "missing_share must be between 0 and 1")
    last = None
    for n, tier in enumerate(_list(path, "tiers", raw.get("tiers", []))):
        if not isinstance(tier, list) or len(tier) != 2:
            raise FrameworkError(path, f"tiers[{n}] must be [name, minimum]")
        minimum = _num(path, f"tiers[{n}] minimum", tier[1])
        if last is not None and minimum >= last:
            raise FrameworkError(path, "tiers must be listed from the highest minimum down")
        fw.tiers.append((_str(path, f"tiers[{n}] name", tier[0]), minimum))
        last = minimum
    fw.ranking = raw.get("ranking", "competition")
    if fw.ranking not in ("competition", "none"):
        raise FrameworkError(path, "ranking must be competition or none")
    if "classification" in raw:
        cls = _mapping(path, "classification", raw["classification"])
        _unknown_keys(path, "classification", cls, {"method", "classes", "sublevels"})
        if cls.get("method") != "breaks":
            raise FrameworkError(path, "classification.method must be breaks")
        classes = [_str(path, "classification.classes", c) for c in _list(path, "classification.classes",
                                                                            cls.get("classes"))]
        subs = [_str(path, "classification.sublevels", c) for c in _list(path, "classification.sublevels",
                                                                           cls.get("sublevels", []))]
        if len(classes) < 2:
            raise FrameworkError(path, "classification needs at least two classes")
        if len(subs) > len(classes) - 1:
            raise FrameworkError(path, "classification.sublevels: at most one prefix per class but the last")
        fw.classification = {"method": "breaks", "classes": classes, "sublevels": subs}
    if method == "weighted":
        _weighted(path, fw, raw, known)
    else:
        _inspection(path, fw, raw, known)
    return fw


def load_file(path: str | Path, known: set[str] | None = None) -> Framework:
    path = Path(path)
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise FrameworkError(path, f"cannot read: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise FrameworkError(path, "not UTF-8 text") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}: " if mark else ""
        raise FrameworkError(path, f"{where}not valid YAML ({getattr(exc, 'problem', None) or exc})") from None
    return parse(raw, path, known)


def framework_dirs(extra: list[str | Path] | None = None) -> list[Path]:
    dirs = [SHIPPED_DIR]
    env = os.environ.get("GOVAUDIT_FRAMEWORKS_DIR", "")
    dirs += [Path(p) for p in env.split(os.pathsep) if p]
    dirs += [Path(p) for p in (extra or [])]
    return dirs


def load_all(extra: list[str | Path] | None = None) -> dict[str, Framework]:
    """Every framework by name: shipped first; a user file with the same name replaces it."""
    known = known_check_ids()
    out: dict[str, Framework] = {}
    for d in framework_dirs(extra):
        if not d.is_dir():
            raise FrameworkError(d, "frameworks directory does not exist")
        for path in sorted(list(d.glob("*.yaml")) + list(d.glob("*.yml"))):
            fw = load_file(path, known)
            out[fw.name] = fw
    return out


def get(name: str, extra: list[str | Path] | None = None) -> Framework:
    frameworks = load_all(extra)
    if name not in frameworks:
        raise FrameworkError(name, f"no such framework (have: {', '.join(sorted(frameworks))})")
    return frameworks[name]
