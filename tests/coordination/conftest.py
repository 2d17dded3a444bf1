from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests import factories

EXAMPLE_CSV = Path(__file__).resolve().parents[2] / "docs" / "examples" / "resources.csv"


@pytest.fixture
def pat(world: Any) -> Any:
    """Pat, program admin of the world's organization: curates the resource directory."""
    return factories.staff("pat", org=world.org, role="program_admin", first_name="Pat")


@pytest.fixture
def example_csv() -> str:
    return EXAMPLE_CSV.read_text(encoding="utf-8")
