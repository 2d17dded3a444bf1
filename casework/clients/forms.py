"""Web forms for clients. They parse input into types; the rules live in ``services.py``."""

from __future__ import annotations

from typing import Any

from django import forms

from casework.core.codes import ADMINISTRATIVE_GENDER, GENDER_IDENTITY, IDENTIFIER_TYPES, choices
from casework.programs.models import Program

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")

# Service error fields that have another name on the form.
FIELD_MAP = {
    "identifiers[0].type": "identifier_type",
    "identifiers[0].value": "identifier_value",
    "value": "identifier_value",
}


class ClientSearchForm(forms.Form):
    q = forms.CharField(
        label="Search clients",
        required=False,
        max_length=200,
        help_text="Name, date of birth (YYYY-MM-DD) or an identifier such as an MRN.",
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )


class ClientForm(forms.Form):
    """The client's details, as on the intake form."""

    given_name = forms.CharField(label="Given name", max_length=100)
    middle_name = forms.CharField(label="Middle name", max_length=100, required=False)
    family_name = forms.CharField(label="Family name", max_length=100)
    preferred_name = forms.CharField(
        label="Preferred name",
        max_length=100,
        required=False,
        help_text="What they like to be called.",
    )
    birth_date = forms.DateField(label="Date of birth", widget=DATE_INPUT)
    sex = forms.ChoiceField(
        label="Administrative sex", choices=choices(ADMINISTRATIVE_GENDER), initial="unknown"
    )
    gender_identity = forms.ChoiceField(
        label="Gender identity",
        choices=[("", "Not recorded"), *choices(GENDER_IDENTITY)],
        required=False,
    )
    pronouns = forms.CharField(label="Pronouns", max_length=40, required=False)
    preferred_language = forms.CharField(
        label="Preferred language",
        max_length=35,
        initial="en",
        help_text="A BCP 47 language tag, e.g. en, es or es-MX; pick from the list or type one.",
        widget=forms.TextInput(attrs={"list": "language-options", "autocomplete": "off"}),
    )
    interpreter_needed = forms.BooleanField(label="Needs an interpreter", required=False)
    phone = forms.CharField(
        label="Phone", max_length=40, required=False, widget=forms.TextInput(attrs={"type": "tel"})
    )
    email = forms.EmailField(label="Email", required=False)
    address_line = forms.CharField(label="Street address", max_length=200, required=False)
    city = forms.CharField(label="City", max_length=100, required=False)
    state = forms.CharField(label="State", max_length=40, required=False)
    postal_code = forms.CharField(label="Postal code", max_length=20, required=False)

    DETAIL_FIELDS: tuple[str, ...] = (
        "given_name",
        "middle_name",
        "family_name",
        "preferred_name",
        "birth_date",
        "sex",
        "gender_identity",
        "pronouns",
        "preferred_language",
        "interpreter_needed",
        "phone",
        "email",
        "address_line",
        "city",
        "state",
        "postal_code",
    )

    def client_data(self) -> dict[str, Any]:
        return {name: self.cleaned_data.get(name) for name in self.DETAIL_FIELDS}


class ClientCreateForm(ClientForm):
    identifier_type = forms.ChoiceField(
        label="Identifier type",
        choices=[("", "None"), *choices(IDENTIFIER_TYPES)],
        required=False,
    )
    identifier_value = forms.CharField(label="Identifier", max_length=80, required=False)
    create_anyway = forms.BooleanField(
        label="This is a different person — create anyway", required=False
    )

    def identifiers(self) -> list[dict[str, str]]:
        kind = self.cleaned_data.get("identifier_type") or ""
        value = self.cleaned_data.get("identifier_value") or ""
        if not kind and not value:
            return []
        return [{"type": kind, "value": value}]


class ClientEditForm(ClientForm):
    deceased_date = forms.DateField(label="Date of death", required=False, widget=DATE_INPUT)
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    DETAIL_FIELDS = (*ClientForm.DETAIL_FIELDS, "deceased_date")


class ReferralForm(forms.Form):
    """Refer the client to a program (opens a case in ``referred``)."""

    program = forms.ModelChoiceField(
        label="Program", queryset=Program.objects.none(), empty_label="Choose a program"
    )
    referral_source = forms.CharField(
        label="Referral source",
        max_length=120,
        required=False,
        help_text="Who referred them, e.g. self, hospital, primary care, 211.",
    )
    referral_reason = forms.CharField(
        label="Reason for referral", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    priority = forms.TypedChoiceField(
        label="Priority",
        coerce=int,
        choices=[(1, "1 — most urgent"), (2, "2"), (3, "3 — usual"), (4, "4"), (5, "5 — least")],
        initial=3,
        required=False,
        empty_value=None,
    )

    def __init__(self, *args: Any, programs: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["program"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = programs
