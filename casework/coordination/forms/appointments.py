"""Forms of the appointment pages. They parse input into types; the rules live in services."""

from __future__ import annotations

from typing import Any

from django import forms

from casework.coordination.models import AppointmentMode, AppointmentStatus

DATETIME_WIDGET = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class NamedChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(getattr(obj, "display_name", None) or obj)


class AppointmentForm(forms.Form):
    title = forms.CharField(max_length=200, help_text="What it is for, e.g. Dental check-up")
    with_whom = forms.CharField(max_length=200, label="With whom")
    starts_at = forms.DateTimeField(label="Starts", widget=DATETIME_WIDGET)
    ends_at = forms.DateTimeField(label="Ends", widget=DATETIME_WIDGET)
    mode = forms.ChoiceField(choices=AppointmentMode.choices, initial=AppointmentMode.IN_PERSON)
    location = forms.CharField(max_length=300, required=False)
    video_link = forms.CharField(
        max_length=500, required=False, help_text="Video appointments: the https link"
    )
    care_team_member = NamedChoiceField(
        label="Care team member", queryset=None, required=False, help_text="Who it is with"
    )
    referral = NamedChoiceField(
        label="Referral", queryset=None, required=False, help_text="The referral it follows up"
    )
    transport_needed = forms.BooleanField(required=False, label="Needs transport")
    transport_arranged = forms.BooleanField(required=False, label="Transport arranged")
    transport_note = forms.CharField(max_length=300, required=False)
    accompaniment_planned = forms.BooleanField(required=False, label="Someone goes with the client")
    accompanied_by = NamedChoiceField(
        label="Accompanied by",
        queryset=None,
        required=False,
        help_text="Default: the case manager",
    )
    note = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(
        self, *args: Any, care_team: Any, referrals: Any, companions: Any, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        for name, queryset in (
            ("care_team_member", care_team),
            ("referral", referrals),
            ("accompanied_by", companions),
        ):
            field = self.fields[name]
            assert isinstance(field, forms.ModelChoiceField)
            field.queryset = queryset

    def service_data(self) -> dict[str, Any]:
        data = self.cleaned_data
        member, referral, companion = (
            data.get("care_team_member"),
            data.get("referral"),
            data.get("accompanied_by"),
        )
        return {
            "title": data["title"],
            "with_whom": data["with_whom"],
            "starts_at": data["starts_at"],
            "ends_at": data["ends_at"],
            "mode": data["mode"],
            "location": data.get("location") or "",
            "video_link": data.get("video_link") or "",
            "care_team_member_id": member.pk if member is not None else None,
            "referral_id": referral.pk if referral is not None else None,
            "transport_needed": bool(data.get("transport_needed")),
            "transport_arranged": bool(data.get("transport_arranged")),
            "transport_note": data.get("transport_note") or "",
            "accompaniment_planned": bool(data.get("accompaniment_planned")),
            "accompanied_by_id": companion.pk if companion is not None else None,
            "note": data.get("note") or "",
        }


class AttendanceForm(forms.Form):
    status = forms.ChoiceField(
        choices=[
            (AppointmentStatus.FULFILLED, "Attended"),
            (AppointmentStatus.NOSHOW, "No-show"),
            (AppointmentStatus.CANCELLED, "Cancelled"),
        ]
    )
    version = forms.IntegerField(min_value=1, widget=forms.HiddenInput)
    reason = forms.CharField(required=False, max_length=2000)


class EnteredInErrorForm(forms.Form):
    version = forms.IntegerField(min_value=1, widget=forms.HiddenInput)
    reason = forms.CharField(max_length=2000)
