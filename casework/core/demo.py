"""The demo population behind ``casework demo``: a fictional county agency with its staff, five
programs (one per standard case management model) and a few hundred clients whose cases sit in
every stage of the lifecycle.

Two halves. :func:`plan_population` decides every person and every case from the seed alone (no
database, so the same seed always gives the same people). :func:`demo_load` then carries the plan
out through the ordinary services -- ``client_create``, ``case_create``, ``case_record_screening``,
``case_assign``, ``case_transition`` -- so the case history and the audit log are exactly what
staff doing the same work would have produced. Last, the stage timestamps are moved back in time
(cases were referred weeks or months ago), because a demo where every case entered its stage a
second ago shows nothing. Audit events keep their real times: they are append-only.

The user ``casemanager`` is kept well under capacity in every program, because people trying the
demo (and outside checks) log in as them and take on new cases.
"""

from __future__ import annotations

import base64
import math
import random
import struct
import time
import zlib
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Sum
from django.utils import timezone

from casework.accounts.models import Credential, Organization, Role, Team, User
from casework.accounts.services import organization_get_or_create, team_add_member, user_create
from casework.audit import context as audit_context
from casework.careplans import services as careplans
from casework.careplans.models import CarePlan, Goal, PlanReview, PlanVersion
from casework.careplans.services import FINISHED_PLAN
from casework.cases.models import (
    ON_CASELOAD,
    PRE_ENROLLMENT,
    Case,
    CaseAssignment,
    CaseStatusChange,
)
from casework.cases.models import Status as S
from casework.cases.services import (
    case_assign,
    case_create,
    case_record_screening,
    case_transition,
    eligible_case_managers,
)
from casework.clients.models import Client
from casework.clients.services import client_create
from casework.core import demo_data as words
from casework.core.demo_coordination import load_coordination
from casework.core.errors import Conflict
from casework.core.validation import fold, primary_language
from casework.monitoring.sweep import sweeps_paused
from casework.programs.models import CaseManagementModel, Program
from casework.programs.services import program_create
from casework.risk.demo_history import generate_history

DEMO_SLUG = "demo"
DEMO_NAME = words.AGENCY
OTHER_SLUG = "other"
OTHER_NAME = "Northfield Community Partners"
DEFAULT_CLIENTS = 300
DEFAULT_SEED = 1
# Birth dates count back from a fixed day, so a seed gives the same people on any day it is run.
# Everyone is at least 18 on this day, so at least 18 on any later day.
REFERENCE_DAY = date(2026, 1, 1)

# ``casemanager`` carries at most this many caseload points (of 100) and at most this many open
# cases per program. Even if stratification later raises every one of those cases to the highest
# risk tier (x1.5, 66 points), a new case in each of the five programs (23 points) still fits.
CASEMANAGER = "casemanager"
CASEMANAGER_MAX_POINTS = Decimal("44")
CASEMANAGER_QUOTA = {"brokerage": 6, "integrated": 4, "clinical": 2, "strengths": 1, "intensive": 1}
CASEMANAGER_SCREENING = 3

# The named staff carry about 300 clients at 80-90% of capacity; larger populations get one more
# case manager per this many clients, so they fit instead of all queueing on the waitlist.
CLIENTS_PER_EXTRA_CASE_MANAGER = 40

# FHIR Goal.achievementStatus recorded with each Goal Attainment Scaling score at a review.
GAS_ACHIEVEMENT = {
    -2: "worsening",
    -1: "no-progress",
    0: "improving",
    1: "improving",
    2: "achieved",
}


# ----------------------------------------------------------------------------------------------
# Staff, teams and programs


@dataclass(frozen=True)
class StaffSpec:
    username: str
    role: str
    first_name: str
    last_name: str
    languages: tuple[str, ...] = ("en",)
    team: str | None = None
    supervisor: bool = False
    credentials: tuple[str, ...] = ()


R = Role
# fmt: off
STAFF: tuple[StaffSpec, ...] = (
    StaffSpec("admin", R.SYSTEM_ADMIN, "Priya", "Patel", ("en", "hi")),
    StaffSpec("casemanager", R.CASE_MANAGER, "Jordan", "Reyes", ("en", "es"), "North",
              credentials=("LCSW",)),
    StaffSpec("supervisor", R.SUPERVISOR, "Diane", "Brooks", ("en",), "North", supervisor=True,
              credentials=("LCSW",)),
    StaffSpec("intake", R.INTAKE, "Ana Lucía", "Torres", ("en", "es")),
    StaffSpec("programadmin", R.PROGRAM_ADMIN, "Karen", "Mitchell"),
    StaffSpec("privacy", R.PRIVACY_OFFICER, "Daniel", "Osei"),
    StaffSpec("pokafor", R.SUPERVISOR, "Patricia", "Okafor", ("en",), "Central", supervisor=True,
              credentials=("LCSW",)),
    StaffSpec("msantos", R.SUPERVISOR, "Miguel", "Santos", ("en", "es"), "South",
              supervisor=True, credentials=("LPC",)),
    StaffSpec("lnguyen", R.CASE_MANAGER, "Linh", "Nguyen", ("vi", "en"), "North",
              credentials=("RN", "CCM")),
    StaffSpec("ahassan", R.CASE_MANAGER, "Abdirahman", "Hassan", ("so", "en", "ar"), "North",
              credentials=("CPRS",)),
    StaffSpec("wchen", R.CASE_MANAGER, "Wei", "Chen", ("zh", "yue", "en"), "Central",
              credentials=("LMSW",)),
    StaffSpec("gthompson", R.CASE_MANAGER, "Grace", "Thompson", ("en",), "Central",
              credentials=("CCM",)),
    StaffSpec("rhernandez", R.CASE_MANAGER, "Rosa", "Hernández", ("es", "en"), "South",
              credentials=("LPC",)),
    StaffSpec("mjohnson", R.CASE_MANAGER, "Marcus", "Johnson", ("en", "ase"), "South",
              credentials=("CPRS",)),
)
# fmt: on
OUTSIDER = StaffSpec("outsider", R.CASE_MANAGER, "Owen", "Park", ("en", "ko"), "Northfield")
# The logins printed after loading; every other demo account has the same password.
LOGINS = ("casemanager", "supervisor", "intake", "programadmin", "privacy", "admin", "outsider")

# Credentials given in turn to generated case managers, so every program keeps eligible staff.
EXTRA_CREDENTIALS = (("LCSW",), ("RN",), ("CPRS",), ("LMSW", "CCM"), ("LPC",), ("CCM",))

TEAMS = ("North", "Central", "South")


@dataclass(frozen=True)
class ProgramSpec:
    kind: str
    name: str
    description: str
    population_served: str
    teams: tuple[str, ...]
    min_age: int | None = None
    required_conditions: tuple[dict[str, str], ...] = ()


def _icd(code: str, display: str) -> dict[str, str]:
    return {"system": words.FINDINGS_SYSTEM, "code": code, "display": display}


