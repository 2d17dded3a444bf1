"""Who is acting and from where, for the duration of one request or command."""

from __future__ import annotations

import contextvars
from dataclasses import dataclass


@dataclass(frozen=True)
class AuditContext:
    remote_addr: str = ""
    request_id: str = ""


_current: contextvars.ContextVar[AuditContext] = contextvars.ContextVar(
    "casework_audit_context",
    default=AuditContext(),  # noqa: B039 -- frozen dataclass, immutable
)


def current() -> AuditContext:
    return _current.get()


def set_current(context: AuditContext) -> contextvars.Token[AuditContext]:
    return _current.set(context)


def reset(token: contextvars.Token[AuditContext]) -> None:
    _current.reset(token)
