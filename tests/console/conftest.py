"""The console over a small seeded world (tests/scoring_seed.py: three governments, five sites,
one scored round with hostile crawled text), one user per role, and an archived hostile page."""
from __future__ import annotations

import re
from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient

from tests.scoring_seed import seed

PASSWORD = "correct horse battery"
ROLES = ("admin", "evaluator", "auditor", "viewer", "unit")
# what the archived page tries: script in the console's origin, a parent-frame write, a remote load
ARCHIVED_HOSTILE = (b'<!DOCTYPE html><html><head><meta charset="utf-8"><title>archived</title>'
                    b'<script>parent.document.title="pwned"</script></head>'
                    b'<body><h1>\xe5\xad\x98\xe6\xa1\xa3\xe9\xa1\xb5</h1><img src="http://127.0.0.1:9/x.png">'
                    b'<a href="javascript:alert(1)">x</a></body></html>')


@dataclass
class World:
    db_url: str
    data_dir: object
    run_id: int
    sites: list[int]
    units: list[int]
    archived_page: int
    settings: object

    def client(self, role: str | None = None, secure: bool = False) -> TestClient:
        """A client logged in as the user of `role` (named like the role), or anonymous."""
        from govaudit.console.app import create_app
        client = TestClient(create_app(self.settings, secure_cookies=secure),
                            base_url="https://testserver" if secure else "http://testserver")
        if role is not None:
            login(client, role, PASSWORD)
        return client


def csrf_of(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def login(client: TestClient, name: str, password: str, next_: str = "/"):
    page = client.get("/login")
    return client.post("/login", data={"name": name, "password": password, "csrf_token": csrf_of(page.text),
                                       "next": next_}, follow_redirects=False)


@pytest.fixture
def world(tmp_path, monkeypatch) -> World:
    from sqlalchemy import select

    from core.config import load
    from crawler.warc import WarcStore, warc_path
    from govaudit.console.users import add_user
    from reports.store import score_run
    from storage import models as m
    from storage.db import session_scope
    db_url = f"sqlite:///{tmp_path / 'console.db'}"
    data_dir = tmp_path / "data"
    monkeypatch.setenv("GOVAUDIT_DATABASE_URL", db_url)
    monkeypatch.setenv("GOVAUDIT_DATA_DIR", str(data_dir))
    monkeypatch.setenv("GOVAUDIT_CONSOLE_SECRET", "test-secret-" + "x" * 32)
    monkeypatch.chdir(tmp_path)
    info = seed(db_url)
    store = WarcStore(data_dir)
    rel = warc_path(info["run_id"], info["sites"][0])
    rec = store.write(rel, "http://a.example/x.html", 200, "OK", [("Content-Type", "text/html; charset=utf-8")],
                      ARCHIVED_HOSTILE)
    store.close()
    with session_scope(db_url) as s:
        score_run(s, info["run_id"])
        page = m.Page(run_id=info["run_id"], site_id=info["sites"][0], url="http://a.example/x.html",
                      final_url="http://a.example/x.html", role="page", status=200, depth=1,
                      warc_file=rec["file"], warc_offset=rec["offset"], warc_length=rec["length"])
        s.add(page)
        s.flush()
        for role in ROLES:
            unit = s.scalar(select(m.Unit.name).where(m.Unit.id == info["units"][0])) if role == "unit" else None
            add_user(s, role, role, PASSWORD, unit)
        page_id = page.id
    return World(db_url, data_dir, info["run_id"], info["sites"], info["units"], page_id, load())
