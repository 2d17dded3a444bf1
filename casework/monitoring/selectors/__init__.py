"""Reads of the monitoring app, one module per part (work items, notifications, remote)."""

from casework.monitoring.selectors.work_items import (
    WORK_ITEM_STATUSES,
    staff_to_alert_for_client,
    work_item_get,
    work_items_for,
    work_items_from_source,
)

__all__ = [
    "WORK_ITEM_STATUSES",
    "staff_to_alert_for_client",
    "work_item_get",
    "work_items_for",
    "work_items_from_source",
]
