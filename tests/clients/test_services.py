from __future__ import annotations

from datetime import date

from casework.clients.services import client_find_duplicates
from tests import factories


def _names(candidates):
    return sorted(c.client.full_name for c in candidates)


def test_duplicate_rules(world):
    factories.client(
        world.casey, given_name="Katherine", family_name="O'Brien", birth_date=date(1970, 3, 9)
    )
    factories.client(
        world.casey, given_name="Client", family_name="Alpha123", birth_date=date(1985, 1, 1)
    )
    find = lambda g, f, d: client_find_duplicates(  # noqa: E731
        organization_id=world.org.id, given_name=g, family_name=f, birth_date=d
    )
    assert _names(find("Catherine", "OBrien", date(1970, 3, 9))) == ["Katherine O'Brien"]
    assert _names(find("O'Brien", "Katherine", date(1970, 3, 9))) == ["Katherine O'Brien"]
    assert _names(find("Katherine", "O'Brien", date(1970, 9, 3))) == ["Katherine O'Brien"]
    assert find("Katherine", "O'Brien", date(1971, 3, 9)) == []
    assert find("Mary", "Smith", date(1970, 3, 9)) == []
    # Names that only share a prefix are not duplicates.
    assert find("Client", "Beta987", date(1985, 1, 1)) == []
    # Other organizations are never searched.
    assert (
        client_find_duplicates(
            organization_id=world.other_org.id,
            given_name="Katherine",
            family_name="O'Brien",
            birth_date=date(1970, 3, 9),
        )
        == []
    )


def test_fold_handles_letters_without_decomposition():
    from casework.core.validation import fold

    assert fold("Đặng Thị") == "dang thi"
    assert fold("Łukasz Øberg-Straße") == "lukasz oberg strasse"
    assert fold("María-José ") == "maria jose"


def test_search_finds_vietnamese_names(world):
    from casework.clients.selectors import client_search

    factories.client(world.casey, given_name="Thị", family_name="Đặng")
    assert [c.family_name for c in client_search(user=world.casey, query="dang")] == ["Đặng"]
