"""The coordination half of the demo: the county's resource directory, the clients' home
coordinates, and the contacts case managers logged on their cases.

Runs after the cases exist (``casework.core.demo.demo_load``), through the ordinary services, with
its own random generator so adding it changed none of the people or cases the seed gives.
Everything here is fictional: Demo County's towns, organizations, phone numbers and addresses.
"""

from __future__ import annotations

import logging
import math
import random
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import Max, Q, Sum
from django.utils import timezone

from casework.accounts.models import Credential, Organization, User
from casework.careplans.models import Need
from casework.cases.models import CareTeamMember, Case
from casework.cases.models import Status as S
from casework.cases.selectors import INTAKE_PIPELINE
from casework.cases.services import care_team_member_add
from casework.clients.models import Client
from casework.consent.models import Consent
from casework.consent.services import consent_record, consent_revoke
from casework.coordination.directory import directory_domains_for
from casework.coordination.models import (
    Appointment,
    PartnerLink,
    Referral,
    ReferralStatus,
    ResourceService,
)
from casework.coordination.models import AppointmentStatus as AS
from casework.coordination.models import ReferralPriority as RP
from casework.coordination.models import ReferralStatus as RS
from casework.coordination.services import resource_service_create_from_row
from casework.coordination.services.appointments import (
    NO_SHOW_WORK_ITEM,
    appointment_create,
    appointment_record_attendance,
    next_working_day_end,
)
from casework.coordination.services.appointments import SOURCE_TYPE as NO_SHOW_SOURCE
from casework.coordination.services.referrals import (
    FOLLOW_UP_KIND,
    partner_link_issue,
    partner_link_use,
    referral_create,
    referral_transition,
)
from casework.core.demo_data import FAMILY_HELPERS, WITNESSES
from casework.core.validation import primary_language
from casework.coverage.codes import SERVICE_CODES
from casework.coverage.models import Authorization, Coverage
from casework.coverage.services import authorization_add, coverage_add
from casework.encounters.models import Contact, ContactOutcome, ContactStatus, ContactType
from casework.encounters.services import contact_log
from casework.monitoring.models import WorkItem
from casework.monitoring.sweep import sweep_run

logger = logging.getLogger(__name__)

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
    say = progress or _log_progress
    counts: dict[str, int] = {}
    counts["directory_services"] = _directory(organization, curator, rng)
    _coordinates(organization, rng)
    say("resource directory and home coordinates")
    counts["contacts"] = _contacts(organization, rng, moment)
    say(f"{counts['contacts']} contacts")
    # A stream of its own, so the records above stay what the seed gave before.
    counts.update(
        load_issue_five(
            organization=organization,
            curator=curator,
            rng=random.Random(seed * 31_337 + 5),
            now=moment,
            progress=say,
        )
    )
    return counts


def _log_progress(line: str) -> None:
    """``demo_load`` passes no progress callback here: the phases go to the log (stderr under
    ``casework demo``), like its own progress lines."""
    logger.info("  %s", line)


# ----------------------------------------------------------------------------------------------
# Issue 5: consents, payer coverage and authorizations, care teams, closed-loop referrals and
# appointments. All through the services; afterwards only creation times are moved back to when
# things happened (the services already take ``now=`` for the times they stamp themselves).

# The care plan need domains the demo writes (casework/core/demo_data.py NEED_TOPICS) and the
# directory need domains (casework/coordination/directory.py NEED_DOMAINS) that meet them.

# The directory services a case manager picks for each need topic, most usual first.
TOPIC_SERVICES: dict[str, tuple[str, ...]] = {
    "food": (
        "Weekly food pantry",
        "SNAP application help",
        "Benefits enrollment (county team)",
        "Home-delivered meals",
    ),
    "housing": (
        "Emergency rental assistance",
        "Housing navigation (county team)",
        "Eviction defense",
        "Housing Choice Voucher intake",
    ),
    "homeless": (
        "Emergency shelter beds",
        "Housing navigation (county team)",
        "Housing Choice Voucher intake",
    ),
    "transport": ("Dial-a-ride medical trips",),
    "money": (
        "Utility bill assistance",
        "Benefits enrollment (county team)",
        "Benefits appeals",
        "SNAP application help",
    ),
    "work": ("Job search and training", "English classes (ESL)"),
    "alone": ("Friendly visitor program", "Peer recovery support"),
    "depression": ("Outpatient counseling", "Crisis line and mobile crisis"),
    "anxiety": ("Outpatient counseling",),
    "trauma": ("Outpatient counseling",),
    "alcohol": ("Medication-assisted treatment", "Peer recovery support"),
    "psychosis": ("Outpatient counseling", "Crisis line and mobile crisis"),
    "bipolar": ("Outpatient counseling", "Crisis line and mobile crisis"),
    "diabetes": ("Diabetes self-management classes", "Primary care for new patients"),
    "heart": ("Primary care for new patients",),
    "copd": ("Primary care for new patients",),
    "pressure": ("Primary care for new patients",),
    "kidney": ("Primary care for new patients",),
}

# What the client needs from the service, as the case manager writes it for the partner.
REFERRAL_REASONS: dict[str, str] = {
    "food": "Household runs out of food before the end of the month; needs groceries and help "
    "applying for SNAP.",
    "housing": "Behind on rent after losing work hours; eviction notice received.",
    "homeless": "Staying in a car since last month; needs a bed and help finding housing.",
    "transport": "No car and no bus near home; needs rides to medical appointments.",
    "money": "Utility shut-off notice; income below the limit; needs help with the bill and "
    "with benefits.",
    "work": "Wants steady work; needs help with a resume and the job search.",
    "alone": "Lives alone and rarely sees anyone; would like regular company.",
    "depression": "Low mood most days (PHQ-9 in the moderate range); agrees to counseling.",
    "anxiety": "Worry keeps the client from sleeping and going out; agrees to counseling.",
    "trauma": "Trauma history; wants to talk to a counselor.",
    "alcohol": "Wants to stop drinking; interested in treatment and peer support.",
    "psychosis": "Serious mental illness; needs ongoing treatment and support in the community.",
    "bipolar": "Bipolar disorder; needs ongoing treatment and a plan for hard weeks.",
    "diabetes": "Type 2 diabetes, A1c above goal; wants to learn to manage it.",
    "medical": "No regular doctor since moving here; needs a new-patient visit.",
}

# What the service did, by the service's first directory need domain: (outcome, outcome code of
# casework.coordination.services.referrals.OUTCOME_CODES).
OUTCOMES: dict[str, tuple[tuple[str, str], ...]] = {
    "food": (
        ("Client picks up groceries every week; SNAP approved.", "resolved"),
        ("Pantry visits started; the SNAP decision is still pending.", "partially_resolved"),
    ),
    "housing": (
        ("Rent arrears paid; the lease was kept.", "resolved"),
        ("Two months of rent paid; client is on the voucher list.", "partially_resolved"),
        ("No funds left this year for the client's situation.", "not_resolved"),
    ),
    "transportation": (("Rides booked for every medical visit.", "resolved"),),
    "utilities": (("Shut-off avoided; the past-due bill was paid.", "resolved"),),
    "benefits": (
        ("Benefits application approved.", "resolved"),
        ("Appeal filed; a hearing is scheduled.", "partially_resolved"),
    ),
    "behavioral_health": (
        ("Client attends counseling every two weeks.", "resolved"),
        ("Client attended three sessions, then stopped.", "partially_resolved"),
        ("Client decided not to continue after the first visit.", "client_declined"),
    ),
    "substance_use": (
        ("Client is in treatment and goes to a peer group weekly.", "resolved"),
        ("Client started treatment; attendance is irregular.", "partially_resolved"),
    ),
    "employment": (
        ("Client started a part-time job.", "resolved"),
        ("Resume done; client is still looking for work.", "partially_resolved"),
    ),
    "social_connection": (("A volunteer visits the client every week.", "resolved"),),
    "primary_care": (
        ("New-patient visit done; the client has a regular doctor.", "resolved"),
        ("Client finished the class series; A1c is down.", "resolved"),
    ),
    "interpersonal_safety": (("Safety plan in place; an advocate is assigned.", "resolved"),),
    "legal": (("The eviction case was dismissed.", "resolved"),),
    "education": (("Client is enrolled in evening classes.", "resolved"),),
}

