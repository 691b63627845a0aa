"""Page 9, alerts: the webhooks (plain JSON, DingTalk and WeCom robots) and which events each
gets, and the delivery log (govaudit/alerts.py). Admins only: a robot's URL is its secret."""
from __future__ import annotations

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from sqlalchemy import select
from sqlalchemy.orm import Session

from govaudit import alerts
from govaudit.console.audit import audit
from govaudit.console.web import NavItem, get_session, render, require_role, see_other
from storage import models as m

router = APIRouter(include_in_schema=False)
ADMINS = ("admin",)
NAV = [NavItem("/alerts", "告警", ADMINS)]
STATUS_ZH = {"pending": "发送中", "delivered": "已送达", "failed": "失败"}


@router.get("/alerts")
def alerts_page(request: Request, user: m.User = Depends(require_role(*ADMINS)),
                session: Session = Depends(get_session)):
    hooks = list(session.scalars(select(m.Webhook).order_by(m.Webhook.id)))
    return render(request, "alerts.html.jinja", user, hooks=hooks, names={h.id: h.name for h in hooks},
                  deliveries=alerts.deliveries(session), events=alerts.EVENTS, formats=alerts.FORMATS,
                  delivery_zh=STATUS_ZH)


@router.post("/alerts/webhooks")
def add_webhook(request: Request, name: str = Form(...), url: str = Form(...), format: str = Form(...),
                events: list[str] = Form([]), user: m.User = Depends(require_role(*ADMINS)),
                session: Session = Depends(get_session)):
    hook = alerts.add_webhook(session, name, url, format, events)
    # the URL of a robot carries its access token: the log names the host only
    from urllib.parse import urlsplit
    audit(session, user, "webhook.add", f"webhook:{hook.id}", None,
          {"name": hook.name, "host": urlsplit(hook.url).hostname, "format": format, "events": hook.events})
    session.commit()
    return see_other("/alerts")


@router.post("/alerts/webhooks/{webhook_id}")
def change_webhook(request: Request, webhook_id: int, enabled: bool = Form(...), events: list[str] = Form([]),
                   user: m.User = Depends(require_role(*ADMINS)), session: Session = Depends(get_session)):
    if session.get(m.Webhook, webhook_id) is None:
        raise HTTPException(404, f"没有告警地址 {webhook_id}")
    hook = alerts.update_webhook(session, webhook_id, enabled=enabled, events=events or None)
    audit(session, user, "webhook.change", f"webhook:{webhook_id}", None,
          {"enabled": hook.enabled, "events": hook.events})
    session.commit()
    return see_other("/alerts")