PROGRAMS: tuple[ProgramSpec, ...] = (
    ProgramSpec(
        kind="brokerage",
        name="Adult Care Coordination",
        description=(
            "Short-term help to find and connect with health care, housing, food, benefits and "
            "other community services. The care coordinator assesses needs, agrees a service "
            "plan with the client, makes the referrals and follows them up; most contact is by "
            "phone or in the office."
        ),
        population_served=(
            "Adults in Demo County with unmet health-related social needs (housing, food, "
            "transportation, benefits, no primary care) who can use services once connected."
        ),
        teams=TEAMS,
    ),
    ProgramSpec(
        kind="strengths",
        name="Community Support — Strengths",
        description=(
            "Recovery-oriented case management built on the client's own strengths and goals. "
            "Case managers meet people in the community, help them use natural supports and "
            "community resources, and work from a personal recovery plan."
        ),
        population_served=(
            "Adults living with mental illness, with or without substance use, who want support "
            "with recovery goals such as housing, work, school and relationships."
        ),
        teams=("North", "South"),
    ),
    ProgramSpec(
        kind="integrated",
        name="Complex Care Management",
        description=(
            "Multidisciplinary care management for people with several chronic conditions and "
            "frequent hospital or emergency use. A nurse or social work care manager coordinates "
            "primary care, specialists, behavioral health, the health plan and community "
            "services, and calls after every hospital discharge."
        ),
        population_served=(
            "Adults with two or more chronic conditions (diabetes, heart failure, COPD and the "
            "like) plus behavioral health or social needs, and two or more emergency visits or "
            "one admission in the last 12 months."
        ),
        teams=("North", "Central"),
    ),
    ProgramSpec(
        kind="intensive",
        name="Intensive Community Treatment (ACT)",
        description=(
            "Assertive community treatment: one team provides treatment, rehabilitation and "
            "support where the person lives, with frequent face-to-face contact, small caseloads "
            "and crisis response around the clock."
        ),
        population_served=(
            "Adults (18 and over) with a serious mental illness -- schizophrenia, schizoaffective "
            "disorder, bipolar disorder or recurrent major depression -- and serious functional "
            "impairment, who have not engaged with or benefited from office-based care."
        ),
        teams=("North", "South"),
        min_age=18,
        required_conditions=(
            _icd("F20", "Schizophrenia"),
            _icd("F25", "Schizoaffective disorders"),
            _icd("F31", "Bipolar disorder"),
            _icd("F33", "Major depressive disorder, recurrent"),
        ),
    ),
    ProgramSpec(
        kind="clinical",
        name="Outpatient Clinical Case Management",
        description=(
            "Clinician-led case management alongside outpatient counselling: assessment with "
            "standardized instruments, crisis intervention, psychoeducation and linkage to "
            "services."
        ),
        population_served=(
            "Adults with depression, anxiety, trauma-related or substance use conditions who "
            "need regular clinical support and help coordinating services."
        ),
        teams=("North", "Central"),
    ),
)
OTHER_PROGRAM = ProgramSpec(
    kind="brokerage",
    name="Housing Stability Navigation",
    description=(
        "Short-term help to find and keep housing: applications, landlord mediation, "
        "rent assistance and links to benefits."
    ),
    population_served="Adults in Northfield at risk of losing their housing.",
    teams=("Northfield",),
)


# ----------------------------------------------------------------------------------------------
# The plan: pure, from the seed


@dataclass
class Step:
    """One lifecycle move and how long the case sat in the stage it leaves."""

    to: str
    days_before: float
    reason: str = ""
    closure_reason: str = ""
    discharge_summary: str = ""


@dataclass
class CasePlan:
    kind: str
    steps: list[Step]
    dwell_days: float  # time in the final stage, for a client's latest case
    gap_days: float  # earlier cases: from this case's last move to the next referral
    referral_source: str
    referral_reason: str
    priority: int
    findings: list[dict[str, str]]
    referred_by_case_manager: bool
    assign_in_screening: bool
    reassign: bool

    @property
    def final(self) -> str:
        return self.steps[-1].to if self.steps else S.REFERRED


@dataclass
class ClientPlan:
    data: dict[str, Any]
    identifiers: list[dict[str, str]]
    cases: list[CasePlan]
    registered_minutes_before: float

    @property
    def name(self) -> str:
        parts = [self.data["given_name"], self.data.get("middle_name"), self.data["family_name"]]
        return " ".join(part for part in parts if part)


# Stages of a client's latest case, as shares of the population. About half the cases sit on a
# caseload; closed cases are the history a running agency has.
STAGE_WEIGHTS: tuple[tuple[str, int], ...] = (
    (S.REFERRED, 5),
    (S.SCREENING, 5),
    (S.WAITLIST, 5),
    (S.INTAKE, 4),
    (S.ASSESSMENT, 6),
    (S.PLANNING, 5),
    (S.ACTIVE, 26),
    (S.ON_HOLD, 4),
    (S.TRANSITION, 4),
    (S.CLOSED, 36),
)
PROGRAM_WEIGHTS: tuple[tuple[str, int], ...] = (
    ("brokerage", 33),
    ("integrated", 25),
    ("clinical", 18),
    ("strengths", 12),
    ("intensive", 12),
)
WAITLIST_PROGRAM_WEIGHTS: tuple[tuple[str, int], ...] = (
    ("intensive", 50),
    ("strengths", 30),
    ("clinical", 20),
)
# Share of enrolled cases that waited for a place first.
WAITED_SHARE = {"intensive": 0.4, "strengths": 0.2, "clinical": 0.15}
AGE_BANDS: tuple[tuple[tuple[int, int], int], ...] = (
    ((18, 24), 8),
    ((25, 34), 14),
    ((35, 44), 16),
    ((45, 54), 18),
    ((55, 64), 20),
    ((65, 74), 14),
    ((75, 84), 8),
    ((85, 92), 2),
)
# Days a case spends in a stage before it moves on (uniform between the two numbers).
STAGE_DAYS: dict[str, tuple[float, float]] = {
    S.REFERRED: (0.5, 7),
    S.SCREENING: (1, 14),
    S.WAITLIST: (10, 90),
    S.INTAKE: (2, 14),
    S.ASSESSMENT: (5, 30),
    S.PLANNING: (5, 21),
    S.ACTIVE: (30, 240),
    S.ON_HOLD: (10, 60),
    S.TRANSITION: (10, 45),
    S.CLOSED: (30, 300),
}
ACTIVE_DAYS = {"brokerage": (20, 100), "integrated": (40, 180), "intensive": (120, 600)}
# Days a latest case has been in its current stage.
DWELL_DAYS: dict[str, tuple[float, float]] = {
    S.REFERRED: (0.1, 6),
    S.SCREENING: (1, 12),
    S.WAITLIST: (5, 120),
    S.INTAKE: (1, 12),
    S.ASSESSMENT: (2, 25),
    S.PLANNING: (2, 20),
    S.ACTIVE: (7, 400),
    S.ON_HOLD: (5, 50),
    S.TRANSITION: (3, 40),
    S.CLOSED: (5, 500),
    S.ENTERED_IN_ERROR: (1, 90),
}
ENROLLED_PATH = (S.SCREENING, S.INTAKE, S.ASSESSMENT, S.PLANNING, S.ACTIVE)


def _weighted(rng: random.Random, pairs: tuple[tuple[Any, int], ...]) -> Any:
    return rng.choices([value for value, _ in pairs], weights=[w for _, w in pairs])[0]


class _Path:
    """Builds a case's list of moves, drawing how long each stage lasted."""

    def __init__(self, rng: random.Random, kind: str) -> None:
        self.rng, self.kind = rng, kind
        self.steps: list[Step] = []
        self.status: str = S.REFERRED

    def _days(self, stage: str) -> float:
        low, high = STAGE_DAYS[stage]
        if stage == S.ACTIVE:
            low, high = ACTIVE_DAYS.get(self.kind, (low, high))
        return self.rng.uniform(low, high)

    def move(self, to: str, reason: str = "", closure: str = "", summary: str = "") -> None:
        self.steps.append(Step(to, self._days(self.status), reason, closure, summary))
        self.status = to

    def enrol(self, until: str = S.ACTIVE, *, waited: bool | None = None) -> None:
        """Walk the ordinary path up to ``until`` (screening, maybe waitlist, intake ...)."""
        if waited is None:
            waited = self.rng.random() < WAITED_SHARE.get(self.kind, 0.05)
        for stage in ENROLLED_PATH:
            if self.status == S.SCREENING and waited and stage == S.INTAKE:
                self.move(S.WAITLIST, self.rng.choice(words.WAITLIST_REASONS))
            if stage == S.PLANNING and self.rng.random() < 0.05:
                self.move(S.PLANNING)
                self.move(S.ASSESSMENT)  # back to assessment: an instrument was missing
            self.move(stage)
            if stage == until:
                return

    def pause(self) -> None:
        self.move(S.ON_HOLD, self.rng.choice(words.ON_HOLD_REASONS))

    def close_enrolled(self) -> None:
        planned = self.rng.random() < 0.55
        if planned:
            choices = words.PLANNED_CLOSURES
            if self.kind in {"brokerage", "integrated"}:
                choices = tuple(c for c in choices if c[0] != "stepped_down")
            self.move(S.TRANSITION, self.rng.choice(words.TRANSITION_REASONS))
        else:
            choices = words.UNPLANNED_CLOSURES
            if self.rng.random() < 0.3:
                self.pause()
        code, reason, summary = self.rng.choice(choices)
        self.move(S.CLOSED, reason, code, summary)


