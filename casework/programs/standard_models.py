"""The five standard case management models and their default parameters, with sources.

Every number here is a default a program admin may change. Where the literature gives a fidelity
standard we use it; where it gives only a range or nothing, the number is casework's judgement and
says so. ``docs/models.md`` is the long form of this file.

Sources
-------
[DACTS]  Teague GB, Bond GR, Drake RE. Program fidelity in assertive community treatment:
         development and use of a measure. Am J Orthopsychiatry 1998;68(2):216-232. (Dartmouth ACT
         Fidelity Scale: small caseload, client/provider ratio of 10:1 or lower; frequency of
         contact, an average of four or more face-to-face contacts a week per client;
         time-unlimited services.)
[TMACT]  Monroe-DeVita M, Teague GB, Moser LL. The TMACT: a new tool for measuring fidelity to
         assertive community treatment. J Am Psychiatr Nurses Assoc 2011;17(1):17-29.
[SMFS]   Rapp CA, Goscha RJ. The Strengths Model: A Recovery-Oriented Approach to Mental Health
         Services, 3rd ed. Oxford University Press, 2012, and its Strengths Model Case Management
         Fidelity Scale (caseload of 20 or fewer per full-time case manager; most contact in the
         community; strengths assessment and personal recovery plan).
[MUESER] Mueser KT, Bond GR, Drake RE, Resnick SG. Models of community care for severe mental
         illness: a review of research on case management. Schizophr Bull 1998;24(1):37-74.
         (Describes the broker, clinical, strengths, ICM and ACT models and their differences in
         caseload size and amount of direct service.)
[KANTER] Kanter J. Clinical case management: definition, principles, components. Hosp Community
         Psychiatry 1989;40(4):361-368.
[TCM]    42 CFR 440.169 (Medicaid targeted case management): comprehensive assessment and periodic
         reassessment, a care plan, referral and related activities, and monitoring "at least
         once annually" -- a federal floor that state plans tighten.
[CMSA]   Case Management Society of America, Standards of Practice for Case Management (2022), and
         its Case Load Matrix (2008), which sets caseload by acuity rather than one number.
[NCQA]   NCQA Population Health Management standards (complex case management: initial
         assessment domains, care plan, follow-up schedule).
[HEDIS]  NCQA HEDIS Follow-Up After Hospitalization for Mental Illness (FUH): follow-up within 7
         and within 30 days of discharge.
"""

from __future__ import annotations

from typing import Any

PHQ9 = "44249-1"
PHQ2 = "55757-9"
GAD7 = "69737-5"
AUDIT_C = "72109-2"
AHC_HRSN = "96777-8"
# The strengths assessment has no LOINC panel; casework gives it a local code.
STRENGTHS = "casework-strengths"

CLINICAL_CREDENTIALS = ["LCSW", "LMSW", "LPC", "LMHC", "LMFT", "PsyD", "PhD", "RN", "PMHNP"]

# Caseload weight multipliers by risk tier: casework's judgement, so that a caseload of
# high-risk clients fills sooner than one of low-risk clients under the same model ([CMSA] sets
# caseload by acuity).
DEFAULT_TIER_WEIGHTS = {"low": 0.75, "moderate": 1.0, "high": 1.25, "very_high": 1.5}

