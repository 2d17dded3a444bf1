"""Remote monitoring services: each reading type stored, bad readings refused whole, thresholds
by condition with client overrides, alerts and their work items exactly once, acknowledge."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from casework.assessments.models import Observation
from casework.audit.models import AuditEvent
from casework.clients.services import condition_add
from casework.core.errors import Conflict, NotFound, StaleVersion, ValidationFailed
from casework.monitoring.models import (
    Alert,
    AlertStatus,
    Priority,
    Threshold,
    WorkItem,
    WorkItemStatus,
)
from casework.monitoring.selectors.remote import effective_thresholds
from casework.monitoring.services import remote as services
from casework.monitoring.thresholds import DEFAULT_THRESHOLDS, thresholds_seed
from tests import factories


@pytest.fixture
def enrolled(world: Any) -> Any:
    client = factories.client(world.casey, given_name="Rosa", family_name="Remote")
    case = factories.case(world.casey, client=client, program=world.program, to="active")
    return client, case


def _record(
    world: Any, client: Any, *readings: dict[str, Any], at: Any = None
) -> services.RecordResult:
    at = at or timezone.now() - timedelta(minutes=5)
    return services.observation_record(
        acting_user_or_link=world.casey,
        client=client,
        readings=[{"effective_at": at, **r} for r in readings],
    )


def _work() -> list[tuple[str, str, str]]:
    return sorted(
        WorkItem.objects.filter(kind=services.ALERT_KIND).values_list(
            "assignee__username", "priority", "status"
        )
    )


def test_every_organization_is_seeded_with_the_defaults_once(world: Any) -> None:
    count = Threshold.objects.filter(organization=world.org, client__isnull=True).count()
    assert count == len(DEFAULT_THRESHOLDS)
    assert thresholds_seed(organization=world.org) == 0
    assert all(row.source for row in Threshold.objects.filter(organization=world.org, client=None))


def test_each_reading_type_is_stored_as_an_observation(world: Any, enrolled: Any) -> None:
    client, _ = enrolled
    result = _record(
        world,
        client,
        {"code": "85354-9", "systolic": 128, "diastolic": 82, "device": "Omron cuff"},
        {"code": "29463-7", "value": 180, "unit": "lb"},
        {"code": "2339-0", "value": 110},
        {"code": "59408-5", "value": 97},
        {"code": "55758-7", "value": 1},
        {"code": "how-are-you-today", "value": 4},
    )
    stored = {
        o.code: (o.value_decimal, o.unit, o.system, o.source, o.recorded_by_id)
        for o in Observation.objects.filter(client=client)
    }
    loinc = "http://loinc.org"
    casey = world.casey.pk
    assert stored == {
        "8480-6": (Decimal("128.000"), "mm[Hg]", loinc, "remote", casey),
        "8462-4": (Decimal("82.000"), "mm[Hg]", loinc, "remote", casey),
        # 180 lb x 0.45359237 kg/lb
        "29463-7": (Decimal("81.647"), "kg", loinc, "remote", casey),
        "2339-0": (Decimal("110.000"), "mg/dL", loinc, "remote", casey),
        "59408-5": (Decimal("97.000"), "%", loinc, "remote", casey),
        "55758-7": (Decimal("1.000"), "{score}", loinc, "remote", casey),
        "how-are-you-today": (
            Decimal("4.000"),
            "{score}",
            "https://casework.example/codes/check-in",
            "remote",
            casey,
        ),
    }
    assert result.alerts == []
    assert not WorkItem.objects.exists()
    events = AuditEvent.objects.filter(object_type="assessments.observation", action="create")
    assert events.count() == 7
    assert events.filter(detail__device="Omron cuff").count() == 2


@pytest.mark.parametrize(
    ("reading", "field"),
    [
        ({"code": "85354-9", "systolic": 400, "diastolic": 80}, "readings.1.systolic"),
        ({"code": "85354-9", "systolic": 120}, "readings.1.diastolic"),
        ({"code": "85354-9", "systolic": 80, "diastolic": 120}, "readings.1.diastolic"),
        ({"code": "29463-7", "value": 80, "unit": "stone"}, "readings.1.unit"),
        ({"code": "59408-5", "value": 101}, "readings.1.value"),
        ({"code": "55758-7", "value": 2.5}, "readings.1.value"),
        ({"code": "how-are-you-today", "value": 0}, "readings.1.value"),
        ({"code": "1234-5", "value": 1}, "readings.1.code"),
        ({"code": "2339-0"}, "readings.1.value"),
        ({"code": "2339-0", "value": 100, "systolic": 1}, "readings.1.systolic"),
    ],
)
def test_a_bad_reading_is_refused_naming_it_and_nothing_is_saved(
    world: Any, enrolled: Any, reading: dict[str, Any], field: str
) -> None:
    client, _ = enrolled
    with pytest.raises(ValidationFailed) as caught:
        _record(world, client, {"code": "2339-0", "value": 100}, reading)
    assert field in [e["field"] for e in caught.value.errors]
    assert not Observation.objects.filter(client=client).exists()


def test_a_reading_from_the_future_is_refused(world: Any, enrolled: Any) -> None:
    client, _ = enrolled
    with pytest.raises(ValidationFailed) as caught:
        services.observation_record(
            acting_user_or_link=world.casey,
            client=client,
            readings=[
                {
                    "code": "2339-0",
                    "value": 100,
                    "effective_at": timezone.now() + timedelta(hours=1),
                }
            ],
        )
    assert caught.value.errors[0]["field"] == "readings.0.effective_at"


def test_intake_workers_and_other_organizations_may_not_record(world: Any, enrolled: Any) -> None:
    client, _ = enrolled
    for user in (world.ian, world.olive):
        with pytest.raises(NotFound):
            services.observation_record(
                acting_user_or_link=user,
                client=client,
                readings=[{"code": "2339-0", "value": 100, "effective_at": timezone.now()}],
            )


def test_hypertension_gets_its_thresholds_and_a_client_override_wins(
    world: Any, enrolled: Any
) -> None:
    client, _ = enrolled
    before = effective_thresholds(client=client)
    assert before["8480-6"].origin == "everyone"
    assert before["8480-6"].high is None
    assert before["8480-6"].critical_high == Decimal(180)
    condition_add(acting_user=world.casey, client=client, data={"code": "I10"})
    with_condition = effective_thresholds(client=client)
    assert with_condition["8480-6"].origin == "condition I10"
    assert (with_condition["8480-6"].high, with_condition["8480-6"].critical_high) == (160, 180)
    assert (with_condition["8462-4"].high, with_condition["8462-4"].critical_high) == (100, 120)
    assert "2339-0" not in with_condition  # no diabetes
    services.threshold_create(
        acting_user=world.casey,
        client=client,
        data={"code": "8480-6", "high": 150, "critical_high": 170, "source": "GP's target"},
    )
    own = effective_thresholds(client=client)["8480-6"]
    assert (own.origin, own.high, own.critical_high) == ("client", 150, 170)
    with pytest.raises(Conflict) as caught:
        services.threshold_create(
            acting_user=world.casey, client=client, data={"code": "8480-6", "high": 140}
        )
    assert caught.value.code == "threshold_exists"


def test_condition_prefix_matches_subcodes_and_copd_replaces_the_everyone_row(
    world: Any, enrolled: Any
) -> None:
    client, _ = enrolled
    condition_add(acting_user=world.casey, client=client, data={"code": "E11.9"})
    condition_add(acting_user=world.casey, client=client, data={"code": "J44.1"})
    effective = effective_thresholds(client=client)
    glucose = effective["2339-0"]
    assert (glucose.low, glucose.critical_low, glucose.high) == (70, 54, 300)
    spo2 = effective["59408-5"]
    assert (spo2.origin, spo2.low, spo2.critical_low) == ("condition J44", 88, 85)
    # 89% is inside a COPD client's target range: no alert.
    assert _record(world, client, {"code": "59408-5", "value": 89}).alerts == []


def test_a_critical_reading_raises_one_alert_and_asap_items_for_manager_and_supervisor(
    world: Any, enrolled: Any
) -> None:
    client, case = enrolled
    condition_add(acting_user=world.casey, client=client, data={"code": "I10"})
    at = timezone.now() - timedelta(minutes=10)
    result = _record(world, client, {"code": "85354-9", "systolic": 192, "diastolic": 95}, at=at)
    assert [a.message for a in result.alerts] == ["Systolic 192 mm[Hg] ≥ 180 (critical)"]
    alert = result.alerts[0]
    assert (alert.severity, alert.status, alert.case_id) == ("critical", "open", case.pk)
    assert _work() == [("casey", Priority.ASAP, "open"), ("sam", Priority.ASAP, "open")]
    assert alert.work_item is not None and alert.work_item.assignee == world.casey
    assert WorkItem.objects.filter(source_id=str(alert.pk)).count() == 2
    # The same reading sent again (a device retrying) is stored and alerted once.
    again = _record(world, client, {"code": "85354-9", "systolic": 192, "diastolic": 95}, at=at)
    assert again.created == [False, False]
    assert again.alerts == []
    assert Alert.objects.count() == 1
    assert len(_work()) == 2


def test_an_alert_level_reading_goes_to_the_case_manager_only_as_urgent(
    world: Any, enrolled: Any
) -> None:
    client, _ = enrolled
    result = _record(world, client, {"code": "55758-7", "value": 4})
    assert [a.message for a in result.alerts] == ["PHQ-2 score 4 ≥ 3 (alert)"]
    assert _work() == [("casey", Priority.URGENT, "open")]


def test_a_client_without_a_case_manager_alerts_the_team_supervisor(world: Any) -> None:
    client = factories.client(world.casey)
    factories.case(world.casey, client=client, program=world.program)
    result = _record(world, client, {"code": "how-are-you-today", "value": 1})
    assert [a.severity for a in result.alerts] == ["alert"]
    assert [row[0] for row in _work()] == ["sam"]


def test_a_normal_reading_raises_nothing(world: Any, enrolled: Any) -> None:
    client, _ = enrolled
    condition_add(acting_user=world.casey, client=client, data={"code": "I10"})
    result = _record(
        world,
        client,
        {"code": "85354-9", "systolic": 135, "diastolic": 85},
        {"code": "59408-5", "value": 95},
        {"code": "how-are-you-today", "value": 3},
    )
    assert result.alerts == []
    assert not Alert.objects.exists()
    assert not WorkItem.objects.exists()


def test_low_glucose_for_a_diabetic_is_critical(world: Any, enrolled: Any) -> None:
    client, _ = enrolled
    condition_add(acting_user=world.casey, client=client, data={"code": "E10"})
    result = _record(world, client, {"code": "2339-0", "value": 50})
    assert [a.message for a in result.alerts] == ["Glucose 50 mg/dL < 54 (critical)"]


def test_acknowledge_closes_every_work_item_and_refuses_twice(world: Any, enrolled: Any) -> None:
    client, _ = enrolled
    alert = _record(world, client, {"code": "85354-9", "systolic": 200, "diastolic": 90}).alerts[0]
    with pytest.raises(StaleVersion):
        services.alert_acknowledge(
            acting_user=world.sam, alert=alert, expected_version=alert.version + 5
        )
    services.alert_acknowledge(
        acting_user=world.sam, alert=alert, expected_version=alert.version, note="Called her"
    )
    alert.refresh_from_db()
    assert (alert.status, alert.acknowledged_by, alert.note) == (
        AlertStatus.ACKNOWLEDGED,
        world.sam,
        "Called her",
    )
    assert {row[2] for row in _work()} == {WorkItemStatus.DONE}
    with pytest.raises(Conflict) as caught:
        services.alert_acknowledge(acting_user=world.casey, alert=alert, expected_version=None)
    assert caught.value.code == "not_open"


def _weigh(world: Any, client: Any, kg: float, at: Any) -> list[str]:
    result = _record(world, client, {"code": "29463-7", "value": kg}, at=at)
    return [alert.message for alert in result.alerts]


def test_heart_failure_weight_gained_in_a_week_raises_an_urgent_alert(
    world: Any, enrolled: Any
) -> None:
    """AHA: call on 2 lb in 24 hours or 5 lb in a week (thresholds.py). Without heart failure no
    weight alerts; with it, a change across readings does, not a weight by itself."""
    client, _ = enrolled
    now = timezone.now()
    day = timedelta(days=1)
    assert "29463-7" not in effective_thresholds(client=client)
    assert _weigh(world, client, 80, now - 6 * day) == []
    assert _weigh(world, client, 83, now - 5 * day) == []
    condition_add(acting_user=world.casey, client=client, data={"code": "I50.22"})
    weight = effective_thresholds(client=client)["29463-7"]
    assert weight.origin == "condition I50"
    assert [(rise, days) for rise, days, _ in weight.rises] == [
        (Decimal("0.907"), 1),
        (Decimal("2.268"), 7),
    ]
    # Nothing the day before; the week before, 80 kg at the lowest: 3.5 kg gained.
    assert _weigh(world, client, 83.5, now - day) == [
        "Weight 83.5 kg, up 3.5 kg in 7 days (≥ 2.268, alert)"
    ]
    alert = Alert.objects.get(client=client)
    assert alert.threshold is not None and alert.threshold.rise_days == 7
    assert _work() == [("casey", Priority.URGENT, WorkItemStatus.OPEN)]


def test_heart_failure_weight_gained_in_a_day(world: Any) -> None:
    client = factories.client(world.casey, given_name="Hal", family_name="Heart")
    factories.case(world.casey, client=client, program=world.program, to="active")
    condition_add(acting_user=world.casey, client=client, data={"code": "I50.9"})
    start = timezone.now() - timedelta(days=3)
    assert _weigh(world, client, 90, start) == []
    # Half a kilo in twelve hours is under 2 lb; a kilo within the day is over.
    assert _weigh(world, client, 90.5, start + timedelta(hours=12)) == []
    assert _weigh(world, client, 91, start + timedelta(hours=23)) == [
        "Weight 91 kg, up 1 kg in a day (≥ 0.907, alert)"
    ]
    # Readings more than a day apart are not a day's gain (but still count for the week).
    assert _weigh(world, client, 91.5, start + timedelta(days=2, hours=1)) == []


def test_a_clients_own_rise_replaces_the_condition_rows_and_is_checked(
    world: Any, enrolled: Any
) -> None:
    client, _ = enrolled
    condition_add(acting_user=world.casey, client=client, data={"code": "I50.9"})
    for data, field in [
        ({"code": "29463-7", "rise": 1.5}, "rise_days"),
        ({"code": "29463-7", "rise_days": 3}, "rise"),
        ({"code": "29463-7", "rise": 1.5, "rise_days": 0}, "rise_days"),
        ({"code": "29463-7", "rise": 1.5, "rise_days": 91}, "rise_days"),
        ({"code": "29463-7", "rise": -1, "rise_days": 3}, "rise"),
        ({"code": "29463-7"}, "high"),
    ]:
        with pytest.raises(ValidationFailed) as refused:
            services.threshold_create(acting_user=world.casey, client=client, data=data)
        assert [error["field"] for error in refused.value.errors] == [field], data
    own = services.threshold_create(
        acting_user=world.casey,
        client=client,
        data={"code": "29463-7", "rise": 1.5, "rise_days": 3, "source": "cardiologist"},
    )
    weight = effective_thresholds(client=client)["29463-7"]
    assert weight.origin == "client" and [(r, d) for r, d, _ in weight.rises] == [(1.5, 3)]
    start = timezone.now() - timedelta(days=3)
    assert _weigh(world, client, 70, start) == []
    assert _weigh(world, client, 71, start + timedelta(hours=20)) == []  # under 1.5 kg
    assert _weigh(world, client, 71.6, start + timedelta(days=2)) == [
        "Weight 71.6 kg, up 1.6 kg in 3 days (≥ 1.5, alert)"
    ]
    services.threshold_update(
        acting_user=world.casey,
        threshold=own,
        expected_version=own.version,
        data={"rise": None, "rise_days": None, "high": 120},
    )
    own.refresh_from_db()
    assert (own.rise, own.rise_days, own.high) == (None, None, 120)


def test_threshold_update_checks_the_version_and_the_bounds(world: Any, enrolled: Any) -> None:
    client, _ = enrolled
    threshold = services.threshold_create(
        acting_user=world.casey, client=client, data={"code": "2339-0", "low": 80}
    )
    with pytest.raises(ValidationFailed):
        services.threshold_update(
            acting_user=world.casey,
            threshold=threshold,
            expected_version=threshold.version,
            data={"high": 60},
        )
    services.threshold_update(
        acting_user=world.casey,
        threshold=threshold,
        expected_version=threshold.version,
        data={"high": 250},
    )
    threshold.refresh_from_db()
    assert (threshold.low, threshold.high, threshold.version) == (80, 250, 2)
    with pytest.raises(StaleVersion):
        services.threshold_update(
            acting_user=world.casey, threshold=threshold, expected_version=1, data={"low": 75}
        )


def test_check_in_link_stores_only_a_digest_and_records_as_check_in(
    world: Any, enrolled: Any
) -> None:
    client, _ = enrolled
    link, path = services.check_in_link_create(
        acting_user=world.casey, client=client, readings=["59408-5", "85354-9"]
    )
    token = path.rstrip("/").rsplit("/", 1)[-1]
    assert token not in link.digest and len(link.digest) == 64
    assert link.readings == ["85354-9", "59408-5"]
    assert (link.expires_at - timezone.now()).days in (29, 30)
    result = services.observation_record(
        acting_user_or_link=link,
        client=client,
        readings=[{"code": "59408-5", "value": 86, "effective_at": timezone.now()}],
    )
    observation = result.observations[0]
    assert (observation.source, observation.recorded_by_id) == ("check-in", None)
    assert [a.severity for a in result.alerts] == ["alert"]
    event = AuditEvent.objects.get(object_type="assessments.observation", action="create")
    assert event.actor_id is None
    assert event.detail["check_in_link_id"] == str(link.pk)
    services.check_in_link_revoke(acting_user=world.casey, link=link)
    with pytest.raises(Conflict) as caught:
        services.observation_record(
            acting_user_or_link=link,
            client=client,
            readings=[{"code": "59408-5", "value": 96, "effective_at": timezone.now()}],
        )
    assert caught.value.code == "link_gone"


def test_check_in_link_refuses_unknown_readings_and_long_lives(world: Any, enrolled: Any) -> None:
    client, _ = enrolled
    with pytest.raises(ValidationFailed):
        services.check_in_link_create(acting_user=world.casey, client=client, readings=["x"])
    with pytest.raises(ValidationFailed):
        services.check_in_link_create(acting_user=world.casey, client=client, days=365)
