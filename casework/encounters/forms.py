from __future__ import annotations

from typing import Any

from django import forms

from casework.careplans.models import Goal
from casework.encounters.models import (
    NOTE_FIELDS,
    AttemptOutcome,
    ContactOutcome,
    ContactType,
    NoteFormat,
)

NOTE_LABELS = {
    "data": "Data (what was observed and said)",
    "subjective": "Subjective (what the client reports)",
    "objective": "Objective (what was observed)",
    "assessment": "Assessment",
    "plan": "Plan (next steps)",
}


class GoalChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.client_words)


class ContactForm(forms.Form):
    contact_type = forms.ChoiceField(choices=ContactType.choices)
    outcome = forms.ChoiceField(choices=ContactOutcome.choices, initial=ContactOutcome.SUCCESSFUL)
    attempt_outcome = forms.ChoiceField(
        choices=[("", "—"), *AttemptOutcome.choices],
        required=False,
        help_text="For an attempted contact: what happened.",
    )
    started_at = forms.DateTimeField(
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
    )
    duration_minutes = forms.IntegerField(label="Duration (minutes)")
    video_link = forms.CharField(
        required=False, max_length=500, help_text="Video contacts: https link"
    )
    collateral_with = forms.CharField(
        required=False, max_length=200, help_text="Collateral contacts: who, and their role"
    )
    participants = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="One per line: name, role",
    )
    goals = GoalChoiceField(
        queryset=Goal.objects.none(), required=False, widget=forms.CheckboxSelectMultiple
    )
    note_format = forms.ChoiceField(choices=NoteFormat.choices, initial=NoteFormat.DAP)

    def __init__(self, *args: Any, goals: Any, note_format: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        goal_field = self.fields["goals"]
        assert isinstance(goal_field, GoalChoiceField)
        goal_field.queryset = goals
        self.chosen_format = note_format if note_format in NOTE_FIELDS else NoteFormat.DAP
        for name in NOTE_FIELDS[self.chosen_format]:
            self.fields[name] = forms.CharField(
                label=NOTE_LABELS[name], required=False, widget=forms.Textarea(attrs={"rows": 3})
            )

    def note_fields(self) -> list[Any]:
        return [self[name] for name in NOTE_FIELDS[self.chosen_format]]

    def service_data(self) -> dict[str, Any]:
        data = self.cleaned_data
        participants = []
        for line in (data.get("participants") or "").splitlines():
            if line.strip():
                name, _, role = line.partition(",")
                participants.append({"name": name.strip(), "role": role.strip()})
        return {
            "contact_type": data["contact_type"],
            "outcome": data["outcome"],
            "attempt_outcome": data.get("attempt_outcome") or "",
            "started_at": data["started_at"],
            "duration_minutes": data["duration_minutes"],
            "video_link": data.get("video_link") or "",
            "collateral_with": data.get("collateral_with") or "",
            "participants": participants,
            "note_format": self.chosen_format,
            "note": {name: data.get(name) or "" for name in NOTE_FIELDS[self.chosen_format]},
            "goal_ids": [goal.pk for goal in data.get("goals") or []],
        }
