"""One error tree for the whole application, mapped to HTTP in one place (``casework.api``).

Services raise these; the API turns them into ``{"detail", "code", "errors"}`` with the status
below, and web views turn them into form errors or messages.
"""

from __future__ import annotations

from typing import Any


class ApplicationError(Exception):
    status_code = 400
    code = "bad_request"

    def __init__(
        self,
        detail: str,
        *,
        code: str | None = None,
        errors: list[dict[str, Any]] | None = None,
    ) -> None:
        super().__init__(detail)
        self.detail = detail
        if code:
            self.code = code
        self.errors = errors or []

    def as_dict(self) -> dict[str, Any]:
        return {"detail": self.detail, "code": self.code, "errors": self.errors}


class ValidationFailed(ApplicationError):
    """Input that is well-formed but breaks a rule (a field, a code, a range)."""

    status_code = 422
    code = "validation_error"


class NotFound(ApplicationError):
    """Missing, or not visible to the acting user: the two are deliberately indistinguishable."""

    status_code = 404
    code = "not_found"


class PermissionDenied(ApplicationError):
    """The user can see the record but their role may not perform the action."""

    status_code = 403
    code = "permission_denied"


class Conflict(ApplicationError):
    status_code = 409
    code = "conflict"


class StaleVersion(Conflict):
    code = "stale_version"


class TransitionRefused(Conflict):
    """A lifecycle transition that is not allowed, or whose guard failed."""

    code = "transition_refused"


def field_error(field: str, message: str, **extra: Any) -> dict[str, Any]:
    """One entry of the ``errors`` list: ``{"field": ..., "message": ...}``."""
    return {"field": field, "message": message, **extra}
