"""Console users: Argon2 passwords, roles, login throttling, API tokens. The CLI (`govaudit users`)
and the console's admin pages call these; nothing else writes the users table."""
from __future__ import annotations

import hashlib
import re
import secrets
from datetime import datetime, timedelta, timezone

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.errors import UserError
from storage import models as m

# admin: users and tokens; evaluator: registry, schedules, rounds; auditor: reruns (and dispute
# decisions); viewer: reads; unit: reads its own unit's sites only
ROLES = ("admin", "evaluator", "auditor", "viewer", "unit")
ROLE_ZH = {"admin": "管理员", "evaluator": "评估员", "auditor": "复核员", "viewer": "只读", "unit": "被评单位"}
MIN_PASSWORD = 8
MAX_FAILURES = 5                       # failed logins per (name, address) before the lock
LOCK = timedelta(minutes=15)
_NAME = re.compile(r"[A-Za-z0-9_.@-]{1,100}")
_hasher = PasswordHasher()            # Argon2id with the library's current parameters


class LoginRefused(Exception):
    """Wrong name or password, a disabled user, or too many failures (`locked`)."""

    def __init__(self, locked: bool = False):
        super().__init__("locked" if locked else "bad credentials")
        self.locked = locked


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise UserError(f"password too short: at least {MIN_PASSWORD} characters")


def get_user(session: Session, name: str) -> m.User:
    user = session.scalar(select(m.User).where(m.User.name == name))
    if user is None:
        raise UserError(f"no user {name!r} (see `govaudit users list`)")
    return user


def add_user(session: Session, name: str, role: str, password: str, unit: str | None = None) -> m.User:
    if not _NAME.fullmatch(name):
        raise UserError(f"user name {name!r}: letters, digits and _ . @ - only, at most 100")
    if role not in ROLES:
        raise UserError(f"unknown role {role!r} (one of {', '.join(ROLES)})")
    unit_id = None
    if role == "unit":
        if not unit:
            raise UserError("a unit user needs --unit NAME (the government whose sites it sees)")
        unit_id = session.scalar(select(m.Unit.id).where(m.Unit.name == unit))
        if unit_id is None:
            raise UserError(f"no unit {unit!r} in the registry")
    elif unit:
        raise UserError("--unit is for the unit role only")
    if session.scalar(select(m.User.id).where(m.User.name == name)) is not None:
        raise UserError(f"user {name!r} exists (change the password with `govaudit users passwd`)")
    _check_password(password)
    user = m.User(name=name, role=role, unit_id=unit_id, password_hash=_hasher.hash(password), session_version=1,
                  active=True)
    session.add(user)
    session.flush()
    return user


def set_password(session: Session, name: str, password: str) -> m.User:
    """A new password; the user's open console sessions end."""
    _check_password(password)
    user = get_user(session, name)
    user.password_hash = _hasher.hash(password)
    user.session_version += 1
    return user


def listing(session: Session) -> list:
    """(user, unit name or None) rows, by name."""
    return list(session.execute(select(m.User, m.Unit.name).outerjoin(m.Unit, m.Unit.id == m.User.unit_id)
                                .order_by(m.User.name)).all())


def _failures(session: Session, name: str, ip: str, now: datetime) -> int:
    """Failures for (name, ip) within the lock window and after the last success."""
    since = now - LOCK
    last_ok = session.scalar(select(func.max(m.LoginAttempt.at)).where(
        m.LoginAttempt.user_name == name, m.LoginAttempt.ip == ip, m.LoginAttempt.ok.is_(True),
        m.LoginAttempt.at >= since))
    if last_ok is not None:
        since = last_ok if last_ok.tzinfo else last_ok.replace(tzinfo=timezone.utc)
    return session.scalar(select(func.count()).select_from(m.LoginAttempt).where(
        m.LoginAttempt.user_name == name, m.LoginAttempt.ip == ip, m.LoginAttempt.ok.is_(False),
        m.LoginAttempt.at >= since)) or 0


def authenticate(session: Session, name: str, password: str, ip: str) -> m.User:
    """The user, or LoginRefused. After MAX_FAILURES failures from one address for one name, every
    attempt is refused until LOCK has passed since them (the password is not even tried)."""
    now = datetime.now(timezone.utc)
    name = name[:100]
    if _failures(session, name, ip, now) >= MAX_FAILURES:
        raise LoginRefused(locked=True)
    user = session.scalar(select(m.User).where(m.User.name == name))
    ok = False
    if user is not None and user.active:
        try:
            ok = _hasher.verify(user.password_hash, password)
        except (VerificationError, InvalidHashError):
            ok = False
    else:
        _hasher.hash(password)      # the same work either way: the time does not tell which names exist
    session.add(m.LoginAttempt(user_name=name, ip=ip[:45], at=now, ok=ok))
    if not ok:
        raise LoginRefused()
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = _hasher.hash(password)
    user.last_login_at = now
    return user


# -- API tokens ----------------------------------------------------------------
TOKEN_PREFIX = "gva_"


def _token_hash(token: str) -> str:
    # a token is 256 random bits: a plain SHA-256 is enough (no salt or slow hash needed)
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(session: Session, user: m.User, label: str) -> tuple[m.ApiToken, str]:
    """A new token for `user`: (row, the token itself — shown once, stored only hashed)."""
    label = label.strip()
    if not label or len(label) > 100:
        raise UserError("a token needs a label of 1 to 100 characters (what it is for)")
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    row = m.ApiToken(user_id=user.id, label=label, token_hash=_token_hash(token), revoked=False)
    session.add(row)
    session.flush()
    return row, token


def token_user(session: Session, token: str) -> m.User | None:
    """The active user a token acts as, or None (unknown, revoked, or user disabled)."""
    row = session.scalar(select(m.ApiToken).where(m.ApiToken.token_hash == _token_hash(token),
                                                  m.ApiToken.revoked.is_(False)))
    if row is None:
        return None
    user = session.get(m.User, row.user_id)
    if user is None or not user.active:
        return None
    row.last_used_at = datetime.now(timezone.utc)
    return user
