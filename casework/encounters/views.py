"""Contact pages: log a contact on a case, and the case's contacts."""

from __future__ import annotations

from typing import cast
from uuid import UUID

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from casework.accounts.models import User
from casework.audit.services import audit_read_many
from casework.encounters import services
from casework.encounters.forms import ContactForm
from casework.encounters.models import NOTE_FIELDS
from casework.encounters.selectors import contact_case_get, contacts_for_case, goals_for_case
from casework.web.access import login_required
from casework.web.errors import form_errors, form_status, web_errors

# The service names note fields "note.plan"; the form calls them "plan".
NOTE_FIELD_MAP = {f"note.{name}": name for names in NOTE_FIELDS.values() for name in names}


@login_required
@web_errors
def contact_new(request: HttpRequest, case_id: UUID) -> HttpResponse:
    """The "Log a contact" form; changing the note format re-renders the note fields."""
    user = cast(User, request.user)
    case = contact_case_get(user=user, case_id=case_id)
    goals = goals_for_case(case=case)
    source = request.POST if request.method == "POST" else request.GET
    note_format = source.get("note_format", "dap")
    if request.method == "POST":
        form = ContactForm(request.POST, goals=goals, note_format=note_format)
        if form.is_valid():
            with form_errors(form, field_map={**NOTE_FIELD_MAP, "goal_ids": "goals"}):
                services.contact_log(acting_user=user, case=case, data=form.service_data())
            if not form.errors:
                return redirect("encounters:case_contacts", case_id=case.pk)
        status = form_status(form)
    else:
        form = ContactForm(
            initial={**request.GET.dict(), "note_format": note_format},
            goals=goals,
            note_format=note_format,
        )
        status = 200
    return render(request, "encounters/new.html", {"case": case, "form": form}, status=status)


@login_required
@web_errors
def case_contacts(request: HttpRequest, case_id: UUID) -> HttpResponse:
    user = cast(User, request.user)
    case = contact_case_get(user=user, case_id=case_id)
    contacts = list(contacts_for_case(case=case).order_by("-started_at", "-id")[:200])
    audit_read_many(actor=user, object_type="encounters.contact", ids=[c.pk for c in contacts])
    return render(request, "encounters/list.html", {"case": case, "contacts": contacts})
