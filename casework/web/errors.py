"""The one place web pages turn ``ApplicationError`` into what a person sees.

* ``NotFound`` becomes a 404 page, so someone without access learns nothing about existence.
* ``StaleVersion`` becomes "This record was changed by someone else — reload".
* ``ValidationFailed`` and the other errors become form errors (:func:`add_form_errors`) or a
  message (:func:`error_message`), with the HTTP status the API would use (:func:`status_for`).

Views call services inside ``with form_errors(form):`` or let :func:`web_errors` catch what is
left; a service error never reaches the user as a 500.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import wraps
from typing import Any

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme

from casework.core.errors import (
    ApplicationError,
    NotFound,
    StaleVersion,
    TransitionRefused,
)

STALE_MESSAGE = (
    "This record was changed by someone else while you were working on it — reload the page to "
    "see the current version, then make your change again. Nothing was saved."
)

# "reason_required: a reason is required" -> the machine code before the colon is for the API.
_CODE_PREFIX = re.compile(r"^[a-z][a-z0-9_]*: ")


def humanize(message: str) -> str:
    """A service message without its machine-readable code prefix, starting with a capital."""
    text = _CODE_PREFIX.sub("", str(message or "")).strip()
    return text[:1].upper() + text[1:]


def error_messages(exc: ApplicationError) -> list[str]:
    """The sentences to show for an error: the guards that failed, or the error itself."""
    if isinstance(exc, StaleVersion):
        return [STALE_MESSAGE]
    if isinstance(exc, TransitionRefused):
        guards = [humanize(item["message"]) for item in exc.errors if item.get("guard")]
        if guards:
            return guards
    return [humanize(exc.detail)]


def error_message(exc: ApplicationError) -> str:
    return " ".join(error_messages(exc))


def status_for(exc: ApplicationError) -> int:
    """The HTTP status of a page re-rendered because of ``exc`` (the API's, for consistency)."""
    return exc.status_code


def add_form_errors(
    form: forms.BaseForm, exc: ApplicationError, field_map: dict[str, str] | None = None
) -> None:
    """Put a service error on ``form``: the summary as a form-wide error, and each ``errors``
    entry that names a visible form field on that field (``field_map`` renames service fields
    to form fields)."""
    for line in error_messages(exc):
        form.add_error(None, line)
    if isinstance(exc, StaleVersion):
        return
    field_map = field_map or {}
    for item in exc.errors:
        raw = str(item.get("field") or "")
        name = field_map.get(raw, raw)
        message = humanize(str(item.get("message", "")))
        field = form.fields.get(name)
        if field is None or field.widget.is_hidden or not message:
            continue
        if message not in form.errors.get(name, []):
            form.add_error(name, message)


@contextmanager
def form_errors(form: forms.BaseForm, field_map: dict[str, str] | None = None) -> Iterator[None]:
    """Run a service call; a refusal (other than ``NotFound``) lands on ``form`` instead.

    Check ``form.errors`` afterwards. ``NotFound`` propagates so the page becomes a 404.
    """
    try:
        yield
    except NotFound:
        raise
    except ApplicationError as exc:
        add_form_errors(form, exc, field_map)
        setattr(form, "application_error", exc)  # noqa: B010 -- read back by form_status


def form_status(form: forms.BaseForm) -> int:
    """422 for input the form refused, or the status of the service error it carries."""
    exc = getattr(form, "application_error", None)
    return status_for(exc) if exc is not None else 422


def back_url(request: HttpRequest, default: str) -> str:
    """Where to send the user after a refused POST: the page they came from, if it is ours."""
    target = request.POST.get("next") or request.headers.get("Referer", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


def web_errors(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Decorator for page views: ``NotFound`` is a 404 page; any other service error left
    uncaught is shown as a message on the page the user came from (a POST), or as an error page
    with the error's status (a GET)."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except NotFound as exc:
            raise Http404(exc.detail) from exc
        except ApplicationError as exc:
            if request.method == "POST":
                for line in error_messages(exc):
                    messages.error(request, line)
                return HttpResponseRedirect(back_url(request, request.path))
            return render(
                request,
                "web/error.html",
                {"error_lines": error_messages(exc)},
                status=status_for(exc),
            )

    return wrapper


def is_htmx(request: HttpRequest) -> bool:
    """An HTMX request for a fragment (a history restore wants the whole page)."""
    return (
        request.headers.get("HX-Request") == "true"
        and request.headers.get("HX-History-Restore-Request") != "true"
    )
