"""Web forms for cases. They parse input into types; the rules live in ``services.py``."""

from __future__ import annotations

from typing import Any

from django import forms

from casework.accounts.models import User
from casework.cases.codes import CLOSURE_REASONS
from casework.cases.models import Status
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
