from __future__ import annotations

import pytest

from casework.core.errors import ValidationFailed
from casework.core.pagination import decode_cursor, encode_cursor, paginate
from casework.programs.models import CaseManagementModel


def test_cursor_round_trip_and_garbage():
    import uuid
    from datetime import UTC, datetime

    values = ["a", 3, uuid.uuid4(), datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)]
    assert decode_cursor(encode_cursor(values), 4) == values
    with pytest.raises(ValidationFailed):
        decode_cursor("%%%", 4)
    with pytest.raises(ValidationFailed):
        decode_cursor(encode_cursor(["a"]), 2)


def test_keyset_pages_cover_everything_once(world):
    queryset = CaseManagementModel.objects.all()  # 10: five per organization
    seen, cursor = [], None
    while True:
        page = paginate(queryset, ordering=["-name", "id"], cursor=cursor, limit=3)
        seen += [m.pk for m in page.items]
        cursor = page.next
        if cursor is None:
            break
    assert len(seen) == len(set(seen)) == queryset.count()
