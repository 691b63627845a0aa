"""Logging in: Argon2 passwords, throttling, session cookie flags, CSRF, session end on a new password."""
from __future__ import annotations

from sqlalchemy import select

from storage import models as m
from storage.db import session_scope
from tests.console.conftest import PASSWORD, csrf_of, login


def test_login_sets_a_signed_httponly_samesite_cookie(world):
    client = world.client()
    answer = login(client, "viewer", PASSWORD)
    assert answer.status_code == 303 and answer.headers["location"] == "/"
    cookie = answer.headers["set-cookie"]
    assert cookie.startswith("govaudit_session=")
    flags = {part.strip().lower() for part in cookie.split(";")[1:]}
    assert {"httponly", "samesite=lax", "path=/"} <= flags
    assert "secure" not in flags
    assert client.get("/sites").status_code == 200


def test_secure_cookie_when_served_over_https(world):
    client = world.client(secure=True)
    cookie = login(client, "viewer", PASSWORD).headers["set-cookie"]
    assert "secure" in {part.strip().lower() for part in cookie.split(";")[1:]}


def test_password_is_stored_as_argon2id(world):
    with session_scope(world.db_url) as s:
        stored = s.scalar(select(m.User.password_hash).where(m.User.name == "viewer"))
    assert stored.startswith("$argon2id$") and PASSWORD not in stored


def test_wrong_password_then_lock_after_five_failures(world):
    client = world.client()
    for _ in range(5):
        answer = login(client, "viewer", "wrong password")
        assert answer.status_code == 401 and "用户名或密码错误" in answer.text
    locked = login(client, "viewer", PASSWORD)      # the right password too, while locked
    assert locked.status_code == 429 and "失败次数过多，请 15 分钟后再试" in locked.text
    assert client.get("/sites", follow_redirects=False).status_code == 303
    with session_scope(world.db_url) as s:
        attempts = s.execute(select(m.LoginAttempt.user_name, m.LoginAttempt.ok)).all()
    assert attempts == [("viewer", False)] * 5       # a refused attempt while locked does not prolong the lock
    # another user from the same address is not locked
    assert login(world.client(), "auditor", PASSWORD).status_code == 303


def test_unknown_user_and_disabled_user_are_refused_alike(world):
    with session_scope(world.db_url) as s:
        s.scalar(select(m.User).where(m.User.name == "viewer")).active = False
    assert login(world.client(), "nobody", PASSWORD).status_code == 401
    assert login(world.client(), "viewer", PASSWORD).status_code == 401


def test_post_without_csrf_token_is_refused(world):
    client = world.client("evaluator")
    answer = client.post("/rounds", data={"scope": "all"})
    assert answer.status_code == 403 and "CSRF" in answer.text
    answer = client.post("/rounds", data={"scope": "all", "csrf_token": "forged"})
    assert answer.status_code == 403
    with session_scope(world.db_url) as s:
        assert s.scalar(select(m.Run.id).where(m.Run.id > world.run_id)) is None


def test_login_form_itself_needs_the_token(world):
    client = world.client()
    answer = client.post("/login", data={"name": "viewer", "password": PASSWORD}, follow_redirects=False)
    assert answer.status_code == 403


def test_next_is_never_another_host(world):
    client = world.client()
    for target in ("//evil.example/x", "https://evil.example/", "/\\evil.example"):
        answer = login(client, "viewer", PASSWORD, next_=target)
        assert answer.headers["location"] == "/"
        client.post("/logout", data={"csrf_token": csrf_of(client.get("/sites").text)})


def test_new_password_ends_open_sessions(world):
    from govaudit.console.users import set_password
    client = world.client("viewer")
    assert client.get("/sites").status_code == 200
    with session_scope(world.db_url) as s:
        set_password(s, "viewer", "another password 2")
    answer = client.get("/sites", follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"] == "/login?next=%2Fsites"


def test_logout(world):
    client = world.client("viewer")
    token = csrf_of(client.get("/sites").text)
    assert client.post("/logout", data={"csrf_token": token}, follow_redirects=False).headers["location"] == "/login"
    assert client.get("/sites", follow_redirects=False).status_code == 303


def test_security_headers(world):
    client = world.client("viewer")
    answer = client.get("/sites")
    assert answer.headers["content-security-policy"].startswith("default-src 'self'; script-src 'self';")
    assert "'unsafe-inline'" not in answer.headers["content-security-policy"]
    assert answer.headers["x-frame-options"] == "DENY"
    assert answer.headers["x-content-type-options"] == "nosniff"
    login_page = world.client().get("/login")
    assert login_page.headers["x-frame-options"] == "DENY"


def test_login_is_audited(world):
    world.client("auditor")
    with session_scope(world.db_url) as s:
        rows = s.execute(select(m.AuditLog.user_name, m.AuditLog.action, m.AuditLog.target)).all()
    assert ("auditor", "user.login", "user:auditor") in rows
