"""Writes of the monitoring app, by part: work items (``work_items``), notifications
(``notifications``) and remote monitoring (``remote``). The sweep: ``casework.monitoring.sweep``."""

from casework.monitoring.services.work_items import (
    end_of_today,
    work_item_assign,
    work_item_cancel,
    work_item_complete,
    work_item_create,
    work_item_reassign,
    work_item_snooze,
    work_item_unsnooze,
    work_items_resolve,
)

__all__ = [
    "end_of_today",
    "work_item_assign",
    "work_item_cancel",
    "work_item_complete",
    "work_item_create",
    "work_item_reassign",
    "work_item_snooze",
    "work_item_unsnooze",
    "work_items_resolve",
]
