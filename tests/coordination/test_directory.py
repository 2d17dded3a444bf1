"""Pure directory helpers: distance, hours parsing and "open now" in the local time zone."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from casework.coordination.directory import haversine_km, is_open, parse_hours_text


def test_haversine_between_two_known_points():
    # New York City Hall to Philadelphia City Hall is about 130 km as the crow flies.
    assert 125 < haversine_km(40.7127, -74.0059, 39.9526, -75.1652) < 135
    assert haversine_km(1.0, 2.0, 1.0, 2.0) == 0


def test_hours_text_parses_to_data_and_refuses_bad_spans():
    assert parse_hours_text("mon 09:00-12:00,13:00-17:00; Fri 10:00-11:00") == {
        "mon": [["09:00", "12:00"], ["13:00", "17:00"]],
        "fri": [["10:00", "11:00"]],
    }
    for bad in ("mon 9-5", "xyz 09:00-10:00", "tue 17:00-09:00", "wed"):
        with pytest.raises(ValueError):
            parse_hours_text(bad)


def test_open_now_uses_the_local_time_zone():
    hours = {"mon": [["09:00", "17:00"]]}
    # Monday 2026-11-23 14:30 UTC is 09:30 in New York: open there, not yet in Los Angeles.
    moment = datetime(2026, 11, 23, 14, 30, tzinfo=UTC)
    assert is_open(hours, at=moment, time_zone="America/New_York")
    assert not is_open(hours, at=moment, time_zone="America/Los_Angeles")
    assert not is_open(hours, at=datetime(2026, 11, 24, 14, 30, tzinfo=UTC))  # Tuesday


def test_care_plan_need_domains_map_to_directory_domains():
    from casework.coordination.directory import directory_domains_for

    assert directory_domains_for("food") == ("food",)
    assert directory_domains_for("Behavioral") == ("behavioral_health", "substance_use")
    assert "benefits" in directory_domains_for("financial")
    assert directory_domains_for("something else") == ()
