"""`govaudit users` and `govaudit serve` as a user runs them: one-line errors, exit code 2."""
from __future__ import annotations

import os
import stat

from tests.govaudit.test_cli import cli


def test_users_add_list_passwd_token(tmp_path):
    res = cli("users", "add", "张评估", "--role", "evaluator", "--password-stdin", cwd=tmp_path,
              input_text="long enough pw\n")
    assert (res.returncode, res.stdout.strip()) == (0, "user 张评估 added (evaluator)")
    listed = cli("users", "list", cwd=tmp_path)
    assert "张评估" in listed.stdout and "evaluator" in listed.stdout
    assert cli("users", "passwd", "张评估", "--password-stdin", cwd=tmp_path,
               input_text="another long pw\n").stdout.strip() == "password of 张评估 changed"
    token = cli("users", "token", "张评估", "--label", "pipeline", cwd=tmp_path).stdout.strip()
    assert token.startswith("gva_") and len(token) == 47


def test_users_bad_input_is_one_line(tmp_path):
    cases = [
        (["users", "add", "a", "--role", "boss", "--password-stdin"], "long enough pw\n",
         "error: unknown role 'boss' (one of admin, evaluator, auditor, viewer, unit)"),
        (["users", "add", "a", "--role", "viewer", "--password-stdin"], "short\n",
         "error: password too short: at least 8 characters"),
        (["users", "add", "a b", "--role", "viewer", "--password-stdin"], "long enough pw\n",
         "error: user name 'a b': letters (Chinese too), digits and _ . @ - only, at most 100"),
        (["users", "add", "u", "--role", "unit", "--password-stdin"], "long enough pw\n",
         "error: a unit user needs --unit NAME (the government whose sites it sees)"),
        (["users", "add", "u", "--role", "unit", "--unit", "某市", "--password-stdin"], "long enough pw\n",
         "error: no unit '某市' in the registry"),
        (["users", "passwd", "nobody", "--password-stdin"], "long enough pw\n",
         "error: no user 'nobody' (see `govaudit users list`)"),
        (["users", "add", "a", "--role", "viewer"], "",
         "error: no terminal to ask the password on: pass it with --password-stdin"),
        (["serve", "--port", "70000"], "", "error: --port 70000: ports run from 1 to 65535"),
        (["serve", "--ssl-certfile", "cert.pem"], "", "error: --ssl-certfile and --ssl-keyfile go together"),
    ]
    for args, stdin, expected in cases:
        res = cli(*args, cwd=tmp_path, input_text=stdin)
        assert (res.returncode, res.stderr.strip()) == (2, expected), args
        assert "Traceback" not in res.stdout + res.stderr
    assert cli("users", "add", "a", "--role", "viewer", "--password-stdin", cwd=tmp_path,
               input_text="long enough pw\n").returncode == 0
    res = cli("users", "add", "a", "--role", "viewer", "--password-stdin", cwd=tmp_path, input_text="long enough pw\n")
    assert res.stderr.strip() == "error: user 'a' exists (change the password with `govaudit users passwd`)"


def test_generated_session_secret_is_private_and_kept(tmp_path, monkeypatch):
    from core.config import load
    from govaudit.console.app import session_secret
    monkeypatch.setenv("GOVAUDIT_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("GOVAUDIT_CONSOLE_SECRET", raising=False)
    first = session_secret(load())
    path = tmp_path / "data" / "console-secret"
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600 and len(first) == 64
    assert session_secret(load()) == first
    monkeypatch.setenv("GOVAUDIT_CONSOLE_SECRET", "from-settings")
    assert session_secret(load()) == "from-settings"
