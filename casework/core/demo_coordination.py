"""The coordination half of the demo: the county's resource directory, the clients' home
coordinates, and the contacts case managers logged on their cases.

Runs after the cases exist (``casework.core.demo.demo_load``), through the ordinary services, with
its own random generator so adding it changed none of the people or cases the seed gives.
Everything here is fictional: Demo County's towns, organizations, phone numbers and addresses.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Q
from django.utils import timezone

from casework.accounts.models import Organization, User
from casework.cases.models import Case
from casework.cases.models import Status as S
from casework.clients.models import Client
from casework.coordination.models import ResourceService
from casework.coordination.services import resource_service_create_from_row
from casework.core.validation import primary_language
from casework.encounters.models import Contact, ContactOutcome, ContactType
from casework.encounters.services import contact_log

# Town centres of fictional Demo County (central Oregon, where the demo's 977xx postal codes are).
TOWN_CENTRES: dict[str, tuple[float, float]] = {
    "Riverton": (44.0582, -121.3153),
    "Millbrook": (44.2726, -121.1739),
    "Cedar Falls": (44.2901, -121.5490),
    "Harbor Point": (43.8601, -121.4530),
    "Oak Hollow": (44.0110, -121.1660),
    "Pine Ridge": (44.3660, -121.1280),
}

WEEKDAYS_9_5 = "mon 09:00-17:00; tue 09:00-17:00; wed 09:00-17:00; thu 09:00-17:00; fri 09:00-17:00"


@dataclass(frozen=True)
class DemoService:
    organization: str
    kind: str
    service: str
    needs: str
    town: str
    hours: str
    languages: str = "en;es"
    description: str = ""
    eligibility: str = ""
    capacity: str = "open"
    waitlist_note: str = ""
    internal: bool = False
    min_age: int | None = None


DIRECTORY: tuple[DemoService, ...] = (
    DemoService(
        "Riverton Community Food Bank",
        "community",
        "Weekly food pantry",
        "food",
        "Riverton",
        "mon 09:00-17:00; wed 09:00-19:00; sat 10:00-13:00",
        description="A week of groceries, once a week; no documents needed.",
    ),
    DemoService(
        "Riverton Community Food Bank",
        "community",
        "SNAP application help",
        "food;benefits",
        "Riverton",
        "tue 10:00-15:00; thu 10:00-15:00",
        capacity="waitlist",
        waitlist_note="About ten days for an appointment",
    ),
    DemoService(
        "Meals on Wheels of Demo County",
        "community",
        "Home-delivered meals",
        "food",
        "Millbrook",
        WEEKDAYS_9_5,
        languages="en",
        eligibility="Homebound adults 60 and over",
        min_age=60,
    ),
    DemoService(
        "Millbrook Family Resource Center",
        "community",
        "Utility bill assistance",
        "utilities;benefits",
        "Millbrook",
        "mon 09:00-16:00; wed 09:00-16:00",
        eligibility="Households under 60% of state median income",
    ),
    DemoService(
        "Demo County Housing Authority",
        "government",
        "Emergency rental assistance",
        "housing",
        "Riverton",
        "mon 08:30-16:30; thu 08:30-16:30",
        languages="en;es;vi",
        capacity="waitlist",
        waitlist_note="Applications reviewed in order received",
    ),
    DemoService(
        "Demo County Housing Authority",
        "government",
        "Housing Choice Voucher intake",
        "housing",
        "Riverton",
        "tue 09:00-12:00",
        languages="en;es",
        capacity="full",
        waitlist_note="Voucher list closed until further notice",
    ),
    DemoService(
        "Cedar Falls Shelter Network",
        "community",
        "Emergency shelter beds",
        "housing;interpersonal_safety",
        "Cedar Falls",
        "mon 00:00-24:00; tue 00:00-24:00; wed 00:00-24:00; thu 00:00-24:00; "
        "fri 00:00-24:00; sat 00:00-24:00; sun 00:00-24:00",
    ),
    DemoService(
        "Safe Harbor Domestic Violence Services",
        "community",
        "Safety planning and advocacy",
        "interpersonal_safety;legal",
        "Harbor Point",
        "mon 00:00-24:00; tue 00:00-24:00; wed 00:00-24:00; thu 00:00-24:00; "
        "fri 00:00-24:00; sat 00:00-24:00; sun 00:00-24:00",
        languages="en;es;so",
    ),
    DemoService(
        "Demo County Transit",
        "government",
        "Dial-a-ride medical trips",
        "transportation",
        "Riverton",
        "mon 07:00-18:00; tue 07:00-18:00; wed 07:00-18:00; thu 07:00-18:00; fri 07:00-18:00",
        eligibility="Medicaid members and adults with disabilities",
    ),
    DemoService(
        "Harbor Point Community Clinic",
        "clinical",
        "Primary care for new patients",
        "primary_care",
        "Harbor Point",
        WEEKDAYS_9_5,
        languages="en;es;zh-Hant",
        eligibility="Accepts Medicaid, Medicare and uninsured (sliding fee)",
    ),
    DemoService(
        "Harbor Point Community Clinic",
        "clinical",
        "Diabetes self-management classes",
        "primary_care;education",
        "Harbor Point",
        "wed 17:30-19:30",
        languages="en;es",
    ),
    DemoService(
        "Pine Ridge Behavioral Health",
        "clinical",
        "Outpatient counseling",
        "behavioral_health",
        "Pine Ridge",
        "mon 08:00-20:00; tue 08:00-20:00; wed 08:00-20:00; thu 08:00-20:00; fri 08:00-17:00",
        capacity="waitlist",
        waitlist_note="Three to four weeks for a first appointment",
    ),
    DemoService(
        "Pine Ridge Behavioral Health",
        "clinical",
        "Medication-assisted treatment",
        "substance_use;behavioral_health",
        "Pine Ridge",
        WEEKDAYS_9_5,
        languages="en",
    ),
    DemoService(
        "Oak Hollow Recovery Community",
        "community",
        "Peer recovery support",
        "substance_use;social_connection",
        "Oak Hollow",
        "mon 10:00-18:00; wed 10:00-18:00; fri 10:00-18:00; sat 12:00-16:00",
    ),
    DemoService(
        "WorkSource Demo County",
        "government",
        "Job search and training",
        "employment;education",
        "Riverton",
        WEEKDAYS_9_5,
        languages="en;es;ru",
    ),
    DemoService(
        "Legal Aid of Central Oregon (fictional)",
        "community",
        "Eviction defense",
        "legal;housing",
        "Riverton",
        "mon 09:00-17:00; thu 09:00-17:00",
    ),
    DemoService(
        "Legal Aid of Central Oregon (fictional)",
        "community",
        "Benefits appeals",
        "legal;benefits",
        "Riverton",
        "tue 13:00-17:00",
        languages="en",
    ),
    DemoService(
        "Millbrook Senior Center",
        "community",
        "Friendly visitor program",
        "social_connection",
        "Millbrook",
        "mon 09:00-15:00; tue 09:00-15:00; wed 09:00-15:00; thu 09:00-15:00",
        languages="en",
        min_age=60,
    ),
    DemoService(
        "Cedar Falls Adult Education",
        "community",
        "English classes (ESL)",
        "education;employment",
        "Cedar Falls",
        "tue 18:00-20:00; thu 18:00-20:00",
        languages="en;es;vi;so;ar",
    ),
    DemoService(
        "Demo County HHS",
        "government",
        "Housing navigation (county team)",
        "housing",
        "Riverton",
        WEEKDAYS_9_5,
        internal=True,
        description="The county's own housing navigators: housing search, applications.",
    ),
    DemoService(
        "Demo County HHS",
        "government",
        "Benefits enrollment (county team)",
        "benefits;food",
        "Riverton",
        WEEKDAYS_9_5,
        languages="en;es;vi",
        internal=True,
    ),
    DemoService(
        "Demo County HHS",
        "government",
        "Crisis line and mobile crisis",
        "behavioral_health;interpersonal_safety",
        "Riverton",
        "mon 00:00-24:00; tue 00:00-24:00; wed 00:00-24:00; thu 00:00-24:00; "
        "fri 00:00-24:00; sat 00:00-24:00; sun 00:00-24:00",
        internal=True,
    ),
)

# Contact types each standard model's ``contact_modes`` names (the models say "home" for a home
# visit).
MODE_TO_CONTACT_TYPE = {
    "office": ContactType.OFFICE,
    "phone": ContactType.PHONE,
    "video": ContactType.VIDEO,
    "home": ContactType.HOME_VISIT,
    "home_visit": ContactType.HOME_VISIT,
    "community": ContactType.COMMUNITY,
    "accompaniment": ContactType.ACCOMPANIMENT,
}

# Statuses whose cases have contacts: enrolled now, or enrolled before they closed.
WORKED = [S.INTAKE, S.ASSESSMENT, S.PLANNING, S.ACTIVE, S.ON_HOLD, S.TRANSITION, S.CLOSED]

NOTES_EN = {
    "data": (
        "Met with client; reviewed progress on the goals in the care plan.",
        "Client reported the week went better; slept well most nights.",
        "Client brought the letter from the benefits office; we read it together.",
        "Checked in on the housing application and the documents still missing.",
        "Client described a stressful week with family; no safety concerns voiced.",
    ),
    "assessment": (
        "Engaged and motivated; making steady progress.",
        "Some setbacks, but coping strategies are working.",
        "Needs more support with paperwork; understands the next steps.",
        "Stable; the plan still fits.",
    ),
    "plan": (
        "Follow up on the referral next week; call the client Tuesday.",
        "Client to gather pay stubs; case manager to book the appointment.",
        "Continue current plan; next contact as scheduled.",
        "Help the client prepare questions for the doctor's visit.",
    ),
}


def _town_point(rng: random.Random, town: str) -> tuple[float, float]:
    lat, lon = TOWN_CENTRES.get(town, TOWN_CENTRES["Riverton"])
    return round(lat + rng.uniform(-0.03, 0.03), 5), round(lon + rng.uniform(-0.04, 0.04), 5)


def _directory(organization: Organization, curator: User, rng: random.Random) -> int:
    if ResourceService.objects.filter(organization=organization).exists():
        return 0
    for number, entry in enumerate(DIRECTORY):
        lat, lon = _town_point(rng, entry.town)
        slug = "".join(ch for ch in entry.organization.lower() if ch.isalnum())[:24]
        resource_service_create_from_row(
            acting_user=curator,
            values={
                "organization_name": entry.organization,
                "organization_kind": entry.kind,
                "organization_phone": f"(541) 555-02{number:02d}",
                "organization_email": f"intake@{slug}.example.org",
                "website": f"https://{slug}.example.org",
                "name": entry.service,
                "description": entry.description,
                "needs": entry.needs.split(";"),
                "eligibility": entry.eligibility,
                "min_age": entry.min_age,
                "max_age": None,
                "languages": entry.languages.split(";"),
                "hours": _hours(entry.hours),
                "address": f"{rng.randint(10, 990)} Main St, {entry.town}, OR",
                "latitude": lat,
                "longitude": lon,
                "capacity_status": entry.capacity,
                "waitlist_note": entry.waitlist_note,
                "phone": f"(541) 555-03{number:02d}",
                "email": f"referrals@{slug}.example.org",
            },
        )
    internal = {entry.organization for entry in DIRECTORY if entry.internal}
    from casework.coordination.models import ResourceOrganization

    ResourceOrganization.objects.filter(organization=organization, name__in=internal).update(
        is_internal=True
    )
    return len(DIRECTORY)


def _hours(text: str) -> dict[str, Any]:
    from casework.coordination.directory import parse_hours_text

    return parse_hours_text(text)


def _coordinates(organization: Organization, rng: random.Random) -> None:
    """Home coordinates near each client's town (no geocoding service: demo data only)."""
    rows = Client.objects.filter(organization=organization, latitude__isnull=True).exclude(city="")
    changed = []
    for client in rows.order_by("id"):
        client.latitude, client.longitude = _town_point(rng, client.city)
        changed.append(client)
    Client.objects.bulk_update(changed, ["latitude", "longitude"], batch_size=500)


