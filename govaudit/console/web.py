"""What every console route uses: the database session, the logged-in user, `require_role`,
the CSRF token, the templates.

A route module (govaudit/console/*.py, listed in app.ROUTE_MODULES) holds an `APIRouter`
named `router` and may hold `NAV`, its entries in the top menu. A page route looks like:

    router = APIRouter()
    NAV = [NavItem("/disputes", "争议与整改", ("admin", "evaluator", "auditor", "unit"))]

    @router.post("/disputes/{finding_id}")
    def open_dispute(request: Request, finding_id: int, why: str = Form(...),
                     user: m.User = Depends(require_role("evaluator", "unit")),
                     session: Session = Depends(get_session)):
        ...                                    # the change
        audit(session, user, "dispute.open", f"finding:{finding_id}", why)
        session.commit()
        return see_other(f"/findings/{finding_id}")

Every POST/PUT/PATCH/DELETE is checked for the CSRF token before the route runs (forms carry
`{{ csrf_field() }}`; htmx sends the X-CSRF-Token header the base template sets). Requests with
`Authorization: Bearer …` (API tokens) are exempt: they carry no cookie authority.
"""
from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator

from fastapi import Depends, HTTPException, Request
from fastapi.responses import RedirectResponse
from fastapi.templating import Jinja2Templates
from jinja2 import ChoiceLoader, Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup
from sqlalchemy.orm import Session

from govaudit.console.users import ROLE_ZH, ROLES, token_user
from storage import models as m

HERE = Path(__file__).parent
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
READERS = ROLES                                    # every role reads (a unit user only its own sites)
STAFF = ("admin", "evaluator", "auditor", "viewer")  # every role but unit


@dataclass(frozen=True)
class NavItem:
    path: str
    label: str
    roles: tuple[str, ...] = READERS


class NotLoggedIn(Exception):
    """No valid session or token: a page redirects to the login, the API answers 401."""


# -- the database --------------------------------------------------------------
def get_session(request: Request) -> Iterator[Session]:
    """A session on the console's database; a route that changes something commits it itself."""
    with Session(request.app.state.engine, expire_on_commit=False) as session:
        yield session


# -- who is asking -------------------------------------------------------------
def bearer_token(request: Request) -> str | None:
    auth = request.headers.get("authorization")
    if auth is None:
        return None
    scheme, _, token = auth.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise NotLoggedIn()
    return token.strip()


def current_user(request: Request, session: Session = Depends(get_session)) -> m.User | None:
    """The user of a bearer token (never a cookie then), or of the session cookie, or None."""
    token = bearer_token(request)
    if token is not None:
        user = token_user(session, token)
        if user is None:
            raise NotLoggedIn()
        session.commit()        # last_used_at
        return user
    uid = request.session.get("uid")
    if uid is None:
        return None
    user = session.get(m.User, uid)
    if user is None or not user.active or request.session.get("uv") != user.session_version:
        request.session.pop("uid", None)
        return None
    return user


def require_role(*roles: str) -> Callable[..., m.User]:
    """A dependency giving the logged-in user when their role is one of `roles` (none named:
    any role). Not logged in: NotLoggedIn (login page or 401); another role: 403."""
    unknown = set(roles) - set(ROLES)
    if unknown:
        raise ValueError(f"unknown roles {unknown}")

    def dependency(user: m.User | None = Depends(current_user)) -> m.User:
        if user is None:
            raise NotLoggedIn()
        if roles and user.role not in roles:
            raise HTTPException(403, "你的角色无权进行此操作")
        return user
    return dependency


def unit_scope(user: m.User) -> int | None:
    """The unit whose sites a user may see: its own for a unit user, None (all) for others."""
    return user.unit_id if user.role == "unit" else None


def visible_site(session: Session, user: m.User, site_id: int) -> m.Site:
    """The site, or 404 when it does not exist or the user's unit does not own it."""
    site = session.get(m.Site, site_id)
    scope = unit_scope(user)
    if site is None or (scope is not None and site.unit_id != scope):
        raise HTTPException(404, "没有这个网站")
    return site


# -- CSRF ----------------------------------------------------------------------
def csrf_token(request: Request) -> str:
    """This session's CSRF token (made on first use)."""
    token = request.session.get("csrf")
    if not token:
        token = request.session["csrf"] = secrets.token_urlsafe(32)
    return token


async def csrf_protect(request: Request) -> None:
    """Refuse a state-changing request without this session's token (form field or header)."""
    if request.method in SAFE_METHODS or "authorization" in request.headers:
        return
    sent = request.headers.get(CSRF_HEADER)
    if sent is None:
        ctype = request.headers.get("content-type", "")
        if ctype.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
            sent = (await request.form()).get(CSRF_FIELD)
    expected = request.session.get("csrf")
    if not expected or not isinstance(sent, str) or not hmac.compare_digest(sent, expected):
        raise HTTPException(403, "表单已失效（CSRF 校验未通过），请刷新页面后重试")


# -- pages ---------------------------------------------------------------------
def _environment(tz: str) -> Environment:
    from reports.html import TEMPLATES, environment
    env = Environment(loader=ChoiceLoader([FileSystemLoader(HERE / "templates"), FileSystemLoader(TEMPLATES)]),
                      autoescape=select_autoescape(["jinja", "html"]), trim_blocks=True, lstrip_blocks=True)
    env.globals.update(environment(tz).globals)      # the report's words, colours and formats
    env.globals.update(role_zh=lambda r: ROLE_ZH.get(r, r))
    return env


def templates_for(tz: str) -> Jinja2Templates:
    return Jinja2Templates(env=_environment(tz))


def render(request: Request, template: str, user: m.User | None, status_code: int = 200, **context):
    """A page: the template with the user, the menu for their role and the CSRF helpers."""
    token = csrf_token(request)
    nav = [item for item in request.app.state.nav if user is not None and user.role in item.roles]
    context.update(user=user, nav=nav, csrf=token, status_code=status_code,
                   csrf_field=lambda: Markup('<input type="hidden" name="%s" value="%s">') % (CSRF_FIELD, token))
    return request.app.state.templates.TemplateResponse(request, template, context, status_code=status_code)


def see_other(url: str) -> RedirectResponse:
    """The answer to a form post: go to this page (303, so the browser GETs it)."""
    return RedirectResponse(url, status_code=303)
