"""Referral pages for staff (new referral, referral detail with its timeline and actions, partner
link) and the public partner page ``/partner/<token>/`` a provider without an account uses."""

from __future__ import annotations

from typing import Any, cast
from uuid import UUID

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.csrf import ensure_csrf_cookie
from django.views.decorators.http import require_http_methods, require_POST

from casework.accounts.models import User
from casework.audit.models import Action
from casework.audit.services import audit_read, audit_record
from casework.consent.selectors import consent_covering
from casework.coordination.forms.referrals import (
    PARTNER_ACTION_LABELS,
    PartnerForm,
    PartnerLinkForm,
    ReferralForm,
    TransitionForm,
)
from casework.coordination.models import PartnerLink, Referral
from casework.coordination.selectors import referrals as selectors
from casework.coordination.services import referrals as services
from casework.core.errors import ApplicationError, Conflict, NotFound
from casework.web.access import login_required
from casework.web.errors import error_messages, form_errors, form_status, is_htmx, web_errors


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)


@login_required
@web_errors
def referral_new(request: HttpRequest, case_id: UUID) -> HttpResponse:
    """Choose a service (searched in the directory, filtered by the need's domain), the need or
    intervention, the reason and note; "send now" sends it under the consent rule."""
    user = _user(request)
    case = selectors.referral_case_get(user=user, case_id=case_id)
    needs = list(selectors.needs_for_case(case=case))
    interventions = list(selectors.interventions_for_case(case=case))
    source = request.POST if request.method == "POST" else request.GET
    need_id = source.get("need", "")
    domain = next((n.domain for n in needs if str(n.pk) == need_id), "")
    q = source.get("q", "").strip()
    found = selectors.referral_services(user=user, need_domain=domain, q=q)
    picked = source.get("service", "")
    if picked and picked not in {str(s.pk) for s in found}:
        # Keep the chosen service selectable even when the search no longer shows it.
        found += selectors.referral_services(user=user, q="", limit=500)
        found = [s for s in found if str(s.pk) == picked] + [
            s for s in found if str(s.pk) != picked
        ]
        found = list({s.pk: s for s in found}.values())
    kwargs = {"services": found, "needs": needs, "interventions": interventions}
    status = 200
    if request.method == "POST":
        form = ReferralForm(request.POST, **kwargs)
        if form.is_valid():
            referral: Referral | None = None
            with form_errors(form, field_map={"service_id": "service", "need_id": "need"}):
                referral = services.referral_create(
                    acting_user=user, case=case, **form.service_kwargs()
                )
            if referral is not None and not form.errors:
                return redirect("coordination:referral_detail", referral_id=referral.pk)
        status = form_status(form)
    else:
        form = ReferralForm(initial=request.GET.dict(), **kwargs)
    context = {"case": case, "form": form, "q": q, "domain": domain}
    if is_htmx(request) and request.method == "GET":
        return render(request, "coordination/referral_services.html", context)
    return render(request, "coordination/referral_new.html", context, status=status)


def _detail_context(request: HttpRequest, referral: Referral, **extra: Any) -> dict[str, Any]:
    moves = []
    posted = extra.pop("posted", None)
    for to in services.allowed_moves(referral):
        moves.append(
            {
                "to": to,
                "label": services.ACTION_LABELS[to],
                "needs_reason": to in services.REASON_REQUIRED,
                "needs_outcome": to == "completed",
                "posted": posted if posted and posted.get("to") == to else None,
            }
        )
    consent = referral.consent
    if consent is None and not referral.provider.is_internal:
        consent = consent_covering(client_id=referral.client_id, provider_id=referral.provider_id)
    return {
        "referral": referral,
        "case": referral.case,
        "events": list(selectors.referral_events(referral)),
        "moves": moves,
        "outcome_codes": services.OUTCOME_CODES,
        "loop_closed": services.loop_closed(referral),
        "closed_without_service": services.closed_without_service(referral),
        "days_since_update": services.days_since_update(referral),
        "link_purpose": services.link_purpose_for(referral.status),
        "link_form": PartnerLinkForm(initial={"version": referral.version}),
        "consent": consent,
        **extra,
    }


@login_required
@web_errors
def referral_detail(request: HttpRequest, referral_id: UUID) -> HttpResponse:
    user = _user(request)
    referral = selectors.referral_get(user=user, referral_id=referral_id)
    audit_read(actor=user, obj=referral, client_id=referral.client_id)
    return render(request, "coordination/referral_detail.html", _detail_context(request, referral))


@login_required
@require_POST
@web_errors
def referral_transition(request: HttpRequest, referral_id: UUID) -> HttpResponse:
    """One staff action (send, record the provider's answer, cancel, entered in error)."""
    user = _user(request)
    referral = selectors.referral_get(user=user, referral_id=referral_id)
    form = TransitionForm(request.POST)
    lines: list[str] = []
    status = 422
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.referral_transition(
                acting_user=user,
                referral=referral,
                to_status=data["to"],
                expected_version=data["version"],
                reason=data["reason"],
                outcome=data["outcome"],
                outcome_code=data["outcome_code"],
            )
        except NotFound:
            raise
        except ApplicationError as exc:
            lines = error_messages(exc) + [
                f"{item['field']}: {item['message']}"
                for item in exc.errors
                if item.get("field") not in (None, "version", "to", "consent")
            ]
            status = exc.status_code
        else:
            return redirect("coordination:referral_detail", referral_id=referral.pk)
    else:
        lines = ["The action could not be read; reload the page and try again."]
    referral = selectors.referral_get(user=user, referral_id=referral_id)
    context = _detail_context(request, referral, refused=lines, posted=request.POST.dict())
    return render(request, "coordination/referral_detail.html", context, status=status)