def _plan_case(rng: random.Random, final: str, *, latest: bool = True) -> CasePlan:
    kind = _weighted(rng, WAITLIST_PROGRAM_WEIGHTS if final == S.WAITLIST else PROGRAM_WEIGHTS)
    path = _Path(rng, kind)
    eligible = True
    reopen = False
    if final == S.ENTERED_IN_ERROR:
        if rng.random() < 0.3:
            path.move(S.SCREENING)
        path.move(S.ENTERED_IN_ERROR, rng.choice(words.ENTERED_IN_ERROR_REASONS))
    elif final == S.CLOSED:
        variant = rng.random() if latest else 1.0
        if variant < 0.12:
            code, reason = rng.choice(words.REFERRAL_CLOSURES)
            path.move(S.CLOSED, reason, code)
        elif variant < 0.30:
            path.move(S.SCREENING)
            if kind == "intensive" and rng.random() < 0.6:
                code, reason = words.INTENSIVE_INELIGIBLE
                eligible = False
            else:
                code, reason = rng.choice(words.SCREENING_CLOSURES)
            path.move(S.CLOSED, reason, code)
        elif variant < 0.34:
            path.move(S.SCREENING)
            path.move(S.WAITLIST, rng.choice(words.WAITLIST_REASONS))
            code, reason = rng.choice(words.WAITLIST_CLOSURES)
            path.move(S.CLOSED, reason, code)
        else:
            path.enrol()
            path.close_enrolled()
    elif final in (S.SCREENING, S.WAITLIST):
        path.move(S.SCREENING)
        if final == S.WAITLIST:
            path.move(S.WAITLIST, rng.choice(words.WAITLIST_REASONS))
    elif final != S.REFERRED:
        reopen = final in (S.ASSESSMENT, S.PLANNING, S.ACTIVE) and rng.random() < 0.04
        if reopen:
            path.enrol(waited=False)
            path.move(S.TRANSITION, rng.choice(words.TRANSITION_REASONS))
            code, reason, summary = words.PLANNED_CLOSURES[0]
            path.move(S.CLOSED, reason, code, summary)
            path.move(S.ASSESSMENT, rng.choice(words.REOPEN_REASONS))
            for stage in (S.PLANNING, S.ACTIVE):
                if path.status == final:
                    break
                path.move(stage)
        else:
            path.enrol(S.ACTIVE if final in (S.ON_HOLD, S.TRANSITION) else final)
            if final == S.ACTIVE and rng.random() < 0.15:
                path.pause()
                path.move(S.ACTIVE, rng.choice(words.RESUME_REASONS))
            if final == S.ON_HOLD:
                path.pause()
            if final == S.TRANSITION:
                path.move(S.TRANSITION, rng.choice(words.TRANSITION_REASONS))

    findings: list[dict[str, str]] = []
    if kind == "intensive":
        code, display = rng.choice(words.SMI_FINDINGS if eligible else words.NON_SMI_FINDINGS)
        findings.append(_icd(code, display))
        if rng.random() < 0.3:
            findings.append(_icd("Z59.00", "Homelessness, unspecified"))
    elif rng.random() < 0.6:
        for code, display in rng.sample(words.FINDINGS[kind], k=rng.choice((1, 1, 2))):
            findings.append(_icd(code, display))

    low, high = DWELL_DAYS[path.status]
    return CasePlan(
        kind=kind,
        steps=path.steps,
        dwell_days=rng.uniform(low, high),
        gap_days=rng.uniform(20, 500),
        referral_source=rng.choice(words.REFERRAL_SOURCES),
        referral_reason=rng.choice(words.REFERRAL_REASONS[kind]),
        priority=_weighted(rng, ((1, 8), (2, 20), (3, 50), (4, 15), (5, 7))),
        findings=findings,
        referred_by_case_manager=rng.random() < 0.25,
        assign_in_screening=final == S.SCREENING and rng.random() < 0.4,
        reassign=final in ON_CASELOAD and not reopen and rng.random() < 0.06,
    )


def _plan_person(rng: random.Random, index: int) -> tuple[dict[str, Any], list[dict[str, str]]]:
    culture = _weighted(rng, tuple((c, c.weight) for c in words.CULTURES))
    sex = _weighted(rng, (("female", 52), ("male", 46), ("other", 1), ("unknown", 1)))
    feminine = sex == "female" or (sex in ("other", "unknown") and rng.random() < 0.5)
    given = rng.choice(culture.female if feminine else culture.male)
    family = rng.choice(culture.family)
    if culture.key == "russian" and feminine and family.endswith(("ov", "in")):
        family += "a"
    if culture.key == "hispanic" and rng.random() < 0.15:
        second = rng.choice(culture.family)
        if second != family:
            family = f"{family} {second}"
    middle = ""
    if rng.random() < culture.middle_share:
        if culture.middle_female:
            middle = rng.choice(culture.middle_female if feminine else culture.middle_male)
        else:
            middle = rng.choice(culture.female if feminine else culture.male)
            middle = "" if middle == given else middle
    preferred = ""
    if given in words.NICKNAMES and rng.random() < 0.4:
        preferred = words.NICKNAMES[given]
    language = _weighted(rng, culture.languages)
    interpreter = primary_language(language) != "en" and rng.random() < 0.65
    (low, high) = _weighted(rng, AGE_BANDS)
    age = rng.randint(low, high)
    birth_date = date(REFERENCE_DAY.year - age - 1, 1, 1) + timedelta(days=rng.randrange(365))
    data: dict[str, Any] = {
        "given_name": given,
        "middle_name": middle,
        "family_name": family,
        "preferred_name": preferred,
        "birth_date": birth_date,
        "sex": sex,
        "preferred_language": language,
        "interpreter_needed": interpreter,
    }
    if rng.random() < 0.02:
        data["gender_identity"] = "33791000087105"  # identifies as nonbinary (SNOMED CT)
        data["pronouns"] = "they/them"
    elif rng.random() < 0.2:
        data["pronouns"] = "she/her" if sex == "female" else "he/him" if sex == "male" else ""
    if rng.random() < 0.92:
        data["phone"] = f"({rng.choice(words.PHONE_AREA_CODES)}) 555-01{rng.randrange(100):02d}"
    if rng.random() < 0.25:
        handle = ".".join(fold(f"{given} {family}").split())
        data["email"] = f"{handle}{rng.randrange(10, 99)}@example.org"
    if rng.random() < 0.95:
        city, postal_code = rng.choice(words.CITIES)
        line = f"{rng.randint(10, 9899)} {rng.choice(words.STREETS)}"
        if rng.random() < 0.3:
            line += f", Apt {rng.randint(1, 40)}{rng.choice('ABCD')}"
        data.update(address_line=line, city=city, state=words.STATE, postal_code=postal_code)

    letters = "ABCDEFGHJKLMNPRSTUVWXY"
    identifiers = [{"type": "MR", "value": f"DC{100000 + index}", "assigner": words.AGENCY}]
    if rng.random() < (0.55 if age < 65 else 0.25):
        medicaid = f"{rng.choice(letters)}{rng.choice(letters)}{index:06d}{rng.randrange(10)}"
        identifiers.append({"type": "MA", "value": medicaid, "assigner": words.MEDICAID_ASSIGNER})
    if age >= 65 and rng.random() < 0.8:
        medicare = f"{rng.randint(1, 9)}{rng.choice(letters)}{index:05d}{rng.choice(letters)}"
        identifiers.append({"type": "MC", "value": medicare, "assigner": words.MEDICARE_ASSIGNER})
    return data, identifiers


