"""Forms of My work and Team work: the filters, the actions on one item (each carries the
version it read) and a task made by hand."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from django import forms
from django.utils import timezone

from casework.accounts.models import User
from casework.monitoring.models import Priority
from casework.monitoring.selectors.work_items import WORK_ITEM_KINDS
from casework.monitoring.services.work_items import MAX_SNOOZE_DAYS


class StaffChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.display_name)


class WorkFilterForm(forms.Form):
    kind = forms.ChoiceField(
        choices=[("", "All kinds"), *sorted(WORK_ITEM_KINDS.items(), key=lambda c: c[1])],
        required=False,
    )
    priority = forms.ChoiceField(choices=[("", "Any priority"), *Priority.choices], required=False)
    overdue = forms.BooleanField(required=False, label="Overdue only")
    due_today = forms.BooleanField(required=False, label="Due today")
    escalated = forms.BooleanField(required=False, label="Escalated only")
    snoozed = forms.BooleanField(required=False, label="Show snoozed")
    case = forms.UUIDField(required=False, widget=forms.HiddenInput)


class CompleteForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    note = forms.CharField(required=False, max_length=2000, label="Note (optional)")


def _end_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.max))


class SnoozeForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    until = forms.DateField(
        label="Snooze until",
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=f"The item comes back on that day; at most {MAX_SNOOZE_DAYS} days ahead.",
    )
    reason = forms.CharField(max_length=2000, label="Reason")

    def until_moment(self) -> datetime:
        """The start of the chosen day, agency time."""
        day: date = self.cleaned_data["until"]
        return timezone.make_aware(datetime.combine(day, time.min))

    @staticmethod
    def default_until() -> date:
        return timezone.localdate() + timedelta(days=1)


class VersionForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)


class ReassignForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    to = StaffChoiceField(queryset=User.objects.none(), label="Hand to")
    reason = forms.CharField(max_length=2000, label="Reason")

    def __init__(self, *args: Any, candidates: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if candidates is not None:
            self.fields["to"].queryset = candidates  # type: ignore[attr-defined]


class CancelForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    reason = forms.CharField(max_length=2000, label="Why is it not needed?")


class WorkItemNewForm(forms.Form):
    title = forms.CharField(max_length=200)
    detail = forms.CharField(
        required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 3})
    )
    assignee = StaffChoiceField(queryset=User.objects.none(), label="For")
    priority = forms.ChoiceField(choices=Priority.choices, initial=Priority.ROUTINE)
    due_date = forms.DateField(
        required=False,
        label="Due by",
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="The end of that day. Empty: no due date.",
    )
    case = forms.UUIDField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, assignees: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if assignees is not None:
            self.fields["assignee"].queryset = assignees  # type: ignore[attr-defined]

    def due_at(self) -> datetime | None:
        day = self.cleaned_data.get("due_date")
        return _end_of(day) if day else None
