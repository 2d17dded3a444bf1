"""Forms of the resource directory pages: search, CSV import, one organization or service."""

from __future__ import annotations

from typing import Any

from django import forms

from casework.coordination.directory import NEED_DOMAINS, WEEKDAYS
from casework.coordination.models import CapacityStatus, ResourceKind, ResourceOrganization


class SearchForm(forms.Form):
    need = forms.ChoiceField(
        required=False, choices=[("", "Any need"), *NEED_DOMAINS.items()], label="Need"
    )
    language = forms.CharField(required=False, max_length=35, label="Language (e.g. es)")
    q = forms.CharField(required=False, max_length=200, label="Words")
    lat = forms.FloatField(required=False, min_value=-90, max_value=90, label="Latitude")
    lon = forms.FloatField(required=False, min_value=-180, max_value=180, label="Longitude")
    within_km = forms.FloatField(required=False, min_value=0.1, label="Within km")
    open_now = forms.BooleanField(required=False, label="Open now")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if (cleaned.get("lat") is None) != (cleaned.get("lon") is None):
            self.add_error("lon", "Give both latitude and longitude, or neither.")
        if cleaned.get("within_km") is not None and cleaned.get("lat") is None:
            self.add_error("within_km", "A distance needs a latitude and longitude.")
        return cleaned


class ImportForm(forms.Form):
    file = forms.FileField(required=False, label="CSV file")
    text = forms.CharField(required=False, widget=forms.HiddenInput)

    def csv_text(self) -> str:
        upload = self.cleaned_data.get("file")
        if upload is not None:
            try:
                return str(upload.read().decode("utf-8-sig"))
            except UnicodeDecodeError:
                self.add_error("file", "The CSV file must be UTF-8.")
                return ""
        text = str(self.cleaned_data.get("text") or "")
        if not text:
            self.add_error("file", "Choose a CSV file.")
        return text


def hours_text(hours: dict[str, Any] | None) -> str:
    """The weekly hours data as the text the forms and CSV use: ``mon 09:00-17:00; …``."""
    hours = hours or {}
    # In weekday order: PostgreSQL's jsonb does not keep the keys' order.
    return "; ".join(
        f"{day} " + ",".join(f"{start}-{end}" for start, end in hours[day])
        for day in WEEKDAYS
        if hours.get(day)
    )


class VersionedForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def service_data(self) -> dict[str, Any]:
        return {name: value for name, value in self.cleaned_data.items() if name != "version"}


class OrganizationForm(VersionedForm):
    """A directory organization; the rules are the service's (the CSV rows' rules)."""

    name = forms.CharField(max_length=200)
    kind = forms.ChoiceField(choices=ResourceKind.choices, initial=ResourceKind.COMMUNITY)
    phone = forms.CharField(max_length=40, required=False)
    website = forms.CharField(max_length=200, required=False)
    email = forms.CharField(
        max_length=254, required=False, help_text="Where referral links are sent."
    )
    is_internal = forms.BooleanField(
        required=False,
        label="One of our own programs",
        help_text="Referrals to it stay inside the organization.",
    )
    notes = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)
    is_active = forms.BooleanField(required=False, initial=True, label="Active")

    def __init__(self, *args: Any, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not editing:
            del self.fields["is_active"]


class ProviderChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.name)


class ServiceForm(VersionedForm):
    """A directory service; the rules are the service's (the CSV rows' rules)."""

    provider = ProviderChoiceField(
        queryset=ResourceOrganization.objects.none(), label="Organization"
    )
    name = forms.CharField(max_length=200, label="Service")
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)
    needs = forms.MultipleChoiceField(
        choices=list(NEED_DOMAINS.items()), widget=forms.CheckboxSelectMultiple
    )
    eligibility = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)
    min_age = forms.CharField(max_length=3, required=False, label="Minimum age")
    max_age = forms.CharField(max_length=3, required=False, label="Maximum age")
    languages = forms.CharField(
        max_length=200, required=False, help_text="BCP 47 tags separated by ;  e.g. en; es"
    )
    hours = forms.CharField(
        max_length=500,
        required=False,
        help_text="e.g. mon 09:00-17:00; tue 09:00-12:00,13:00-17:00",
    )
    address = forms.CharField(max_length=300, required=False)
    latitude = forms.CharField(max_length=20, required=False)
    longitude = forms.CharField(max_length=20, required=False)
    capacity_status = forms.ChoiceField(choices=CapacityStatus.choices)
    waitlist_note = forms.CharField(max_length=300, required=False)
    phone = forms.CharField(max_length=40, required=False)
    email = forms.CharField(max_length=254, required=False)
    is_active = forms.BooleanField(required=False, initial=True, label="Active")

    def __init__(self, *args: Any, providers: Any, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        provider_field = self.fields["provider"]
        assert isinstance(provider_field, ProviderChoiceField)
        provider_field.queryset = providers
        if not editing:
            del self.fields["is_active"]

    def service_data(self) -> dict[str, Any]:
        data = super().service_data()
        data.pop("provider", None)
        return data


def service_initial(service: Any) -> dict[str, Any]:
    return {
        **{
            name: getattr(service, name)
            for name in ServiceForm.base_fields
            if name not in ("provider", "languages", "hours", "version")
        },
        "provider": service.provider_id,
        "languages": "; ".join(service.languages or []),
        "hours": hours_text(service.hours),
        "min_age": "" if service.min_age is None else service.min_age,
        "max_age": "" if service.max_age is None else service.max_age,
        "latitude": "" if service.latitude is None else service.latitude,
        "longitude": "" if service.longitude is None else service.longitude,
        "version": service.version,
    }
