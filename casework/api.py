"""The JSON API: one NinjaAPI mounting each app's router, and the one place errors become HTTP.

Every error answers ``{"detail": str, "code": str, "errors": [...]}`` (DESIGN.md, "Contracts").
"""

from __future__ import annotations

import logging
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.security import HttpBearer, SessionAuth

from casework.accounts.services import token_authenticate
from casework.core.errors import ApplicationError

logger = logging.getLogger("casework.api")


class BearerAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = token_authenticate(token)
        if user is not None:
            request.user = user
        return user


api = NinjaAPI(
    title="casework API",
    version="1",
    description=(
        "Case management for health and human services. Authenticate with "
        "`Authorization: Bearer <token>` (`casework token create USERNAME`). Errors are "
        '`{"detail": str, "code": str, "errors": [...]}`; lists are '
        '`{"items": [...], "next": cursor-or-null}`; updates carry the `version` they read and '
        "a stale one is answered with 409."
    ),
    auth=[BearerAuth(), SessionAuth()],
    urls_namespace="api-v1",
)


def _error(request: HttpRequest, status: int, detail: str, code: str, errors: Any = None) -> Any:
    return api.create_response(
        request, {"detail": detail, "code": code, "errors": errors or []}, status=status
    )


@api.exception_handler(ApplicationError)
def _application_error(request: HttpRequest, exc: ApplicationError) -> HttpResponse:
    return api.create_response(request, exc.as_dict(), status=exc.status_code)


def _location(loc: Any) -> str:
    parts = [str(part) for part in loc if part not in ("body", "payload", "query", "path")]
    return ".".join(parts) or ".".join(str(part) for part in loc)


@api.exception_handler(NinjaValidationError)
def _validation_error(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    locations = [tuple(error.get("loc", ())) for error in exc.errors]
    if locations and all(loc[:1] == ("path",) for loc in locations):
        # A malformed id names no record: answer as for any id the user cannot see.
        return _error(request, 404, "Not found.", "not_found")
    errors = []
    for error in exc.errors:
        kind = error.get("type", "")
        message = error.get("msg", "invalid")
        if kind == "extra_forbidden":
            message = "unknown field"
        elif kind == "missing":
            message = "required"
        errors.append({"field": _location(error.get("loc", [])), "message": message, "type": kind})
    return _error(request, 422, "The request is not valid.", "validation_error", errors)


@api.exception_handler(AuthenticationError)
def _authentication_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return _error(
        request, 401, "Authentication required: send a valid bearer token.", "not_authenticated"
    )


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return _error(request, 404, "Not found.", "not_found")


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    code = {400: "bad_request", 405: "method_not_allowed", 429: "throttled"}.get(
        exc.status_code, "error"
    )
    return _error(request, exc.status_code, str(exc) or "Request refused.", code)


@api.exception_handler(Exception)
def _unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
    logger.exception("Unhandled API error")
    return _error(
        request, 500, "Something went wrong on our side; nothing was saved.", "server_error"
    )


def _mount() -> None:
    from casework.accounts.api import router as accounts_router
    from casework.careplans.api import router as careplans_router
    from casework.cases.api import router as cases_router
    from casework.clients.api import router as clients_router
    from casework.programs.api import router as programs_router
    from casework.risk.api import router as risk_router

    api.add_router("/", accounts_router)
    api.add_router("/clients", clients_router)
    api.add_router("/", programs_router)
    api.add_router("/cases", cases_router)
    api.add_router("/", "casework.assessments.api.router")  # also work items (monitoring)
    api.add_router("/", risk_router)
    api.add_router("/", careplans_router)
    api.add_router("/", "casework.coordination.api.router")
    api.add_router("/", "casework.encounters.api.router")
    api.add_router("/", "casework.consent.api.router")
    api.add_router("/", "casework.coverage.api.router")


_mount()