def plan_population(
    *, clients: int = DEFAULT_CLIENTS, seed: int = DEFAULT_SEED
) -> list[ClientPlan]:
    """Every demo client and case, decided by ``seed`` alone (same seed, same people).

    The first clients' latest cases take each stage in turn, so even a small population has a
    case in every stage; after that stages follow ``STAGE_WEIGHTS``. About one client in ten also
    has an earlier, closed case.
    """
    rng = random.Random(seed)
    cover = [*(stage for stage, _ in STAGE_WEIGHTS), S.ENTERED_IN_ERROR]
    plans = []
    for index in range(clients):
        if index < len(cover):
            final = cover[index]
        elif index == clients // 2 and clients >= 100:
            final = S.ENTERED_IN_ERROR
        else:
            final = _weighted(rng, STAGE_WEIGHTS)
        data, identifiers = _plan_person(rng, index)
        cases = [_plan_case(rng, final)]
        if final != S.ENTERED_IN_ERROR and rng.random() < 0.1:
            earlier = _plan_case(rng, S.CLOSED, latest=False)
            cases.insert(0, earlier)
        plans.append(ClientPlan(data, identifiers, cases, rng.uniform(5, 90)))
    return plans


# ----------------------------------------------------------------------------------------------
# Loading


@dataclass
class DemoSummary:
    already_loaded: bool
    clients: int = 0
    cases: int = 0
    seconds: float = 0.0
    by_program: dict[str, dict[str, int]] = field(default_factory=dict)
    casemanager_points: Decimal = Decimal("0")
    casemanager_open_cases: int = 0
    waitlisted_for_capacity: int = 0
    staff: int = 0


@dataclass
class _Timeline:
    """What happened to one case, so its timestamps can be moved back once it is written."""

    case_id: Any
    statuses: list[str]
    days_before: list[float]
    dwell_days: float
    gap_days: float
    # (index of a status change, offset in days): when each assignment happened.
    assignments: list[tuple[int, float]] = field(default_factory=list)
    times: list[datetime] = field(default_factory=list)


