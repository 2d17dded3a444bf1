"""Synthetic clinical history for the demo population: chronic conditions, three years of
emergency department visits and hospital admissions, and PHQ-9 / GAD-7 / AUDIT-C scores over time.

The point is a population on which the LACE index can be computed and the predictive model can
be trained and evaluated honestly, so the history has the structure real utilization has:

* Each client carries a **latent risk**: age, chronic conditions (coded in ICD-10-CM or, for about
  half the clients, in SNOMED CT as Synthea writes them), serious mental illness, substance use,
  depression and social needs (from the case's screening findings where there are any), plus an
  unobserved frailty.
* Acute care use is a **time-varying process**: month by month, visits are Poisson with a rate
  set by that risk, a persistent random state (an autoregressive "how things are going" that
  also moves the client's PHQ-9 scores) and a short-lived rise after each visit or admission. So
  past utilization and recent scores predict future use, as they do in real data, and a LACE
  score (which only sees the last admission) predicts it less well.
* Some ED visits end in an (acute) admission; a few admissions are elective. Lengths of stay grow
  with age and comorbidity.

Everything is drawn from ``random.Random`` seeded by ``seed`` and a stable key per client (the
medical record number, else name and birth date), so the same seed gives the same history
whatever order the clients are read in. Rows are written with ``bulk_create``; a 300-client
demo takes well under a second. The numbers below are tuned for a plausible case-management
population (about a third with an ED visit or admission in any six months), not taken from a
published source.
"""

from __future__ import annotations

import math
import random
import time
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from casework.accounts.models import Organization
from casework.assessments.models import Observation
from casework.cases.models import Case, Status
from casework.clients.models import (
    Client,
    ClientIdentifier,
    Condition,
    ConditionStatus,
    Utilization,
    UtilizationKind,
)
from casework.risk import charlson
from casework.risk.charlson import ICD10_CM_SYSTEM, SNOMED_SYSTEM

SOURCE = "demo"
SOURCE_PREFIX = "demo-history"
HISTORY_DAYS = 3 * 365 + 1
MONTH = timedelta(days=365.25 / 12)
LOINC_SYSTEM = "http://loinc.org"
FACILITIES = (
    "Demo County General Hospital",
    "St. Brigid Medical Center",
    "Riverside Community Hospital",
)


@dataclass(frozen=True)
class ChronicCondition:
    key: str
    icd: tuple[str, str]
    snomed: tuple[str, str]
    effect: float  # added to the log of the monthly rate of acute care use while active
    visit_reason: tuple[str, str] | None = None  # ICD-10-CM reason for a visit it causes


