"""The starter library of care plan templates: need → goals in the client's words → interventions.

Templates are data: each organization gets its own copy (:func:`templates_seed`, called when the
organization's case management models are seeded) and program admins edit them in Django admin.
Needs are coded in ICD-10-CM, using the Z55-Z65 social determinants codes the Gravity Project
maps its SDOH domains to, and clinical codes for the clinical templates. ``model_kind`` blank
means "any model".
"""

from __future__ import annotations

from typing import Any

from casework.accounts.models import Organization
from casework.careplans.models import PlanTemplate

ICD10_CM = "http://hl7.org/fhir/sid/icd-10-cm"


def _need(code: str, display: str, domain: str) -> dict[str, str]:
    return {"system": ICD10_CM, "code": code, "display": display, "domain": domain}


def _act(description: str, owner_type: str, due_days: int) -> dict[str, Any]:
    return {"description": description, "owner_type": owner_type, "due_days": due_days}


STARTER_TEMPLATES: list[dict[str, Any]] = [
    {
        "name": "Food insecurity",
        "model_kind": "",
        "need": _need("Z59.41", "Food insecurity", "food"),
        "goals": [
            {
                "client_words": "I want to have enough food for my family",
                "statement": "Household has reliable access to enough food within 60 days",
                "measure": "Days in the past month without enough food",
                "target": "0 days",
                "target_days": 60,
                "interventions": [
                    _act("Help apply for SNAP benefits", "case_manager", 14),
                    _act("Refer to the local food pantry", "case_manager", 7),
                    _act("Visit the food pantry each week", "client", 14),
                ],
            }
        ],
    },
    {
        "name": "Housing instability",
        "model_kind": "brokerage",
        "need": _need(
            "Z59.811", "Housing instability, housed, with risk of homelessness", "housing"
        ),
        "goals": [
            {
                "client_words": "I want to keep a safe place to live",
                "statement": "Client remains stably housed with rent paid for 90 days",
                "measure": "Months of rent paid on time",
                "target": "3 months",
                "target_days": 90,
                "interventions": [
                    _act("Refer to emergency rental assistance", "case_manager", 7),
                    _act("Refer to legal aid for tenant rights", "case_manager", 14),
                    _act("Bring the lease and rent notices to the next visit", "client", 7),
                ],
            }
        ],
    },
    {
        "name": "Transportation",
        "model_kind": "brokerage",
        "need": _need("Z59.82", "Transportation insecurity", "transportation"),
        "goals": [
            {
                "client_words": "I want to get to my appointments",
                "statement": "Client attends all scheduled appointments in the next 60 days",
                "measure": "Appointments missed for lack of transport",
                "target": "0",
                "target_days": 60,
                "interventions": [
                    _act("Enroll in Medicaid non-emergency medical transport", "case_manager", 7),
                    _act("Apply for a reduced-fare transit pass", "client", 14),
                ],
            }
        ],
    },
    {
        "name": "Depression",
        "model_kind": "clinical",
        "need": _need("F32.A", "Depression, unspecified", "behavioral health"),
        "goals": [
            {
                "client_words": "I want to feel like myself again",
                "statement": "PHQ-9 score reduced by at least 50% within 12 weeks",
                "measure": "PHQ-9 total score",
                "target": "Below 10",
                "target_days": 84,
                "interventions": [
                    _act("Weekly counseling sessions", "case_manager", 7),
                    _act("Repeat the PHQ-9 every 4 weeks", "case_manager", 28),
                    _act("Plan one enjoyable activity each day", "client", 7),
                ],
            }
        ],
    },
    {
        "name": "Medication adherence",
        "model_kind": "clinical",
        "need": _need("Z91.14", "Patient's other noncompliance with medication regimen", "health"),
        "goals": [
            {
                "client_words": "I want to remember to take my medicine",
                "statement": "Client takes prescribed medication as directed on 6 of 7 days",
                "measure": "Days per week medication taken as prescribed",
                "target": "6 or more",
                "target_days": 30,
                "interventions": [
                    _act("Set up a weekly pill organizer and phone reminders", "client", 7),
                    _act("Review medications with the pharmacist", "provider", 14),
                    _act("Teach back the purpose of each medication", "case_manager", 7),
                ],
            }
        ],
    },
    {
        "name": "Social isolation",
        "model_kind": "strengths",
        "need": _need("Z60.2", "Problems related to living alone", "social connection"),
        "goals": [
            {
                "client_words": "I want to have people to talk to",
                "statement": "Client takes part in a community activity each week, built on "
                "their interests",
                "measure": "Community activities attended per week",
                "target": "1 or more",
                "target_days": 60,
                "interventions": [
                    _act("Find a group that matches the client's interests", "case_manager", 14),
                    _act("Go with the client to the first meeting", "case_manager", 21),
                    _act("Call a family member or friend twice a week", "client", 7),
                ],
            }
        ],
    },
    {
        "name": "Crisis stability",
        "model_kind": "intensive",
        "need": _need("R45.851", "Suicidal ideations", "behavioral health"),
        "goals": [
            {
                "client_words": "I want to stay safe and out of the hospital",
                "statement": "No psychiatric emergency visits or admissions for 90 days",
                "measure": "Crisis episodes needing emergency care",
                "target": "0",
                "target_days": 90,
                "interventions": [
                    _act("Write a crisis safety plan with the client", "case_manager", 1),
                    _act("Daily check-in visits for the first two weeks", "case_manager", 14),
                    _act("Keep the crisis line number on the phone", "client", 1),
                    _act("Psychiatric medication review", "provider", 7),
                ],
            }
        ],
    },
    {
        "name": "Diabetes self-management",
        "model_kind": "integrated",
        "need": _need("E11.9", "Type 2 diabetes mellitus without complications", "health"),
        "goals": [
            {
                "client_words": "I want to keep my sugar under control",
                "statement": "HbA1c below 8% within 6 months",
                "measure": "HbA1c",
                "target": "Below 8%",
                "target_days": 180,
                "interventions": [
                    _act("Refer to diabetes self-management education", "case_manager", 14),
                    _act("Check blood sugar every morning and write it down", "client", 7),
                    _act("Primary care visit with HbA1c test", "provider", 90),
                    _act("Coordinate with the care team pharmacist", "care_team", 30),
                ],
            }
        ],
    },
]


def templates_seed(*, organization: Organization) -> int:
    """Give ``organization`` the starter templates it lacks (matched by name); returns how many
    were added. Existing ones, possibly edited by a program admin, are left as they are."""
    existing = set(
        PlanTemplate.objects.filter(organization=organization).values_list("name", flat=True)
    )
    missing = [spec for spec in STARTER_TEMPLATES if spec["name"] not in existing]
    PlanTemplate.objects.bulk_create(
        [
            PlanTemplate(
                organization=organization,
                name=spec["name"],
                model_kind=spec["model_kind"],
                need=spec["need"],
                goals=spec["goals"],
            )
            for spec in missing
        ]
    )
    return len(missing)
