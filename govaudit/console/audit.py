"""The console's audit log: every change made through the console or its API, one row each
(who, when, what, to what, why). Written in the same transaction as the change itself."""
from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from storage import models as m


def audit(session: Session, user: m.User | None, action: str, target: str, why: str | None = None,
          detail: dict[str, Any] | None = None) -> m.AuditLog:
    """Record `action` (e.g. "round.start") on `target` (e.g. "run:12") by `user` (None: the
    command line). Call it inside the session that makes the change, so both commit or neither."""
    row = m.AuditLog(user_id=user.id if user else None, user_name=user.name if user else "(command line)",
                     action=action, target=target, why=(why or "").strip() or None, detail=detail or {},
                     at=m.utcnow())
    session.add(row)
    return row