# fmt: off
CHRONIC: dict[str, ChronicCondition] = {c.key: c for c in (
    ChronicCondition("diabetes", ("E11.9", "Type 2 diabetes mellitus without complications"),
                     ("44054006", "Diabetes mellitus type 2"), 0.25,
                     ("E11.65", "Type 2 diabetes mellitus with hyperglycemia")),
    ChronicCondition("diabetic_kidney", ("E11.22", "Type 2 diabetes mellitus with diabetic "
                                                   "chronic kidney disease"),
                     ("127013003", "Disorder of kidney due to diabetes mellitus"), 0.3),
    ChronicCondition("heart_failure", ("I50.9", "Heart failure, unspecified"),
                     ("88805009", "Chronic congestive heart failure"), 0.7,
                     ("I50.23", "Acute on chronic systolic (congestive) heart failure")),
    ChronicCondition("copd", ("J44.9", "Chronic obstructive pulmonary disease, unspecified"),
                     ("185086009", "Chronic obstructive bronchitis"), 0.55,
                     ("J44.1", "Chronic obstructive pulmonary disease with (acute) "
                               "exacerbation")),
    ChronicCondition("asthma", ("J45.909", "Unspecified asthma, uncomplicated"),
                     ("195967001", "Asthma"), 0.2,
                     ("J45.901", "Unspecified asthma with (acute) exacerbation")),
    ChronicCondition("ckd", ("N18.30", "Chronic kidney disease, stage 3 unspecified"),
                     ("433144002", "Chronic kidney disease stage 3"), 0.35),
    ChronicCondition("ckd_severe", ("N18.4", "Chronic kidney disease, stage 4 (severe)"),
                     ("431857002", "Chronic kidney disease stage 4"), 0.6),
    ChronicCondition("old_mi", ("I25.2", "Old myocardial infarction"),
                     ("399211009", "History of myocardial infarction"), 0.3,
                     ("I20.0", "Unstable angina")),
    ChronicCondition("stroke", ("I69.351", "Hemiplegia following cerebral infarction affecting "
                                           "right dominant side"),
                     ("230690007", "Cerebrovascular accident"), 0.35),
    ChronicCondition("dementia", ("G30.9", "Alzheimer's disease, unspecified"),
                     ("26929004", "Alzheimer's disease"), 0.45,
                     ("R41.82", "Altered mental status, unspecified")),
    ChronicCondition("cancer", ("C50.911", "Malignant neoplasm of unspecified site of right "
                                           "female breast"),
                     ("254837009", "Malignant neoplasm of breast"), 0.45),
    ChronicCondition("lung_cancer", ("C34.90", "Malignant neoplasm of unspecified part of "
                                                "unspecified bronchus or lung"),
                     ("254637007", "Non-small cell lung cancer"), 0.6),
    ChronicCondition("metastatic", ("C78.00", "Secondary malignant neoplasm of unspecified lung"),
                     ("94260004", "Metastatic malignant neoplasm to colon"), 0.9),
    ChronicCondition("hepatitis_c", ("B18.2", "Chronic viral hepatitis C"),
                     ("128302006", "Chronic hepatitis C"), 0.3),
    ChronicCondition("hiv", ("B20", "Human immunodeficiency virus [HIV] disease"),
                     ("86406008", "Human immunodeficiency virus infection"), 0.35),
    ChronicCondition("rheumatoid", ("M06.9", "Rheumatoid arthritis, unspecified"),
                     ("69896004", "Rheumatoid arthritis"), 0.15),
    ChronicCondition("hypertension", ("I10", "Essential (primary) hypertension"),
                     ("38341003", "Hypertension"), 0.05),
    ChronicCondition("schizophrenia", ("F20.9", "Schizophrenia, unspecified"),
                     ("58214004", "Schizophrenia"), 0.7,
                     ("F20.9", "Schizophrenia, unspecified")),
    ChronicCondition("bipolar", ("F31.9", "Bipolar disorder, unspecified"),
                     ("13746004", "Bipolar disorder"), 0.6,
                     ("F31.2", "Bipolar disorder, current episode manic severe with psychotic "
                               "features")),
    ChronicCondition("depression", ("F32.A", "Depression, unspecified"),
                     ("370143000", "Major depressive disorder"), 0.3,
                     ("R45.851", "Suicidal ideations")),
    ChronicCondition("alcohol", ("F10.20", "Alcohol dependence, uncomplicated"),
                     ("7200002", "Alcoholism"), 0.75,
                     ("F10.129", "Alcohol abuse with intoxication, unspecified")),
    ChronicCondition("opioid", ("F11.20", "Opioid dependence, uncomplicated"),
                     ("5602001", "Opioid abuse"), 0.85,
                     ("T40.2X1A", "Poisoning by other opioids, accidental, initial encounter")),
    ChronicCondition("homeless", ("Z59.00", "Homelessness, unspecified"),
                     ("32911000", "Homeless"), 0.55),
    ChronicCondition("food", ("Z59.41", "Food insecurity"),
                     ("733423003", "Food insecurity"), 0.15),
    ChronicCondition("transport", ("Z59.82", "Transportation insecurity"),
                     ("713458007", "Lack of access to transportation"), 0.1),
)}
# fmt: on
SOCIAL_NEEDS = ("homeless", "food", "transport")
# Chronic medical conditions: they lengthen stays and raise the chance an ED visit ends in an
# admission (behavioral conditions and social needs drive ED visits more than admissions).
MEDICAL = frozenset(CHRONIC) - {
    *SOCIAL_NEEDS,
    "hypertension",
    "schizophrenia",
    "bipolar",
    "depression",
    "alcohol",
    "opioid",
}
# Other reasons for an ED visit or admission (ICD-10-CM), for visits no condition explains.
GENERAL_REASONS = (
    ("R07.9", "Chest pain, unspecified"),
    ("J18.9", "Pneumonia, unspecified organism"),
    ("R10.9", "Unspecified abdominal pain"),
    ("N39.0", "Urinary tract infection, site not specified"),
    ("R55", "Syncope and collapse"),
    ("W19.XXXA", "Unspecified fall, initial encounter"),
    ("L03.115", "Cellulitis of right lower limb"),
    ("R06.02", "Shortness of breath"),
)
PHQ9 = ("44261-6", "Patient Health Questionnaire 9 item (PHQ-9) total score [Reported]")
GAD7 = ("70274-6", "Generalized anxiety disorder 7 item (GAD-7) total score [Reported.PHQ]")
AUDITC = ("75626-2", "Total score [AUDIT-C]")


