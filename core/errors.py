"""One root for govaudit's own exceptions, and the catalog's error kinds.

Every layer raises a subclass of `GovauditError`, so a surface (CLI, console,
worker) can tell our reported failures from bugs. The CLI turns a `UserError`
into one `error:` line and exit code 2.
"""
from __future__ import annotations

from enum import StrEnum


class GovauditError(Exception):
    """A failure govaudit reports in one line; anything else is a bug."""


class UserError(GovauditError):
    """Bad input or an unusable environment: shown as one line, exit code 2, no traceback."""


class RefusedByPolicy(GovauditError):
    """The scanner's own policy refused a network target (a private address, a host not allowed)."""


class StorageError(GovauditError):
    """The database or the archive could not be opened, written or read."""


class ErrorKind(StrEnum):
    """Why a check could not measure (`details.error_kind` of an `error` finding).

    A StrEnum: members compare equal to, and serialise as, their plain strings,
    which is what the database and the exports hold."""
    TIMEOUT = "timeout"
    DNS = "dns"
    TLS = "tls"
    CONNECTION = "connection"
    TOO_MANY_REDIRECTS = "too_many_redirects"
    BLOCKED = "blocked"
    TOO_LARGE = "too_large"
    NOT_GATHERED = "not_gathered"
    INTERNAL = "internal"
