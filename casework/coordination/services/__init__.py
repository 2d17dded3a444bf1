"""Writes of the coordination app, one module per part: the resource directory, referrals (with
consent checks and partner links) and appointments (with the calendar feed)."""

from casework.coordination.services.directory import (
    CSV_COLUMNS,
    ImportReport,
    can_curate,
    resource_import,
    resource_service_create_from_row,
    resource_service_set_active,
)

__all__ = [
    "CSV_COLUMNS",
    "ImportReport",
    "can_curate",
    "resource_import",
    "resource_service_create_from_row",
    "resource_service_set_active",
]
