"""Care team roles: SNOMED CT codes a care team member's role may carry (FHIR
CareTeam.participant.role). A code is optional: the role in words is what people read.

Each code was checked against SNOMED CT (occupation and person hierarchies, as used by the US Core
Care Team Member Function value set and the FHIR participant-role value set). A role that fits
none of them is kept in words only, with ``role_code`` blank.
"""

from __future__ import annotations

from casework.core.codes import Code

SNOMED_CT = "http://snomed.info/sct"

CARE_TEAM_ROLES: list[Code] = [
    Code("133932002", "Caregiver", SNOMED_CT),
    Code("303071001", "Person in the family", SNOMED_CT),
    Code("158965000", "Medical practitioner", SNOMED_CT),
    Code("62247001", "Family medicine specialist", SNOMED_CT),
    Code("80584001", "Psychiatrist", SNOMED_CT),
    Code("59944000", "Psychologist", SNOMED_CT),
    Code("224535009", "Registered nurse", SNOMED_CT),
    Code("224564000", "Community mental health nurse", SNOMED_CT),
    Code("46255001", "Pharmacist", SNOMED_CT),
    Code("106328005", "Social worker", SNOMED_CT),
    Code("224595007", "Professional counselor", SNOMED_CT),
    Code("80546007", "Occupational therapist", SNOMED_CT),
    Code("36682004", "Physiotherapist", SNOMED_CT),
    Code("40570005", "Interpreter", SNOMED_CT),
]
CARE_TEAM_ROLE_NAMES = {code.code: code.display for code in CARE_TEAM_ROLES}
