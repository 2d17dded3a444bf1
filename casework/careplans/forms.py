"""Web forms of the care plan pages. They parse input into types and carry the plan version the
person read; the rules (dates, owners, who may approve) live in ``services.py``."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms

from casework.accounts.models import User
from casework.assessments.models import ProposedNeed
from casework.careplans.models import (
    EducationTopic,
    Goal,
    GoalAchievement,
    GoalLifecycle,
    InterventionStatus,
    ItemStatus,
    Need,
    OwnerType,
    PlanTemplate,
    Strength,
    TeachBack,
)

PRIORITIES = [(1, "High"), (2, "Medium"), (3, "Low")]
NEED_SYSTEMS = [
    ("http://hl7.org/fhir/sid/icd-10-cm", "ICD-10-CM"),
    ("http://snomed.info/sct", "SNOMED CT"),
]
EDUCATION_METHODS = [
    ("verbal", "Verbal"),
    ("written", "Written"),
    ("demonstration", "Demonstration"),
    ("video", "Video"),
    ("interpreter", "With an interpreter"),
]
GAS_LEVELS = [
    (-2, "\N{MINUS SIGN}2 Much less than expected"),
    (-1, "\N{MINUS SIGN}1 Somewhat less than expected"),
    (0, "0 As expected"),
    (1, "+1 Somewhat more than expected"),
    (2, "+2 Much more than expected"),
]
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _text(rows: int = 2) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows})


class VersionForm(forms.Form):
    """Any change: just the plan version the person read (remove, approve)."""

    version = forms.IntegerField(min_value=1, widget=forms.HiddenInput)


class LabelledChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj)


class StaffChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(getattr(obj, "display_name", obj))


class PlanStartForm(forms.Form):
    title = forms.CharField(label="Title", max_length=200, required=False)
    templates = forms.ModelMultipleChoiceField(
        label="Start from templates (optional)",
        queryset=PlanTemplate.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, templates: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["templates"]
        assert isinstance(field, forms.ModelMultipleChoiceField)
        field.queryset = templates


class NeedForm(VersionForm):
    system = forms.ChoiceField(label="Code system", choices=NEED_SYSTEMS)
    code = forms.CharField(label="Code", max_length=20)
    display = forms.CharField(label="Name", max_length=250)
    domain = forms.CharField(label="Domain", max_length=40, required=False)
    description = forms.CharField(
        label="The need as the client describes it", required=False, widget=_text()
    )
    priority = forms.TypedChoiceField(label="Priority", choices=PRIORITIES, coerce=int, initial=2)
    status = forms.ChoiceField(label="Status", choices=ItemStatus.choices, initial="active")


class ProposedNeedForm(VersionForm):
    proposed_need = forms.ModelChoiceField(
        label="Proposed need",
        queryset=ProposedNeed.objects.none(),
        empty_label="Choose a proposed need",
    )
    priority = forms.TypedChoiceField(label="Priority", choices=PRIORITIES, coerce=int, initial=2)

    def __init__(self, *args: Any, proposed: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["proposed_need"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = proposed


class GoalForm(VersionForm):
    client_words = forms.CharField(label="The goal in the client's own words", widget=_text())
    statement = forms.CharField(
        label="Professional (SMART) statement", required=False, widget=_text()
    )
    measure = forms.CharField(label="Measure", max_length=200, required=False)
    baseline = forms.CharField(label="Baseline", max_length=200, required=False)
    target = forms.CharField(label="Target", max_length=200, required=False)
    start_date = forms.DateField(label="Start date", required=False, widget=DATE)
    target_date = forms.DateField(label="Target date", required=False, widget=DATE)
    priority = forms.TypedChoiceField(label="Priority", choices=PRIORITIES, coerce=int, initial=2)
    lifecycle_status = forms.ChoiceField(
        label="Status", choices=GoalLifecycle.choices, initial="active"
    )
    achievement_status = forms.ChoiceField(
        label="Progress",
        choices=[("", "Not assessed yet"), *GoalAchievement.choices],
        required=False,
    )
    needs = LabelledChoiceField(
        label="Needs it addresses",
        queryset=Need.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    strengths = LabelledChoiceField(
        label="Strengths it builds on",
        queryset=Strength.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, needs: Any, strengths: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, queryset in (("needs", needs), ("strengths", strengths)):
            field = self.fields[name]
            assert isinstance(field, forms.ModelMultipleChoiceField)
            field.queryset = queryset


class StrengthForm(VersionForm):
    description = forms.CharField(label="Strength", widget=_text())
    domain = forms.CharField(label="Life domain", max_length=40, required=False)


class BarrierForm(VersionForm):
    description = forms.CharField(label="Barrier", widget=_text())
    plan_to_address = forms.CharField(
        label="How we will address it", required=False, widget=_text()
    )
    goal = forms.ModelChoiceField(
        label="Goal it stands in the way of",
        queryset=Goal.objects.none(),
        required=False,
        empty_label="The whole plan",
    )

    def __init__(self, *args: Any, goals: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["goal"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = goals


class InterventionForm(VersionForm):
    description = forms.CharField(label="Action", widget=_text())
    goal = forms.ModelChoiceField(
        label="For goal", queryset=Goal.objects.none(), required=False, empty_label="The whole plan"
    )
    owner_type = forms.ChoiceField(label="Who does it", choices=OwnerType.choices)
    owner_user = StaffChoiceField(
        label="Staff owner",
        queryset=User.objects.none(),
        required=False,
        empty_label="Not a member of staff",
    )
    owner_name = forms.CharField(
        label="Owner's name (when not staff)", max_length=200, required=False
    )
    due_date = forms.DateField(label="Due date", required=False, widget=DATE)
    status = forms.ChoiceField(
        label="Status", choices=InterventionStatus.choices, initial="not-started"
    )

    def __init__(self, *args: Any, goals: Any, staff: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, queryset in (("goal", goals), ("owner_user", staff)):
            field = self.fields[name]
            assert isinstance(field, forms.ModelChoiceField)
            field.queryset = queryset


class EducationForm(VersionForm):
    topic = forms.ChoiceField(label="Topic", choices=EducationTopic.choices)
    detail = forms.CharField(label="What was taught", required=False, widget=_text())
    method = forms.ChoiceField(label="Method", choices=EDUCATION_METHODS)
    teach_back = forms.ChoiceField(label="Teach-back result", choices=TeachBack.choices)
    given_on = forms.DateField(label="Given on", widget=DATE, initial=date.today)


class SelfManagementForm(VersionForm):
    self_management = forms.CharField(
        label="What the client will do to manage their own health and life",
        required=False,
        widget=_text(4),
    )
    crisis_plan = forms.CharField(label="Crisis plan", required=False, widget=_text(3))


class AgreementForm(VersionForm):
    method = forms.ChoiceField(
        label="How the client agreed",
        choices=[("signature", "Signed on screen"), ("verbal", "Verbal agreement, attested")],
        widget=forms.RadioSelect,
        initial="signature",
    )
    agreed_by_name = forms.CharField(label="Name of the person agreeing", max_length=200)
    relationship = forms.CharField(
        label="Relationship to the client",
        max_length=80,
        initial="self",
        help_text='"self", or the representative\'s relationship (e.g. guardian)',
    )
    signature = forms.CharField(required=False, widget=forms.HiddenInput)
    witness_name = forms.CharField(
        label="Witness (for a verbal agreement)", max_length=200, required=False
    )
    agreed_on = forms.DateField(label="Date agreed", widget=DATE, initial=date.today)

    def clean_signature(self) -> str:
        value = str(self.cleaned_data.get("signature") or "")
        if value and not value.startswith("data:image/png;base64,"):
            raise forms.ValidationError("The signature must be a PNG image.")
        if len(value) > 2_000_000:
            raise forms.ValidationError("The signature image is too large.")
        return value

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        method = data.get("method")
        if method == "signature" and not data.get("signature"):
            self.add_error(
                None, "Draw the signature in the box, or record a verbal agreement instead."
            )
        if method == "verbal" and not data.get("witness_name"):
            self.add_error("witness_name", "A verbal agreement needs a witness.")
        return data


class ReviewForm(VersionForm):
    """A review: a date and notes, then for each active goal a GAS level, weight and notes
    (fields ``attainment-<goal id>``, ``weight-<goal id>``, ``notes-<goal id>``)."""

    reviewed_on = forms.DateField(label="Review date", widget=DATE, initial=date.today)
    notes = forms.CharField(label="Review notes", required=False, widget=_text(3))

    def __init__(self, *args: Any, goals: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.goals = goals
        for goal in goals:
            self.fields[f"attainment-{goal.pk}"] = forms.TypedChoiceField(
                label="Goal attainment",
                choices=GAS_LEVELS,
                coerce=int,
                widget=forms.RadioSelect,
            )
            self.fields[f"weight-{goal.pk}"] = forms.FloatField(
                label="Weight", min_value=0.1, max_value=100, initial=1
            )
            self.fields[f"notes-{goal.pk}"] = forms.CharField(
                label="Notes", required=False, widget=_text(1)
            )

    def rows(self) -> list[dict[str, Any]]:
        """Per goal: the goal and its three bound fields, for the template."""
        return [
            {
                "goal": goal,
                "attainment": self[f"attainment-{goal.pk}"],
                "weight": self[f"weight-{goal.pk}"],
                "notes": self[f"notes-{goal.pk}"],
            }
            for goal in self.goals
        ]

    def scores(self) -> list[dict[str, Any]]:
        data = self.cleaned_data
        return [
            {
                "goal_id": goal.pk,
                "attainment": data[f"attainment-{goal.pk}"],
                "weight": data[f"weight-{goal.pk}"],
                "notes": data.get(f"notes-{goal.pk}", ""),
            }
            for goal in self.goals
        ]


class DiffForm(forms.Form):
    from_number = forms.IntegerField(label="From version", min_value=1)
    to_number = forms.IntegerField(label="To version", min_value=1)
