from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router

from casework.accounts.schemas import MeOut

router = Router(tags=["accounts"])


@router.get("/me", response=MeOut, summary="The authenticated user")
def me(request: HttpRequest) -> Any:
    user: Any = request.user
    return {
        "id": str(user.id),
        "username": user.username,
        "name": user.display_name,
        "role": user.role,
        "organization": user.organization.slug if user.organization else None,
        "languages": list(user.languages or []),
        "teams": list(user.teams.values_list("name", flat=True)),
    }
