"""The client's check-in page behind a secret link: no account, no navigation, not indexed, not
cached, no referrer. It greets the client by first name only and asks how they are today plus
the readings the link names; the answers go through the same service as the API."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.csrf import ensure_csrf_cookie
from django.views.decorators.http import require_http_methods

from casework.audit.models import Action
from casework.audit.services import audit_record
from casework.core.errors import ApplicationError, Conflict, NotFound
from casework.monitoring.forms.remote import TEXT, CheckInForm, check_in_language
from casework.monitoring.models import CheckInLink
from casework.monitoring.selectors import remote as selectors
from casework.monitoring.services import remote as services


def _headers(response: HttpResponse) -> HttpResponse:
    response["Referrer-Policy"] = "no-referrer"
    response["Cache-Control"] = "no-store"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


def _language(link: CheckInLink) -> str:
    return check_in_language(link.client.preferred_language)


def _gone(request: HttpRequest, link: CheckInLink) -> HttpResponse:
    language = _language(link)
    context = {"text": TEXT[language], "language": language}
    return _headers(render(request, "monitoring/checkin_gone.html", context, status=410))


def _page(
    request: HttpRequest, link: CheckInLink, form: CheckInForm, status: int = 200
) -> HttpResponse:
    first_name = link.client.preferred_name or link.client.given_name
    context = {
        "greeting": form.text["hello"].format(name=first_name),
        "form": form,
        "text": form.text,
        "language": form.language,
        "readings": form.readings,
    }
    return _headers(render(request, "monitoring/checkin.html", context, status=status))


@ensure_csrf_cookie
@require_http_methods(["GET", "POST"])
def check_in(request: HttpRequest, token: str) -> HttpResponse:
    try:
        link = selectors.check_in_link_for_token(token)
    except NotFound as exc:
        raise Http404("No such link.") from exc
    if not selectors.check_in_link_usable(link):
        return _gone(request, link)
    language = _language(link)
    if request.method == "GET":
        audit_record(
            actor=None,
            action=Action.READ,
            obj=link.client,
            client_id=link.client_id,
            organization_id=link.organization_id,
            detail={"purpose": "check-in page", "check_in_link_id": str(link.pk)},
        )
        return _page(request, link, CheckInForm(readings=link.readings, language=language))
    form = CheckInForm(request.POST, readings=link.readings, language=language)
    if not form.is_valid():
        form.add_error(None, form.text["fix"])
        return _page(request, link, form, status=422)
    readings = form.service_readings(now=timezone.now())
    try:
        services.observation_record(acting_user_or_link=link, client=link.client, readings=readings)
    except Conflict as exc:
        if exc.code == "link_gone":
            return _gone(request, link)
        form.add_error(None, exc.detail)
        return _page(request, link, form, status=exc.status_code)
    except ApplicationError as exc:
        form.add_error(None, form.text["fix"])
        for item in exc.errors:
            name = form.field_for(readings, str(item.get("field") or ""))
            if name in form.fields:
                form.add_error(name, str(item.get("message") or ""))
        return _page(request, link, form, status=exc.status_code)
    context = {"text": form.text, "language": language}
    return _headers(render(request, "monitoring/checkin_done.html", context))
