"""The person served: names, demographics, language, contact details and identifiers."""

from __future__ import annotations

from django.db import models

from casework.accounts.models import Organization, User
from casework.core.codes import ADMINISTRATIVE_GENDER, GENDER_IDENTITY, IDENTIFIER_TYPES, choices
from casework.core.models import BaseModel


class Client(BaseModel):
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="clients")
    given_name = models.CharField(max_length=100)
    middle_name = models.CharField(max_length=100, blank=True)
    family_name = models.CharField(max_length=100)
    preferred_name = models.CharField(max_length=100, blank=True)
    birth_date = models.DateField(db_index=True)
    sex = models.CharField(
        max_length=10,
        choices=choices(ADMINISTRATIVE_GENDER),
        default="unknown",
        help_text="Administrative sex (FHIR AdministrativeGender).",
    )
    gender_identity = models.CharField(max_length=20, choices=choices(GENDER_IDENTITY), blank=True)
    pronouns = models.CharField(max_length=40, blank=True)
    preferred_language = models.CharField(
        max_length=35, default="en", help_text="BCP 47 language tag, e.g. en, es, zh-Hant."
    )
    interpreter_needed = models.BooleanField(default=False)
    phone = models.CharField(max_length=40, blank=True)
    email = models.EmailField(blank=True)
    address_line = models.CharField(max_length=200, blank=True)
    city = models.CharField(max_length=100, blank=True)
    state = models.CharField(max_length=40, blank=True)
    postal_code = models.CharField(max_length=20, blank=True)
    # Home coordinates, entered by staff (no geocoding service): distance to directory services.
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    deceased_date = models.DateField(null=True, blank=True)
    # Folded ("maria jose garcia") copies of the names, kept by the service, for search.
    search_name = models.CharField(max_length=320, db_index=True, editable=False, default="")
    search_family = models.CharField(max_length=100, db_index=True, editable=False, default="")
    created_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["family_name", "given_name"]
        indexes = [
            models.Index(
                fields=["organization", "search_family", "birth_date"], name="client_lookup"
            )
        ]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        parts = [self.given_name, self.middle_name, self.family_name]
        return " ".join(part for part in parts if part)

    @property
    def display_name(self) -> str:
        if self.preferred_name and self.preferred_name != self.given_name:
            return f"{self.full_name} ({self.preferred_name})"
        return self.full_name


class ClientIdentifier(BaseModel):
    """An MRN, Medicaid ID and the like. Unique per organization, type and value."""

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="identifiers")
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    type = models.CharField(max_length=4, choices=choices(IDENTIFIER_TYPES))
    value = models.CharField(max_length=80)
    assigner = models.CharField(max_length=120, blank=True)

    class Meta:
        ordering = ["type", "value"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "type", "value"], name="client_identifier_unique"
            )
        ]
        indexes = [models.Index(fields=["value"], name="client_identifier_value")]

    def __str__(self) -> str:
        return f"{self.get_type_display()} {self.value}"


class ConditionStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    RESOLVED = "resolved", "Resolved"
    INACTIVE = "inactive", "Inactive"


class Condition(BaseModel):
    """A coded diagnosis or problem from the client's clinical history (ICD-10-CM or SNOMED CT).

    Feeds comorbidity scores (Charlson, LACE) and the predictive model; imported from FHIR
    Condition resources or entered by hand. Care-plan needs are a separate, case-level record.
    """

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="conditions")
    system = models.CharField(max_length=80, help_text="Code system URI (ICD-10-CM or SNOMED CT)")
    code = models.CharField(max_length=20)
    display = models.CharField(max_length=250, blank=True)
    clinical_status = models.CharField(
        max_length=10, choices=ConditionStatus.choices, default=ConditionStatus.ACTIVE
    )
    onset_date = models.DateField(null=True, blank=True)
    abatement_date = models.DateField(null=True, blank=True)
    source = models.CharField(max_length=40, blank=True, help_text="manual, fhir-import, demo…")
    source_id = models.CharField(max_length=120, blank=True)

    class Meta:
        ordering = ["onset_date", "code"]
        indexes = [
            models.Index(fields=["client", "code"], name="condition_client_code"),
            models.Index(fields=["code"], name="condition_code"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.display}"


class UtilizationKind(models.TextChoices):
    EMERGENCY = "emergency", "Emergency department visit"
    INPATIENT = "inpatient", "Inpatient admission"
    OBSERVATION = "observation", "Observation stay"


class Utilization(BaseModel):
    """A hospital or emergency department encounter (FHIR Encounter class EMER / IMP / OBSENC).

    ``acute`` marks an emergent (unplanned) admission, the "A" of the LACE index.
    """

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="utilization")
    kind = models.CharField(max_length=12, choices=UtilizationKind.choices)
    started_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)
    acute = models.BooleanField(default=False, help_text="Emergent/urgent, e.g. admitted via ED")
    facility = models.CharField(max_length=160, blank=True)
    diagnosis_system = models.CharField(max_length=80, blank=True)
    diagnosis_code = models.CharField(max_length=20, blank=True)
    diagnosis_display = models.CharField(max_length=250, blank=True)
    source = models.CharField(max_length=40, blank=True)
    source_id = models.CharField(max_length=120, blank=True)

    class Meta:
        ordering = ["started_at"]
        indexes = [models.Index(fields=["client", "kind", "started_at"], name="utilization_lookup")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.started_at:%Y-%m-%d}"