@dataclass(frozen=True)
class Dynamics:
    """The knobs of the utilization process (log scale unless stated)."""

    yearly_rate: float = 0.15  # visits a year for a 45-year-old with nothing on record
    age_effect: float = 0.012  # per year over 45
    frailty_sd: float = 1.2  # unobserved, fixed per client
    persistence: float = 0.93  # month-to-month carry-over of the latent state
    innovation_sd: float = 0.3  # monthly change of the latent state
    after_admission: float = 0.5  # for two months after an admission
    after_ed_visit: float = 0.4  # for a month after an ED visit
    admit_intercept: float = -2.6  # log-odds that an ED visit ends in an admission ...
    admit_age: float = 0.035  # ... per year over 50
    admit_medical: float = 0.35  # ... per chronic medical condition
    admit_state: float = 0.2  # ... per unit of the latent state
    phq9_state: float = 4.5  # PHQ-9 points per unit of the latent state


DYNAMICS = Dynamics()


@dataclass
class HistorySummary:
    clients: int = 0
    admissions: int = 0
    ed_visits: int = 0
    conditions: int = 0
    observations: int = 0
    seconds: float = 0.0
    already_present: bool = False


@dataclass
class _Person:
    client_id: Any
    key: str
    age: int
    sex: str
    kinds: set[str] = field(default_factory=set)
    findings: list[dict[str, str]] = field(default_factory=list)


@dataclass
class _Onset:
    key: str
    onset: date
    abated: date | None
    system: str
    code: str
    display: str
    effect: float
    visit_reason: tuple[str, str] | None = None


def _sigmoid(value: float) -> float:
    return 1.0 / (1.0 + math.exp(-value))


def _poisson(rng: random.Random, rate: float) -> int:
    """Knuth's method; the monthly rates here are small."""
    limit, count, product = math.exp(-rate), 0, rng.random()
    while product > limit:
        count += 1
        product *= rng.random()
    return count


