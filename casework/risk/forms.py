"""Forms of the population risk page: filters, a supervisor's decision, enrollment."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import forms

from casework.programs.models import ModelKind, Program
from casework.risk.models import Tier

DECISIONS = [("accept", "Accept the recommendation"), ("override", "Override")]


class ProgramChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.name} ({obj.model.name})"


class RiskFilterForm(forms.Form):
    tier = forms.ChoiceField(
        label="Risk tier", choices=[("", "All tiers"), *Tier.choices], required=False
    )
    program = ProgramChoiceField(
        label="Program (open case)",
        queryset=Program.objects.none(),
        required=False,
        empty_label="All programs",
    )
    unassigned = forms.BooleanField(label="Only clients without a case manager", required=False)

    def __init__(self, *args: Any, programs: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["program"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = programs


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(label="Decision", choices=DECISIONS)
    model_kind = forms.ChoiceField(
        label="Model (to override)", choices=[("", "—"), *ModelKind.choices], required=False
    )
    reason = forms.CharField(
        label="Reason (required to override)",
        max_length=2000,
        required=False,
        widget=forms.TextInput,
    )


class EnrollForm(forms.Form):
    """Choose the program to refer to. Built from a list fetched once for the whole page, so a
    page of fifty rows does not query the programs fifty times."""

    program = forms.ChoiceField(label="Program")

    def __init__(self, *args: Any, programs: Iterable[Program], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.programs = {str(program.pk): program for program in programs}
        field = self.fields["program"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [
            (key, f"{program.name} ({program.model.name})")
            for key, program in self.programs.items()
        ]

    def clean_program(self) -> Program:
        return self.programs[self.cleaned_data["program"]]
