"""The authorisation matrix: every state-changing route tried as every role (403 where the role
may not), without a CSRF token (refused), and anonymously (login page or 401)."""
from __future__ import annotations

import re

import pytest

from tests.console.conftest import ROLES, csrf_of

# every state-changing route of the console, who may call it, and what an allowed role gets when
# it posts no fields but the CSRF token: the form's own validation (422), or for a route without
# required fields its answer about the target (a finished round is not resumed: 409; no token 1: 404)
ALLOWED = {
    "/rounds": ({"admin", "evaluator"}, 422),
    "/rounds/{run_id}/resume": ({"admin", "evaluator"}, 409),
    "/schedules": ({"admin", "evaluator"}, 422),
    "/schedules/{schedule_id}": ({"admin", "evaluator"}, 422),
    "/schedules/{schedule_id}/enabled": ({"admin", "evaluator"}, 422),
    "/sites/import": ({"admin", "evaluator"}, 422),
    "/sites/{site_id}/edit": ({"admin", "evaluator"}, 422),
    "/findings/rerun": ({"admin", "auditor"}, 422),
    "/admin/users": ({"admin"}, 422),
    "/admin/users/{name}/active": ({"admin"}, 422),
    "/admin/tokens": ({"admin"}, 422),
    "/admin/tokens/{token_id}/revoke": ({"admin"}, 404),
    # pages 7-9 (the manual values form checks its own fields: 400; no dispute 1 to rerun: 404)
    "/manual/values": ({"admin", "evaluator"}, 400),
    "/manual/vetoes": ({"admin", "evaluator"}, 422),
    "/disputes": ({"unit", "evaluator"}, 422),
    "/disputes/{dispute_id}/comment": ({"unit", "evaluator", "auditor"}, 422),
    "/disputes/{dispute_id}/rerun": ({"auditor"}, 404),
    "/disputes/{dispute_id}/decide": ({"auditor"}, 422),
    "/alerts/webhooks": ({"admin"}, 422),
    "/alerts/webhooks/{webhook_id}": ({"admin"}, 422),
}
OPEN = {"/login", "/logout"}        # anyone: logging in and out


def _changing_routes() -> list[str]:
    """Every route module's state-changing paths (app.ROUTE_MODULES: what the app includes)."""
    import importlib

    from govaudit.console.app import ROUTE_MODULES
    routes = [r for name in ROUTE_MODULES for r in importlib.import_module(name).router.routes]
    return sorted({r.path for r in routes if r.methods & {"POST", "PUT", "PATCH", "DELETE"}})


def _concrete(path: str, world) -> str:
    values = {"run_id": world.run_id, "schedule_id": 1, "site_id": world.sites[0], "name": "viewer", "token_id": 1,
              "dispute_id": 1, "webhook_id": 1}
    return re.sub(r"\{(\w+)\}", lambda m: str(values[m.group(1)]), path)


def test_every_changing_route_is_in_the_matrix(world):
    assert set(_changing_routes()) == set(ALLOWED) | OPEN


@pytest.mark.parametrize("role", ROLES)
def test_roles_outside_the_matrix_get_403(world, role):
    client = world.client(role)
    token = csrf_of(client.get("/checks").text)
    for path, (allowed, status) in sorted(ALLOWED.items()):
        answer = client.post(_concrete(path, world), data={"csrf_token": token}, follow_redirects=False)
        if role in allowed:
            assert answer.status_code == status, (path, role, answer.status_code)
        else:
            assert answer.status_code == 403, (path, role, answer.status_code)
            assert "你的角色无权进行此操作" in answer.text


def test_changing_routes_refuse_a_missing_csrf_token_even_for_admin(world):
    client = world.client("admin")
    for path in sorted(ALLOWED):
        answer = client.post(_concrete(path, world), data={}, follow_redirects=False)
        assert answer.status_code == 403 and "CSRF" in answer.text, path
        # a token in a header from another session does not pass either
        other = csrf_of(world.client("admin").get("/checks").text)
        answer = client.post(_concrete(path, world), data={}, headers={"X-CSRF-Token": other},
                             follow_redirects=False)
        assert answer.status_code == 403, path


def test_anonymous_posts_go_to_the_login(world):
    client = world.client()
    token = csrf_of(client.get("/login").text)
    for path in sorted(ALLOWED):
        answer = client.post(_concrete(path, world), data={"csrf_token": token}, follow_redirects=False)
        assert answer.status_code == 303 and answer.headers["location"].startswith("/login?next="), path


READ_PAGES = ["/rounds", f"/rounds/{{run_id}}", "/sites", "/checks", "/checks/links.dead_homepage", "/frameworks",
              "/compare", "/admin", "/manual", "/disputes", "/alerts", "/notices/{unit_id}"]


@pytest.mark.parametrize("role", ROLES)
def test_reading_pages_by_role(world, role):
    client = world.client(role)
    expected = {"/admin": 200 if role == "admin" else 403, "/alerts": 200 if role == "admin" else 403,
                "/manual": 403 if role == "unit" else 200}
    for page in READ_PAGES:
        path = page.replace("{run_id}", str(world.run_id)).replace("{unit_id}", str(world.units[0]))
        status = expected.get(page, 403 if role == "unit" and page.startswith("/rounds") else 200)
        assert client.get(path).status_code == status, (role, path)


def test_anonymous_pages_redirect_and_api_says_401(world):
    client = world.client()
    answer = client.get("/sites/1?x=1", follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"] == "/login?next=%2Fsites%2F1%3Fx%3D1"
    api = client.get("/api/v1/findings")
    assert api.status_code == 401 and api.headers["www-authenticate"] == "Bearer"
    assert api.json() == {"detail": "not authenticated"}


def test_unit_user_sees_only_its_own_sites(world):
    client = world.client("unit")        # bound to 甲市人民政府: sites 0, 1 and 4 of the seed
    listing = client.get("/sites").text
    assert "甲市政府门户" in listing and "甲市数据开放" in listing and "甲市12345" in listing
    assert "乙市政府门户" not in listing and "丙县政府门户" not in listing
    assert client.get(f"/sites/{world.sites[0]}").status_code == 200
    assert client.get(f"/sites/{world.sites[2]}").status_code == 404
    check = client.get("/checks/update.homepage").text
    assert "甲市政府门户" in check and "乙市政府门户" not in check