class _Loader:
    def __init__(self, *, seed: int, now: datetime) -> None:
        # A separate stream from the plan's, for choices made while loading (who gets a case).
        self.rng = random.Random(seed * 7919 + 17)
        self.now = now
        self.users: dict[str, User] = {}
        self.programs: dict[str, Program] = {}
        self.weights: dict[str, Decimal] = {}
        self.pools: dict[str, list[User]] = {}
        self.supervisor_of: dict[Any, User] = {}
        self.points: dict[Any, Decimal] = defaultdict(Decimal)
        self.casemanager_open: Counter[str] = Counter()
        self.casemanager_screening = 0
        self.fallbacks = 0
        self.pending_cases: list[_Timeline] = []
        self.pending_clients: list[tuple[Any, datetime]] = []
        self.assign = True  # False: the acting case manager takes the case at intake
        self.care_plans = _CarePlanner(seed=seed, now=now)
        self.password_hash = ""

    # -- staff -----------------------------------------------------------------------------

    def staff(self, spec: StaffSpec, organization: Organization, teams: dict[str, Team]) -> User:
        user = user_create(
            username=spec.username,
            role=spec.role,
            organization=organization,
            # Everyone has the one demo password: hash it once (argon2 takes a third of a
            # second a time) and give every later account the same hash.
            password=None if self.password_hash else settings.CASEWORK_DEMO_PASSWORD,
            acting_user=self.users.get("admin"),
            first_name=spec.first_name,
            last_name=spec.last_name,
            email=f"{spec.username}@{organization.slug}.casework.example",
            languages=list(spec.languages),
        )
        if self.password_hash:
            User.objects.filter(pk=user.pk).update(password=self.password_hash)
            user.password = self.password_hash
        else:
            self.password_hash = user.password
        if spec.team:
            team_add_member(team=teams[spec.team], user=user, is_supervisor=spec.supervisor)
        today = timezone.localdate()
        for number, kind in enumerate(spec.credentials, start=1):
            Credential.objects.create(
                user=user,
                kind=kind,
                number=f"{kind}-{zlib.crc32((spec.username + kind).encode()) % 90000 + 10000}",
                issued_on=today - timedelta(days=365 * 3 + 30 * number),
                expires_on=today + timedelta(days=365 * 2 + 30 * number),
            )
        self.users[spec.username] = user
        return user

    def extra_staff(self, count: int, rng: random.Random) -> list[StaffSpec]:
        specs = []
        taken = {spec.username for spec in STAFF} | {OUTSIDER.username}
        for number in range(count):
            culture = _weighted(rng, tuple((c, c.weight) for c in words.CULTURES))
            feminine = rng.random() < 0.7
            given = rng.choice(culture.female if feminine else culture.male)
            family = rng.choice(culture.family)
            base = "".join(fold(given[0] + family).split())
            username, suffix = base, 2
            while username in taken:
                username, suffix = f"{base}{suffix}", suffix + 1
            taken.add(username)
            language = primary_language(_weighted(rng, culture.languages))
            languages = ("en",) if language == "en" else (language, "en")
            specs.append(
                StaffSpec(
                    username=username,
                    role=R.CASE_MANAGER,
                    first_name=given,
                    last_name=family,
                    languages=languages,
                    team=TEAMS[number % len(TEAMS)],
                    credentials=EXTRA_CREDENTIALS[number % len(EXTRA_CREDENTIALS)],
                )
            )
        return specs

    def demo_organization(self, *, clients: int, rng: random.Random) -> Organization:
        organization = organization_get_or_create(slug=DEMO_SLUG, name=DEMO_NAME)
        teams = {name: Team.objects.create(organization=organization, name=name) for name in TEAMS}
        extra = math.ceil(max(0, clients - DEFAULT_CLIENTS) / CLIENTS_PER_EXTRA_CASE_MANAGER)
        for spec in (*STAFF, *self.extra_staff(extra, rng)):
            self.staff(spec, organization, teams)
        admin = self.users["programadmin"]
        for program_spec in PROGRAMS:
            program = self.program(program_spec, organization, teams, admin)
            program.managers.add(admin)
        supervisors = {
            spec.team: self.users[spec.username] for spec in STAFF if spec.supervisor and spec.team
        }
        for user in self.users.values():
            for team in user.teams.all():
                if team.name in supervisors:
                    self.supervisor_of[user.pk] = supervisors[team.name]
        for kind, program in self.programs.items():
            self.pools[kind] = [
                self.users[username]
                for username in eligible_case_managers(program)
                .exclude(username=CASEMANAGER)
                .order_by("username")
                .values_list("username", flat=True)
            ]
        return organization

    def program(
        self, spec: ProgramSpec, organization: Organization, teams: dict[str, Team], actor: Any
    ) -> Program:
        model = CaseManagementModel.objects.get(organization=organization, kind=spec.kind)
        program = program_create(
            organization=organization,
            name=spec.name,
            model=model,
            acting_user=actor,
            description=spec.description,
            population_served=spec.population_served,
            min_age=spec.min_age,
            required_conditions=[dict(rule) for rule in spec.required_conditions],
        )
        program.teams.add(*(teams[name] for name in spec.teams))
        self.programs[spec.kind] = program
        self.weights[spec.kind] = model.case_weight(None)
        return program

    # -- choosing a case manager ------------------------------------------------------------

    def _room(self, user: User, weight: Decimal) -> bool:
        limit = user.caseload_capacity
        if user.username == CASEMANAGER:
            limit = min(limit, CASEMANAGER_MAX_POINTS)
        return self.points[user.pk] + weight <= limit

    def choose(self, kind: str, language: str, *, exclude: Any = None) -> User | None:
        """Who takes a case: sometimes ``casemanager`` (within quota), otherwise the eligible
        case manager with room who speaks the client's language and carries the least."""
        weight = self.weights[kind]
        me = self.users.get(CASEMANAGER)
        if (
            me is not None
            and exclude is None
            and self.casemanager_open[kind] < CASEMANAGER_QUOTA[kind]
            and self._room(me, weight)
            and self.rng.random() < 0.5
        ):
            return me
        wanted = primary_language(language)
        candidates = [
            user
            for user in self.pools.get(kind, [])
            if user.pk != exclude and self._room(user, weight)
        ]
        if not candidates:
            return None

        def rank(user: User) -> tuple[bool, float, str]:
            speaks = wanted in [primary_language(tag) for tag in user.languages or []]
            load = float(self.points[user.pk] / user.caseload_capacity)
            return (not speaks, load + self.rng.random() * 0.15, user.username)

        return min(candidates, key=rank)

    def _carry(self, user: Any, kind: str, sign: int) -> None:
        if user is None or not self.assign:
            return
        self.points[user.pk] += sign * self.weights[kind]
        if user.username == CASEMANAGER:
            self.casemanager_open[kind] += sign

    # -- walking a case ---------------------------------------------------------------------

    def _actor(self, case: Case, to: str, intake: User) -> User:
        pipeline_move = to in (S.SCREENING, S.WAITLIST) or (
            to in (S.CLOSED, S.ENTERED_IN_ERROR) and case.status in PRE_ENROLLMENT
        )
        if pipeline_move or case.case_manager is None:
            return intake
        return case.case_manager

    def walk(
        self,
        client: Client,
        plan: CasePlan,
        *,
        intake: User,
        referrer: User,
        latest: bool,
        times: list[datetime],
    ) -> _Timeline:
        kind = plan.kind
        chosen: User | None
        case = case_create(
            acting_user=referrer,
            client=client,
            program=self.programs[kind],
            referral_source=plan.referral_source,
            referral_reason=plan.referral_reason,
            priority=plan.priority,
        )
        line = _Timeline(case.id, [S.REFERRED], [0.0], plan.dwell_days, plan.gap_days)

        def when(index: int) -> datetime:
            return times[index] if index < len(times) else self.now

        def move(step: Step) -> Case:
            actor = self._actor(case, step.to, intake)
            here = len(line.statuses) - 1  # the stage being left, in the planned times
            if step.to == S.ACTIVE and case.status == S.PLANNING:
                self._care_plan(case, client, plan, planning_at=when(here), index=here, when=when)
            if step.to == S.CLOSED and case.status in ON_CASELOAD:
                self.care_plans.close(case, actor, planned=case.status == S.TRANSITION)
            moved = case_transition(
                acting_user=actor,
                case=case,
                to_status=step.to,
                reason=step.reason,
                closure_reason=step.closure_reason,
                discharge_summary=step.discharge_summary,
            )
            line.statuses.append(step.to)
            line.days_before.append(step.days_before)
            return moved

        for step in plan.steps:
            if step.to == S.INTAKE and case.case_manager_id is None and self.assign:
                chosen = self.choose(kind, client.preferred_language)
                if chosen is None:
                    # Nobody has room: the case waits (and an earlier case gives up waiting).
                    self.fallbacks += 1
                    if case.status == S.SCREENING:
                        reason = words.WAITLIST_REASONS[0]
                        case = move(Step(S.WAITLIST, step.days_before, reason))
                    line.dwell_days = self.rng.uniform(*DWELL_DAYS[S.WAITLIST])
                    if not latest:
                        code, reason = words.WAITLIST_CLOSURES[0]
                        case = move(Step(S.CLOSED, self.rng.uniform(10, 60), reason, code))
                    break
                case = case_assign(
                    acting_user=self.supervisor_of.get(chosen.pk, intake),
                    case=case,
                    case_manager=chosen,
                )
                line.assignments.append((len(line.statuses), -self.rng.uniform(0.05, 0.4)))
                self._carry(chosen, kind, +1)
            reopening = case.status == S.CLOSED and step.to == S.ASSESSMENT
            if reopening:
                if case.case_manager is None or not self._room(
                    case.case_manager, self.weights[kind]
                ):
                    line.dwell_days = self.rng.uniform(*DWELL_DAYS[S.CLOSED])
                    break
                self._carry(case.case_manager, kind, +1)
            leaving_caseload = case.status in ON_CASELOAD and step.to in (
                S.CLOSED,
                S.ENTERED_IN_ERROR,
            )
            if step.to == S.INTAKE and case.case_manager_id is None and not self.assign:
                line.assignments.append((len(line.statuses), 0.0))  # taken at intake
            holder = case.case_manager
            case = move(step)
            if leaving_caseload:
                self._carry(holder, kind, -1)
            if step.to == S.SCREENING and plan.findings:
                case = case_record_screening(
                    acting_user=intake, case=case, findings=plan.findings, expected_version=None
                )

        if case.status == S.PLANNING and latest and case.case_manager is not None:
            here = len(line.statuses) - 1
            self.care_plans.build(
                case=case,
                client=client,
                plan=plan,
                case_manager=case.case_manager,
                approver=None,
                planning_at=when(here),
                active_at=None,
                until=self.now,
            )
        if case.status == S.SCREENING and plan.assign_in_screening and self.assign:
            me = self.users[CASEMANAGER]
            if self.casemanager_screening < CASEMANAGER_SCREENING:
                chosen = me
                self.casemanager_screening += 1
            else:
                chosen = self.choose(kind, client.preferred_language, exclude=me.pk)
            if chosen is not None:
                case = case_assign(
                    acting_user=self.supervisor_of.get(chosen.pk, intake),
                    case=case,
                    case_manager=chosen,
                )
                line.assignments.append((len(line.statuses) - 1, line.dwell_days * 0.3))
        elif plan.reassign and case.status in ON_CASELOAD and case.case_manager is not None:
            holder = case.case_manager
            if holder.username != CASEMANAGER:
                chosen = self.choose(kind, client.preferred_language, exclude=holder.pk)
                if chosen is not None and chosen.username != CASEMANAGER:
                    case = case_assign(
                        acting_user=self.supervisor_of.get(holder.pk, intake),
                        case=case,
                        case_manager=chosen,
                        reason=self.rng.choice(words.REASSIGN_REASONS),
                    )
                    line.assignments.append((len(line.statuses) - 1, line.dwell_days * 0.5))
                    self._carry(holder, kind, -1)
                    self._carry(chosen, kind, +1)
        return line

    def _care_plan(
        self,
        case: Case,
        client: Client,
        plan: CasePlan,
        *,
        planning_at: datetime,
        index: int,
        when: Callable[[int], datetime],
    ) -> None:
        """Plan with the client before the case goes active; reviews while it stays active."""
        holder = case.case_manager
        if holder is None:
            return
        approver = self.supervisor_of.get(holder.pk) or self.users.get("programadmin")
        if approver is not None and approver.organization_id != case.organization_id:
            approver = None
        self.care_plans.build(
            case=case,
            client=client,
            plan=plan,
            case_manager=holder,
            approver=approver,
            planning_at=planning_at,
            active_at=when(index + 1),
            until=when(index + 2),
        )

    def projected_times(self, plan: ClientPlan) -> list[list[datetime]]:
        """When each planned move of each case happens (the same arithmetic as ``client``
        applies once the cases are written), so a care plan can be dated while it is built."""
        result: list[list[datetime]] = []
        following: datetime | None = None
        for case_plan in reversed(plan.cases):
            if following is None:
                last = self.now - timedelta(days=case_plan.dwell_days)
            else:
                last = following - timedelta(days=case_plan.gap_days)
            times = [last]
            for step in reversed(case_plan.steps):
                times.insert(0, times[0] - timedelta(days=step.days_before))
            result.insert(0, times)
            following = times[0]
        return result

    def client(
        self, plan: ClientPlan, *, intake: User, referrers: list[User]
    ) -> tuple[Client, list[_Timeline]]:
        client, _ = client_create(acting_user=intake, data=plan.data, identifiers=plan.identifiers)
        lines = []
        projected = self.projected_times(plan)
        for number, case_plan in enumerate(plan.cases):
            referrer = intake
            if case_plan.referred_by_case_manager and referrers:
                referrer = referrers[self.rng.randrange(len(referrers))]
            latest = number == len(plan.cases) - 1
            lines.append(
                self.walk(
                    client,
                    case_plan,
                    intake=intake,
                    referrer=referrer,
                    latest=latest,
                    times=projected[number],
                )
            )
        # Times, from the present backwards: the latest case has sat in its stage for its dwell
        # time; an earlier case ended some time before the next referral.
        following: datetime | None = None
        for line in reversed(lines):
            if following is None:
                last = self.now - timedelta(days=line.dwell_days)
            else:
                last = following - timedelta(days=line.gap_days)
            times = [last]
            for days in reversed(line.days_before[1:]):
                times.insert(0, times[0] - timedelta(days=days))
            line.times = times
            following = times[0]
        registered = lines[0].times[0] - timedelta(minutes=plan.registered_minutes_before)
        self.pending_cases.extend(lines)
        self.pending_clients.append((client.id, registered))
        return client, lines

    # -- backdating -------------------------------------------------------------------------

    def flush(self) -> None:
        """Write the planned times over the real ones, a batch at a time (plain UPDATEs on cases,
        their history and assignments; audit events are append-only and keep real times)."""
        self.care_plans.flush()
        if not self.pending_cases and not self.pending_clients:
            return
        ids = [line.case_id for line in self.pending_cases]
        changes: dict[Any, list[int]] = defaultdict(list)
        for pk, case_id in (
            CaseStatusChange.objects.filter(case_id__in=ids)
            .order_by("id")
            .values_list("id", "case_id")
        ):
            changes[case_id].append(pk)
        assignments: dict[Any, list[int]] = defaultdict(list)
        for pk, case_id in (
            CaseAssignment.objects.filter(case_id__in=ids)
            .order_by("id")
            .values_list("id", "case_id")
        ):
            assignments[case_id].append(pk)
        change_rows, case_rows, assignment_rows = [], [], []
        for line in self.pending_cases:
            rows = changes[line.case_id]
            if len(rows) != len(line.times):
                raise RuntimeError(f"case {line.case_id}: history does not match the plan")
            opened_at = closed_at = None
            previous = ""
            for pk, status, when in zip(rows, line.statuses, line.times, strict=True):
                change_rows.append(CaseStatusChange(id=pk, changed_at=when))
                if status == S.INTAKE and opened_at is None:
                    opened_at = when
                if status == S.CLOSED:
                    closed_at = when
                elif previous == S.CLOSED:
                    closed_at = None
                previous = status
            case_rows.append(
                Case(
                    id=line.case_id,
                    created_at=line.times[0],
                    status_changed_at=line.times[-1],
                    opened_at=opened_at,
                    closed_at=closed_at,
                )
            )
            for pk, (index, offset) in zip(
                assignments[line.case_id], line.assignments, strict=True
            ):
                when = min(line.times[index] + timedelta(days=offset), self.now)
                assignment_rows.append(CaseAssignment(id=pk, assigned_at=when))
        CaseStatusChange.objects.bulk_update(change_rows, ["changed_at"], batch_size=500)
        Case.objects.bulk_update(
            case_rows,
            ["created_at", "status_changed_at", "opened_at", "closed_at"],
            batch_size=500,
        )
        CaseAssignment.objects.bulk_update(assignment_rows, ["assigned_at"], batch_size=500)
        Client.objects.bulk_update(
            [Client(id=pk, created_at=when) for pk, when in self.pending_clients],
            ["created_at"],
            batch_size=500,
        )
        self.pending_cases.clear()
        self.pending_clients.clear()


