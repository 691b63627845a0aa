"""The site registry (the README's Site registry section): CSV or YAML in, upsert by URL.

The whole file is validated before anything is written; every problem of
every row is reported with its line number, and then nothing is imported.
A registry is input, and input can be hostile: the file's size, a CSV field's
size and a YAML document's depth are bounded, YAML aliases are refused (no
"billion laughs"), and every text fits its database column on every backend.
"""
from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.errors import UserError
from crawler.urls import BadLink, normalize
from storage.models import Site, Unit, utcnow

KINDS = ("portal", "open_data", "hotline")
LEVELS = ("ministry", "province", "city", "county", "other")
FIELDS = ("name", "url", "kind", "unit", "level", "group", "region", "hints")
EXPORTED_ONLY = ("id",)                  # `govaudit export sites` adds the database id: read back, ignored
MAX_FILE_BYTES = 50 * 1024 * 1024        # a national registry of 15,000 sites is a few MB
MAX_FIELD_BYTES = 128 * 1024             # one CSV field (the csv module's own default limit)
MAX_YAML_DEPTH = 20                      # a registry is a list of mappings with small hints
MAX_HINTS_CHARS = 64 * 1024              # hints as JSON
ENCODINGS = ("utf-8", "gb18030")         # what Excel saves on a Chinese Windows is GB18030 (GBK)
# Hints by type (the README lists what each does); unknown hints are kept as given.
HINT_TYPES = {
    **dict.fromkeys(("max_pages", "max_depth", "max_external_links", "max_links_per_page", "max_attachment_texts",
                     "max_rendered_pages", "max_datasets",
                     "sample_downloads", "max_catalog_pages", "max_messages", "max_list_pages"),
                    "count"),
    "obey_robots": "bool",
    "max_rps": "rate",
    "fetch": "fetch_mode",
    **dict.fromkeys(("search_url", "qa_url", "elder_url", "https_url", "http_url", "homepage_url", "catalog_url"),
                    "url"),
    "messages_url": "urls",
    "allowed_domains": "texts",
    **dict.fromkeys(("domain", "search_selector", "search_submit_selector", "qa_selector", "qa_input_selector",
                     "elder_selector", "message_item", "message_link", "message_submitted", "message_replied",
                     "message_status", "dataset_item", "dataset_link", "dataset_url_template",
                     "message_url_template"), "text"),
}
FETCH_MODES = ("http", "browser")       # hint `fetch`: browser = through the real browser (walled sites)


class RegistryError(UserError):
    """The file was refused; `problems` lists every bad row as (line, reason)."""

    SHOWN = 10

    def __init__(self, path: str, problems: list[tuple[int, str]], message: str | None = None):
        self.path, self.problems = path, problems
        if message is None:
            rows = len({line for line, _ in problems})
            first = "; ".join(f"line {line}: {why}" for line, why in problems[:self.SHOWN])
            more = f" (and {len(problems) - self.SHOWN} more)" if len(problems) > self.SHOWN else ""
            message = f"{path}: {rows} bad row(s), nothing imported: {first}{more}"
        super().__init__(message)


class Registry(list):
    """The validated rows of a registry file, and the text encoding it was read in."""

    def __init__(self, rows=(), encoding: str = "utf-8"):
        super().__init__(rows)
        self.encoding = encoding


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


def _length(model, column: str) -> int:
    return model.__table__.c[column].type.length


# Each field's longest value: the database column's own length, so SQLite and PostgreSQL agree.
MAX_LENGTHS = {"name": _length(Site, "name"), "url": _length(Site, "url"), "unit": _length(Unit, "name"),
               "group": _length(Site, "group")}


def _control_chars(text: str) -> bool:
    return any(ord(c) < 32 and c not in "\t" or 0x7f <= ord(c) < 0xa0 for c in text)


def _hint_problem(key: str, value: Any) -> str | None:
    kind = HINT_TYPES.get(key)
    if kind == "count":
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            return f"hint {key} must be a non-negative whole number"
    elif kind == "bool":
        if not isinstance(value, bool):
            return f"hint {key} must be true or false"
    elif kind == "rate":
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
            return f"hint {key} must be a positive number (requests per second)"
    elif kind == "fetch_mode":
        if value not in FETCH_MODES:
            return f"hint {key} must be one of {', '.join(FETCH_MODES)}"
    elif kind in ("url", "urls"):
        urls = value if kind == "urls" and isinstance(value, list) else [value]
        for url in urls:
            if not isinstance(url, str):
                return f"hint {key} must be {'a URL or a list of URLs' if kind == 'urls' else 'a URL'}"
            why = validate_url(url)
            if why:
                return f"hint {key}: {why}"
    elif kind == "text":
        if not isinstance(value, str):
            return f"hint {key} must be text"
    elif kind == "texts":
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            return f"hint {key} must be a list of texts"
    return None


