"""The site registry (CONTRACT.md): CSV or YAML in, upsert by URL.

The whole file is validated before anything is written; each bad row is
reported with its line number and reason, and then nothing is imported.
"""
from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.models import Site, Unit, utcnow

KINDS = ("portal", "open_data", "hotline")
LEVELS = ("ministry", "province", "city", "county", "other")
FIELDS = ("name", "url", "kind", "unit", "level", "group", "region", "hints")
HINT_INTS = ("max_pages", "max_depth", "max_rendered_pages")


class RegistryError(Exception):
    """The file was refused; `problems` lists every bad row as (line, reason)."""

    def __init__(self, path: str, problems: list[tuple[int, str]]):
        self.path, self.problems = path, problems
        first = "; ".join(f"line {line}: {why}" for line, why in problems[:5])
        more = f" (and {len(problems) - 5} more)" if len(problems) > 5 else ""
        super().__init__(f"{path}: {len(problems)} bad row(s), nothing imported: {first}{more}")


@dataclass
class SiteRow:
    line: int
    name: str
    url: str
    kind: str
    unit: str
    level: str | None = None
    group: str | None = None
    region: str | None = None
    hints: dict[str, Any] = field(default_factory=dict)


def validate_url(url: str) -> str | None:
    """Why `url` is not an acceptable entry URL, or None."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        return f"bad url {url!r}: {exc}"
    if parts.scheme not in ("http", "https"):
        return f"url must be http or https: {url!r}"
    if not parts.hostname:
        return f"url has no host: {url!r}"
    if port == 0:
        return f"url has port 0: {url!r}"
    if any(c.isspace() for c in url):
        return f"url contains white space: {url!r}"
    return None


def _parse_hints(raw: Any) -> dict[str, Any]:
    if raw in (None, ""):
        return {}
    if isinstance(raw, str):
        try:
            raw = json.loads(raw)
        except json.JSONDecodeError:
            raw = yaml.safe_load(raw)
    if not isinstance(raw, dict):
        raise ValueError("hints must be a mapping (JSON object or YAML mapping)")
    for key in HINT_INTS:
        if key in raw and (not isinstance(raw[key], int) or isinstance(raw[key], bool) or raw[key] < 0):
            raise ValueError(f"hint {key} must be a non-negative whole number")
    return raw


def _row(line: int, raw: dict[str, Any]) -> SiteRow:
    if not isinstance(raw, dict):
        raise ValueError("row is not a mapping")
    unknown = sorted(set(map(str, raw)) - set(FIELDS))
    if unknown:
        raise ValueError(f"unknown field(s): {', '.join(unknown)}")
    values = {k: ("" if raw.get(k) is None else raw.get(k)) for k in FIELDS}
    text = {k: str(values[k]).strip() for k in FIELDS if k != "hints"}
    for req in ("name", "url", "kind"):
        if not text[req]:
            raise ValueError(f"missing {req}")
    if text["kind"] not in KINDS:
        raise ValueError(f"unknown kind {text['kind']!r} (expected one of {', '.join(KINDS)})")
    if text["level"] and text["level"] not in LEVELS:
        raise ValueError(f"unknown level {text['level']!r} (expected one of {', '.join(LEVELS)})")
    if text["region"] and not (len(text["region"]) == 6 and text["region"].isdigit()):
        raise ValueError(f"region must be a 6-digit code, got {text['region']!r}")
    why = validate_url(text["url"])
    if why:
        raise ValueError(why)
    return SiteRow(line, text["name"], text["url"], text["kind"], text["unit"] or text["name"],
                   text["level"] or None, text["group"] or None, text["region"] or None,
                   _parse_hints(values["hints"]))


def _raw_rows(path: Path) -> list[tuple[int, Any]]:
    data = path.read_bytes()
    try:
        content = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise RegistryError(str(path), [(1, "file is not UTF-8 text")]) from None
    if path.suffix.lower() in (".yaml", ".yml"):
        try:
            nodes = yaml.compose(content, Loader=yaml.SafeLoader)
            loaded = yaml.safe_load(content)
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            line = mark.line + 1 if mark else 1
            raise RegistryError(str(path), [(line, f"not valid YAML: {getattr(exc, 'problem', exc)}")]) from None
        if isinstance(loaded, dict) and "sites" in loaded:
            loaded = loaded["sites"]
            nodes = next(v for k, v in nodes.value if k.value == "sites")
        if loaded is None:
            return []
        if not isinstance(loaded, list):
            raise RegistryError(str(path), [(1, "expected a list of sites (or a mapping with key 'sites')")])
        return [(node.start_mark.line + 1, item) for node, item in zip(nodes.value, loaded)]
    if path.suffix.lower() == ".csv":
        reader = csv.DictReader(io.StringIO(content, newline=""))
        header = reader.fieldnames or []
        missing = [f for f in ("name", "url", "kind") if f not in header]
        if missing:
            raise RegistryError(str(path), [(1, f"CSV header lacks column(s): {', '.join(missing)}")])
        rows = []
        for row in reader:
            if None in row:
                rows.append((reader.line_num, {"__extra__": row.pop(None)}))
                continue
            if not any((v or "").strip() for v in row.values()):
                continue
            rows.append((reader.line_num, row))
        return rows
    raise RegistryError(str(path), [(1, "registry must be .csv, .yaml or .yml")])


def parse(path: str | Path) -> list[SiteRow]:
    """Validate the whole file; raise RegistryError listing every bad row."""
    path = Path(path)
    if not path.is_file():
        raise RegistryError(str(path), [(0, "file not found")])
    problems: list[tuple[int, str]] = []
    rows: list[SiteRow] = []
    seen: dict[str, int] = {}
    for line, raw in _raw_rows(path):
        try:
            if isinstance(raw, dict) and "__extra__" in raw:
                raise ValueError("more values than header columns")
            row = _row(line, raw)
        except ValueError as exc:
            problems.append((line, str(exc)))
            continue
        if row.url in seen:
            problems.append((line, f"url {row.url} already on line {seen[row.url]}"))
            continue
        seen[row.url] = line
        rows.append(row)
    if problems:
        raise RegistryError(str(path), problems)
    return rows


def upsert(session: Session, rows: list[SiteRow]) -> tuple[int, int]:
    """Insert or update sites by URL; return (added, updated)."""
    added = updated = 0
    units: dict[str, Unit] = {u.name: u for u in session.scalars(select(Unit))}
    for row in rows:
        unit = units.get(row.unit)
        if unit is None:
            unit = Unit(name=row.unit)
            session.add(unit)
            units[row.unit] = unit
        unit.level = row.level or unit.level
        unit.region = row.region or unit.region
        unit.group = row.group or unit.group
        session.flush()
        site = session.scalar(select(Site).where(Site.url == row.url))
        if site is None:
            site = Site(url=row.url)
            session.add(site)
            added += 1
        else:
            updated += 1
        site.name, site.kind, site.unit_id = row.name, row.kind, unit.id
        site.level, site.group, site.region, site.hints = row.level, row.group, row.region, row.hints
        site.updated_at = utcnow()
    session.flush()
    return added, updated


def import_file(session: Session, path: str | Path) -> tuple[int, int]:
    return upsert(session, parse(path))
