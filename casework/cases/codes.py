"""Closure reasons: one code table, used by the lifecycle, the API and the FHIR mapping."""

from __future__ import annotations

from casework.core.codes import Code

CLOSURE_REASONS: list[Code] = [
    Code("goals_met", "Goals met / services completed"),
    Code("connected_to_services", "Connected to ongoing services"),
    Code("stepped_down", "Stepped down to a less intensive program"),
    Code("transferred", "Transferred to another program or agency"),
    Code("declined", "Client declined or withdrew"),
    Code("ineligible", "Not eligible for the program"),
    Code("unable_to_contact", "Unable to contact / lost to follow-up"),
    Code("moved", "Moved out of the service area"),
    Code("hospitalized_long_term", "Long-term hospital or residential placement"),
    Code("incarcerated", "Incarcerated"),
    Code("deceased", "Deceased"),
    Code("duplicate", "Duplicate referral"),
    Code("program_ended", "Program or funding ended"),
    Code("other", "Other (explain in the reason)"),
]
CLOSURE_REASON_CODES = {code.code for code in CLOSURE_REASONS}
CLOSURE_REASON_NAMES = {code.code: code.display for code in CLOSURE_REASONS}
# Reasons that make sense before anyone took the case on (no discharge summary needed).
PRE_ENROLLMENT_CLOSURE = {
    "declined",
    "ineligible",
    "unable_to_contact",
    "duplicate",
    "moved",
    "deceased",
    "transferred",
    "other",
}


def normalize_closure_reason(value: str) -> str:
    return (value or "").strip().lower().replace("-", "_").replace(" ", "_")
