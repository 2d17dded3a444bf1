"""Monitoring endpoints: one router per part, mounted together under ``/api/v1``."""

from ninja import Router

from casework.monitoring.api import notifications, remote, rules, work_items

router = Router()
router.add_router("", work_items.router)
router.add_router("", notifications.router)
router.add_router("", remote.router)
router.add_router("", rules.router)
