"""Settings from the environment, or from govaudit.toml in the working directory.

Environment wins over the file. Keys in the file are the variable names
without the GOVAUDIT_ prefix, lower case (database_url = "…").
"""
from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

DEFAULTS = {
    "database_url": "sqlite:///govaudit.db",
    "data_dir": "govaudit-data",
    "broker_url": "redis://127.0.0.1:6379/0",
    "chromium": "",
    "allow_private": "",
    "allow_hosts": "",
    "user_agent": "govaudit/0.1 (+https://github.com/govaudit/govaudit; government website audit)",
    "max_pages": "200",
    "max_depth": "3",
    "timeout": "15",
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


def _file_values() -> dict[str, str]:
    path = Path("govaudit.toml")
    if not path.is_file():
        return {}
    with path.open("rb") as fh:
        return {str(k).lower(): str(v) for k, v in tomllib.load(fh).items()}


def load() -> Settings:
    values = dict(DEFAULTS)
    values.update(_file_values())
    for key in DEFAULTS:
        env = os.environ.get("GOVAUDIT_" + key.upper())
        if env is not None:
            values[key] = env
    return Settings(
        database_url=values["database_url"],
        data_dir=Path(values["data_dir"]),
        broker_url=values["broker_url"],
        chromium=values["chromium"],
        allow_private=values["allow_private"].lower() in ("1", "true", "yes"),
        allow_hosts=[h.strip() for h in values["allow_hosts"].split(",") if h.strip()],
        user_agent=values["user_agent"],
        max_pages=int(values["max_pages"]),
        max_depth=int(values["max_depth"]),
        timeout=float(values["timeout"]),
    )


def redact_url(url: str) -> str:
    """A database/broker URL with its password replaced, for logs and reports."""
    from sqlalchemy.engine import make_url
    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:
        return "<unparseable url>"
