"""Payer coverage (FHIR R4 Coverage) and service authorizations (prior authorizations).

An authorization approves a number of units of a service for a period; the units used are counted
from the client's contacts (billing units) and referrals (units delivered) -- never typed in.
"""

from __future__ import annotations

from django.db import models

from casework.accounts.models import Organization, User
from casework.cases.models import Case
from casework.clients.models import Client
from casework.core.models import BaseModel


class CoverageType(models.TextChoices):
    """Kinds of plan, after the X12 / HL7 v3 ActCode insurance types a case manager meets."""

    MEDICAID = "medicaid", "Medicaid"
    MANAGED_MEDICAID = "managed_medicaid", "Medicaid managed care"
    MEDICARE = "medicare", "Medicare"
    MEDICARE_ADVANTAGE = "medicare_advantage", "Medicare Advantage"
    DUAL = "dual", "Dual eligible (Medicare-Medicaid)"
    COMMERCIAL = "commercial", "Commercial"
    MARKETPLACE = "marketplace", "Marketplace (ACA)"
    CHIP = "chip", "CHIP"
    VA = "va", "Veterans Affairs / TRICARE"
    GRANT = "grant", "Grant or county funded"
    SELF_PAY = "self_pay", "Self pay / uninsured"


class CoverageStatus(models.TextChoices):
    """FHIR R4 Coverage.status (financial resource status codes)."""

    ACTIVE = "active", "Active"
    CANCELLED = "cancelled", "Cancelled"
    DRAFT = "draft", "Draft"
    ENTERED_IN_ERROR = "entered-in-error", "Entered in error"


class Coverage(BaseModel):
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="coverages")
    status = models.CharField(
        max_length=20, choices=CoverageStatus.choices, default=CoverageStatus.ACTIVE
    )
    coverage_type = models.CharField(max_length=20, choices=CoverageType.choices)
    payer_name = models.CharField(max_length=200)
    plan_name = models.CharField(max_length=200, blank=True)
    member_id = models.CharField(max_length=80, help_text="Subscriber / member id on the card.")
    group_number = models.CharField(max_length=80, blank=True)
    relationship = models.CharField(
        max_length=10,
        default="self",
        help_text="FHIR subscriber-relationship code: self, spouse, child, parent, other.",
    )
    subscriber_name = models.CharField(max_length=200, blank=True)
    order = models.PositiveSmallIntegerField(default=1, help_text="1 primary, 2 secondary, ...")
    period_start = models.DateField()
    period_end = models.DateField(null=True, blank=True)
    payer_phone = models.CharField(max_length=40, blank=True)
    status_reason = models.TextField(
        blank=True, help_text="Why the coverage ended or was entered in error."
    )
    created_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["order", "-period_start"]
        indexes = [models.Index(fields=["client", "status"], name="coverage_client_status")]

    def __str__(self) -> str:
        return f"{self.payer_name} {self.member_id}"


class UnitType(models.TextChoices):
    FIFTEEN_MINUTES = "15min", "15-minute unit"
    VISIT = "visit", "Visit / session"
    DAY = "day", "Day"
    ITEM = "item", "Item / delivery"


class AuthorizationStatus(models.TextChoices):
    REQUESTED = "requested", "Requested"
    APPROVED = "approved", "Approved"
    DENIED = "denied", "Denied"
    CANCELLED = "cancelled", "Cancelled"
    ENTERED_IN_ERROR = "entered-in-error", "Entered in error"


class Authorization(BaseModel):
    """Units of a service a payer approved for a period.

    ``counts_contacts``: the case's billable contacts in the period count against it (targeted
    case management, HCPCS T1017, billed in 15-minute units). Referrals linked to it count with
    the units they record.
    """

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    coverage = models.ForeignKey(Coverage, on_delete=models.PROTECT, related_name="authorizations")
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="authorizations")
    case = models.ForeignKey(
        Case, on_delete=models.PROTECT, null=True, blank=True, related_name="authorizations"
    )
    number = models.CharField(max_length=80, blank=True, help_text="The payer's reference.")
    service = models.CharField(max_length=200, help_text="What is authorized, in words.")
    service_code = models.CharField(
        max_length=20, blank=True, help_text="HCPCS/CPT code, e.g. T1017 (targeted case mgmt)."
    )
    unit_type = models.CharField(
        max_length=10, choices=UnitType.choices, default=UnitType.FIFTEEN_MINUTES
    )
    units_approved = models.PositiveIntegerField()
    period_start = models.DateField()
    period_end = models.DateField()
    status = models.CharField(
        max_length=20, choices=AuthorizationStatus.choices, default=AuthorizationStatus.APPROVED
    )
    counts_contacts = models.BooleanField(
        default=False, help_text="The case's billable contacts in the period use its units."
    )
    note = models.TextField(blank=True)
    status_reason = models.TextField(
        blank=True, help_text="Why it was denied, cancelled or entered in error."
    )
    created_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-period_start", "service"]
        indexes = [models.Index(fields=["client", "status"], name="authorization_client")]

    def __str__(self) -> str:
        return f"{self.service} ({self.units_approved} {self.unit_type})"