# ----------------------------------------------------------------------------------------------
# Care plans: built through the care plan services before a case moves to active


def _signature_png(rng: random.Random) -> str:
    """A small, valid greyscale PNG of a scribbled signature, as a data: URL (deterministic)."""
    width, height = 96, 24
    pixels = [[255] * width for _ in range(height)]
    y = height / 2
    for x in range(4, width - 4):
        y = min(height - 3.0, max(2.0, y + rng.uniform(-2.2, 2.2)))
        for dy in (0, 1):
            pixels[int(y) + dy][x] = 20
    raw = b"".join(b"\x00" + bytes(row) for row in pixels)

    def chunk(kind: bytes, body: bytes) -> bytes:
        crc = zlib.crc32(kind + body) & 0xFFFFFFFF
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    png = (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw, 9))
        + chunk(b"IEND", b"")
    )
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def _topic_for(code: str) -> words.NeedTopic | None:
    for length in range(len(code), 0, -1):
        key = words.NEED_TOPIC_BY_CODE.get(code[:length])
        if key:
            return words.NEED_TOPICS[key]
    return None


def _plan_needs(plan: CasePlan) -> list[tuple[str, str, words.NeedTopic]]:
    """The case's needs, most pressing first: what screening found, then what the referral
    names, then the program's usual need; one need per topic."""
    found = [(f["code"], f["display"]) for f in plan.findings]
    named = list(words.REFERRAL_NEEDS.get(plan.referral_reason, ()))
    needs, topics = [], set()
    for code, display in [*found, *named, words.DEFAULT_NEEDS[plan.kind]]:
        topic = _topic_for(code)
        if topic is not None and topic.key not in topics:
            topics.add(topic.key)
            needs.append((code, display, topic))
    return needs


@dataclass
class _PlanTimes:
    """When the planning happened, for moving the plan's timestamps back (see ``flush``)."""

    plan_id: Any
    created: datetime
    approved: datetime | None = None
    versions: dict[int, datetime] = field(default_factory=dict)
    reviews: list[tuple[Any, datetime]] = field(default_factory=list)


