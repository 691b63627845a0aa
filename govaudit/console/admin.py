"""Administration (admin role): users, API tokens, the audit log."""
from __future__ import annotations

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from sqlalchemy import select
from sqlalchemy.orm import Session

from govaudit.console.audit import audit
from govaudit.console.users import ROLES, add_user, create_token, listing
from govaudit.console.web import NavItem, get_session, render, require_role, see_other
from storage import models as m

router = APIRouter(include_in_schema=False)
NAV = [NavItem("/admin", "用户与日志", ("admin",))]
ADMIN = require_role("admin")
LOG_SHOWN = 200


def _page(request: Request, session: Session, user: m.User, status_code: int = 200, **extra):
    tokens = session.execute(select(m.ApiToken, m.User.name).join(m.User, m.User.id == m.ApiToken.user_id)
                             .order_by(m.ApiToken.id.desc())).all()
    log = list(session.scalars(select(m.AuditLog).order_by(m.AuditLog.id.desc()).limit(LOG_SHOWN)))
    units = list(session.scalars(select(m.Unit.name).order_by(m.Unit.name)))
    return render(request, "admin.html.jinja", user, status_code=status_code, users=listing(session),
                  tokens=tokens, log=log, roles=ROLES, units=units, **extra)


@router.get("/admin")
def admin(request: Request, user: m.User = Depends(ADMIN), session: Session = Depends(get_session)):
    return _page(request, session, user)


@router.post("/admin/users")
def new_user(request: Request, name: str = Form(...), role: str = Form(...), password: str = Form(...),
             unit: str = Form(""), why: str = Form(""), user: m.User = Depends(ADMIN),
             session: Session = Depends(get_session)):
    added = add_user(session, name.strip(), role, password, unit or None)
    audit(session, user, "user.add", f"user:{added.name}", why, {"role": role, "unit": unit or None})
    session.commit()
    return see_other("/admin")


@router.post("/admin/users/{name}/active")
def set_active(request: Request, name: str, active: bool = Form(...), why: str = Form(""),
               user: m.User = Depends(ADMIN), session: Session = Depends(get_session)):
    target = session.scalar(select(m.User).where(m.User.name == name))
    if target is None:
        raise HTTPException(404, f"没有用户 {name}")
    if target.id == user.id and not active:
        raise HTTPException(409, "不能停用自己")
    target.active = active
    target.session_version += 1          # a disabled user's open sessions end at once
    audit(session, user, "user.enable" if active else "user.disable", f"user:{name}", why)
    session.commit()
    return see_other("/admin")


@router.post("/admin/tokens")
def new_token(request: Request, name: str = Form(...), label: str = Form(...), why: str = Form(""),
              user: m.User = Depends(ADMIN), session: Session = Depends(get_session)):
    owner = session.scalar(select(m.User).where(m.User.name == name))
    if owner is None:
        raise HTTPException(404, f"没有用户 {name}")
    row, token = create_token(session, owner, label)
    audit(session, user, "token.create", f"user:{name}", why, {"token_id": row.id, "label": row.label})
    session.commit()
    return _page(request, session, user, new_token=token, token_owner=name)


@router.post("/admin/tokens/{token_id}/revoke")
def revoke_token(request: Request, token_id: int, why: str = Form(""), user: m.User = Depends(ADMIN),
                 session: Session = Depends(get_session)):
    row = session.get(m.ApiToken, token_id)
    if row is None:
        raise HTTPException(404, "没有这个令牌")
    row.revoked = True
    audit(session, user, "token.revoke", f"token:{token_id}", why)
    session.commit()
    return see_other("/admin")