REJECT_REASONS = (
    "Outside our service area",
    "Does not meet our eligibility (household income above the limit)",
    "No openings this quarter; please refer again in the spring",
    "Client is already enrolled with us",
)
CANCEL_REASONS = (
    "Client declined the service",
    "Need met another way: family helped",
    "Client moved out of the county",
)
CANCEL_AT_CLOSURE = "Case closed before the service started"
FAIL_REASONS = (
    "Client could not be reached after three attempts",
    "Client missed the intake appointment twice",
    "The program ended before the client could start",
)
HOLD_REASONS = (
    "Client in hospital; service paused",
    "Waiting for the client's ID documents",
    "Client asked to pause for a family emergency",
)
DUPLICATE_REASON = "Duplicate: the same referral was made twice"

# Who answers referrals at each partner (fictional people).
PARTNER_CONTACTS: dict[str, str] = {
    "Riverton Community Food Bank": "Maria Delgado, pantry coordinator",
    "Meals on Wheels of Demo County": "Ruth Abernathy, intake",
    "Millbrook Family Resource Center": "Kevin Tran, family advocate",
    "Demo County Housing Authority": "Denise Walker, housing specialist",
    "Cedar Falls Shelter Network": "Luis Ortega, shelter intake",
    "Safe Harbor Domestic Violence Services": "Advocate on duty",
    "Demo County Transit": "Tom Becker, dispatch",
    "Harbor Point Community Clinic": "Grace Lin, RN care coordinator",
    "Pine Ridge Behavioral Health": "Sam Whitaker, intake clinician",
    "Oak Hollow Recovery Community": "Jess Morales, peer recovery coach",
    "WorkSource Demo County": "Alan Price, employment specialist",
    "Legal Aid of Central Oregon (fictional)": "Priya Raman, staff attorney",
    "Millbrook Senior Center": "Betty Coleman, volunteer coordinator",
    "Cedar Falls Adult Education": "Omar Farah, ESL coordinator",
}

# Care team people outside the agency: (name, organization, phone). Roles are SNOMED CT codes of
# casework/cases/care_team_roles.py.
PRIMARY_CARE = (
    ("Dr. Elena Alvarez", "Riverton Family Clinic", "(541) 555-0411", "62247001"),
    ("Dr. Samuel Okafor", "Harbor Point Community Clinic", "(541) 555-0412", "62247001"),
    ("Dr. Hannah Lindqvist", "Millbrook Medical Group", "(541) 555-0413", "62247001"),
    ("Dr. Raj Patel", "Cedar Falls Family Medicine", "(541) 555-0414", "62247001"),
    ("Maria Chen, FNP", "Harbor Point Community Clinic", "(541) 555-0415", "158965000"),
)
PSYCHIATRISTS = (
    ("Dr. Marcus Okonkwo", "Pine Ridge Behavioral Health", "(541) 555-0421"),
    ("Dr. Ingrid Sorensen", "Cedar Falls Behavioral Health", "(541) 555-0422"),
)
COUNSELORS = (
    ("Leah Goldberg, LPC", "Pine Ridge Behavioral Health", "(541) 555-0431"),
    ("Andre Baptiste, LPC", "Cedar Falls Behavioral Health", "(541) 555-0432"),
)
NURSES = (("Tyrone Jackson, RN", "Demo County HHS ACT team", "(541) 555-0441"),)
PHARMACISTS = (("Kim Ho, PharmD", "Riverton Community Pharmacy", "(541) 555-0451"),)
PEER_SPECIALISTS = (
    ("Jess Morales", "Oak Hollow Recovery Community", "(541) 555-0461"),
    ("Dale Whitcomb", "Oak Hollow Recovery Community", "(541) 555-0462"),
)
FAMILY_GIVEN = ("Rosa", "Daniel", "Linh", "Amina", "James", "Grace", "Luis", "Fatima", "Mei")
FAMILY_ROLE_CODE = "303071001"  # SNOMED CT: Person in the family
CAREGIVER_ROLE_CODE = "133932002"  # SNOMED CT: Caregiver

APPOINTMENT_CANCEL_REASONS = (
    "Client sick; will rebook",
    "The clinic rescheduled the visit",
    "The ride fell through; rebooking for next week",
    "Client had a work shift",
)
NO_SHOW_NOTE = "Client did not come; no answer by phone"
# Appointments with no care team member: (title, with whom, directory service name or "").
OTHER_APPOINTMENTS = (
    ("Dental check-up", "Harbor Point Community Clinic dental", ""),
    ("Eye exam", "Riverton Vision Center", ""),
    ("Benefits interview", "Demo County HHS benefits office", "Benefits enrollment (county team)"),
    ("Lab work", "Harbor Point Community Clinic lab", ""),
    ("Housing application appointment", "Demo County Housing Authority", ""),
)
PRIMARY_CARE_VISITS = ("Primary care follow-up", "Annual physical", "Blood pressure check")
PSYCHIATRY_VISITS = ("Medication review", "Psychiatry follow-up")
TRANSPORT_ARRANGED = "Dial-a-ride pickup 45 minutes before"

# Payers (fictional): (payer, plan, phone, coverage type).
MEDICAID_PLANS = (
    ("Central Oregon Coordinated Care (fictional)", "Oregon Health Plan Plus", "(800) 555-0141",
     "managed_medicaid"),
    ("Cascade Health Alliance (fictional)", "OHP coordinated care", "(800) 555-0143",
     "managed_medicaid"),
    ("Oregon Health Plan (fictional)", "Open card (fee for service)", "(800) 555-0145",
     "medicaid"),
)  # fmt: skip
MEDICARE_PLAN = ("Medicare (fictional)", "Original Medicare, Parts A and B", "(800) 555-0147")
COMMERCIAL_PLANS = (
    ("Cascade Mutual Health (fictional)", "PPO 1500", "CMH"),
    ("Summit Benefit Plans (fictional)", "HMO Silver", "SBP"),
    ("Columbia Employers Trust (fictional)", "Choice EPO", "CET"),
)

TARGETED_CASE_MANAGEMENT = "T1017"
# Service authorizations a referral can use, by directory service: HCPCS Level II code and CMS
# descriptor, unit, units approved, units one referral uses.
SERVICE_AUTHORIZATIONS: dict[str, tuple[str, str, str, tuple[int, int], tuple[int, int]]] = {
    "Dial-a-ride medical trips": (
        "T2003", "Non-emergency transportation; encounter/trip", "visit", (16, 24), (6, 12)
    ),
    "Home-delivered meals": (
        "S5170", "Home delivered meals, including preparation; per meal", "item", (40, 60),
        (20, 30),
    ),
    "Outpatient counseling": (
        "H0004", "Behavioral health counseling and therapy, per 15 minutes", "15min", (24, 48),
        (12, 24),
    ),
}  # fmt: skip


def _weighted(rng: random.Random, pairs: tuple[tuple[str, int], ...]) -> str:
    return rng.choices([value for value, _ in pairs], weights=[w for _, w in pairs])[0]


def _topic_key(code: str) -> str:
    """The demo need topic of an ICD-10-CM code (longest known prefix), or ""."""
    from casework.core.demo_data import NEED_TOPIC_BY_CODE

    for length in range(len(code), 0, -1):
        key = NEED_TOPIC_BY_CODE.get(code[:length])
        if key:
            return key
    return ""


def _age(birth: date, on: date) -> int:
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


@dataclass
class _Life:
    """One case that gets coordination records, with the span they fall in."""

    case: Case
    client: Client
    manager: User
    kind: str
    followup_days: int
    start: datetime  # referrals from here (the plan agreed, or planning under way)
    end: datetime  # until here (closure, or a little before now)
    active_from: datetime | None
    before_close: str = ""  # the status a closed case had before it closed
    needs: list[Need] = field(default_factory=list)

    @property
    def closed(self) -> bool:
        return self.case.status == S.CLOSED

    @property
    def open_for_referrals(self) -> bool:
        return not self.closed

    def silent_possible(self, now: datetime) -> bool:
        return self.open_for_referrals and self.start < now - timedelta(days=self.followup_days + 6)


@dataclass
class _Planned:
    life: _Life
    need: Need | None
    service: ResourceService
    topic: str
    final: str = RS.DRAFT
    silent: bool = False
    partner: bool = False
    authorize: bool = False
    send_at_create: bool = False
    forced: bool = False


OPEN_FINALS = ((RS.COMPLETED, 30), (RS.IN_PROGRESS, 12), (RS.ACCEPTED, 10), (RS.REQUESTED, 16),
               (RS.REJECTED, 7), (RS.CANCELLED, 5), (RS.FAILED, 5), (RS.ON_HOLD, 3),
               (RS.DRAFT, 4))  # fmt: skip
CLOSED_FINALS = ((RS.COMPLETED, 62), (RS.REJECTED, 10), (RS.CANCELLED, 16), (RS.FAILED, 10))
PLANNING_FINALS = ((RS.DRAFT, 35), (RS.REQUESTED, 35), (RS.ACCEPTED, 15), (RS.REJECTED, 10),
                   (RS.CANCELLED, 5))  # fmt: skip