class _CarePlanner:
    """Builds each case's care plan as its case manager would: needs, goals in the client's
    words, strengths, barriers, interventions with owners, education with teach-back, the
    client's agreement and, where the model asks for it, a supervisor's approval; later, reviews
    scored on Goal Attainment Scaling."""

    def __init__(self, *, seed: int, now: datetime) -> None:
        self.seed, self.now = seed, now
        self.today = timezone.localdate(now)
        self.pending: list[_PlanTimes] = []
        # A stream of its own, so plans do not change who gets which case.
        self.rng = random.Random(seed * 104_723 + 5)

    def _day(self, when: datetime) -> date:
        return min(timezone.localdate(when), self.today)

    def _goal_words(self, topic: words.NeedTopic, client: Client) -> str:
        spanish = primary_language(client.preferred_language) == "es"
        return self.rng.choice(topic.words_es if spanish else topic.words_en)

    def build(
        self,
        *,
        case: Case,
        client: Client,
        plan: CasePlan,
        case_manager: User,
        approver: User | None,
        planning_at: datetime,
        active_at: datetime | None,
        until: datetime,
    ) -> CarePlan:
        """A care plan for ``case``; agreed (and approved where required) when ``active_at`` is
        given, otherwise left as the draft the case manager is working on."""
        rng, actor = self.rng, case_manager
        span = ((active_at or until) - planning_at).total_seconds()
        started = planning_at + timedelta(seconds=span * rng.uniform(0.05, 0.25))
        agreed = planning_at + timedelta(seconds=span * rng.uniform(0.75, 0.9))
        if active_at is None:
            agreed = planning_at + timedelta(seconds=span * 0.9)
        model = case.program.model
        care_plan = careplans.plan_create(
            acting_user=actor, case=case, title=f"{case.program.name} — care plan"
        )
        times = _PlanTimes(care_plan.pk, started)
        steps: list[int] = [care_plan.version]

        def done() -> None:
            steps.append(care_plan.version)

        start_day = self._day(agreed)
        needs = _plan_needs(plan)
        need_rows = []
        for priority, (code, display, topic) in enumerate(needs[:3], start=1):
            need_rows.append(
                careplans.need_add(
                    acting_user=actor,
                    plan=care_plan,
                    expected_version=care_plan.version,
                    data={
                        "code": code,
                        "display": display,
                        "snomed_code": topic.snomed,
                        "domain": topic.domain,
                        "priority": min(priority, 3),
                    },
                )
            )
            done()
        strength_rows = []
        wanted = rng.randint(3, 4) if model.requires_strengths else rng.choice((0, 1, 1))
        for domain, text in rng.sample(words.STRENGTHS, k=wanted):
            strength_rows.append(
                careplans.strength_add(
                    acting_user=actor,
                    plan=care_plan,
                    expected_version=care_plan.version,
                    data={"domain": domain, "description": text},
                )
            )
            done()
        goal_count = min(len(needs), _weighted(rng, ((1, 45), (2, 45), (3, 10))))
        goals = []
        for priority, ((_, _, topic), need) in enumerate(
            zip(needs[:goal_count], need_rows, strict=False), start=1
        ):
            target_day = start_day + timedelta(days=topic.target_days)
            linked = rng.sample(strength_rows, k=min(len(strength_rows), rng.randint(1, 2)))
            goal = careplans.goal_add(
                acting_user=actor,
                plan=care_plan,
                expected_version=care_plan.version,
                data={
                    "priority": priority,
                    "client_words": self._goal_words(topic, client),
                    "statement": topic.statement,
                    "measure": topic.measure,
                    "baseline": topic.baseline,
                    "target": topic.target,
                    "start_date": start_day,
                    "target_date": target_day,
                    "lifecycle_status": "active" if active_at else "proposed",
                    "achievement_status": "in-progress" if active_at else "",
                    "need_ids": [str(need.pk)],
                    "strength_ids": [str(s.pk) for s in linked],
                },
            )
            done()
            goals.append((goal, topic))
        barriers = [b for _, topic in goals for b in topic.barriers]
        if client.interpreter_needed:
            barriers.append(
                (
                    "Needs an interpreter at medical and benefits appointments",
                    "Book an interpreter with every appointment; written material translated",
                )
            )
        for description, plan_to_address in rng.sample(
            barriers, k=min(len(barriers), rng.choice((1, 1, 1, 2)))
        ):
            careplans.barrier_add(
                acting_user=actor,
                plan=care_plan,
                expected_version=care_plan.version,
                data={"description": description, "plan_to_address": plan_to_address},
            )
            done()
        helper = rng.choice(words.FAMILY_HELPERS)
        for goal, topic in goals:
            # The first action (the case manager's part, mostly) and one other: who does what.
            first, *others = topic.interventions
            for description, owner_type, due_days in (first, rng.choice(others)):
                due = start_day + timedelta(days=due_days)
                data: dict[str, Any] = {
                    "goal_id": str(goal.pk),
                    "description": description,
                    "owner_type": owner_type,
                    "due_date": due,
                    "status": "not-started",
                }
                if active_at is not None:
                    finished = self._day(until)
                    data["status"] = (
                        "completed"
                        if due <= finished and rng.random() < 0.8
                        else "in-progress"
                        if start_day <= finished
                        else "not-started"
                    )
                if owner_type == "case_manager":
                    data["owner_user_id"] = str(actor.pk)
                elif owner_type == "family":
                    data["owner_name"] = f"{helper} ({client.family_name} family)"
                elif owner_type == "provider":
                    data["owner_name"] = rng.choice(words.PROVIDERS)
                elif owner_type == "care_team":
                    data["owner_name"] = f"{case.program.name} team"
                careplans.intervention_add(
                    acting_user=actor,
                    plan=care_plan,
                    expected_version=care_plan.version,
                    data=data,
                )
                done()
        language = "es" if primary_language(client.preferred_language) == "es" else "en"
        changes = {"self_management": words.SELF_MANAGEMENT[language]}
        if plan.kind == "intensive":
            changes["crisis_plan"] = words.CRISIS_PLAN
        careplans.plan_update(
            acting_user=actor,
            plan=care_plan,
            expected_version=care_plan.version,
            changes=changes,
        )
        done()
        for _, topic in goals[: rng.choice((1, 1, 2))]:
            subject, detail = topic.education
            careplans.education_record(
                acting_user=actor,
                plan=care_plan,
                expected_version=care_plan.version,
                data={
                    "topic": subject,
                    "detail": detail,
                    "method": "interpreter"
                    if client.interpreter_needed
                    else rng.choice(("verbal", "written", "demonstration")),
                    "teach_back": _weighted(
                        rng,
                        (("understood", 70), ("partial", 20), ("not_understood", 5),
                         ("not_done", 5)),
                    ),
                    "given_on": self._day(started + (agreed - started) * rng.uniform(0.3, 1)),
                },
            )  # fmt: skip
            done()
        # Spread the versions so far between the plan's start and the agreement.
        for index, number in enumerate(steps):
            times.versions[number] = started + (agreed - started) * (index / len(steps))
        if active_at is None:
            self.pending.append(times)
            return care_plan
        representative = client.birth_date.year < REFERENCE_DAY.year - 80 and rng.random() < 0.5
        signed = rng.random() < 0.6
        careplans.plan_agree(
            acting_user=actor,
            plan=care_plan,
            expected_version=care_plan.version,
            method="signature" if signed else "verbal",
            agreed_by_name=f"{helper} {client.family_name}" if representative else client.full_name,
            relationship=helper.lower() if representative else "self",
            signature=_signature_png(rng) if signed else "",
            witness_name="" if signed else rng.choice(words.WITNESSES),
            agreed_on=self._day(agreed),
        )
        times.versions[care_plan.version] = agreed
        if "care_plan" in (model.approvals_required or []) and approver is not None:
            approved = agreed + (active_at - agreed) * rng.uniform(0.2, 0.8)
            careplans.plan_approve(
                acting_user=approver, plan=care_plan, expected_version=care_plan.version
            )
            times.approved = approved
            times.versions[care_plan.version] = approved
        self._reviews(care_plan, goals, actor, active_at, until, times)
        self.pending.append(times)
        return care_plan

    def _reviews(
        self,
        care_plan: CarePlan,
        goals: list[tuple[Goal, words.NeedTopic]],
        actor: User,
        active_at: datetime,
        until: datetime,
        times: _PlanTimes,
    ) -> None:
        """One or two reviews on the model's interval while the case stayed active."""
        interval = care_plan.case.program.model.plan_review_interval_days or 90
        rng = self.rng
        for number in (1, 2):
            when = active_at + timedelta(days=interval * number + rng.uniform(-7, 7))
            if when >= until or when >= self.now:
                return
            scores = []
            for goal, _ in goals:
                attainment = _weighted(
                    rng, ((-1, 15), (0, 45), (1, 30), (2, 10)) if number == 1
                    else ((-1, 8), (0, 35), (1, 37), (2, 20)),
                )  # fmt: skip
                scores.append(
                    {
                        "goal_id": str(goal.pk),
                        "attainment": attainment,
                        "achievement_status": GAS_ACHIEVEMENT[attainment],
                    }
                )
            review = careplans.plan_review_record(
                acting_user=actor,
                plan=care_plan,
                expected_version=care_plan.version,
                reviewed_on=self._day(when),
                notes=rng.choice(words.REVIEW_NOTES),
                scores=scores,
            )
            times.versions[care_plan.version] = when
            times.reviews.append((review.pk, when))

    def close(self, case: Case, actor: User, planned: bool) -> None:
        """The case is closing: its plan is completed (planned closure) or revoked."""
        care_plan = CarePlan.objects.filter(case=case).exclude(status__in=FINISHED_PLAN).first()
        if care_plan is None:
            return
        careplans.plan_update(
            acting_user=actor,
            plan=care_plan,
            expected_version=care_plan.version,
            changes={"status": "completed" if planned else "revoked"},
        )

    def flush(self) -> None:
        """Move the plans' timestamps back to when the planning happened."""
        if not self.pending:
            return
        by_plan = {times.plan_id: times for times in self.pending}
        version_rows = []
        for pk, plan_id, number in PlanVersion.objects.filter(plan_id__in=by_plan).values_list(
            "id", "plan_id", "number"
        ):
            when = by_plan[plan_id].versions.get(number)
            if when is not None:
                version_rows.append(PlanVersion(id=pk, created_at=when))
        PlanVersion.objects.bulk_update(version_rows, ["created_at"], batch_size=500)
        plan_rows = [
            CarePlan(id=t.plan_id, created_at=t.created, approved_at=t.approved)
            for t in self.pending
        ]
        CarePlan.objects.bulk_update(plan_rows, ["created_at"], batch_size=500)
        CarePlan.objects.bulk_update(
            [row for row in plan_rows if row.approved_at is not None],
            ["approved_at"],
            batch_size=500,
        )
        PlanReview.objects.bulk_update(
            [PlanReview(id=pk, created_at=when) for t in self.pending for pk, when in t.reviews],
            ["created_at"],
            batch_size=500,
        )
        self.pending.clear()


