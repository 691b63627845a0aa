"""Settings from the environment, or from govaudit.toml in the working directory.

Environment wins over the file. Keys in the file are the variable names
without the GOVAUDIT_ prefix, lower case (database_url = "…").
"""
from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from core.errors import UserError

DEFAULTS = {
    "database_url": "sqlite:///govaudit.db",
    "data_dir": "govaudit-data",
    "broker_url": "redis://127.0.0.1:6379/0",
    "chromium": "",
    "allow_private": "",
    "allow_hosts": "",
    "obey_robots": "1",
    "user_agent": "govaudit/0.1 (+https://github.com/govaudit/govaudit; government website audit)",
    "max_pages": "200",
    "max_depth": "3",
    "timeout": "15",
    "max_attachment_texts": "50",
    "max_attachment_bytes": str(5 * 1024 * 1024),
    "max_external_links": "500",
    "max_links_per_page": "1000",
    "max_rps": "5",
    "host_concurrency": "2",
    "browser_pace": "2",
    "timezone": "Asia/Shanghai",
    "console_secret": "",
}


@dataclass
class Settings:
    database_url: str
    data_dir: Path
    broker_url: str
    chromium: str
    allow_private: bool
    allow_hosts: list[str] = field(default_factory=list)
    user_agent: str = DEFAULTS["user_agent"]
    max_pages: int = 200
    max_depth: int = 3
    timeout: float = 15.0
    max_attachment_texts: int = 50          # attachments per site whose text is read (PII check)
    max_attachment_bytes: int = 5 * 1024 * 1024
    obey_robots: bool = True                # False: robots.txt ignored for every site (an evaluator's mandate)
    max_external_links: int = 500           # external targets checked per site; the rest are `unchecked`
    max_links_per_page: int = 1000          # link rows stored (and followed) per page
    max_rps: float = 5.0                    # requests per second to one server (host:port); 0: unthrottled
    host_concurrency: int = 2               # requests in flight at once to one server
    browser_pace: float = 2.0               # seconds between requests of a `fetch: browser` site
    timezone: str = "Asia/Shanghai"         # the evaluators' zone: times in reports and notices
    console_secret: str = ""                # signs console sessions; empty: one kept in the data dir


def _file_values() -> dict[str, str]:
    path = Path("govaudit.toml")
    if not path.is_file():
        return {}
    try:
        with path.open("rb") as fh:
            return {str(k).lower(): str(v) for k, v in tomllib.load(fh).items()}
    except (tomllib.TOMLDecodeError, UnicodeDecodeError, OSError) as exc:
        raise UserError(f"govaudit.toml: {exc}") from None


def _number(values: dict[str, str], key: str, kind: type):
    try:
        return kind(values[key])
    except ValueError:
        word = "a whole number" if kind is int else "a number"
        raise UserError(f"setting GOVAUDIT_{key.upper()}: expected {word}, got {values[key]!r}") from None


def absolute_database_url(url: str) -> str:
    """A SQLite URL whose relative file path is made absolute against the working directory.

    Every process a command starts (crawl, storage process, probes, Celery tasks)
    must open the same file, whatever its own working directory."""
    if not url.startswith("sqlite"):
        return url
    from sqlalchemy.engine import make_url
    try:
        parsed = make_url(url)
    except Exception:
        return url      # get_engine reports an unusable URL in one line
    path = parsed.database
    if not path or path == ":memory:" or path.startswith("file:") or Path(path).is_absolute():
        return url
    return parsed.set(database=str(Path(path).resolve())).render_as_string(hide_password=False)


def allow_host_problem(spec: str) -> str | None:
    """Why `spec` is not HOST[:PORT[-PORT]] (an IPv6 host in brackets), or None."""
    if spec.startswith("["):
        host, close, ports = spec[1:].partition("]")
        if not close or (ports and not ports.startswith(":")):
            return "an IPv6 host goes in brackets: [::1]:8080"
        ports = ports[1:]
    else:
        host, _, ports = spec.partition(":")
    if not host or any(c.isspace() or c in "/?#@[]" for c in host):
        return "expected HOST[:PORT[-PORT]]"
    if ports:
        low, dash, high = ports.partition("-")
        if not (low.isdigit() and (high.isdigit() or not dash)):
            return "ports are whole numbers: PORT or PORT-PORT"
        low_n, high_n = int(low), int(high or low)
        if not (1 <= low_n <= high_n <= 65535):
            return "ports run from 1 to 65535, the first not above the second"
    return None


def _allow_hosts(raw: str) -> list[str]:
    hosts = [h.strip() for h in raw.split(",") if h.strip()]
    for spec in hosts:
        why = allow_host_problem(spec)
        if why:
            raise UserError(f"allowed host {spec!r} (--allow-host / GOVAUDIT_ALLOW_HOSTS): {why}")
    return hosts


def load() -> Settings:
    """Settings with every relative path resolved against the working directory."""
    values = dict(DEFAULTS)
    values.update(_file_values())
    for key in DEFAULTS:
        env = os.environ.get("GOVAUDIT_" + key.upper())
        if env is not None:
            values[key] = env
    if _number(values, "max_rps", float) < 0 or _number(values, "host_concurrency", int) < 1:
        raise UserError("settings GOVAUDIT_MAX_RPS must be ≥ 0 (0: unthrottled) and GOVAUDIT_HOST_CONCURRENCY ≥ 1")
    return Settings(
        database_url=absolute_database_url(values["database_url"]),
        data_dir=Path(values["data_dir"]).resolve(),
        broker_url=values["broker_url"],
        chromium=values["chromium"],
        allow_private=values["allow_private"].lower() in ("1", "true", "yes"),
        allow_hosts=_allow_hosts(values["allow_hosts"]),
        user_agent=values["user_agent"],
        max_pages=_number(values, "max_pages", int),
        max_depth=_number(values, "max_depth", int),
        timeout=_number(values, "timeout", float),
        max_attachment_texts=_number(values, "max_attachment_texts", int),
        max_attachment_bytes=_number(values, "max_attachment_bytes", int),
        obey_robots=values["obey_robots"].lower() not in ("0", "false", "no"),
        max_external_links=_number(values, "max_external_links", int),
        max_links_per_page=_number(values, "max_links_per_page", int),
        max_rps=_number(values, "max_rps", float),
        host_concurrency=_number(values, "host_concurrency", int),
        browser_pace=_number(values, "browser_pace", float),
        timezone=_zone(values["timezone"]),
        console_secret=values["console_secret"],
    )


def _zone(name: str) -> str:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise UserError(f"setting GOVAUDIT_TIMEZONE: unknown time zone {name!r} "
                        "(an IANA name such as Asia/Shanghai)") from None
    return name


def redact_url(url: str) -> str:
    """A database/broker URL with its password replaced, for logs and reports."""
    from sqlalchemy.engine import make_url
    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:
        return "<unparseable url>"