SILENT_CAPABLE = {RS.REQUESTED, RS.ACCEPTED, RS.IN_PROGRESS, RS.ON_HOLD}
TERMINAL_FINALS = {RS.COMPLETED, RS.REJECTED, RS.CANCELLED, RS.FAILED, RS.ENTERED_IN_ERROR}
# Statuses a referral of a case still being planned can reach.
PLANNING_REACHABLE = {RS.DRAFT, RS.REQUESTED, RS.ACCEPTED, RS.REJECTED, RS.CANCELLED}
SCOPE = [S.PLANNING, S.ACTIVE, S.ON_HOLD, S.TRANSITION, S.CLOSED]
TEAM_CASES = [S.ACTIVE, S.ON_HOLD, S.TRANSITION]
CASEMANAGER = "casemanager"


class _Coordinator:
    """Builds the issue-5 records of the demo organization, one phase at a time."""

    def __init__(
        self, *, organization: Organization, curator: User, rng: random.Random, now: datetime
    ) -> None:
        self.organization, self.curator, self.rng = organization, curator, rng
        self.now = now
        self.today = timezone.localdate(now)
        self.intake = User.objects.filter(organization=organization, username="intake").first()
        self.services = {
            service.name: service
            for service in ResourceService.objects.filter(organization=organization)
            .select_related("provider")
            .order_by("name")
        }
        self.consent_of: dict[Any, Consent] = {}
        self.consent_kind: dict[Any, str] = {}
        self.medicaid_of: dict[Any, Coverage] = {}
        self.members: dict[Any, list[CareTeamMember]] = defaultdict(list)
        # (model, pk) → (created_at, updated_at): applied in ``flush``.
        self.times: dict[tuple[type[Any], Any], tuple[datetime, datetime]] = {}
        # When the attendance of each appointment was recorded (applied in ``flush``).
        self.recorded: dict[Any, datetime] = {}
        # Missed appointments: id → (start, when attendance was recorded, client id).
        self.no_shows: dict[str, tuple[datetime, datetime, Any]] = {}

    # -- helpers ---------------------------------------------------------------------------

    def _stamp(self, obj: Any, created: datetime, updated: datetime | None = None) -> None:
        created = min(created, self.now)
        self.times[(type(obj), obj.pk)] = (created, min(max(updated or created, created), self.now))

    def _local(self, day: date, hour: int, minute: int = 0) -> datetime:
        return timezone.make_aware(datetime.combine(day, time(hour, minute)))

    def _slot(self, day: date, *, after: datetime | None = None) -> datetime:
        """A weekday office-hours time on ``day`` (or the next weekday), after ``after``."""
        for _ in range(14):
            while day.weekday() >= 5:
                day += timedelta(days=1)
            moment = self._local(
                day, self.rng.choice((9, 10, 11, 13, 14, 15)), self.rng.choice((0, 30))
            )
            if after is None or moment > after:
                return moment
            day += timedelta(days=1)
        return self._local(day, 10)

    def _at(self, moment: datetime) -> datetime:
        """Never in the future."""
        return min(moment, self.now - timedelta(minutes=5))

    # -- the cases -------------------------------------------------------------------------

    def lives(self) -> list[_Life]:
        cases = list(
            Case.objects.filter(organization=self.organization, status__in=SCOPE)
            .filter(case_manager__isnull=False, opened_at__isnull=False)
            .select_related("client", "program__model", "case_manager")
            .prefetch_related("status_changes")
            .order_by("created_at", "id")
        )
        needs: dict[Any, list[Need]] = defaultdict(list)
        for need in (
            Need.objects.filter(plan__case__in=cases)
            .select_related("plan")
            .order_by("priority", "created_at", "id")
        ):
            needs[need.plan.case_id].append(need)
        lives = []
        latest = self.now - timedelta(hours=1)
        for case in cases:
            manager, model = case.case_manager, case.program.model
            if manager is None or case.opened_at is None:
                continue
            changes = sorted(case.status_changes.all(), key=lambda c: (c.changed_at, c.pk))
            active = [c.changed_at for c in changes if c.to_status == S.ACTIVE]
            planning = [c.changed_at for c in changes if c.to_status == S.PLANNING]
            before_close = ""
            if case.status == S.CLOSED:
                if not active or len(changes) < 2 or case.closed_at is None:
                    continue  # closed before it was ever worked on a plan
                before_close = changes[-2].to_status
                end = case.closed_at - timedelta(hours=1)
            else:
                end = latest
            if active:
                start = active[0]
            elif planning:
                start = planning[-1] + (end - planning[-1]) * 0.3
            else:
                continue
            if end - start < timedelta(days=1):
                start = max(end - timedelta(days=1), case.opened_at)
            lives.append(
                _Life(
                    case=case,
                    client=case.client,
                    manager=manager,
                    kind=model.kind,
                    followup_days=model.referral_followup_days or 14,
                    start=start,
                    end=end,
                    active_from=active[0] if active else None,
                    before_close=before_close,
                    needs=needs.get(case.pk, []),
                )
            )
        return lives

    # -- planning the referrals (no writes) --------------------------------------------------

    def _candidates(self, life: _Life, topic: str, domain: str) -> list[ResourceService]:
        names = TOPIC_SERVICES.get(topic, ())
        wanted = directory_domains_for(domain)
        age = _age(life.client.birth_date, self.today)
        found = []
        for name in names:
            service = self.services.get(name)
            if service is None or not set(wanted) & set(service.needs or []):
                continue
            if service.min_age is not None and age < service.min_age:
                continue
            found.append(service)
        return found

    def plan_referrals(self, lives: list[_Life]) -> list[_Planned]:
        rng = self.rng
        planned: list[_Planned] = []
        clients = sorted({life.client.pk: life for life in lives}.values(), key=_life_order)
        for life in clients:
            self.consent_kind[life.client.pk] = _weighted(
                rng, (("none", 12), ("all", 15), ("listed", 73))
            )
        for life in lives:
            # Closed cases keep the referrals of their episode (fewer: the demo stays quick).
            limit = rng.choice((0, 0, 1, 1, 2)) if life.closed else rng.choice((1, 1, 2, 2, 3))
            made = 0
            for number, need in enumerate(life.needs):
                if made >= limit or rng.random() > (0.95 if number == 0 else 0.6):
                    continue
                topic = _topic_key(need.code)
                candidates = self._candidates(life, topic, need.domain)
                if not candidates:
                    continue
                service = candidates[0] if rng.random() < 0.5 else rng.choice(candidates)
                planned.append(_Planned(life=life, need=need, service=service, topic=topic))
                made += 1
        for item in planned:
            self._choose_final(item)
        self._require(planned)
        return planned

    def _choose_final(self, item: _Planned) -> None:
        rng, life = self.rng, item.life
        weights: tuple[tuple[str, int], ...]
        if life.closed:
            weights = CLOSED_FINALS
        elif life.case.status == S.PLANNING:
            weights = PLANNING_FINALS
        else:
            weights = OPEN_FINALS
        item.final = _weighted(rng, weights)
        external = not item.service.provider.is_internal
        kind = self.consent_kind[life.client.pk]
        if external and kind == "none":
            # No consent: it cannot be sent; it waits as a draft (or never happened).
            item.final = RS.DRAFT if life.open_for_referrals else ""
        item.partner = external and item.final not in (RS.DRAFT, "") and rng.random() < 0.4
        item.silent = (
            item.final in SILENT_CAPABLE and life.silent_possible(self.now) and rng.random() < 0.45
        )
        item.send_at_create = rng.random() < 0.5

    def _sendable(self, item: _Planned) -> bool:
        return item.service.provider.is_internal or self.consent_kind[item.life.client.pk] != "none"

    def _require(self, planned: list[_Planned]) -> None:
        """Make sure the small demos show everything too: every referral status, and on
        ``casemanager``'s caseload silent referrals to follow up and a draft that needs consent."""
        rng = self.rng
        planned[:] = [item for item in planned if item.final]
        mine_open = [
            item
            for item in planned
            if item.life.manager.username == CASEMANAGER and item.life.case.status in TEAM_CASES
        ]
        # A client of casemanager's without consent, whose referral to a partner waits for it.
        if not any(item.final == RS.DRAFT and not self._sendable(item) for item in mine_open):
            external = [i for i in mine_open if not i.service.provider.is_internal and not i.forced]
            if external:
                choice = external[0]
                for item in planned:
                    if item.life.client.pk == choice.life.client.pk:
                        self.consent_kind[item.life.client.pk] = "none"
                        if not self._sendable(item):
                            item.final = RS.DRAFT if item.life.open_for_referrals else ""
                            item.partner = item.silent = False
                choice.forced = True
                planned[:] = [item for item in planned if item.final]
                mine_open = [item for item in mine_open if item.final]
        silent = [i for i in mine_open if i.silent]
        for item in mine_open:
            if len(silent) >= 2:
                break
            if item.forced or not self._sendable(item) or not item.life.silent_possible(self.now):
                continue
            item.final = rng.choice((RS.REQUESTED, RS.REQUESTED, RS.ACCEPTED))
            item.silent, item.forced = True, True
            item.partner = not item.service.provider.is_internal
            silent.append(item)
        if not any(i.service.provider.is_internal and i.final != RS.DRAFT for i in planned):
            # A referral to one of the county's own teams (no consent needed to send it).
            for item in planned:
                domain = item.need.domain if item.need is not None else ""
                internal = [
                    service
                    for service in self._candidates(item.life, item.topic, domain)
                    if service.provider.is_internal
                ]
                if item.forced or not internal:
                    continue
                item.service, item.partner, item.forced = internal[0], False, True
                if item.final in (RS.DRAFT, ""):
                    item.final = RS.ACCEPTED if item.life.open_for_referrals else RS.COMPLETED
                break
        for status in ReferralStatus.values:
            if any(item.final == status for item in planned):
                continue
            for item in planned:
                if item.forced or not self._sendable(item):
                    continue
                if status not in TERMINAL_FINALS and not item.life.open_for_referrals:
                    continue
                if item.life.case.status == S.PLANNING and status not in PLANNING_REACHABLE:
                    continue
                if status == RS.ENTERED_IN_ERROR:
                    # Made twice by mistake: a copy of this one, withdrawn.
                    twin = _Planned(
                        life=item.life, need=item.need, service=item.service, topic=item.topic
                    )
                    twin.final, twin.forced = RS.ENTERED_IN_ERROR, True
                    planned.append(twin)
                    break
                item.final, item.forced = status, True
                item.silent = False
                item.partner = item.partner and status != RS.DRAFT
                break

        if not any(item.final == RS.COMPLETED and item.partner for item in planned):
            # A loop the partner closed through its links, with its own name on the events.
            outside = [
                item
                for item in planned
                if not item.service.provider.is_internal and self._sendable(item)
            ]
            done = [item for item in outside if item.final == RS.COMPLETED]
            spare = [item for item in outside if not item.forced]
            for item in (done or spare)[:1]:
                item.final, item.partner, item.silent, item.forced = RS.COMPLETED, True, False, True

    # -- consents ----------------------------------------------------------------------------

    def consents(self, lives: list[_Life], planned: list[_Planned]) -> int:
        rng = self.rng
        first: dict[Any, _Life] = {}
        for life in sorted(lives, key=_life_order):
            first.setdefault(life.client.pk, life)
        sent_to: dict[Any, set[Any]] = defaultdict(set)
        for item in planned:
            if item.final != RS.DRAFT and not item.service.provider.is_internal:
                sent_to[item.life.client.pk].add(item.service.provider_id)
        # In directory order (by name): ids are random, the seed must give the same recipients.
        by_name = sorted(
            {s.provider_id: s.provider.name for s in self.services.values()}.items(),
            key=lambda pair: pair[1],
        )
        internal = {s.provider_id for s in self.services.values() if s.provider.is_internal}
        providers = [pk for pk, _ in by_name if pk not in internal]
        rank = {pk: number for number, (pk, _) in enumerate(by_name)}
        made = 0
        for client_id, life in first.items():
            kind = self.consent_kind.get(client_id, "none")
            if kind == "none":
                continue
            names = sorted(sent_to.get(client_id, set()), key=rank.__getitem__)
            if kind == "listed" and len(names) > 5:
                kind = "all"
            recipients: list[Any] = []
            if kind == "listed":
                extra = [p for p in providers if p not in names]
                wanted = max(0, rng.randint(2, 4) - len(names))
                recipients = names + rng.sample(extra, k=min(wanted, len(extra)))
            signed_at = life.case.opened_at or life.start
            signed_on = timezone.localdate(signed_at)
            method = _weighted(rng, (("written", 60), ("verbal", 30), ("electronic", 10)))
            purposes = ["CAREMGT", "COC"]
            if rng.random() < 0.4:
                purposes.append("TREAT")
            if rng.random() < 0.2:
                purposes.append("HPAYMT")
            period_end = None
            if (self.today - signed_on).days < 300 and rng.random() < 0.4:
                period_end = signed_on + timedelta(days=365)
            consent = consent_record(
                acting_user=life.manager,
                client=life.client,
                purposes=purposes,
                method=method,
                signed_on=signed_on,
                period_end=period_end,
                recipient_ids=recipients,
                all_directory_recipients=kind == "all",
                witness_name=rng.choice(WITNESSES) if method == "verbal" else "",
                note={
                    "written": "Signed at intake; copy given to the client.",
                    "verbal": "Given by phone; the signed form was mailed for the file.",
                    "electronic": "Signed on the tablet at intake.",
                }[method],
            )
            self._stamp(consent, signed_at + timedelta(minutes=rng.randint(5, 90)))
            self.consent_of[client_id] = consent
            made += 1
        return made

    def revocations(self) -> int:
        """A few clients withdraw their consent after the referrals it covered were sent."""
        rng, made = self.rng, 0
        last_sent = dict(
            Referral.objects.filter(organization=self.organization, consent__isnull=False)
            .values("client_id")
            .annotate(last=Max("requested_at"))
            .values_list("client_id", "last")
        )
        consents = list(self.consent_of.items())
        for number, (client_id, consent) in enumerate(consents):
            # At least one, however small the demo.
            last_chance = made == 0 and number == len(consents) - 1
            if rng.random() >= 0.06 and not last_chance:
                continue
            after = last_sent.get(client_id) or self._created(consent)
            when = after + timedelta(days=rng.uniform(2, 40))
            if when >= self.now - timedelta(days=1):
                when = after + (self.now - after) * 0.5
                if when >= self.now - timedelta(hours=2):
                    continue
            actor = consent.recorded_by or self.curator
            consent_revoke(
                acting_user=actor,
                consent=consent,
                expected_version=consent.version,
                reason=rng.choice(
                    (
                        "Client asked us to stop sharing with outside agencies.",
                        "Client no longer wants the partners contacted.",
                    )
                ),
                now=when,
            )
            self._stamp(consent, self._created(consent), when)
            made += 1
        return made

    def _created(self, obj: Any) -> datetime:
        stamped = self.times.get((type(obj), obj.pk))
        return stamped[0] if stamped else obj.created_at

    # -- coverage and authorizations -------------------------------------------------------

    def _coverage_actor(self, client: Client, cases: list[Case]) -> User:
        latest = cases[-1] if cases else None
        if latest is not None and latest.case_manager is not None:
            return latest.case_manager
        if latest is not None and latest.status in INTAKE_PIPELINE and self.intake is not None:
            return self.intake
        return self.curator

    def coverage(self) -> int:
        rng, made = self.rng, 0
        cases: dict[Any, list[Case]] = defaultdict(list)
        for case in (
            Case.objects.filter(organization=self.organization)
            .select_related("case_manager")
            .order_by("created_at", "id")
        ):
            cases[case.client_id].append(case)
        clients = (
            Client.objects.filter(organization=self.organization)
            .prefetch_related("identifiers")
            .order_by("created_at", "id")
        )
        for client in clients:
            ids = {identifier.type: identifier.value for identifier in client.identifiers.all()}
            actor = self._coverage_actor(client, cases.get(client.pk, []))
            since = min(timezone.localdate(client.created_at), self.today - timedelta(days=400))
            start = (since - timedelta(days=rng.randint(0, 900))).replace(day=1)
            age = _age(client.birth_date, self.today)
            rows: list[dict[str, Any]] = []
            if "MC" in ids:
                payer, plan, phone = MEDICARE_PLAN
                rows.append(
                    {"coverage_type": "medicare", "payer_name": payer, "plan_name": plan,
                     "member_id": ids["MC"], "payer_phone": phone,
                     "period_start": start.replace(month=1) if start.month > 1 else start}
                )  # fmt: skip
            if "MA" in ids:
                payer, plan, phone, kind = MEDICAID_PLANS[
                    0 if rng.random() < 0.6 else rng.randrange(1, len(MEDICAID_PLANS))
                ]
                rows.append(
                    {"coverage_type": kind, "payer_name": payer, "plan_name": plan,
                     "member_id": ids["MA"], "payer_phone": phone, "period_start": start,
                     "group_number": "OHP"}
                )  # fmt: skip
            if not rows and age < 65 and rng.random() < 0.35:
                payer, plan, prefix = rng.choice(COMMERCIAL_PLANS)
                row: dict[str, Any] = {
                    "coverage_type": "commercial",
                    "payer_name": payer,
                    "plan_name": plan,
                    "member_id": f"{prefix}{rng.randrange(10**8, 10**9)}",
                    "group_number": f"{rng.randrange(10000, 99999)}",
                    "payer_phone": f"(800) 555-01{rng.randrange(50, 99)}",
                    "period_start": start,
                }
                subscriber = f"{rng.choice(FAMILY_GIVEN)} {client.family_name}"
                if age < 26 and rng.random() < 0.6:
                    row.update(relationship="child", subscriber_name=subscriber)
                elif rng.random() < 0.15:
                    row.update(relationship="spouse", subscriber_name=subscriber)
                rows.append(row)
            for order, row in enumerate(rows, start=1):
                coverage = coverage_add(
                    acting_user=actor, client=client, data={**row, "order": order}
                )
                self._stamp(coverage, max(client.created_at, self._local(row["period_start"], 9)))
                if row["coverage_type"] in ("medicaid", "managed_medicaid"):
                    self.medicaid_of[client.pk] = coverage
                made += 1
        return made

    def _contact_units(self, case: Case, start: date, end: date) -> int:
        total = Contact.objects.filter(
            case=case,
            status=ContactStatus.FINAL,
            billable=True,
            started_at__date__gte=start,
            started_at__date__lte=end,
        ).aggregate(total=Sum("billing_units"))["total"]
        return int(total or 0)

    def authorizations(self, lives: list[_Life]) -> int:
        """Targeted case management (HCPCS T1017, 15-minute units; contacts count) for the
        integrated and intensive programs' Medicaid clients: most with room, two near their
        limit, one over it -- those have the next period requested."""
        rng, made = self.rng, 0
        wanted = [
            life
            for life in lives
            if life.kind in ("integrated", "intensive")
            and life.case.status in TEAM_CASES
            and life.client.pk in self.medicaid_of
        ]
        periods = []
        for life in wanted:
            coverage = self.medicaid_of[life.client.pk]
            days = rng.choice((90, 180))
            opened = timezone.localdate(life.case.opened_at or life.start)
            start = self.today - timedelta(days=rng.randint(10, days - 10))
            start = max(start, coverage.period_start, opened)
            end = start + timedelta(days=days - 1)
            periods.append((life, coverage, days, start, end))
        # One over its units and one or two near them (when anything was used), the rest with room.
        used_of = [self._contact_units(life.case, start, end) for life, _, _, start, end in periods]
        by_use = sorted(range(len(periods)), key=lambda i: (-used_of[i], i))
        over = {i for i in by_use[:1] if used_of[i] >= 4 and len(periods) >= 3}
        near = {i for i in by_use[1 : 1 + max(1, len(periods) // 8)][:2] if used_of[i] >= 8}
        for index, (life, coverage, days, start, end) in enumerate(periods):
            used = used_of[index]
            if index in over:
                approved = min(used - 1, max(1, int(used / rng.uniform(1.08, 1.25))))
            elif index in near:
                approved = math.ceil(used / rng.uniform(0.9, 0.96))
            else:
                approved = max(16, math.ceil(used / rng.uniform(0.3, 0.8) / 4) * 4)
            state = "over" if index in over else "near" if index in near else "room"
            code = SERVICE_CODES[TARGETED_CASE_MANAGEMENT]
            number = f"PA{start.year}-{rng.randrange(100000, 999999)}"
            data = {
                "case_id": str(life.case.pk),
                "number": number,
                "service": code.description,
                "service_code": code.code,
                "unit_type": code.unit_type,
                "units_approved": approved,
                "period_start": start,
                "period_end": end,
                "counts_contacts": True,
                "note": f"{life.case.program.name}: {days}-day authorization",
            }
            authorization = authorization_add(
                acting_user=life.manager, coverage=coverage, data=data
            )
            self._stamp(authorization, max(self._local(start, 9) - timedelta(days=3), life.start))
            made += 1
            if state != "room":
                renewal = authorization_add(
                    acting_user=life.manager,
                    coverage=coverage,
                    data={
                        **data,
                        "number": "",
                        "status": "requested",
                        "units_approved": max(approved, 24),
                        "period_start": end + timedelta(days=1),
                        "period_end": end + timedelta(days=days),
                        "note": "Renewal requested: units nearly used up.",
                    },
                )
                self._stamp(renewal, self.now - timedelta(days=rng.uniform(0.5, 4)))
                made += 1
        return made

    # -- care teams ------------------------------------------------------------------------

    def _colleague(
        self, life: _Life, staff: list[User], credentials: dict[Any, list[str]]
    ) -> tuple[User, str, str] | None:
        """A colleague on the team: a peer specialist (CPRS) on an intensive case, a nurse on an
        integrated one, otherwise another case manager covering when the case manager is out."""
        others = [user for user in staff if user.pk != life.manager.pk]
        if not others:
            return None
        if life.kind == "intensive":
            peers = [user for user in others if "CPRS" in credentials[user.pk]]
            if peers:
                return self.rng.choice(peers), "Peer support specialist", ""
        if life.kind == "integrated":
            nurses = [user for user in others if "RN" in credentials[user.pk]]
            if nurses:
                return self.rng.choice(nurses), "Registered nurse", "224535009"
        team = {team.pk for team in life.manager.teams.all()}
        same = [user for user in others if team & {t.pk for t in user.teams.all()}]
        if not same:
            return None
        return self.rng.choice(same), "Covering case manager", ""

    def care_teams(self, lives: list[_Life]) -> int:
        rng, made = self.rng, 0
        staff = list(
            User.objects.filter(organization=self.organization, role="case_manager", is_active=True)
            .prefetch_related("teams")
            .order_by("username")
        )
        credentials: dict[Any, list[str]] = defaultdict(list)
        for user_id, kind in Credential.objects.filter(user__in=staff).values_list(
            "user_id", "kind"
        ):
            credentials[user_id].append(kind)
        for life in lives:
            if life.case.status not in TEAM_CASES:
                continue
            client = life.client
            begun = timezone.localdate(life.active_from or life.start)
            people: list[dict[str, Any]] = []
            if rng.random() < 0.85:
                name, clinic, phone, code = rng.choice(PRIMARY_CARE)
                people.append(
                    {"kind": "provider", "name": name, "role_code": code,
                     "role": "Primary care provider", "organization_name": clinic,
                     "phone": phone, "preferred_contact": "Phone the clinic; fax for records"}
                )  # fmt: skip
            if life.kind in ("clinical", "intensive") and rng.random() < 0.7:
                name, clinic, phone = rng.choice(PSYCHIATRISTS)
                people.append(
                    {"kind": "provider", "name": name, "role_code": "80584001",
                     "organization_name": clinic, "phone": phone}
                )  # fmt: skip
            elif life.kind == "clinical" and rng.random() < 0.5:
                name, clinic, phone = rng.choice(COUNSELORS)
                people.append(
                    {"kind": "provider", "name": name, "role_code": "224595007",
                     "organization_name": clinic, "phone": phone}
                )  # fmt: skip
            if life.kind == "intensive" and rng.random() < 0.35:
                name, clinic, phone = rng.choice(NURSES)
                people.append(
                    {"kind": "provider", "name": name, "role_code": "224564000",
                     "organization_name": clinic, "phone": phone}
                )  # fmt: skip
            if life.kind == "integrated" and rng.random() < 0.25:
                name, clinic, phone = rng.choice(PHARMACISTS)
                people.append(
                    {"kind": "provider", "name": name, "role_code": "46255001",
                     "organization_name": clinic, "phone": phone}
                )  # fmt: skip
            if life.kind in ("intensive", "strengths") and rng.random() < 0.35:
                name, org, phone = rng.choice(PEER_SPECIALISTS)
                people.append(
                    {"kind": "other", "name": name, "role": "Peer support specialist",
                     "organization_name": org, "phone": phone}
                )  # fmt: skip
            if rng.random() < 0.6:
                elder = _age(client.birth_date, self.today) >= 70
                helper = rng.choice(FAMILY_HELPERS)
                family = (
                    client.family_name
                    if helper != "Friend"
                    else rng.choice(("Morgan", "Ellis", "Navarro", "Haddad", "Kowalski"))
                )
                kind = "caregiver" if elder and rng.random() < 0.5 else "family"
                if helper == "Friend":
                    kind = "caregiver" if kind == "caregiver" else "other"
                people.insert(
                    1 if people else 0,
                    {"kind": kind,
                     "name": f"{rng.choice(FAMILY_GIVEN)} {family}", "role": helper,
                     "role_code": CAREGIVER_ROLE_CODE if kind == "caregiver"
                     else FAMILY_ROLE_CODE if kind == "family" else "",
                     "phone": f"(541) 555-01{rng.randrange(100):02d}",
                     "is_emergency_contact": True, "preferred_contact": "Text first"},
                )  # fmt: skip
            if not people:
                name, clinic, phone, code = rng.choice(PRIMARY_CARE)
                people.append(
                    {"kind": "provider", "name": name, "role_code": code,
                     "role": "Primary care provider", "organization_name": clinic,
                     "phone": phone}
                )  # fmt: skip
            for person in people[:3]:
                start = min(begun + timedelta(days=rng.randint(0, 20)), self.today)
                member = care_team_member_add(
                    acting_user=life.manager, case=life.case, data={**person, "start_date": start}
                )
                self._stamp(member, self._local(start, 11))
                self.members[life.case.pk].append(member)
                made += 1
            if rng.random() < 0.15:
                colleague = self._colleague(life, staff, credentials)
                if colleague is not None:
                    user, role, code = colleague
                    start = min(begun + timedelta(days=rng.randint(0, 30)), self.today)
                    member = care_team_member_add(
                        acting_user=life.manager,
                        case=life.case,
                        data={"kind": "staff", "user_id": str(user.pk), "role": role,
                              "role_code": code, "start_date": start},
                    )  # fmt: skip
                    self._stamp(member, self._local(start, 11))
                    made += 1
        return made

    # -- referrals ---------------------------------------------------------------------------

    def _steps(self, item: _Planned) -> list[tuple[str, float]]:
        """The moves after creation, each with the days since the one before."""
        rng, final = self.rng, item.final
        send = ("send", 0.0 if item.send_at_create else rng.uniform(0.05, 2))
        accept = ("accept", rng.uniform(1, 6))
        start = ("start", rng.uniform(2, 12))
        schedule = [("schedule", rng.uniform(0.3, 3))] if item.partner else []
        if final == RS.DRAFT:
            return []
        if final == RS.ENTERED_IN_ERROR:
            return [("error", rng.uniform(0.01, 1))]
        if final == RS.CANCELLED:
            if rng.random() < 0.5 and self.consent_kind[item.life.client.pk] != "none":
                return [send, ("cancel", rng.uniform(2, 15))]
            return [("cancel", rng.uniform(1, 10))]
        if final == RS.REQUESTED:
            return [send]
        if final == RS.REJECTED:
            return [send, ("reject", rng.uniform(1, 7))]
        if final == RS.ACCEPTED:
            upcoming = item.partner and not item.silent and rng.random() < 0.6
            return [send, accept, *([("schedule", rng.uniform(0.3, 2))] if upcoming else [])]
        if final == RS.IN_PROGRESS:
            return [send, accept, *schedule, start]
        if final == RS.ON_HOLD:
            return [send, accept, start, ("hold", rng.uniform(4, 20))]
        if final == RS.FAILED:
            return [send, accept, ("fail", rng.uniform(10, 30))]
        if final == RS.COMPLETED:
            middle = [*schedule, start] if rng.random() < 0.5 else []
            return [send, accept, *middle, ("complete", rng.uniform(6, 30))]
        return []

    def _place(self, item: _Planned, steps: list[tuple[str, float]]) -> list[datetime]:
        """When creation and each step happened: ``[created, step1, ...]``."""
        rng, life = self.rng, item.life
        gaps = [days for _, days in steps]
        total = sum(gaps)
        lower, upper = life.start, min(life.end, self.now - timedelta(hours=1))
        if item.final in TERMINAL_FINALS or not life.open_for_referrals:
            span = (upper - lower).total_seconds() / 86400
            scale = min(1.0, 0.9 * span / total) if total else 1.0
            created = lower + timedelta(days=rng.uniform(0, max(0.0, span - total * scale)))
        else:
            days = life.followup_days
            if item.silent:
                last = self.now - timedelta(days=days + rng.uniform(1.5, 20))
            elif item.final == RS.DRAFT:
                last = self.now - timedelta(days=rng.uniform(0.5, 12))
            else:
                last = self.now - timedelta(days=rng.uniform(0.3, max(0.5, days - 1.5)))
            last = max(last, lower + timedelta(hours=2))
            available = (last - lower).total_seconds() / 86400
            scale = min(1.0, 0.95 * available / total) if total else 1.0
            created = last - timedelta(days=total * scale)
        times = [created]
        for gap in gaps:
            times.append(times[-1] + timedelta(days=gap * scale, minutes=1))
        return [min(moment, upper) for moment in times]

    def _partner_name(self, referral: Referral) -> str:
        return PARTNER_CONTACTS.get(referral.provider.name, f"{referral.provider.name} intake")

    def _outcome(self, item: _Planned) -> tuple[str, str]:
        domain = next(iter(item.service.needs or []), "")
        choices = OUTCOMES.get(domain) or (("Service delivered.", "resolved"),)
        if item.topic == "diabetes" and domain == "primary_care":
            return choices[-1]
        return self.rng.choice(choices)

    def _reason(self, item: _Planned) -> str:
        text = REFERRAL_REASONS.get(item.topic) or REFERRAL_REASONS["medical"]
        if item.service.name in ("Crisis line and mobile crisis",):
            text = "Crisis plan: the mobile team should know the client. " + text
        return text

    def _note(self, item: _Planned) -> str:
        client = item.life.client
        if primary_language(client.preferred_language) == "es":
            return "Client prefers Spanish; an interpreter helps on the phone."
        if client.interpreter_needed:
            return "Client needs an interpreter; please book one."
        return self.rng.choice(
            ("", "", "Best reached in the afternoon.", "Client has no voicemail.")
        )

    def _service_authorization(self, item: _Planned, created: datetime) -> tuple[Any, int | None]:
        entry = SERVICE_AUTHORIZATIONS[item.service.name]
        code, description, unit, approved_range, used_range = entry
        coverage = self.medicaid_of[item.life.client.pk]
        start = max(timezone.localdate(created) - timedelta(days=self.rng.randint(0, 5)),
                    coverage.period_start)  # fmt: skip
        authorization = authorization_add(
            acting_user=item.life.manager,
            coverage=coverage,
            data={
                "case_id": str(item.life.case.pk),
                "number": f"PA{start.year}-{self.rng.randrange(100000, 999999)}",
                "service": description,
                "service_code": code,
                "unit_type": unit,
                "units_approved": self.rng.randint(*approved_range),
                "period_start": start,
                "period_end": start + timedelta(days=179),
                "note": f"For the referral to {item.service.provider.name}",
            },
        )
        self._stamp(authorization, max(self._local(start, 9), item.life.start))
        return authorization, self.rng.randint(*used_range)

    def _mark_authorizations(self, planned: list[_Planned]) -> None:
        """A few referrals of Medicaid clients use units of a service authorization."""
        wanted = max(3, len(planned) // 60)
        fitting = [
            item
            for item in planned
            if item.service.name in SERVICE_AUTHORIZATIONS
            and item.life.client.pk in self.medicaid_of
            and item.final in (RS.ACCEPTED, RS.IN_PROGRESS, RS.COMPLETED, RS.REQUESTED)
            and item.life.open_for_referrals
            and self._sendable(item)
        ]
        # The most recent episodes first: their authorizations are still running.
        fitting.sort(key=lambda item: item.life.start, reverse=True)
        for item in fitting[:wanted]:
            item.authorize = True

    def referrals(self, planned: list[_Planned]) -> int:
        self._mark_authorizations(planned)
        made = 0
        for item in planned:
            self._referral(item)
            made += 1
        return made

    def _referral(self, item: _Planned) -> None:
        rng, life = self.rng, item.life
        manager = life.manager
        steps = self._steps(item)
        times = self._place(item, steps)
        created = times[0]
        authorization, units = (None, None)
        if item.authorize:
            authorization, units = self._service_authorization(item, created)
        send_now = bool(steps) and steps[0][0] == "send" and item.send_at_create
        if life.closed:
            # A closed case's referrals were made while it was open: give it back the status it
            # had for the one call that checks it, and put it back at once.
            Case.objects.filter(pk=life.case.pk).update(status=life.before_close)
        try:
            referral = referral_create(
                acting_user=manager,
                case=life.case,
                service=item.service,
                need=item.need,
                reason=self._reason(item),
                note_to_recipient=self._note(item),
                priority=RP.URGENT
                if item.topic in ("homeless", "trauma") or rng.random() < 0.05
                else RP.ROUTINE,
                authorization=authorization,
                units=units,
                send=send_now,
                now=created,
            )
        finally:
            if life.closed:
                Case.objects.filter(pk=life.case.pk).update(status=S.CLOSED)
        link: PartnerLink | None = None
        scheduled: Appointment | None = None
        last = created
        for index, ((step, _), when) in enumerate(zip(steps, times[1:], strict=True)):
            when = max(when, last + timedelta(minutes=1))
            if step == "send":
                if not send_now:
                    referral = referral_transition(
                        acting_user=manager,
                        referral=referral,
                        to_status=RS.REQUESTED,
                        expected_version=referral.version,
                        now=when,
                    )
                if item.partner:
                    emailed = when + timedelta(minutes=rng.randint(2, 40))
                    link, when = self._link(referral, manager, emailed)
                last = when
                continue
            following = times[index + 2] if index + 2 < len(times) else None
            if step in ("cancel", "error"):
                reason = (
                    CANCEL_AT_CLOSURE
                    if life.closed and rng.random() < 0.4
                    else rng.choice(CANCEL_REASONS)
                )
                referral = referral_transition(
                    acting_user=manager,
                    referral=referral,
                    to_status=RS.CANCELLED if step == "cancel" else RS.ENTERED_IN_ERROR,
                    expected_version=referral.version,
                    reason=reason if step == "cancel" else DUPLICATE_REASON,
                    now=when,
                )
                last = when
                continue
            to_status, action, extra = self._move_for(item, step, when, following)
            if item.partner:
                if link is None or link.used_at is not None or link.expires_at <= when:
                    again = when - timedelta(days=rng.uniform(0.2, 2))
                    link, _ = self._link(referral, manager, max(last + timedelta(minutes=1), again))
                result = partner_link_use(
                    link=link,
                    action=action,
                    partner_name=self._partner_name(referral),
                    reason=extra.get("reason", ""),
                    outcome=extra.get("outcome", ""),
                    outcome_code=extra.get("outcome_code", ""),
                    scheduled_for=extra.get("scheduled_for"),
                    location=extra.get("location", ""),
                    now=when,
                )
                referral, link = result.referral, result.next_link
                if link is not None:
                    self._stamp(link, when)
                if step == "schedule":
                    scheduled = (
                        Appointment.objects.filter(referral=referral, status=AS.BOOKED)
                        .order_by("-created_at")
                        .first()
                    )
                    if scheduled is not None:
                        self._stamp(scheduled, when)
            elif to_status is not None:
                referral = referral_transition(
                    acting_user=manager,
                    referral=referral,
                    to_status=to_status,
                    expected_version=referral.version,
                    reason=extra.get("reason", ""),
                    outcome=extra.get("outcome", ""),
                    outcome_code=extra.get("outcome_code", ""),
                    now=when,
                )
            if step in ("start", "complete") and scheduled is not None:
                self._attended(scheduled, manager, when)
                scheduled = None
            last = when
        self._stamp(referral, created, referral.last_update_at)

    def _move_for(
        self, item: _Planned, step: str, when: datetime, following: datetime | None
    ) -> tuple[str | None, str, dict[str, Any]]:
        """(staff status, partner action, details) of one step."""
        rng = self.rng
        if step == "accept":
            return RS.ACCEPTED, "accept", {}
        if step == "reject":
            return RS.REJECTED, "reject", {"reason": rng.choice(REJECT_REASONS)}
        if step == "start":
            return RS.IN_PROGRESS, "start", {}
        if step == "hold":
            return RS.ON_HOLD, "hold", {"reason": rng.choice(HOLD_REASONS)}
        if step == "fail":
            return RS.FAILED, "fail", {"reason": rng.choice(FAIL_REASONS)}
        if step == "complete":
            outcome, code = self._outcome(item)
            return RS.COMPLETED, "complete", {"outcome": outcome, "outcome_code": code}
        # schedule: the partner books the client, for just before the next step (or, when the
        # referral waits at accepted, in the coming weeks).
        if following is not None:
            moment = following - timedelta(hours=rng.uniform(1, 6))
        else:
            moment = self._slot(self.today + timedelta(days=rng.randint(2, 20)), after=self.now)
        moment = max(moment, when + timedelta(hours=1))
        address = item.service.address or item.service.provider.name
        return None, "schedule", {"scheduled_for": moment, "location": address}

    def _link(
        self, referral: Referral, manager: User, when: datetime
    ) -> tuple[PartnerLink, datetime]:
        """The case manager emails the provider a partner link (at ``when``, never later than
        now); returns the link and when it was sent."""
        when = self._at(when)
        link, _ = partner_link_issue(
            acting_user=manager,
            referral=referral,
            sent_to=referral.provider.email or referral.service.email,
            now=when,
        )
        self._stamp(link, when)
        return link, when

    def _attendance(
        self, appointment: Appointment, manager: User, status: str, reason: str, at: datetime
    ) -> None:
        """Record attendance now, then say it was recorded at ``at`` (``flush``). Recorded at the
        real time, because recording it re-runs the case's prompt rules (monitoring), which must
        see the present, not ``at``."""
        appointment_record_attendance(
            acting_user=manager,
            appointment=appointment,
            expected_version=appointment.version,
            status=status,
            reason=reason,
        )
        self.recorded[appointment.pk] = at

    def _attended(self, appointment: Appointment, manager: User, when: datetime) -> None:
        recorded = self._at(max(when, appointment.ends_at + timedelta(minutes=30)))
        if appointment.starts_at > recorded:
            return
        self._attendance(appointment, manager, AS.FULFILLED, "", recorded)
        created, _ = self.times.get(
            (Appointment, appointment.pk), (appointment.created_at, recorded)
        )
        self._stamp(appointment, created, recorded)

    # -- appointments ----------------------------------------------------------------------

    def _appointment_data(self, life: _Life, starts: datetime) -> dict[str, Any]:
        rng = self.rng
        members = self.members.get(life.case.pk, [])
        doctors = [m for m in members if m.kind == "provider"]
        data: dict[str, Any]
        if doctors and rng.random() < 0.7:
            member = rng.choice(doctors)
            psychiatry = member.role_code == "80584001"
            data = {
                "title": rng.choice(PSYCHIATRY_VISITS if psychiatry else PRIMARY_CARE_VISITS),
                "with_whom": f"{member.name}, {member.organization_name}",
                "care_team_member_id": str(member.pk),
                "location": member.organization_name,
            }
        else:
            title, whom, service_name = rng.choice(OTHER_APPOINTMENTS)
            service = self.services.get(service_name) if service_name else None
            data = {
                "title": title,
                "with_whom": whom,
                "location": service.address if service is not None else whom,
            }
            if service is not None:
                data["service_id"] = str(service.pk)
        minutes = rng.choice((30, 30, 45, 60))
        data.update(starts_at=starts, ends_at=starts + timedelta(minutes=minutes))
        mode = _weighted(rng, (("in_person", 76), ("phone", 10), ("video", 14)))
        data["mode"] = mode
        if mode == "video":
            data["video_link"] = f"https://telehealth.example.org/visit/{rng.randrange(10**9)}"
            data["location"] = ""
        elif mode == "in_person":
            if rng.random() < 0.3:
                data["transport_needed"] = True
                if rng.random() < 0.65:
                    data.update(transport_arranged=True, transport_note=TRANSPORT_ARRANGED)
            if life.kind == "intensive" and rng.random() < 0.5:
                data["accompaniment_planned"] = True
        else:
            data["location"] = ""
        return data

    def appointments(self, lives: list[_Life]) -> int:
        """Past appointments with attendance (a no-show puts a work item on the case manager's
        queue until a contact with the client is logged) and upcoming ones over the next four
        weeks; ``casemanager`` has several this week and next, and a recent no-show."""
        rng, made = self.rng, 0
        active = [life for life in lives if life.case.status == S.ACTIVE]
        mine = [life for life in active if life.manager.username == CASEMANAGER]
        per_mine = max(2, math.ceil(6 / len(mine))) if mine else 0
        for life in mine:
            if self._recent_no_show(life):
                made += 1
                break
        accompanied = False
        for life in active:
            is_mine = life.manager.username == CASEMANAGER
            opened = life.active_from or life.start
            history_days = (self.now - opened).days
            # Recording attendance re-runs the case's prompt rules (monitoring), so a few each.
            for _ in range(rng.choice((1, 1, 1, 2)) if history_days > 3 else 0):
                back = rng.uniform(1, min(120, history_days))
                starts = self._slot(self.today - timedelta(days=int(back)))
                if starts < opened or starts > self.now - timedelta(hours=3):
                    continue
                status = _weighted(rng, (("fulfilled", 72), ("noshow", 13), ("cancelled", 15)))
                made += self._past(life, starts, status)
            upcoming = per_mine if is_mine else rng.choice((0, 1, 1, 2))
            for number in range(upcoming):
                reach = 13 if is_mine else 28
                day = self.today + timedelta(
                    days=rng.randint(0, 6) if number == 0 else rng.randint(0, reach)
                )
                starts = self._slot(day, after=self.now + timedelta(hours=1))
                data = self._appointment_data(life, starts)
                if life.kind == "intensive" and not accompanied:
                    # ACT: the case manager goes along (at least once, however small the demo).
                    data.update(mode="in_person", video_link="", accompaniment_planned=True)
                    data["location"] = data["location"] or data["with_whom"]
                accompanied = accompanied or bool(data.get("accompaniment_planned"))
                appointment = appointment_create(
                    acting_user=life.manager, case=life.case, data=data
                )
                booked = max(opened, self.now - timedelta(days=rng.uniform(0.2, 14)))
                self._stamp(appointment, booked)
                made += 1
        return made

    def _last_seen(self, client: Client) -> datetime | None:
        return Contact.objects.filter(
            client=client, outcome=ContactOutcome.SUCCESSFUL, status=ContactStatus.FINAL
        ).aggregate(last=Max("started_at"))["last"]

    def _recent_no_show(self, life: _Life) -> bool:
        """A missed appointment since the client was last seen: its follow-up stays open."""
        latest = self.now - timedelta(hours=3)
        seen = self._last_seen(life.client) or life.start
        if seen >= latest - timedelta(hours=1):
            return False
        starts = max(self.now - timedelta(hours=self.rng.uniform(4, 52)), seen)
        starts = starts + (latest - starts) * 0.3
        self._past(life, starts.replace(second=0, microsecond=0), "noshow")
        return True

    def _past(self, life: _Life, starts: datetime, status: str) -> int:
        rng = self.rng
        data = self._appointment_data(life, starts)
        if status == "cancelled":
            data.pop("accompaniment_planned", None)
        appointment = appointment_create(acting_user=life.manager, case=life.case, data=data)
        booked = max(life.active_from or life.start, starts - timedelta(days=rng.uniform(3, 21)))
        if status == "cancelled":
            recorded = self._at(starts - timedelta(hours=rng.uniform(2, 48)))
            recorded = max(recorded, booked + timedelta(minutes=5))
            reason = rng.choice(APPOINTMENT_CANCEL_REASONS)
        else:
            recorded = self._at(starts + timedelta(hours=rng.uniform(1, 20)))
            reason = NO_SHOW_NOTE if status == "noshow" else ""
        self._attendance(appointment, life.manager, status, reason, recorded)
        self._stamp(appointment, booked, recorded)
        if status == "noshow":
            self.no_shows[str(appointment.pk)] = (starts, recorded, life.client.pk)
        return 1

    def stamp_no_show_items(self) -> None:
        """The no-show follow-ups were put on the queue when the attendance was recorded, and
        closed (by the sweep) when a later contact with the client was logged: say so in their
        times."""
        rows = []
        for item in WorkItem.objects.filter(
            kind=NO_SHOW_WORK_ITEM, source_type=NO_SHOW_SOURCE, source_id__in=list(self.no_shows)
        ):
            starts, recorded, client_id = self.no_shows[item.source_id]
            closed = item.closed_at
            if closed is not None:
                seen = (
                    Contact.objects.filter(
                        client_id=client_id,
                        outcome=ContactOutcome.SUCCESSFUL,
                        status=ContactStatus.FINAL,
                        started_at__gt=starts,
                    )
                    .order_by("started_at")
                    .values_list("started_at", flat=True)
                    .first()
                )
                closed = min(max(seen or closed, recorded), self.now)
            rows.append(
                WorkItem(id=item.pk, created_at=recorded, updated_at=closed or recorded,
                         closed_at=closed, due_at=next_working_day_end(recorded))
            )  # fmt: skip
        WorkItem.objects.bulk_update(
            rows, ["created_at", "updated_at", "closed_at", "due_at"], batch_size=500
        )

    # -- moving creation times back ----------------------------------------------------------

    def flush(self) -> None:
        """Write the times things happened over the real ones (plain UPDATEs; audit events are
        append-only and keep real times)."""
        by_model: dict[type[Any], list[Any]] = defaultdict(list)
        for (model, pk), (created, updated) in self.times.items():
            by_model[model].append(model(id=pk, created_at=created, updated_at=updated))
        for model, rows in by_model.items():
            if model is Appointment:
                for row in rows:
                    row.attendance_recorded_at = self.recorded.get(row.pk)
                recorded = [row for row in rows if row.attendance_recorded_at is not None]
                model.objects.bulk_update(
                    recorded, ["created_at", "updated_at", "attendance_recorded_at"], batch_size=500
                )
                rows = [row for row in rows if row.attendance_recorded_at is None]
            if model is PartnerLink:
                self._flush_links(rows)
                continue
            model.objects.bulk_update(rows, ["created_at", "updated_at"], batch_size=500)
        self.times.clear()

    def _flush_links(self, rows: list[PartnerLink]) -> None:
        """Links keep the use and revocation times the services stamped; updated is the last."""
        stamps = {
            pk: (used, revoked)
            for pk, used, revoked in PartnerLink.objects.filter(
                pk__in=[row.pk for row in rows]
            ).values_list("pk", "used_at", "revoked_at")
        }
        for row in rows:
            used, revoked = stamps.get(row.pk, (None, None))
            row.updated_at = max(t for t in (row.created_at, used, revoked) if t is not None)
        PartnerLink.objects.bulk_update(rows, ["created_at", "updated_at"], batch_size=500)


def _life_order(life: _Life) -> tuple[datetime, str]:
    return (life.case.created_at, str(life.case.pk))


def load_issue_five(
    *,
    organization: Organization,
    curator: User,
    rng: random.Random,
    now: datetime,
    progress: Callable[[str], None],
) -> dict[str, int]:
    """Consents, coverage, care teams, referrals and appointments of the demo organization."""
    if Referral.objects.filter(organization=organization).exists():
        return {}
    builder = _Coordinator(organization=organization, curator=curator, rng=rng, now=now)
    counts: dict[str, int] = {}
    lives = builder.lives()
    planned = builder.plan_referrals(lives)
    counts["consents"] = builder.consents(lives, planned)
    progress(f"{counts['consents']} consents")
    counts["coverages"] = builder.coverage()
    counts["authorizations"] = builder.authorizations(lives)
    progress(f"{counts['coverages']} coverages, {counts['authorizations']} authorizations")
    counts["care_team_members"] = builder.care_teams(lives)
    progress(f"{counts['care_team_members']} care team members")
    counts["referrals"] = builder.referrals(planned)
    counts["consents_revoked"] = builder.revocations()
    progress(f"{counts['referrals']} referrals")
    counts["appointments"] = builder.appointments(lives)
    builder.flush()
    progress(f"{counts['appointments']} appointments")
    # Last night's sweep, as ``casework sweep`` runs it: the work queues as of now (referral
    # follow-ups, no-shows not yet followed up, contacts due ...).
    report = sweep_run(now=now, organization=organization)
    builder.stamp_no_show_items()
    counts["work_items"] = report.created
    counts["referral_follow_ups"] = report.of(FOLLOW_UP_KIND).created
    progress(
        f"monitoring sweep: {report.created} work items, {counts['referral_follow_ups']} of "
        "them referral follow-ups"
    )
    return counts


def coordination_summary(organization: Organization, now: datetime | None = None) -> str:
    """One line for ``casework demo`` to print: what the coordination records add up to."""
    moment = now or timezone.now()
    referrals = Referral.objects.filter(organization=organization)
    completed = referrals.filter(status=RS.COMPLETED).count()
    waiting = referrals.filter(status__in=[RS.REQUESTED, RS.ACCEPTED, RS.IN_PROGRESS]).count()
    appointments = Appointment.objects.filter(organization=organization)
    upcoming = appointments.filter(starts_at__gte=moment, status=AS.BOOKED).count()
    items = WorkItem.objects.filter(organization=organization, status="open").count()
    return (
        f"{referrals.count():,} referrals ({completed:,} completed, {waiting:,} open), "
        f"{Consent.objects.filter(organization=organization).count():,} consents, "
        f"{CareTeamMember.objects.filter(case__organization=organization).count():,} care team "
        f"members, {appointments.count():,} appointments ({upcoming:,} upcoming), "
        f"{Coverage.objects.filter(organization=organization).count():,} coverages, "
        f"{Authorization.objects.filter(organization=organization).count():,} authorizations; "
        f"{items:,} open work items."
    )