def demo_is_loaded() -> bool:
    return Organization.objects.filter(slug=DEMO_SLUG).exists()


def _other_organization(loader: _Loader, seed: int) -> None:
    """A second agency with one case manager and a handful of clients of its own, to show that
    nobody sees across organizations."""
    organization = organization_get_or_create(slug=OTHER_SLUG, name=OTHER_NAME)
    team = Team.objects.create(organization=organization, name="Northfield")
    outsider = loader.staff(OUTSIDER, organization, {"Northfield": team})
    program = loader.program(OTHER_PROGRAM, organization, {"Northfield": team}, None)
    loader.programs["other"] = program
    loader.weights["other"] = program.model.case_weight(None)
    loader.assign = False  # the outsider takes their own cases at intake
    rng = random.Random(seed + 104_729)
    finals = (S.ACTIVE, S.ACTIVE, S.ASSESSMENT, S.INTAKE, S.REFERRED, S.CLOSED)
    for number, final in enumerate(finals):
        data, identifiers = _plan_person(rng, 900_000 + number)
        for identifier in identifiers:
            identifier["assigner"] = OTHER_NAME if identifier["type"] == "MR" else ""
            identifier["value"] = "NF" + identifier["value"]
        case_plan = _plan_case(rng, final)
        case_plan.kind = "other"
        case_plan.findings = []
        case_plan.reassign = case_plan.assign_in_screening = False
        plan = ClientPlan(data, identifiers, [case_plan], rng.uniform(5, 90))
        loader.client(plan, intake=outsider, referrers=[])
    loader.assign = True


def demo_load(
    *,
    clients: int = DEFAULT_CLIENTS,
    seed: int = DEFAULT_SEED,
    progress: Callable[[int, int], None] | None = None,
) -> DemoSummary:
    """Load the demo population once. If the ``demo`` organization exists, change nothing.

    All of it is one transaction: an interrupted load leaves no half-built demo behind.
    """
    if demo_is_loaded():
        return DemoSummary(already_loaded=True)
    wanted = [spec.username for spec in STAFF] + [OUTSIDER.username]
    clash = sorted(User.objects.filter(username__in=wanted).values_list("username", flat=True))
    if clash:
        raise Conflict(
            "The demo needs these user names, which already exist: " + ", ".join(clash) + ". "
            "Load the demo into a fresh database.",
            code="user_exists",
        )
    started = time.monotonic()
    plans = plan_population(clients=clients, seed=seed)
    loader = _Loader(seed=seed, now=timezone.now())
    token = audit_context.set_current(audit_context.AuditContext(request_id=f"demo-seed-{seed}"))
    try:
        # The services re-sweep a case after each change; the load ends with one full sweep
        # (load_coordination) instead.
        with transaction.atomic(), sweeps_paused():
            organization = loader.demo_organization(clients=clients, rng=random.Random(seed + 1))
            intake = loader.users["intake"]
            referrers = [
                user
                for user in loader.users.values()
                if user.role == R.CASE_MANAGER and user.organization_id == organization.id
            ]
            every = max(10, clients // 10)
            for number, plan in enumerate(plans, start=1):
                loader.client(plan, intake=intake, referrers=referrers)
                if number % 100 == 0:
                    loader.flush()
                if progress is not None and (number % every == 0 or number == clients):
                    progress(number, clients)
            loader.flush()
            _other_organization(loader, seed)
            loader.flush()
            generate_history(organization=organization, seed=seed, now=loader.now)
            load_coordination(
                organization=organization,
                curator=loader.users["programadmin"],
                seed=seed,
                now=loader.now,
            )
    finally:
        audit_context.reset(token)
    return _summary(organization, loader, time.monotonic() - started)


def _summary(organization: Organization, loader: _Loader, seconds: float) -> DemoSummary:
    by_program: dict[str, dict[str, int]] = defaultdict(dict)
    rows = (
        Case.objects.filter(organization=organization)
        .values("program__name", "status")
        .annotate(n=Count("id"))
        .order_by("program__name")
    )
    for row in rows:
        by_program[row["program__name"]][row["status"]] = row["n"]
    me = loader.users[CASEMANAGER]
    mine = Case.objects.filter(case_manager=me).exclude(status__in=[S.CLOSED, S.ENTERED_IN_ERROR])
    points = mine.filter(status__in=ON_CASELOAD).aggregate(total=Sum("weight"))["total"]
    return DemoSummary(
        already_loaded=False,
        clients=Client.objects.filter(organization=organization).count(),
        cases=sum(sum(statuses.values()) for statuses in by_program.values()),
        seconds=seconds,
        by_program=dict(by_program),
        casemanager_points=points or Decimal("0"),
        casemanager_open_cases=mine.count(),
        waitlisted_for_capacity=loader.fallbacks,
        staff=User.objects.filter(organization=organization).count(),
    )


def demo_logins() -> list[tuple[str, str, str]]:
    """(username, role, name) of the demo logins that exist, in a fixed order."""
    users = {user.username: user for user in User.objects.filter(username__in=LOGINS)}
    return [
        (name, users[name].get_role_display(), users[name].display_name)
        for name in LOGINS
        if name in users
    ]
