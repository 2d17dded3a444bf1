"""Forms of remote monitoring: acknowledge an alert, make a check-in link, and the client's own
check-in page (English or Spanish, by the client's preferred language)."""

from __future__ import annotations

from typing import Any

from django import forms

from casework.monitoring.thresholds import (
    BLOOD_PRESSURE,
    CHECK_IN,
    CHECK_IN_READINGS,
    GLUCOSE,
    PHQ2,
    READINGS,
    SPO2,
    WEIGHT,
)


class AcknowledgeForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    note = forms.CharField(
        required=False,
        max_length=2000,
        label="What was done",
        widget=forms.TextInput(attrs={"placeholder": "e.g. Called the client; seeing GP today"}),
    )


class RevokeForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)


READING_LABELS = {
    BLOOD_PRESSURE: "Blood pressure",
    WEIGHT: "Weight",
    GLUCOSE: "Blood glucose",
    SPO2: "Oxygen saturation",
    PHQ2: "PHQ-2 (two mood questions)",
}


class CheckInLinkForm(forms.Form):
    readings = forms.MultipleChoiceField(
        choices=[(code, READING_LABELS[code]) for code in CHECK_IN_READINGS],
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Also ask for",
        help_text="The client is always asked how they are today.",
    )
    days = forms.IntegerField(
        min_value=1, max_value=90, initial=30, label="Works for (days)", required=False
    )


# The check-in page speaks the client's language (as careplans/i18n.py does for the printed plan:
# a plain catalog, since it follows the client, not a signed-in user). The PHQ-2 wording is the
# instrument's own (PHQ-9 items 1-2, Pfizer's English and US Spanish versions).
TEXT: dict[str, dict[str, str]] = {
    "en": {
        "title": "Check-in",
        "hello": "Hello, {name}",
        "intro": "Tell us how you are. Your case manager will see your answers.",
        "mood": "How are you today?",
        "mood_1": "Very bad",
        "mood_2": "Bad",
        "mood_3": "OK",
        "mood_4": "Good",
        "mood_5": "Very good",
        "bp": "Blood pressure",
        "systolic": "Top number (systolic)",
        "diastolic": "Bottom number (diastolic)",
        "weight": "Weight",
        "unit": "Unit",
        "glucose": "Blood sugar (mg/dL)",
        "spo2": "Oxygen (%)",
        "phq_intro": "Over the last 2 weeks, how often have you been bothered by:",
        "phq_interest": "Little interest or pleasure in doing things",
        "phq_down": "Feeling down, depressed, or hopeless",
        "phq_0": "Not at all",
        "phq_1": "Several days",
        "phq_2": "More than half the days",
        "phq_3": "Nearly every day",
        "optional": "Leave empty if you did not measure it today.",
        "send": "Send",
        "both_bp": "Enter both numbers, or neither.",
        "both_phq": "Answer both questions, or neither.",
        "fix": "Please check your answers.",
        "required": "Please choose one.",
        "number": "Enter a number.",
        "thanks": "Thank you — your case manager will see this.",
        "again": "You can use this link again tomorrow.",
        "emergency": "If you feel very unwell, call 911 or go to the nearest emergency room.",
        "gone_title": "This link no longer works",
        "gone": "Ask your case manager for a new check-in link.",
    },
    "es": {
        "title": "Reporte",
        "hello": "Hola, {name}",
        "intro": "Cuéntenos cómo está. Su administrador de casos verá sus respuestas.",
        "mood": "¿Cómo se siente hoy?",
        "mood_1": "Muy mal",
        "mood_2": "Mal",
        "mood_3": "Regular",
        "mood_4": "Bien",
        "mood_5": "Muy bien",
        "bp": "Presión arterial",
        "systolic": "Número de arriba (sistólica)",
        "diastolic": "Número de abajo (diastólica)",
        "weight": "Peso",
        "unit": "Unidad",
        "glucose": "Azúcar en la sangre (mg/dL)",
        "spo2": "Oxígeno (%)",
        "phq_intro": (
            "Durante las últimas 2 semanas, ¿qué tan seguido le han molestado los siguientes "
            "problemas?"
        ),
        "phq_interest": "Poco interés o placer en hacer cosas",
        "phq_down": "Se ha sentido decaído(a), deprimido(a) o sin esperanzas",
        "phq_0": "Para nada",
        "phq_1": "Varios días",
        "phq_2": "Más de la mitad de los días",
        "phq_3": "Casi todos los días",
        "optional": "Déjelo vacío si no lo midió hoy.",
        "send": "Enviar",
        "both_bp": "Escriba los dos números, o ninguno.",
        "both_phq": "Conteste las dos preguntas, o ninguna.",
        "fix": "Por favor revise sus respuestas.",
        "required": "Por favor elija una opción.",
        "number": "Escriba un número.",
        "thanks": "Gracias — su administrador de casos verá esto.",
        "again": "Puede usar este enlace otra vez mañana.",
        "emergency": "Si se siente muy mal, llame al 911 o vaya a la sala de emergencias.",
        "gone_title": "Este enlace ya no funciona",
        "gone": "Pida a su administrador de casos un nuevo enlace.",
    },
}


