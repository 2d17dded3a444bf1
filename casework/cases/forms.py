"""Web forms for cases. They parse input into types; the rules live in ``services.py``."""

from __future__ import annotations

from typing import Any

from django import forms

from casework.accounts.models import User
from casework.cases.care_team_roles import CARE_TEAM_ROLES
from casework.cases.codes import CLOSURE_REASONS
from casework.cases.models import CareTeamMemberKind, Status
from casework.core.codes import choices


class TransitionForm(forms.Form):
    to = forms.ChoiceField(choices=Status.choices, widget=forms.HiddenInput)
    version = forms.IntegerField(min_value=1, widget=forms.HiddenInput)
    reason = forms.CharField(label="Reason", required=False, widget=forms.Textarea)
    closure_reason = forms.ChoiceField(
        label="Closure reason",
        choices=[("", "Choose a closure reason"), *choices(CLOSURE_REASONS)],
        required=False,
    )
    discharge_summary = forms.CharField(
        label="Discharge summary", required=False, widget=forms.Textarea
    )


class ScreeningForm(forms.Form):
    """Findings confirmed at screening, one per line: a code, then optionally its name."""

    findings = forms.CharField(
        label="Findings (one per line: ICD-10-CM code, then its name)",
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": "F20.9 Schizophrenia"}),
        required=False,
    )
    version = forms.IntegerField(min_value=1, widget=forms.HiddenInput)

    def clean_findings(self) -> list[dict[str, str]]:
        parsed = []
        for line in self.cleaned_data["findings"].splitlines():
            parts = line.strip().split(None, 1)
            if not parts:
                continue
            parsed.append(
                {
                    "system": "http://hl7.org/fhir/sid/icd-10-cm",
                    "code": parts[0].upper(),
                    "display": parts[1].strip(" -—") if len(parts) > 1 else "",
                }
            )
        return parsed


class CaseManagerChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        load = getattr(obj, "load_points", None)
        if load is None:
            return str(obj.display_name)
        return f"{obj.display_name} — {load:.0f} of {obj.caseload_capacity:.0f} points"


class AssignForm(forms.Form):
    case_manager = CaseManagerChoiceField(
        label="Case manager", queryset=User.objects.none(), empty_label="Choose a case manager"
    )
    reason = forms.CharField(
        label="Reason",
        required=False,
        max_length=500,
        help_text="Required when the case moves from one case manager to another.",
    )
    override_capacity = forms.BooleanField(
        label="Assign even if over capacity (supervisors only)", required=False
    )
    version = forms.IntegerField(min_value=1, widget=forms.HiddenInput)

    def __init__(self, *args: Any, case_managers: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["case_manager"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = case_managers


# ----------------------------------------------------------------------------------------------
# Care team


class StaffChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.display_name} ({obj.get_role_display()})"


class CareTeamMemberForm(forms.Form):
    """Add or edit a care team member; which fields show depends on the kind."""

    kind = forms.ChoiceField(choices=CareTeamMemberKind.choices, initial=CareTeamMemberKind.STAFF)
    user = StaffChoiceField(label="Member of staff", queryset=User.objects.none(), required=False)
    name = forms.CharField(max_length=200, required=False)
    role = forms.CharField(
        max_length=80, required=False, help_text="In words, e.g. Psychiatrist, Daughter"
    )
    role_code = forms.ChoiceField(
        label="Standard role (SNOMED CT)",
        choices=[("", "—"), *choices(CARE_TEAM_ROLES)],
        required=False,
    )
    organization_name = forms.CharField(label="Organization", max_length=200, required=False)
    phone = forms.CharField(max_length=40, required=False)
    email = forms.EmailField(required=False)
    address = forms.CharField(max_length=300, required=False)
    preferred_contact = forms.CharField(
        max_length=80, required=False, help_text="e.g. text after 5 pm, email only"
    )
    is_emergency_contact = forms.BooleanField(label="Emergency contact", required=False)
    start_date = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    end_date = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    note = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    CONTACT_FIELDS = ("organization_name", "phone", "email", "address", "preferred_contact")

    def __init__(
        self,
        *args: Any,
        staff: Any = None,
        kind: str | None = None,
        editing: bool = False,
        **kw: Any,
    ) -> None:
        super().__init__(*args, **kw)
        user_field = self.fields["user"]
        assert isinstance(user_field, forms.ModelChoiceField)
        if staff is not None:
            user_field.queryset = staff
        self.chosen_kind = kind if kind in CareTeamMemberKind.values else CareTeamMemberKind.STAFF
        self.editing = editing
        if editing:
            del self.fields["kind"]
            del self.fields["user"]
        if self.chosen_kind == CareTeamMemberKind.STAFF:
            self.fields.pop("name", None)
        else:
            self.fields.pop("user", None)
            self.fields["name"].required = True

    def service_data(self) -> dict[str, Any]:
        data = self.cleaned_data
        out: dict[str, Any] = {
            name: data.get(name) or ""
            for name in ("name", "role", "role_code", "note", *self.CONTACT_FIELDS)
            if name in self.fields
        }
        out["is_emergency_contact"] = bool(data.get("is_emergency_contact"))
        out["start_date"] = data.get("start_date")
        out["end_date"] = data.get("end_date")
        if not self.editing:
            out["kind"] = self.chosen_kind
            chosen = data.get("user")
            out["user_id"] = chosen.pk if chosen is not None else None
        return out


class CareTeamEndForm(forms.Form):
    version = forms.IntegerField(min_value=1, widget=forms.HiddenInput)
    end_date = forms.DateField(
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="First day off the team (default today)",
    )
    reason = forms.CharField(required=False, max_length=2000)
