"""Reads of the coordination app, access-scoped, one module per part (directory, referrals,
appointments)."""

from casework.coordination.selectors.directory import (
    ServiceMatch,
    resource_search,
    service_get,
    services_visible_to,
)

__all__ = ["ServiceMatch", "resource_search", "service_get", "services_visible_to"]