def check_in_language(preferred_language: str) -> str:
    """``es`` for Spanish (any region: es, es-MX ...), otherwise ``en``."""
    primary = (preferred_language or "").split("-")[0].lower()
    return primary if primary in TEXT else "en"


def _number(label: str, text: dict[str, str], **attrs: Any) -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        required=False,
        max_digits=8,
        decimal_places=2,
        error_messages={"invalid": text["number"]},
        widget=forms.NumberInput(attrs={"inputmode": "decimal", "step": "any", **attrs}),
    )


class CheckInForm(forms.Form):
    """Mood always; the other readings the link asks for, each optional."""

    def __init__(self, *args: Any, readings: list[str], language: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.language = language
        self.text = text = TEXT[language]
        self.readings = [code for code in CHECK_IN_READINGS if code in readings]
        self.fields["mood"] = forms.TypedChoiceField(
            label=text["mood"],
            coerce=int,
            choices=[(n, f"{n} · {text[f'mood_{n}']}") for n in range(5, 0, -1)],
            widget=forms.RadioSelect,
            error_messages={"required": text["required"]},
        )
        if BLOOD_PRESSURE in self.readings:
            self.fields["systolic"] = _number(text["systolic"], text, min="0")
            self.fields["diastolic"] = _number(text["diastolic"], text, min="0")
        if WEIGHT in self.readings:
            self.fields["weight"] = _number(text["weight"], text, min="0")
            self.fields["weight_unit"] = forms.ChoiceField(
                label=text["unit"],
                choices=[("kg", "kg"), ("lb", "lb")],
                initial="lb",
                required=False,
            )
        if GLUCOSE in self.readings:
            self.fields["glucose"] = _number(text["glucose"], text, min="0")
        if SPO2 in self.readings:
            self.fields["spo2"] = _number(text["spo2"], text, min="0", max="100")
        if PHQ2 in self.readings:
            answers = [(n, text[f"phq_{n}"]) for n in range(4)]
            for name in ("phq_interest", "phq_down"):
                self.fields[name] = forms.TypedChoiceField(
                    label=text[name],
                    coerce=int,
                    choices=answers,
                    widget=forms.RadioSelect,
                    required=False,
                    empty_value=None,
                )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if BLOOD_PRESSURE in self.readings and (
            (data.get("systolic") is None) != (data.get("diastolic") is None)
        ):
            self.add_error("diastolic", self.text["both_bp"])
        if data.get("weight") is not None and not data.get("weight_unit"):
            self.add_error("weight_unit", self.text["required"])
        if PHQ2 in self.readings and (
            (data.get("phq_interest") is None) != (data.get("phq_down") is None)
        ):
            self.add_error("phq_down", self.text["both_phq"])
        return data

    def service_readings(self, *, now: Any) -> list[dict[str, Any]]:
        """The answers as readings for ``observation_record`` (PHQ-2: the score, 0-6)."""
        data = self.cleaned_data
        readings: list[dict[str, Any]] = [
            {"code": CHECK_IN, "value": data["mood"], "effective_at": now}
        ]
        if data.get("systolic") is not None and data.get("diastolic") is not None:
            readings.append(
                {
                    "code": BLOOD_PRESSURE,
                    "systolic": data["systolic"],
                    "diastolic": data["diastolic"],
                    "effective_at": now,
                }
            )
        if data.get("weight") is not None:
            readings.append(
                {
                    "code": WEIGHT,
                    "value": data["weight"],
                    "unit": data.get("weight_unit") or "kg",
                    "effective_at": now,
                }
            )
        for name, code in (("glucose", GLUCOSE), ("spo2", SPO2)):
            if data.get(name) is not None:
                readings.append({"code": code, "value": data[name], "effective_at": now})
        if data.get("phq_interest") is not None and data.get("phq_down") is not None:
            readings.append(
                {
                    "code": PHQ2,
                    "value": data["phq_interest"] + data["phq_down"],
                    "effective_at": now,
                }
            )
        return readings

    # The service names readings by position (readings.2.value); map them back to fields.
    def field_for(self, readings: list[dict[str, Any]], service_field: str) -> str | None:
        parts = service_field.split(".")
        if len(parts) < 3 or parts[0] != "readings" or not parts[1].isdigit():
            return None
        index = int(parts[1])
        if index >= len(readings):
            return None
        code = readings[index]["code"]
        if code == BLOOD_PRESSURE:
            return parts[2] if parts[2] in ("systolic", "diastolic") else "systolic"
        return {
            CHECK_IN: "mood",
            WEIGHT: "weight",
            GLUCOSE: "glucose",
            SPO2: "spo2",
            PHQ2: "phq_down",
        }.get(code)


def reading_label(code: str) -> str:
    return READINGS[code].label if code in READINGS else code
