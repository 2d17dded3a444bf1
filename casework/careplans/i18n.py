"""Labels of the printed care plan in the client's preferred language (English and Spanish).

A plain catalog rather than gettext: the printed plan follows the *client's* language, not the
signed-in user's, and needs no compiled message files. Goal texts are never translated: they are
the client's own words as entered.
"""

from __future__ import annotations

from typing import Any

from casework.careplans.models import (
    EducationTopic,
    GoalAchievement,
    GoalLifecycle,
    InterventionStatus,
    ItemStatus,
    OwnerType,
    TeachBack,
)

SUPPORTED = ("en", "es")

EN: dict[str, str] = {
    "care_plan": "Care plan",
    "client": "Client",
    "born": "Date of birth",
    "program": "Program",
    "case_manager": "Case manager",
    "version": "Version",
    "printed": "Printed",
    "period": "Plan period",
    "status": "Status",
    "needs": "Needs",
    "goals": "My goals",
    "goal": "Goal",
    "in_my_words": "In my words",
    "statement": "Plan statement",
    "measure": "How we will measure it",
    "baseline": "Where I am now",
    "target": "Target",
    "target_date": "Target date",
    "priority": "Priority",
    "strengths": "My strengths",
    "barriers": "Barriers",
    "plan_to_address": "How we will address it",
    "self_management": "What I will do myself",
    "crisis_plan": "If things get hard",
    "interventions": "Who does what, by when",
    "action": "Action",
    "who": "Who",
    "due": "By",
    "education": "What we talked about",
    "topic": "Topic",
    "method": "How",
    "teach_back": "Teach-back",
    "agreement": "Agreement",
    "agreed_by": "Agreed by",
    "agreed_on": "Agreed on",
    "agreed_signature": "Signed on screen",
    "agreed_verbal": "Agreed verbally",
    "witness": "Witness",
    "not_agreed": "Not agreed yet",
    "reviews": "Reviews",
    "next_review": "Next review",
    "none": "None recorded.",
    "high": "High",
    "medium": "Medium",
    "low": "Low",
    "signature": "Signature",
    "date": "Date",
}

ES: dict[str, str] = {
    "care_plan": "Plan de atención",
    "client": "Cliente",
    "born": "Fecha de nacimiento",
    "program": "Programa",
    "case_manager": "Administrador de casos",
    "version": "Versión",
    "printed": "Impreso",
    "period": "Período del plan",
    "status": "Estado",
    "needs": "Necesidades",
    "goals": "Mis metas",
    "goal": "Meta",
    "in_my_words": "En mis palabras",
    "statement": "Descripción en el plan",
    "measure": "Cómo lo mediremos",
    "baseline": "Dónde estoy ahora",
    "target": "Objetivo",
    "target_date": "Fecha objetivo",
    "priority": "Prioridad",
    "strengths": "Mis fortalezas",
    "barriers": "Obstáculos",
    "plan_to_address": "Cómo lo abordaremos",
    "self_management": "Lo que haré yo mismo",
    "crisis_plan": "Si las cosas se ponen difíciles",
    "interventions": "Quién hace qué y para cuándo",
    "action": "Acción",
    "who": "Quién",
    "due": "Para",
    "education": "De qué hablamos",
    "topic": "Tema",
    "method": "Cómo",
    "teach_back": "Comprobación de lo aprendido",
    "agreement": "Acuerdo",
    "agreed_by": "Aceptado por",
    "agreed_on": "Fecha de acuerdo",
    "agreed_signature": "Firmado en pantalla",
    "agreed_verbal": "Aceptado verbalmente",
    "witness": "Testigo",
    "not_agreed": "Todavía no aceptado",
    "reviews": "Revisiones",
    "next_review": "Próxima revisión",
    "none": "Nada registrado.",
    "high": "Alta",
    "medium": "Media",
    "low": "Baja",
    "signature": "Firma",
    "date": "Fecha",
}

# Choice values in Spanish (English comes from the models' own labels).
ES_CHOICES: dict[str, str] = {
    # goal lifecycle
    "proposed": "Propuesta",
    "planned": "Planificada",
    "accepted": "Aceptada",
    "active": "Activa",
    "on-hold": "En pausa",
    "completed": "Completada",
    "cancelled": "Cancelada",
    "entered-in-error": "Registrada por error",
    "rejected": "Rechazada",
    # achievement
    "in-progress": "En curso",
    "improving": "Mejorando",
    "worsening": "Empeorando",
    "no-change": "Sin cambios",
    "achieved": "Lograda",
    "sustaining": "Manteniéndose",
    "not-achieved": "No lograda",
    "no-progress": "Sin progreso",
    "not-attainable": "No alcanzable",
    # need status
    "resolved": "Resuelta",
    "inactive": "Inactiva",
    # intervention status
    "not-started": "Sin empezar",
    "scheduled": "Programada",
    "stopped": "Detenida",
    # owners
    "case_manager": "Administrador de casos",
    "client": "Cliente",
    "family": "Familiar o cuidador",
    "provider": "Proveedor",
    "care_team": "Miembro del equipo de atención",
    # education topics
    "medications": "Medicamentos",
    "lifestyle": "Estilo de vida",
    "follow_up": "Citas de seguimiento",
    "condition": "Condición",
    "self_management": "Habilidades de autocuidado",
    "resources": "Recursos comunitarios",
    # teach-back
    "understood": "Lo explicó correctamente",
    "partial": "Entendió en parte; se volvió a explicar",
    "not_understood": "No entendió; hacer seguimiento",
    "not_done": "No se hizo la comprobación",
    # education methods
    "verbal": "Verbal",
    "written": "Por escrito",
    "demonstration": "Demostración",
    "video": "Video",
    "interpreter": "Con intérprete",
}

_EN_CHOICES: dict[str, str] = {}
for _choices in (
    GoalLifecycle,
    GoalAchievement,
    ItemStatus,
    InterventionStatus,
    OwnerType,
    EducationTopic,
    TeachBack,
):
    for _value, _label in _choices.choices:
        _EN_CHOICES.setdefault(str(_value), str(_label))
_EN_CHOICES.update(
    {
        "verbal": "Verbal",
        "written": "Written",
        "demonstration": "Demonstration",
        "video": "Video",
        "interpreter": "With an interpreter",
    }
)


def plan_language(preferred_language: str | None, override: str | None = None) -> str:
    """``es`` for a client whose preferred language is Spanish (any region), else ``en``; a
    supported ``override`` (``?lang=``) wins."""
    if override and override.lower()[:2] in SUPPORTED:
        return override.lower()[:2]
    return "es" if (preferred_language or "").lower().startswith("es") else "en"


class Labels:
    """Label lookup for templates (``{{ t.goals }}``) and the PDF; English when a key is missing."""

    def __init__(self, language: str) -> None:
        self.language = language if language in SUPPORTED else "en"
        self._labels = ES if self.language == "es" else EN

    def __getitem__(self, key: str) -> str:
        return self._labels.get(key) or EN.get(key, key)

    def __getattr__(self, key: str) -> str:
        if key.startswith("_"):
            raise AttributeError(key)
        return self[key]

    def choice(self, value: Any) -> str:
        """A coded value's label (status, owner, topic...) in this language."""
        text = str(value or "")
        if self.language == "es" and text in ES_CHOICES:
            return ES_CHOICES[text]
        return _EN_CHOICES.get(text, text)

    def priority(self, value: int | None) -> str:
        return {1: self["high"], 2: self["medium"], 3: self["low"]}.get(value or 2, self["medium"])
