"""Service codes an authorization names: the shape of HCPCS/CPT codes, and a small table of the
common case management codes with the unit they are authorized in.

Descriptors are those of the CMS HCPCS Level II code set (see docs/coverage.md for the sources).
Where the descriptor itself names no unit, the unit here is the one payers most often use and a
case manager can change it on the authorization.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from casework.coverage.models import UnitType

# HCPCS Level II: a letter and four digits (T1017); CPT Category I: five digits (99490).
SERVICE_CODE_SHAPE = re.compile(r"^(?:[A-Z]\d{4}|\d{5})$")


@dataclass(frozen=True)
class ServiceCode:
    code: str
    description: str
    unit_type: str


SERVICE_CODES: dict[str, ServiceCode] = {
    entry.code: entry
    for entry in (
        ServiceCode("T1016", "Case management, each 15 minutes", UnitType.FIFTEEN_MINUTES),
        ServiceCode("T1017", "Targeted case management, each 15 minutes", UnitType.FIFTEEN_MINUTES),
        # The coordinated care fees name no time unit: one unit is one fee.
        ServiceCode("G9001", "Coordinated care fee, initial rate", UnitType.ITEM),
        ServiceCode("G9002", "Coordinated care fee, maintenance rate", UnitType.ITEM),
        # The descriptor names no unit; state Medicaid programs mostly bill it per 15 minutes.
        ServiceCode(
            "H0006", "Alcohol and/or drug services; case management", UnitType.FIFTEEN_MINUTES
        ),
    )
}


def service_code_valid(code: str) -> bool:
    return bool(SERVICE_CODE_SHAPE.match(code))
