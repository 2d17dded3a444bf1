"""Referrals endpoints (issue 5)."""

from ninja import Router

router = Router(tags=["referrals"])
