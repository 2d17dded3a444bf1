"""Forms of the shared pages (caseload filters, caseload reassignment)."""

from __future__ import annotations

from typing import Any

from django import forms

from casework.accounts.models import User
from casework.cases.models import OPEN, Status
from casework.programs.models import Program

OPEN_STAGES = [(status.value, status.label) for status in Status if status in OPEN]


class CaseloadFilterForm(forms.Form):
    program = forms.ModelChoiceField(
        label="Program", queryset=Program.objects.none(), required=False, empty_label="All programs"
    )
    stage = forms.ChoiceField(
        label="Stage", choices=[("", "All stages"), *OPEN_STAGES], required=False
    )

    def __init__(self, *args: Any, programs: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["program"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = programs


class StaffChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.display_name)


class BulkReassignForm(forms.Form):
    """Move someone's whole open caseload (they are leaving, or on long leave)."""

    from_case_manager = StaffChoiceField(
        label="Case manager who is leaving",
        queryset=User.objects.none(),
        empty_label="Choose a person",
    )
    to_case_manager = StaffChoiceField(
        label="Give every case to",
        queryset=User.objects.none(),
        required=False,
        empty_label="Spread by suggestion (language, then lightest load)",
    )
    reason = forms.CharField(label="Reason", max_length=500)
    override_capacity = forms.BooleanField(label="Assign even if over capacity", required=False)

    def __init__(self, *args: Any, staff: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("from_case_manager", "to_case_manager"):
            field = self.fields[name]
            assert isinstance(field, forms.ModelChoiceField)
            field.queryset = staff

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        source, target = cleaned.get("from_case_manager"), cleaned.get("to_case_manager")
        if source is not None and target is not None and source.pk == target.pk:
            self.add_error("to_case_manager", "Choose someone other than the person leaving.")
        return cleaned
