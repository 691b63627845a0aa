"""Console commands: `serve` (the web console) and `users` (its accounts and API tokens)."""
from __future__ import annotations

import sys
from pathlib import Path
from typing import Optional

import typer
from rich.table import Table

from core.config import load
from core.errors import UserError
from govaudit.cli import app, make_console

console = make_console()
err = make_console(stderr=True)
users_app = typer.Typer(help="Console users (roles: admin, evaluator, auditor, viewer, unit) and API tokens.",
                        no_args_is_help=True)
app.add_typer(users_app, name="users")


def _session():
    from sqlalchemy.orm import Session

    from storage.db import get_engine
    return Session(get_engine(load().database_url), expire_on_commit=False)


def _password(from_stdin: bool, confirm: bool = True) -> str:
    if from_stdin:
        line = sys.stdin.readline()
        return line.rstrip("\r\n")
    if not sys.stdin.isatty():
        raise UserError("no terminal to ask the password on: pass it with --password-stdin")
    return typer.prompt("password", hide_input=True, confirmation_prompt=confirm)


@users_app.command("add")
def users_add(name: str = typer.Argument(..., help="Login name."),
              role: str = typer.Option(..., "--role", help="admin, evaluator, auditor, viewer or unit."),
              unit: Optional[str] = typer.Option(None, "--unit", help="For a unit user: the government (unit name)."),
              password_stdin: bool = typer.Option(False, "--password-stdin", help="Read the password from standard input.")):
    """Add a console user (the first one: an admin). The password is asked for (twice)."""
    from govaudit.console.audit import audit
    from govaudit.console.users import add_user
    password = _password(password_stdin)
    with _session() as session, session.begin():
        user = add_user(session, name, role, password, unit)
        audit(session, None, "user.add", f"user:{user.name}", detail={"role": role, "unit": unit})
    console.print(f"user {name} added ({role})", highlight=False)


@users_app.command("passwd")
def users_passwd(name: str = typer.Argument(..., help="Login name."),
                 password_stdin: bool = typer.Option(False, "--password-stdin", help="Read the password from standard input.")):
    """Set a user's password; their open console sessions end."""
    from govaudit.console.audit import audit
    from govaudit.console.users import set_password
    password = _password(password_stdin)
    with _session() as session, session.begin():
        user = set_password(session, name, password)
        audit(session, None, "user.passwd", f"user:{user.name}")
    console.print(f"password of {name} changed", highlight=False)


@users_app.command("list")
def users_list():
    """Every console user: name, role, unit, last login."""
    from govaudit.console.users import listing
    table = Table("name", "role", "unit", "active", "last login")
    with _session() as session:
        for user, unit in listing(session):
            table.add_row(user.name, user.role, unit or "", "yes" if user.active else "no",
                          user.last_login_at.strftime("%Y-%m-%d %H:%M") if user.last_login_at else "—")
    console.print(table)


@users_app.command("token")
def users_token(name: str = typer.Argument(..., help="Login name whose role the token carries."),
                label: str = typer.Option(..., "--label", help="What the token is for.")):
    """Create an API token for /api/v1 (printed once; only its hash is stored)."""
    from govaudit.console.audit import audit
    from govaudit.console.users import create_token, get_user
    with _session() as session, session.begin():
        user = get_user(session, name)
        row, token = create_token(session, user, label)
        audit(session, None, "token.create", f"user:{user.name}", detail={"token_id": row.id, "label": label})
    print(token)


@app.command()
def serve(host: str = typer.Option("127.0.0.1", "--host", help="Address to listen on."),
          port: int = typer.Option(8000, "--port", help="Port to listen on."),
          ssl_certfile: Optional[Path] = typer.Option(None, "--ssl-certfile", help="Serve https with this certificate."),
          ssl_keyfile: Optional[Path] = typer.Option(None, "--ssl-keyfile", help="The certificate's private key.")):
    """The evaluation team's web console over the configured database (create the first admin
    with `govaudit users add NAME --role admin`)."""
    import uvicorn

    from govaudit.console.app import create_app
    if not 0 < port < 65536:
        raise UserError(f"--port {port}: ports run from 1 to 65535")
    if (ssl_certfile is None) != (ssl_keyfile is None):
        raise UserError("--ssl-certfile and --ssl-keyfile go together")
    for path in (ssl_certfile, ssl_keyfile):
        if path is not None and not path.is_file():
            raise UserError(f"{path}: no such file")
    settings = load()
    web = create_app(settings, secure_cookies=ssl_certfile is not None)
    err.print(f"console on {'https' if ssl_certfile else 'http'}://{host}:{port}/", highlight=False)
    uvicorn.run(web, host=host, port=port, log_level="warning", proxy_headers=False,
                ssl_certfile=str(ssl_certfile) if ssl_certfile else None,
                ssl_keyfile=str(ssl_keyfile) if ssl_keyfile else None)
