"""Load instrument definition files into the database (upsert), after every migrate."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

INSTRUMENTS_DIR = Path(__file__).resolve().parent / "instruments"


def instrument_files() -> list[Path]:
    return sorted(INSTRUMENTS_DIR.glob("*.json"))


def load_instruments(*, using: str = "default") -> int:
    """Upsert every definition file; returns how many were loaded."""
    from casework.assessments.models import Instrument

    count = 0
    for path in instrument_files():
        data = json.loads(path.read_text())
        questionnaire = data["questionnaire"]
        code = questionnaire["code"][0]
        Instrument.objects.using(using).update_or_create(
            code=code["code"],
            defaults={
                "system": code.get("system", "http://loinc.org"),
                "name": questionnaire.get("title") or questionnaire.get("name", code["code"]),
                "short_name": data.get("short_name") or questionnaire.get("name", code["code"]),
                "version": str(questionnaire.get("version", "1")),
                "definition": questionnaire,
                "scoring": data.get("scoring", {}),
                "source": data.get("source", ""),
                "is_active": True,
            },
        )
        count += 1
    return count


def load_instruments_after_migrate(sender: Any, using: str = "default", **kwargs: Any) -> None:
    load_instruments(using=using)