STANDARD_MODELS: list[dict[str, Any]] = [
    {
        "kind": "brokerage",
        "name": "Brokerage",
        "description": (
            "Brief: assess needs, plan a service strategy and connect the client to services; "
            "little direct service. The client uses services on their own once connected."
        ),
        "caseload_size": 50,
        "contact_frequency_days": {"low": 30, "moderate": 30, "high": 14, "very_high": 14},
        "face_to_face_tiers": [],
        "contact_modes": ["office", "phone", "video"],
        "intake_instruments": [AHC_HRSN],
        "reassessment_instruments": [AHC_HRSN],
        "reassessment_interval_days": 180,
        "plan_review_interval_days": 90,
        "expected_episode_days": 90,
        "referral_followup_days": 7,
        "overdue_escalation_days": 5,
        "discharge_criteria": [
            "Client connected to the services in the plan and using them",
            "Referral loops closed",
            "Client declines further help",
        ],
        "required_credentials": [],
        "approvals_required": [],
        "requires_strengths": False,
        "sources": (
            "Caseload 50: casework judgement; no fidelity standard sets a brokerage caseload, "
            "[MUESER] describes it as the model with the largest caseloads and least direct "
            "service. Monthly contact: common state targeted case management practice; the "
            "federal floor is annual monitoring [TCM]."
        ),
    },
    {
        "kind": "clinical",
        "name": "Clinical",
        "description": (
            "A clinician is the case manager and gives direct counselling, crisis intervention "
            "and psychoeducation alongside linkage to services."
        ),
        "caseload_size": 25,
        "contact_frequency_days": {"low": 30, "moderate": 14, "high": 7, "very_high": 7},
        "face_to_face_tiers": ["high", "very_high"],
        "contact_modes": ["office", "phone", "video", "home_visit"],
        "intake_instruments": [PHQ9, GAD7, AUDIT_C],
        "reassessment_instruments": [PHQ9, GAD7],
        "reassessment_interval_days": 90,
        "plan_review_interval_days": 90,
        "expected_episode_days": 365,
        "referral_followup_days": 14,
        "overdue_escalation_days": 3,
        "discharge_criteria": [
            "Treatment goals met and symptoms stable on reassessment",
            "Client connected to ongoing outpatient care",
        ],
        "required_credentials": CLINICAL_CREDENTIALS,
        "approvals_required": ["closure"],
        "requires_strengths": False,
        "sources": (
            "Clinician as case manager [KANTER]. Caseload 25: casework judgement between ACT "
            "(10, [DACTS]) and brokerage. Reassessment and plan review every 90 days: casework "
            "judgement, within the common 90-day review cycle of state behavioral-health rules."
        ),
    },
    {
        "kind": "strengths",
        "name": "Strengths-based clinical",
        "description": (
            "Recovery-oriented: builds on the client's strengths, aspirations and community "
            "resources; most contact happens in the community."
        ),
        "caseload_size": 20,
        "contact_frequency_days": {"low": 14, "moderate": 14, "high": 7, "very_high": 7},
        "face_to_face_tiers": ["moderate", "high", "very_high"],
        "contact_modes": ["community", "home_visit", "office", "phone"],
        "intake_instruments": [STRENGTHS, PHQ9],
        "reassessment_instruments": [STRENGTHS],
        "reassessment_interval_days": 90,
        "plan_review_interval_days": 90,
        "expected_episode_days": 540,
        "referral_followup_days": 14,
        "overdue_escalation_days": 3,
        "discharge_criteria": [
            "Client reached the goals of their personal recovery plan",
            "Natural supports and community resources in place",
        ],
        "required_credentials": [],
        "approvals_required": ["care_plan"],
        "requires_strengths": True,
        "sources": (
            "Caseload 20 or fewer and community-based contact: the Strengths Model fidelity "
            "scale [SMFS]. Contact every 14 days: casework judgement."
        ),
    },
    {
        "kind": "intensive",
        "name": "Intensive (ICM/ACT)",
        "description": (
            "For severe and persistent needs: very frequent contact in the community, "
            "accompaniment, small caseloads, a shared team caseload."
        ),
        "caseload_size": 10,
        "contact_frequency_days": {"low": 7, "moderate": 7, "high": 3, "very_high": 2},
        "face_to_face_tiers": ["low", "moderate", "high", "very_high"],
        "contact_modes": ["home_visit", "community", "accompaniment", "office", "phone"],
        "intake_instruments": [PHQ9, AUDIT_C, AHC_HRSN],
        "reassessment_instruments": [PHQ9, AUDIT_C],
        "reassessment_interval_days": 90,
        "plan_review_interval_days": 90,
        "expected_episode_days": 1095,
        "referral_followup_days": 7,
        "overdue_escalation_days": 1,
        "discharge_criteria": [
            "Sustained stability and successful step-down to a less intensive program",
        ],
        "required_credentials": [],
        "approvals_required": ["closure", "transfer"],
        "requires_strengths": False,
        "sources": (
            "Caseload 10: [DACTS] small-caseload item (10:1 or lower), also [TMACT]. DACTS rates "
            "four or more face-to-face contacts a week per client as full fidelity; casework "
            "prompts when a client has had no face-to-face contact for 7 days (2-3 days at high "
            "and very high risk) so the prompt fires before fidelity is lost. Expected episode "
            "three years: ACT is time-unlimited [DACTS]; the figure only scales reports."
        ),
    },
    {
        "kind": "integrated",
        "name": "Integrated / medical",
        "description": (
            "Medical, behavioral and social needs together, with a multidisciplinary care team, "
            "payer coordination and transitions of care."
        ),
        "caseload_size": 50,
        "contact_frequency_days": {"low": 30, "moderate": 14, "high": 7, "very_high": 7},
        "face_to_face_tiers": ["very_high"],
        "contact_modes": ["phone", "office", "home_visit", "video"],
        "intake_instruments": [PHQ2, AHC_HRSN],
        "reassessment_instruments": [PHQ2, AHC_HRSN],
        "reassessment_interval_days": 180,
        "plan_review_interval_days": 90,
        "expected_episode_days": 180,
        "referral_followup_days": 10,
        "overdue_escalation_days": 3,
        "discharge_criteria": [
            "Care plan goals met",
            "No acute utilization for 90 days",
            "Client transitioned to primary care management",
        ],
        "required_credentials": ["RN", "LCSW", "CCM"],
        "approvals_required": ["care_plan"],
        "requires_strengths": False,
        "sources": (
            "Complex case management process and assessment domains: [CMSA], [NCQA]. Caseload "
            "50: casework judgement; [CMSA] sets caseload by acuity, which the tier weights "
            "apply. Post-discharge follow-up at 7 and 30 days: [HEDIS] FUH."
        ),
    },
]
