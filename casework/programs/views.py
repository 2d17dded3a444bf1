"""Program pages: the waitlist, in the order cases come off it."""

from __future__ import annotations

from uuid import UUID

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from casework.audit.services import audit_read_many
from casework.cases.selectors import waitlist_for_program
from casework.programs.selectors import program_get
from casework.web.access import login_required
from casework.web.errors import web_errors


@login_required
@web_errors
def program_waitlist(request: HttpRequest, program_id: UUID) -> HttpResponse:
    """Waitlisted cases the user may see, by priority (1 first) and then time waiting."""
    program = program_get(user=request.user, program_id=program_id)
    cases = list(
        waitlist_for_program(user=request.user, program_id=program.pk).select_related("referred_by")
    )
    audit_read_many(actor=request.user, object_type="cases.case", ids=[case.pk for case in cases])
    return render(request, "programs/waitlist.html", {"program": program, "cases": cases})
