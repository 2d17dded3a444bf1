"""Coordination endpoints: one router per part, mounted together under ``/api/v1``."""

from ninja import Router

from casework.coordination.api import appointments, directory, referrals

router = Router()
router.add_router("", directory.router)
router.add_router("", referrals.router)
router.add_router("", appointments.router)
