"""Logging in and out, and the home page."""
from __future__ import annotations

from fastapi import APIRouter, Depends, Form, Request
from sqlalchemy.orm import Session

from govaudit.console.audit import audit
from govaudit.console.users import LOCK, LoginRefused, authenticate
from govaudit.console.web import csrf_token, current_user, get_session, render, require_role, see_other
from storage import models as m

router = APIRouter(include_in_schema=False)


def _safe_next(target: str | None) -> str:
    """Only a path on this console (never //host or a scheme): no open redirect."""
    if target and target.startswith("/") and not target.startswith(("//", "/\\")):
        return target
    return "/"


@router.get("/login")
def login_page(request: Request, next: str = "/", user: m.User | None = Depends(current_user)):
    if user is not None:
        return see_other(_safe_next(next))
    return render(request, "login.html.jinja", None, next=_safe_next(next))


@router.post("/login")
def login(request: Request, name: str = Form(...), password: str = Form(...), next: str = Form("/"),
          session: Session = Depends(get_session)):
    ip = request.client.host if request.client else "-"
    try:
        user = authenticate(session, name, password, ip)
    except LoginRefused as refused:
        session.commit()                # the failed attempt counts
        message = (f"失败次数过多，请 {int(LOCK.total_seconds() // 60)} 分钟后再试" if refused.locked
                   else "用户名或密码错误")
        return render(request, "login.html.jinja", None, status_code=429 if refused.locked else 401,
                      next=_safe_next(next), message=message, name=name)
    audit(session, user, "user.login", f"user:{user.name}", detail={"ip": ip})
    session.commit()
    request.session.clear()             # a new session (and CSRF token) at each login
    request.session.update(uid=user.id, uv=user.session_version)
    csrf_token(request)
    return see_other(_safe_next(next))


@router.post("/logout")
def logout(request: Request):
    request.session.clear()
    return see_other("/login")


@router.get("/")
def home(request: Request, user: m.User = Depends(require_role())):
    if user.role == "unit":
        return see_other("/sites")
    return see_other("/rounds")
