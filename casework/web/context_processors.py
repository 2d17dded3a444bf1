from __future__ import annotations

from typing import Any

from django.http import HttpRequest


def navigation(request: HttpRequest) -> dict[str, Any]:
    user: Any = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    items = [("web:caseload", "My caseload"), ("web:client_search", "Clients")]
    if user.role in {"supervisor", "program_admin"}:
        items.append(("web:team", "Team"))
    if user.role in {"program_admin", "system_admin"}:
        items.append(("admin:index", "Configuration"))
    return {"nav_items": items}