def _prevalence(person: _Person, chosen: set[str]) -> dict[str, float]:
    """Chance of each condition for this person (by age and the programs they were referred to)."""
    age, kinds = person.age, person.kinds
    integrated = "integrated" in kinds
    mental = bool(kinds & {"clinical", "strengths", "intensive"})
    substance = bool(chosen & {"alcohol", "opioid"})

    def over(start: int, per_year: float) -> float:
        return max(0, age - start) * per_year

    return {
        "diabetes": 0.06 + over(35, 0.004) + 0.2 * integrated,
        "heart_failure": (0.01 + over(45, 0.004) + 0.15 * integrated) * (age >= 40),
        "copd": (0.03 + over(40, 0.003) + 0.12 * integrated) * (age >= 35),
        "asthma": 0.07,
        "ckd": (0.03 + over(50, 0.004) + 0.08 * integrated) * (age >= 40),
        "old_mi": (0.01 + over(45, 0.003)) * (age >= 40),
        "stroke": (0.005 + over(50, 0.003)) * (age >= 45),
        "dementia": over(65, 0.008),
        "cancer": (0.01 + over(40, 0.001)) * (person.sex == "female"),
        "lung_cancer": (0.004 + over(50, 0.001)) * (age >= 45),
        "hepatitis_c": 0.015 + 0.1 * substance,
        "hiv": 0.006 + 0.03 * substance,
        "rheumatoid": 0.015,
        "hypertension": 0.1 + over(30, 0.008),
        "schizophrenia": 0.02 + 0.12 * ("strengths" in kinds),
        "bipolar": 0.02 + 0.1 * ("strengths" in kinds),
        "depression": 0.1 + 0.3 * mental,
        "homeless": 0.04 + 0.1 * ("brokerage" in kinds),
        "food": 0.08 + 0.2 * ("brokerage" in kinds),
        "transport": 0.06 + 0.15 * ("brokerage" in kinds),
    }


def _finding_key(code: str) -> str | None:
    """Which of our conditions a screening finding (ICD-10-CM) stands for, if any."""
    normalized = charlson.normalize_icd10(code)
    for key, condition in CHRONIC.items():
        if charlson.normalize_icd10(condition.icd[0]) == normalized:
            return key
    prefixes = {
        "F20": "schizophrenia",
        "F25": "schizophrenia",
        "F31": "bipolar",
        "F33": "depression",
        "F32": "depression",
        "F10": "alcohol",
        "F11": "opioid",
        "Z590": "homeless",
        "I50": "heart_failure",
        "J44": "copd",
        "E11": "diabetes",
        "N18": "ckd",
    }
    return prefixes.get(normalized[:3]) or prefixes.get(normalized[:4])


def _other_finding_effect(code: str) -> float:
    """Screening findings that are none of our conditions still carry some risk: other social
    needs (Z55-Z65) and other behavioral health diagnoses (chapter F)."""
    if charlson.is_social_need(ICD10_CM_SYSTEM, code):
        return 0.15
    return 0.1 if code.upper().startswith("F") else 0.0


