"""Prompt rule endpoints (issue 6)."""

from ninja import Router

router = Router(tags=["prompt rules"])