def _parse_hints(raw: Any) -> tuple[dict[str, Any], list[str]]:
    """(hints, problems): every problem of the hints cell, never an exception."""
    if raw in (None, ""):
        return {}, []
    if isinstance(raw, str):
        if len(raw) > MAX_HINTS_CHARS:
            return {}, [f"hints longer than {MAX_HINTS_CHARS} characters"]
        try:
            raw = json.loads(raw)
        except json.JSONDecodeError:
            try:
                raw = _load_yaml(raw)
            except YamlRefused as exc:
                return {}, [f"hints are neither a JSON object nor a YAML mapping ({exc.reason})"]
    if not isinstance(raw, dict):
        return {}, ["hints must be a mapping (JSON object or YAML mapping)"]
    if len(json.dumps(raw, ensure_ascii=False, default=str)) > MAX_HINTS_CHARS:
        return {}, [f"hints longer than {MAX_HINTS_CHARS} characters"]
    problems = [p for p in (_hint_problem(str(k), v) for k, v in raw.items()) if p]
    return raw, problems


def _row(line: int, raw: dict[str, Any]) -> tuple[SiteRow | None, list[str]]:
    """The row, or None with every reason it is refused."""
    if isinstance(raw, str):
        return None, [raw]          # the reader's own reason (a JSON Lines line that is not JSON)
    if not isinstance(raw, dict):
        return None, ["row is not a mapping"]
    problems = []
    unknown = sorted(set(map(str, raw)) - set(FIELDS) - set(EXPORTED_ONLY))
    if unknown:
        problems.append(f"unknown field(s): {', '.join(unknown)}")
    values = {k: ("" if raw.get(k) is None else raw.get(k)) for k in FIELDS}
    text = {k: str(values[k]).strip() for k in FIELDS if k != "hints"}
    for key in FIELDS[:-1]:
        if _control_chars(text[key]):
            problems.append(f"{key} contains control characters (NUL, escape…)")
        elif key in MAX_LENGTHS and len(text[key]) > MAX_LENGTHS[key]:
            problems.append(f"{key} longer than {MAX_LENGTHS[key]} characters")
    for req in ("name", "url", "kind"):
        if not text[req]:
            problems.append(f"missing {req}")
    if not text["unit"] and len(text["name"]) > MAX_LENGTHS["unit"]:
        problems.append(f"name longer than {MAX_LENGTHS['unit']} characters and no unit given (the unit is the name)")
    if text["kind"] and text["kind"] not in KINDS:
        problems.append(f"unknown kind {text['kind']!r} (expected one of {', '.join(KINDS)})")
    if text["level"] and text["level"] not in LEVELS:
        problems.append(f"unknown level {text['level']!r} (expected one of {', '.join(LEVELS)})")
    if text["region"] and not (len(text["region"]) == 6 and text["region"].isdigit()):
        problems.append(f"region must be a 6-digit code, got {text['region'][:20]!r}")
    url = text["url"]
    if url and not _control_chars(url) and len(url) <= MAX_LENGTHS["url"]:
        why = validate_url(url)
        if why:
            problems.append(why)
        else:
            url = normalise_url(url)
    hints, hint_problems = _parse_hints(values["hints"])
    problems += hint_problems
    if problems:
        return None, problems
    return SiteRow(line, text["name"], url, text["kind"], text["unit"] or text["name"], text["level"] or None,
                   text["group"] or None, text["region"] or None, hints), []


def check_row(raw: dict[str, Any]) -> tuple[SiteRow | None, list[str]]:
    """One row as a registry file's row is validated (the console's site form)."""
    return _row(0, raw)


_ESCAPE = re.compile(r"%([0-9A-Fa-f]{2})")
_UNRESERVED = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")


def normalise_url(url: str) -> str:
    """One spelling per entry URL: the crawl's own form (crawler.urls: the WHATWG URL a browser
    makes of it: scheme and host in lower case, no default port, an empty path as `/`, no
    fragment), and beyond it two spellings a registry holds of one site: a trailing dot on the
    host, and escapes of unreserved characters (RFC 3986 §6.2.2: %7e, %7E and ~ are one)."""
    try:
        url = normalize(url)
    except BadLink:
        return url          # validate_url has said why
    parts = urlsplit(url)
    host = parts.hostname or ""
    if host.endswith("."):
        url = urlunsplit(parts._replace(netloc=parts.netloc.replace(host, host.rstrip("."), 1)))
    return _ESCAPE.sub(lambda m: chr(int(m.group(1), 16)) if chr(int(m.group(1), 16)) in _UNRESERVED
                       else "%" + m.group(1).upper(), url)


