"""/api/v1: bearer tokens with their user's role, cursor pagination, filters, the OpenAPI schema."""
from __future__ import annotations

from sqlalchemy import select

from storage import models as m
from storage.db import session_scope


def _token(world, name: str) -> dict:
    from govaudit.console.users import create_token, get_user
    with session_scope(world.db_url) as s:
        _, token = create_token(s, get_user(s, name), "pipeline")
    return {"Authorization": f"Bearer {token}"}


def _all(client, path, headers, **params):
    items, cursor, pages = [], None, 0
    while True:
        answer = client.get(path, headers=headers, params={**params, **({"cursor": cursor} if cursor else {})})
        assert answer.status_code == 200, answer.text
        body = answer.json()
        items += body["items"]
        pages += 1
        cursor = body["next_cursor"]
        if cursor is None:
            return items, pages


def test_findings_paginated_by_cursor(world):
    client, auth = world.client(), _token(world, "viewer")
    items, pages = _all(client, "/api/v1/findings", auth, limit=10)
    with session_scope(world.db_url) as s:
        ids = list(s.scalars(select(m.Finding.id).order_by(m.Finding.id)))
    assert [f["id"] for f in items] == ids and len(ids) == 41 and pages == 5
    first = items[0]
    assert set(first) == {"id", "run_id", "site_id", "check_id", "check_version", "status", "value", "unit_of_value",
                          "details", "evidence", "measured_at", "supersedes", "adopted"}


def test_findings_filters(world):
    client, auth = world.client(), _token(world, "viewer")
    a, _, b, c, h = world.sites
    fails, _ = _all(client, "/api/v1/findings", auth, run=world.run_id, status="fail")
    assert sorted((f["site_id"], f["check_id"], f["value"]) for f in fails) == [
        (a, "links.dead_homepage", 3.0), (b, "update.homepage", 30.0), (c, "content.wording_errors", 1.0)]
    links, _ = _all(client, "/api/v1/findings", auth, check="links.*", site=a)
    assert sorted(f["check_id"] for f in links) == ["links.dead_homepage", "links.dead_site"]
    update, _ = _all(client, "/api/v1/findings", auth, area="update", site=b)
    assert sorted(f["check_id"] for f in update) == ["update.blank_columns", "update.homepage", "update.stale_columns"]
    later, _ = _all(client, "/api/v1/findings", auth, since="2999-01-01T00:00:00Z")
    assert later == []


def test_unit_token_sees_its_own_sites_only(world):
    client, auth = world.client(), _token(world, "unit")
    a, da, _, _, h = world.sites
    items, _ = _all(client, "/api/v1/findings", auth)
    assert {f["site_id"] for f in items} == {a, da, h}
    sites, _ = _all(client, "/api/v1/sites", auth)
    assert [s["name"] for s in sites] == ["甲市政府门户", "甲市数据开放", "甲市12345"]
    with session_scope(world.db_url) as s:
        other = s.scalar(select(m.Finding.id).where(m.Finding.site_id == world.sites[2]))
    assert client.get(f"/api/v1/findings/{other}", headers=auth).status_code == 404


def test_sites_runs_scores(world):
    client, auth = world.client(), _token(world, "evaluator")
    sites, _ = _all(client, "/api/v1/sites", auth, kind="portal")
    assert [s["name"] for s in sites] == ["甲市政府门户", "乙市政府门户", "丙县政府门户"]
    assert sites[0] == {"id": world.sites[0], "name": "甲市政府门户", "url": "http://a.example/", "kind": "portal",
                        "unit": "甲市人民政府", "level": None, "group": "省会城市", "region": "340100"}
    runs, _ = _all(client, "/api/v1/runs", auth)
    assert [(r["id"], r["kind"], r["status"]) for r in runs] == [(world.run_id, "round", "finished")]
    totals, _ = _all(client, "/api/v1/scores", auth, framework="inspection", indicator="total")
    assert sorted((t["details"]["subject"], t["score"], t["tier"]) for t in totals) == [
        ("丙县政府门户", 100.0, None), ("乙市政府门户", None, "不合格"), ("甲市政府门户", 97.0, None)]


def test_tokens_refused_when_wrong_or_revoked(world):
    client = world.client()
    assert client.get("/api/v1/sites", headers={"Authorization": "Bearer gva_nope"}).status_code == 401
    assert client.get("/api/v1/sites", headers={"Authorization": "Basic dmlld2VyOng="}).status_code == 401
    auth = _token(world, "viewer")
    with session_scope(world.db_url) as s:
        for row in s.scalars(select(m.ApiToken)):
            row.revoked = True
    assert client.get("/api/v1/sites", headers=auth).status_code == 401
    with session_scope(world.db_url) as s:
        stored = s.scalar(select(m.ApiToken.token_hash))
    assert len(stored) == 64 and auth["Authorization"].split()[1] not in stored


def test_a_bearer_token_never_falls_back_to_the_cookie(world):
    client = world.client("admin")          # logged in by cookie
    assert client.get("/api/v1/sites").status_code == 200
    assert client.get("/api/v1/sites", headers={"Authorization": "Bearer gva_nope"}).status_code == 401


def test_bad_parameters_are_422_in_one_line(world):
    client, auth = world.client(), _token(world, "viewer")
    answer = client.get("/api/v1/findings", headers=auth, params={"limit": 0})
    assert answer.status_code == 422 and "limit" in answer.json()["detail"]
    assert client.get("/api/v1/findings", headers=auth, params={"run": "x"}).status_code == 422


def test_openapi_schema(world):
    schema = world.client().get("/api/v1/openapi.json").json()
    assert sorted(schema["paths"]) == ["/api/v1/disputes", "/api/v1/findings", "/api/v1/findings/{finding_id}",
                                       "/api/v1/runs", "/api/v1/scores", "/api/v1/sites"]
    params = {p["name"] for p in schema["paths"]["/api/v1/findings"]["get"]["parameters"]}
    assert params == {"run", "site", "check", "status", "area", "since", "cursor", "limit"}
