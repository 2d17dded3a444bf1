"""Contact pages: log a contact on a case, the case's contacts, one contact, its edit form
(with the version read) and "entered in error" with a reason."""

from __future__ import annotations

from typing import cast
from uuid import UUID

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from casework.accounts.models import User
from casework.audit.services import audit_read, audit_read_many
from casework.coordination.selectors.appointments import appointments_for_case
from casework.encounters import services
from casework.encounters.forms import (
    ContactEditForm,
    ContactForm,
    EnteredInErrorForm,
    contact_initial,
)
from casework.encounters.models import NOTE_FIELDS, Contact, ContactStatus
from casework.encounters.selectors import (
    contact_case_get,
    contact_get,
    contacts_for_case,
    goals_for_case,
)
from casework.web.access import login_required
from casework.web.errors import form_errors, form_status, web_errors

# The service names note fields "note.plan"; the form calls them "plan".
NOTE_FIELD_MAP = {f"note.{name}": name for names in NOTE_FIELDS.values() for name in names}
FIELD_MAP = {**NOTE_FIELD_MAP, "goal_ids": "goals", "appointment_id": "appointment"}


@login_required
@web_errors
def contact_new(request: HttpRequest, case_id: UUID) -> HttpResponse:
    """The "Log a contact" form; changing the note format re-renders the note fields."""
    user = cast(User, request.user)
    case = contact_case_get(user=user, case_id=case_id)
    goals = goals_for_case(case=case)
    appointments = appointments_for_case(case=case).order_by("-starts_at", "id")
    source = request.POST if request.method == "POST" else request.GET
    note_format = source.get("note_format", "dap")
    if request.method == "POST":
        form = ContactForm(
            request.POST, goals=goals, note_format=note_format, appointments=appointments
        )
        if form.is_valid():
            with form_errors(form, field_map=FIELD_MAP):
                services.contact_log(acting_user=user, case=case, data=form.service_data())
            if not form.errors:
                return redirect("encounters:case_contacts", case_id=case.pk)
        status = form_status(form)
    else:
        form = ContactForm(
            initial={**request.GET.dict(), "note_format": note_format},
            goals=goals,
            note_format=note_format,
            appointments=appointments,
        )
        status = 200
    return render(request, "encounters/new.html", {"case": case, "form": form}, status=status)


def _editable_contact(user: User, contact_id: UUID) -> Contact:
    """A contact on a case the user may log contacts on (404 otherwise)."""
    contact = contact_get(user=user, contact_id=contact_id)
    contact_case_get(user=user, case_id=contact.case_id)
    return contact


def _detail(
    request: HttpRequest, contact: Contact, error_form: EnteredInErrorForm | None = None
) -> HttpResponse:
    form = error_form or EnteredInErrorForm(initial={"version": contact.version})
    status = form_status(form) if error_form is not None else 200
    return render(
        request,
        "encounters/detail.html",
        {
            "case": contact.case,
            "contact": contact,
            "error_form": form,
            "is_final": contact.status == ContactStatus.FINAL,
        },
        status=status,
    )


@login_required
@web_errors
def contact_detail(request: HttpRequest, contact_id: UUID) -> HttpResponse:
    user = cast(User, request.user)
    contact = _editable_contact(user, contact_id)
    audit_read(actor=user, obj=contact, client_id=contact.client_id)
    return _detail(request, contact)


@login_required
@web_errors
def contact_edit(request: HttpRequest, contact_id: UUID) -> HttpResponse:
    """Change a contact; a stale version keeps the input and says it was changed by someone
    else. Changing the note format re-renders the note fields (HTMX), as on the log form."""
    user = cast(User, request.user)
    contact = _editable_contact(user, contact_id)
    case = contact.case
    goals = goals_for_case(case=case)
    appointments = appointments_for_case(case=case).order_by("-starts_at", "id")
    source = request.POST if request.method == "POST" else request.GET
    note_format = source.get("note_format", contact.note_format)
    if request.method == "POST":
        form = ContactEditForm(
            request.POST, goals=goals, note_format=note_format, appointments=appointments
        )
        if form.is_valid():
            with form_errors(form, field_map=FIELD_MAP):
                services.contact_update(
                    acting_user=user,
                    contact=contact,
                    expected_version=form.cleaned_data["version"],
                    data=form.service_data(),
                )
            if not form.errors:
                return redirect("encounters:contact_detail", contact_id=contact.pk)
        status = form_status(form)
    else:
        audit_read(actor=user, obj=contact, client_id=contact.client_id)
        initial = {**contact_initial(contact), **request.GET.dict(), "note_format": note_format}
        form = ContactEditForm(
            initial=initial, goals=goals, note_format=note_format, appointments=appointments
        )
        status = 200
    return render(
        request,
        "encounters/edit.html",
        {"case": case, "contact": contact, "form": form},
        status=status,
    )


@login_required
@require_POST
@web_errors
def contact_entered_in_error(request: HttpRequest, contact_id: UUID) -> HttpResponse:
    user = cast(User, request.user)
    contact = _editable_contact(user, contact_id)
    form = EnteredInErrorForm(request.POST)
    if form.is_valid():
        with form_errors(form):
            services.contact_entered_in_error(
                acting_user=user,
                contact=contact,
                expected_version=form.cleaned_data["version"],
                reason=form.cleaned_data["reason"],
            )
        if not form.errors:
            return redirect("encounters:contact_detail", contact_id=contact.pk)
    return _detail(request, contact, error_form=form)


@login_required
@web_errors
def case_contacts(request: HttpRequest, case_id: UUID) -> HttpResponse:
    user = cast(User, request.user)
    case = contact_case_get(user=user, case_id=case_id)
    contacts = list(contacts_for_case(case=case).order_by("-started_at", "-id")[:200])
    audit_read_many(actor=user, object_type="encounters.contact", ids=[c.pk for c in contacts])
    return render(request, "encounters/list.html", {"case": case, "contacts": contacts})
