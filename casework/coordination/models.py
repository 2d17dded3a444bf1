"""The resource directory: community, clinical and government organizations and their services.

FHIR shapes: Organization (the resource organization) and HealthcareService (a service it offers,
with its address and coordinates standing in for a Location). Each organization (tenant) curates its
own directory; staff search it by need domain, language, distance and opening hours.
"""

from __future__ import annotations

from django.db import models

from casework.accounts.models import Organization
from casework.core.models import BaseModel


class ResourceKind(models.TextChoices):
    COMMUNITY = "community", "Community"
    CLINICAL = "clinical", "Clinical"
    GOVERNMENT = "government", "Government"


class CapacityStatus(models.TextChoices):
    OPEN = "open", "Open"
    WAITLIST = "waitlist", "Waitlist"
    FULL = "full", "Full"


class ResourceOrganization(BaseModel):
    organization = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The tenant that curates this directory entry.",
    )
    name = models.CharField(max_length=200)
    kind = models.CharField(
        max_length=20, choices=ResourceKind.choices, default=ResourceKind.COMMUNITY
    )
    phone = models.CharField(max_length=40, blank=True)
    website = models.URLField(blank=True)
    notes = models.TextField(blank=True)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ResourceService(BaseModel):
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    provider = models.ForeignKey(
        ResourceOrganization, on_delete=models.PROTECT, related_name="services"
    )
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    needs = models.JSONField(default=list, blank=True, help_text="Need domain codes, e.g. food")
    eligibility = models.TextField(blank=True)
    min_age = models.PositiveSmallIntegerField(null=True, blank=True)
    max_age = models.PositiveSmallIntegerField(null=True, blank=True)
    languages = models.JSONField(default=list, blank=True, help_text="BCP 47 tags")
    hours = models.JSONField(
        default=dict,
        blank=True,
        help_text='Weekly opening hours in local time: {"mon": [["09:00", "17:00"]], ...}',
    )
    address = models.CharField(max_length=300, blank=True)
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    capacity_status = models.CharField(
        max_length=10, choices=CapacityStatus.choices, default=CapacityStatus.OPEN
    )
    waitlist_note = models.CharField(max_length=300, blank=True)
    phone = models.CharField(max_length=40, blank=True)
    email = models.EmailField(blank=True)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.provider.name})"
