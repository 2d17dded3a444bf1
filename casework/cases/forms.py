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
