"""Forms of the coverage pages. Validation lives in the services; these parse input."""

from __future__ import annotations

from typing import Any

from django import forms

from casework.cases.models import Case
from casework.coverage.codes import SERVICE_CODES
from casework.coverage.models import AuthorizationStatus, CoverageType, UnitType
from casework.coverage.services import RELATIONSHIPS

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class VersionField(forms.IntegerField):
    widget = forms.HiddenInput


class CoverageForm(forms.Form):
    coverage_type = forms.ChoiceField(choices=CoverageType.choices, label="Kind of plan")
    payer_name = forms.CharField(max_length=200, label="Payer")
    plan_name = forms.CharField(max_length=200, required=False, label="Plan")
    member_id = forms.CharField(max_length=80, label="Member id")
    group_number = forms.CharField(max_length=80, required=False)
    relationship = forms.ChoiceField(
        choices=[(code, code.capitalize()) for code in RELATIONSHIPS],
        initial="self",
        label="Client is the subscriber's",
        help_text="Self when the client holds the plan.",
    )
    subscriber_name = forms.CharField(max_length=200, required=False)
    order = forms.IntegerField(
        min_value=1, max_value=9, initial=1, help_text="1 primary, 2 secondary …"
    )
    period_start = forms.DateField(widget=DATE, label="Covered from")
    period_end = forms.DateField(widget=DATE, required=False, label="Covered to")
    payer_phone = forms.CharField(max_length=40, required=False)
    version = VersionField(required=False)

    def service_data(self) -> dict[str, Any]:
        return {k: v for k, v in self.cleaned_data.items() if k != "version"}


class CoverageEndForm(forms.Form):
    period_end = forms.DateField(widget=DATE, required=False, label="Ended on (default today)")
    reason = forms.CharField(max_length=2000, required=False, label="Why")
    version = VersionField()


class ReasonForm(forms.Form):
    reason = forms.CharField(max_length=2000, label="Why was it entered in error?")
    version = VersionField()


class CaseChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.program.name} ({obj.get_status_display()})"


class AuthorizationForm(forms.Form):
    service_code = forms.CharField(
        max_length=20,
        required=False,
        label="Service code (HCPCS/CPT)",
        help_text="Common: "
        + ", ".join(f"{c.code} {c.description}" for c in SERVICE_CODES.values()),
        widget=forms.TextInput(attrs={"list": "service-codes"}),
    )
    service = forms.CharField(
        max_length=200, required=False, help_text="In words; left empty, a known code names it."
    )
    number = forms.CharField(max_length=80, required=False, label="Payer's reference")
    unit_type = forms.ChoiceField(
        choices=[("", "From the code"), *UnitType.choices], required=False
    )
    units_approved = forms.IntegerField(min_value=1, label="Units")
    period_start = forms.DateField(widget=DATE, label="From")
    period_end = forms.DateField(widget=DATE, label="To")
    case = CaseChoiceField(
        queryset=Case.objects.none(),
        required=False,
        empty_label="Any of the client's cases",
        help_text="Bind it to one case, or leave it for the whole client.",
    )
    counts_contacts = forms.BooleanField(
        required=False, label="Billable contacts in the period use its units"
    )
    note = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)
    status = forms.ChoiceField(
        choices=[
            (AuthorizationStatus.APPROVED, "Approved"),
            (AuthorizationStatus.REQUESTED, "Requested (waiting for the payer)"),
        ],
        initial=AuthorizationStatus.APPROVED,
    )
    version = VersionField(required=False)

    def __init__(self, *args: Any, cases: Any, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        case_field = self.fields["case"]
        assert isinstance(case_field, CaseChoiceField)
        case_field.queryset = cases
        if editing:
            del self.fields["status"]

    def service_data(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data.pop("version", None)
        case = data.pop("case", None)
        data["case_id"] = case.pk if case is not None else None
        if not data.get("unit_type"):
            data["unit_type"] = None
        return data


class AuthorizationStatusForm(forms.Form):
    status = forms.ChoiceField(choices=AuthorizationStatus.choices)
    reason = forms.CharField(max_length=2000, required=False, label="Reason")
    version = VersionField()