@login_required
@require_POST
@web_errors
def referral_partner_link(request: HttpRequest, referral_id: UUID) -> HttpResponse:
    """Make a partner link; its URL is shown once, on this response only."""
    user = _user(request)
    referral = selectors.referral_get(user=user, referral_id=referral_id)
    form = PartnerLinkForm(request.POST)
    new_link: dict[str, Any] | None = None
    lines: list[str] = []
    status = 200
    if form.is_valid():
        if form.cleaned_data["version"] != referral.version:
            lines = [
                "This referral was changed by someone else while you were looking at it — "
                "reload the page before making a link."
            ]
            status = 409
        else:
            try:
                link, path = services.partner_link_issue(
                    acting_user=user, referral=referral, sent_to=form.cleaned_data["sent_to"]
                )
            except NotFound:
                raise
            except ApplicationError as exc:
                lines, status = error_messages(exc), exc.status_code
            else:
                new_link = {"url": request.build_absolute_uri(path), "link": link}
    else:
        lines, status = ["The link request could not be read; reload the page."], 422
    referral = selectors.referral_get(user=user, referral_id=referral_id)
    context = _detail_context(request, referral, new_link=new_link, refused=lines)
    response = render(request, "coordination/referral_detail.html", context, status=status)
    response["Cache-Control"] = "no-store"
    return response


# ----------------------------------------------------------------------------------------------
# The partner page (no account, no navigation)


def _partner_headers(response: HttpResponse) -> HttpResponse:
    response["Referrer-Policy"] = "no-referrer"
    response["Cache-Control"] = "no-store"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


def _gone(request: HttpRequest) -> HttpResponse:
    return _partner_headers(render(request, "coordination/partner_gone.html", status=410))


def _usable(link: PartnerLink) -> bool:
    return link.used_at is None and link.revoked_at is None and link.expires_at > timezone.now()


def _partner_page(
    request: HttpRequest, link: PartnerLink, form: PartnerForm | None = None, status: int = 200
) -> HttpResponse:
    disclosed = selectors.partner_disclosure(link)
    audit_record(
        actor=None,
        action=Action.READ,
        obj=link.referral,
        client_id=link.referral.client_id,
        organization_id=link.referral.organization_id,
        detail={
            "purpose": "partner link",
            "partner_link_id": str(link.pk),
            "fields": sorted(disclosed),
        },
    )
    actions = [
        (code, PARTNER_ACTION_LABELS[code])
        for code in services.PARTNER_ACTIONS.get(link.purpose, {})
    ]
    context = {
        "link": link,
        "data": disclosed,
        "actions": actions,
        "form": form,
        "posted": request.POST.dict() if request.method == "POST" else {},
        "outcome_codes": services.OUTCOME_CODES,
    }
    return _partner_headers(render(request, "coordination/partner.html", context, status=status))


@ensure_csrf_cookie
@require_http_methods(["GET", "POST"])
def partner(request: HttpRequest, token: str) -> HttpResponse:
    try:
        link = selectors.partner_link_for_token(token)
    except NotFound as exc:
        raise Http404("No such link.") from exc
    if not _usable(link):
        return _gone(request)
    if request.method == "GET":
        return _partner_page(request, link)
    form = PartnerForm(request.POST)
    if not form.is_valid():
        return _partner_page(request, link, form, status=422)
    data = form.cleaned_data
    try:
        result = services.partner_link_use(
            link=link,
            action=data["action"],
            partner_name=data["partner_name"],
            reason=data["reason"],
            outcome=data["outcome"],
            outcome_code=data["outcome_code"],
            scheduled_for=form.scheduled_for(),
            location=data["location"],
        )
    except Conflict as exc:
        if exc.code == "link_gone":
            return _gone(request)
        form.add_error(None, " ".join(error_messages(exc)))
        return _partner_page(request, link, form, status=exc.status_code)
    except ApplicationError as exc:
        for line in error_messages(exc):
            form.add_error(None, line)
        for item in exc.errors:
            if item.get("field") in form.fields:
                form.add_error(item["field"], item["message"])
            elif item.get("field") == "scheduled_for":
                form.add_error("scheduled_date", item["message"])
        return _partner_page(request, link, form, status=exc.status_code)
    context = {
        "referral": result.referral,
        "action_label": PARTNER_ACTION_LABELS[data["action"]],
        "next_url": request.build_absolute_uri(result.next_url) if result.next_url else None,
        "next_link": result.next_link,
    }
    return _partner_headers(render(request, "coordination/partner_done.html", context))
