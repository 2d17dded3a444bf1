from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.functional import SimpleLazyObject

# Which navigation entry a page belongs to (by URL name), for aria-current.
_SECTIONS = {
    "web:caseload": "web:caseload",
    "web:case_detail": "web:caseload",
    "web:client_search": "web:client_search",
    "web:client_create": "web:client_search",
    "web:client_detail": "web:client_search",
    "web:team": "web:team",
    "web:program_waitlist": "web:team",
    "risk:population": "risk:population",
    "coordination:directory": "coordination:directory",
    "coordination:import": "coordination:directory",
    "coordination:organization_new": "coordination:directory",
    "coordination:organization_edit": "coordination:directory",
    "coordination:service_new": "coordination:directory",
    "coordination:service_edit": "coordination:directory",
    "assessments:list": "web:client_search",
    "assessments:new": "web:client_search",
    "assessments:detail": "web:client_search",
    "risk:client": "web:client_search",
    "coordination:referral_new": "web:caseload",
    "coordination:referral_detail": "web:caseload",
    "coordination:referral_transition": "web:caseload",
    "coordination:referral_partner_link": "web:caseload",
    "consent:client_consents": "web:client_search",
    "consent:consent_revoke": "web:client_search",
    "coverage:client_coverage": "web:client_search",
    "monitoring:client_remote": "web:client_search",
    "monitoring:check_in_link_new": "web:client_search",
    "monitoring:alert_acknowledge": "web:client_search",
    "coverage:coverage_new": "web:client_search",
    "coverage:coverage_edit": "web:client_search",
    "coverage:coverage_end": "web:client_search",
    "coverage:coverage_entered_in_error": "web:client_search",
    "coverage:authorization_new": "web:client_search",
    "coverage:authorization_edit": "web:client_search",
    "coverage:authorization_status": "web:client_search",
    "web:case_care_team": "web:caseload",
    "web:care_team_edit": "web:caseload",
    "coordination:case_appointments": "web:caseload",
    "coordination:appointment_new": "web:caseload",
    "coordination:appointment_detail": "web:caseload",
    "coordination:appointment_edit": "web:caseload",
    "coordination:calendar": "coordination:calendar",
    "monitoring:my_work": "monitoring:my_work",
    "monitoring:work_item_new": "monitoring:my_work",
    "monitoring:team_work": "web:team",
}


def navigation(request: HttpRequest) -> dict[str, Any]:
    """The main menu for the signed-in user: ``nav_items`` of ``{url, label, current}``."""
    user: Any = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    items = [
        ("web:caseload", "My caseload"),
        ("monitoring:my_work", "My work"),
        ("web:client_search", "Clients"),
        ("coordination:directory", "Resources"),
    ]
    if user.role in {"case_manager", "supervisor", "program_admin"}:
        items.append(("risk:population", "Risk list"))
    if user.role in {"case_manager", "supervisor"}:
        items.append(("coordination:calendar", "Calendar"))
    if user.role in {"supervisor", "program_admin"}:
        items.append(("web:team", "Team"))
    if user.is_staff and user.role in {"program_admin", "system_admin"}:
        items.append(("admin:index", "Configuration"))
    match = getattr(request, "resolver_match", None)
    current = _SECTIONS.get(match.view_name, "") if match else ""
    return {
        "nav_items": [
            {
                "url": reverse(name),
                "label": label,
                "current": name == current,
                "work_badge": name == "monitoring:my_work",
            }
            for name, label in items
        ],
        # Open/overdue work and unread notifications for the badges: one query, and only when
        # a page shows the navigation (HTMX fragments do not).
        "nav_counts": SimpleLazyObject(lambda: _nav_counts(user)),
    }


def _nav_counts(user: Any) -> Any:
    from casework.monitoring.selectors.work_items import nav_counts

    return nav_counts(user)