class _Generator:
    def __init__(self, *, seed: int, now: datetime) -> None:
        self.seed = seed
        self.now = now
        self.start = now - timedelta(days=HISTORY_DAYS)
        self.utilization: list[Utilization] = []
        self.conditions: list[Condition] = []
        self.observations: list[Observation] = []
        self.counter = 0

    def _source_id(self) -> str:
        self.counter += 1
        return f"{SOURCE_PREFIX}-{self.seed}-{self.counter}"

    def _conditions(self, rng: random.Random, person: _Person) -> list[_Onset]:
        use_snomed = rng.random() < 0.5
        chosen: dict[str, tuple[str, str, str] | None] = {}
        others: dict[str, str] = {}
        for finding in person.findings:
            code = str(finding.get("code", ""))
            key = _finding_key(code)
            if key is not None:
                chosen[key] = (ICD10_CM_SYSTEM, code, str(finding.get("display", "")))
            elif code:
                others[code] = str(finding.get("display", ""))
        if "intensive" in person.kinds and rng.random() < 0.35:
            chosen.setdefault("alcohol" if rng.random() < 0.6 else "opioid", None)
        if rng.random() < 0.06 + 0.15 * bool(person.kinds & {"clinical", "intensive"}):
            chosen.setdefault("alcohol" if rng.random() < 0.6 else "opioid", None)
        for key, chance in _prevalence(person, set(chosen)).items():
            if key not in chosen and rng.random() < min(chance, 0.85):
                chosen[key] = None
        if "diabetes" in chosen and rng.random() < 0.3:
            chosen["diabetic_kidney"] = None
        if "ckd" in chosen and rng.random() < 0.2:
            chosen["ckd_severe"] = None
        if ("cancer" in chosen or "lung_cancer" in chosen) and rng.random() < 0.15:
            chosen["metastatic"] = None

        onsets = []
        window = (self.now.date() - self.start.date()).days
        for key, coded in chosen.items():
            condition = CHRONIC[key]
            if rng.random() < 0.7 or coded is not None:
                onset = self.start.date() - timedelta(days=rng.randint(30, 3650))
            else:
                onset = self.start.date() + timedelta(days=rng.randint(0, window - 14))
            abated = None
            if key in SOCIAL_NEEDS and rng.random() < 0.35:
                abated = max(onset, self.start.date()) + timedelta(days=rng.randint(60, 500))
                abated = abated if abated < self.now.date() else None
            if coded is not None:
                system, code, display = coded
            elif use_snomed:
                system, (code, display) = SNOMED_SYSTEM, condition.snomed
            else:
                system, (code, display) = ICD10_CM_SYSTEM, condition.icd
            if key in SOCIAL_NEEDS and coded is None:
                system, (code, display) = ICD10_CM_SYSTEM, condition.icd
            onsets.append(
                _Onset(
                    key,
                    onset,
                    abated,
                    system,
                    code,
                    display,
                    condition.effect,
                    condition.visit_reason,
                )
            )
        for code, display in others.items():
            onset = self.start.date() - timedelta(days=rng.randint(30, 1500))
            effect = _other_finding_effect(code)
            onsets.append(
                _Onset(f"finding:{code}", onset, None, ICD10_CM_SYSTEM, code, display, effect)
            )
        # Complications and later stages come after what they complicate.
        by_key = {item.key: item for item in onsets}
        for later, earlier in (
            ("diabetic_kidney", "diabetes"),
            ("ckd_severe", "ckd"),
            ("metastatic", "cancer"),
            ("metastatic", "lung_cancer"),
        ):
            if (
                later in by_key
                and earlier in by_key
                and by_key[later].onset < by_key[earlier].onset
            ):
                by_key[later].onset = by_key[earlier].onset + timedelta(days=rng.randint(60, 900))
        return [item for item in onsets if item.onset < self.now.date()]

    def person(self, rng: random.Random, person: _Person) -> None:
        onsets = self._conditions(rng, person)
        for item in onsets:
            self.conditions.append(
                Condition(
                    client_id=person.client_id,
                    system=item.system,
                    code=item.code,
                    display=item.display,
                    clinical_status=ConditionStatus.RESOLVED if item.abated else "active",
                    onset_date=item.onset,
                    abatement_date=item.abated,
                    source=SOURCE,
                    source_id=self._source_id(),
                )
            )
        keys = {item.key for item in onsets}
        chronic_count = sum(1 for key in keys if key in MEDICAL)
        knobs = DYNAMICS
        frailty = rng.gauss(0.0, knobs.frailty_sd)
        base = math.log(knobs.yearly_rate / 12) + knobs.age_effect * max(0, person.age - 45)
        base += frailty
        state = rng.gauss(0.0, knobs.innovation_sd / math.sqrt(1 - knobs.persistence**2))
        last_admission: datetime | None = None
        last_ed: datetime | None = None
        busy_until = self.start
        month_states: list[float] = []
        months = int(HISTORY_DAYS / 30.4375) + 1
        for month in range(months):
            month_start = self.start + month * MONTH
            if month_start >= self.now:
                break
            state = knobs.persistence * state + rng.gauss(0.0, knobs.innovation_sd)
            month_states.append(state)
            day = month_start.date()
            active = [
                item
                for item in onsets
                if item.onset <= day and (item.abated is None or item.abated > day)
            ]
            rate = base + state + sum(item.effect for item in active)
            if last_admission and month_start - last_admission < 2 * MONTH:
                rate += knobs.after_admission
            if last_ed and month_start - last_ed < MONTH:
                rate += knobs.after_ed_visit
            visits = _poisson(rng, min(math.exp(rate), 3.0))
            if rng.random() < (0.004 + 0.02 * bool(keys & {"cancer", "lung_cancer", "ckd_severe"})):
                self._elective(rng, person, month_start, active)
            for _ in range(visits):
                at = month_start + timedelta(seconds=rng.uniform(0, MONTH.total_seconds()))
                if at >= self.now or at < busy_until:
                    continue
                admit = rng.random() < _sigmoid(
                    knobs.admit_intercept
                    + knobs.admit_age * (person.age - 50)
                    + knobs.admit_medical * chronic_count
                    + knobs.admit_state * state
                )
                reason = self._reason(rng, active)
                ended = at + timedelta(hours=rng.uniform(2, 9))
                self._row(person, UtilizationKind.EMERGENCY, at, ended, True, reason, rng)
                last_ed = at
                busy_until = ended
                if admit:
                    stay = self._stay(rng, person.age, chronic_count)
                    discharged = max(
                        ended + timedelta(days=stay, hours=rng.uniform(-6, 6)),
                        ended + timedelta(hours=3),
                    )
                    still_in = discharged > self.now
                    self._row(
                        person,
                        UtilizationKind.INPATIENT,
                        ended,
                        None if still_in else discharged,
                        True,
                        reason,
                        rng,
                    )
                    last_admission = ended
                    busy_until = min(discharged, self.now)
        self._scores(rng, person, keys, frailty, month_states)

    def _elective(
        self, rng: random.Random, person: _Person, month_start: datetime, active: list[_Onset]
    ) -> None:
        at = month_start + timedelta(days=rng.uniform(0, 28), hours=rng.uniform(7, 10))
        if at >= self.now:
            return
        stay = max(0, round(rng.lognormvariate(math.log(2.0), 0.6)) - (rng.random() < 0.25))
        ended = at + timedelta(days=stay, hours=rng.uniform(2, 8))
        reason = self._reason(rng, active)
        self._row(person, UtilizationKind.INPATIENT, at, min(ended, self.now), False, reason, rng)

    @staticmethod
    def _stay(rng: random.Random, age: int, chronic_count: int) -> int:
        median = 2.5 + 0.6 * chronic_count + 0.03 * max(0, age - 60)
        return max(0, min(35, round(rng.lognormvariate(math.log(median), 0.6))))

    @staticmethod
    def _reason(rng: random.Random, active: list[_Onset]) -> tuple[str, str]:
        reasons = [item.visit_reason for item in active]
        known = [reason for reason in reasons if reason is not None]
        if known and rng.random() < 0.6:
            return rng.choice(known)
        return rng.choice(GENERAL_REASONS)

    def _row(
        self,
        person: _Person,
        kind: str,
        started: datetime,
        ended: datetime | None,
        acute: bool,
        reason: tuple[str, str],
        rng: random.Random,
    ) -> None:
        self.utilization.append(
            Utilization(
                client_id=person.client_id,
                kind=kind,
                started_at=started,
                ended_at=ended,
                acute=acute,
                facility=rng.choice(FACILITIES),
                diagnosis_system=ICD10_CM_SYSTEM,
                diagnosis_code=reason[0],
                diagnosis_display=reason[1],
                source=SOURCE,
                source_id=self._source_id(),
            )
        )

    def _scores(
        self,
        rng: random.Random,
        person: _Person,
        keys: set[str],
        frailty: float,
        states: list[float],
    ) -> None:
        """PHQ-9 (and for some GAD-7, AUDIT-C) totals every two to five months for clients who
        are screened: the scores move with the same latent state that drives their visits."""
        mental = bool(keys & {"depression", "schizophrenia", "bipolar"})
        substance = bool(keys & {"alcohol", "opioid"})
        screened = (
            mental
            or substance
            or bool(person.kinds & {"clinical", "strengths", "intensive"})
            or rng.random() < 0.3
        )
        if not screened or not states:
            return
        with_gad = rng.random() < 0.6
        with_audit = substance or rng.random() < 0.2
        at = self.start + timedelta(days=rng.uniform(0, 150))
        while at < self.now:
            state = states[min(len(states) - 1, int((at - self.start) / MONTH))]
            phq = 4 + 6 * mental + DYNAMICS.phq9_state * state + frailty + rng.gauss(0, 2.5)
            self._observation(person, PHQ9, phq, 27, at)
            if with_gad:
                gad = 3 + 4 * mental + 2 * state + rng.gauss(0, 2.5)
                self._observation(person, GAD7, gad, 21, at)
            if with_audit:
                audit = 1.5 + 5 * substance + 1.2 * state + rng.gauss(0, 1.5)
                self._observation(person, AUDITC, audit, 12, at)
            at += timedelta(days=rng.uniform(60, 150))

    def _observation(
        self, person: _Person, code: tuple[str, str], value: float, top: int, at: datetime
    ) -> None:
        self.observations.append(
            Observation(
                client_id=person.client_id,
                system=LOINC_SYSTEM,
                code=code[0],
                display=code[1],
                value_decimal=Decimal(max(0, min(top, round(value)))),
                unit="{score}",
                effective_at=at,
                status="final",
                source=SOURCE,
            )
        )


