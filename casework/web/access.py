"""Sign-in for page views, aware of HTMX.

An HTMX request from a page whose session has expired would otherwise get the sign-in page
swapped into a table; instead the browser is told to load the sign-in page in full.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required as django_login_required
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse


def login_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    protected = django_login_required(view)

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.headers.get("HX-Request") == "true" and not request.user.is_authenticated:
            current = request.headers.get("HX-Current-URL") or request.get_full_path()
            target = redirect_to_login(current)
            response = HttpResponse(status=204)
            response["HX-Redirect"] = target["Location"]
            return response
        return protected(request, *args, **kwargs)

    return wrapper
