"""Remote monitoring as data: the readings casework accepts (a code table) and the default
thresholds per condition that every organization is seeded with (:func:`thresholds_seed`).

Codes. Each LOINC code below was checked against a file in the shared reference data
(``/work/shared/data``; README sections 1 and 2) or against the project's own instrument files:

* 85354-9 blood pressure panel, 8480-6 systolic, 8462-4 diastolic (mm[Hg]): the FHIR R4 example
  ``Observation/observation-example-bloodpressure.json`` (also in the Synthea bundles);
* 29463-7 body weight: ``Observation/observation-example.json`` (which reports it in
  ``[lb_av]``) and the Synthea bundles (kg);
* 2339-0 glucose (mg/dL): the Synthea bundles;
* 59408-5 oxygen saturation by pulse oximetry (%): ``Observation/observation-example-satO2.json``;
* 55758-7 PHQ-2 total score (0-6): casework's PHQ-2 instrument
  (``casework/assessments/instruments/phq-2.json``, docs/instruments.md); it is in no shared data
  file, so it rests on that instrument's citation of LOINC.

The self-reported check-in ("How are you today?", 1 very bad to 5 very good) has no LOINC code
that fits (LOINC's well-being items are parts of longer instruments), so it uses a local code
system, ``CHECK_IN_SYSTEM``.

Units are UCUM. Weight is stored in kg; a reading in pounds (``lb`` or ``[lb_av]``) is converted
with the international avoirdupois pound, exactly 0.45359237 kg (International Yard and Pound
Agreement, 1959).

Plausible ranges refuse typing and device errors, not unusual patients (judgement, chosen wide:
a systolic pressure under 50 or over 300 mm[Hg] is not a reading a home cuff gives a living
person).

Threshold semantics (``Threshold`` rows): a reading raises an alert when it is **at or above**
``high`` or **below** ``low``; ``critical_high``/``critical_low`` the same, as critical; and when
it is ``rise`` or more **above the lowest reading of the ``rise_days`` days before it** (a change
across readings: the weight a heart-failure client gains as fluid builds up).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from casework.accounts.models import Organization

LOINC = "http://loinc.org"
CHECK_IN_SYSTEM = "https://casework.example/codes/check-in"

BLOOD_PRESSURE = "85354-9"
SYSTOLIC = "8480-6"
DIASTOLIC = "8462-4"
WEIGHT = "29463-7"
GLUCOSE = "2339-0"
SPO2 = "59408-5"
PHQ2 = "55758-7"
CHECK_IN = "how-are-you-today"

POUND_IN_KG = Decimal("0.45359237")


@dataclass(frozen=True)
class Reading:
    """One kind of value a client or device can report."""

    code: str
    system: str
    display: str
    unit: str
    minimum: Decimal
    maximum: Decimal
    whole_numbers: bool = False
    # Other units accepted, each with the factor that converts to ``unit``.
    conversions: dict[str, Decimal] = field(default_factory=dict)
    label: str = ""


READINGS: dict[str, Reading] = {
    reading.code: reading
    for reading in [
        Reading(
            SYSTOLIC,
            LOINC,
            "Systolic blood pressure",
            "mm[Hg]",
            Decimal(50),
            Decimal(300),
            label="Systolic",
        ),
        Reading(
            DIASTOLIC,
            LOINC,
            "Diastolic blood pressure",
            "mm[Hg]",
            Decimal(20),
            Decimal(200),
            label="Diastolic",
        ),
        Reading(
            WEIGHT,
            LOINC,
            "Body weight",
            "kg",
            Decimal(1),
            Decimal(500),
            conversions={"lb": POUND_IN_KG, "[lb_av]": POUND_IN_KG},
            label="Weight",
        ),
        Reading(GLUCOSE, LOINC, "Glucose", "mg/dL", Decimal(10), Decimal(1500), label="Glucose"),
        Reading(
            SPO2,
            LOINC,
            "Oxygen saturation in Arterial blood by Pulse oximetry",
            "%",
            Decimal(50),
            Decimal(100),
            label="Oxygen saturation",
        ),
        Reading(
            PHQ2,
            LOINC,
            "Patient Health Questionnaire 2 item (PHQ-2) total score",
            "{score}",
            Decimal(0),
            Decimal(6),
            whole_numbers=True,
            label="PHQ-2 score",
        ),
        Reading(
            CHECK_IN,
            CHECK_IN_SYSTEM,
            "How are you today (1 very bad to 5 very good)",
            "{score}",
            Decimal(1),
            Decimal(5),
            whole_numbers=True,
            label="How are you today",
        ),
    ]
}

# What an API reading's ``code`` may be: a stored code, or the blood pressure panel, which is
# stored as its two components (systolic and diastolic) with the same time.
PANELS: dict[str, tuple[str, str]] = {BLOOD_PRESSURE: (SYSTOLIC, DIASTOLIC)}
ACCEPTED_CODES = sorted([*READINGS, *PANELS])

# What a check-in link may ask for, in page order (the mood question is always asked).
CHECK_IN_READINGS = [BLOOD_PRESSURE, WEIGHT, GLUCOSE, SPO2, PHQ2]

# Trend charts, in order (the panel's components are charted together).
TREND_CODES = [SYSTOLIC, DIASTOLIC, WEIGHT, GLUCOSE, SPO2, PHQ2, CHECK_IN]

AHA_2017 = (
    "Whelton PK, Carey RM, et al. 2017 ACC/AHA Guideline for the Prevention, Detection, "
    "Evaluation, and Management of High Blood Pressure in Adults. Hypertension. "
    "2018;71:e13-e115: hypertensive crisis is systolic over 180 and/or diastolic over 120 mm Hg."
)
ADA_HYPO = (
    "American Diabetes Association. Standards of Care in Diabetes, section 6 (Glycemic Goals and "
    "Hypoglycemia): level 1 hypoglycemia is glucose below 70 mg/dL, level 2 below 54 mg/dL."
)
BTS_2017 = (
    "O'Driscoll BR et al. BTS guideline for oxygen use in adults in healthcare and emergency "
    "settings. Thorax 2017;72(Suppl 1): target saturation 88-92% for patients at risk of "
    "hypercapnic respiratory failure (e.g. COPD), 94-98% for most others."
)
AHA_HF_WEIGHT = (
    "American Heart Association. Self-Check Plan for HF Management (2020): call the care team "
    "on a weight gain of 2-3 pounds in 24 hours or 5 pounds in a week; Heidenreich PA et al. "
    "2022 AHA/ACC/HFSA Guideline for the Management of Heart Failure. Circulation. "
    "2022;145:e895-e1032 (daily weights as part of self-care). 2 lb = 0.907 kg, 5 lb = 2.268 kg."
)
KROENKE_2003 = (
    "Kroenke K, Spitzer RL, Williams JBW. The Patient Health Questionnaire-2: validity of a "
    "two-item depression screener. Med Care 2003;41(11):1284-1292: cut-off 3 or more."
)


@dataclass(frozen=True)
class DefaultThreshold:
    condition_code: str  # ICD-10-CM prefix; "" is everyone
    code: str
    low: Decimal | None = None
    high: Decimal | None = None
    critical_low: Decimal | None = None
    critical_high: Decimal | None = None
    source: str = ""
    rise: Decimal | None = None
    rise_days: int | None = None


DEFAULT_THRESHOLDS: list[DefaultThreshold] = [
    # Everyone: a hypertensive crisis is critical whatever the diagnosis.
    DefaultThreshold("", SYSTOLIC, critical_high=Decimal(180), source=AHA_2017),
    DefaultThreshold("", DIASTOLIC, critical_high=Decimal(120), source=AHA_2017),
    # Hypertension (I10): crisis critical; stage 2 range that high (160/100) an alert.
    DefaultThreshold(
        "I10",
        SYSTOLIC,
        high=Decimal(160),
        critical_high=Decimal(180),
        source=AHA_2017 + " The 160/100 alert level is judgement (well inside stage 2).",
    ),
    DefaultThreshold(
        "I10",
        DIASTOLIC,
        high=Decimal(100),
        critical_high=Decimal(120),
        source=AHA_2017 + " The 160/100 alert level is judgement (well inside stage 2).",
    ),
    # Diabetes (E10 type 1, E11 type 2).
    *[
        DefaultThreshold(
            prefix,
            GLUCOSE,
            low=Decimal(70),
            critical_low=Decimal(54),
            high=Decimal(300),
            source=ADA_HYPO
            + " The alert at 300 mg/dL or more is judgement (marked hyperglycemia).",
        )
        for prefix in ("E10", "E11")
    ],
    # Everyone: oxygen saturation under 90%.
    DefaultThreshold(
        "",
        SPO2,
        low=Decimal(90),
        source=BTS_2017 + " Below 90% is judgement: under the usual 94-98% target with room for "
        "home-oximeter error.",
    ),
    # COPD (J44): their target is lower, so their own row replaces the everyone row.
    DefaultThreshold(
        "J44",
        SPO2,
        low=Decimal(88),
        critical_low=Decimal(85),
        source=BTS_2017 + " Alert below the 88% bottom of the target range; critical below 85% "
        "is judgement.",
    ),
    DefaultThreshold("", PHQ2, high=Decimal(3), source=KROENKE_2003),
    DefaultThreshold(
        "",
        CHECK_IN,
        low=Decimal(2),
        source="casework judgement: a client who answers 1 (very bad) should hear from their "
        "case manager.",
    ),
]
# Heart failure (I50): 2 lb gained in a day, 5 lb in a week (two rows: both apply).
DEFAULT_THRESHOLDS += [
    DefaultThreshold(
        "I50",
        WEIGHT,
        rise=(pounds * POUND_IN_KG).quantize(Decimal("0.001")),
        rise_days=days,
        source=AHA_HF_WEIGHT,
    )
    for pounds, days in ((2, 1), (5, 7))
]


def default_threshold_rows(organization_id: Any) -> list[dict[str, Any]]:
    """The seeded rows as plain values (shared by the seed and the data migration)."""
    return [
        {
            "organization_id": organization_id,
            "client": None,
            "condition_code": spec.condition_code,
            "code": spec.code,
            "display": READINGS[spec.code].display,
            "unit": READINGS[spec.code].unit,
            "low": spec.low,
            "high": spec.high,
            "critical_low": spec.critical_low,
            "critical_high": spec.critical_high,
            "rise": spec.rise,
            "rise_days": spec.rise_days,
            "source": spec.source,
        }
        for spec in DEFAULT_THRESHOLDS
    ]


def default_key(row: dict[str, Any]) -> tuple[str, str, int | None]:
    """What makes a default row the same row again (a condition may have several for one code,
    each over its own number of days)."""
    return (row["condition_code"], row["code"], row.get("rise_days"))


def thresholds_seed(*, organization: Organization) -> int:
    """Give ``organization`` the default thresholds it lacks (matched by condition and code);
    returns how many were added. Rows a program admin changed are left as they are."""
    from casework.monitoring.models import Threshold

    existing = set(
        Threshold.objects.filter(organization=organization, client__isnull=True).values_list(
            "condition_code", "code", "rise_days"
        )
    )
    missing = [
        row for row in default_threshold_rows(organization.pk) if default_key(row) not in existing
    ]
    Threshold.objects.bulk_create([Threshold(**row) for row in missing])
    return len(missing)
