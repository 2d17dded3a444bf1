"""Directory search: need, language, distance ordering, open now at a fixed moment, tenancy."""

from __future__ import annotations

from datetime import UTC, datetime

from casework.coordination.models import ResourceOrganization, ResourceService
from casework.coordination.selectors import resource_search

CITY_HALL = (40.7127, -74.0059)


def service(org, name, **fields):
    provider, _ = ResourceOrganization.objects.get_or_create(
        organization=org, name=fields.pop("provider", "Helpers")
    )
    fields.setdefault("needs", ["food"])
    return ResourceService.objects.create(organization=org, provider=provider, name=name, **fields)


def names(matches):
    return [m.service.name for m in matches]


def test_search_by_need_and_language(world):
    service(world.org, "Pantry", needs=["food"], languages=["en", "es-MX"])
    service(world.org, "Shelter", needs=["housing"], languages=["es"])
    service(world.org, "Meals", needs=["food", "social_connection"], languages=["en"])
    assert names(resource_search(user=world.casey, need="food")) == ["Meals", "Pantry"]
    assert names(resource_search(user=world.casey, language="es")) == ["Pantry", "Shelter"]
    assert names(resource_search(user=world.casey, need="food", language="es")) == ["Pantry"]
    assert names(resource_search(user=world.casey, q="shel")) == ["Shelter"]


def test_search_sorts_by_distance_and_bounds_it(world):
    service(world.org, "Far", latitude=40.7306, longitude=-73.9866)  # ~2.1 km
    service(world.org, "Near", latitude=40.7130, longitude=-74.0060)
    service(world.org, "Philadelphia", latitude=39.9526, longitude=-75.1652)
    service(world.org, "Nowhere")  # no coordinates: left out of a distance search
    lat, lon = CITY_HALL
    found = resource_search(user=world.casey, latitude=lat, longitude=lon)
    assert names(found) == ["Near", "Far", "Philadelphia"]
    assert found[0].distance_km is not None and found[0].distance_km < 0.1
    within = resource_search(user=world.casey, latitude=lat, longitude=lon, within_km=10)
    assert names(within) == ["Near", "Far"]


def test_open_now_at_a_fixed_moment(world):
    service(world.org, "Weekday", hours={"mon": [["09:00", "17:00"]]})
    service(world.org, "Evening", hours={"mon": [["18:00", "21:00"]]})
    service(world.org, "No hours")
    monday_ten_new_york = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)
    found = resource_search(user=world.casey, open_now=True, now=monday_ten_new_york)
    assert names(found) == ["Weekday"]
    monday_seven_pm = datetime(2026, 11, 24, 0, 0, tzinfo=UTC)
    assert names(resource_search(user=world.casey, open_now=True, now=monday_seven_pm)) == [
        "Evening"
    ]


def test_inactive_services_and_other_organizations_are_not_found(world):
    service(world.org, "Ours")
    service(world.org, "Retired", is_active=False)
    service(world.other_org, "Theirs")
    assert names(resource_search(user=world.casey)) == ["Ours"]
    assert names(resource_search(user=world.olive)) == ["Theirs"]


def test_referral_services_follow_the_care_plan_need_domain(world):
    from casework.coordination.selectors.referrals import referral_services

    service(world.org, "Counseling", needs=["behavioral_health"])
    service(world.org, "Pantry", needs=["food"])
    found = referral_services(user=world.casey, need_domain="behavioral")
    assert [s.name for s in found] == ["Counseling"]
    # A domain the directory does not know filters nothing rather than showing an empty list.
    assert len(referral_services(user=world.casey, need_domain="spiritual")) == 2
