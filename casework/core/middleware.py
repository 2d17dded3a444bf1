"""Keep the API's error shape for responses Django itself produces under /api/."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse

_CODES = {
    400: "bad_request",
    403: "permission_denied",
    404: "not_found",
    405: "method_not_allowed",
    500: "server_error",
}
_DETAILS = {
    404: "Not found.",
    405: "Method not allowed.",
    400: "Bad request.",
    403: "Forbidden (for a browser session, the CSRF token is missing or wrong).",
    500: "Something went wrong on our side; nothing was saved.",
}


class ApiErrorShapeMiddleware:
    """Non-JSON 4xx/5xx answers under ``/api/`` (unknown path, wrong method, a crash outside the
    API's handlers) become ``{"detail", "code", "errors"}`` like every other API error."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if not request.path.startswith("/api/") or response.status_code < 400:
            return response
        if response.get("Content-Type", "").startswith("application/json"):
            return response
        status = response.status_code
        shaped = JsonResponse(
            {
                "detail": _DETAILS.get(status, "Request refused."),
                "code": _CODES.get(status, "error"),
                "errors": [],
            },
            status=status,
        )
        if response.has_header("Allow"):
            shaped["Allow"] = response["Allow"]
        return shaped
