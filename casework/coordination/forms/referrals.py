"""Forms of the referral pages and of the partner page."""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

from django import forms
from django.utils import timezone

from casework.coordination.models import ReferralPriority
from casework.coordination.services.referrals import OUTCOME_CODES


class ReferralForm(forms.Form):
    """New referral. ``services``, ``needs`` and ``interventions`` are passed in by the view from
    access-scoped selectors."""

    service = forms.ChoiceField(label="Service", widget=forms.RadioSelect)
    need = forms.ChoiceField(label="Need on the care plan", required=False)
    intervention = forms.ChoiceField(label="Intervention it carries out", required=False)
    reason = forms.CharField(
        label="What the client needs from the service",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="The provider reads this.",
    )
    note_to_recipient = forms.CharField(
        label="Note to the provider", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    priority = forms.ChoiceField(choices=ReferralPriority.choices, initial=ReferralPriority.ROUTINE)
    send = forms.BooleanField(
        label="Send it now", required=False, help_text="Otherwise it is kept as a draft."
    )

    def __init__(
        self,
        *args: Any,
        services: Any = (),
        needs: Any = (),
        interventions: Any = (),
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.service_rows = {str(s.pk): s for s in services}
        self.need_rows = {str(n.pk): n for n in needs}
        self.intervention_rows = {str(i.pk): i for i in interventions}
        cast(forms.ChoiceField, self.fields["service"]).choices = [
            (pk, f"{s.name} — {s.provider.name}") for pk, s in self.service_rows.items()
        ]
        cast(forms.ChoiceField, self.fields["need"]).choices = [("", "—")] + [
            (pk, f"{n.display or n.code}") for pk, n in self.need_rows.items()
        ]
        cast(forms.ChoiceField, self.fields["intervention"]).choices = [("", "—")] + [
            (pk, str(i)) for pk, i in self.intervention_rows.items()
        ]

    def service_kwargs(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "service": self.service_rows[data["service"]],
            "need": self.need_rows.get(data["need"] or ""),
            "intervention": self.intervention_rows.get(data["intervention"] or ""),
            "reason": data["reason"],
            "note_to_recipient": data["note_to_recipient"],
            "priority": data["priority"],
            "send": data["send"],
        }


class TransitionForm(forms.Form):
    to = forms.CharField(widget=forms.HiddenInput)
    version = forms.IntegerField(widget=forms.HiddenInput)
    reason = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))
    outcome = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))
    outcome_code = forms.ChoiceField(
        required=False, choices=[("", "—"), *OUTCOME_CODES.items()], label="Outcome"
    )


class PartnerLinkForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    sent_to = forms.CharField(
        label="Sent to (name or email, for the record)", required=False, max_length=200
    )


PARTNER_ACTION_LABELS = {
    "accept": "Accept the referral",
    "reject": "Decline the referral",
    "schedule": "Record the appointment",
    "start": "Service has started",
    "hold": "Put on hold",
    "complete": "Service completed",
    "fail": "Could not provide the service",
}


class PartnerForm(forms.Form):
    action = forms.ChoiceField(choices=list(PARTNER_ACTION_LABELS.items()))
    partner_name = forms.CharField(label="Who is responding?", max_length=200)
    reason = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))
    outcome = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))
    outcome_code = forms.ChoiceField(required=False, choices=[("", "—"), *OUTCOME_CODES.items()])
    scheduled_date = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    scheduled_time = forms.TimeField(required=False, widget=forms.TimeInput(attrs={"type": "time"}))
    location = forms.CharField(required=False, max_length=300)

    def scheduled_for(self) -> datetime | None:
        day = self.cleaned_data.get("scheduled_date")
        at = self.cleaned_data.get("scheduled_time")
        if day is None or at is None:
            return None
        return timezone.make_aware(datetime.combine(day, at))
