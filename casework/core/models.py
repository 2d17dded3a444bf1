"""The base every casework record builds on."""

from __future__ import annotations

import uuid

from django.db import models


class BaseModel(models.Model):
    """UUID id, created/updated timestamps and an optimistic-concurrency ``version``.

    ``version`` starts at 1 and goes up by one on every update made through
    :func:`casework.core.versioning.update_versioned`; a writer names the version it read and a
    stale one is refused with :class:`casework.core.errors.StaleVersion` (HTTP 409).
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        abstract = True
