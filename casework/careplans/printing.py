"""The printable plan (HTML and PDF) in the client's language, shared by the pages and the API."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.utils import timezone

from casework.accounts.models import User
from casework.audit.models import Action
from casework.audit.services import audit_record
from casework.careplans import selectors
from casework.careplans.i18n import Labels, plan_language
from casework.careplans.models import CarePlan
from casework.careplans.pdf import plan_pdf_bytes


def print_context(plan: CarePlan, *, language_override: str | None) -> dict[str, Any]:
    language = plan_language(plan.client.preferred_language, language_override)
    return {
        "plan": plan,
        "client": plan.client,
        "case": plan.case,
        "t": Labels(language),
        "language": language,
        "printed_at": timezone.localtime(),
    }


def audit_export(user: User, plan: CarePlan, kind: str, language: str) -> None:
    audit_record(
        actor=user,
        action=Action.EXPORT,
        obj=plan,
        client_id=plan.client_id,
        detail={"format": kind, "language": language, "version": plan.version},
    )


def print_response(request: HttpRequest, user: User, plan: CarePlan) -> HttpResponse:
    """The print page (HTML) for a plan the user may see, audited as an export."""
    plan = selectors.plan_detail(plan)
    context = print_context(plan, language_override=request.GET.get("lang"))
    audit_export(user, plan, "print", context["language"])
    return HttpResponse(render_to_string("careplans/print.html", context, request=request))


def pdf_response(request: HttpRequest, user: User, plan: CarePlan) -> HttpResponse:
    """The plan as a PDF in the client's language (``?lang=`` overrides), audited as an export."""
    context = print_context(plan, language_override=request.GET.get("lang"))
    body = plan_pdf_bytes(plan, labels=context["t"], printed_at=context["printed_at"])
    audit_export(user, plan, "pdf", context["language"])
    response = HttpResponse(body, content_type="application/pdf")
    filename = f"care-plan-v{plan.version}-{context['language']}.pdf"
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response