def _contact_times(
    rng: random.Random, start: datetime, end: datetime, every_days: int
) -> list[datetime]:
    times: list[datetime] = []
    moment = start + timedelta(days=rng.uniform(0.5, 3))
    while moment < end:
        hour = rng.choice((9, 10, 11, 13, 14, 15, 16))
        times.append(moment.replace(hour=hour, minute=rng.choice((0, 15, 30, 45))))
        moment += timedelta(days=max(1.0, every_days * rng.uniform(0.6, 1.2)))
    return times


def _contacts(organization: Organization, rng: random.Random, now: datetime) -> int:
    cases = (
        Case.objects.filter(organization=organization, status__in=WORKED)
        .filter(Q(opened_at__isnull=False), Q(case_manager__isnull=False))
        .select_related("program__model", "case_manager", "client")
        .order_by("opened_at", "id")
    )
    made = 0
    for case in cases:
        if Contact.objects.filter(case=case).exists():
            continue
        model = case.program.model
        every = model.contact_every_days(case.risk_tier or None) or 30
        modes = [
            MODE_TO_CONTACT_TYPE[mode]
            for mode in model.contact_modes or ["office", "phone"]
            if mode in MODE_TO_CONTACT_TYPE
        ] or [ContactType.PHONE]
        case_manager = case.case_manager
        if case.opened_at is None or case_manager is None:  # filtered out above
            continue
        end = min(case.closed_at or now, now - timedelta(hours=2))
        spanish = primary_language(case.client.preferred_language) == "es"
        for started in _contact_times(rng, case.opened_at, end, every)[-12:]:
            kind = rng.choice(modes)
            successful = rng.random() < 0.85
            data: dict[str, Any] = {
                "contact_type": kind,
                "outcome": ContactOutcome.SUCCESSFUL if successful else ContactOutcome.ATTEMPTED,
                "attempt_outcome": "" if successful else rng.choice(("no_answer", "left_message")),
                "started_at": started,
                "duration_minutes": rng.choice((10, 20, 30, 45, 60, 90))
                if successful
                else rng.choice((2, 5)),
                "note_format": "dap",
                "note": {name: rng.choice(lines) for name, lines in NOTES_EN.items()}
                if successful
                else {},
            }
            if kind == ContactType.VIDEO:
                data["video_link"] = f"https://video.example.org/demo/{rng.randrange(10**8)}"
            if spanish and successful:
                data["participants"] = [{"name": "Interpreter (Spanish)", "role": "interpreter"}]
            contact_log(acting_user=case_manager, case=case, data=data)
            made += 1
    return made


def load_coordination(
    *,
    organization: Organization,
    curator: User,
    seed: int,
    now: datetime | None = None,
    progress: Callable[[str], None] | None = None,
) -> dict[str, int]:
    """Build the coordination part of the demo for ``organization``; returns counts."""
    rng = random.Random(seed + 7_919)
    moment = now or timezone.now()
    counts: dict[str, int] = {}
    counts["directory_services"] = _directory(organization, curator, rng)
    _coordinates(organization, rng)
    if progress:
        progress("resource directory and home coordinates")
    counts["contacts"] = _contacts(organization, rng, moment)
    if progress:
        progress(f"{counts['contacts']} contacts")
    return counts
