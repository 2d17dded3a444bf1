from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone

from casework.careplans.models import Goal
from casework.coordination.models import Appointment
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


class AppointmentChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        when = timezone.localtime(obj.starts_at).strftime("%b %d, %Y %H:%M")
        return f"{when} · {obj.title} ({obj.get_mode_display()})"


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
    appointment = AppointmentChoiceField(
        queryset=Appointment.objects.none(),
        required=False,
        label="From appointment",
        help_text="A video contact takes the appointment's link when it has none of its own.",
    )
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

    def __init__(
        self, *args: Any, goals: Any, note_format: str, appointments: Any = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        goal_field = self.fields["goals"]
        assert isinstance(goal_field, GoalChoiceField)
        goal_field.queryset = goals
        appointment_field = self.fields["appointment"]
        assert isinstance(appointment_field, AppointmentChoiceField)
        if appointments is not None:
            appointment_field.queryset = appointments
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
            "appointment_id": data["appointment"].pk if data.get("appointment") else None,
            "collateral_with": data.get("collateral_with") or "",
            "participants": participants,
            "note_format": self.chosen_format,
            "note": {name: data.get(name) or "" for name in NOTE_FIELDS[self.chosen_format]},
            "goal_ids": [goal.pk for goal in data.get("goals") or []],
        }


class ContactEditForm(ContactForm):
    """The contact form with the version that was read, for changing a contact."""

    version = forms.IntegerField(widget=forms.HiddenInput)


def contact_initial(contact: Any) -> dict[str, Any]:
    """The edit form's initial values from a contact."""
    return {
        "contact_type": contact.contact_type,
        "outcome": contact.outcome,
        "attempt_outcome": contact.attempt_outcome,
        "started_at": timezone.localtime(contact.started_at).strftime("%Y-%m-%dT%H:%M"),
        "duration_minutes": contact.duration_minutes,
        "video_link": contact.video_link,
        "appointment": contact.appointment_id,
        "collateral_with": contact.collateral_with,
        "participants": "\n".join(
            f"{p.get('name', '')}, {p.get('role', '')}".rstrip(", ")
            for p in contact.participants or []
        ),
        "goals": [goal.pk for goal in contact.goals.all()],
        "note_format": contact.note_format,
        **{name: text for name, text in (contact.note or {}).items()},
        "version": contact.version,
    }


class EnteredInErrorForm(forms.Form):
    reason = forms.CharField(
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        label="Why was this contact entered in error?",
    )
    version = forms.IntegerField(widget=forms.HiddenInput)