def _people(clients: Iterable[Client] | None, organization: Organization) -> list[_Person]:
    rows = Client.objects.filter(organization=organization)
    if clients is not None:
        rows = rows.filter(id__in=[client.id for client in clients])
    records = list(
        rows.order_by().values_list(
            "id", "birth_date", "sex", "given_name", "middle_name", "family_name"
        )
    )
    ids = [record[0] for record in records]
    numbers = dict(
        ClientIdentifier.objects.filter(client_id__in=ids, type="MR")
        .order_by("value")
        .values_list("client_id", "value")
    )
    kinds: dict[Any, set[str]] = defaultdict(set)
    findings: dict[Any, list[dict[str, str]]] = defaultdict(list)
    for client_id, kind, case_findings in (
        Case.objects.filter(client_id__in=ids)
        .exclude(status=Status.ENTERED_IN_ERROR)
        .order_by()
        .values_list("client_id", "program__model__kind", "screening_findings")
    ):
        kinds[client_id].add(kind)
        findings[client_id].extend(case_findings or [])
    today = timezone.localdate()
    people = []
    for client_id, birth_date, sex, given, middle, family in records:
        key = numbers.get(client_id) or f"{birth_date}|{family}|{given}|{middle}"
        age = (
            today.year
            - birth_date.year
            - ((today.month, today.day) < (birth_date.month, birth_date.day))
        )
        people.append(_Person(client_id, key, age, sex, kinds[client_id], findings[client_id]))
    return sorted(people, key=lambda person: person.key)


