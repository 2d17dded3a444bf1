"""Forms of the resource directory pages: search and CSV import."""

from __future__ import annotations

from typing import Any

from django import forms

from casework.coordination.directory import NEED_DOMAINS


class SearchForm(forms.Form):
    need = forms.ChoiceField(
        required=False, choices=[("", "Any need"), *NEED_DOMAINS.items()], label="Need"
    )
    language = forms.CharField(required=False, max_length=35, label="Language (e.g. es)")
    q = forms.CharField(required=False, max_length=200, label="Words")
    lat = forms.FloatField(required=False, min_value=-90, max_value=90, label="Latitude")
    lon = forms.FloatField(required=False, min_value=-180, max_value=180, label="Longitude")
    within_km = forms.FloatField(required=False, min_value=0.1, label="Within km")
    open_now = forms.BooleanField(required=False, label="Open now")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if (cleaned.get("lat") is None) != (cleaned.get("lon") is None):
            self.add_error("lon", "Give both latitude and longitude, or neither.")
        if cleaned.get("within_km") is not None and cleaned.get("lat") is None:
            self.add_error("within_km", "A distance needs a latitude and longitude.")
        return cleaned


class ImportForm(forms.Form):
    file = forms.FileField(required=False, label="CSV file")
    text = forms.CharField(required=False, widget=forms.HiddenInput)

    def csv_text(self) -> str:
        upload = self.cleaned_data.get("file")
        if upload is not None:
            try:
                return str(upload.read().decode("utf-8-sig"))
            except UnicodeDecodeError:
                self.add_error("file", "The CSV file must be UTF-8.")
                return ""
        text = str(self.cleaned_data.get("text") or "")
        if not text:
            self.add_error("file", "Choose a CSV file.")
        return text
