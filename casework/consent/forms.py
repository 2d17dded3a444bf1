"""Forms of the consent page."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils import timezone

from casework.consent.models import ConsentMethod, ConsentPurpose


class ConsentForm(forms.Form):
    purposes = forms.MultipleChoiceField(
        choices=ConsentPurpose.choices,
        widget=forms.CheckboxSelectMultiple,
        initial=[ConsentPurpose.CAREMGT, ConsentPurpose.COC],
    )
    all_directory_recipients = forms.BooleanField(
        label="Any organization in our resource directory", required=False
    )
    recipients = forms.MultipleChoiceField(
        label="Or these organizations", required=False, widget=forms.CheckboxSelectMultiple
    )
    method = forms.ChoiceField(choices=ConsentMethod.choices)
    signed_on = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    period_end = forms.DateField(
        label="Until",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="Leave empty: until revoked.",
    )
    witness_name = forms.CharField(label="Witness (verbal consent)", required=False, max_length=200)
    note = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, providers: Any = (), **kwargs: Any) -> None:
        kwargs.setdefault("initial", {}).setdefault("signed_on", timezone.localdate())
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["recipients"]).choices = [
            (str(p.pk), p.name) for p in providers
        ]

    def service_kwargs(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "purposes": data["purposes"],
            "recipient_ids": data["recipients"],
            "all_directory_recipients": data["all_directory_recipients"],
            "method": data["method"],
            "signed_on": data["signed_on"],
            "period_end": data["period_end"],
            "witness_name": data["witness_name"],
            "note": data["note"],
        }


class RevokeForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}))
