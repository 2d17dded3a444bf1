"""Login, logout and failed login go to the audit log."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from casework.audit.models import Action
from casework.audit.services import audit_login_event


@receiver(user_logged_in)
def _logged_in(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    audit_login_event(user=user, action=Action.LOGIN)


@receiver(user_logged_out)
def _logged_out(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if user is not None:
        audit_login_event(user=user, action=Action.LOGOUT)


@receiver(user_login_failed)
def _login_failed(sender: Any, credentials: dict[str, Any], request: Any, **kwargs: Any) -> None:
    # Never store the attempted password; the username is enough to spot guessing.
    audit_login_event(
        user=None, action=Action.LOGIN_FAILED, username=str(credentials.get("username", ""))[:150]
    )