def generate_history(
    *,
    organization: Organization,
    seed: int,
    now: datetime | None = None,
    clients: Iterable[Client] | None = None,
) -> HistorySummary:
    """Write conditions, three years of ED visits and admissions, and instrument scores for the
    clients of ``organization`` (or the ``clients`` given). Does nothing if this organization's
    demo history is already there."""
    started = time.monotonic()
    now = now or timezone.now()
    if Utilization.objects.filter(
        client__organization=organization, source_id__startswith=SOURCE_PREFIX
    ).exists():
        return HistorySummary(already_present=True)
    generator = _Generator(seed=seed, now=now)
    people = _people(clients, organization)
    for person in people:
        generator.person(random.Random(f"{SOURCE_PREFIX}:{seed}:{person.key}"), person)
    with transaction.atomic():
        Condition.objects.bulk_create(generator.conditions, batch_size=1000)
        Utilization.objects.bulk_create(generator.utilization, batch_size=1000)
        Observation.objects.bulk_create(generator.observations, batch_size=1000)
    kinds = [row.kind for row in generator.utilization]
    return HistorySummary(
        clients=len(people),
        admissions=kinds.count(UtilizationKind.INPATIENT),
        ed_visits=kinds.count(UtilizationKind.EMERGENCY),
        conditions=len(generator.conditions),
        observations=len(generator.observations),
        seconds=time.monotonic() - started,
    )
