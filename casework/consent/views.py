"""The consent page of a client: the consents on file, record one, revoke one."""

from __future__ import annotations

from typing import Any, cast
from uuid import UUID

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from casework.accounts.models import User
from casework.audit.services import audit_read_many
from casework.clients.models import Client
from casework.clients.selectors import client_get
from casework.consent import services
from casework.consent.forms import ConsentForm, RevokeForm
from casework.consent.selectors import consent_get, consents_for_client, directory_providers
from casework.web.access import login_required
from casework.web.errors import form_errors, form_status, web_errors


def _page(
    request: HttpRequest,
    client: Client,
    form: ConsentForm | None = None,
    revoke_errors: dict[str, Any] | None = None,
    status: int = 200,
) -> HttpResponse:
    user = cast(User, request.user)
    consents = list(consents_for_client(client=client)[:100])
    audit_read_many(actor=user, object_type="consent.consent", ids=[c.pk for c in consents])
    providers = directory_providers(user=user)
    rows = [
        {
            "consent": c,
            "form": (revoke_errors or {}).get(str(c.pk))
            or RevokeForm(initial={"version": c.version}, prefix=f"revoke-{c.pk}"),
        }
        for c in consents
    ]
    context = {
        "client": client,
        "rows": rows,
        "form": form or ConsentForm(providers=providers),
    }
    return render(request, "consent/client_consents.html", context, status=status)


@login_required
@web_errors
def client_consents(request: HttpRequest, client_id: UUID) -> HttpResponse:
    user = cast(User, request.user)
    client = client_get(user=user, client_id=client_id)
    if request.method != "POST":
        return _page(request, client)
    form = ConsentForm(request.POST, providers=directory_providers(user=user))
    if form.is_valid():
        with form_errors(form, field_map={"recipient_ids": "recipients"}):
            services.consent_record(acting_user=user, client=client, **form.service_kwargs())
        if not form.errors:
            return redirect("consent:client_consents", client_id=client.pk)
    return _page(request, client, form=form, status=form_status(form))


@login_required
@require_POST
@web_errors
def consent_revoke(request: HttpRequest, consent_id: UUID) -> HttpResponse:
    user = cast(User, request.user)
    consent = consent_get(user=user, consent_id=consent_id)
    form = RevokeForm(request.POST, prefix=f"revoke-{consent.pk}")
    if form.is_valid():
        with form_errors(form):
            services.consent_revoke(
                acting_user=user,
                consent=consent,
                expected_version=form.cleaned_data["version"],
                reason=form.cleaned_data["reason"],
            )
        if not form.errors:
            return redirect("consent:client_consents", client_id=consent.client_id)
    client = client_get(user=user, client_id=consent.client_id)
    return _page(request, client, revoke_errors={str(consent.pk): form}, status=form_status(form))