def same_site_key(url: str) -> str:
    """The normalised URL with a final index.html/index.htm dropped: two rows whose URLs differ only
    so are one site (the URL fetched stays the one written)."""
    return re.sub(r"/index\.html?$", "/", normalise_url(url), flags=re.I)


class YamlRefused(ValueError):
    """A YAML text refused: `line` (1-based) and `reason`."""

    def __init__(self, line: int, reason: str):
        super().__init__(f"line {line}: {reason}")
        self.line, self.reason = line, reason


def _load_yaml(content: str) -> Any:
    """YAML through the safe loader, refusing aliases and deep nesting before anything is built
    (the event stream is read first: bounded memory whatever the document says)."""
    depth = 0
    try:
        for event in yaml.parse(content, Loader=yaml.SafeLoader):
            if isinstance(event, yaml.AliasEvent):
                raise YamlRefused(event.start_mark.line + 1, "YAML aliases (*name) are not accepted")
            if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
                depth += 1
                if depth > MAX_YAML_DEPTH:
                    raise YamlRefused(event.start_mark.line + 1, f"nested deeper than {MAX_YAML_DEPTH} levels")
            elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
                depth -= 1
        return yaml.safe_load(content)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise YamlRefused(mark.line + 1 if mark else 1,
                          f"not valid YAML: {getattr(exc, 'problem', None) or exc}") from None


def read_text(path: Path) -> tuple[str, str]:
    """(text, encoding): UTF-8 (a BOM accepted), else GB18030 — what Excel saves on a Chinese Windows."""
    data = path.read_bytes()
    for encoding in ENCODINGS:
        try:
            text = data.decode("utf-8-sig" if encoding == "utf-8" else encoding)
        except UnicodeDecodeError:
            continue
        return text, encoding
    raise RegistryError(str(path), [], f"{path}: not a text file in UTF-8 or GB18030 (GBK)")


def _raw_rows(path: Path, content: str) -> list[tuple[int, Any]]:
    if path.suffix.lower() in (".yaml", ".yml"):
        try:
            loaded = _load_yaml(content)
        except YamlRefused as exc:
            raise RegistryError(str(path), [(exc.line, exc.reason)]) from None
        nodes = yaml.compose(content, Loader=yaml.SafeLoader)      # line numbers (no aliases, depth bounded)
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
        rows = []
        try:
            header = reader.fieldnames or []
            missing = [f for f in ("name", "url", "kind") if f not in header]
            if missing:
                raise RegistryError(str(path), [(1, f"CSV header lacks column(s): {', '.join(missing)}")])
            for row in reader:
                if None in row:
                    rows.append((reader.line_num, {"__extra__": row.pop(None)}))
                    continue
                if not any((v or "").strip() for v in row.values() if isinstance(v, str)):
                    continue
                rows.append((reader.line_num, row))
        except csv.Error as exc:
            # the csv module stops at a field over its limit: nothing after it can be read
            reason = f"a field longer than {MAX_FIELD_BYTES // 1024} KiB" if "field limit" in str(exc) else str(exc)
            raise RegistryError(str(path), [(reader.line_num + 1, reason)]) from None   # the line being read
        return rows
    if path.suffix.lower() == ".jsonl":
        rows = []
        for number, line in enumerate(content.splitlines(), start=1):
            if not line.strip():
                continue
            try:
                rows.append((number, json.loads(line)))
            except (json.JSONDecodeError, RecursionError) as exc:
                rows.append((number, f"not a JSON object ({getattr(exc, 'msg', 'nested too deep')})"))
        return rows
    raise RegistryError(str(path), [(1, "registry must be .csv, .yaml, .yml or .jsonl")])


def parse(path: str | Path) -> Registry:
    """Validate the whole file; raise RegistryError listing every problem of every row."""
    path = Path(path)
    if not path.is_file():
        raise RegistryError(str(path), [], f"file not found: {path}")
    if path.stat().st_size > MAX_FILE_BYTES:
        raise RegistryError(str(path), [], f"{path}: larger than {MAX_FILE_BYTES // (1024 * 1024)} MB")
    content, encoding = read_text(path)
    problems: list[tuple[int, str]] = []
    rows = Registry(encoding=encoding)
    seen: dict[str, int] = {}
    for line, raw in _raw_rows(path, content):
        if isinstance(raw, dict) and "__extra__" in raw:
            problems.append((line, "more values than header columns"))
            continue
        row, why = _row(line, raw)
        if why:
            problems += [(line, reason) for reason in why]
            continue
        key = same_site_key(row.url)
        if key in seen:
            problems.append((line, f"url {row.url} already on line {seen[key]}"))
            continue
        seen[key] = line
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
