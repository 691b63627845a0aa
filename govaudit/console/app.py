"""The console's ASGI app (`govaudit serve`): FastAPI, server-rendered Jinja2 pages, htmx.

Sessions are signed cookies (Starlette's SessionMiddleware, itsdangerous): no session table to
write on every request and nothing to clean up. What a signed cookie cannot do alone — end the
sessions of a user whose password changed or who was disabled — the user row's
`session_version` does: the cookie carries the version it was issued with.
"""
from __future__ import annotations

import importlib
import os
import secrets
from pathlib import Path

from fastapi import Depends, FastAPI, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse, RedirectResponse
from sqlalchemy.orm import Session
from starlette.datastructures import MutableHeaders
from starlette.middleware.sessions import SessionMiddleware
from starlette.staticfiles import StaticFiles

from core.config import Settings
from core.errors import UserError
from govaudit.console.web import HERE, NotLoggedIn, csrf_protect, current_user, render, templates_for
from reports.shots import Screenshots
from storage.db import get_engine

# route modules, each with `router` (and optionally NAV); the menu follows this order
ROUTE_MODULES = [
    "govaudit.console.auth_routes",
    "govaudit.console.rounds",
    "govaudit.console.sites",
    "govaudit.console.site_page",
    "govaudit.console.check_page",
    "govaudit.console.frameworks_page",
    "govaudit.console.compare",
    "govaudit.console.manual_routes",
    "govaudit.console.dispute_routes",
    "govaudit.console.alert_routes",
    "govaudit.console.admin",
    "govaudit.console.api",
]
SESSION_COOKIE = "govaudit_session"
SESSION_HOURS = 12
# pages: scripts and styles from the console only (no inline script or style), frames from the console only
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; frame-src 'self'; "
       "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")


def session_secret(settings: Settings) -> str:
    """GOVAUDIT_CONSOLE_SECRET, or one made on first start and kept in the data directory (mode 0600)."""
    if settings.console_secret:
        return settings.console_secret
    path = Path(settings.data_dir) / "console-secret"
    try:
        return path.read_text().strip()
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    secret = secrets.token_urlsafe(48)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:           # another process made it first
        return path.read_text().strip()
    with os.fdopen(fd, "w") as fh:
        fh.write(secret)
    return secret


class SecurityHeaders:
    """CSP, frame and sniffing headers on every response; a route that sets its own CSP or
    X-Frame-Options (the archived-page frame) keeps them."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)

        async def send_with_headers(message):
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers.setdefault("Content-Security-Policy", CSP)
                headers.setdefault("X-Frame-Options", "DENY")
                headers.setdefault("X-Content-Type-Options", "nosniff")
                headers.setdefault("Referrer-Policy", "same-origin")
                headers.setdefault("Cache-Control", "no-store")
            await send(message)
        await self.app(scope, receive, send_with_headers)


def _wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/") or "authorization" in request.headers


def create_app(settings: Settings, secure_cookies: bool = False) -> FastAPI:
    """The console over `settings.database_url`. `secure_cookies`: the session cookie is sent over
    https only (set when served over TLS)."""
    app = FastAPI(title="govaudit console API", version="1", docs_url=None, redoc_url=None,
                  openapi_url="/api/v1/openapi.json", dependencies=[Depends(csrf_protect)])
    app.state.settings = settings
    app.state.engine = get_engine(settings.database_url)
    app.state.templates = templates_for(settings.timezone)
    app.state.shots = Screenshots(settings.data_dir)
    app.state.nav = []
    for name in ROUTE_MODULES:
        module = importlib.import_module(name)
        app.include_router(module.router)
        app.state.nav.extend(getattr(module, "NAV", []))
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")

    @app.get("/static-report/report.css", include_in_schema=False)
    def report_css():
        from reports.html import TEMPLATES
        return FileResponse(TEMPLATES / "report.css", media_type="text/css")

    @app.exception_handler(NotLoggedIn)
    def not_logged_in(request: Request, exc: NotLoggedIn):
        if _wants_json(request):
            return JSONResponse({"detail": "not authenticated"}, status_code=401,
                                headers={"WWW-Authenticate": "Bearer"})
        from urllib.parse import quote
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(f"/login?next={quote(target, safe='')}", status_code=303)

    @app.exception_handler(HTTPException)
    def http_error(request: Request, exc: HTTPException):
        if _wants_json(request):
            return JSONResponse({"detail": exc.detail}, status_code=exc.status_code, headers=exc.headers)
        user = _quiet_user(request)
        return render(request, "error.html.jinja", user, status_code=exc.status_code,
                      message=exc.detail if isinstance(exc.detail, str) else "出错了")

    @app.exception_handler(UserError)
    def user_error(request: Request, exc: UserError):
        if _wants_json(request):
            return JSONResponse({"detail": str(exc)}, status_code=400)
        return render(request, "error.html.jinja", _quiet_user(request), status_code=400, message=str(exc))

    @app.exception_handler(RequestValidationError)
    def bad_request(request: Request, exc: RequestValidationError):
        problems = "; ".join(f"{'.'.join(str(p) for p in e.get('loc', ()))}: {e.get('msg')}" for e in exc.errors())
        if _wants_json(request):
            return JSONResponse({"detail": problems}, status_code=422)
        return render(request, "error.html.jinja", _quiet_user(request), status_code=422,
                      message=f"请求有误：{problems}")

    app.add_middleware(SessionMiddleware, secret_key=session_secret(settings), session_cookie=SESSION_COOKIE,
                       max_age=SESSION_HOURS * 3600, same_site="lax", https_only=secure_cookies)
    app.add_middleware(SecurityHeaders)
    return app


def _quiet_user(request: Request):
    """The logged-in user for an error page's menu, or None (never an error itself)."""
    try:
        with Session(request.app.state.engine) as session:
            return current_user(request, session)
    except Exception:
        return None
